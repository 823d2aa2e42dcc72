"""The state of one emulated VPN device, kept in the collection's own tunnel model.

A vendor module (vendors/<platform>.py) renders this state as the vendor's CLI text and
maps the vendor's reset commands onto take_down(); the SSH server (server.py) only moves
text. Because the truth is the collection's model, a test can compare gathered facts with
it field by field.

Time moves on its own: every read advances counters of installed children, ages SAs, and
brings tunnels taken down by a reset back up (new SPIs, fresh counters) after reset_delay.
"""

from __future__ import annotations

import copy
import itertools
import random
import threading
import time
from dataclasses import dataclass, field

# Bytes per second in / out of an installed child unless a scenario says otherwise.
DEFAULT_RATE = (1200, 900)
AVERAGE_PACKET = 100

FAULTS = ("hang", "drop", "garbage", "slow", "wrong_password")


@dataclass
class EmulatedDevice:
    name: str                      # inventory name
    platform: str                  # the collection's platform name, e.g. "cisco_ios"
    hostname: str                  # what the prompt shows
    tunnels: list                  # collection model tunnels (model.new_tunnel dicts)
    username: str = "admin"
    password: str = "admin"
    reset_delay: float = 2.0
    faults: set = field(default_factory=set)
    # (tunnel name, child name) -> (bytes/s in, bytes/s out); (0, x) makes a silent inbound
    rates: dict = field(default_factory=dict)
    seed: int = 0
    slow_seconds: float = 3.0      # how long the "slow" fault delays every answer

    def __post_init__(self):
        self._lock = threading.RLock()
        self._last = time.monotonic()
        self._carry = 0.0           # time not yet applied: state moves in whole seconds
        self._pending = []          # (time up again, tunnel index, tunnel as it will come back)
        self._random = random.Random(self.seed or hash(self.name))
        self._ids = itertools.count(1000)
        self.reset_log = []         # (command, [tunnel names]) for tests

    # --- reading ---------------------------------------------------------------------------

    def state(self):
        """The tunnels now (advanced to the current time). Callers must not modify them."""
        with self._lock:
            now = time.monotonic()
            self._carry += now - self._last
            self._last = now
            self._restore_due(now)
            seconds = int(self._carry)
            if seconds:
                self._carry -= seconds
                for tunnel in self.tunnels:
                    _age(tunnel, seconds, self.rates)
            return self.tunnels

    def tunnel(self, name):
        return next(t for t in self.state() if t["name"] == name)

    # --- resets ----------------------------------------------------------------------------

    def take_down(self, command, predicate, scope="tunnel"):
        """Reset every tunnel for which predicate(tunnel) is true; returns their names.

        scope "tunnel" drops IKE and children; "child" drops only the children. Each comes
        back after reset_delay with new SPIs, as a real peer renegotiates.
        """
        with self._lock:
            self.state()
            names = []
            for index, tunnel in enumerate(self.tunnels):
                if not predicate(tunnel) or not _is_up(tunnel):
                    continue
                comeback = self._renegotiated(tunnel)
                self._pending.append((time.monotonic() + self.reset_delay, index, comeback))
                self.tunnels[index] = _down_copy(tunnel, scope)
                names.append(tunnel["name"])
            self.reset_log.append((command, names))
            return names

    def _renegotiated(self, tunnel):
        fresh = copy.deepcopy(tunnel)
        ike = fresh.get("ike")
        if ike is not None and ike.get("sa_id") is not None:
            ike["sa_id"] = str(next(self._ids))
            ike["initiator_spi"] = self._hex(16)
            ike["responder_spi"] = self._hex(16)
            ike["established_seconds"] = 0
        for child in fresh["children"]:
            if child["state"] == "INSTALLED":
                child.update(sa_id=str(next(self._ids)), spi_in=self._hex(8), spi_out=self._hex(8),
                             bytes_in=0, bytes_out=0, packets_in=0, packets_out=0,
                             installed_seconds=0, last_in_seconds=None, last_out_seconds=None)
        return fresh

    def _restore_due(self, now):
        due = [item for item in self._pending if item[0] <= now]
        self._pending = [item for item in self._pending if item[0] > now]
        for _when, index, comeback in due:
            self.tunnels[index] = comeback

    def _hex(self, digits):
        return "%0*x" % (digits, self._random.getrandbits(digits * 4))


def _is_up(tunnel):
    return tunnel["state"] in ("ESTABLISHED", "UP")


def _down_copy(tunnel, scope):
    down = copy.deepcopy(tunnel)
    for child in down["children"]:
        if child["state"] == "INSTALLED":
            child.update(state="DOWN", native_state=None, sa_id=None, spi_in=None, spi_out=None,
                         bytes_in=None, bytes_out=None, packets_in=None, packets_out=None,
                         installed_seconds=None, last_in_seconds=None, last_out_seconds=None,
                         rekey_seconds=None, lifetime_seconds=None)
    if scope == "tunnel":
        down.update(state="DOWN", native_state=None, status_message="reset, renegotiating")
        if down.get("ike") is not None:
            down["ike"].update(sa_id=None, native_state=None, initiator_spi=None,
                               responder_spi=None, established_seconds=None, rekey_seconds=None,
                               reauth_seconds=None)
    return down


def _age(tunnel, elapsed, rates):
    """Move one tunnel on by a whole number of seconds."""
    ike = tunnel.get("ike")
    if ike and ike.get("established_seconds") is not None:
        ike["established_seconds"] += elapsed
        for countdown in ("rekey_seconds", "reauth_seconds"):
            if ike.get(countdown):
                ike[countdown] = max(0, ike[countdown] - elapsed)
    for child in tunnel["children"]:
        if child["state"] != "INSTALLED" or child.get("bytes_in") is None:
            continue
        rate_in, rate_out = rates.get((tunnel["name"], child["name"]), DEFAULT_RATE)
        for direction, rate in (("in", rate_in), ("out", rate_out)):
            grown = rate * elapsed
            child["bytes_" + direction] += grown
            child["packets_" + direction] += grown // AVERAGE_PACKET
            if grown:
                child["last_%s_seconds" % direction] = 0
        if child.get("installed_seconds") is not None:
            child["installed_seconds"] += elapsed
        for countdown in ("rekey_seconds", "lifetime_seconds"):
            if child.get(countdown):
                child[countdown] = max(0, child[countdown] - elapsed)

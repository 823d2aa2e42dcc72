# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""WireGuard (wireguard-tools `wg`): `wg show all dump`, and the human `wg show`.

Every peer of every interface is one tunnel of type wireguard, named `INTERFACE:PUBLIC_KEY`.
The whole key, not a prefix: it is the peer's only identity (allowed-ips change and may be
empty), it is what `wg set INTERFACE peer KEY ...` needs, and prefixes do collide (two
redacted keys in the corpus share their first 8 characters).

WireGuard keeps no session state to report: a peer is UP while its latest handshake is
younger than the handshake timeout, else DOWN (never: the latest handshake is 0). Sessions
are renewed every 120 s while traffic flows (REKEY_AFTER_TIME in the WireGuard paper), so
DEFAULT_HANDSHAKE_TIMEOUT leaves one missed renewal of slack; apply_options() applies the
task's wireguard_handshake_timeout.

The model's IKE part is for IPsec only, so each tunnel has one child named like the interface
that carries the peer's traffic: remote_ts = allowed-ips, bytes_in/out = transfer rx/tx, and
last_in_seconds = the age of the latest handshake. The endpoint goes to status_message.
The dump gives the handshake as a Unix time; its age is taken against this host's clock
when parsing (parse's `now`), so a device clock ahead of ours reads as a handshake just now.
"""

from __future__ import annotations

import re
import time

from ansible_collections.vpnops.tunnels.plugins.module_utils import model
from ansible_collections.vpnops.tunnels.plugins.module_utils.parsers.common import (
    fail,
    nonempty_lines,
    scaled_size,
)

PLATFORM = "wireguard"
COMMANDS = ("wg show all dump", "wg show")

DEFAULT_HANDSHAKE_TIMEOUT = 180

# wireguard-tools src/show.c: a peer's handshake decides its link state (see module doc)
LINK_STATES = {True: "UP", False: "DOWN"}
CHILD_STATES = {True: "INSTALLED", False: "DOWN"}

_NONE = "(none)"   # dump and `wg show` print this for an absent endpoint, key or allowed-ips
_WG_ERROR = re.compile(
    r"^(Unable to (access|list) interface.*|Invalid parameter.*|Usage: .*|.*: command not found"
    r"|sudo: .*|.*: Permission denied|Operation not permitted)$")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")   # `wg show` colours its output on a terminal


def command_key(command):
    """`wg show all dump`, and `wg` / `wg show [all|INTERFACE]` in the human form.

    Refused on purpose: `wg show INTERFACE dump` (its lines lack the interface name),
    `wg show ... FIELD` (one field, e.g. latest-handshakes, is not a peer's state),
    `wg show interfaces` and `wg showconf` (names and configuration only).
    """
    words = (command or "").split("|", 1)[0].split()
    tool = next((index for index, word in enumerate(words) if word.rsplit("/", 1)[-1] == "wg"), None)
    if tool is None:
        return None
    rest = words[tool + 1:]
    if rest[:1] not in ([], ["show"]):
        return None
    arguments = rest[1:]
    if arguments == ["all", "dump"]:
        return "wg show all dump"
    if len(arguments) <= 1 and arguments != ["interfaces"]:
        return "wg show"
    return None


def parse(key, text, now=None):
    """Tunnels of every peer; `now` (Unix time) judges handshake ages, default this host's clock."""
    now = time.time() if now is None else now
    lines = _meaningful_lines(key, text)
    peers = _read_dump(key, lines, now) if key == "wg show all dump" else _read_pretty(key, lines)
    return [_tunnel(peer, DEFAULT_HANDSHAKE_TIMEOUT) for peer in peers]


def merge(parts):
    """Peers by name; the dump's exact numbers win over the rounded human form."""
    tunnels = {}
    for key, parsed in sorted(parts, key=lambda part: part[0] == "wg show all dump"):
        for tunnel in parsed:
            if key == "wg show all dump" or tunnel["name"] not in tunnels:
                tunnels[tunnel["name"]] = tunnel
    return list(tunnels.values())


# The dump prints the interface's private key and the peers' preshared keys in clear. They
# are no tunnel state and must not reach raw outputs or logs: awk blanks them on the device.
HIDE_SECRETS = ("awk -F'\\t' -v OFS='\\t' 'NF == 5 { $2 = \"(hidden)\" } "
                "NF == 9 && $3 != \"(none)\" { $3 = \"(hidden)\" } 1'")


def gather_commands(options):
    """The dump (every interface and peer, handshakes as Unix times), its secrets blanked."""
    return ["wg show all dump | %s" % HIDE_SECRETS]


def apply_options(tunnels, options):
    """Judge the peers again by the task's wireguard_handshake_timeout (default 180 s).

    parse() has no options, so it uses DEFAULT_HANDSHAKE_TIMEOUT; the handshake age it keeps
    in each child's last_in_seconds is all this needs.
    """
    timeout = options.get("wireguard_handshake_timeout") or DEFAULT_HANDSHAKE_TIMEOUT
    for tunnel in tunnels:
        if tunnel["type"] == "wireguard":
            _set_state(tunnel, tunnel["children"][0]["last_in_seconds"], timeout)
    return tunnels


# --- reading ------------------------------------------------------------------------------------

def _meaningful_lines(key, text):
    lines = []
    for number, line in nonempty_lines(text):
        line = _ANSI.sub("", line)
        if _WG_ERROR.match(line.strip()):
            fail(PLATFORM, key, "wg output, but wg reported an error: %s" % line.strip(), number, line)
        lines.append((number, line))
    return lines


def _new_peer(interface, public_key):
    """wg leaves out what is empty: no transfer line means 0 bytes either way."""
    return {"interface": interface, "public_key": public_key, "endpoint": None,
            "allowed_ips": [], "age": None, "rx": 0, "tx": 0}


def _read_dump(key, lines, now):
    """Tab separated: an interface line has 4 fields after its name, a peer line 8.

    interface: private-key public-key listen-port fwmark
    peer:      public-key preshared-key endpoint allowed-ips latest-handshake rx tx keepalive
    """
    peers = []
    for number, line in lines:
        fields = line.rstrip("\n").split("\t")
        if len(fields) == 5:
            _number(key, fields[3], "a listen port", number, line)
            continue
        if len(fields) != 9:
            fail(PLATFORM, key, "tab-separated interface (5 fields) or peer (9 fields) lines", number, line)
        peer = _new_peer(fields[0], fields[1])
        peer["endpoint"] = None if fields[3] == _NONE else fields[3]
        peer["allowed_ips"] = [] if fields[4] == _NONE else fields[4].split(",")
        handshake = _number(key, fields[5], "the latest handshake as a Unix time", number, line)
        peer["age"] = max(0, int(now) - handshake) if handshake else None
        peer["rx"] = _number(key, fields[6], "received bytes", number, line)
        peer["tx"] = _number(key, fields[7], "sent bytes", number, line)
        peers.append(peer)
    return peers


def _number(key, text, what, number, line):
    if not text.isdigit():
        fail(PLATFORM, key, "%s, a whole number" % what, number, line)
    return int(text)


_PRETTY_SECTION = re.compile(r"^(?P<what>interface|peer): (?P<name>\S.*?)\s*$")
_PRETTY_ITEM = re.compile(r"^\s+(?P<key>[a-z ]+): (?P<value>.*?)\s*$")


def _read_pretty(key, lines):
    """`interface: NAME` and `peer: KEY` sections, each with indented `key: value` lines."""
    peers, interface, peer = [], None, None
    for number, line in lines:
        section = _PRETTY_SECTION.match(line)
        if section and section.group("what") == "interface":
            interface, peer = section.group("name"), None
        elif section:
            if interface is None:
                fail(PLATFORM, key, "'interface: NAME' before its peers", number, line)
            peer = _new_peer(interface, section.group("name"))
            peers.append(peer)
        else:
            item = _PRETTY_ITEM.match(line)
            if item is None or interface is None:
                fail(PLATFORM, key, "'interface:', 'peer:' or an indented 'key: value' line", number, line)
            if peer is not None:
                _read_pretty_item(key, peer, item.group("key"), item.group("value"), number, line)
    return peers


def _read_pretty_item(key, peer, name, value, number, line):
    """Peer lines this parser knows; others (keys, keepalive, new fields) carry no state."""
    if name == "endpoint":
        peer["endpoint"] = value
    elif name == "allowed ips":
        peer["allowed_ips"] = [] if value == _NONE else [ip.strip() for ip in value.split(",")]
    elif name == "latest handshake":
        peer["age"] = _pretty_age(key, value, number, line)
    elif name == "transfer":
        peer["rx"], peer["tx"] = _pretty_transfer(key, value, number, line)


_DURATION_PART = re.compile(r"^(?P<amount>\d+) (?P<unit>year|day|hour|minute|second)s?$")
_SECONDS_PER = {"year": 365 * 86400, "day": 86400, "hour": 3600, "minute": 60, "second": 1}


def _pretty_age(key, value, number, line):
    """'1 day, 14 hours, 5 minutes, 46 seconds ago'; 'Now'; a handshake in the future (wg:
    'System clock wound backward') counts as just now, as with the dump."""
    if value == "Now" or "clock wound backward" in value:
        return 0
    if not value.endswith(" ago"):
        fail(PLATFORM, key, "'N units, ... ago' as the latest handshake", number, line)
    seconds = 0
    for part in value[:-len(" ago")].split(", "):
        match = _DURATION_PART.match(part)
        if match is None:
            fail(PLATFORM, key, "'N years|days|hours|minutes|seconds' in the latest handshake", number, line)
        seconds += int(match.group("amount")) * _SECONDS_PER[match.group("unit")]
    return seconds


_TRANSFER = re.compile(r"^(?P<rx>[\d.]+) (?P<rx_unit>[KMGT]?i?B) received, (?P<tx>[\d.]+) (?P<tx_unit>[KMGT]?i?B) sent$")
_UNITS = ("B", "KiB", "MiB", "GiB", "TiB")   # the units wg prints (binary)


def _pretty_transfer(key, value, number, line):
    """'1.24 MiB received, 1.18 MiB sent': wg rounds to 2 decimals, so these are approximate."""
    match = _TRANSFER.match(value)
    if match is None or match.group("rx_unit") not in _UNITS or match.group("tx_unit") not in _UNITS:
        fail(PLATFORM, key, "'AMOUNT UNIT received, AMOUNT UNIT sent' as the transfer", number, line)
    return (scaled_size(match.group("rx"), match.group("rx_unit"), lower_bound=False),
            scaled_size(match.group("tx"), match.group("tx_unit"), lower_bound=False))


# --- model --------------------------------------------------------------------------------------

def _tunnel(peer, timeout):
    name = "%s:%s" % (peer["interface"], peer["public_key"])
    tunnel = model.new_tunnel(name, "wireguard")
    tunnel["configured"] = True
    child = model.new_child(peer["interface"])
    child.update(configured=True, remote_ts=peer["allowed_ips"], bytes_in=peer["rx"],
                 bytes_out=peer["tx"], last_in_seconds=peer["age"])
    tunnel["children"].append(child)
    tunnel["status_message"] = "endpoint %s; %s" % (
        peer["endpoint"] or "none",
        "no handshake yet" if peer["age"] is None else "latest handshake %d s ago" % peer["age"])
    _set_state(tunnel, peer["age"], timeout)
    return tunnel


def _set_state(tunnel, age, timeout):
    is_up = age is not None and age < timeout
    tunnel["state"] = LINK_STATES[is_up]
    tunnel["children"][0]["state"] = CHILD_STATES[is_up]


def reset_commands(target, options=None):
    """Re-handshake of one peer for a validated reset target (reset.py), named
    INTERFACE:PUBLIC_KEY: save the interface's configuration, remove the peer, add the saved
    configuration back (wg has no per-peer re-handshake; an equal endpoint keeps the session).
    """
    import shlex

    from ansible_collections.vpnops.tunnels.plugins.module_utils.reset import unsupported

    name = target["child"] or target["name"]
    if not name or ":" not in name:
        raise unsupported(PLATFORM, target, "a peer is reset by its name INTERFACE:PUBLIC_KEY")
    interface, public_key = (shlex.quote(part) for part in name.split(":", 1))
    return ["c=$(wg showconf {interface}) && wg set {interface} peer {public_key} remove"
            " && printf '%s\\n' \"$c\" | wg addconf {interface} /dev/stdin".format(
                interface=interface, public_key=public_key)]

# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One device's tunnel reset, start to end: read the device, plan (module_utils.reset_plan),
build every command before sending any, reset, then read again until the tunnels are
OPERATIONAL or the deadline passes.

No Ansible here beyond the collection's own code, and no state between calls, so the
vpn_reset action plugin runs it per host and a fleet mode could run it from threads.
"""

from __future__ import annotations

import time

from ansible_collections.vpnops.tunnels.plugins.module_utils import gather, parsers, reset, reset_plan
from ansible_collections.vpnops.tunnels.plugins.module_utils.errors import (
    VpnConfigError,
    VpnTransportError,
)
from ansible_collections.vpnops.tunnels.plugins.module_utils.transport import Session
from ansible_collections.vpnops.tunnels.plugins.plugin_utils import health, redundancy

OPERATIONAL = health.OPERATIONAL

# What a reset request holds besides the targets (the vpn_reset options), with defaults.
DEFAULT_REQUEST = {
    "name": [],
    "peer": [],
    "sa_id": None,
    "all": False,
    "scope": "tunnel",
    "child": None,
    "force": False,
    "wait_timeout": 60,
    "poll_interval": 2,
    "maintenance_window": None,
    "health": {},
    "redundancy": {},
}


def targets_of(request):
    """The request's targets as reset target dicts, each validated (reset.validate_target)."""
    common = {"scope": request["scope"], "child": request["child"]}
    targets = [dict(common, name=name) for name in request["name"] or ()]
    targets += [dict(common, peer=peer) for peer in request["peer"] or ()]
    if request["sa_id"] is not None:
        targets.append(dict(common, sa_id=request["sa_id"]))
    if request["all"]:
        if targets:
            raise VpnConfigError("all: true resets every tunnel of the device; do not combine"
                                 " it with name, peer or sa_id")
        targets.append(dict(common, all=True))
    if not targets:
        raise VpnConfigError("nothing to reset: give name, peer, sa_id or all: true")
    return [reset.validate_target(target) for target in targets]


def unit_verdicts(facts, limits, host):
    """Unit name -> verdict dict: each tunnel's best verdict (health.device_verdicts), and
    each OpenVPN client's (connected or not)."""
    verdicts = reset_plan.best_verdicts(health.device_verdicts(facts, limits, host))
    for unit in reset_plan.reset_units(facts):
        if "openvpn_client" in unit:
            verdicts[unit["name"]] = reset_plan.client_verdict(unit)
    return verdicts


def redundant_sets(host, facts, verdicts, fleet, rules, limits):
    """The redundancy sets the guard checks: this host's fresh facts and verdicts, the other
    hosts' facts as the play holds them. fleet: inputs.Device list of the play's hosts;
    rules: {groups, by_remote_network} as in the audit policy."""
    by_remote_network = rules.get("by_remote_network", True)
    entries = []
    devices = [device for device in fleet if device.host != host]
    for device in devices:
        if device.facts is not None:
            other = health.device_verdicts(device.facts, limits, device.host)
            entries.extend(redundancy.entries_of(device.host, device.tunnels, other,
                                                 by_remote_network))
    tunnels = facts.get("tunnels") or []
    mine = [verdicts.get(tunnel.get("name")) or health.tunnel_verdict(tunnel, limits, host)
            for tunnel in tunnels]
    entries.extend(redundancy.entries_of(host, tunnels, mine, by_remote_network))
    declared = redundancy.declared_sets(rules.get("groups"), fleet)
    known = [device.host for device in devices if device.facts is not None] + [host]
    return redundancy.build_sets(entries, declared, by_remote_network, hosts_with_facts=known)


def unit_commands(platform, unit, request, options):
    """The commands that reset one unit. Platforms name tunnels differently from how their
    CLI selects them (IOS and RouterOS by peer address, SRX by peer or SA index), so the
    unit's name, then its remote address, then its IKE SA id are tried in that order."""
    children = []  # for platforms that bring a tunnel back child by child (strongSwan)
    for child in unit.get("children") or ():
        if reset.is_plain_name(child.get("name")) and child["name"] not in children:
            children.append(child["name"])
    scope = {"scope": request["scope"], "child": request["child"], "children": children}
    parser = parsers.parser_for(platform)
    own = getattr(parser, "unit_reset_commands", None)  # a unit the platform resets its own way
    found = own(unit, options) if own is not None else None
    if found:
        return found
    if hasattr(parser, "reset_name"):  # the CLI names it differently from the facts (PAN-OS)
        candidates = [{"name": parser.reset_name(unit, request["scope"])}]
    else:
        candidates = [{"name": unit.get("name")}]
    if "openvpn_client" not in unit:
        candidates += [{"peer": reset_plan.remote_address(unit)},
                       {"sa_id": reset_plan.ike_sa_id(unit)}]
    problems = []
    for candidate in candidates:
        if next(iter(candidate.values())) is None:
            continue
        try:
            return reset.reset_commands(platform, dict(scope, **candidate), options)
        except VpnConfigError as error:
            problems.append(str(error))
    raise VpnConfigError("cannot reset %s on %s: %s" % (
        unit.get("name"), platform, "; ".join(problems) or "it has no name, address or SA id"))


def _unit_state(unit, verdict):
    """What the result shows of one unit at one moment."""
    if unit is None:
        return {"state": "ABSENT", "verdict": health.DOWN, "reasons": ["not on the device"],
                "ike_sa_id": None, "spis": []}
    if "openvpn_client" in unit:
        client = unit["openvpn_client"]
        return {"state": client.get("state"), "verdict": verdict["verdict"],
                "reasons": verdict["reasons"], "ike_sa_id": None, "spis": [],
                "connected_since": client.get("connected_since")}
    ike = unit.get("ike") or {}
    spis = [{"child": child.get("name"), "state": child.get("state"),
             "spi_in": child.get("spi_in"), "spi_out": child.get("spi_out")}
            for child in unit.get("children") or ()]
    return {"state": unit.get("state"), "verdict": verdict["verdict"],
            "reasons": verdict["reasons"], "ike_sa_id": ike.get("sa_id"), "spis": spis}


def _states(facts, names, verdicts):
    """name -> state of each named unit (the first SA of a name, as vpn_facts lists them)."""
    units = reset_plan.units_by_name(facts)
    return {name: _unit_state(units.get(name), verdicts.get(name) or {
        "verdict": health.DOWN, "reasons": ["not on the device"]}) for name in names}


def _described(name, state):
    if state is None:  # the device could not be read after the reset
        return "%s could not be read again" % name
    return "%s is %s (%s)" % (name, state["state"], "; ".join(state["reasons"]))


def _diff(before, after, note):
    def text(states):
        return "".join("%s: %s %s\n" % (name, state["state"], state["verdict"])
                       for name, state in states.items())
    return {"before_header": "tunnels before the reset", "before": text(before),
            "after_header": "tunnels after the reset (%s)" % note, "after": text(after)}


class ResetRun:
    """One device's reset. run() returns the result dict vpn_reset documents."""

    def __init__(self, spec, platform, host, options, request, fleet=(), check_mode=False,
                 clock=time.monotonic, sleep=time.sleep, now=None):
        self.spec = spec
        self.platform = platform
        self.host = host
        self.options = gather.with_defaults(options)
        self.request = dict(DEFAULT_REQUEST, **{k: v for k, v in request.items() if v is not None})
        self.fleet = list(fleet)
        self.check_mode = check_mode
        self.clock, self.sleep, self.now = clock, sleep, now
        self.limits = health.thresholds(self.request["health"])

    def run(self):
        targets = targets_of(self.request)  # validated before anything is sent or opened
        window = self.request["maintenance_window"]
        if window is not None:
            opening = reset_plan.window_state(window, self.now)
            if not opening["open"]:
                return self._outside_window(targets, opening["opens_at"])
        started = self.clock()
        with Session(self.spec) as session:
            before, _outputs = gather.read_device(session, self.platform, self.options, self.host)
            verdicts = unit_verdicts(before, self.limits, self.host)
            sets = redundant_sets(self.host, before, verdicts, self.fleet,
                                  self.request["redundancy"], self.limits)
            plan = reset_plan.plan_resets(self.host, before, targets, verdicts, sets,
                                          force=self.request["force"])
            units = reset_plan.units_by_name(before)
            commands = [(name, unit_commands(self.platform, units[name], self.request,
                                             self.options)) for name in plan["reset"]]
            result = self._result(plan, commands)
            states_before = _states(before, plan["reset"], verdicts)
            if self.check_mode or not plan["reset"]:
                result["tunnels"] = [{"name": name, "before": state, "after": None,
                                      "back": None, "seconds": None}
                                     for name, state in states_before.items()]
                result["diff"] = _diff(states_before, {
                    name: {"state": "RESET", "verdict": "expected OPERATIONAL"}
                    for name in plan["reset"]}, "check mode: predicted")
                return result
            result["sent"] = []
            for name, unit_command_list in commands:
                for command in unit_command_list:
                    result["sent"].append({"tunnel": name, "command": command,
                                           "output": session.run(command)})
            sent_at = self.clock()
            after, after_verdicts, back_at = self._verify(session, plan["reset"], sent_at)
        states_after = _states(after, plan["reset"], after_verdicts) if after else {}
        waited = self.request["wait_timeout"] > 0
        result["tunnels"] = [{
            "name": name, "before": states_before[name],
            "after": states_after.get(name),
            "back": (name in back_at) if waited else None,
            "seconds": round(back_at[name] - sent_at, 1) if name in back_at else None,
        } for name in plan["reset"]]
        result["duration_seconds"] = round(self.clock() - started, 1)
        if waited:
            result["diff"] = _diff(states_before, states_after, "verified")
            missing = [t["name"] for t in result["tunnels"] if not t["back"]]
            if missing:
                result["failed"] = True
                result["msg"] = ("reset sent, but %s did not come back OPERATIONAL within %d s: %s"
                                 % ("1 tunnel" if len(missing) == 1 else "%d tunnels" % len(missing),
                                    self.request["wait_timeout"], ", ".join(
                                        _described(name, states_after.get(name)) for name in missing)))
            else:
                result["msg"] = "reset %s; all back OPERATIONAL" % ", ".join(plan["reset"])
        else:
            result["msg"] = "reset %s; not verified (wait_timeout is 0)" % ", ".join(plan["reset"])
        return result

    def _verify(self, session, names, sent_at):
        """Read the device every poll_interval until every reset unit is OPERATIONAL or
        wait_timeout passes. Returns (last facts read, their unit verdicts, {name: clock time
        it was first back})."""
        wait = self.request["wait_timeout"]
        if wait <= 0:
            return None, {}, {}
        deadline = sent_at + wait
        back_at = {}
        facts, verdicts = None, {}
        while True:
            self.sleep(max(0.0, min(self.request["poll_interval"], deadline - self.clock())))
            read = self._read_again(session)
            if read is not None:
                facts, verdicts = read, unit_verdicts(read, self.limits, self.host)
                now = self.clock()
                for name in names:
                    if name not in back_at and (verdicts.get(name) or {}).get("verdict") == OPERATIONAL:
                        back_at[name] = now
            if len(back_at) == len(names) or self.clock() >= deadline:
                return facts, verdicts, back_at

    def _read_again(self, session):
        """The device's facts now, or None while it cannot be read (a reset may cut the
        session it was sent over; the next poll logs in again)."""
        try:
            if session.broken or session.connection is None:
                session.reopen()
            return gather.read_device(session, self.platform, self.options, self.host)[0]
        except VpnTransportError:
            session.broken = True
            return None

    def _result(self, plan, commands):
        return {
            "changed": bool(plan["reset"]),
            "platform": self.platform,
            "check_mode": self.check_mode,
            "reset": plan["reset"],
            "healthy_untouched": plan["healthy_untouched"],
            "refused": plan["refused"],
            "outside_window": None,
            "warnings": plan["warnings"],
            "commands": [{"tunnel": name, "commands": list(found)} for name, found in commands],
            "msg": self._plan_message(plan),
        }

    @staticmethod
    def _plan_message(plan):
        parts = []
        if plan["reset"]:
            parts.append("would reset %s" % ", ".join(plan["reset"]))
        if plan["healthy_untouched"]:
            parts.append("left %s alone (OPERATIONAL; force: true resets it anyway)"
                         % ", ".join(plan["healthy_untouched"]))
        for refusal in plan["refused"]:
            parts.append("refused: %s" % refusal["reason"])
        return "; ".join(parts) or "nothing selected"

    def _outside_window(self, targets, opens_at):
        names = [t["name"] or t["peer"] or t["sa_id"] or "all" for t in targets]
        return {"changed": False, "platform": self.platform, "check_mode": self.check_mode,
                "reset": [], "healthy_untouched": [], "refused": [],
                "outside_window": {"opens_at": opens_at, "targets": names},
                "warnings": [], "commands": [], "tunnels": [],
                "msg": "outside the maintenance window: nothing was reset or read; the window"
                       " opens at %s" % opens_at}

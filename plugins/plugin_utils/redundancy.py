# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Redundant sets of tunnels and whether each still is redundant.

A set is either declared (a name and its members as (host, tunnel) pairs, from the filter's
``groups`` option, the policy's ``redundancy.groups`` or the host variable ``vpn_redundancy``:
tunnel name -> set name), or found: tunnels of any host that reach the same remote networks
(the sorted union of their children's remote traffic selectors; 0.0.0.0/0 and ::/0 say
nothing about where a tunnel goes and are left out, so route-based tunnels are only grouped
when declared). A tunnel in a declared set is not grouped again.

Status: ``redundant`` with two or more members OPERATIONAL, ``down`` with no member up
(OPERATIONAL or DEGRADED), ``at_risk`` otherwise (one failure from an outage). A reset or
maintenance must not take the last member that is up (``up`` counts them).
"""

from __future__ import annotations

from ansible_collections.vpnops.tunnels.plugins.plugin_utils import health

REDUNDANT = "redundant"
AT_RISK = "at_risk"
DOWN = "down"
STATUSES = (REDUNDANT, AT_RISK, DOWN)

ANY_NETWORK = frozenset(("0.0.0.0/0", "::/0", "0.0.0.0/0.0.0.0"))
_UP = (health.OPERATIONAL, health.DEGRADED)


def remote_key(tunnel):
    """The tunnel's remote networks, sorted and joined with commas; None when it names none."""
    children = tunnel.get("children") or ()
    if len(children) == 1:  # the common case, without building a set
        selectors = children[0].get("remote_ts") or ()
        if len(selectors) == 1:
            return None if selectors[0] in ANY_NETWORK else selectors[0]
    networks = set()
    for child in children:
        networks.update(child.get("remote_ts") or ())
    networks -= ANY_NETWORK
    return ",".join(sorted(networks)) or None


def _member(host, name, verdict):
    return {"host": host, "tunnel": name, "present": True, "verdict": verdict["verdict"],
            "state": verdict["state"], "reasons": verdict["reasons"]}


def _absent_member(host, name, verdict, reason):
    return {"host": host, "tunnel": name, "present": False, "verdict": verdict, "state": None,
            "reasons": [reason]}


def _status(members):
    operational = sum(1 for member in members if member["verdict"] == health.OPERATIONAL)
    up = sum(1 for member in members if member["verdict"] in _UP)
    status = REDUNDANT if operational >= 2 else DOWN if up == 0 else AT_RISK
    return operational, up, status


def _set(name, source, key, members):
    operational, up, status = _status(members)
    return {"name": name, "source": source, "key": list(key) if key else None,
            "members": members, "total": len(members), "operational": operational, "up": up,
            "status": status}


def entries_of(host, tunnels, verdicts, by_remote_network=True):
    """build_sets() entries of one host's tunnels and their verdicts."""
    for tunnel, verdict in zip(tunnels, verdicts):
        yield host, verdict["name"], verdict, remote_key(tunnel) if by_remote_network else None


def build_sets(entries, declared=None, by_remote_network=True, include_single=False,
               hosts_with_facts=None):
    """Redundant sets from entries [(host, tunnel name, verdict, remote key), ...] (see
    entries_of()); several SAs of one tunnel name on a host are one member with the best verdict
    (and the first SA's networks).

    declared: {set name: [(host, tunnel name), ...]}, in the order to report them.
    hosts_with_facts: hosts whose facts were read (a declared member on another host is
    reported UNKNOWN, one missing from a host with facts DOWN); default: hosts in entries.
    """
    declared = declared or {}
    taken = {(host, name) for members in declared.values() for host, name in members}
    best = {}
    remember = best.setdefault
    groups = {}
    rank = health.VERDICT_RANK
    for host, name, verdict, key in entries:
        ident = (host, name)
        known = remember(ident, verdict)
        if known is verdict:  # the tunnel's first SA
            if key is not None and by_remote_network and not (taken and ident in taken):
                group = groups.get(key)
                if group is None:
                    groups[key] = [ident]
                else:
                    group.append(ident)
        elif rank[verdict["verdict"]] < rank[known["verdict"]]:
            best[ident] = verdict
    known_hosts = set(hosts_with_facts) if hosts_with_facts is not None else {
        host for host, _name in best}
    sets = []
    for name, members in declared.items():
        listed = []
        for host, tunnel_name in members:
            verdict = best.get((host, tunnel_name))
            if verdict is not None:
                listed.append(_member(host, tunnel_name, verdict))
            elif host in known_hosts:
                listed.append(_absent_member(host, tunnel_name, health.DOWN,
                                             "tunnel not on the device"))
            else:
                listed.append(_absent_member(host, tunnel_name, health.UNKNOWN,
                                             "no VPN facts for this host"))
        sets.append(_set(name, "declared", None, listed))
    found = sorted(key for key, idents in groups.items() if len(idents) >= 2 or include_single)
    for key in found:
        sets.append(_set(key, "remote_network", key.split(","), [
            _member(host, name, best[(host, name)]) for host, name in groups[key]]))
    return sets


def declared_sets(groups=None, devices=()):
    """Declared sets from a {set: [[host, tunnel] | {host, tunnel}, ...]} mapping and the
    host variable convention (Device.redundancy: tunnel name -> set name)."""
    declared = {}
    for name, members in (groups or {}).items():
        declared[str(name)] = [_pair(name, member) for member in members]
    for device in devices:
        for tunnel_name, set_name in device.redundancy.items():
            members = declared.setdefault(str(set_name), [])
            if (device.host, tunnel_name) not in members:
                members.append((device.host, tunnel_name))
    return declared


def _pair(name, member):
    if isinstance(member, dict) or hasattr(member, "keys"):
        if set(member) != {"host", "tunnel"}:
            raise ValueError("redundancy set %s: a member dict needs exactly host and tunnel,"
                             " got %s" % (name, ", ".join(sorted(map(str, member)))))
        return str(member["host"]), str(member["tunnel"])
    if isinstance(member, (list, tuple)) and len(member) == 2:
        return str(member[0]), str(member[1])
    raise ValueError("redundancy set %s: members are [host, tunnel] pairs or {host, tunnel}"
                     " dicts, got %r" % (name, member))

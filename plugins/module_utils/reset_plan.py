# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tunnel reset, the decisions: which tunnels a target selects, whether the maintenance
window is open, and which selected tunnels may be reset (idempotence and redundancy guard).

Pure functions, no I/O. Health verdicts and redundant sets are inputs (computed on the
controller by plugin_utils.health and plugin_utils.redundancy), so a module can run without
plugin_utils: a verdict is a dict with at least ``verdict`` (OPERATIONAL, DEGRADED, DOWN or
UNKNOWN) and ``reasons``; a redundant set is a dict with ``name`` and ``members``
[{host, tunnel, verdict}, ...], as tunnel_redundancy returns them.
"""

from __future__ import annotations

import datetime
import ipaddress
import re

from ansible_collections.vpnops.tunnels.plugins.module_utils.errors import VpnConfigError
from ansible_collections.vpnops.tunnels.plugins.module_utils.reset import (
    target_kind, validate_target)

OPERATIONAL = "OPERATIONAL"
DEGRADED = "DEGRADED"
DOWN = "DOWN"
UNKNOWN = "UNKNOWN"
VERDICT_RANK = {OPERATIONAL: 0, UNKNOWN: 1, DEGRADED: 2, DOWN: 3}  # as plugin_utils.health

WINDOW_FIELDS = ("start", "end", "timezone")
CLOCK_PATTERN = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])\Z")


# --- selection -----------------------------------------------------------------------------

def reset_units(facts):
    """What can be reset on the device, in facts order: each tunnel, except that an OpenVPN
    server is reset client by client (the management interface kills one client), so its
    clients stand in for it, named by common name."""
    units = []
    for tunnel in (facts or {}).get("tunnels") or ():
        detail = tunnel.get("openvpn") or {}
        if tunnel.get("type") == "openvpn" and detail.get("role") == "server":
            units.extend(_client_unit(tunnel, client) for client in detail.get("clients") or ())
        else:
            units.append(tunnel)
    return units


def _client_unit(server, client):
    return {"name": client.get("common_name"), "type": "openvpn", "server": server.get("name"),
            "openvpn_client": client, "children": []}


def client_verdict(unit):
    """The verdict of an OpenVPN client unit: OPERATIONAL while connected, else DOWN."""
    client = unit["openvpn_client"]
    state = client.get("state")
    if state == "CONNECTED":
        return {"name": unit["name"], "verdict": OPERATIONAL, "state": state,
                "reasons": ["client connected to server %s" % unit["server"]]}
    return {"name": unit["name"], "verdict": DOWN, "state": state,
            "reasons": ["client %s on server %s" % (state or "not connected", unit["server"])]}


def remote_address(unit):
    """The unit's remote address, normalized, or None."""
    if "openvpn_client" in unit:
        address = unit["openvpn_client"].get("real_address")
    else:
        address = ((unit.get("ike") or {}).get("remote") or {}).get("address")
    if not address:
        return None
    try:
        return str(ipaddress.ip_address(str(address).split("%", 1)[0]))
    except ValueError:
        return None


def ike_sa_id(unit):
    sa_id = (unit.get("ike") or {}).get("sa_id")
    return None if sa_id is None else str(sa_id)


def units_by_name(facts):
    """Unit name -> the first unit of that name (several SAs of one tunnel share a name)."""
    found = {}
    for unit in reset_units(facts):
        found.setdefault(unit.get("name"), unit)
    return found


def _names(units):
    names = []
    for unit in units:
        if unit.get("name") not in names:
            names.append(unit.get("name"))
    return names


def _targets(target):
    """One target dict or a list of them, each validated."""
    targets = target if isinstance(target, (list, tuple)) else [target]
    if not targets:
        raise VpnConfigError("invalid reset target: give name, peer, sa_id or all")
    return [validate_target(one) for one in targets]


def select_tunnels(facts, target):
    """The units (reset_units) that the target, or a list of targets, selects, in facts
    order. Each target is validated first (reset.validate_target); a name, peer or sa_id that
    matches nothing is a VpnConfigError listing what the device has; ``all`` on a device
    without tunnels selects nothing."""
    units = reset_units(facts)
    chosen = set()
    for valid in _targets(target):
        chosen.update(id(unit) for unit in _select(units, valid))
    return [unit for unit in units if id(unit) in chosen]


def _select(units, valid):
    kind = target_kind(valid)
    if kind == "all":
        selected = units
    elif kind == "name":  # an OpenVPN server's name selects its clients
        selected = [u for u in units if valid["name"] in (u.get("name"), u.get("server"))]
    elif kind == "peer":
        selected = [u for u in units if remote_address(u) == valid["peer"]]
    else:
        selected = [u for u in units if ike_sa_id(u) == valid["sa_id"]]
    if kind != "all" and not selected:
        names = [str(name) for name in _names(units)]
        raise VpnConfigError("unknown reset target: no tunnel on this device has %s %r; the"
                             " device's tunnels are: %s" % (
                                 {"name": "name", "peer": "remote peer address",
                                  "sa_id": "IKE SA id"}[kind], valid[kind],
                                 ", ".join(names) if names else "(none)"))
    if valid["child"] is not None:
        with_child = [u for u in selected
                      if any(c.get("name") == valid["child"] for c in u.get("children") or ())]
        if not with_child:
            children = sorted({str(c.get("name")) for u in selected
                               for c in u.get("children") or ()})
            raise VpnConfigError("unknown reset target child %r: the selected tunnels' child"
                                 " SAs are: %s" % (valid["child"],
                                                   ", ".join(children) or "(none)"))
        selected = with_child
    return selected


# --- maintenance window --------------------------------------------------------------------

def _zone(name):
    try:
        import zoneinfo  # pylint: disable=import-outside-toplevel
    except ImportError:  # Python < 3.9 on the managed node
        raise VpnConfigError("maintenance_window timezone %r: this Python has no zoneinfo"
                             " module (Python 3.9 or later is needed)" % (name,)) from None
    if not isinstance(name, str) or not name or name.startswith("/") or ".." in name:
        raise VpnConfigError("invalid maintenance_window timezone %r: expected an IANA time"
                             " zone name such as Europe/Berlin or UTC" % (name,))
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise VpnConfigError("invalid maintenance_window timezone %r: expected an IANA time"
                             " zone name such as Europe/Berlin or UTC" % (name,)) from None


def _clock(field, value):
    match = CLOCK_PATTERN.match(value) if isinstance(value, str) else None
    if not match:
        raise VpnConfigError("invalid maintenance_window %s %r: expected a time HH:MM"
                             " (00:00 to 23:59)" % (field, value))
    return datetime.time(int(match.group(1)), int(match.group(2)))


def _validate_window(window):
    if not isinstance(window, dict):
        raise VpnConfigError("invalid maintenance_window %r: expected a dict with start, end"
                             " and timezone" % (window,))
    unknown = sorted(set(window) - set(WINDOW_FIELDS), key=str)
    if unknown:
        raise VpnConfigError("invalid maintenance_window field %r: expected start, end and"
                             " timezone" % (unknown[0],))
    for field in WINDOW_FIELDS:
        if window.get(field) is None:
            raise VpnConfigError("invalid maintenance_window: %s is missing" % field)
    start = _clock("start", window["start"])
    end = _clock("end", window["end"])
    if start == end:
        raise VpnConfigError("invalid maintenance_window end %r: it equals start, so the"
                             " window would be empty" % (window["end"],))
    return start, end, _zone(window["timezone"])


def _utc_iso(moment):
    stamp = moment.astimezone(datetime.timezone.utc).replace(microsecond=0)
    return stamp.isoformat().replace("+00:00", "Z")


def window_state(window, now=None):
    """{"open": bool, "opens_at": ISO 8601 UTC of the next start, or None when open}.
    window: {start: "HH:MM", end: "HH:MM", timezone: IANA name}; start is inside the
    window, end is not; end before start crosses midnight. now: an aware datetime (a naive
    one is taken as UTC), default the current time."""
    start, end, zone = _validate_window(window)
    if now is None:
        now = datetime.datetime.now(datetime.timezone.utc)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=datetime.timezone.utc)
    local = now.astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    if start < end:
        is_open = start <= clock < end
    else:
        is_open = clock >= start or clock < end
    if is_open:
        return {"open": True, "opens_at": None}
    day = local.date() if clock < start else local.date() + datetime.timedelta(days=1)
    opens = datetime.datetime.combine(day, start, tzinfo=zone)
    return {"open": False, "opens_at": _utc_iso(opens)}


# --- the plan ------------------------------------------------------------------------------

def best_verdicts(verdicts):
    """tunnel name -> verdict dict; a list (device_verdicts) keeps each name's best verdict."""
    if isinstance(verdicts, dict):
        return verdicts
    found = {}
    for verdict in verdicts or ():
        known = found.get(verdict.get("name"))
        if known is None or _rank(verdict) < _rank(known):
            found[verdict.get("name")] = verdict
    return found


def _rank(verdict):
    return VERDICT_RANK.get(verdict.get("verdict"), VERDICT_RANK[UNKNOWN])


def _why(verdict):
    reasons = [str(reason) for reason in verdict.get("reasons") or () if reason]
    return " (%s)" % "; ".join(reasons) if reasons else ""


def _partners(host, name, verdicts, redundancy_sets):
    """[(set name, member dict with the freshest verdict), ...] of the tunnel's redundant
    partners, in set order, each (host, tunnel) once."""
    partners = []
    seen = set()
    for found in redundancy_sets or ():
        members = found.get("members") or ()
        if not any(m.get("host") == host and m.get("tunnel") == name for m in members):
            continue
        for member in members:
            ident = (member.get("host"), member.get("tunnel"))
            if ident == (host, name) or ident in seen:
                continue
            seen.add(ident)
            member = dict(member)
            if member["host"] == host and member["tunnel"] in verdicts:
                fresh = verdicts[member["tunnel"]]
                member["verdict"] = fresh.get("verdict")
                member["reasons"] = fresh.get("reasons") or []
            partners.append((found.get("name"), member))
    return partners


def _label(member):
    return "%s on %s" % (member.get("tunnel"), member.get("host"))


def _last_path_reason(name, partners):
    described = ", ".join("%s is %s%s" % (_label(m), m.get("verdict") or UNKNOWN, _why(m))
                          for _set, m in partners)
    sets = ", ".join(sorted({str(set_name) for set_name, _m in partners}))
    return ("Tunnel %s was not reset because none of its redundant partners in set %s is"
            " OPERATIONAL: %s. It may be the last working path, and a reset could take the"
            " whole set down; use force: true to reset it anyway." % (name, sets, described))


def _same_set_reason(name, set_name, member):
    return ("Tunnel %s was not reset because its redundant partner %s in set %s is already"
            " being reset in this run, and resetting two members of one redundant set at once"
            " could take the whole set down; run again once %s is back, or use force: true."
            % (name, _label(member), set_name, member.get("tunnel")))


def _refusal(name, member, reason):
    return {"tunnel": name, "partner_host": member.get("host"),
            "partner_tunnel": member.get("tunnel"),
            "partner_verdict": member.get("verdict") or UNKNOWN, "reason": reason}


def plan_resets(host, facts, target, verdicts, redundancy_sets, force=False, window=None,
                now=None):
    """Which of the units the target (or list of targets) selects are reset, left alone or
    refused (units: see reset_units; OpenVPN clients are reset one by one).

    verdicts: tunnel name -> verdict dict (or the list device_verdicts returns);
    redundancy_sets: the list tunnel_redundancy / build_sets returns.
    Returns {reset, healthy_untouched, refused, outside_window, changed, warnings}:
    an OPERATIONAL tunnel is untouched unless force; a tunnel none of whose redundant partners
    is OPERATIONAL is refused, and so is a second member of one redundant set (force
    overrides both, with a warning). Outside the window nothing is reset: outside_window is
    {opens_at, tunnels} (the tunnels that would have been reset), else None.
    """
    opening = window_state(window, now) if window is not None else None
    selected = select_tunnels(facts, target)
    verdicts = best_verdicts(verdicts)
    warnings = []
    reset, untouched, refused = [], [], []
    planned = {}  # set name -> the member dict of the tunnel reset in it
    for name in _names(selected):
        verdict = verdicts.get(name)
        if verdict is None:
            verdict = {"verdict": UNKNOWN, "reasons": []}
            warnings.append("Tunnel %s has no health verdict; it is treated as UNKNOWN." % name)
        state = verdict.get("verdict")
        if state == OPERATIONAL and not force:
            untouched.append(name)
            continue
        if state == OPERATIONAL:
            warnings.append("Tunnel %s is OPERATIONAL and is reset only because force is true."
                            % name)
        partners = _partners(host, name, verdicts, redundancy_sets)
        blocked = []
        if partners and not any(m.get("verdict") == OPERATIONAL for _s, m in partners):
            best = min(partners, key=lambda pair: _rank(pair[1]))[1]
            blocked.append(_refusal(name, best, _last_path_reason(name, partners)))
        busy = next((set_name for set_name, _m in partners if set_name in planned), None)
        if busy is not None:
            blocked.append(_refusal(name, planned[busy],
                                    _same_set_reason(name, busy, planned[busy])))
        if blocked and not force:
            refused.append(blocked[0])
            continue
        for refusal in blocked:
            warnings.append("force: true overrides the redundancy guard. " + refusal["reason"])
        reset.append(name)
        this = {"host": host, "tunnel": name, "verdict": state}
        for set_name, _member in partners:
            planned.setdefault(set_name, this)
    outside = None
    if opening is not None and not opening["open"]:
        outside = {"opens_at": opening["opens_at"], "tunnels": reset}
        reset = []
    return {"reset": reset, "healthy_untouched": untouched, "refused": refused,
            "outside_window": outside, "changed": bool(reset), "warnings": warnings}

# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""History of a fleet: report snapshots read one way, the events between two of them, and
how often each tunnel's health went away over many (flaps).

A SNAPSHOT is what the report role keeps per run::

    {"schema": "vpnops.tunnels/snapshot/1", "taken_at": "2026-11-21T18:00:00Z",
     "hosts": {host: <vpn facts> or None}, "errors": {host: message}}

Events compare each host's facts in the current snapshot with its baseline: its facts in the
previous snapshot or, when a list of snapshots is given, in the newest one that has them (so a
host that was unreachable for a run is compared with the last run that reached it). A host
without facts on either side yields no events: we do not know what happened there, and in
particular its tunnels did not vanish. A tunnel is a host's tunnel name; several SAs of one
name (an IKE SA being replaced, duplicates) are one tunnel with its best state.

What is compared, per tunnel type (old_state and new_state are the model's states):

  IPsec      phase1_up / phase1_down   the IKE SA became up (ESTABLISHED; REKEYING and REKEYED
                                       count as up, as in tunnel_health) or stopped being up
             phase2_up / phase2_down   per child SA name: installed (INSTALLED, UPDATING,
                                       REKEYING, REKEYED) or not, or no longer listed
  OpenVPN    phase1_up / phase1_down   the server or client process UP or not
             phase2_up / phase2_down   per client of a server (child = common name):
                                       CONNECTED or not, or no longer listed
  WireGuard  phase1_up / phase1_down   the peer's handshake fresh (UP) or not; its single
                                       child mirrors the peer, so no phase 2 events
  all        health_ok / health_failed the tunnel_health verdict moved to / away from
                                       OPERATIONAL (old_state/new_state are verdicts)
             tunnel_appeared / tunnel_vanished   the tunnel name is new / gone on a host whose
                                       facts were read both times (no other event for it)
             connection_failed         no tunnel of a connection is up any more (OPERATIONAL or
                                       DEGRADED), each being DOWN or gone, while at least one
                                       was up before. A connection is a host's tunnels sharing
                                       a name once libreswan's instance suffix [N] is removed;
                                       a plain tunnel is a connection of one. A tunnel whose
                                       state is not reported (UNKNOWN) is not counted failed.

Flaps count, per host and tunnel over snapshots oldest first, how often its verdict went
from OPERATIONAL to anything else; a tunnel missing from a host that was read counts as not
OPERATIONAL (down tunnels vanish on platforms that list only live SAs), a host that was not
read is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ansible_collections.vpnops.tunnels.plugins.plugin_utils import health, inputs

SNAPSHOT_SCHEMA = "vpnops.tunnels/snapshot/1"

PHASE1_UP, PHASE1_DOWN = "phase1_up", "phase1_down"
PHASE2_UP, PHASE2_DOWN = "phase2_up", "phase2_down"
HEALTH_OK, HEALTH_FAILED = "health_ok", "health_failed"
TUNNEL_APPEARED, TUNNEL_VANISHED = "tunnel_appeared", "tunnel_vanished"
CONNECTION_FAILED = "connection_failed"
# the order of a tunnel's events (then child names)
EVENT_ORDER = {name: rank for rank, name in enumerate((
    TUNNEL_APPEARED, TUNNEL_VANISHED, PHASE1_UP, PHASE1_DOWN, PHASE2_UP, PHASE2_DOWN,
    HEALTH_OK, HEALTH_FAILED, CONNECTION_FAILED))}
EVENTS = tuple(EVENT_ORDER)

OPERATIONAL = health.OPERATIONAL
_UP_VERDICTS = frozenset((health.OPERATIONAL, health.DEGRADED))
# a connection with such a tunnel has not failed: up, or we do not know
_NOT_FAILED = frozenset((health.OPERATIONAL, health.DEGRADED, health.UNKNOWN))

# which of several SAs of one name speaks for the tunnel: up first, then the most advanced
_LINK_RANK = {state: rank for rank, state in enumerate((
    "ESTABLISHED", "UP", "REKEYING", "REKEYED", "PASSIVE", "CONNECTING", "CREATED", "INIT",
    "HALF_OPEN", "DELETING", "DESTROYING", "DOWN", "UNDEFINED"))}
_CHILD_RANK = {state: rank for rank, state in enumerate((
    "INSTALLED", "UPDATING", "REKEYING", "REKEYED", "INSTALLING", "ROUTED", "CREATED",
    "RETRYING", "CONFLICTING", "DELETING", "DELETED", "DESTROYING", "DOWN", "UNDEFINED"))}
_CLIENT_RANK = {"CONNECTED": 0}
_LAST_RANK = 99

_INSTANCE = re.compile(r"\[\d+\]$")


# --- snapshots -------------------------------------------------------------------------------

class Snapshot:
    """One report run: when it was taken, each host's facts (None: not gathered), errors."""

    __slots__ = ("taken_at", "hosts", "errors")

    def __init__(self, taken_at, hosts, errors):
        self.taken_at = taken_at
        self.hosts = hosts
        self.errors = errors

    def time_of(self, host):
        """When a host's facts were collected (their collected_at), else the run's taken_at."""
        facts = self.hosts.get(host)
        return (facts.get("collected_at") if facts is not None else None) or self.taken_at


def is_empty(value):
    return value is None or (isinstance(value, (Mapping, list, tuple)) and not value)


def read_snapshot(value, what):
    """A SNAPSHOT dict checked and read; ``what`` names it in errors ("current", "item 2")."""
    if not isinstance(value, Mapping):
        raise inputs.InputError("%s: expected a snapshot (a dict with schema, taken_at, hosts"
                                " and errors), got %s" % (what, type(value).__name__))
    schema = value.get("schema")
    if schema is not None and schema != SNAPSHOT_SCHEMA:
        raise inputs.InputError("%s: snapshot schema %r is not supported (expected %s)"
                                % (what, schema, SNAPSHOT_SCHEMA))
    hosts = value.get("hosts")
    if not isinstance(hosts, Mapping):
        raise inputs.InputError("%s: a snapshot needs 'hosts', a dict of host to VPN facts (or"
                                " null), got %s" % (what, type(hosts).__name__))
    errors = value.get("errors") or {}
    if not isinstance(errors, Mapping):
        raise inputs.InputError("%s: a snapshot's 'errors' must be a dict of host to message"
                                % what)
    taken_at = value.get("taken_at")
    if taken_at is not None and not isinstance(taken_at, str):
        raise inputs.InputError("%s: taken_at must be a UTC time stamp text, got %r"
                                % (what, taken_at))
    return Snapshot(taken_at, {str(host): _checked_facts(what, host, facts)
                               for host, facts in hosts.items()}, dict(errors))


def _checked_facts(what, host, facts):
    """A host's facts as vpn_facts returns them, or None; anything else is an InputError."""
    if facts is None:
        return None
    if not inputs.is_device_facts(facts):
        raise inputs.InputError("%s: the facts of host %s are not VPN facts (a dict with"
                                " tunnels), got %s" % (what, host, _short(facts)))
    tunnels = facts.get("tunnels")
    if not isinstance(tunnels, (list, tuple)):
        raise inputs.InputError("%s: the facts of host %s have no list of tunnels" % (what, host))
    for tunnel in tunnels:
        # a dict is the common case: skip the slower abstract Mapping check
        if not (isinstance(tunnel, dict) or isinstance(tunnel, Mapping)) or "name" not in tunnel \
                or "type" not in tunnel:
            raise inputs.InputError("%s: host %s has a tunnel that is not a dict with name and"
                                    " type: %s" % (what, host, _short(tunnel)))
    return facts


def _short(value):
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def argument_apart(name, option, documentation, args, kwargs, stand_in):
    """(value of ``option``, the other options) of a filter whose only positional argument is
    ``option``, the option checked here rather than by inputs.filter_options(): that check
    deep-copies what it checks (a fleet's snapshot is far too big to copy for nothing) and
    turns texts into dicts (rules are checked strictly, each by its index). ``stand_in`` is
    what the option check sees instead."""
    kwargs = dict(kwargs)
    if len(args) > 1:
        raise inputs.InputError("%s takes one positional argument (%s), got %d"
                                % (name, option, len(args)))
    if args and option in kwargs:
        raise inputs.InputError("%s: %s given twice (by position and by name)" % (name, option))
    value = args[0] if args else kwargs.pop(option, None)
    if value is None:
        raise inputs.InputError("the %s argument is required: %s" % (
            option, "previous | vpnops.tunnels.%s(current)" % name if option == "current"
            else "rates | vpnops.tunnels.%s(rules)" % name))
    kwargs[option] = stand_in
    return value, inputs.filter_options(name, documentation, (), kwargs)


def snapshot_argument(name, documentation, args, kwargs):
    """(current snapshot, other options) of a filter called as ``previous | name(current, ...)``."""
    return argument_apart(name, "current", documentation, args, kwargs, {})


def read_history(value, what):
    """One snapshot, or a list of them oldest first (empty items skipped): a list of Snapshot."""
    if is_empty(value):
        return []
    if isinstance(value, Mapping):
        return [read_snapshot(value, what)]
    if not isinstance(value, (list, tuple)):
        raise inputs.InputError("%s: expected a snapshot or a list of snapshots, got %s"
                                % (what, type(value).__name__))
    return [read_snapshot(item, "%s item %d" % (what, index))
            for index, item in enumerate(value) if not is_empty(item)]


def baselines(history):
    """host -> (facts, time, snapshot) from the newest snapshot of the history that has the
    host's facts."""
    found = {}
    for snapshot in history:
        for host, facts in snapshot.hosts.items():
            if facts is not None:
                found[host] = (facts, snapshot.time_of(host), snapshot)
    return found


# --- one host's tunnels ----------------------------------------------------------------------

def index_tunnels(tunnels, verdicts):
    """name -> (tunnel, verdict, children): several SAs of one name are merged, the best
    link state speaks for the tunnel, the best verdict is its verdict, and children is the
    list of every SA's children (None when the tunnel has one SA: use its own list)."""
    index = {tunnel["name"]: (tunnel, verdict, None) for tunnel, verdict in zip(tunnels, verdicts)}
    if len(index) == len(tunnels):
        return index
    groups = {}
    for tunnel, verdict in zip(tunnels, verdicts):
        groups.setdefault(tunnel["name"], []).append((tunnel, verdict))
    for name, members in groups.items():
        if len(members) > 1:
            index[name] = _merged(members)
    return index


def _merged(members):
    best = min((tunnel for tunnel, _verdict in members), key=_link_rank)
    verdict = min((verdict for _tunnel, verdict in members),
                  key=lambda found: health.VERDICT_RANK.get(found["verdict"], _LAST_RANK))
    children = [child for tunnel, _verdict in members for child in tunnel.get("children") or ()]
    if best.get("type") == "openvpn":
        best = dict(best, openvpn=dict(best.get("openvpn") or {}, clients=[
            client for tunnel, _verdict in members
            for client in (tunnel.get("openvpn") or {}).get("clients") or ()]))
    return best, verdict, children


def _link_rank(tunnel):
    return (not link_up(tunnel), _LINK_RANK.get(tunnel.get("state"), _LAST_RANK))


def link_up(tunnel):
    """IPsec: the IKE SA is up (as tunnel_health counts it); OpenVPN, WireGuard: UP."""
    if tunnel.get("type") == "ipsec":
        return tunnel.get("state") in health.IKE_UP
    return tunnel.get("state") == "UP"


def connection_of(name):
    """The connection a tunnel belongs to: libreswan's instances name[N] belong to name."""
    if name.endswith("]"):
        match = _INSTANCE.search(name)
        if match:
            return name[:match.start()]
    return name


# --- events ------------------------------------------------------------------------------------

def _event(time, host, tunnel, child, event, old_state, new_state, message):
    return {"time": time, "host": host, "tunnel": tunnel, "child": child, "event": event,
            "old_state": old_state, "new_state": new_state, "message": message}


def _event_key(event):
    return event["host"], event["tunnel"], EVENT_ORDER[event["event"]], event["child"] or ""


def fleet_events(history, current, limits=None):
    """Events between each host's baseline in ``history`` (Snapshot list, oldest first) and
    the ``current`` Snapshot, ordered by host, tunnel, event kind and child."""
    limits = limits or health.DEFAULT_THRESHOLDS
    base = baselines(history)
    events = []
    for host, facts in current.hosts.items():
        old = base.get(host)
        if facts is None or old is None:
            continue  # not read now, or never before: nothing to compare
        events.extend(host_events(host, old[0], facts, current.time_of(host), limits))
    events.sort(key=_event_key)
    return events


def host_events(host, old_facts, new_facts, time, limits=None):
    """Events of one host between two of its facts (unordered)."""
    limits = limits or health.DEFAULT_THRESHOLDS
    old_tunnels, new_tunnels = old_facts.get("tunnels") or [], new_facts.get("tunnels") or []
    old_index = index_tunnels(old_tunnels, health.device_verdicts(old_facts, limits, host))
    new_index = index_tunnels(new_tunnels, health.device_verdicts(new_facts, limits, host))
    events = []
    lost = []  # names that were up and are not any more: candidates for connection_failed
    appeared = 0
    for name, new in new_index.items():
        old = old_index.get(name)
        if old is None:
            events.append(_appeared(time, host, name, new))
            appeared += 1
            continue
        old_verdict, new_verdict = old[1]["verdict"], new[1]["verdict"]
        if old_verdict == new_verdict and _unchanged(old, new):
            continue  # most tunnels, most of the time
        _compare(events, time, host, name, old, new)
        if old_verdict in _UP_VERDICTS and new_verdict not in _NOT_FAILED:
            lost.append(name)
    if len(old_index) > len(new_index) - appeared:  # some old names are not in the new facts
        for name, old in old_index.items():
            if name not in new_index:
                events.append(_vanished(time, host, name, old))
                if old[1]["verdict"] in _UP_VERDICTS:
                    lost.append(name)
    if lost:
        events.extend(_connection_events(time, host, lost, old_index, new_index))
    return events


def _unchanged(old, new):
    """Same state and same children up: no phase event can come of it (the verdicts are
    compared by the caller). OpenVPN servers are always compared client by client."""
    old_tunnel, new_tunnel = old[0], new[0]
    if old_tunnel.get("state") != new_tunnel.get("state"):
        return False
    kind = new_tunnel.get("type")
    if kind == "ipsec":
        return old[2] is None and new[2] is None and _same_up(
            old_tunnel.get("children") or (), new_tunnel.get("children") or ())
    return kind == "wireguard"


def _compare(events, time, host, name, old, new):
    old_tunnel, old_verdict, old_children = old
    new_tunnel, new_verdict, new_children = new
    was_up, is_up = link_up(old_tunnel), link_up(new_tunnel)
    if was_up != is_up:
        events.append(_event(time, host, name, None, PHASE1_UP if is_up else PHASE1_DOWN,
                             old_tunnel.get("state"), new_tunnel.get("state"),
                             _phase1_message(new_tunnel, is_up, old_tunnel)))
    kind = new_tunnel.get("type")
    if kind == "ipsec":
        _child_events(events, time, host, name, new_tunnel,
                      old_tunnel.get("children") if old_children is None else old_children,
                      new_tunnel.get("children") if new_children is None else new_children)
    elif kind == "openvpn":
        _client_events(events, time, host, name, _clients(old_tunnel), _clients(new_tunnel))
    was_ok, is_ok = old_verdict["verdict"] == OPERATIONAL, new_verdict["verdict"] == OPERATIONAL
    if was_ok != is_ok:
        events.append(_event(time, host, name, None, HEALTH_OK if is_ok else HEALTH_FAILED,
                             old_verdict["verdict"], new_verdict["verdict"],
                             "now %s (was %s): %s" % (new_verdict["verdict"],
                                                      old_verdict["verdict"],
                                                      _first_reason(new_verdict))))


def _appeared(time, host, name, entry):
    tunnel, verdict = entry[0], entry[1]
    return _event(time, host, name, None, TUNNEL_APPEARED, None, tunnel.get("state"),
                  "new on the device: %s %s, health %s" % (
                      tunnel.get("type"), tunnel.get("state"), verdict["verdict"]))


def _vanished(time, host, name, entry):
    tunnel, verdict = entry[0], entry[1]
    return _event(time, host, name, None, TUNNEL_VANISHED, tunnel.get("state"), None,
                  "no longer on the device (was %s %s, health %s)" % (
                      tunnel.get("type"), tunnel.get("state"), verdict["verdict"]))


def _first_reason(verdict):
    reasons = verdict.get("reasons") or ["no reason given"]
    more = len(reasons) - 1
    return reasons[0] + (" (and %d more)" % more if more else "")


# --- phase 1 -----------------------------------------------------------------------------------

def _phase1_message(tunnel, is_up, old_tunnel):
    kind = tunnel.get("type")
    if kind == "wireguard":
        return _wireguard_message(tunnel, is_up)
    if kind == "openvpn":
        return _openvpn_message(tunnel, is_up)
    ike = tunnel.get("ike") or {}
    state = tunnel.get("state")
    if is_up:
        version = ike.get("version")
        return "IKE%s SA %s (was %s)" % ("v%s" % version if version else "", state,
                                         old_tunnel.get("state"))
    negotiation = ike.get("negotiation") or {}
    step = negotiation.get("step")
    native = ike.get("native_state") or tunnel.get("native_state")
    detail = step or (native if native and native != state else None)
    return "phase 1 no longer established: IKE SA %s%s" % (state, " (%s)" % detail if detail else "")


def _wireguard_message(tunnel, is_up):
    children = tunnel.get("children") or [{}]
    age = children[0].get("last_in_seconds")
    handshake = "latest handshake %d s ago" % age if age is not None else "no handshake"
    return "peer %s: %s" % ("up" if is_up else "down", handshake)


def _openvpn_message(tunnel, is_up):
    detail = tunnel.get("openvpn") or {}
    if detail.get("role") != "client":
        return "OpenVPN server %s" % ("up" if is_up else tunnel.get("state"))
    client_state = detail.get("client_state") or {}
    if is_up:
        remote = client_state.get("remote_address")
        return "OpenVPN client connected%s" % (" to %s" % remote if remote else "")
    native = client_state.get("native_state") or tunnel.get("native_state") or tunnel.get("state")
    extra = client_state.get("detail")
    return "OpenVPN client not connected: state %s%s" % (native, " (%s)" % extra if extra else "")


# --- phase 2: child SAs and OpenVPN clients ----------------------------------------------------

def _child_events(events, time, host, name, tunnel, old_children, new_children):
    old_children, new_children = old_children or (), new_children or ()
    if _same_up(old_children, new_children):
        return
    old_map, new_map = _best_children(old_children), _best_children(new_children)
    for child_name, child in new_map.items():
        is_up = child.get("state") in health.CHILD_UP
        old = old_map.get(child_name)
        was_up = old is not None and old.get("state") in health.CHILD_UP
        if is_up and not was_up:
            events.append(_event(time, host, name, child_name, PHASE2_UP,
                                 old.get("state") if old is not None else None, child.get("state"),
                                 "child SA %s %s%s" % (child_name, child.get("state"), (
                                     " (was %s)" % old.get("state") if old is not None else
                                     " (new)"))))
        elif was_up and not is_up:
            events.append(_event(time, host, name, child_name, PHASE2_DOWN, old.get("state"),
                                 child.get("state"), "child SA %s no longer installed: %s%s" % (
                                     child_name, child.get("state"), _phase2_step(tunnel))))
    for child_name, old in old_map.items():
        if child_name not in new_map and old.get("state") in health.CHILD_UP:
            # no phase 2 step here: the device's step is about the children it still lists
            events.append(_event(time, host, name, child_name, PHASE2_DOWN, old.get("state"),
                                 None, "child SA %s no longer installed: not listed any more"
                                 % child_name))


def _same_up(old_children, new_children):
    """The common case, without building maps: the same children, each up or not as before."""
    if len(old_children) != len(new_children):
        return False
    up = health.CHILD_UP
    for old, new in zip(old_children, new_children):
        if old.get("name") != new.get("name") or (old.get("state") in up) != (new.get("state") in up):
            return False
    return True


def _best_children(children):
    found = {}
    for child in children:
        name = child.get("name")
        known = found.get(name)
        if known is None or _CHILD_RANK.get(child.get("state"), _LAST_RANK) < _CHILD_RANK.get(
                known.get("state"), _LAST_RANK):
            found[name] = child
    return found


def _phase2_step(tunnel):
    negotiation = (tunnel.get("ike") or {}).get("negotiation") or {}
    if negotiation.get("phase") == 2 and negotiation.get("step"):
        return "; phase 2: %s" % negotiation["step"]
    return ""


def _clients(tunnel):
    return (tunnel.get("openvpn") or {}).get("clients") or ()


def _client_events(events, time, host, name, old_clients, new_clients):
    if not old_clients and not new_clients:
        return
    old_map, new_map = _best_clients(old_clients), _best_clients(new_clients)
    for common_name, client in new_map.items():
        is_up = client.get("state") == "CONNECTED"
        old = old_map.get(common_name)
        was_up = old is not None and old.get("state") == "CONNECTED"
        if is_up and not was_up:
            address = client.get("real_address")
            events.append(_event(time, host, name, common_name, PHASE2_UP,
                                 old.get("state") if old is not None else None, "CONNECTED",
                                 "OpenVPN client %s connected%s" % (
                                     common_name, " from %s" % address if address else "")))
        elif was_up and not is_up:
            events.append(_event(time, host, name, common_name, PHASE2_DOWN, "CONNECTED",
                                 client.get("state"), "OpenVPN client %s not connected: %s"
                                 % (common_name, client.get("state"))))
    for common_name, old in old_map.items():
        if common_name not in new_map and old.get("state") == "CONNECTED":
            events.append(_event(time, host, name, common_name, PHASE2_DOWN, "CONNECTED", None,
                                 "OpenVPN client %s disconnected: not listed any more"
                                 % common_name))


def _best_clients(clients):
    """common name -> its best session (a name may connect several times: duplicate-cn)."""
    found = {}
    for client in clients:
        name = client.get("common_name")
        known = found.get(name)
        if known is None or _CLIENT_RANK.get(client.get("state"), _LAST_RANK) < _CLIENT_RANK.get(
                known.get("state"), _LAST_RANK):
            found[name] = client
    return found


# --- connections -------------------------------------------------------------------------------

def _connection_events(time, host, lost, old_index, new_index):
    """connection_failed for each connection of a lost tunnel with no member up any more."""
    old_instances, new_instances = _instances(old_index), _instances(new_index)
    events = []
    for connection in sorted({connection_of(name) for name in lost}):
        old_members = _members(connection, old_index, old_instances)
        new_members = _members(connection, new_index, new_instances)
        new_verdicts = [new_index[name][1]["verdict"] for name in new_members]
        if any(verdict in _NOT_FAILED for verdict in new_verdicts):
            continue
        old_up = [old_index[name][1]["verdict"] for name in old_members
                  if old_index[name][1]["verdict"] in _UP_VERDICTS]
        gone = len([name for name in old_members if name not in new_index])
        events.append(_event(time, host, connection, None, CONNECTION_FAILED,
                             _best_verdict(old_up), _best_verdict(new_verdicts) or None,
                             _connection_message(connection, old_members, new_verdicts,
                                                 old_up, gone)))
    return events


def _instances(index):
    found = {}
    for name in index:
        if name.endswith("]"):
            connection = connection_of(name)
            if connection != name:
                found.setdefault(connection, []).append(name)
    return found


def _members(connection, index, instances):
    members = [connection] if connection in index else []
    return members + instances.get(connection, [])


def _best_verdict(verdicts):
    return min(verdicts, key=health.VERDICT_RANK.get) if verdicts else None


def _connection_message(connection, old_members, new_verdicts, old_up, gone):
    if len(old_members) == 1 and len(new_verdicts) + gone == 1:
        now = "gone" if gone else new_verdicts[0]
        return "connection %s failed: its tunnel is %s (was %s)" % (connection, now, old_up[0])
    parts = []
    if new_verdicts:  # none is up or unknown: all are DOWN
        parts.append("%d DOWN" % len(new_verdicts))
    if gone:
        parts.append("%d gone" % gone)
    return "connection %s failed: no tunnel up (%s); %d of %d %s up before" % (
        connection, ", ".join(parts), len(old_up), len(old_members),
        "was" if len(old_up) == 1 else "were")


# --- flaps -------------------------------------------------------------------------------------

def flaps(history, limits=None):
    """FLAPS rows of every host and tunnel seen in ``history`` (Snapshot list, oldest first),
    ordered by host and tunnel."""
    limits = limits or health.DEFAULT_THRESHOLDS
    seen = {}  # host -> {tunnel: [operational, flaps, observations, last_change]}
    for snapshot in history:
        for host, facts in snapshot.hosts.items():
            if facts is None:
                continue  # not read in this run: no observation
            _observe(seen.setdefault(host, {}), facts, snapshot.time_of(host), limits, host)
    rows = []
    for host in sorted(seen):
        records = seen[host]
        for name in sorted(records):
            _operational, count, observations, last_change = records[name]
            rows.append({"host": host, "tunnel": name, "flaps": count,
                         "snapshots": observations, "last_change": last_change})
    return rows


def _observe(records, facts, time, limits, host):
    operational = {}
    for verdict in health.device_verdicts(facts, limits, host):
        # several SAs of one name: OPERATIONAL when any of them is
        operational[verdict["name"]] = operational.get(verdict["name"]) or \
            verdict["verdict"] == OPERATIONAL
    for name, is_ok in operational.items():
        record = records.get(name)
        if record is None:
            records[name] = [is_ok, 0, 1, None]
        else:
            _update(record, is_ok, time)
    if len(records) > len(operational):
        for name, record in records.items():
            if name not in operational:
                _update(record, False, time)  # gone from a host that was read


def _update(record, is_ok, time):
    if record[0] != is_ok:
        if record[0]:
            record[1] += 1
        record[3] = time
        record[0] = is_ok
    record[2] += 1

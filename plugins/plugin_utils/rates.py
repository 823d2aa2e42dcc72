# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Traffic rates from the counters of two report snapshots, and alert rules over the rates.

Rates
  One RATE row per tunnel of the current snapshot (child None: the sum of its children) and
  one per child SA or OpenVPN client, for hosts whose facts are in both snapshots (or, with a
  history, in the current one and any earlier one: see events.baselines). The interval is the
  time between the two facts' collected_at (each falls back to its snapshot's taken_at).

  A child's counters belong to one SA, identified by its SPIs (IPsec), its connection time
  (OpenVPN: connected_since) or, where the platform reports neither (VyOS, WireGuard), by
  the child name alone. For each SA of the child in the current facts:
    same SA, counters not lower      the delta over the interval
    same SA, a counter went lower    cleared on the device: counter_reset, the new counter over
                                     min(interval, installed_seconds)
    SA without identity installed    installed after the previous facts were read: counter_reset,
    less than the interval ago       the new counter over installed_seconds
    new SA (new SPIs, a client that  counter_reset, the new counter over its age: installed_seconds
    reconnected, a new child)        (connected_since for OpenVPN), which is below the interval
                                     after a rekey; the counter counts from the installation
  A reset whose SA age is unknown, or an age of 0 s, gives null rates with a note: a rate is
  null rather than guessed. Null counters (the platform does not count) give null rates. An
  interval of 0 s or less gives null rates for the whole host with a note. Several SAs of one
  child (an old and a new SA during a rekey) add up over the longest of their windows.

  Bytes give bits per second (x 8), packets packets per second; OpenVPN counts no packets.

Alerts
  Rules (a list of dicts, checked strictly) select rows by host and tunnel glob and fire on:
    inbound_below_while_outbound  bps_in < bps while bps_out >= outbound_min_bps (one-way)
    bandwidth_above               bps_in + bps_out > bps
    packets_above                 pps_in + pps_out > pps
  A direction whose rate is null is left out of a sum; a row with no rate for a rule is skipped.
"""

from __future__ import annotations

import datetime
import fnmatch
import math
import re
from collections.abc import Mapping

from ansible_collections.vpnops.tunnels.plugins.plugin_utils import events, health, inputs

_NO_COUNTERS = (None, None, None, None)


# --- time ------------------------------------------------------------------------------------------

_EPOCHS = {}


def epoch(stamp):
    """Seconds since 1970 of an ISO 8601 time stamp ('Z' or an offset; none means UTC), or None."""
    if not isinstance(stamp, str):
        return None
    found = _EPOCHS.get(stamp)
    if found is None and stamp not in _EPOCHS:
        try:
            parsed = datetime.datetime.fromisoformat(stamp.strip().replace("Z", "+00:00"))
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=datetime.timezone.utc)
        found = parsed.timestamp() if parsed is not None else None
        if len(_EPOCHS) > 100000:
            _EPOCHS.clear()
        _EPOCHS[stamp] = found
    return found


def interval(old_time, new_time):
    """(seconds between two time stamps, note): seconds None with a note when not usable."""
    start, end = epoch(old_time), epoch(new_time)
    if start is None or end is None:
        return None, "no usable collection time (collected_at %r, then %r): rate unknown" % (
            old_time, new_time)
    seconds = end - start
    if seconds == 0:
        return seconds, "both facts collected at %s: no interval to measure over" % new_time
    if seconds < 0:
        return seconds, ("facts collected %g s before the previous ones (%s, then %s): check"
                         " the clocks" % (-seconds, old_time, new_time))
    return seconds, None


# --- rates -----------------------------------------------------------------------------------------

def _row(host, tunnel, child, seconds, rates, reset, note):
    return {"host": host, "tunnel": tunnel, "child": child, "seconds": seconds,
            "bps_in": rates[0], "bps_out": rates[1], "pps_in": rates[2], "pps_out": rates[3],
            "counter_reset": reset, "note": note}


def fleet_rates(history, current):
    """RATE rows: hosts sorted, tunnels by name, each tunnel's total before its children."""
    base = events.baselines(history)
    rows = []
    for host in sorted(current.hosts):
        facts = current.hosts[host]
        old = base.get(host)
        if facts is None or old is None:
            continue  # no counters now, or nothing to compare them with
        rows.extend(host_rates(host, old[0], facts, old[1], current.time_of(host)))
    return rows


def host_rates(host, old_facts, new_facts, old_time, new_time):
    """RATE rows of one host between two of its facts and their collection times."""
    seconds, note = interval(old_time, new_time)
    old_by_name = _by_name(old_facts.get("tunnels") or ())
    new_by_name = _by_name(new_facts.get("tunnels") or ())
    rows = []
    for name in sorted(new_by_name):
        new_sas = new_by_name[name]
        kind = new_sas[0].get("type")
        if note is not None:  # no usable interval: every rate of the host is unknown
            rows.append(_row(host, name, None, seconds, _NO_COUNTERS, False, note))
            rows.extend(_row(host, name, child, seconds, _NO_COUNTERS, False, note)
                        for child in _streams(new_sas, kind, new_time))
            continue
        old_sas = old_by_name.get(name)
        children = _unchanged_sas(old_sas, new_sas, seconds)
        if children is None:  # rekeys, resets, new children, several SAs, OpenVPN clients
            old_streams = _streams(old_sas or (), kind, None)
            children = [(child, _child_rate(old_streams.get(child), records, seconds, kind))
                        for child, records in _streams(new_sas, kind, new_time).items()]
        if len(children) == 1:  # the tunnel's total is its child's
            child, (window, found, reset, child_note, _unknown) = children[0]
            rows.append(_row(host, name, None, window, found, reset, child_note))
            rows.append(_row(host, name, child, window, found, reset, child_note))
        else:
            rows.append(_total_row(host, name, new_sas[0], children))
            rows.extend([_row(host, name, child, found[0], found[1], found[2], found[3])
                         for child, found in children])
    return rows


def _unchanged_sas(old_sas, new_sas, seconds):
    """The common case, quickly: one SA of the tunnel before and now, the same children with
    the same SAs, no counter lower. [(child name, _child_rate() result)], or None when the
    general path must decide (it gives the same rates in this case)."""
    if old_sas is None or len(old_sas) != 1 or len(new_sas) != 1:
        return None
    try:
        old_children, new_children = old_sas[0]["children"], new_sas[0]["children"]
        if len(old_children) != len(new_children) or new_sas[0]["type"] == "openvpn":
            return None
        if len(new_children) == 1:
            old, new = old_children[0], new_children[0]
            result = _same_sa_delta(old, new, seconds) if old["name"] == new["name"] else None
            return None if result is None else [(new["name"], result)]
        found = []
        for old, new in zip(old_children, new_children):
            name = new["name"]
            result = _same_sa_delta(old, new, seconds) if old["name"] == name else None
            if result is None:
                return None
            found.append((name, result))
    except KeyError:
        return None  # hand-made facts: the general path reads what there is
    if len(found) > 1 and len({name for name, _result in found}) < len(found):
        return None  # two SAs of one child name: the general path adds them up
    return found


def _same_sa_delta(old, new, seconds):
    """_child_rate() of a child that kept its SA, whose counters did not go lower or that
    has none, else None."""
    spi_in, spi_out = new["spi_in"], new["spi_out"]
    if spi_in != old["spi_in"] or spi_out != old["spi_out"]:
        return None
    counts = new["bytes_in"], new["bytes_out"], new["packets_in"], new["packets_out"]
    before = old["bytes_in"], old["bytes_out"], old["packets_in"], old["packets_out"]
    if counts == _NO_COUNTERS:
        if before != _NO_COUNTERS:
            return None
        return None, _NO_COUNTERS, False, _NO_SA if new["state"] not in health.CHILD_UP \
            else _NOT_COUNTED, False
    if spi_in is None and spi_out is None:
        age = new["installed_seconds"]
        if age is not None and age < seconds:
            return None  # no SPIs to tell, but installed after the previous facts
    bytes_in, bytes_out, packets_in, packets_out = counts
    try:  # every counter known: the common case
        if bytes_in < before[0] or bytes_out < before[1] or packets_in < before[2] \
                or packets_out < before[3]:
            return None
        return seconds, ((bytes_in - before[0]) * 8 / seconds, (bytes_out - before[1]) * 8 / seconds,
                         (packets_in - before[2]) / seconds, (packets_out - before[3]) / seconds), \
            False, None, False
    except TypeError:  # some are null
        rates = tuple(_delta_rate(now, then, scale, seconds)
                      for now, then, scale in zip(counts, before, (8, 8, 1, 1)))
    if _LOWER in rates:
        return None
    return seconds, rates, False, None, False


_LOWER = -1.0  # a counter went lower, or is known on one side only


def _delta_rate(now, before, scale, seconds):
    if now is None and before is None:
        return None
    if now is None or before is None or now < before:
        return _LOWER
    return (now - before) * scale / seconds


def _by_name(tunnels):
    """name -> [its SAs]."""
    found = {tunnel["name"]: [tunnel] for tunnel in tunnels}
    if len(found) == len(tunnels):
        return found
    found = {}
    for tunnel in tunnels:
        found.setdefault(tunnel["name"], []).append(tunnel)
    return found


def _streams(sas, kind, now):
    """child name (OpenVPN: client common name) -> its SA records, in the facts' order.

    A record: (identity or None, (bytes_in, bytes_out, packets_in, packets_out), age in
    seconds or None, up). IPsec SAs are identified by their SPIs, OpenVPN sessions by when
    they connected; WireGuard and platforms without SPIs have no identity."""
    streams = {}
    for tunnel in sas:
        if kind == "openvpn":
            _openvpn_records(streams, tunnel, now)
            continue
        for child in tunnel.get("children") or ():
            spi_in, spi_out = child.get("spi_in"), child.get("spi_out")
            record = ((spi_in, spi_out) if spi_in is not None or spi_out is not None else None,
                      (child.get("bytes_in"), child.get("bytes_out"), child.get("packets_in"),
                       child.get("packets_out")),
                      child.get("installed_seconds"), child.get("state") in health.CHILD_UP)
            known = streams.get(child["name"])
            if known is None:
                streams[child["name"]] = [record]
            else:
                known.append(record)
    return streams


def _openvpn_records(streams, tunnel, now):
    now_epoch = epoch(now) if now is not None else None
    for client in (tunnel.get("openvpn") or {}).get("clients") or ():
        since = client.get("connected_since")
        identity = (since, client.get("client_id")) if since or client.get("client_id") else None
        age = None
        if now_epoch is not None and since:
            start = epoch(since)
            age = now_epoch - start if start is not None and now_epoch >= start else None
        record = (identity, (client.get("bytes_in"), client.get("bytes_out"), None, None), age,
                  client.get("state") == "CONNECTED")
        streams.setdefault(client.get("common_name"), []).append(record)


def _child_rate(old_records, new_records, seconds, kind):
    """(window seconds, rates, counter_reset, note, unknown) of one child or client.

    unknown: the child has counters but its rate cannot be told (the tunnel total is then
    unknown too); rates of a child without counters are null and do not count."""
    counted = [record for record in new_records if record[1] != _NO_COUNTERS]
    if not counted:
        return None, _NO_COUNTERS, False, _no_counters_note(new_records, kind), False
    if len(counted) == 1 and old_records and len(old_records) == 1 \
            and old_records[0][1] != _NO_COUNTERS:  # the common case: one SA before and now
        old = old_records[0]
        contributions = [_contribution(old if old[0] == counted[0][0] else None, counted[0],
                                       seconds, kind, True)]
    else:
        old_by_identity = _by_identity(old_records or ())
        contributions = [_contribution(old_by_identity.get(record[0]), record, seconds, kind,
                                       bool(old_by_identity)) for record in counted]
    return _combined(contributions, kind)


def _by_identity(records):
    """identity -> record of the SAs that have counters; records without identity add up
    into one."""
    found = {}
    for record in records:
        if record[1] == _NO_COUNTERS:
            continue
        known = found.get(record[0])
        if known is None:
            found[record[0]] = record
        else:
            ages = [age for age in (known[2], record[2]) if age is not None]
            found[record[0]] = (record[0], tuple(_add(a, b) for a, b in zip(known[1], record[1])),
                                max(ages) if ages else None, known[3] or record[3])
    return found


def _add(first, second):
    return None if first is None or second is None else first + second


def _contribution(old, new, seconds, kind, child_existed):
    """(counts over the window, window seconds or None, why the counters restarted or None,
    the SA's age) of one current SA; old is the same SA in the previous facts or None;
    child_existed: the child had counters then."""
    identity, counts, age = new[0], new[1], new[2]
    if old is not None:
        lower = any(now is not None and before is not None and now < before
                    for now, before in zip(counts, old[1]))
        if not lower and not (identity is None and age is not None and age < seconds):
            return tuple(None if now is None or before is None else now - before
                         for now, before in zip(counts, old[1])), seconds, None, age
        if lower:  # cleared at some point of the interval, after the SA was installed
            return counts, min(seconds, age) if age is not None else None, \
                "counters went lower (cleared on the device)", age
        return counts, age, "installed after the previous facts were read", age
    if not child_existed:
        reason = "new since the previous facts"
    elif kind == "openvpn":
        reason = "reconnected (connected since %s)" % (identity[0] if identity else "?")
    elif identity is not None:
        reason = "rekeyed: new SPI %s" % (identity[0] or identity[1])
    else:
        reason = "new SA"
    return counts, age, reason, age


def _reset_note(reason, window, age, kind, sas=1):
    what = "connected" if kind == "openvpn" else "installed"
    if window is None:
        return "%s, and the time since it was %s is not reported: rate unknown" % (reason, what)
    if window <= 0:
        return "%s, %s 0 s ago: too new to measure" % (reason, what)
    if sas > 1:
        return "%s: the counters of its %d SAs added up over %s s" % (reason, sas, _number(window))
    if window == age:
        return "%s: rate over the %s s since it was %s" % (reason, _number(window), what)
    return "%s: rate over the %s s interval" % (reason, _number(window))


def _combined(contributions, kind):
    """_child_rate() of the child from its SAs' contributions (see _contribution)."""
    if len(contributions) == 1:
        counts, window, reason, age = contributions[0]
        note = _reset_note(reason, window, age, kind) if reason else None
    else:  # an old and a new SA (a rekey in progress): all counted over the longest window
        counts = tuple(_sum_or_none(values) for values in zip(*(c[0] for c in contributions)))
        windows = [c[1] for c in contributions]
        window = None if None in windows else max(windows)
        reason = "; ".join(c[2] for c in contributions if c[2])
        note = _reset_note(reason, window, None, kind, len(contributions)) if reason else None
    reset = note is not None
    if window is None:
        return None, _NO_COUNTERS, reset, note, True
    if window <= 0:
        return window, _NO_COUNTERS, reset, note or "no time elapsed: rate unknown", True
    bytes_in, bytes_out, packets_in, packets_out = counts
    return window, (
        None if bytes_in is None else bytes_in * 8 / window,
        None if bytes_out is None else bytes_out * 8 / window,
        None if packets_in is None else packets_in / window,
        None if packets_out is None else packets_out / window,
    ), reset, note, False


def _sum_or_none(values):
    return None if None in values else sum(values)


_NO_SA = "no SA installed"
_NOT_COUNTED = "no counters reported by the platform"


def _no_counters_note(records, kind):
    if kind == "openvpn":
        return "client not connected" if not any(r[3] for r in records) else \
            "no counters reported"
    if not any(record[3] for record in records):
        return _NO_SA
    return _NOT_COUNTED


def _total_row(host, name, tunnel, children):
    """The tunnel's row: its children's rates added up; unknown when one of them is."""
    if not children:
        return _row(host, name, None, None, _NO_COUNTERS, False, _no_children_note(tunnel))
    if len(children) == 1:  # the tunnel is its child
        return _row(host, name, None, *children[0][1][:4])
    reset = any(found[2] for _child, found in children)
    unknown = [child for child, found in children if found[4]]
    if unknown:
        return _row(host, name, None, None, _NO_COUNTERS, reset, "rate unknown for %s" % (
            _names(unknown)))
    measured = [(child, found) for child, found in children if found[0] is not None]
    if not measured:
        notes = {found[3] for _child, found in children}
        return _row(host, name, None, None, _NO_COUNTERS, False, notes.pop() if len(notes) == 1
                    else "no counters on any of its %d children" % len(children))
    totals = tuple(_sum_known([found[1][field] for _child, found in measured]) for field in range(4))
    notes = ["%s: %s" % (child, found[3]) for child, found in measured if found[2]]
    return _row(host, name, None, max(found[0] for _child, found in measured), totals, reset,
                _shortened(notes))


def _no_children_note(tunnel):
    if tunnel.get("type") != "openvpn":
        return "no child SA"
    if (tunnel.get("openvpn") or {}).get("role") == "server":
        return "no clients"
    return "an OpenVPN client process reports no counters"


def _sum_known(values):
    known = [value for value in values if value is not None]
    return sum(known) if known else None


def _names(names, limit=3):
    shown = ", ".join(str(name) for name in names[:limit])
    return shown + (" and %d more" % (len(names) - limit) if len(names) > limit else "")


def _shortened(notes, limit=3):
    if not notes:
        return None
    return "; ".join(notes[:limit]) + (
        "; and %d more reset" % (len(notes) - limit) if len(notes) > limit else "")


def _number(value):
    return "%d" % value if float(value).is_integer() else "%.1f" % value


# --- alert rules -----------------------------------------------------------------------------------

SEVERITIES = ("info", "low", "medium", "high", "critical")
LEVELS = ("tunnel", "child", "any")
# kind -> (required numeric keys, optional numeric keys with defaults, default level)
RULE_KINDS = {
    "inbound_below_while_outbound": (("bps",), {"outbound_min_bps": 1000}, "child"),
    "bandwidth_above": (("bps",), {}, "tunnel"),
    "packets_above": (("pps",), {}, "tunnel"),
}
_COMMON_KEYS = ("name", "kind", "severity", "hosts", "tunnels", "level")
_RATE_KEYS = ("host", "tunnel", "child", "bps_in", "bps_out", "pps_in", "pps_out")


class Rule:
    """One checked alert rule with its globs compiled."""

    __slots__ = ("name", "kind", "severity", "level", "limits", "host_match", "tunnel_match")

    def __init__(self, name, kind, severity, level, limits, hosts, tunnels):
        self.name = name
        self.kind = kind
        self.severity = severity
        self.level = level
        self.limits = limits
        self.host_match = _glob(hosts)
        self.tunnel_match = _glob(tunnels)

    def selects(self, row):
        if self.level != "any" and (row["child"] is None) != (self.level == "tunnel"):
            return False
        return (self.host_match is None or self.host_match(row["host"])) and (
            self.tunnel_match is None or self.tunnel_match(row["tunnel"]))


def _glob(patterns):
    """A matcher for one glob or a list of globs (None: matches everything)."""
    if "*" in patterns:
        return None
    expression = re.compile("|".join("(?:%s)" % fnmatch.translate(p) for p in patterns))
    return lambda value: expression.match(str(value)) is not None


def read_rules(rules):
    """The alert rules checked strictly: a list of Rule. Raises InputError naming the rule's
    index and the key at fault."""
    if not isinstance(rules, (list, tuple)):
        raise inputs.InputError("rules must be a list of dicts, got %s" % type(rules).__name__)
    checked, names = [], {}
    for index, rule in enumerate(rules):
        checked.append(_read_rule(index, rule))
        name = checked[-1].name
        if name in names:
            raise inputs.InputError("rule %d: name %r is already used by rule %d"
                                    % (index, name, names[name]))
        names[name] = index
    return checked


def _read_rule(index, rule):
    if not isinstance(rule, Mapping):
        raise inputs.InputError("rule %d: expected a dict, got %s" % (index, type(rule).__name__))
    where = "rule %d" % index
    name = rule.get("name")
    if not isinstance(name, str) or not name.strip():
        raise inputs.InputError("%s: key 'name' is required, a non-empty text" % where)
    where = "rule %d (%s)" % (index, name)
    kind = rule.get("kind")
    if kind not in RULE_KINDS:
        raise inputs.InputError("%s: key 'kind' must be one of %s, got %r"
                                % (where, ", ".join(RULE_KINDS), kind))
    required, optional, default_level = RULE_KINDS[kind]
    allowed = set(_COMMON_KEYS) | set(required) | set(optional)
    for key in rule:
        if key not in allowed:
            raise inputs.InputError("%s: unknown key %r for kind %s (allowed: %s)"
                                    % (where, key, kind, ", ".join(sorted(allowed))))
    severity = rule.get("severity", "medium")
    if severity not in SEVERITIES:
        raise inputs.InputError("%s: key 'severity' must be one of %s, got %r"
                                % (where, ", ".join(SEVERITIES), severity))
    level = rule.get("level", default_level)
    if level not in LEVELS:
        raise inputs.InputError("%s: key 'level' must be one of %s, got %r"
                                % (where, ", ".join(LEVELS), level))
    limits = {}
    for key in required:
        if key not in rule:
            raise inputs.InputError("%s: key %r is required for kind %s" % (where, key, kind))
        limits[key] = _threshold(where, key, rule[key])
    for key, default in optional.items():
        limits[key] = _threshold(where, key, rule.get(key, default))
    return Rule(name, kind, severity, level, limits,
                _patterns(where, "hosts", rule.get("hosts", "*")),
                _patterns(where, "tunnels", rule.get("tunnels", "*")))


def _threshold(where, key, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 \
            or math.isnan(value):
        raise inputs.InputError("%s: key %r must be a number >= 0, got %r" % (where, key, value))
    return value


def _patterns(where, key, value):
    patterns = [value] if isinstance(value, str) else value
    if not isinstance(patterns, (list, tuple)) or not patterns or not all(
            isinstance(pattern, str) and pattern for pattern in patterns):
        raise inputs.InputError("%s: key %r must be a glob or a list of globs, got %r"
                                % (where, key, value))
    return list(patterns)


def alerts(rows, rules):
    """ALERTs of ``rules`` (read_rules) over RATE rows: in the rows' order, then the rules'."""
    if not isinstance(rows, (list, tuple)):
        raise inputs.InputError("expected the list traffic_rates returns, got %s"
                                % type(rows).__name__)
    found = []
    checks = [(rule, _CHECKS[rule.kind]) for rule in rules]
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping) or any(key not in row for key in _RATE_KEYS):
            raise inputs.InputError("rates item %d is not a traffic_rates row (a dict with %s)"
                                    % (index, ", ".join(_RATE_KEYS)))
        for rule, check in checks:
            if rule.selects(row):
                alert = check(rule, row)
                if alert is not None:
                    found.append(alert)
    return found


def _alert(rule, row, value, threshold, message):
    return {"host": row["host"], "tunnel": row["tunnel"], "child": row["child"],
            "rule": rule.name, "severity": rule.severity, "message": message,
            "value": value, "threshold": threshold}


def _one_way(rule, row):
    inbound, outbound = row["bps_in"], row["bps_out"]
    below, least = rule.limits["bps"], rule.limits["outbound_min_bps"]
    if inbound is None or outbound is None or not (inbound < below and outbound >= least):
        return None
    return _alert(rule, row, inbound, below, "one-way traffic: inbound %s (below %s) while"
                  " outbound carries %s" % (bits(inbound), bits(below), bits(outbound)))


def _bandwidth(rule, row):
    total = _sum_known([row["bps_in"], row["bps_out"]])
    limit = rule.limits["bps"]
    if total is None or total <= limit:
        return None
    return _alert(rule, row, total, limit, "%s in and out (above %s): in %s, out %s" % (
        bits(total), bits(limit), bits(row["bps_in"]), bits(row["bps_out"])))


def _packets(rule, row):
    total = _sum_known([row["pps_in"], row["pps_out"]])
    limit = rule.limits["pps"]
    if total is None or total <= limit:
        return None
    return _alert(rule, row, total, limit, "%s packets/s in and out (above %s): in %s, out %s"
                  % (_rounded(total), _rounded(limit), _rounded(row["pps_in"]),
                     _rounded(row["pps_out"])))


_CHECKS = {"inbound_below_while_outbound": _one_way, "bandwidth_above": _bandwidth,
           "packets_above": _packets}


def bits(value):
    """A bit rate for people: 0 bit/s, 950 bit/s, 1.5 kbit/s, 12.3 Mbit/s, 1.2 Gbit/s."""
    if value is None:
        return "unknown"
    for scale, unit in ((1e9, "Gbit/s"), (1e6, "Mbit/s"), (1e3, "kbit/s")):
        if value >= scale:
            return "%.1f %s" % (value / scale, unit)
    return "%s bit/s" % _rounded(value)


def _rounded(value):
    if value is None:
        return "unknown"
    return "%d" % round(value) if value >= 10 or float(value).is_integer() else "%.1f" % value

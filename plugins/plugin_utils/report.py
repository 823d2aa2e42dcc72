# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Report rows: one row per tunnel of a fleet (and one per host that has no tunnel to show),
the common input of the CSV, HTML and Markdown renderers.

A row is a flat dict whose keys are COLUMNS in order; only ``children`` (a list of dicts)
and ``reasons`` (a list of sentences) are structured. ``cell_text`` flattens any cell into
the one line of text the CSV and Markdown show.

System comm. status, per host (every row of the host carries it):
  Ok         the facts were gathered and hold no errors
  Warning    the facts were gathered but list errors (a command failed or was not parsed)
  Error      gathering failed or the host was unreachable (an entry in ``errors``)
  Blocked    the host refused us: authentication, host key or privilege (become) refused
             (an entry in ``errors`` whose message says so)
  Pending    gathering has not run or was skipped for the host (listed in ``pending``)
  Undefined  no facts, no error and not pending: nothing is known about the host
A host with an error, without facts, or with facts but no tunnel gets one row with an empty
tunnel name, so it is never missing from a report.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping

from ansible_collections.vpnops.tunnels.plugins.module_utils import cyclic_gc
from ansible_collections.vpnops.tunnels.plugins.plugin_utils import health, inputs

OK = "Ok"
ERROR = "Error"
UNDEFINED = "Undefined"
PENDING = "Pending"
WARNING = "Warning"
BLOCKED = "Blocked"
COMM_STATUSES = (OK, ERROR, UNDEFINED, PENDING, WARNING, BLOCKED)

# (key, header title, kind). kind tells renderers how to show, sort and filter a cell:
# text, num (int or float), date (ISO 8601 UTC), bool, list (of sentences), children.
COLUMNS = (
    ("host", "System name", "text"),
    ("comm_status", "System comm. status", "text"),
    ("name", "Name", "text"),
    ("type", "Type", "text"),
    ("state", "State", "text"),
    ("enabled", "Enabled", "bool"),
    ("status_message", "Status message", "text"),
    ("children", "Children", "children"),
    ("last_update", "Last update", "date"),
    ("platform", "Platform", "text"),
    ("peer", "Peer", "text"),
    ("local_address", "Local address", "text"),
    ("ike_version", "IKE version", "num"),
    ("ike_algorithms", "IKE algorithms", "text"),
    ("child_algorithms", "Child algorithms", "text"),
    ("nat_t", "NAT-T", "text"),
    ("spi_in", "SPIs in", "text"),
    ("spi_out", "SPIs out", "text"),
    ("bytes_in", "Bytes in", "num"),
    ("bytes_out", "Bytes out", "num"),
    ("packets_in", "Packets in", "num"),
    ("packets_out", "Packets out", "num"),
    ("bps_in", "bps in", "num"),
    ("bps_out", "bps out", "num"),
    ("pps_in", "pps in", "num"),
    ("pps_out", "pps out", "num"),
    ("rate_note", "Rate note", "text"),
    ("flaps", "Flaps", "num"),
    ("last_flap", "Last flap", "date"),
    ("verdict", "Health", "text"),
    ("reasons", "Health reasons", "list"),
    ("comm_message", "Comm. message", "text"),
)
COLUMN_KEYS = tuple(key for key, _title, _kind in COLUMNS)
TITLES = {key: title for key, title, _kind in COLUMNS}
KINDS = {key: kind for key, _title, kind in COLUMNS}
CHILD_KEYS = ("name", "state", "rekey_seconds", "lifetime_seconds", "installed_seconds",
              "mode", "protocol", "spi_in", "spi_out", "algorithms", "bytes_in", "bytes_out",
              "packets_in", "packets_out", "local_ts", "remote_ts", "address",
              "connected_since", "bps_in", "bps_out")

# a refusal by the device (wrong credentials, unknown host key, no sudo) is not an outage
_BLOCKED = re.compile(r"authenticat|host key|known_hosts|permission denied|access denied"
                      r"|become \(sudo\) failed|password", re.IGNORECASE)
_ENDPOINT = re.compile(r"endpoint (\S+?)(?:[;,]|$)")
_RATE_KEYS = ("bps_in", "bps_out", "pps_in", "pps_out")
NO_TUNNELS = "no tunnel configured or reported"
NO_FACTS = "no VPN facts and no error reported"
NOT_GATHERED = "gathering has not run or was skipped"


# --- building rows -------------------------------------------------------------------------

def build_rows(data, hosts=None, errors=None, pending=None, thresholds=None, rates=None,
               flaps=None):
    """Rows of a fleet (see inputs.devices for what ``data`` may be)."""
    with cyclic_gc.paused():
        return _build_rows(data, hosts, errors or {}, set(pending or ()), thresholds,
                           _rate_index(rates), _flap_index(flaps))


def _build_rows(data, hosts, errors, pending, thresholds, rates, flaps):
    rows = []
    for device in inputs.devices(data, hosts):
        host = device.host
        if host in errors:
            message = _error_message(host, errors[host])
            status = BLOCKED if _BLOCKED.search(message) else ERROR
            rows.append(_host_row(host, device.platform, status, message))
        elif device.facts is None:
            status = PENDING if host in pending else UNDEFINED
            rows.append(_host_row(host, None, status, NOT_GATHERED if status == PENDING
                                  else NO_FACTS))
        else:
            rows.extend(_device_rows(device, thresholds, rates, flaps))
    return rows


def _error_message(host, value):
    if isinstance(value, Mapping):  # a registered task result
        value = value.get("msg") or "gathering failed"
    if value is None:
        return "gathering failed"
    if not isinstance(value, str):
        raise inputs.InputError("errors[%s] must be a message (a string), got %s"
                                % (host, type(value).__name__))
    return value


def _host_row(host, platform, status, message, last_update=None):
    row = dict.fromkeys(COLUMN_KEYS)
    row.update(host=host, comm_status=status, status_message=message, children=[],
               last_update=last_update, platform=platform, reasons=[], comm_message=message)
    return row


def _device_rows(device, thresholds, rates, flaps):
    facts, host = device.facts, device.host
    fact_errors = facts.get("errors") or []
    if fact_errors:
        status, message = WARNING, "; ".join(_fact_error(error) for error in fact_errors)
    else:
        status, message = OK, None
    collected_at = facts.get("collected_at")
    if not device.tunnels:
        return [_host_row(host, device.platform, status, message or NO_TUNNELS, collected_at)]
    verdicts = health.device_verdicts(facts, thresholds, host)
    return [_tunnel_row(host, device.platform, status, message, collected_at, tunnel, verdict,
                        rates, flaps)
            for tunnel, verdict in zip(device.tunnels, verdicts)]


def _fact_error(error):
    if isinstance(error, Mapping):
        command = error.get("command")
        return "%s: %s" % (command, error.get("message")) if command else str(error.get("message"))
    return str(error)


def _tunnel_row(host, platform, status, message, collected_at, tunnel, verdict, rates, flaps):
    name, kind = tunnel.get("name"), tunnel.get("type")
    ike = tunnel.get("ike") or {}
    children = _children(tunnel, rates, host)
    rate = rates.get((host, name, None)) or {}
    flap = flaps.get((host, name)) or {}
    row = {
        "host": host, "comm_status": status, "name": name, "type": kind,
        "state": tunnel.get("state"), "enabled": tunnel.get("enabled"),
        "status_message": tunnel.get("status_message") or None, "children": children,
        "last_update": collected_at, "platform": platform, "peer": _peer(tunnel, ike),
        "local_address": _local(tunnel, ike), "ike_version": ike.get("version"),
        "ike_algorithms": algorithms_text(ike.get("algorithms")),
        "child_algorithms": _joined_unique(child["algorithms"] for child in children),
        "nat_t": ike.get("nat_t"),
        "spi_in": _joined_unique(child["spi_in"] for child in children),
        "spi_out": _joined_unique(child["spi_out"] for child in children),
        "bytes_in": _total(children, "bytes_in"), "bytes_out": _total(children, "bytes_out"),
        "packets_in": _total(children, "packets_in"),
        "packets_out": _total(children, "packets_out"),
    }
    for key in _RATE_KEYS:
        row[key] = rate.get(key)
    row["rate_note"] = rate.get("note") or ("counter reset" if rate.get("counter_reset") else None)
    row["flaps"] = flap.get("flaps")
    row["last_flap"] = flap.get("last_change")
    row["verdict"] = verdict["verdict"]
    row["reasons"] = list(verdict["reasons"])
    row["comm_message"] = message
    return row


def _children(tunnel, rates, host):
    """Child SAs (IPsec), the peer link (WireGuard) or a server's clients (OpenVPN), one
    shape for all so the HTML shows them alike."""
    name = tunnel.get("name")
    detail = tunnel.get("openvpn") or {}
    if tunnel.get("type") == "openvpn":
        found = [_client(client) for client in detail.get("clients") or ()]
    else:
        found = [_child(child) for child in tunnel.get("children") or ()]
    if rates:
        for child in found:
            rate = rates.get((host, name, child["name"]))
            if rate:
                child["bps_in"], child["bps_out"] = rate.get("bps_in"), rate.get("bps_out")
    return found


def _child(child):
    found = dict.fromkeys(CHILD_KEYS)
    for key in ("name", "state", "rekey_seconds", "lifetime_seconds", "installed_seconds",
                "mode", "protocol", "spi_in", "spi_out", "bytes_in", "bytes_out", "packets_in",
                "packets_out"):
        found[key] = child.get(key)
    found["algorithms"] = algorithms_text(child.get("algorithms"))
    found["local_ts"] = list(child.get("local_ts") or ())
    found["remote_ts"] = list(child.get("remote_ts") or ())
    return found


def _client(client):
    found = dict.fromkeys(CHILD_KEYS)
    found.update(name=client.get("common_name"), state=client.get("state"),
                 bytes_in=client.get("bytes_in"), bytes_out=client.get("bytes_out"),
                 algorithms=client.get("cipher"), connected_since=client.get("connected_since"),
                 address=_address(client.get("real_address"), client.get("real_port")),
                 local_ts=[], remote_ts=[address for address in (
                     client.get("virtual_address"), client.get("virtual_ipv6_address"))
                     if address])
    return found


def _short(value):
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _address(address, port):
    if not address or not port:
        return address
    return "[%s]:%s" % (address, port) if ":" in address else "%s:%s" % (address, port)


def _peer(tunnel, ike):
    kind = tunnel.get("type")
    if kind == "ipsec":
        remote = ike.get("remote") or {}
        return remote.get("address") or remote.get("id")
    if kind == "openvpn":
        state = (tunnel.get("openvpn") or {}).get("client_state") or {}
        return state.get("remote_address")
    found = _ENDPOINT.search(tunnel.get("status_message") or "")
    return found.group(1) if found and found.group(1) != "none" else None


def _local(tunnel, ike):
    if tunnel.get("type") == "ipsec":
        return (ike.get("local") or {}).get("address")
    state = (tunnel.get("openvpn") or {}).get("client_state") or {}
    return state.get("local_address")


def _total(children, key):
    values = [child[key] for child in children if child[key] is not None]
    return sum(values) if values else None


def _joined_unique(values):
    found = []
    for value in values:
        if value and value not in found:
            found.append(value)
    return ", ".join(found) if found else None


def algorithms_text(algorithms):
    """AES-CBC-256/SHA256/PRF-SHA256/group19: cipher with key size, integrity, PRF, DH group."""
    if not algorithms:
        return None
    key = (algorithms.get("encryption"), algorithms.get("key_size"), algorithms.get("integrity"),
           algorithms.get("prf"), algorithms.get("dh_group"))
    found = _ALGORITHMS.get(key, False)
    if found is False:  # a fleet has a handful of combinations: make each text once
        found = _ALGORITHMS[key] = _algorithms_text(*key)
    return found


_ALGORITHMS = {}


def _algorithms_text(encryption, size, integrity, prf, dh_group):
    parts = []
    if encryption:
        parts.append("%s-%s" % (encryption, size) if size and str(size) not in encryption
                     else encryption)
    if integrity:
        parts.append(integrity)
    if prf:
        parts.append(prf if prf.upper().startswith("PRF") else "PRF-%s" % prf)
    if dh_group:
        parts.append(str(dh_group))
    return "/".join(parts) or None


def _rate_index(rates):
    index = {}
    for number, rate in enumerate(rates or ()):
        if not isinstance(rate, Mapping) or "host" not in rate or "tunnel" not in rate:
            raise inputs.InputError("rates[%d] is not a traffic_rates row (a dict with host and"
                                    " tunnel): %s" % (number, _short(rate)))
        index[(rate["host"], rate["tunnel"], rate.get("child"))] = rate
    return index


def _flap_index(flaps):
    index = {}
    for number, flap in enumerate(flaps or ()):
        if not isinstance(flap, Mapping) or "host" not in flap or "tunnel" not in flap:
            raise inputs.InputError("flaps[%d] is not a tunnel_flaps row (a dict with host and"
                                    " tunnel): %s" % (number, _short(flap)))
        index[(flap["host"], flap["tunnel"])] = flap
    return index


# --- reading rows back (the renderers' input) ----------------------------------------------

def check_rows(rows):
    """The renderers' input: a list of report_rows rows. Returns it as a list."""
    if isinstance(rows, (str, bytes)) or not isinstance(rows, (list, tuple)):
        raise inputs.InputError("expected the rows of vpnops.tunnels.report_rows (a list of"
                                " dicts), got %s" % type(rows).__name__)
    for number, row in enumerate(rows):
        if not isinstance(row, Mapping) or "host" not in row or "comm_status" not in row:
            raise inputs.InputError("row %d is not a report_rows row (a dict with host and"
                                    " comm_status): %s" % (number, _short(row)))
    return list(rows)


def is_tunnel_row(row):
    """False for the row of a host that has no tunnel to show."""
    return row.get("name") is not None


def counts(rows):
    """Counts the renderers print: hosts and tunnels, tunnels by state, verdict and type,
    hosts by comm status, and per platform hosts, tunnels and tunnels per verdict."""
    totals = {"hosts": 0, "tunnels": 0, "rows": len(rows)}
    by_state, by_type = {}, {}
    by_verdict = dict.fromkeys(health.VERDICTS, 0)
    by_status = dict.fromkeys(COMM_STATUSES, 0)
    by_platform = {}
    seen = set()
    for row in rows:
        platform = by_platform.setdefault(row.get("platform") or "unknown", dict(
            {"hosts": 0, "tunnels": 0}, **dict.fromkeys(health.VERDICTS, 0)))
        if row["host"] not in seen:
            seen.add(row["host"])
            totals["hosts"] += 1
            platform["hosts"] += 1
            status = row.get("comm_status")
            by_status[status] = by_status.get(status, 0) + 1
        if not is_tunnel_row(row):
            continue
        totals["tunnels"] += 1
        platform["tunnels"] += 1
        state = row.get("state") or "UNDEFINED"
        by_state[state] = by_state.get(state, 0) + 1
        by_type[row.get("type")] = by_type.get(row.get("type"), 0) + 1
        verdict = row.get("verdict")
        if verdict in by_verdict:
            by_verdict[verdict] += 1
            platform[verdict] += 1
    return {"totals": totals, "by_state": by_state, "by_verdict": by_verdict,
            "by_type": by_type, "by_status": by_status, "by_platform": by_platform}


# --- cells as text -------------------------------------------------------------------------

def duration(seconds):
    """Compact and exact: 45s, 33m20s, 1h, 1d2h3m4s."""
    if seconds is None:
        return ""
    seconds = int(seconds)
    if seconds <= 0:
        return "%ds" % seconds
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        amount, seconds = divmod(seconds, size)
        if amount:
            parts.append("%d%s" % (amount, unit))
    return "".join(parts)


def child_text(child):
    """One child compactly: name STATE rekey 33m20s life 50m."""
    text = "%s %s" % (child.get("name"), child.get("state"))
    if child.get("rekey_seconds") is not None:
        text += " rekey %s" % duration(child["rekey_seconds"])
    if child.get("lifetime_seconds") is not None:
        text += " life %s" % duration(child["lifetime_seconds"])
    return text


def children_text(children):
    return " | ".join(child_text(child) for child in children or ())


def number_text(value):
    """Whole numbers as they are; rates to one decimal (trailing .0 dropped)."""
    if isinstance(value, float):
        text = "%.1f" % value
        return text[:-2] if text.endswith(".0") else text
    return str(value)


def cell_text(row, key):
    """A cell as one line of text (CSV, Markdown): None is empty, booleans yes/no, lists
    joined with '; ', children compact."""
    value = row.get(key)
    if value is None:
        return ""
    kind = KINDS.get(key)
    if kind == "children":
        return children_text(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return number_text(value)
    if isinstance(value, (list, tuple)):
        return "; ".join(str(item) for item in value)
    return str(value)


def parse_time(text):
    """An ISO 8601 time as an aware datetime (naive means UTC), or None when it is not one."""
    if not isinstance(text, str) or not text:
        return None
    try:
        found = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=datetime.timezone.utc)


def relative_time(then, now):
    """'5 min ago' (or 'in 5 min' for a time after now); both aware datetimes."""
    seconds = int((now - then).total_seconds())
    ahead, seconds = seconds < 0, abs(seconds)
    if seconds < 60:
        text = "%d s" % seconds
    elif seconds < 3600:
        text = "%d min" % (seconds // 60)
    elif seconds < 86400 * 2:
        text = "%d h" % (seconds // 3600)
    else:
        text = "%d d" % (seconds // 86400)
    if seconds == 0:
        return "now"
    return "in %s" % text if ahead else "%s ago" % text

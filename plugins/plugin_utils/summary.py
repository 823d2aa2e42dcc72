# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet summary: counts by state, platform, type, verdict, severity and rule, and one row
per tunnel (plus one per host without facts) for reports."""

from __future__ import annotations

import re
from collections.abc import Mapping

from ansible_collections.vpnops.tunnels.plugins.module_utils import cyclic_gc
from ansible_collections.vpnops.tunnels.plugins.plugin_utils import health, inputs
from ansible_collections.vpnops.tunnels.plugins.plugin_utils.policy import (
    SEVERITIES,
    SEVERITY_RANK,
)

NO_FACTS = "NO FACTS"
_ENDPOINT = re.compile(r"endpoint (\S+?)(?:[;,]|$)")


def _peer(tunnel):
    kind = tunnel.get("type")
    if kind == "ipsec":
        remote = (tunnel.get("ike") or {}).get("remote") or {}
        return remote.get("address") or remote.get("id")
    if kind == "openvpn":
        detail = tunnel.get("openvpn") or {}
        if detail.get("role") == "server":
            count = len(detail.get("clients") or ())
            return "%d client%s" % (count, "" if count == 1 else "s")
        return (detail.get("client_state") or {}).get("remote_address")
    found = _ENDPOINT.search(tunnel.get("status_message") or "")
    return found.group(1) if found else None


def _children(tunnel):
    """(up, total): child SAs for IPsec, clients for an OpenVPN server, else the link."""
    kind = tunnel.get("type")
    if kind == "ipsec":
        children = tunnel.get("children") or ()
        return sum(1 for c in children if c.get("state") in health.CHILD_UP), len(children)
    detail = tunnel.get("openvpn") or {}
    if kind == "openvpn" and detail.get("role") == "server":
        clients = detail.get("clients") or ()
        return sum(1 for c in clients if c.get("state") == "CONNECTED"), len(clients)
    return (1 if tunnel.get("state") == "UP" else 0), 1


def _finding_index(findings):
    """(host, tunnel) -> [count, worst severity]; host -> same for host-wide findings."""
    index = {}
    for number, finding in enumerate(findings or ()):
        if not isinstance(finding, Mapping) or finding.get("severity") not in SEVERITY_RANK:
            raise inputs.InputError("findings[%d] is not a finding with a severity (one of %s)"
                                    % (number, ", ".join(SEVERITIES)))
        key = (finding.get("host"), finding.get("tunnel"))
        entry = index.setdefault(key, [0, None])
        entry[0] += 1
        if entry[1] is None or SEVERITY_RANK[finding["severity"]] > SEVERITY_RANK[entry[1]]:
            entry[1] = finding["severity"]
    return index


def summarize(data, findings=None, thresholds=None, hosts=None, errors=None):
    """Counts and rows of a fleet (see inputs.devices); findings from compliance."""
    with cyclic_gc.paused():
        return _summarize(data, findings, thresholds, hosts, errors)


def _summarize(data, findings, thresholds, hosts, errors):
    fleet = inputs.devices(data, hosts)
    findings = list(findings or ())
    index = _finding_index(findings)
    errors = errors or {}
    totals = {"hosts": len(fleet), "hosts_with_facts": 0, "hosts_without_facts": 0,
              "tunnels": 0, "children": 0, "children_up": 0, "findings": len(findings)}
    by_state, by_platform, by_type = {}, {}, {}
    by_verdict = dict.fromkeys(health.VERDICTS, 0)
    by_severity = dict.fromkeys(reversed(SEVERITIES), 0)
    by_rule = {}
    for finding in findings:
        by_severity[finding["severity"]] += 1
        by_rule[finding.get("rule")] = by_rule.get(finding.get("rule"), 0) + 1
    rows = []
    for device in fleet:
        host = device.host
        if device.facts is None:
            totals["hosts_without_facts"] += 1
            count, worst = index.get((host, None), (0, None))
            rows.append(_row(host, None, {"name": None, "type": None, "state": NO_FACTS},
                             {"verdict": health.UNKNOWN, "reasons": [
                                 errors.get(host) or "no VPN facts: gathering failed or the"
                                 " host was unreachable"]}, count, worst))
            continue
        totals["hosts_with_facts"] += 1
        platform = device.platform
        per_platform = by_platform.setdefault(platform, dict(
            {"hosts": 0, "tunnels": 0}, **dict.fromkeys(health.VERDICTS, 0)))
        per_platform["hosts"] += 1
        verdicts = health.device_verdicts(device.facts, thresholds, host)
        for tunnel, verdict in zip(device.tunnels, verdicts):
            state, kind = tunnel.get("state"), tunnel.get("type")
            totals["tunnels"] += 1
            by_state[state] = by_state.get(state, 0) + 1
            by_type[kind] = by_type.get(kind, 0) + 1
            by_verdict[verdict["verdict"]] += 1
            per_platform["tunnels"] += 1
            per_platform[verdict["verdict"]] += 1
            count, worst = index.get((host, tunnel.get("name")), (0, None))
            row = _row(host, platform, tunnel, verdict, count, worst)
            totals["children"] += row["children"]["total"] if kind == "ipsec" else 0
            totals["children_up"] += row["children"]["up"] if kind == "ipsec" else 0
            rows.append(row)
    return {"totals": totals, "by_state": by_state, "by_platform": by_platform,
            "by_type": by_type, "by_verdict": by_verdict, "by_severity": by_severity,
            "by_rule": by_rule, "rows": rows}


def _row(host, platform, tunnel, verdict, findings, worst):
    if tunnel.get("state") == NO_FACTS:
        up, total, peer = 0, 0, None
    else:
        (up, total), peer = _children(tunnel), _peer(tunnel)
    return {
        "host": host, "platform": platform, "name": tunnel.get("name"),
        "type": tunnel.get("type"), "state": tunnel.get("state"),
        "native_state": tunnel.get("native_state"), "verdict": verdict["verdict"],
        "reasons": list(verdict["reasons"]), "peer": peer,
        "children": {"up": up, "total": total, "text": "%d/%d" % (up, total)},
        "status_message": tunnel.get("status_message"),
        "findings": findings, "worst_severity": worst,
    }

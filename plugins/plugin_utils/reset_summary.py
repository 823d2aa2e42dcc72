# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reset role's closing re-audit: what the resets fixed, what is still broken, what the
redundancy guard refused and what waited for its maintenance window, judged on facts read
after the resets."""

from __future__ import annotations

from ansible_collections.vpnops.tunnels.plugins.plugin_utils import health, inputs, reset_runner


def _result_of(record):
    result = record.get("result") or {}
    return result if isinstance(result, dict) else {}


def summarize(data, records, limits, hosts=None, errors_after=None):
    """records: host -> {candidates: [names], result: the vpn_reset result (or {}),
    error: why the host could not be read before the reset (or None)}.
    errors_after: host -> why it could not be read after. Returns the summary dict."""
    errors_after = errors_after or {}
    fleet = inputs.devices(data, hosts if hosts is not None else list(records))
    summary = {"fixed": [], "still_broken": [], "refused": [], "outside_window": [],
               "recovered_without_reset": [], "unreachable": []}
    for device in fleet:
        record = records.get(device.host) or {}
        result = _result_of(record)
        if record.get("error") or device.host in errors_after:
            summary["unreachable"].append({
                "host": device.host,
                "error": record.get("error") or errors_after[device.host],
                "tunnels": list(record.get("candidates") or ())})
            continue
        fresh = reset_runner.unit_verdicts(device.facts, limits, device.host) \
            if device.facts is not None else {}
        refused = {r.get("tunnel"): r for r in result.get("refused") or ()}
        waiting = result.get("outside_window") or {}
        times = {t.get("name"): t.get("seconds") for t in result.get("tunnels") or ()}
        for name in record.get("candidates") or ():
            now = fresh.get(name) or {"verdict": health.DOWN, "reasons": ["not on the device"]}
            entry = {"host": device.host, "tunnel": name, "verdict": now["verdict"],
                     "reasons": list(now.get("reasons") or ())}
            if name in refused:
                summary["refused"].append(dict(entry, reason=refused[name].get("reason")))
            elif waiting:
                summary["outside_window"].append(dict(entry, opens_at=waiting.get("opens_at")))
            elif now["verdict"] != health.OPERATIONAL:
                summary["still_broken"].append(dict(
                    entry, reset=name in (result.get("reset") or ()),
                    error=None if name in (result.get("reset") or ()) or not result.get("msg")
                    else result.get("msg")))
            elif name in (result.get("reset") or ()):
                summary["fixed"].append(dict(entry, seconds=times.get(name)))
            else:
                summary["recovered_without_reset"].append(entry)
    summary["counts"] = {key: len(value) for key, value in summary.items()}
    return summary

# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Report rows as a short Markdown summary for a merge-request comment or a chat message:
the counts, then what needs attention - hosts that could not be read and tunnels that are
not OPERATIONAL, worst first - then alerts (worst severity first) and events, each table
cut at ``limit`` rows.

Device text is escaped: the characters that format, link, open an HTML tag, split a table
cell or reference someone (backslash ` * _ [ ] < > | @ # ! ~ &) get a backslash, which CommonMark
shows as the character itself; line breaks become spaces; long messages are shortened.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ansible_collections.vpnops.tunnels.plugins.plugin_utils import health, inputs, report
from ansible_collections.vpnops.tunnels.plugins.plugin_utils.policy import SEVERITY_RANK

# what could format, link, tag, split a table cell, or reference someone or something
# (GitLab: @user, #issue, !merge request, ~label, &epic)
_SPECIAL = re.compile(r"([\\`*_\[\]<>|@#!~&])")
_SPACE = re.compile(r"\s+")
MAX_TEXT = 160
# hosts that show nothing first (their tunnels are unknown), then tunnels, worst first
_HOST_RANK = {report.ERROR: 0, report.BLOCKED: 0, report.UNDEFINED: 1, report.PENDING: 1,
              report.WARNING: 2}


def escape(value, limit=MAX_TEXT):
    """One table cell: one line, shortened to ``limit`` characters, punctuation escaped."""
    if value is None:
        return ""
    text = _SPACE.sub(" ", str(value)).strip()
    if len(text) > limit:
        text = text[:limit - 3].rstrip() + "..."
    return _SPECIAL.sub(r"\\\1", text)


def render(rows, title="VPN tunnels", events=None, alerts=None, limit=50):
    rows = report.check_rows(rows)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise inputs.InputError("limit must be a whole number >= 0, got %r" % (limit,))
    events = _as_list(events, "events")
    alerts = _as_list(alerts, "alerts")
    counts = report.counts(rows)
    lines = ["### %s" % escape(title), ""]
    lines.extend(_counts(counts))
    lines.extend(_attention(rows, limit))
    if alerts:
        worst_first = sorted(alerts, key=lambda alert: -SEVERITY_RANK.get(alert.get("severity"), -1))
        lines.extend(_table("Alerts", len(alerts), ("Severity", "Host", "Tunnel", "Rule", "Message"),
                            [(a.get("severity"), a.get("host"), _tunnel(a), a.get("rule"),
                              a.get("message")) for a in worst_first[:limit]], limit))
    if events:
        lines.extend(_table("Events", len(events), ("Time", "Host", "Tunnel", "Event", "Message"),
                            [(e.get("time"), e.get("host"), _tunnel(e), e.get("event"),
                              e.get("message")) for e in events[:limit]], limit))
    return "\n".join(lines).rstrip("\n") + "\n"


def _as_list(items, name):
    if items is None:
        return []
    if isinstance(items, (str, bytes)) or not isinstance(items, (list, tuple)):
        raise inputs.InputError("%s must be a list, got %s" % (name, type(items).__name__))
    for number, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise inputs.InputError("%s[%d] is not a dict, got %s" % (name, number, type(item).__name__))
    return list(items)


def _tunnel(item):
    tunnel = item.get("tunnel") or ""
    return "%s/%s" % (tunnel, item["child"]) if item.get("child") else tunnel


def _counts(counts):
    totals, by_verdict = counts["totals"], counts["by_verdict"]
    tunnels = totals["tunnels"]
    hosts = totals["hosts"]
    head = "**%d tunnel%s on %d host%s**" % (tunnels, "" if tunnels == 1 else "s",
                                             hosts, "" if hosts == 1 else "s")
    lines = [head + ": " + ", ".join("%s %d" % (verdict, by_verdict[verdict])
                                     for verdict in health.VERDICTS)]
    statuses = ", ".join("%s %d" % (status, count) for status, count in counts["by_status"].items()
                         if count)
    if statuses:
        lines.append("")
        lines.append("Hosts by comm. status: %s" % statuses)
    lines.append("")
    return lines


def _attention(rows, limit):
    problems = [row for row in rows if _problem_rank(row) is not None]
    if not problems:
        return ["All tunnels OPERATIONAL, every host read.", ""]
    problems.sort(key=_problem_rank)
    cells = []
    for row in problems[:limit]:
        if report.is_tunnel_row(row):
            reason = (row.get("reasons") or [""])[0]
            cells.append((row["host"], row.get("name"), row.get("state"), row.get("verdict"), reason))
        else:
            cells.append((row["host"], "", row.get("comm_status"), "", row.get("comm_message")
                          or row.get("status_message")))
    return _table("Needs attention", len(problems), ("Host", "Tunnel", "State", "Health", "Reason"),
                  cells, limit)


def _problem_rank(row):
    """None for a row that needs no attention, else a sort key (worst first)."""
    if not report.is_tunnel_row(row):
        rank = _HOST_RANK.get(row.get("comm_status"))
        return None if rank is None else (rank, 0)
    verdict = row.get("verdict")
    if verdict == health.OPERATIONAL:
        return None
    return (3, -health.VERDICT_RANK.get(verdict, 1))


def _table(title, total, headers, cells, limit):
    lines = ["#### %s (%d)" % (title, total), ""]
    if cells:
        lines.append("| %s |" % " | ".join(headers))
        lines.append("|%s" % ("---|" * len(headers)))
        for row in cells:
            lines.append("| %s |" % " | ".join(escape(cell) for cell in row))
    if total > limit:
        lines.append("")
        lines.append("... and %d more (see the full report)." % (total - min(limit, total)))
    lines.append("")
    return lines

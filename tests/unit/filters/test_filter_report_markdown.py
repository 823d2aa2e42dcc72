# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""report_markdown: counts that match the rows, what needs attention first and worst first,
tables cut at the limit, device text that cannot break the Markdown."""

from __future__ import annotations

import re

import pytest
from ansible.errors import AnsibleFilterError

import filter_examples as ex
from ansible_collections.vpnops.tunnels.plugins.filter.report_markdown import FilterModule as MdFilters
from ansible_collections.vpnops.tunnels.plugins.filter.report_rows import FilterModule as RowFilters

report_markdown = MdFilters().filters()["report_markdown"]
report_rows = RowFilters().filters()["report_rows"]

ERRORS = {"gone": "gone: cannot reach netops@192.0.2.99:22: connection timed out after 10s",
          "locked": "locked: authentication failed for netops@192.0.2.98:22"}


def fleet_rows():
    fleet = ex.fleet()
    hostvars = ex.hostvars(dict(fleet, gone=None, locked=None))
    return report_rows(hostvars, errors=ERRORS, hosts=list(fleet) + ["gone", "locked"])


def table(text, title):
    """The rows of the table under '#### title (N)' as lists of cells, and N."""
    found = re.search(r"^#### %s \((\d+)\)\n\n((?:\|.*\n)*)" % re.escape(title), text, re.MULTILINE)
    assert found, title
    lines = found.group(2).splitlines()[2:]
    return [[cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]] for line in lines], int(found.group(1))


def test_counts_match_the_rows():
    rows = fleet_rows()
    text = report_markdown(rows, title="VPN audit")
    tunnels = [row for row in rows if row["name"] is not None]
    verdicts = {verdict: sum(1 for row in tunnels if row["verdict"] == verdict)
                for verdict in ("OPERATIONAL", "DEGRADED", "DOWN", "UNKNOWN")}
    assert verdicts == {"OPERATIONAL": 49, "DEGRADED": 11, "DOWN": 41, "UNKNOWN": 0}
    assert text.startswith("### VPN audit\n\n**101 tunnels on 22 hosts**: OPERATIONAL 49, DEGRADED 11,"
                           " DOWN 41, UNKNOWN 0\n")
    assert "Hosts by comm. status: Ok 20, Error 1, Blocked 1\n" in text
    problems, total = table(text, "Needs attention")
    assert total == 2 + verdicts["DEGRADED"] + verdicts["DOWN"] == 54
    assert len(problems) == 50  # the default limit
    assert "... and 4 more (see the full report)." in text


def test_hosts_first_then_the_worst_tunnels():
    problems, _total = table(report_markdown(fleet_rows(), limit=200), "Needs attention")
    assert [(cells[0], cells[2]) for cells in problems[:2]] == [("gone", "Error"), ("locked", "Blocked")]
    assert "cannot reach netops\\@192.0.2.99:22" in problems[0][4]
    health = [cells[3] for cells in problems[2:]]
    assert health == sorted(health, key=["DOWN", "DEGRADED", "UNKNOWN"].index)
    assert health.count("DOWN") == 41 and health.count("DEGRADED") == 11
    down = [cells for cells in problems if cells[1] == "203.0.113.12" and cells[0] == "cisco\\_ios-0"]
    assert down[0][4] == "phase 1 not established: stopped at MM\\_KEY\\_EXCH"


def test_limit_cuts_every_table():
    events = [{"time": "2026-01-01T00:0%d:00Z" % n, "host": "gw", "tunnel": "t%d" % n, "child": None,
               "event": "phase1_down", "old_state": "ESTABLISHED", "new_state": "DOWN",
               "message": "went down"} for n in range(5)]
    alerts = [{"host": "gw", "tunnel": "t%d" % n, "child": "c", "rule": "min_bps", "severity": severity,
               "message": "0 bit/s in", "value": 0, "threshold": 10}
              for n, severity in enumerate(("low", "medium", "critical", "high"))]
    text = report_markdown(fleet_rows(), events=events, alerts=alerts, limit=3)
    for title, total in (("Needs attention", 54), ("Events", 5), ("Alerts", 4)):
        cells, found = table(text, title)
        assert (len(cells), found) == (3, total), title
    assert table(text, "Alerts")[0][0] == ["critical", "gw", "t2/c", "min\\_bps", "0 bit/s in"]
    assert [cells[0] for cells in table(text, "Alerts")[0]] == ["critical", "high", "medium"]
    assert table(text, "Events")[0][2] == ["2026-01-01T00:02:00Z", "gw", "t2", "phase1\\_down", "went down"]
    assert text.index("#### Needs attention") < text.index("#### Alerts") < text.index("#### Events")
    assert "... and 2 more" in text and "... and 1 more" in text


def test_all_well():
    tunnel = ex.established("to-dc")
    text = report_markdown(report_rows({"gw": ex.device("strongswan", host="gw", tunnels=[tunnel])}))
    assert "**1 tunnel on 1 host**: OPERATIONAL 1, DEGRADED 0, DOWN 0, UNKNOWN 0" in text
    assert "All tunnels OPERATIONAL, every host read." in text and "####" not in text


def test_device_text_cannot_break_the_markdown():
    tunnel = ex.established("a|b <script>x</script> [l](http://x.invalid) *b* @all #1")
    tunnel["ike"]["state"] = "x"
    tunnel["state"] = "CONNECTING"
    tunnel["children"] = []
    rows = report_rows({"gw\nx": ex.device("strongswan", host="gw", tunnels=[tunnel])})
    text = report_markdown(rows)
    problems, _total = table(text, "Needs attention")
    assert len(problems) == 1 and len(problems[0]) == 5
    name = problems[0][1]
    assert name == ("a\\|b \\<script\\>x\\</script\\> \\[l\\](http://x.invalid) \\*b\\* \\@all \\#1")
    assert problems[0][0] == "gw x"
    assert "<script>" not in text and "\n|" not in text.replace("\n| ", "").replace("\n|---", "")


def test_long_messages_are_shortened():
    rows = report_rows({"gw": None}, errors={"gw": "x" * 500})
    problems, _total = table(report_markdown(rows), "Needs attention")
    assert problems[0][4] == "x" * 157 + "..."


@pytest.mark.parametrize("data, kwargs, message", [
    ("rows", {}, "expected the rows of vpnops.tunnels.report_rows"),
    ([], {"limit": -1}, "limit must be a whole number >= 0"),
    ([], {"events": [3]}, "option 'events' is of type int"),
    ([], {"limits": 3}, "unknown argument limits"),
])
def test_bad_input_is_a_filter_error(data, kwargs, message):
    with pytest.raises(AnsibleFilterError, match="report_markdown: .*" + message):
        report_markdown(data, **kwargs)

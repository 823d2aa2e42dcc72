# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""report_html: a page that fetches nothing, escapes hostile device text, holds every row
with its values, counts right, and whose inline script and style its own policy allows."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
from html.parser import HTMLParser

import pytest
from ansible.errors import AnsibleFilterError

import filter_examples as ex
from ansible_collections.vpnops.tunnels.plugins.filter.report_html import FilterModule as HtmlFilters
from ansible_collections.vpnops.tunnels.plugins.filter.report_rows import FilterModule as RowFilters
from ansible_collections.vpnops.tunnels.plugins.plugin_utils import report, report_html as page

report_html = HtmlFilters().filters()["report_html"]
report_rows = RowFilters().filters()["report_rows"]

GENERATED = "2026-01-01T00:05:00Z"  # the examples' facts are collected at 00:00:00
URL_ATTRIBUTES = ("src", "href", "action", "formaction", "poster", "data", "srcset", "background",
                  "xlink:href", "ping", "manifest", "codebase", "cite")
NETWORK = re.compile(r"^\s*(https?:|ftp:|wss?:|//)", re.IGNORECASE)
HOSTILE_NAME = "<script>alert('name')</script>"
HOSTILE_HOST = "\"><img src=x onerror=alert(1)>"
HOSTILE_MESSAGE = "</script><script>alert('message')</script>"


class Page(HTMLParser):
    """Every element with its attributes, the text of each script and style, and the main
    table's rows as lists of cell texts (with each cell's attributes)."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.elements, self.scripts, self.styles = [], [], []
        self.rows, self.stack = [], []
        self._raw = None
        self._in_tunnels = self._in_body = False
        self._cell = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if tag in ("script", "style"):
            self._raw = (tag, attributes, [])
        if tag == "table" and attributes.get("id") == "tunnels":
            self._in_tunnels = True
        if self._in_tunnels and tag == "tbody":
            self._in_body = True
        if self._in_body and tag == "tr":
            self.rows.append({"attrs": attributes, "cells": []})
        if self._in_body and tag == "td":
            self._cell = {"attrs": attributes, "text": [], "inner": []}
        elif self._cell is not None:
            self._cell["inner"].append((tag, attributes))

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._raw:
            kind, attributes, parts = self._raw
            (self.scripts if kind == "script" else self.styles).append((attributes, "".join(parts)))
            self._raw = None
        if tag == "tbody":
            self._in_body = self._in_tunnels = False
        if tag == "td" and self._cell is not None:
            self._cell["text"] = "".join(self._cell["text"])
            self.rows[-1]["cells"].append(self._cell)
            self._cell = None

    def handle_data(self, data):
        if self._raw:
            self._raw[2].append(data)
        elif self._cell is not None:
            self._cell["text"].append(data)

    def data(self):
        found = [text for attributes, text in self.scripts if attributes.get("type") == "application/json"]
        assert len(found) == 1
        return json.loads(found[0])


def fleet_rows(**kwargs):
    hostvars = ex.hostvars(dict(ex.fleet(), gone=None))
    return report_rows(hostvars, errors={"gone": "gone: cannot reach netops@192.0.2.99:22"},
                       hosts=list(ex.fleet()) + ["gone"], **kwargs)


def hostile_rows():
    tunnel = ex.established(HOSTILE_NAME)
    tunnel["status_message"] = HOSTILE_MESSAGE
    tunnel["children"][0]["name"] = "<b>child</b>"
    return report_rows({HOSTILE_HOST: ex.device("strongswan", host="x", tunnels=[tunnel])})


def column(key):
    return report.COLUMN_KEYS.index(key)


def test_nothing_is_fetched_from_the_network():
    html = report_html(fleet_rows(), title="http://example.invalid/ in the title is text",
                       generated_at=GENERATED)
    parsed = Page(html)
    for tag, attributes in parsed.elements:
        for name in URL_ATTRIBUTES:
            value = attributes.get(name)
            assert value is None or not NETWORK.match(value), (tag, name, value)
            if tag in ("script", "img", "iframe", "embed", "object", "audio", "video", "source"):
                assert name != "src" or value is None, (tag, value)
        if tag == "link":
            assert attributes.get("href", "").startswith("data:"), attributes
    for _attributes, text in parsed.styles:
        assert "url(" not in text and "@import" not in text and "http" not in text
    code = [text for attributes, text in parsed.scripts if attributes.get("type") != "application/json"]
    assert len(code) == 1
    for word in ("http", "fetch(", "XMLHttpRequest", "import(", "WebSocket", "sendBeacon", ".src"):
        assert word not in code[0], word


def test_the_policy_allows_exactly_the_inline_script_and_style():
    parsed = Page(report_html(fleet_rows(), generated_at=GENERATED))
    policy = [a["content"] for tag, a in parsed.elements
              if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert len(policy) == 1
    directives = dict(part.strip().split(" ", 1) for part in policy[0].split(";"))
    assert directives["default-src"] == "'none'"

    def digest(text):
        return "'sha256-%s'" % base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()

    code = [text for attributes, text in parsed.scripts if attributes.get("type") != "application/json"]
    assert directives["script-src"] == digest(code[0])
    assert directives["style-src"] == digest(parsed.styles[0][1])


def test_hostile_names_are_text():
    rows = hostile_rows()
    parsed = Page(report_html(rows, title="<i>title</i>", generated_at=GENERATED))
    tags = [tag for tag, _attributes in parsed.elements]
    assert tags.count("script") == 2 and "img" not in tags and "b" not in tags and "i" not in tags
    assert not any(name.startswith("on") for _tag, attributes in parsed.elements for name in attributes)
    cells = parsed.rows[0]["cells"]
    assert cells[column("host")]["text"] == HOSTILE_HOST
    assert cells[column("name")]["text"] == HOSTILE_NAME
    assert cells[column("status_message")]["text"] == HOSTILE_MESSAGE
    children = cells[column("children")]["inner"]
    assert children[0][0] == "span" and "<b>child</b> INSTALLED" in children[0][1]["title"]
    data = parsed.data()
    assert data["f"][0][column("name")] == HOSTILE_NAME.lower()
    raw = report_html(rows, generated_at=GENERATED)
    block = raw[raw.index('<script type="application/json"'):]
    block = block[:block.index("</script>")]
    assert "<" not in block[1:] and ">" not in block[block.index(">") + 1:]


def test_every_row_is_in_the_table_with_its_values():
    rows = fleet_rows()
    parsed = Page(report_html(rows, generated_at=GENERATED))
    assert len(parsed.rows) == len(rows) == 102
    for index, (row, shown) in enumerate(zip(rows, parsed.rows)):
        cells = shown["cells"]
        assert len(cells) == len(report.COLUMNS)
        assert cells[column("host")]["text"] == row["host"]
        assert cells[column("name")]["text"] == (row["name"] or "")
        assert cells[column("state")]["text"] == (row["state"] or "")
        assert cells[column("peer")]["text"] == (row["peer"] or "")
        if row["bytes_in"] is not None:
            assert int(cells[column("bytes_in")]["text"].replace(",", "")) == row["bytes_in"]
        assert ("hidden" in shown["attrs"]) == (index >= page.PAGE_SIZE)  # the first page shows
    data = parsed.data()
    assert len(data["f"]) == len(data["k"]) == len(rows)
    bytes_key = data["keyed"].index(column("bytes_in"))
    assert [keys[bytes_key] for keys in data["k"]] == [row["bytes_in"] for row in rows]


def test_last_update_is_relative_with_the_exact_time_on_hover():
    parsed = Page(report_html(fleet_rows(), generated_at=GENERATED))
    cell = parsed.rows[0]["cells"][column("last_update")]
    assert (cell["text"], cell["attrs"]["title"]) == ("5 min ago", "2026-01-01T00:00:00Z")
    later = Page(report_html(fleet_rows(), generated_at="2026-01-03T01:00:00+00:00"))
    assert later.rows[0]["cells"][column("last_update")]["text"] == "2 d ago"
    assert later.rows[-1]["cells"][column("last_update")]["text"] == ""  # the host without facts


def test_children_details_and_health_reasons_on_hover():
    rows = fleet_rows()
    parsed = Page(report_html(rows, generated_at=GENERATED))
    for row, shown in zip(rows, parsed.rows):
        inner = shown["cells"][column("children")]["inner"]
        if not row["children"]:
            assert inner == []
            continue
        title = inner[0][1]["title"]
        assert len(title.split("\n")) == len(row["children"])
        for child, line in zip(row["children"], title.split("\n")):
            assert line.startswith("%s %s" % (child["name"], child["state"]))
        health = shown["cells"][column("verdict")]
        assert health["attrs"]["class"] == "v-" + row["verdict"].lower()
        if row["verdict"] != "OPERATIONAL":
            assert health["attrs"]["title"] == "; ".join(row["reasons"])


def test_summary_counts():
    rows = fleet_rows()
    html = report_html(rows, generated_at=GENERATED)
    tunnels = [row for row in rows if row["name"] is not None]

    def card(card_id):
        section = html[html.index('id="%s"' % card_id):]
        section = section[:section.index("</table>")]
        return {key: int(value) for key, value in re.findall(
            r"<tr><th[^>]*>([^<]+)</th><td[^>]*>(?:<button[^>]*>)?(\d+)", section)}

    assert card("by-verdict") == {verdict: sum(1 for row in tunnels if row["verdict"] == verdict)
                                  for verdict in ("OPERATIONAL", "DEGRADED", "DOWN", "UNKNOWN")}
    assert sum(card("by-verdict").values()) == 101
    states = {}
    for row in tunnels:
        states[row["state"]] = states.get(row["state"], 0) + 1
    assert card("by-state") == states
    assert card("by-status") == {"Ok": 20, "Error": 1, "Undefined": 0, "Pending": 0, "Warning": 0,
                                 "Blocked": 0}
    platforms = re.findall(r'data-q="=(\w*)">(\w+)</button></td><td class="n">(\d+)</td>'
                           r'<td class="n">(\d+)</td>', html)
    assert ("cisco_ios", "cisco_ios", "2", "9") in platforms
    assert ("", "unknown", "1", "0") in platforms


def test_a_large_report_shows_the_first_page_and_keeps_every_row():
    facts = ex.device("cisco_asa", 0, host="big")
    facts["tunnels"] = [dict(copy.deepcopy(facts["tunnels"][index % 4]), name="t%03d" % index)
                        for index in range(page.PAGE_SIZE + 20)]
    parsed = Page(report_html(report_rows({"big": facts}), generated_at=GENERATED))
    assert len(parsed.rows) == page.PAGE_SIZE + 20
    hidden = ["hidden" in row["attrs"] for row in parsed.rows]
    assert hidden == [False] * page.PAGE_SIZE + [True] * 20


def test_events_and_alerts_sections():
    events = [{"time": "2026-01-01T00:04:00Z", "host": "gw1", "tunnel": "to-dc", "child": "net",
               "event": "phase2_down", "old_state": "INSTALLED", "new_state": "DOWN",
               "message": "child SA net went down <now>"}]
    alerts = [{"host": "gw1", "tunnel": "to-dc", "child": None, "rule": "min_bps", "severity": "high",
               "message": "0 bit/s in (under 10)", "value": 0, "threshold": 10.5}]
    html = report_html(fleet_rows(), generated_at=GENERATED, events=events, alerts=alerts)
    assert '<section id="events">' in html and '<section id="alerts">' in html
    assert "child SA net went down &lt;now&gt;" in html
    assert '<td title="2026-01-01T00:04:00Z">1 min ago</td>' in html
    assert "INSTALLED -&gt; DOWN" in html
    assert '<td class="sev-high">high</td>' in html and "<td>10.5</td>" in html
    bare = report_html(fleet_rows(), generated_at=GENERATED)
    assert 'id="events"' not in bare and 'id="alerts"' not in bare


@pytest.mark.parametrize("data, kwargs, message", [
    ({"rows": []}, {}, "expected the rows of vpnops.tunnels.report_rows"),
    ([], {"generated_at": "yesterday"}, "generated_at must be an ISO 8601 time"),
    ([], {"events": ["x"]}, "option 'events' is of type str"),
    ([], {"alerts": [{"host": "a"}], "titel": "x"}, "unknown argument titel"),
])
def test_bad_input_is_a_filter_error(data, kwargs, message):
    with pytest.raises(AnsibleFilterError, match="report_html: .*" + message):
        report_html(data, **kwargs)

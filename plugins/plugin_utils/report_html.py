# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Report rows as one self-contained HTML page: summary counts, a table of every tunnel
that sorts and filters in the browser, child SA details on demand, events and alerts.

Self-contained: the CSS and the script are inline, nothing is fetched (a Content Security
Policy in the page forbids every fetch and allows only that one script and style, by their
hashes, so even text that escaped escaping could not run). Rendered by a Jinja2 Environment
with autoescape on; device text is never pasted into markup by hand.

Built for 10,000 rows and more. Every row is in the page (rendered once, here), but only
one page of them (PAGE_SIZE, the reader can choose more) is on screen: laying out a table
costs the browser about a millisecond per new row, so 10,000 visible rows would take
seconds per keystroke. The script reads the cells' lowercase text and sort keys from a
JSON block made here, so a keystroke (debounced) compares strings over all rows, then
shows or hides only the rows that join or leave the page, and never reads layout in between.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
from collections.abc import Mapping

from ansible_collections.vpnops.tunnels.plugins.module_utils import cyclic_gc
from ansible_collections.vpnops.tunnels.plugins.plugin_utils import health, inputs, report
from ansible_collections.vpnops.tunnels.plugins.plugin_utils.report_html_template import (
    ROW_CELLS_MARK,
    SCRIPT,
    STYLE,
    TEMPLATE,
    row_cells,
)

# shown without "Show detail columns"; the others are in the page but hidden until asked for
MAIN_COLUMNS = frozenset(("host", "comm_status", "name", "type", "state", "enabled",
                          "status_message", "children", "last_update", "platform", "peer",
                          "bytes_in", "bytes_out", "bps_in", "bps_out", "flaps", "verdict"))
# rows on screen at once: the browser lays out only these (10,000 visible rows take seconds)
PAGE_SIZE = 100
PAGE_SIZES = (100, 200, 500, 1000, 0)  # 0: all
# columns whose sort key is a number (the others sort by their text)
_KEYED_KINDS = ("num", "date", "children")
CHILD_UP = health.CHILD_UP | {"CONNECTED"}
EVENT_KEYS = ("time", "host", "tunnel", "child", "event", "old_state", "new_state", "message")
ALERT_KEYS = ("severity", "host", "tunnel", "child", "rule", "message", "value", "threshold")


def render(rows, title="VPN tunnels", generated_at=None, events=None, alerts=None):
    rows = report.check_rows(rows)
    events = _check_list(events, "events", "tunnel_events")
    alerts = _check_list(alerts, "alerts", "rate_alerts")
    now, generated_text = _generated(generated_at)
    with cyclic_gc.paused():
        context = _context(rows, title, now, generated_text, events, alerts)
        return _template().render(context)


_TEMPLATE = []


def _template():
    """The page template, compiled once per process. Autoescape is on: every value is
    escaped for HTML unless it is Markup made here (the style, the script, the JSON)."""
    if not _TEMPLATE:
        import jinja2  # Ansible's own dependency; imported late so the filter loads fast

        environment = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True,
                                         undefined=jinja2.StrictUndefined)
        source = TEMPLATE.replace(ROW_CELLS_MARK, row_cells(kind for _key, kind in _PLAN))
        _TEMPLATE.append(environment.from_string(source))
    return _TEMPLATE[0]


def _generated(generated_at):
    if generated_at in (None, ""):
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        return now, now.isoformat().replace("+00:00", "Z")
    now = report.parse_time(str(generated_at))
    if now is None:
        raise inputs.InputError("generated_at must be an ISO 8601 time like"
                                " 2026-11-21T18:00:00Z, got %r" % (generated_at,))
    return now, str(generated_at)


def _check_list(items, name, producer):
    if items is None:
        return []
    if isinstance(items, (str, bytes, Mapping)) or not isinstance(items, (list, tuple)):
        raise inputs.InputError("%s must be a list (of %s rows), got %s"
                                % (name, producer, type(items).__name__))
    for number, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise inputs.InputError("%s[%d] is not a %s row (a dict), got %s"
                                    % (name, number, producer, type(item).__name__))
    return list(items)


# --- the page's data ------------------------------------------------------------------------

def _columns():
    return [{"index": index, "key": key, "title": title, "kind": kind,
             "filter": kind != "children"}
            for index, (key, title, kind) in enumerate(report.COLUMNS)]


# how each column's cell is made and shown: most are plain text; these carry more
_CELL_KINDS = dict(report.KINDS, comm_status="status", verdict="verdict")
_PLAN = tuple((key, _CELL_KINDS[key]) for key in report.COLUMN_KEYS)
_KEYED = tuple(index for index, (_key, kind) in enumerate(_PLAN) if kind in _KEYED_KINDS)
_EMPTY = {"date": ("", ""), "status": ("", ""), "verdict": ("", "", ""), "children": None}


def _column_style(columns):
    """Detail columns hidden and numbers right-aligned by position: one rule per column
    instead of a class on each of 300,000 cells."""
    rules = []
    for column in columns:
        child = ":nth-child(%d)" % (column["index"] + 1)
        if column["key"] not in MAIN_COLUMNS:
            rules.append("#tunnels.brief tr>%s{display:none}" % child)
        if column["kind"] == "num":
            rules.append("#tunnels tbody td%s{text-align:right}" % child)
    return "\n".join(rules)


def _context(rows, title, now, generated_text, events, alerts):
    columns = _columns()
    table, texts, keys = [], [], []
    time_cache = {}
    for row in rows:
        cells, filter_texts, sort_keys = _table_row(row, now, time_cache)
        table.append(cells)
        texts.append(filter_texts)
        keys.append(sort_keys)
    data = {"keys": list(report.COLUMN_KEYS),
            "keyed": list(_KEYED), "f": texts, "k": keys, "page": PAGE_SIZE}
    style = STYLE + _column_style(columns)
    return {
        "title": title, "generated_at": generated_text,
        "counts": report.counts(rows), "verdicts": health.VERDICTS,
        "statuses": report.COMM_STATUSES, "columns": columns, "rows": table,
        "column_index": {column["key"]: column["index"] for column in columns},
        "events": [_event(event, now, time_cache) for event in events],
        "alerts": [_alert(alert) for alert in alerts],
        "data_json": _script_json(data),
        "page_size": PAGE_SIZE, "page_sizes": PAGE_SIZES,
        "style": _markup(style), "script": _markup(SCRIPT),
        "csp": "default-src 'none'; img-src data:; style-src '%s'; script-src '%s';"
               " base-uri 'none'; form-action 'none'" % (_hash(style), _hash(SCRIPT)),
    }


def _table_row(row, now, time_cache):
    """The cells of one row as the template shows them (a string, or a tuple for cells
    with a class, a tooltip or details), the lowercase text the filters match, and the
    numeric sort keys of the _KEYED columns. One pass, no call per plain cell: 10,000
    rows have 320,000 cells."""
    cells, texts, keys = [], [], []
    for key, kind in _PLAN:
        value = row.get(key)
        if kind == "children":
            cell, text, up = _children_cell(row, value)
            cells.append(cell)
            texts.append(text.lower())
            keys.append(up)
            continue
        if value is None or value == "":
            cells.append(_EMPTY.get(kind, ""))
            texts.append("")
            if kind in _KEYED_KINDS:
                keys.append(None)
            continue
        if kind == "text":
            text = value if value.__class__ is str else str(value)
            cells.append(text)
            texts.append(text.lower())
        elif kind == "num":
            if value.__class__ is int:
                cells.append("{:,}".format(value))
                texts.append(str(value))
                keys.append(value)
            else:
                text = report.cell_text(row, key)
                cells.append(text)
                texts.append(text.lower())
                keys.append(value if isinstance(value, float) else None)
        elif kind == "date":
            relative, exact, epoch = _parsed_time(value, now, time_cache)
            cells.append((relative, exact or ""))
            texts.append(("%s %s" % (exact, relative) if exact else relative).lower())
            keys.append(epoch)
        elif kind == "status":
            cells.append((value, value.lower()))
            texts.append(value.lower())
        elif kind == "verdict":
            # why a tunnel is not OPERATIONAL, on hover
            why = "; ".join(row.get("reasons") or ()) if value != health.OPERATIONAL else ""
            cells.append((value, value.lower(), why))
            texts.append(value.lower())
        else:  # bool, list
            text = report.cell_text(row, key)
            cells.append(text)
            texts.append(text.lower())
    return cells, texts, keys


def _children_cell(row, children):
    """(('2/3 up', details one line per child), filter text, children up)."""
    if not children:
        return None, "", 0
    up = sum(1 for child in children if child.get("state") in CHILD_UP)
    word = "connected" if row.get("type") == "openvpn" else "up"
    details = "\n".join(_child_line(child) for child in children)
    return ("%d/%d %s" % (up, len(children), word), details), report.children_text(children), up


def _time_cell(value, now, time_cache):
    """(relative text, exact time): '5 min ago' shown, the exact time on hover."""
    found = _parsed_time(value, now, time_cache)
    return found[0], found[1]


def _parsed_time(value, now, time_cache):
    """(relative text, exact text, epoch seconds), once per distinct time (a fleet gathered
    in one run has few)."""
    if not value:
        return "", None, None
    found = time_cache.get(value)
    if found is None:
        then = report.parse_time(value)
        found = time_cache[value] = (
            (report.relative_time(then, now), str(value), then.timestamp()) if then
            else (str(value), None, None))
    return found


def _child_line(child):
    """Every detail of one child SA (or OpenVPN client) in one line."""
    parts = [report.child_text(child)]
    kind = " ".join(filter(None, (child.get("protocol"), child.get("mode"))))
    if kind:
        parts.append(kind)
    if child.get("spi_in") or child.get("spi_out"):
        parts.append("SPI in %s out %s" % (child.get("spi_in") or "-", child.get("spi_out") or "-"))
    if child.get("algorithms"):
        parts.append(child["algorithms"])
    if child.get("bytes_in") is not None or child.get("bytes_out") is not None:
        parts.append("bytes in %s out %s" % (_count(child.get("bytes_in")),
                                             _count(child.get("bytes_out"))))
    if child.get("packets_in") is not None or child.get("packets_out") is not None:
        parts.append("packets in %s out %s" % (_count(child.get("packets_in")),
                                               _count(child.get("packets_out"))))
    if child.get("bps_in") is not None or child.get("bps_out") is not None:
        parts.append("bps in %s out %s" % (_count(child.get("bps_in")),
                                           _count(child.get("bps_out"))))
    if child.get("local_ts") or child.get("remote_ts"):
        parts.append("%s <-> %s" % (", ".join(child.get("local_ts") or ()) or "-",
                                    ", ".join(child.get("remote_ts") or ()) or "-"))
    if child.get("address"):
        parts.append("from %s" % child["address"])
    if child.get("installed_seconds") is not None:
        parts.append("installed %s" % report.duration(child["installed_seconds"]))
    if child.get("connected_since"):
        parts.append("since %s" % child["connected_since"])
    return " · ".join(parts)


def _count(value):
    if value is None:
        return "-"
    if isinstance(value, float):
        return report.number_text(value)
    return "{:,}".format(value)


def _event(event, now, time_cache):
    found = {key: _text(event.get(key)) for key in EVENT_KEYS}
    found["when"], found["exact"] = _time_cell(event.get("time"), now, time_cache)
    if event.get("old_state") or event.get("new_state"):
        found["change"] = "%s -> %s" % (event.get("old_state") or "-", event.get("new_state") or "-")
    else:
        found["change"] = None
    return found


def _alert(alert):
    return {key: _text(alert.get(key)) for key in ALERT_KEYS}


def _text(value):
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return report.number_text(value)
    return str(value)


# --- safe embedding -------------------------------------------------------------------------

def _markup(text):
    import markupsafe  # a Jinja2 dependency

    return markupsafe.Markup(text)


def _script_json(data):
    """JSON that cannot end its <script> element: <, > and & as \\u escapes."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return _markup(text)


def _hash(text):
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")

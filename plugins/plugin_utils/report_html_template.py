# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTML report's Jinja2 template, style sheet and script (report_html.py renders them).

Kept as Python text so they ship inside plugins/. STYLE and SCRIPT go into the page as they
are, and the page's Content Security Policy allows exactly them by their SHA-256 hashes: any
change here is picked up by the hashes, nothing to update by hand. Neither may fetch
anything: no url(), no @import, no fetch or XMLHttpRequest.

The script's contract with the page:
  - #report-data holds {"keys", "keyed", "f", "k", "page"}: per row the lowercase
    text of every column (f) and the numeric sort keys of the columns listed in keyed (k),
    in the order of the rows of #tunnels tbody; page is the rows per page, and the rows
    after the first page carry the hidden attribute;
  - thead th[data-col] sorts on click; input[data-col] filters that column; #filter-all
    filters every column; button[data-col][data-q] in the summary sets a column filter;
    #prev, #next and #page-size page; span.kids (the Children cell) lists its title's
    lines under it on a click.
Filter syntax (a column or the global box): text matches cells containing it; =text a cell
equal to it; !text negates; >N <N >=N <=N compare numbers (numeric columns).
window.vpnReport exposes applyFilters, setFilter, setGlobal, clearFilters, sortBy,
setPageSize, toggleChildren and visibleCount for tests and benchmarks.
"""

from __future__ import annotations

ROW_CELLS_MARK = "@ROW_CELLS@"
# the cells of one table row by kind of column; r is the row's list of cells, %(i)d a position
CELL_TEMPLATES = {
    "status": '<td class="c-{{ r[%(i)d][1] }}">{{ r[%(i)d][0] }}</td>',
    "verdict": '<td class="v-{{ r[%(i)d][1] }}"{%% if r[%(i)d][2] %%} title="{{ r[%(i)d][2] }}"{%% endif %%}>'
               '{{ r[%(i)d][0] }}</td>',
    "date": '<td{%% if r[%(i)d][1] %%} title="{{ r[%(i)d][1] }}"{%% endif %%}>{{ r[%(i)d][0] }}</td>',
    "children": '<td>{%% if r[%(i)d] %%}<span class="kids" role="button" tabindex="0"'
                ' title="{{ r[%(i)d][1] }}">{{ r[%(i)d][0] }}</span>{%% endif %%}</td>',
}
# the test skips escaping empty cells, a third of them (escaping makes an object per cell)
PLAIN_CELL = "<td>{%% if r[%(i)d] %%}{{ r[%(i)d] }}{%% endif %%}</td>"


def row_cells(kinds):
    """The Jinja2 text of one row's cells, one cell per column kind, written out rather than
    looped over: the loop and its tests cost more than the cells at 10,000 rows."""
    return "".join(CELL_TEMPLATES.get(kind, PLAIN_CELL) % {"i": index}
                   for index, kind in enumerate(kinds))


STYLE = """
:root{--bg:#fff;--fg:#1d2330;--muted:#5b6474;--line:#d8dde6;--head:#eef1f6;--ok:#1a7f37;
--warn:#9a6700;--bad:#cf222e;--unk:#6e7781;--tint:#fff5f5}
*{box-sizing:border-box}
body{margin:0;padding:16px 20px;font:13px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
color:var(--fg);background:var(--bg)}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:20px 0 8px}
.meta{color:var(--muted);margin:0 0 12px}
.cards{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}
.card{border:1px solid var(--line);border-radius:6px;padding:8px 10px}
.card h3{font-size:13px;margin:0 0 6px}
table{border-collapse:collapse}
.card td,.card th{padding:2px 8px;text-align:left;border-bottom:1px solid var(--line)}
.card td.n,.card th.n{text-align:right}
button.qf{border:0;background:none;color:#0a58ca;cursor:pointer;padding:0;font:inherit;
text-decoration:underline}
.controls{display:flex;flex-wrap:wrap;gap:12px;align-items:center;margin:8px 0}
.controls input[type=search]{width:22em;padding:4px 6px}
.hint{color:var(--muted)}
.wrap{overflow:auto;max-height:80vh;border:1px solid var(--line)}
#tunnels{font-size:12px}
#tunnels th,#tunnels td{padding:3px 6px;border-bottom:1px solid var(--line);text-align:left;
vertical-align:top;max-width:28em;overflow-wrap:break-word}
#tunnels thead th{position:sticky;background:var(--head);z-index:1}
#tunnels thead tr.titles th{top:0}
#tunnels thead tr.filters th{top:24px}
#tunnels th button{border:0;background:none;font:inherit;font-weight:600;cursor:pointer;
padding:0;color:inherit;white-space:nowrap}
#tunnels th[aria-sort=ascending] button::after{content:" \\25B2"}
#tunnels th[aria-sort=descending] button::after{content:" \\25BC"}
#tunnels thead input{width:100%;min-width:4em;padding:1px 3px;font:inherit}
#tunnels td{font-variant-numeric:tabular-nums}
#tunnels .kids{cursor:pointer;white-space:nowrap;color:#0a58ca;text-decoration:underline dotted}
#tunnels ul.kids-list{margin:2px 0 0;padding-left:16px;min-width:36em}
.v-operational,.c-ok{color:var(--ok);font-weight:600}
.v-degraded,.c-warning,.c-pending{color:var(--warn);font-weight:600}
.v-down,.c-error,.c-blocked{color:var(--bad);font-weight:600}
.v-unknown,.c-undefined{color:var(--unk);font-weight:600}
.events td,.events th{padding:2px 8px;border-bottom:1px solid var(--line);text-align:left;
vertical-align:top}
.sev-critical,.sev-high{color:var(--bad);font-weight:600}
.sev-medium{color:var(--warn);font-weight:600}
@media print{.controls,#tunnels thead tr.filters{display:none}.wrap{max-height:none;overflow:visible}}
"""

SCRIPT = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var table = document.getElementById("tunnels");
  var tbody = table.tBodies[0];
  var countOut = document.getElementById("shown");
  var globalBox = document.getElementById("filter-all");
  var sizeBox = document.getElementById("page-size");
  var boxes = Array.prototype.slice.call(table.querySelectorAll("thead input[data-col]"));
  var keyAt = {};
  data.keyed.forEach(function (column, position) { keyAt[column] = position; });
  var order = [];  // every row, in the current sort order
  var elements = tbody.rows;
  for (var i = 0; i < data.f.length; i++) {
    order.push({el: elements[i], f: data.f[i], k: data.k[i], index: i, match: true,
                all: "\u0001" + data.f[i].join("\u0001") + "\u0001"});
  }
  var total = order.length;
  var matched = order;  // the rows the filters keep, in sort order
  var page = 0;
  var pageSize = data.page;
  // the rows on screen, in their order at the top of the tbody (the server shows the first page)
  var displayed = order.slice(0, pageSize);
  var naturalKeys = {};  // column -> per row text with numbers padded, made on the first sort

  function parse(text) {
    var query = text.trim().toLowerCase();
    if (!query) { return null; }
    var negate = false;
    if (query.charAt(0) === "!") { negate = true; query = query.slice(1).trim(); }
    var compare = /^(>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)$/.exec(query);
    if (compare) { return {op: compare[1], number: parseFloat(compare[2]), negate: negate}; }
    if (query.charAt(0) === "=") { return {op: "=", text: query.slice(1).trim(), negate: negate}; }
    return {op: "~", text: query, negate: negate};
  }

  function test(filter, text, key) {
    if (filter.op === "~") { return text.indexOf(filter.text) !== -1; }
    if (filter.op === "=") { return text === filter.text; }
    if (key === null || key === undefined) { return false; }
    if (filter.op === ">") { return key > filter.number; }
    if (filter.op === "<") { return key < filter.number; }
    if (filter.op === ">=") { return key >= filter.number; }
    return key <= filter.number;
  }

  function testAll(filter, row) {
    if (filter.op === "=") { return row.all.indexOf("\u0001" + filter.text + "\u0001") !== -1; }
    if (filter.op === "~") { return row.all.indexOf(filter.text) !== -1; }
    return row.k.some(function (key) { return test(filter, "", key); });
  }

  // Puts one page of matches on screen. Only writes to the document (no layout is read),
  // and touches only the rows that leave or join the page: rows that stay keep their place,
  // new ones go in between, so the browser lays out at most one page once afterwards.
  function showPage() {
    var pages = Math.max(1, Math.ceil(matched.length / pageSize));
    page = Math.min(Math.max(page, 0), pages - 1);
    var first = page * pageSize;
    var last = Math.min(first + pageSize, matched.length);
    var wanted = matched.slice(first, last);
    var onPage = new Set(wanted);
    var kept = [];
    for (var i = 0; i < displayed.length; i++) {
      if (onPage.has(displayed[i])) { kept.push(displayed[i]); }
      else { displayed[i].el.hidden = true; }
    }
    // kept rows are in sort order: new rows go, a run at a time, before the next kept row,
    // and the last run after the last kept row (looked up once the run left the tbody)
    var run = null;
    var next = 0;
    for (var j = 0; j < wanted.length; j++) {
      var row = wanted[j];
      if (next < kept.length && kept[next] === row) {
        if (run) { tbody.insertBefore(run, row.el); run = null; }
        next++;
        continue;
      }
      run = run || document.createDocumentFragment();
      run.appendChild(row.el);
      row.el.hidden = false;
    }
    if (run) {
      tbody.insertBefore(run, kept.length ? kept[kept.length - 1].el.nextSibling : tbody.firstChild);
    }
    displayed = wanted;
    var text = matched.length === total ? total + " rows" : matched.length + " of " + total + " rows match";
    if (pages > 1) { text += ", showing " + (first + 1) + "-" + last; }
    countOut.textContent = text;
    document.getElementById("prev").disabled = page === 0;
    document.getElementById("next").disabled = page >= pages - 1;
    return matched.length;
  }

  function applyFilters() {
    var active = [];
    boxes.forEach(function (box) {
      var filter = parse(box.value);
      if (filter) {
        filter.column = +box.getAttribute("data-col");
        filter.key = keyAt[filter.column];
        active.push(filter);
      }
    });
    var global = parse(globalBox.value);
    var found = [];
    for (var i = 0; i < total; i++) {
      var row = order[i];
      var ok = global === null || testAll(global, row) !== global.negate;
      for (var j = 0; ok && j < active.length; j++) {
        var filter = active[j];
        ok = test(filter, row.f[filter.column],
                  filter.key === undefined ? null : row.k[filter.key]) !== filter.negate;
      }
      row.match = ok;
      if (ok) { found.push(row); }
    }
    matched = found;
    page = 0;
    return showPage();
  }

  var timer = null;
  function later() {
    if (timer !== null) { clearTimeout(timer); }
    timer = setTimeout(function () { timer = null; applyFilters(); }, 80);
  }
  globalBox.addEventListener("input", later);
  boxes.forEach(function (box) { box.addEventListener("input", later); });

  // names in natural order (hub-2 before hub-10, 192.0.2.9 before 192.0.2.10): digit runs
  // padded once per column, then plain string comparison, much faster than a collator
  function natural(column) {
    if (!naturalKeys[column]) {
      naturalKeys[column] = data.f.map(function (cells) {
        return cells[column].replace(/\d+/g, function (digits) {
          return digits.length >= 15 ? digits : ("000000000000000" + digits).slice(-15);
        });
      });
    }
    return naturalKeys[column];
  }

  function compareRows(column, sign) {
    var position = keyAt[column];
    var texts = position === undefined ? natural(column) : null;
    return function (a, b) {
      var x = texts ? texts[a.index] : a.k[position];
      var y = texts ? texts[b.index] : b.k[position];
      var empty = texts ? "" : null;
      if (x === empty || y === empty) {  // empty cells last, either way
        return (x === y ? 0 : (x === empty ? 1 : -1)) || a.index - b.index;
      }
      return sign * (x < y ? -1 : (x > y ? 1 : 0)) || a.index - b.index;
    };
  }

  function sortBy(column, direction) {
    order = order.slice().sort(compareRows(column, direction === "descending" ? -1 : 1));
    matched = order.filter(function (row) { return row.match; });
    Array.prototype.forEach.call(table.querySelectorAll("thead th[data-col]"), function (th) {
      th.setAttribute("aria-sort", +th.getAttribute("data-col") === column ? direction : "none");
    });
    displayed.forEach(function (row) { row.el.hidden = true; });
    displayed = [];
    page = 0;
    return showPage();
  }

  table.tHead.addEventListener("click", function (event) {
    var button = event.target.closest("th[data-col] button");
    if (!button) { return; }
    var th = button.parentNode;
    sortBy(+th.getAttribute("data-col"),
           th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending");
  });

  function setFilter(column, text) {
    boxes.forEach(function (box) {
      if (+box.getAttribute("data-col") === column) { box.value = text; }
    });
    return applyFilters();
  }

  function setGlobal(text) { globalBox.value = text; return applyFilters(); }

  function clearFilters() {
    boxes.forEach(function (box) { box.value = ""; });
    return setGlobal("");
  }

  function setPageSize(size) {
    pageSize = size > 0 ? size : Math.max(total, 1);
    page = 0;
    return showPage();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.qf");
    if (!button) { return; }
    boxes.forEach(function (box) { box.value = ""; });
    globalBox.value = "";
    setFilter(+button.getAttribute("data-col"), button.getAttribute("data-q"));
    table.scrollIntoView();
  });
  document.getElementById("clear").addEventListener("click", clearFilters);
  document.getElementById("prev").addEventListener("click", function () { page--; showPage(); });
  document.getElementById("next").addEventListener("click", function () { page++; showPage(); });
  sizeBox.addEventListener("change", function () { setPageSize(+sizeBox.value); });
  // child SA details: the tooltip of the Children cell, listed under it on a click or Enter
  function toggleChildren(cell) {
    var list = cell.nextElementSibling;
    if (list) { list.remove(); return; }
    list = document.createElement("ul");
    list.className = "kids-list";
    cell.getAttribute("title").split("\n").forEach(function (line) {
      var item = document.createElement("li");
      item.textContent = line;
      list.appendChild(item);
    });
    cell.after(list);
  }
  tbody.addEventListener("click", function (event) {
    var cell = event.target.closest("span.kids");
    if (cell) { toggleChildren(cell); }
  });
  tbody.addEventListener("keydown", function (event) {
    var cell = event.target.closest("span.kids");
    if (cell && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      toggleChildren(cell);
    }
  });

  var details = document.getElementById("details");
  details.addEventListener("change", function () {
    table.classList.toggle("brief", !details.checked);
  });

  showPage();
  window.vpnReport = {
    applyFilters: applyFilters, setFilter: setFilter, setGlobal: setGlobal, sortBy: sortBy,
    clearFilters: clearFilters, setPageSize: setPageSize, toggleChildren: toggleChildren,
    keys: data.keys,
    visibleCount: function () { return matched.length; }
  };
}());
"""

TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{ csp }}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="vpnops.tunnels report_html">
<link rel="icon" href="data:,">
<title>{{ title }}</title>
<style>{{ style }}</style>
</head>
<body>
<h1>{{ title }}</h1>
<p class="meta">Generated {{ generated_at }}:
{{ counts.totals.hosts }} host{{ '' if counts.totals.hosts == 1 else 's' }},
{{ counts.totals.tunnels }} tunnel{{ '' if counts.totals.tunnels == 1 else 's' }}.</p>

<section id="summary">
<h2>Summary</h2>
<div class="cards">
<div class="card" id="by-verdict"><h3>Tunnels by health</h3><table>
{% for verdict in verdicts %}
<tr><th>{{ verdict }}</th><td class="n">{% if counts.by_verdict[verdict] %}
<button type="button" class="qf" data-col="{{ column_index.verdict }}" data-q="={{ verdict | lower }}">
{{- counts.by_verdict[verdict] }}</button>{% else %}0{% endif %}</td></tr>
{% endfor %}
</table></div>
<div class="card" id="by-state"><h3>Tunnels by state</h3><table>
{% for state, count in counts.by_state | dictsort %}
<tr><th>{{ state }}</th><td class="n">
{{- '' }}<button type="button" class="qf" data-col="{{ column_index.state }}" data-q="={{ state | lower }}">{{ count }}</button></td></tr>
{% endfor %}
</table></div>
<div class="card" id="by-status"><h3>Hosts by comm. status</h3><table>
{% for status in statuses %}
<tr><th class="c-{{ status | lower }}">{{ status }}</th><td class="n">{% if counts.by_status[status] %}
<button type="button" class="qf" data-col="{{ column_index.comm_status }}" data-q="={{ status | lower }}">
{{- counts.by_status[status] }}</button>{% else %}0{% endif %}</td></tr>
{% endfor %}
</table></div>
<div class="card" id="by-platform"><h3>By platform</h3><table>
<tr><th>Platform</th><th class="n">Hosts</th><th class="n">Tunnels</th>{% for verdict in verdicts %}<th class="n">{{ verdict }}</th>{% endfor %}</tr>
{% for platform, entry in counts.by_platform | dictsort %}
<tr><td><button type="button" class="qf" data-col="{{ column_index.platform }}"
 data-q="={{ '' if platform == 'unknown' else platform | lower }}">{{ platform }}</button></td>
{{- '' }}<td class="n">{{ entry.hosts }}</td><td class="n">{{ entry.tunnels }}</td>{% for verdict in verdicts %}
<td class="n">{{ entry[verdict] }}</td>{% endfor %}
</tr>
{% endfor %}
</table></div>
</div>
</section>

<section id="table">
<h2>Tunnels</h2>
<div class="controls">
<input type="search" id="filter-all" placeholder="Filter every column" aria-label="Filter every column">
<button type="button" id="clear">Clear filters</button>
<label><input type="checkbox" id="details"> Show detail columns</label>
<span id="shown">{{ rows | length }} rows</span>
<button type="button" id="prev" disabled>Previous</button>
<button type="button" id="next"{% if rows | length <= page_size %} disabled{% endif %}>Next</button>
<label>Rows per page <select id="page-size">{% for size in page_sizes %}
<option value="{{ size }}"{% if size == page_size %} selected{% endif %}>{{ size or 'all' }}</option>{% endfor %}
</select></label>
<span class="hint">text: contains, =text: equals, !text: not, &gt;N &lt;N: numbers; click a title to sort</span>
</div>
<div class="wrap">
<table id="tunnels" class="brief">
<thead>
<tr class="titles">{% for column in columns %}
<th data-col="{{ column.index }}" data-key="{{ column.key }}" data-kind="{{ column.kind }}" aria-sort="none">
{{- '' }}<button type="button">{{ column.title }}</button></th>{% endfor %}
</tr>
<tr class="filters">{% for column in columns %}
<th>{% if column.filter %}<input type="search" size="4" data-col="{{ column.index }}" aria-label="Filter {{ column.title }}">{% endif %}</th>
{%- endfor %}
</tr>
</thead>
<tbody>
{% for r in rows %}
<tr{% if loop.index > page_size %} hidden{% endif %}>@ROW_CELLS@</tr>
{% endfor %}
</tbody>
</table>
</div>
</section>
{% if events %}

<section id="events">
<h2>Events ({{ events | length }})</h2>
<table class="events">
<tr><th>Time</th><th>Host</th><th>Tunnel</th><th>Child</th><th>Event</th><th>Change</th><th>Message</th></tr>
{% for event in events %}
<tr><td{% if event.exact %} title="{{ event.exact }}"{% endif %}>{{ event.when }}</td><td>{{ event.host }}</td><td>{{ event.tunnel }}</td>
{{- '' }}<td>{{ event.child }}</td><td>{{ event.event }}</td><td>{{ event.change or '' }}</td><td>{{ event.message }}</td></tr>
{% endfor %}
</table>
</section>
{% endif %}
{% if alerts %}

<section id="alerts">
<h2>Alerts ({{ alerts | length }})</h2>
<table class="events">
<tr><th>Severity</th><th>Host</th><th>Tunnel</th><th>Child</th><th>Rule</th><th>Message</th><th>Value</th><th>Threshold</th></tr>
{% for alert in alerts %}
<tr><td class="sev-{{ alert.severity | lower }}">{{ alert.severity }}</td><td>{{ alert.host }}</td><td>{{ alert.tunnel }}</td>
{{- '' }}<td>{{ alert.child }}</td><td>{{ alert.rule }}</td><td>{{ alert.message }}</td><td>{{ alert.value }}</td><td>{{ alert.threshold }}</td></tr>
{% endfor %}
</table>
</section>
{% endif %}
<script type="application/json" id="report-data">{{ data_json }}</script>
<script>{{ script }}</script>
</body>
</html>
"""

# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""report_html filter: report rows as one self-contained HTML page that sorts and filters."""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: report_html
short_description: VPN report rows as one self-contained HTML page with a table that sorts and filters
version_added: "0.1.0"
description:
  - Renders the rows of P(vpnops.tunnels.report_rows#filter) as one HTML file that needs
    nothing else - the style and the script are inline, no font, script or image is fetched,
    and the page's Content Security Policy forbids any fetch.
  - Contents - counts of tunnels by health, by state and by platform, of hosts by comm.
    status (each count filters the table on click); the table of every row; the O(events)
    and O(alerts) when given.
  - The table sorts on a click on a column title (numbers and times as such, names in
    natural order, empty cells last) and filters with one box per column (every column but
    C(Children)) and one for all columns. A filter keeps rows whose cell contains the text
    (any case); C(=text) an equal cell, C(!text) negates, C(>N), C(<N), C(>=N), C(<=N)
    compare numbers. Detail columns (addresses, algorithms, SPIs, packets, reasons) show
    with C(Show detail columns).
  - C(Children) shows C(2/3 up); a click lists each child SA (state, rekey and life time,
    mode, SPIs, algorithms, bytes, packets, rates, traffic selectors) or OpenVPN client.
  - C(Last update) shows how long before O(generated_at) the facts were gathered (C(5 min
    ago)); the exact time is the cell's tooltip. The Health cell's tooltip gives the reasons.
  - Built for 10,000 tunnels and more - every row is in the page, 100 are shown at a time
    (C(Previous), C(Next); C(Rows per page) up to all), so a keystroke filters all rows in
    a few milliseconds and the browser lays out one page, never the whole table.
  - Rendered by a Jinja2 environment with autoescape on, so device text (a tunnel named
    C(<script>)) shows as text.
author:
  - vpnops maintainers (@vpnops)
options:
  _input:
    description: Rows of P(vpnops.tunnels.report_rows#filter).
    type: list
    elements: dict
    required: true
  title:
    description: Title of the page.
    type: str
    default: VPN tunnels
  generated_at:
    description:
      - When the report was made (ISO 8601, for example the snapshot's C(taken_at) or
        C(now(utc=true).isoformat())); C(Last update) times are shown relative to it.
        Default the time of rendering, UTC.
    type: str
  events:
    description: Rows of the C(tunnel_events) filter, shown as the Events section.
    type: list
    elements: dict
    default: []
  alerts:
    description: Rows of the C(rate_alerts) filter, shown as the Alerts section.
    type: list
    elements: dict
    default: []
"""

EXAMPLES = r"""
- name: Write report.html
  run_once: true
  delegate_to: localhost
  ansible.builtin.copy:
    dest: "{{ vpn_output_dir }}/report.html"
    content: >-
      {{ report_rows | vpnops.tunnels.report_html(title='VPN tunnels ' ~ inventory_dir | basename,
                                                  generated_at=snapshot.taken_at,
                                                  events=events, alerts=alerts) }}
    mode: "0644"
"""

RETURN = r"""
_value:
  description: The HTML page, one string.
  type: str
"""


from ansible_collections.vpnops.tunnels.plugins.plugin_utils import inputs, report_html as render


def report_html(rows, *args, **kwargs):
    with inputs.filter_errors("report_html", "the input does not look like report_rows rows"):
        options = inputs.filter_options("report_html", DOCUMENTATION, args, kwargs)
        return render.render(rows, title=options["title"], generated_at=options["generated_at"],
                             events=options["events"], alerts=options["alerts"])


class FilterModule:
    def filters(self):
        return {"report_html": report_html}

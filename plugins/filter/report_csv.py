# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""report_csv filter: report rows as CSV text for spreadsheets."""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: report_csv
short_description: VPN report rows as CSV, safe to open in a spreadsheet
version_added: "0.1.0"
description:
  - Writes the rows of P(vpnops.tunnels.report_rows#filter) as CSV with Python's C(csv) module
    - a header row of column titles (C(System name), C(System comm. status), C(Name), C(Type),
    C(State), C(Enabled), C(Status message), C(Children), C(Last update), then the detail
    columns), one line per row, commas, double quotes (doubled) and line breaks inside cells
    quoted, lines ended by CRLF as RFC 4180 says.
  - Cells - empty for V(null); V(yes) or V(no) for C(enabled); lists (health reasons) joined
    with C(; ); C(Children) as C(NAME STATE rekey 33m20s life 50m) per child SA, joined
    with C( | ); numbers as plain digits.
  - Formula injection - a spreadsheet evaluates a text cell that starts with C(=), C(+),
    C(-), C(@), a tab or a carriage return, so a device could name a tunnel
    C(=HYPERLINK) formula to act in the reader's spreadsheet. With O(formula_guard) such text
    cells get a leading apostrophe (the OWASP advice); the spreadsheet
    shows the text. A program reading the CSV removes one leading C(') when the next
    character is one of those. Numbers are never changed.
author:
  - vpnops maintainers (@vpnops)
options:
  _input:
    description: Rows of P(vpnops.tunnels.report_rows#filter).
    type: list
    elements: dict
    required: true
  columns:
    description: Only these columns (row keys such as C(host), C(name), C(state)), in this order. Default all.
    type: list
    elements: str
  formula_guard:
    description: Prefix text cells a spreadsheet would evaluate as a formula with an apostrophe.
    type: bool
    default: true
  bom:
    description: Start with a UTF-8 byte order mark, for Excel, which otherwise reads the file in the local code page.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Write tunnels.csv
  run_once: true
  delegate_to: localhost
  ansible.builtin.copy:
    dest: "{{ vpn_output_dir }}/tunnels.csv"
    content: "{{ report_rows | vpnops.tunnels.report_csv }}"
    mode: "0644"

- name: A short CSV for Excel users
  ansible.builtin.copy:
    dest: "{{ vpn_output_dir }}/tunnels-short.csv"
    content: "{{ report_rows | vpnops.tunnels.report_csv(columns=['host', 'name', 'state', 'verdict'], bom=true) }}"
    mode: "0644"
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
_value:
  description: The CSV text, a header row first.
  type: str
  sample: |
    System name,System comm. status,Name,Type,State,Enabled,Status message,Children,Last update,...
    gw1,Ok,to-dc,ipsec,ESTABLISHED,yes,,net INSTALLED rekey 33m20s life 50m,2026-11-21T18:00:00Z,...
"""


from ansible_collections.vpnops.tunnels.plugins.plugin_utils import inputs, report_csv as render


def report_csv(rows, *args, **kwargs):
    with inputs.filter_errors("report_csv", "the input does not look like report_rows rows"):
        options = inputs.filter_options("report_csv", DOCUMENTATION, args, kwargs)
        return render.render(rows, columns=options["columns"],
                             formula_guard=options["formula_guard"], bom=options["bom"])


class FilterModule:
    def filters(self):
        return {"report_csv": report_csv}

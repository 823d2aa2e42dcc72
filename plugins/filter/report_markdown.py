# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""report_markdown filter: a short Markdown summary of the report rows, for a comment or chat."""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: report_markdown
short_description: A short Markdown summary of VPN report rows for a merge-request comment or chat
version_added: "0.1.0"
description:
  - Summarizes the rows of P(vpnops.tunnels.report_rows#filter) in Markdown - a heading,
    the count of tunnels and hosts, tunnels per health verdict, hosts per comm. status;
    then C(Needs attention), a table of hosts that could not be read and tunnels that are
    not OPERATIONAL (worst first, with the first health reason); then O(alerts) and
    O(events) when given.
  - Each table holds at most O(limit) rows and says how many more there are.
  - Device text is escaped (backslash before C(\) C(`) C(*) C(_) C([) C(]) C(<) C(>) C(|)
    C(@) C(#) C(!) C(~) C(&)), so a tunnel name cannot format the comment, add a link or
    an HTML tag, break the table or mention someone; line breaks become spaces, long
    messages are shortened to 160 characters.
author:
  - vpnops maintainers (@vpnops)
options:
  _input:
    description: Rows of P(vpnops.tunnels.report_rows#filter).
    type: list
    elements: dict
    required: true
  title:
    description: The heading.
    type: str
    default: VPN tunnels
  events:
    description: Rows of the C(tunnel_events) filter.
    type: list
    elements: dict
    default: []
  alerts:
    description: Rows of the C(rate_alerts) filter.
    type: list
    elements: dict
    default: []
  limit:
    description: Most rows per table.
    type: int
    default: 50
"""

EXAMPLES = r"""
- name: Write summary.md for the merge request
  run_once: true
  delegate_to: localhost
  ansible.builtin.copy:
    dest: "{{ vpn_output_dir }}/summary.md"
    content: "{{ report_rows | vpnops.tunnels.report_markdown(title='VPN audit', events=events, alerts=alerts, limit=20) }}"
    mode: "0644"
"""

RETURN = r"""
_value:
  description: The Markdown text.
  type: str
  sample: |
    ### VPN audit

    **101 tunnels on 22 hosts**: OPERATIONAL 49, DEGRADED 11, DOWN 41, UNKNOWN 0

    Hosts by comm. status: Ok 20, Error 1, Blocked 1

    #### Needs attention (54)

    | Host | Tunnel | State | Health | Reason |
    |---|---|---|---|---|
    | gw7 |  | Error |  | cannot reach netops\@192.0.2.7:22: connection timed out after 10s |
"""


from ansible_collections.vpnops.tunnels.plugins.plugin_utils import inputs, report_markdown as render


def report_markdown(rows, *args, **kwargs):
    with inputs.filter_errors("report_markdown", "the input does not look like report_rows rows"):
        options = inputs.filter_options("report_markdown", DOCUMENTATION, args, kwargs)
        return render.render(rows, title=options["title"], events=options["events"],
                             alerts=options["alerts"], limit=options["limit"])


class FilterModule:
    def filters(self):
        return {"report_markdown": report_markdown}

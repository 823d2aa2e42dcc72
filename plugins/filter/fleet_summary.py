# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""fleet_summary filter: counts of a fleet's tunnels and one row per tunnel for reports."""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: fleet_summary
short_description: Counts of a fleet's VPN tunnels and one report row per tunnel
version_added: "0.1.0"
description:
  - Counts the tunnels of a fleet by state, platform, type and health verdict, counts findings
    by severity and rule, and returns one row per tunnel (and one per host without facts) -
    the data a report prints.
  - Verdicts are those of P(vpnops.tunnels.tunnel_health#filter); findings are those of
    P(vpnops.tunnels.vpn_compliance#filter), given as O(findings).
author:
  - vpnops maintainers (@vpnops)
positional: findings
extends_documentation_fragment:
  - vpnops.tunnels.fleet_input
options:
  findings:
    description: Findings of P(vpnops.tunnels.vpn_compliance#filter), counted and attached to the rows.
    type: list
    elements: dict
    default: []
  errors:
    description: Host to error message, shown as the reason of a host without facts.
    type: dict
    default: {}
  hosts:
    description:
      - Only these hosts (for example C(ansible_play_hosts_all)), in this order; a host listed
        without facts gets a row with state C(NO FACTS).
    type: list
    elements: str
  health:
    description:
      - Thresholds for the health verdicts, as the options of P(vpnops.tunnels.tunnel_health#filter).
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Summary of the play's hosts with their findings
  vars:
    findings: "{{ hostvars | vpnops.tunnels.vpn_compliance(hosts=ansible_play_hosts_all) }}"
    summary: "{{ hostvars | vpnops.tunnels.fleet_summary(findings, hosts=ansible_play_hosts_all) }}"
  ansible.builtin.debug:
    msg:
      - "{{ summary.totals }}"
      - "{{ summary.by_verdict }}"
      - "{{ summary.by_severity }}"
  run_once: true

- name: One line per tunnel that is not OPERATIONAL
  ansible.builtin.debug:
    msg: "{{ item.host }} {{ item.name }} {{ item.verdict }}: {{ item.reasons | join('; ') }}"
  loop: >-
    {{ (hostvars | vpnops.tunnels.fleet_summary(hosts=ansible_play_hosts_all)).rows
       | rejectattr('verdict', 'equalto', 'OPERATIONAL') }}
  loop_control:
    label: "{{ item.host }} {{ item.name }}"
  run_once: true
"""

RETURN = r"""
_value:
  description: Counts and rows.
  type: dict
  contains:
    totals:
      description:
        - C(hosts), C(hosts_with_facts), C(hosts_without_facts), C(tunnels), C(children)
          and C(children_up) (IPsec child SAs), C(findings).
      type: dict
    by_state:
      description: Tunnels per normalized state (C(ESTABLISHED), C(UP), C(DOWN), ...).
      type: dict
    by_platform:
      description: Per platform - C(hosts), C(tunnels) and tunnels per verdict.
      type: dict
    by_type:
      description: Tunnels per type (C(ipsec), C(openvpn), C(wireguard)).
      type: dict
    by_verdict:
      description: Tunnels per verdict; every verdict is a key, so they sum to C(totals.tunnels).
      type: dict
    by_severity:
      description: Findings per severity, every severity a key, worst first.
      type: dict
    by_rule:
      description: Findings per rule id.
      type: dict
    rows:
      description:
        - One per tunnel, host by host in input order, and one per host without facts (C(state)
          C(NO FACTS), C(verdict) C(UNKNOWN), the error as reason).
        - Keys - C(host), C(platform), C(name), C(type), C(state), C(native_state), C(verdict),
          C(reasons), C(peer) (IPsec remote address, OpenVPN server client count or client's
          server, WireGuard endpoint), C(children) (C(up), C(total), C(text) like C(1/2) -
          child SAs, an OpenVPN server's clients, else the link), C(status_message),
          C(findings) (count for this tunnel) and C(worst_severity).
      type: list
      elements: dict
"""


from ansible_collections.vpnops.tunnels.plugins.plugin_utils import health, inputs, summary


def fleet_summary(data, *args, **kwargs):
    with inputs.filter_errors("fleet_summary", "the input does not look like vpnops.tunnels facts"):
        options = inputs.filter_options("fleet_summary", DOCUMENTATION, args, kwargs)
        return summary.summarize(data, options["findings"], health.thresholds(options["health"]),
                                 hosts=options["hosts"], errors=options["errors"])


class FilterModule:
    def filters(self):
        return {"fleet_summary": fleet_summary}

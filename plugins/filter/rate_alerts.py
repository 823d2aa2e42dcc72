# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""rate_alerts filter: alert rules over the rows traffic_rates returns."""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: rate_alerts
short_description: Alerts on VPN traffic rates - one-way tunnels, bandwidth and packet rates
version_added: "0.1.0"
description:
  - Checks each row of P(vpnops.tunnels.traffic_rates#filter) against alert rules and returns
    an alert for each row and rule that fires. A row whose rates a rule needs are null is
    skipped (a sum leaves out a null direction and needs at least one known).
  - "Each rule is a dict: C(name) (required, unique), C(kind) (required), C(severity) (V(info),
    V(low), V(medium), V(high) or V(critical); default V(medium)), C(hosts) and C(tunnels) (a
    glob or a list of globs on the host and tunnel names; default C(*)), C(level) (which rows:
    V(tunnel) - the tunnel totals, V(child) - child SAs and OpenVPN clients, or V(any)), and
    the keys of its kind."
  - "C(kind: inbound_below_while_outbound) - a one-way tunnel: C(bps_in) below C(bps) while
    C(bps_out) is at least C(outbound_min_bps) (default 1000). C(bps) is required; C(level)
    defaults to V(child), where one-way traffic shows even when another child of the tunnel
    carries both ways."
  - "C(kind: bandwidth_above) - C(bps_in + bps_out) above C(bps) (required). C(level) defaults
    to V(tunnel)."
  - "C(kind: packets_above) - C(pps_in + pps_out) above C(pps) (required). C(level) defaults to
    V(tunnel)."
  - Rules are checked strictly - an unknown kind or key, a missing or wrong value, or a
    duplicate name is an error naming the rule's index and the key.
author:
  - vpnops maintainers (@vpnops)
positional: rules
options:
  _input:
    description: The list P(vpnops.tunnels.traffic_rates#filter) returns.
    type: list
    elements: dict
    required: true
  rules:
    description: The alert rules, as described above.
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Alerts on the rates since the last report run
  vars:
    rate_rules:
      - name: one-way
        kind: inbound_below_while_outbound
        bps: 1
        outbound_min_bps: 8000
        severity: high
      - name: dc-links-full
        kind: bandwidth_above
        bps: 900000000
        hosts: "dc-gw*"
      - name: packet-storm
        kind: packets_above
        pps: 200000
        tunnels: ["to-partner-*", "to-lab"]
        severity: low
  ansible.builtin.debug:
    msg: >-
      {{ previous_snapshot | vpnops.tunnels.traffic_rates(current_snapshot)
         | vpnops.tunnels.rate_alerts(rate_rules) }}
"""

RETURN = r"""
_value:
  description: The alerts, in the order of the rate rows, then of the rules.
  type: list
  elements: dict
  contains:
    host:
      description: The host.
      type: str
    tunnel:
      description: The tunnel name.
      type: str
    child:
      description: The child SA or OpenVPN client of a child row; null for a tunnel total.
      type: str
    rule:
      description: The rule's name.
      type: str
    severity:
      description: The rule's severity.
      type: str
    message:
      description: One short sentence with the numbers.
      type: str
    value:
      description: The measured rate - C(bps_in) for a one-way rule, the sum in and out otherwise.
      type: float
    threshold:
      description: The rule's C(bps) or C(pps).
      type: float
  sample:
    - host: gw1
      tunnel: to-dc
      child: net
      rule: one-way
      severity: high
      message: "one-way traffic: inbound 0 bit/s (below 1 bit/s) while outbound carries 52.0 kbit/s"
      value: 0.0
      threshold: 1
"""


from ansible_collections.vpnops.tunnels.plugins.module_utils import cyclic_gc
from ansible_collections.vpnops.tunnels.plugins.plugin_utils import events, inputs, rates


def rate_alerts(data, *args, **kwargs):
    with inputs.filter_errors("rate_alerts", "the rates do not look like traffic_rates rows"):
        checked, _options = events.argument_apart("rate_alerts", "rules", DOCUMENTATION, args,
                                                  kwargs, [])
        rules = rates.read_rules(checked)
        with cyclic_gc.paused():
            return rates.alerts(data, rules)


class FilterModule:
    def filters(self):
        return {"rate_alerts": rate_alerts}

# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""reset_summary filter: the re-audit after resets - fixed, still broken, refused, waiting."""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: reset_summary
short_description: Re-audit after tunnel resets - fixed, still broken, refused, outside the window
version_added: "0.1.0"
description:
  - Judges the tunnels a reset run targeted on the facts read after it (with
    P(vpnops.tunnels.tunnel_health#filter)'s verdicts), and sorts them - V(fixed) (reset and
    OPERATIONAL now), V(still_broken) (not OPERATIONAL now, reset or not), V(refused) (by
    the redundancy guard of M(vpnops.tunnels.vpn_reset)), V(outside_window) (its maintenance
    window was closed), V(recovered_without_reset) (OPERATIONAL by the time its device was
    reset, for example the far end of a tunnel reset on the other side), and V(unreachable)
    hosts.
  - The C(vpnops.tunnels.reset) role writes it to C(reset.json).
author:
  - vpnops maintainers (@vpnops)
positional: records
options:
  _input:
    description: C(hostvars) (with the facts read after the resets), or a dict of host to VPN facts.
    type: raw
    required: true
  records:
    description:
      - Host to what the run did there - C(candidates) (the tunnel names it meant to reset),
        C(result) (the M(vpnops.tunnels.vpn_reset) result, or empty) and C(error) (why the
        host could not be read before the reset, or null).
    type: dict
    required: true
  errors_after:
    description: Host to why it could not be read after the resets.
    type: dict
    default: {}
  hosts:
    description: Only these hosts, in this order (default - the hosts of O(records)).
    type: list
    elements: str
  health:
    description: Thresholds of the health verdicts (the C(health) section of an audit policy).
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: What the resets achieved
  ansible.builtin.debug:
    msg: "{{ hostvars | vpnops.tunnels.reset_summary(records, hosts=ansible_play_hosts_all) }}"
  vars:
    records:
      gw1: {candidates: [to-dc-a], result: "{{ hostvars.gw1.reset_result }}", error: null}
"""

RETURN = r"""
_value:
  description: Lists of C({host, tunnel, verdict, reasons}) entries, and C(counts) of each list.
  type: dict
  contains:
    fixed:
      description: Reset and OPERATIONAL now; C(seconds) it took to come back.
      type: list
      elements: dict
    still_broken:
      description: Not OPERATIONAL now; C(reset) says whether a reset was sent, C(error) why not.
      type: list
      elements: dict
    refused:
      description: Refused by the redundancy guard; C(reason) names the partner.
      type: list
      elements: dict
    outside_window:
      description: Not reset because the maintenance window was closed; C(opens_at).
      type: list
      elements: dict
    recovered_without_reset:
      description: OPERATIONAL again before its device's turn came.
      type: list
      elements: dict
    unreachable:
      description: C({host, error, tunnels}) of hosts that could not be read.
      type: list
      elements: dict
    counts:
      description: Length of each list.
      type: dict
  sample:
    fixed: [{host: gw1, tunnel: to-dc-a, verdict: OPERATIONAL, reasons: ["IKE SA ESTABLISHED, 1 of 1 child SA installed"], seconds: 2.1}]
    still_broken: []
    refused: []
    outside_window: []
    recovered_without_reset: []
    unreachable: []
    counts: {fixed: 1, still_broken: 0, refused: 0, outside_window: 0, recovered_without_reset: 0, unreachable: 0}
"""


from ansible_collections.vpnops.tunnels.plugins.plugin_utils import health, inputs, reset_summary as summary


def reset_summary(data, *args, **kwargs):
    with inputs.filter_errors("reset_summary", "the input does not look like vpnops.tunnels facts and reset records"):
        options = inputs.filter_options("reset_summary", DOCUMENTATION, args, kwargs)
        return summary.summarize(data, options["records"], health.thresholds(options["health"]),
                                 hosts=options["hosts"], errors_after=options["errors_after"])


class FilterModule:
    def filters(self):
        return {"reset_summary": reset_summary}

# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""tunnel_redundancy filter: redundant sets of tunnels and whether each still is redundant."""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: tunnel_redundancy
short_description: Group VPN tunnels into redundant sets and say which are at risk
version_added: "0.1.0"
description:
  - Groups the tunnels of a fleet into redundant sets and says, per set, V(redundant) (two or
    more members OPERATIONAL), V(at_risk) (one failure from an outage - not redundant but some
    member up) or V(down) (no member up). A member is up when its
    P(vpnops.tunnels.tunnel_health#filter) verdict is OPERATIONAL or DEGRADED.
  - This is what safe resets and maintenance build on - never take down the last member of a
    set that is up (RV(_value.up) counts them).
  - "Declared sets come from O(groups) and from the host variable C(vpn_redundancy) when the
    input is C(hostvars): a dict of tunnel name to set name, for example
    C(vpn_redundancy: {to-dc-a: dc, to-dc-b: dc}) in C(host_vars/gw1.yml)."
  - Other tunnels are grouped by the remote networks they reach (the sorted remote traffic
    selectors of their child SAs, from any host) when O(by_remote_network) is true;
    C(0.0.0.0/0) and C(::/0) say nothing about where a tunnel goes, so route-based tunnels
    are grouped only when declared. Only groups of two or more tunnels are sets, unless
    O(include_single) is true.
author:
  - vpnops maintainers (@vpnops)
positional: groups
extends_documentation_fragment:
  - vpnops.tunnels.fleet_input
options:
  groups:
    description:
      - Declared redundant sets - set name to its members, each member a C([host, tunnel]) pair
        or a C({host, tunnel}) dict.
      - A declared member that is not on its host is C(DOWN) (C(present) false); one on a host
        without facts is C(UNKNOWN).
    type: dict
    default: {}
  by_remote_network:
    description: Group the tunnels that are in no declared set by the remote networks they reach.
    type: bool
    default: true
  include_single:
    description: Also return sets of one tunnel found by remote network.
    type: bool
    default: false
  hosts:
    description:
      - Only these hosts (for example C(ansible_play_hosts_all)), in this order. Useful when
        the input is C(hostvars), which holds every host of the inventory.
    type: list
    elements: str
  health:
    description:
      - Thresholds for the health verdicts, as the options of P(vpnops.tunnels.tunnel_health#filter)
        (C(idle_seconds), C(lifetime_min_seconds), C(rekey_grace_seconds)).
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Redundant sets of the play's hosts, found by remote network
  ansible.builtin.debug:
    msg: "{{ hostvars | vpnops.tunnels.tunnel_redundancy(hosts=ansible_play_hosts_all) }}"

- name: Declared pairs; fail when one is not redundant any more
  vars:
    pairs:
      dc-uplink: [[gw1, to-dc-a], [gw2, to-dc-b]]
    sets: "{{ hostvars | vpnops.tunnels.tunnel_redundancy(pairs, by_remote_network=false) }}"
  ansible.builtin.assert:
    that: sets | rejectattr('status', 'equalto', 'redundant') | list | length == 0
    fail_msg: "{{ sets | rejectattr('status', 'equalto', 'redundant') | map(attribute='name') | list }}"

- name: Sets where one member may be taken down now (another member stays up)
  ansible.builtin.debug:
    msg: >-
      {{ hostvars | vpnops.tunnels.tunnel_redundancy(hosts=ansible_play_hosts_all)
         | selectattr('up', 'ge', 2) | map(attribute='name') | list }}
"""

RETURN = r"""
_value:
  description: The redundant sets, declared ones first (in the order given), then found ones by name.
  type: list
  elements: dict
  contains:
    name:
      description: The declared name, or the found set's remote networks joined with commas.
      type: str
    source:
      description: V(declared) or V(remote_network).
      type: str
    key:
      description: The remote networks of a found set; null for declared sets.
      type: list
      elements: str
    members:
      description:
        - "C(host), C(tunnel), C(present), C(verdict), C(state) and C(reasons) of each member
          (a tunnel with several SAs on one host is one member with its best verdict)."
      type: list
      elements: dict
    total:
      description: Number of members.
      type: int
    operational:
      description: Members OPERATIONAL.
      type: int
    up:
      description: Members OPERATIONAL or DEGRADED.
      type: int
    status:
      description: V(redundant), V(at_risk) or V(down).
      type: str
  sample:
    - name: 198.19.0.0/24
      source: remote_network
      key: [198.19.0.0/24]
      members:
        - {host: gw1, tunnel: to-dc, present: true, verdict: OPERATIONAL, state: ESTABLISHED,
           reasons: ["IKE SA ESTABLISHED, 1 of 1 child SA installed"]}
        - {host: gw2, tunnel: to-dc, present: true, verdict: DOWN, state: DOWN,
           reasons: ["phase 1 not established: no IKE SA"]}
      total: 2
      operational: 1
      up: 1
      status: at_risk
"""


from ansible_collections.vpnops.tunnels.plugins.module_utils import cyclic_gc
from ansible_collections.vpnops.tunnels.plugins.plugin_utils import health, inputs, redundancy


def tunnel_redundancy(data, *args, **kwargs):
    with inputs.filter_errors("tunnel_redundancy", "the input does not look like vpnops.tunnels facts"):
        options = inputs.filter_options("tunnel_redundancy", DOCUMENTATION, args, kwargs)
        limits = health.thresholds(options["health"])
        with cyclic_gc.paused():
            fleet = inputs.devices(data, options["hosts"])
            entries = []
            for device in fleet:
                if device.facts is not None:
                    verdicts = health.device_verdicts(device.facts, limits, device.host)
                    entries.extend(redundancy.entries_of(device.host, device.tunnels, verdicts,
                                                         options["by_remote_network"]))
            declared = redundancy.declared_sets(options["groups"], fleet)
            return redundancy.build_sets(
                entries, declared, by_remote_network=options["by_remote_network"],
                include_single=options["include_single"],
                hosts_with_facts=[device.host for device in fleet if device.facts is not None])


class FilterModule:
    def filters(self):
        return {"tunnel_redundancy": tunnel_redundancy}

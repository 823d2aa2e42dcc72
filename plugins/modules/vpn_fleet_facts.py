#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of vpn_fleet_facts; the work is done on the controller by plugins/action/vpn_fleet_facts.py."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: vpn_fleet_facts
short_description: Gather VPN tunnel state from every host of the play at once (fleet mode)
version_added: "0.1.0"
description:
  - The fleet mode of M(vpnops.tunnels.vpn_facts) - one task gathers every host of the play
    concurrently (a pool of O(pool_size) threads, split over O(processes) processes) instead
    of one Ansible task per host, which costs a forked worker per host.
  - "Two ways to give each host its own C(ansible_facts.vpn) (the same model vpn_facts gives):"
  - "Fast - run it once (C(run_once=true), no loop) in a play with C(strategy:
    vpnops.tunnels.fleet). That strategy hands the one result out host by host, and fails
    (or marks unreachable) each host whose device could not be gathered, with the message
    vpn_facts would give - as if each host had run vpn_facts. ansible-core 2.19 warns that
    strategy plugins outside ansible.builtin are deprecated; the loop below needs none."
  - "Portable - loop over the hosts with C(delegate_to) and C(delegate_facts), with any
    strategy (the roles use this). The first loop item gathers the whole fleet; each item
    returns one host's result. A device that fails is a warning and C(vpn_failed=true) on its
    item, not a failed item, because Ansible drops every item's facts when one item fails;
    roles read the registered C(results) for those. Each item costs Ansible a few
    milliseconds, so this form is slower than the strategy at hundreds of hosts."
  - Each host's options and connection variables are read from its own host variables
    (C(vpn_<option>), C(ansible_host), C(ansible_user), ...), as vpn_facts reads them.
  - "When to choose it: per-host vpn_facts is simplest for small inventories and when you
    rely on Ansible's forks, C(serial) or per-host task results; from about a hundred
    devices on, fleet mode is faster (500 emulated gateways on 2 cores - 6 s against 16 s
    per host; the README's performance section has the numbers)."
author:
  - vpnops maintainers (@vpnops)
requirements:
  - netmiko (Python library on the controller)
extends_documentation_fragment:
  - vpnops.tunnels.device
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.facts
  - ansible.builtin.action_common_attributes.flow
attributes:
  check_mode:
    support: full
    details: Gathering changes nothing on the devices, so it runs normally in check mode.
  diff_mode:
    support: none
  facts:
    support: full
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
options:
  hosts:
    description: The hosts to gather. Default - C(ansible_play_hosts).
    type: list
    elements: str
  pool_size:
    description: How many devices are gathered at the same time, in all processes together.
    type: int
    default: 50
  processes:
    description:
      - How many processes share the gathering. SSH and parsing are Python work that one
        process runs on one CPU at a time, so a large fleet is split over forked processes,
        each with its share of the jobs and of O(pool_size).
      - V(0) chooses - one per CPU the controller lets Ansible use, but none for fewer than 50
        devices. Another number is used as it is (at most one per device); V(1) keeps
        everything in the task's own process.
    type: int
    default: 0
  gather_subset:
    description: As for M(vpnops.tunnels.vpn_facts).
    type: list
    elements: str
    choices: [all, ipsec, openvpn, wireguard]
    default: [all]
  include_raw:
    description: As for M(vpnops.tunnels.vpn_facts).
    type: bool
    default: false
notes:
  - In the loop form, loop over the same hosts as O(hosts) (by default both are the play's hosts).
seealso:
  - module: vpnops.tunnels.vpn_facts
"""

EXAMPLES = r"""
# Fast: one task, and the fleet strategy gives each host its facts (or its failure)
- name: Gather the VPN gateways
  hosts: vpn_gateways
  gather_facts: false
  strategy: vpnops.tunnels.fleet
  tasks:
    - name: Gather every VPN gateway of the play at once
      vpnops.tunnels.vpn_fleet_facts:
        pool_size: 50
      run_once: true

# Portable: any strategy, a loop item per host
- name: Gather every VPN gateway of the play at once
  vpnops.tunnels.vpn_fleet_facts:
  run_once: true
  loop: "{{ ansible_play_hosts }}"
  loop_control:
    label: "{{ item }}"
  delegate_to: "{{ item }}"
  delegate_facts: true
  register: fleet

- name: The hosts that could not be gathered, with why
  ansible.builtin.debug:
    msg: "{{ fleet.results | selectattr('vpn_failed', 'defined') | items2dict(key_name='item', value_name='msg') }}"
  run_once: true
"""

RETURN = r"""
ansible_facts:
  description: Each loop item's host gets its C(ansible_facts.vpn), as from M(vpnops.tunnels.vpn_facts).
  returned: success
  type: complex
  contains:
    vpn:
      description: Device facts in the collection's model.
      type: dict
      returned: success
vpn_fleet:
  description:
    - Run once with the fleet strategy - what the strategy hands out host by host.
    - The filters of this collection (for example P(vpnops.tunnels.tunnel_table#filter) and
      P(vpnops.tunnels.vpn_compliance#filter)) read the registered result as they read
      C(hostvars), without a look-up per host.
  returned: when run once without a loop
  type: dict
  contains:
    facts_json:
      description:
        - Every gathered host's facts as one JSON text (host to its facts); each host also
          gets its own C(ansible_facts.vpn).
        - One text, because Ansible checks each value of a result on its way from the worker
          to the strategy - as a dict, 500 hosts' facts took 1 s more.
      type: str
    failed:
      description: Host to its message, for hosts whose device could not be gathered.
      type: dict
    unreachable:
      description: Host to its message, for hosts whose device could not be reached.
      type: dict
vpn_failed:
  description: On the loop item of a host whose device could not be gathered; C(msg) says why.
  returned: in the loop form, when the device failed
  type: bool
vpn_unreachable:
  description: On the loop item of a host whose device could not be reached.
  returned: in the loop form, when the device could not be reached
  type: bool
raw_outputs:
  description: Each command with its raw output, when O(include_raw=true).
  returned: when include_raw is true
  type: list
  elements: dict
"""

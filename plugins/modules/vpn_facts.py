#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of vpn_facts; the work is done on the controller by plugins/action/vpn_facts.py."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: vpn_facts
short_description: Gather VPN tunnel state (IPsec, OpenVPN) from gateways over SSH
version_added: "0.1.0"
description:
  - Opens an SSH session from the controller to the device with netmiko, runs the platform's
    state commands, and returns every tunnel in one normalized model as C(ansible_facts.vpn).
  - Configured tunnels and children that have no security association are reported with
    state C(DOWN); they do not vanish from the facts.
  - Runs on the controller whatever the host's connection plugin is, so inventories usually set
    C(ansible_connection=local). Connection details come from the usual inventory variables
    C(ansible_host), C(ansible_port), C(ansible_user), C(ansible_password) or
    C(ansible_ssh_private_key_file), and C(ansible_become) with C(ansible_become_password) where
    the platform's commands need root. Secrets are never accepted as task options and never
    returned.
  - The platform is taken from O(platform), else the host variable C(vpn_platform), else
    C(ansible_network_os).
  - Every option can also be set per host as a variable named C(vpn_<option>), for example
    C(vpn_openvpn_management). A task option wins over the host variable.
  - A device that cannot be reached or refuses the login marks the host unreachable; output
    that cannot be parsed fails the host. Other hosts go on either way.
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
    details: Gathering changes nothing on the device, so it runs normally in check mode.
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
  gather_subset:
    description:
      - Which tunnel types to gather. C(all) gathers every type the platform has.
    type: list
    elements: str
    choices: [all, ipsec, openvpn, wireguard]
    default: [all]
  include_raw:
    description:
      - Also return each command's raw output in RV(raw_outputs), to debug a parser or keep
        evidence.
    type: bool
    default: false
notes:
  - The commands run per platform are listed in the collection's README; each platform's
    parser (C(plugins/module_utils/parsers/<platform>.py)) says which commands it reads.
  - On network devices, C(ansible_become) with C(ansible_become_password) enters privileged
    (enable) mode, as Cisco ASA needs for its C(show crypto) commands.
  - The facts follow the JSON Schema in the collection's
    C(plugins/module_utils/model_schema.py).
seealso:
  - plugin: vpnops.tunnels.vpn_parse
    plugin_type: filter
    description: The same parsers on text gathered any other way.
"""

EXAMPLES = r"""
- name: Gather tunnel state from every VPN gateway
  vpnops.tunnels.vpn_facts:

- name: Show each tunnel's state
  ansible.builtin.debug:
    msg: "{{ item.name }}: {{ item.state }}"
  loop: "{{ ansible_facts.vpn.tunnels }}"

- name: Only OpenVPN, from a management interface, with three expected clients
  vpnops.tunnels.vpn_facts:
    gather_subset: [openvpn]
    openvpn_management: 127.0.0.1:7505
    openvpn_clients: [branch1, branch2, branch3]

# Inventory for a strongSwan gateway whose VICI socket needs root:
# all:
#   hosts:
#     gw1:
#       ansible_host: 192.0.2.10
#       ansible_connection: local
#       ansible_python_interpreter: "{{ ansible_playbook_python }}"
#       ansible_user: netops
#       ansible_password: "{{ vault_netops_password }}"
#       ansible_become: true
#       ansible_become_password: "{{ vault_netops_password }}"
#       vpn_platform: strongswan
"""

RETURN = r"""
ansible_facts:
  description: The device's tunnels in the collection's model.
  returned: success
  type: complex
  contains:
    vpn:
      description:
        - Device facts. C(platform), C(hostname) (the inventory name), C(collected_at) (UTC ISO
          8601), C(commands) run, C(errors), and C(tunnels).
        - Each tunnel has C(name), C(type) (ipsec, openvpn, wireguard), C(configured),
          C(enabled), C(native_state), C(state), C(status_message), C(ike) (IPsec),
          C(children) (child SAs) and C(openvpn) (OpenVPN server clients or client state).
        - Normalized IKE states are CREATED, CONNECTING, ESTABLISHED, PASSIVE, REKEYING,
          REKEYED, DELETING, DESTROYING, HALF_OPEN, INIT, DOWN (configured, no SA), UNDEFINED.
      type: dict
      returned: success
      sample:
        schema_version: 1
        platform: strongswan
        hostname: gw1
        collected_at: "2026-11-21T12:00:00Z"
        commands: ["/usr/sbin/swanctl --list-conns --pretty", "/usr/sbin/swanctl --list-sas --pretty"]
        errors: []
        tunnels:
          - name: hq
            type: ipsec
            configured: true
            enabled: true
            native_state: ESTABLISHED
            state: ESTABLISHED
            status_message: IKE_SA ESTABLISHED, 1 of 1 CHILD_SAs installed
raw_outputs:
  description: Each command with its raw output, when O(include_raw=true).
  returned: when include_raw is true
  type: list
  elements: dict
  sample:
    - command: /usr/sbin/swanctl --list-sas --pretty
      output: "list-sa event {..."
"""

# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vpn_parse filter: device text -> the collection's tunnel model, for any transport."""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: vpn_parse
short_description: Parse VPN state command output into the vpnops.tunnels model
version_added: "0.1.0"
description:
  - Turns the text of a device's tunnel state commands into the same model that
    M(vpnops.tunnels.vpn_facts) returns, so output gathered any other way
    (M(ansible.netcommon.cli_command), raw SSH, files) gives the same facts.
  - Give one command's text with O(command), or several commands of one device at once as a
    dict of command to text, or as the RV(vpnops.tunnels.vpn_facts#module:raw_outputs) list;
    several commands are merged, so configured tunnels without an SA appear as C(DOWN).
  - Text the parser does not understand fails the task with an error naming the platform and
    the command.
author:
  - vpnops maintainers (@vpnops)
options:
  _input:
    description: Command output text, a dict of command to text, or a list of dicts with C(command) and C(output).
    type: raw
    required: true
  platform:
    description: The collection's platform name.
    type: str
    required: true
    choices:
      - strongswan
      - strongswan_legacy
      - libreswan
      - openvpn
      - wireguard
      - cisco_ios
      - cisco_asa
      - juniper_srx
      - fortinet
      - paloalto_panos
      - mikrotik_routeros
      - vyos
  command:
    description:
      - The command that produced the text, for example C(swanctl --list-sas --raw).
      - Required when the input is a single text.
    type: str
  hostname:
    description: Hostname recorded in the result.
    type: str
"""

EXAMPLES = r"""
- name: Parse swanctl output read any way
  ansible.builtin.set_fact:
    vpn: "{{ swanctl_text | vpnops.tunnels.vpn_parse('strongswan', 'swanctl --list-sas') }}"

- name: Merge configuration and SAs, so down tunnels are listed
  ansible.builtin.set_fact:
    vpn: >-
      {{ {'swanctl --list-conns --raw': conns.stdout, 'swanctl --list-sas --raw': sas.stdout}
         | vpnops.tunnels.vpn_parse('strongswan') }}
"""

RETURN = r"""
_value:
  description: The device model (platform, hostname, collected_at, commands, errors, tunnels).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.vpnops.tunnels.plugins.module_utils.errors import VpnError
from ansible_collections.vpnops.tunnels.plugins.plugin_utils.vpn_parse import parse_input


def vpn_parse(data, platform, command=None, hostname=None):
    try:
        return parse_input(data, platform, command=command, hostname=hostname)
    except (VpnError, TypeError, ValueError) as error:
        raise AnsibleFilterError("vpn_parse: %s" % error) from None


class FilterModule:
    def filters(self):
        return {"vpn_parse": vpn_parse}

# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""tunnel_table filter: a fleet's tunnels as a fixed-width text table, one line per tunnel."""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: tunnel_table
short_description: A fleet's VPN tunnels as a text table for the console
version_added: "0.1.0"
description:
  - One line per tunnel - host, tunnel name, type, state, units up of all (child SAs of an
    IPsec tunnel, clients of an OpenVPN server), peer and the device's status message - in
    host order, under a header line.
  - A host without facts (gathering failed, or the host was unreachable) gets one C(NO FACTS)
    line, so that no host is missing.
  - Rendered in Python, so a fleet of thousands of tunnels prints in milliseconds where a
    Jinja loop over C(hostvars) takes seconds.
author:
  - vpnops maintainers (@vpnops)
extends_documentation_fragment:
  - vpnops.tunnels.fleet_input
options:
  hosts:
    description:
      - Only these hosts (for example C(ansible_play_hosts_all)); a host listed that has no
        facts gets its C(NO FACTS) line.
    type: list
    elements: str
"""

EXAMPLES = r"""
- name: Print the fleet's tunnels
  run_once: true
  ansible.builtin.debug:
    msg: "{{ hostvars | vpnops.tunnels.tunnel_table(hosts=ansible_play_hosts_all) }}"

# after vpn_fleet_facts ran once (registered as fleet): no hostvars lookups at all
- name: Print the fleet's tunnels
  run_once: true
  ansible.builtin.debug:
    msg: "{{ fleet | vpnops.tunnels.tunnel_table(hosts=ansible_play_hosts_all) }}"
"""

RETURN = r"""
_value:
  description: The table, lines separated by newlines.
  type: str
  sample: |-
    HOST               TUNNEL           TYPE     STATE        UP/ALL  PEER             STATUS
    lab-hub            spoke1           ipsec    ESTABLISHED  2/2     198.51.100.11    ESTABLISHED 12 seconds ago
    gw7                -                -        NO FACTS     -       -                gathering failed or host unreachable
"""

from ansible_collections.vpnops.tunnels.plugins.plugin_utils import inputs, tunnel_table as table


def tunnel_table(data, *args, **kwargs):
    with inputs.filter_errors("tunnel_table", "the input does not look like vpnops.tunnels facts"):
        options = inputs.filter_options("tunnel_table", DOCUMENTATION, args, kwargs)
        return table.render(data, hosts=options["hosts"])


class FilterModule:
    def filters(self):
        return {"tunnel_table": tunnel_table}

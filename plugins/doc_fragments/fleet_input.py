# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The input of the filters that read a fleet's facts (plugin_utils.inputs.devices)."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  _input:
    description:
      - C(hostvars), a dict of host to VPN facts (C(ansible_facts.vpn)), a list of VPN facts,
        one device's VPN facts, or the registered result of a
        M(vpnops.tunnels.vpn_fleet_facts) task that ran once.
    type: raw
    required: true
"""

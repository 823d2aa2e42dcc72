# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""tunnel_health filter: a health verdict and its reasons for each tunnel."""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: tunnel_health
short_description: Health verdict (OPERATIONAL, DEGRADED, DOWN, UNKNOWN) of VPN tunnels
version_added: "0.1.0"
description:
  - Judges each tunnel of the facts M(vpnops.tunnels.vpn_facts) returns (or
    P(vpnops.tunnels.vpn_parse#filter) builds) and says why, in short sentences with the numbers.
  - V(OPERATIONAL) - IPsec with the IKE SA up (C(ESTABLISHED); C(REKEYING) and C(REKEYED) are
    transient and count as up) and at least one child SA installed, or a C(PASSIVE) responder
    waiting for peers; an OpenVPN server with every listed client connected; an OpenVPN client
    connected; a WireGuard peer with a recent handshake.
  - V(DEGRADED) - up, but configured child SAs are not installed; one direction is idle
    (inbound silent for O(idle_seconds) while outbound flows, or the reverse; or no bytes one
    way while the other way carries some); a rekey is overdue (countdown at 0, or the SA is
    older than its rekey interval plus O(rekey_grace_seconds)); a child SA has less than
    O(lifetime_min_seconds) of its hard lifetime left; child SAs are still installed while the
    IKE SA is half-open, being deleted or gone (Cisco C(UP-NO-IKE)); an OpenVPN server has
    expected clients that are not connected.
  - V(DOWN) - phase 1 not established (the reason says where it stopped, from the negotiation
    step or the native state), or phase 1 up and phase 2 failed (no child SA installed); an
    OpenVPN client not connected or a server down; a WireGuard peer without a recent handshake.
  - V(UNKNOWN) - the device did not report the state (C(UNDEFINED)).
  - An old IKE SA being replaced or deleted (C(REKEYED), C(DELETING)) is not DOWN while
    another SA of the same tunnel on the device is up.
author:
  - vpnops maintainers (@vpnops)
options:
  _input:
    description:
      - One device's VPN facts (C(ansible_facts.vpn)), one tunnel of them, or a list of tunnels.
      - A host's variables (C(hostvars[host])) work too; their C(ansible_facts.vpn) is used.
    type: raw
    required: true
  host:
    description: Host name put in each result. Defaults to the facts' C(hostname).
    type: str
  idle_seconds:
    description:
      - One direction of a child SA silent this long, while the other direction carried
        traffic more recently, makes the tunnel DEGRADED.
    type: int
    default: 300
  lifetime_min_seconds:
    description: An installed child SA with less hard lifetime left than this makes the tunnel DEGRADED.
    type: int
    default: 60
  rekey_grace_seconds:
    description: How much older than its configured rekey interval an SA may get before its rekey is overdue.
    type: int
    default: 300
"""

EXAMPLES = r"""
- name: Verdicts of every tunnel of this host
  ansible.builtin.debug:
    msg: "{{ ansible_facts.vpn | vpnops.tunnels.tunnel_health }}"

- name: Fail when a tunnel of this host is down
  ansible.builtin.assert:
    that: >-
      ansible_facts.vpn | vpnops.tunnels.tunnel_health
      | selectattr('verdict', 'equalto', 'DOWN') | list | length == 0
    fail_msg: >-
      {{ ansible_facts.vpn | vpnops.tunnels.tunnel_health
         | rejectattr('verdict', 'equalto', 'OPERATIONAL') | list }}

- name: One tunnel, with a stricter idle threshold
  ansible.builtin.debug:
    msg: "{{ (ansible_facts.vpn.tunnels | first) | vpnops.tunnels.tunnel_health(idle_seconds=120) }}"
"""

RETURN = r"""
_value:
  description:
    - One verdict per tunnel, in the order of the facts (a single dict when the input is one tunnel).
    - Each has C(host), C(name), C(type), C(state) (the model's normalized state), C(verdict)
      (V(OPERATIONAL), V(DEGRADED), V(DOWN) or V(UNKNOWN)) and C(reasons), a list of sentences
      (for OPERATIONAL one sentence saying why, otherwise the problems).
  type: list
  elements: dict
  sample:
    - host: gw1
      name: to-dc
      type: ipsec
      state: ESTABLISHED
      verdict: DEGRADED
      reasons:
        - "1 of 2 configured child SAs not installed: voice DOWN"
"""

from collections.abc import Mapping


from ansible_collections.vpnops.tunnels.plugins.plugin_utils import health, inputs


def tunnel_health(data, *args, **kwargs):
    with inputs.filter_errors("tunnel_health", "the input does not look like vpnops.tunnels facts"):
        options = inputs.filter_options("tunnel_health", DOCUMENTATION, args, kwargs)
        host = options.pop("host")
        limits = health.thresholds(options)
        if isinstance(data, Mapping) and "ansible_facts" in data:
            data = (data.get("ansible_facts") or {}).get("vpn")
            if data is None:
                raise inputs.InputError("the host variables hold no VPN facts"
                                        " (ansible_facts.vpn): gather them with vpn_facts")
        if inputs.is_tunnel(data):
            return health.tunnel_verdict(data, limits, host)
        if inputs.is_device_facts(data):
            inputs.devices(data)  # checks the shape
            return health.device_verdicts(data, limits, host)
        if isinstance(data, (list, tuple)):
            for index, tunnel in enumerate(data):
                if not inputs.is_tunnel(tunnel):
                    raise inputs.InputError("list item %d is not a tunnel (a dict with name and"
                                            " type)" % index)
            return health.device_verdicts({"tunnels": data}, limits, host)
        raise inputs.InputError("expected a device's VPN facts, one tunnel or a list of tunnels;"
                                " got %s" % type(data).__name__)


class FilterModule:
    def filters(self):
        return {"tunnel_health": tunnel_health}

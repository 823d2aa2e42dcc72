#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of vpn_reset; the work is done on the controller by plugins/action/vpn_reset.py."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: vpn_reset
short_description: Reset stuck VPN tunnels safely, and verify they come back
version_added: "0.1.0"
description:
  - Resets tunnels of one device with the platform's own commands, over SSH from the
    controller with netmiko, then reads the device again until the tunnels are
    C(OPERATIONAL) or O(wait_timeout) passes.
  - "Safe by default: a tunnel whose health verdict is C(OPERATIONAL) is left alone unless
    O(force=true); the redundancy guard refuses to reset a tunnel whose redundant partners
    are none of them C(OPERATIONAL) (it may be the last working path), and never resets two
    members of one redundant set in one run; outside O(maintenance_window) nothing is read or
    sent. Refusals say which partner and why."
  - "Every target is validated before any command is built: names are plain words (letters,
    digits, C(_ . : @ / -)), peers are IP addresses, SA ids are numbers. Anything else, and
    a target the device does not have, fails the host with nothing sent."
  - "Commands per platform (the unit's name is tried first, then its peer address, then its
    IKE SA id, whichever the platform's CLI selects by):
    strongswan C(swanctl --terminate) then C(--initiate);
    strongswan_legacy and libreswan C(ipsec down) then C(ipsec up);
    openvpn the management interface's C(kill CN) on a server (the client reconnects), and
    C(signal SIGUSR1) on a client's own tunnel (OpenVPN's soft restart);
    wireguard the peer removed and added back from C(wg showconf) (a new handshake);
    cisco_ios C(clear crypto session remote PEER) (scope child C(clear crypto sa peer PEER));
    cisco_asa C(vpn-sessiondb logoff ipaddress PEER noconfirm);
    juniper_srx C(clear security ike|ipsec security-associations);
    fortinet C(diagnose vpn ike gateway clear name NAME) then C(diagnose vpn tunnel up NAME)
    (scope child C(diagnose vpn tunnel down) then C(up));
    paloalto_panos C(clear vpn ike-sa gateway) / C(clear vpn ipsec-sa tunnel) then
    C(test vpn ike-sa) / C(test vpn ipsec-sa);
    mikrotik_routeros C(/ip ipsec active-peers remove) of one peer (C(kill-connections) of
    every peer only with O(all=true));
    vyos C(reset vpn ipsec site-to-site peer PEER)."
  - Health verdicts are those of P(vpnops.tunnels.tunnel_health#filter) with the thresholds in
    O(health). Redundant sets are those of P(vpnops.tunnels.tunnel_redundancy#filter) over the
    play's hosts (their C(ansible_facts.vpn) as the play holds them, this device's read fresh),
    declared in O(redundancy) and the host variable C(vpn_redundancy), or found by remote
    network.
author:
  - vpnops maintainers (@vpnops)
requirements:
  - netmiko (Python library on the controller)
  - Python 3.9 or later on the controller for O(maintenance_window) (zoneinfo)
extends_documentation_fragment:
  - vpnops.tunnels.device
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
attributes:
  check_mode:
    support: full
    details: Reads the device and reports exactly what would be reset, with the commands; sends nothing else.
  diff_mode:
    support: full
    details: The state and verdict of each reset tunnel before and after (predicted in check mode).
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
options:
  name:
    description:
      - Tunnels to reset, by the name C(ansible_facts.vpn) gives them (an OpenVPN server's
        client by its common name; a WireGuard peer as C(INTERFACE:PUBLIC_KEY)).
    type: list
    elements: str
  peer:
    description:
      - Tunnels to reset, by remote peer IP address.
    type: list
    elements: str
  sa_id:
    description:
      - The tunnel with this IKE SA id (strongSwan's unique id, SRX's SA index).
    type: str
  all:
    description:
      - Every tunnel of the device (each still subject to the health check and the guard).
      - Cannot be combined with O(name), O(peer) or O(sa_id).
    type: bool
    default: false
  scope:
    description:
      - V(tunnel) resets the IKE SA and its children; V(child) only the child (IPsec) SAs.
    type: str
    choices: [tunnel, child]
    default: tunnel
  child:
    description:
      - With O(scope=child), the child SA to reset (default - the tunnel's children).
    type: str
  force:
    description:
      - Reset OPERATIONAL tunnels too, and override the redundancy guard (each override is
        reported as a warning).
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait for the reset tunnels to be OPERATIONAL again; the task fails when one
        is not back by then. V(0) sends the reset and does not wait.
    type: int
    default: 60
  poll_interval:
    description:
      - Seconds between two reads of the device while waiting.
    type: int
    default: 2
  maintenance_window:
    description:
      - Only reset inside this daily window; outside it the task does nothing (no read, no
        command), reports RV(outside_window) with the time the window opens, and is not
        changed.
      - Falls back to the host variable C(vpn_maintenance_window).
    type: dict
    suboptions:
      start:
        description: Start, C(HH:MM), inside the window.
        type: str
        required: true
      end:
        description: End, C(HH:MM), outside the window; before O(maintenance_window.start) the window crosses midnight.
        type: str
        required: true
      timezone:
        description: IANA time zone of start and end, for example C(Europe/Berlin).
        type: str
        default: UTC
  health:
    description:
      - Thresholds of the health verdicts, as the options of
        P(vpnops.tunnels.tunnel_health#filter) (the C(health) section of an audit policy).
    type: dict
    default: {}
  redundancy:
    description:
      - Redundant sets, as the C(redundancy) section of an audit policy.
    type: dict
    default: {}
    suboptions:
      groups:
        description:
          - Declared sets, set name to members, each a C([host, tunnel]) pair or a
            C({host, tunnel}) dict.
        type: dict
        default: {}
      by_remote_network:
        description: Also group tunnels that reach the same remote networks.
        type: bool
        default: true
notes:
  - A tunnel that is not C(OPERATIONAL) again within O(wait_timeout) fails the host; the
    result still holds its state before and after.
  - A reset can cut the session it was sent over (management through the tunnel); the next
    read logs in again.
  - "strongSwan: C(swanctl) is given C(--timeout 5) so a peer that does not answer cannot
    hold the session; the reset is then verified by reading the SAs again. A tunnel selected
    by O(sa_id) is still reset by its connection name, so it is initiated again."
seealso:
  - module: vpnops.tunnels.vpn_facts
  - plugin: vpnops.tunnels.tunnel_redundancy
    plugin_type: filter
    description: The redundant sets the guard checks.
"""

EXAMPLES = r"""
- name: Reset a stuck tunnel and wait until it is back
  vpnops.tunnels.vpn_reset:
    name: [to-dc-a]

- name: See what would be reset, and how (nothing is sent)
  vpnops.tunnels.vpn_reset:
    all: true
  check_mode: true
  diff: true

- name: Reset only the IPsec SAs of one peer, at night
  vpnops.tunnels.vpn_reset:
    peer: [198.51.100.7]
    scope: child
    maintenance_window:
      start: "22:00"
      end: "04:00"
      timezone: Europe/Berlin

- name: Declared pair - never reset the last working path to the data centre
  vpnops.tunnels.vpn_reset:
    name: [to-dc-a]
    redundancy:
      groups:
        dc: [[gw1, to-dc-a], [gw2, to-dc-b]]
"""

RETURN = r"""
reset:
  description: The tunnels reset (in check mode, that would be reset).
  returned: always
  type: list
  elements: str
  sample: [to-dc-a]
healthy_untouched:
  description: Selected tunnels left alone because they are OPERATIONAL and O(force) is false.
  returned: always
  type: list
  elements: str
refused:
  description: Selected tunnels the redundancy guard refused, with the partner and why.
  returned: always
  type: list
  elements: dict
  contains:
    tunnel:
      description: The tunnel not reset.
      type: str
    partner_host:
      description: Host of the partner that decided it.
      type: str
    partner_tunnel:
      description: The partner tunnel.
      type: str
    partner_verdict:
      description: The partner's verdict.
      type: str
    reason:
      description: The refusal, in a sentence.
      type: str
outside_window:
  description: Set when the maintenance window was closed - when it opens (UTC) and the targets.
  returned: always
  type: dict
  sample: {opens_at: "2026-11-21T21:00:00Z", targets: [to-dc-a]}
commands:
  description: The commands for each reset tunnel (also in check mode, where none is sent).
  returned: always
  type: list
  elements: dict
  sample:
    - tunnel: to-dc-a
      commands: ["/usr/sbin/swanctl --terminate --ike to-dc-a --force --timeout 5",
                 "/usr/sbin/swanctl --initiate --ike to-dc-a --timeout 5"]
sent:
  description: Each command sent, with the device's answer.
  returned: when a reset was sent
  type: list
  elements: dict
tunnels:
  description:
    - Per reset tunnel - C(name), C(before) and C(after) (C(state), C(verdict), C(reasons),
      C(ike_sa_id), and C(spis) - each child's state and SPIs), C(back) (OPERATIONAL again
      within O(wait_timeout); null when not waited for) and C(seconds) it took.
  returned: always
  type: list
  elements: dict
duration_seconds:
  description: From the first read to the end of the verification.
  returned: when a reset was sent
  type: float
platform:
  description: The device's platform.
  returned: always
  type: str
"""

# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The options every module that reads a device shares (vpn_facts, vpn_reset)."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
attributes:
  platform:
    description: Target OS/families that can be operated against.
    support: N/A
    platforms:
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
options:
  platform:
    description:
      - The collection's platform name of the device.
      - Defaults to the host variable C(vpn_platform), then to a mapping of C(ansible_network_os).
    type: str
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
  timeout:
    description:
      - Seconds allowed for the SSH connection, the login, and each command.
    type: int
    default: 30
  swanctl_path:
    description:
      - Path of C(swanctl) on strongSwan gateways. A login user's PATH often lacks C(/usr/sbin).
    type: path
    default: /usr/sbin/swanctl
  vici_socket:
    description:
      - Path of charon's VICI socket, when it is not swanctl's default.
    type: path
  openvpn_management:
    description:
      - C(HOST:PORT) of the OpenVPN management interface, as reached from the device itself
        (usually C(127.0.0.1:PORT)). When set, C(status 3) and C(state) are read from it.
    type: str
  openvpn_status_file:
    description:
      - Path of the OpenVPN status file (C(--status FILE)); versions 1, 2 and 3 are read.
      - Used when O(openvpn_management) is not set. Defaults to Debian's systemd unit path
        C(/run/openvpn-server/status-server.log).
    type: path
  openvpn_clients:
    description:
      - Common names of the clients expected on an OpenVPN server. Expected clients that are
        not connected are reported with state C(DOWN).
    type: list
    elements: str
    default: []
  ipsec_path:
    description:
      - Path of the C(ipsec) command on libreswan and strongSwan (stroke) gateways.
    type: path
    default: /usr/sbin/ipsec
  wireguard_handshake_timeout:
    description:
      - A WireGuard peer whose latest handshake is older than this many seconds is C(DOWN).
      - WireGuard renews the session every 120 seconds while traffic flows, so the default
        leaves one missed renewal of slack.
    type: int
    default: 180
  cisco_ios_ikev2:
    description:
      - Also read C(show crypto ikev2 sa detail) on Cisco IOS. Set it to false on images
        older than 15.1(1)T, which reject the command.
    type: bool
    default: true
  vyos_wireguard_interfaces:
    description:
      - WireGuard interfaces to read on VyOS (C(show interfaces wireguard IF summary) each);
        VyOS has no command that lists every peer at once.
    type: list
    elements: str
    default: []
"""

# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Platform registry: our platform names, how to reach them, and which inventory names map in.

Adding a platform is a parser module named like the platform (parsers/<name>.py) plus one
entry in PLATFORMS (and its aliases).
"""

from __future__ import annotations

from ansible_collections.vpnops.tunnels.plugins.module_utils.errors import VpnConfigError

# name -> netmiko device_type and the tunnel types the platform reports
PLATFORMS = {
    "strongswan": {"device_type": "linux", "tunnel_types": ("ipsec",)},
    "strongswan_legacy": {"device_type": "linux", "tunnel_types": ("ipsec",)},
    "libreswan": {"device_type": "linux", "tunnel_types": ("ipsec",)},
    "openvpn": {"device_type": "linux", "tunnel_types": ("openvpn",)},
    "wireguard": {"device_type": "linux", "tunnel_types": ("wireguard",)},
    "cisco_ios": {"device_type": "cisco_ios", "tunnel_types": ("ipsec",)},
    "cisco_asa": {"device_type": "cisco_asa", "tunnel_types": ("ipsec",)},
    "juniper_srx": {"device_type": "juniper_junos", "tunnel_types": ("ipsec",)},
    "fortinet": {"device_type": "fortinet", "tunnel_types": ("ipsec",)},
    "paloalto_panos": {"device_type": "paloalto_panos", "tunnel_types": ("ipsec",)},
    "mikrotik_routeros": {"device_type": "mikrotik_routeros", "tunnel_types": ("ipsec",)},
    "vyos": {"device_type": "vyos", "tunnel_types": ("ipsec", "openvpn", "wireguard")},
}

# ansible_network_os values (FQCN and short) that mean one of our platforms. Linux gateways
# have no network OS of their own, so they are named with vpn_platform.
NETWORK_OS_ALIASES = {
    "strongswan": "strongswan",
    "openvpn": "openvpn",
    "cisco.ios.ios": "cisco_ios",
    "ios": "cisco_ios",
    "cisco.asa.asa": "cisco_asa",
    "asa": "cisco_asa",
    "junipernetworks.junos.junos": "juniper_srx",
    "junos": "juniper_srx",
    "fortinet.fortios.fortios": "fortinet",
    "fortios": "fortinet",
    "paloaltonetworks.panos": "paloalto_panos",
    "paloaltonetworks.panos.panos": "paloalto_panos",
    "panos": "paloalto_panos",
    "community.routeros.routeros": "mikrotik_routeros",
    "routeros": "mikrotik_routeros",
    "vyos.vyos.vyos": "vyos",
    "vyos": "vyos",
}


def resolve_platform(vpn_platform=None, network_os=None):
    """Our platform name from vpn_platform (preferred) or ansible_network_os."""
    if vpn_platform:
        if vpn_platform not in PLATFORMS:
            raise VpnConfigError("unknown vpn_platform %r; supported: %s" % (
                vpn_platform, ", ".join(sorted(PLATFORMS))))
        return vpn_platform
    if network_os:
        name = NETWORK_OS_ALIASES.get(str(network_os).lower())
        if name is None:
            raise VpnConfigError(
                "ansible_network_os %r is not a VPN platform this collection knows; set vpn_platform"
                " to one of: %s" % (network_os, ", ".join(sorted(PLATFORMS))))
        return name
    raise VpnConfigError("no platform: set vpn_platform (one of: %s) or ansible_network_os"
                         % ", ".join(sorted(PLATFORMS)))


def device_type(platform):
    return PLATFORMS[platform]["device_type"]


def tunnel_types(platform):
    return PLATFORMS[platform]["tunnel_types"]

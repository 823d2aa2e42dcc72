# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Platform registry: our platform names, how to reach them, and which inventory names map in.

Adding a platform is a parser module plus one entry in PLATFORMS (and its aliases).
"""

from __future__ import annotations

from ansible_collections.vpnops.tunnels.plugins.module_utils.errors import VpnConfigError

# name -> netmiko device_type and the tunnel types the platform reports
PLATFORMS = {
    "strongswan": {"device_type": "linux", "tunnel_types": ("ipsec",)},
    "openvpn": {"device_type": "linux", "tunnel_types": ("openvpn",)},
}

# ansible_network_os values (FQCN and short) that mean one of our platforms
NETWORK_OS_ALIASES = {
    "strongswan": "strongswan",
    "openvpn": "openvpn",
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

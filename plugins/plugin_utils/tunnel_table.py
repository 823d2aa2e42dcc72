# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The console table of a fleet's tunnels, one line per tunnel (the facts playbook prints it)."""

from __future__ import annotations

from ansible_collections.vpnops.tunnels.plugins.plugin_utils import inputs

COLUMNS = ("HOST", "TUNNEL", "TYPE", "STATE", "UP/ALL", "PEER", "STATUS")
_ROW = "%-18s %-16s %-8s %-12s %-7s %-16s %s"


def render(data, hosts=None):
    """The table's text: a header, then every host's tunnels in host order; a host without
    facts gets one NO FACTS line so that it is not missing."""
    found = inputs.devices(data, hosts)
    lines = [_ROW % COLUMNS]
    for device in sorted(found, key=lambda device: device.host):
        if device.facts is None:
            lines.append(_ROW % (device.host, "-", "-", "NO FACTS", "-", "-",
                                 "gathering failed or host unreachable"))
            continue
        for tunnel in device.tunnels:
            up, total, peer = _counts_and_peer(tunnel)
            lines.append(_ROW % (device.host, tunnel.get("name"), tunnel.get("type"),
                                 tunnel.get("state"), "%d/%d" % (up, total), peer,
                                 tunnel.get("status_message") or ""))
    return "\n".join(lines)


def _counts_and_peer(tunnel):
    """(units up, units in all, peer) - an OpenVPN server's units are its clients, an IPsec
    tunnel's its child SAs, any other tunnel is its own one unit."""
    openvpn = tunnel.get("openvpn") or {}
    if tunnel.get("type") == "openvpn" and openvpn.get("role") == "server":
        clients = openvpn.get("clients") or []
        up = sum(1 for client in clients if client.get("state") == "CONNECTED")
        return up, len(clients), "%d clients" % len(clients)
    if tunnel.get("type") == "ipsec":
        children = tunnel.get("children") or []
        up = sum(1 for child in children if child.get("state") == "INSTALLED")
        remote = ((tunnel.get("ike") or {}).get("remote") or {}).get("address")
        return up, len(children), remote or "-"
    client_state = openvpn.get("client_state") or {}
    return int(tunnel.get("state") == "UP"), 1, client_state.get("remote_address") or "-"

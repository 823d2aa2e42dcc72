# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Gather one device: transport -> parse -> model. No Ansible here, so it runs anywhere.

The vpn_facts action plugin calls gather_device() once per host; a fleet mode can call it
from a thread pool, since nothing below keeps state between calls.
"""

from __future__ import annotations

from ansible_collections.vpnops.tunnels.plugins.module_utils import model, parsers, platforms
from ansible_collections.vpnops.tunnels.plugins.module_utils.transport import Session

SUBSETS = ("all",) + model.TUNNEL_TYPES

# Option defaults, equal to the daemons' own defaults where they have one.
DEFAULT_OPTIONS = {
    "gather_subset": ["all"],
    "timeout": 30,
    "include_raw": False,
    "swanctl_path": "/usr/sbin/swanctl",
    "vici_socket": None,
    "openvpn_management": None,
    "openvpn_status_file": None,
    "openvpn_clients": [],
    "ipsec_path": "/usr/sbin/ipsec",
    "wireguard_handshake_timeout": 180,
    "cisco_ios_ikev2": True,
    "vyos_wireguard_interfaces": [],
}


def with_defaults(options):
    """The options with every unset (None) one at its default."""
    return dict(DEFAULT_OPTIONS, **{name: value for name, value in options.items()
                                    if value is not None})


def wanted_types(platform, gather_subset):
    subset = set(gather_subset or ["all"])
    offered = platforms.tunnel_types(platform)
    if "all" in subset:
        return list(offered)
    return [tunnel_type for tunnel_type in offered if tunnel_type in subset]


def gather_device(spec, platform, options, hostname=None):
    """Run the platform's commands over one SSH session and parse them.

    Returns (device model, [(command, raw text), ...]); raises VpnError subclasses.
    """
    options = with_defaults(options)
    if not wanted_types(platform, options["gather_subset"]):
        return model.new_device(platform, hostname=hostname), []
    with Session(spec) as session:
        return read_device(session, platform, options, hostname=hostname)


def read_device(session, platform, options, hostname=None):
    """gather_device() over a session that is already open (a reset reads, resets and reads
    again over one login)."""
    options = with_defaults(options)
    parser = parsers.parser_for(platform)
    outputs = [(command, session.run(command)) for command in parser.gather_commands(options)]
    device = parsers.parse_outputs(platform, outputs, hostname=hostname)
    if hasattr(parser, "apply_options"):  # judgements that need the task's options
        parser.apply_options(device["tunnels"], options)
    return device, outputs

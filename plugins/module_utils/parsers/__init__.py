# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One entry point for every platform parser: text in, the tunnel model out.

Each platform is one module in this package that provides:
  PLATFORM              its name (the collection's platform name)
  COMMANDS              canonical command keys it parses (for docs and errors)
  command_key(command)  the canonical key of a command as typed, or None if unsupported
  parse(key, text)      list of tunnel dicts (model.new_tunnel); raises VpnParseError
  merge(parts)          combine [(key, tunnels), ...] from several commands into one list
"""

from __future__ import annotations

from ansible_collections.vpnops.tunnels.plugins.module_utils import model
from ansible_collections.vpnops.tunnels.plugins.module_utils.errors import (
    VpnConfigError,
    VpnParseError,
)
from ansible_collections.vpnops.tunnels.plugins.module_utils.parsers import openvpn, strongswan

PARSERS = {module.PLATFORM: module for module in (strongswan, openvpn)}


def parser_for(platform):
    try:
        return PARSERS[platform]
    except KeyError:
        raise VpnConfigError(
            "unknown platform %r; supported: %s" % (platform, ", ".join(sorted(PARSERS)))
        ) from None


def _parse_one(parser, command, text):
    key = parser.command_key(command)
    if key is None:
        raise VpnParseError(
            parser.PLATFORM, command, "one of the supported commands: %s" % ", ".join(parser.COMMANDS)
        )
    if not isinstance(text, str):
        raise VpnParseError(parser.PLATFORM, command, "text, got %s" % type(text).__name__)
    return key, parser.parse(key, text)


def parse_outputs(platform, outputs, hostname=None):
    """Parse several commands' outputs of one device into one device model.

    outputs: a list of (command, text) pairs, or a dict command -> text.
    """
    parser = parser_for(platform)
    pairs = list(outputs.items()) if isinstance(outputs, dict) else list(outputs)
    device = model.new_device(platform, hostname=hostname)
    parts = []
    for command, text in pairs:
        parts.append(_parse_one(parser, command, text))
        device["commands"].append(command)
    device["tunnels"] = parser.merge(parts)
    return device


def parse_output(platform, command, text, hostname=None):
    """Parse one command's output of one device into the device model (a dict)."""
    return parse_outputs(platform, [(command, text)], hostname=hostname)

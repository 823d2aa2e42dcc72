# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One entry point for every platform parser: text in, the tunnel model out.

Each platform is one module in this package, named like the platform, that provides:
  PLATFORM              its name (the collection's platform name)
  COMMANDS              canonical command keys it parses (for docs and errors)
  command_key(command)  the canonical key of a command as typed, or None if unsupported
  parse(key, text)      list of tunnel dicts (model.new_tunnel); raises VpnParseError
  merge(parts)          combine [(key, tunnels), ...] from several commands into one list
  gather_commands(opts) the commands vpn_facts runs, given the task's options
"""

from __future__ import annotations

import importlib

from ansible_collections.vpnops.tunnels.plugins.module_utils import cyclic_gc, model, platforms
from ansible_collections.vpnops.tunnels.plugins.module_utils.errors import (
    VpnConfigError,
    VpnParseError,
)


def parser_for(platform):
    """The parser module of a platform: parsers/<platform>.py, imported on first use."""
    if platform not in platforms.PLATFORMS:
        raise VpnConfigError("unknown platform %r; supported: %s" % (
            platform, ", ".join(sorted(platforms.PLATFORMS))))
    try:
        return importlib.import_module("%s.%s" % (__name__, platform))
    except ModuleNotFoundError as error:
        raise VpnConfigError("platform %r has no parser module: %s" % (platform, error)) from None


def load_all():
    """Import every platform's parser now. Action plugins call it when Ansible loads them, so
    forked workers inherit the modules with their regular expressions compiled (a worker
    that imports a parser itself spends 20-50 ms of CPU on it, for every host)."""
    for platform in platforms.PLATFORMS:
        parser_for(platform)


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
    with cyclic_gc.paused():
        for command, text in pairs:
            parts.append(_parse_one(parser, command, text))
            device["commands"].append(command)
        device["tunnels"] = parser.merge(parts)
    return device


def parse_output(platform, command, text, hostname=None):
    """Parse one command's output of one device into the device model (a dict)."""
    return parse_outputs(platform, [(command, text)], hostname=hostname)

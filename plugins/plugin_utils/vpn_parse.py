# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The logic of the vpn_parse filter, testable without Jinja."""

from __future__ import annotations

from collections.abc import Mapping

from ansible_collections.vpnops.tunnels.plugins.module_utils import parsers


def parse_input(data, platform, command=None, hostname=None):
    """One text with its command, a dict command -> text, or vpn_facts' raw_outputs list."""
    if isinstance(data, str):
        if not command:
            raise ValueError("a single text needs its command, e.g. vpn_parse('%s', 'COMMAND')"
                             % platform)
        return parsers.parse_output(platform, command, data, hostname=hostname)
    if isinstance(data, Mapping):
        return parsers.parse_outputs(platform, list(data.items()), hostname=hostname)
    if isinstance(data, (list, tuple)):
        pairs = []
        for item in data:
            if not isinstance(item, Mapping) or "command" not in item or "output" not in item:
                raise ValueError("list items must be dicts with 'command' and 'output'")
            pairs.append((item["command"], item["output"]))
        return parsers.parse_outputs(platform, pairs, hostname=hostname)
    raise TypeError("input must be text, a dict of command to text, or a list of"
                    " {command, output}; got %s" % type(data).__name__)

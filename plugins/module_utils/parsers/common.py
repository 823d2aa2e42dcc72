# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Small vendor-neutral helpers shared by the platform parsers."""

from __future__ import annotations

import re

from ansible_collections.vpnops.tunnels.plugins.module_utils.errors import VpnParseError

_ADDRESS_PORT = re.compile(r"^\[?(?P<address>[^\[\]]*?)\]?(?::(?P<port>\d+))?$")


def to_int(value):
    """An int from a device's number text ('1,234', '  42'), or None when empty/absent."""
    if value is None:
        return None
    text = str(value).strip().replace(",", "")
    if text in ("", "-", "n/a", "N/A"):
        return None
    return int(text)


def split_address_port(text):
    """'198.51.100.1:1194' -> ('198.51.100.1', 1194); IPv6 without port stays whole.

    OpenVPN and others print IPv6 with and without a port; a bare IPv6 address has more than
    one colon and no brackets, so only a single colon (IPv4) or brackets mark a port.
    """
    text = (text or "").strip()
    if not text:
        return None, None
    if text.count(":") > 1 and not text.startswith("["):
        return text, None
    match = _ADDRESS_PORT.match(text)
    port = match.group("port")
    return match.group("address"), int(port) if port else None


def normalize(table, native, default="UNDEFINED"):
    """Look a native state up in a platform's state table (case-insensitive)."""
    if native is None:
        return default
    return table.get(native.strip().upper(), default)


def nonempty_lines(text):
    """(line_number, line) for every non-blank line, CR stripped (management sockets send CRLF)."""
    for number, line in enumerate(text.splitlines(), 1):
        line = line.rstrip("\r")
        if line.strip():
            yield number, line


def fail(platform, command, expected, line_number=None, line=None):
    raise VpnParseError(platform, command, expected, line_number, line)

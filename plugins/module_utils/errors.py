# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's errors: every failure a user sees names where it happened."""

from __future__ import annotations


class VpnError(Exception):
    """Base class of the collection's errors."""


class VpnParseError(VpnError):
    """Text a parser does not understand: names platform, command and what was expected."""

    def __init__(self, platform, command, expected, line_number=None, line=None):
        self.platform = platform
        self.command = command
        self.expected = expected
        self.line_number = line_number
        self.line = line
        where = ""
        if line_number is not None:
            where = " at line %d (%r)" % (line_number, (line or "")[:120])
        super().__init__(
            "cannot parse %s output of %r%s: expected %s" % (platform, command, where, expected)
        )


class VpnTransportError(VpnError):
    """The device could not be reached, refused the login, or a command failed to run."""


class VpnConfigError(VpnError):
    """Bad options or inventory variables (unknown platform, missing host, ...)."""

# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tunnel reset, the vendor-neutral part: strict target validation and the dispatcher.

A target is a dict {name, peer, sa_id, all, scope, child}: exactly one of name, peer, sa_id
or all (true) says which tunnels; scope "tunnel" (IKE SA and children, the default) or
"child" (the IPsec/child SAs only); child optionally names the child SA for scope "child";
children optionally lists the tunnel's child SAs, for platforms that bring a tunnel back
child by child (strongSwan initiates each one; an IKE SA alone carries no traffic).

Every field is validated before any command is built, so nothing a user typed reaches a
shell or a device CLI unless it is a plain name, an IP address or a number. The vendor's
commands come from its parser module (parsers/<platform>.py, reset_commands(target,
options)), which raises VpnConfigError for a kind of target the platform cannot reset.
"""

from __future__ import annotations

import ipaddress
import re

from ansible_collections.vpnops.tunnels.plugins.module_utils.errors import VpnConfigError
from ansible_collections.vpnops.tunnels.plugins.module_utils.parsers import parser_for

SCOPES = ("tunnel", "child")
TARGET_FIELDS = ("name", "peer", "sa_id", "all", "scope", "child", "children")
SELECTORS = ("name", "peer", "sa_id", "all")

# Tunnel and child names: no spaces, quotes, ;, |, $, backticks, newlines or braces.
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:@/-]{0,127}\Z")
# A WireGuard peer, named INTERFACE:PUBLIC_KEY by the collection: the key is base64 of 32
# bytes, so it carries '+' and '=', allowed in exactly that form and nowhere else.
WIREGUARD_NAME_PATTERN = re.compile(
    r"[A-Za-z0-9_.-]{1,15}:[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=\Z")
SA_ID_PATTERN = re.compile(r"[0-9]{1,20}\Z")


def _bad(field, value, expected):
    return VpnConfigError("invalid reset target %s %r: expected %s" % (field, value, expected))


def _valid_name(field, value):
    if not isinstance(value, str) or not (
            NAME_PATTERN.match(value) or WIREGUARD_NAME_PATTERN.match(value)):
        raise _bad(field, value, "a name of 1 to 128 characters from A-Z a-z 0-9 _ . : @ / -, "
                   "starting with a letter or digit")
    return value


def is_plain_name(value):
    """Whether value would pass as a target name (vendors' child SAs are often named by their
    traffic selectors, which never reach a command)."""
    return isinstance(value, str) and bool(NAME_PATTERN.match(value) or WIREGUARD_NAME_PATTERN.match(value))


def _valid_peer(value):
    if not isinstance(value, str):
        raise _bad("peer", value, "an IPv4 or IPv6 address")
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        raise _bad("peer", value, "an IPv4 or IPv6 address") from None
    if "%" in value:  # a scope id would reach the CLI as typed
        raise _bad("peer", value, "an IPv4 or IPv6 address without a scope id")
    return str(address)


def _valid_sa_id(value):
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise _bad("sa_id", value, "a number (digits only)")
    text = str(value)
    if not SA_ID_PATTERN.match(text):
        raise _bad("sa_id", value, "a number (digits only)")
    return text


def validate_target(target):
    """The target, checked and normalized (a new dict); raises VpnConfigError naming the
    field and its value when anything is wrong. Nothing is built before this passes."""
    if not isinstance(target, dict):
        raise VpnConfigError("invalid reset target %r: expected a dict" % (target,))
    unknown = sorted(set(target) - set(TARGET_FIELDS), key=str)
    if unknown:
        raise VpnConfigError("invalid reset target field %r: expected one of %s" % (
            unknown[0], ", ".join(TARGET_FIELDS)))
    all_ = target.get("all")
    if all_ not in (None, True, False):
        raise _bad("all", all_, "true or false")
    given = [field for field in SELECTORS
             if (target.get(field) is not None if field != "all" else all_ is True)]
    if len(given) != 1:
        raise VpnConfigError(
            "invalid reset target: exactly one of name, peer, sa_id or all must be given, got %s"
            % (", ".join(given) if given else "none"))
    scope = target.get("scope")
    if scope is None:
        scope = "tunnel"
    if scope not in SCOPES:
        raise _bad("scope", scope, "one of %s" % ", ".join(SCOPES))
    valid = {"name": None, "peer": None, "sa_id": None, "all": all_ is True, "scope": scope,
             "child": None, "children": []}
    if target.get("name") is not None:
        valid["name"] = _valid_name("name", target["name"])
    if target.get("peer") is not None:
        valid["peer"] = _valid_peer(target["peer"])
    if target.get("sa_id") is not None:
        valid["sa_id"] = _valid_sa_id(target["sa_id"])
    if target.get("child") is not None:
        if scope != "child":
            raise _bad("child", target["child"], "no child unless scope is 'child'")
        valid["child"] = _valid_name("child", target["child"])
    children = target.get("children")
    if children is not None:
        if not isinstance(children, (list, tuple)):
            raise _bad("children", children, "a list of child SA names")
        valid["children"] = [_valid_name("children", child) for child in children]
    return valid


def target_kind(target):
    """'name', 'peer', 'sa_id' or 'all' of a validated target."""
    return next(field for field in SELECTORS if target[field])


def target_peer(target):
    """The peer address a validated target names: its peer, or its name when that name is an
    address (platforms that name tunnels by peer address), else None."""
    if target["peer"]:
        return target["peer"]
    try:
        return str(ipaddress.ip_address(target["name"] or ""))
    except ValueError:
        return None


def unsupported(platform, target, hint=""):
    """The error a platform module raises for a kind of target it cannot reset."""
    return VpnConfigError("platform %s cannot reset by %s with scope %s%s" % (
        platform, target_kind(target), target["scope"], "; " + hint if hint else ""))


def reset_commands(platform, target, options=None):
    """The CLI commands that reset target on platform, in order (validated first)."""
    valid = validate_target(target)
    parser = parser_for(platform)
    builder = getattr(parser, "reset_commands", None)
    if builder is None:
        raise VpnConfigError("platform %s has no reset commands" % platform)
    commands = builder(valid, dict(options or {}))
    if not commands:
        raise unsupported(platform, valid)
    return list(commands)

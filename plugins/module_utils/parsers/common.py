# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Small vendor-neutral helpers shared by the platform parsers.

Only logic that several platforms need in the same form lives here; what a vendor prints
its own way (state names, table layouts, error lines) stays in that platform's module.
"""

from __future__ import annotations

import re

from ansible_collections.vpnops.tunnels.plugins.module_utils import model
from ansible_collections.vpnops.tunnels.plugins.module_utils.errors import VpnParseError

_ADDRESS_PORT = re.compile(r"^\[?(?P<address>[^\[\]]*?)\]?(?::(?P<port>\d+))?$")


# --- reading text ---------------------------------------------------------------------------

def to_int(value):
    """An int from a device's number text ('1,234', '  42'), or None when empty/absent."""
    if value is None:
        return None
    text = str(value).strip().replace(",", "")
    if text in ("", "-", "n/a", "N/A"):
        return None
    return int(text)


def int_or_fail(platform, command, text, line_number=None, line=None):
    """to_int(text), or a parse error naming the line when the text is no number."""
    try:
        return to_int(text)
    except ValueError:
        fail(platform, command, "a number, got %r" % text, line_number, line)


def split_address_port(text):
    """'198.51.100.1:1194' -> ('198.51.100.1', 1194); IPv6 without port stays whole.

    OpenVPN and others print IPv6 with and without a port; a bare IPv6 address has more than
    one colon and no brackets, so only a single colon (IPv4) or brackets mark a port.
    """
    text = (text or "").strip()
    if not text:
        return None, None
    colons = text.count(":")
    if colons == 1 and "[" not in text and "]" not in text:
        # IPv4 'address:port', the common case (thousands per listing), without the regex;
        # isdecimal() accepts exactly the digits the regex's \d does
        address, _colon, port = text.partition(":")
        if port.isdecimal():
            return address, int(port)
    elif colons > 1 and not text.startswith("["):
        return text, None
    match = _ADDRESS_PORT.match(text)
    port = match.group("port")
    return match.group("address"), int(port) if port else None


LINES_PER_SPLIT = 1 << 16  # characters split into lines at a time (numbered_lines)


def numbered_lines(text, chunk=LINES_PER_SPLIT):
    """(line_number, line) for every line, exactly as enumerate(text.splitlines(), 1).

    The text is split a chunk at a time, at a newline, so the lines of a large output never
    all exist at once: their memory is reused chunk after chunk instead of being requested
    afresh from the system (a third of the time of 50,000 tunnels went to that)."""
    number, start, size = 1, 0, len(text)
    while start < size:
        end = text.find("\n", start + chunk)
        end = size if end < 0 else end + 1  # the newline ends this chunk's last line
        lines = text[start:end].splitlines()
        yield from enumerate(lines, number)
        number += len(lines)
        start = end


def nonempty_lines(text):
    """(line_number, line) for every non-blank line, CR stripped (management sockets send CRLF)."""
    for number, line in numbered_lines(text):
        line = line.rstrip("\r")
        if line.strip():
            yield number, line


def shows_any(text, signs):
    """Whether any of the signs (substrings) occurs anywhere in the text.

    Parsers ask this once per output before cleaning it line by line: substring tests of the
    whole text run at C speed and spare clean outputs (the usual case) the per-line tests. A
    sign is only looked for when its first character occurs at all, which a one-character
    search tells fastest.
    """
    return any(sign[0] in text and sign in text for sign in signs)


_DASH_RULE = re.compile(r"^\s*-+(?:\s+-+)*\s*$")


def is_dash_rule(line):
    """Whether a line only underlines a table's column names ('----  -------  --')."""
    return bool(_DASH_RULE.match(line))


def normalize(table, native, default="UNDEFINED"):
    """Look a native state up in a platform's state table (case-insensitive)."""
    if native is None:
        return default
    return table.get(native.strip().upper(), default)


def fail(platform, command, expected, line_number=None, line=None):
    """Raise the parse error: what was expected, and where (line number and text) if known."""
    raise VpnParseError(platform, command, expected, line_number, line)


# --- commands as typed ----------------------------------------------------------------------

def abbreviates(typed, word, aliases=None):
    """Whether a typed word stands for a canonical command word: a non-empty prefix of it
    ('sh' for 'show'), or an alias the CLI takes for it (aliases: typed word -> word)."""
    if aliases and aliases.get(typed) == word:
        return True
    return bool(typed) and word.startswith(typed)


def abbreviated_command(command, grammar, aliases=None):
    """The key of the one grammar entry that a command as typed abbreviates, else None.

    CLIs such as the ASA's and Junos's take any unambiguous abbreviation of each word
    ('sh cry ikev1 sa det'). grammar holds (canonical words, key, trailing) entries, where
    trailing says what may follow the canonical words: None, any words (filters that keep
    the listing's layout); or (options, takes_arguments): nothing, or an abbreviated option
    and, only when takes_arguments, more words after it. What follows a '|' is an output
    filter and is not read; case does not matter. A command that several entries with
    different keys match is ambiguous: None.
    """
    words = (command or "").split("|", 1)[0].lower().split()
    found = {key for canonical, key, trailing in grammar
             if len(words) >= len(canonical)
             and all(abbreviates(typed, word, aliases) for typed, word in zip(words, canonical))
             and _trailing_allowed(words[len(canonical):], trailing, aliases)}
    return found.pop() if len(found) == 1 else None


def _trailing_allowed(extra, trailing, aliases):
    if not extra or trailing is None:
        return True
    options, takes_arguments = trailing
    return any(abbreviates(extra[0], option, aliases) for option in options) and (
        takes_arguments or len(extra) == 1)


# --- values ---------------------------------------------------------------------------------

def hex_spi(text):
    """'0x1E8246FC', 'DC15BF68' -> lowercase hex without '0x' (the vendor's width kept)."""
    text = text.strip().lower()
    return text[2:] if text.startswith("0x") else text


# A key size of 128, 192 or 256 bits closing a cipher name, with or without a '-' before it.
_KEY_SIZE = re.compile(r"^(?P<name>.*?[A-Za-z])-?(?P<bits>128|192|256)$")
# The same, or the size before a mode ('aes256-cbc'); names of letters, digits and '-' only.
_KEY_SIZE_BEFORE_MODE = re.compile(
    r"^(?P<name>[a-z0-9-]*?[a-z])-?(?P<bits>128|192|256)(?P<mode>-[a-z0-9-]+)?$", re.IGNORECASE)


def split_key_size(text, mode_after=False):
    """'aes-256', 'AES256', 'aes-gcm-256' -> (name, key size in bits); (text, None) without one.

    mode_after: the size may also stand before a mode, which stays in the name ('aes256-cbc'
    -> ('aes-cbc', 256), as Junos writes some ciphers); the name may then hold only letters,
    digits and '-'. Callers cache the result: a device uses few ciphers, printed per SA.
    """
    if mode_after:
        found = _KEY_SIZE_BEFORE_MODE.match(text)
        if found:
            return found.group("name") + (found.group("mode") or ""), int(found.group("bits"))
        return text, None
    found = _KEY_SIZE.match(text)
    if found:
        return found.group("name"), int(found.group("bits"))
    return text, None


def range_prefix_length(first, last):
    """The prefix length when first..last (ipaddress addresses) is exactly one network, e.g.
    10.1.0.0..10.1.0.255 -> 24; None when it is not (unaligned, not a power of two in size,
    reversed, or ends of two address families), so the caller prints a range.

    Plain integer arithmetic: ipaddress.summarize_address_range tells the same, slower.
    """
    if first.version != last.version:
        return None
    size = int(last) - int(first) + 1
    if size > 0 and size & (size - 1) == 0 and int(first) % size == 0:
        return first.max_prefixlen - (size.bit_length() - 1)
    return None


def nat_side(local_behind, remote_behind):
    """Which side NAT-T found behind a NAT: 'none', 'local', 'remote' or 'both'."""
    return {(False, False): "none", (True, False): "local", (False, True): "remote"}.get(
        (local_behind, remote_behind), "both")


_UNIT_POWERS = {"K": 1, "M": 2, "G": 3, "T": 4, "P": 5}


def scaled_size(number, unit, base=1024, lower_bound=True):
    """A human size as a whole count: number text ('17', '7.5', '1.24') and its unit ('',
    'B', 'K', 'KB', 'KiB', 'M', ...); base 1024 for bytes, 1000 for counts ('10K' packets).

    Whole numbers are exact. Devices round numbers with decimals, so: lower_bound, the
    smallest count that prints so (half a printed step is taken off, as Vyatta and OpenVPN
    round), which keeps counters from exceeding the device's; else the nearest count (wg).
    A number with decimals but no unit is a plain count, truncated.
    """
    power = _UNIT_POWERS.get(unit[:1], 0)
    whole, _dot, decimals = number.partition(".")
    if not decimals:
        return int(whole) * base ** power
    if not lower_bound:
        return int(round(float(number) * base ** power))
    if not power:
        return int(float(number))
    half_step = 0.5 * 10 ** -len(decimals)
    return max(0, int((float(number) - half_step) * base ** power))


# --- the tunnel model -----------------------------------------------------------------------

def configured_tunnel(name):
    """A configured, enabled IPsec tunnel without any SA: DOWN until an SA says otherwise."""
    tunnel = model.new_tunnel(name, "ipsec", "DOWN")
    tunnel["configured"] = True
    tunnel["enabled"] = True
    return tunnel


def fill_missing(target, source, empty=(), skip=()):
    """target's missing values (at any depth) taken from source; target changed and returned.

    A value is missing when it is None or one of empty (e.g. ([], '') to fill empty lists and
    strings too). Fields in skip are left alone, at the top level only.
    """
    for name, value in source.items():
        # 'empty and', 'skip and': the usual call (None only) costs two truth tests, no more
        if value is None or empty and value in empty or skip and name in skip:
            continue
        mine = target.get(name)
        if mine is None or empty and mine in empty:
            target[name] = value
        elif isinstance(mine, dict) and isinstance(value, dict):
            fill_missing(mine, value, empty)
    return target


# the model dicts inside an IKE SA or child that update_set_values merges field by field
_NESTED = frozenset(("local", "remote", "algorithms", "virtual_ips"))


def update_set_values(target, source):
    """An IKE or child dict updated with source's set values (not None, 'UNDEFINED' or []),
    one level into endpoints and algorithms (written out rather than recursive: merge runs
    it for every tunnel)."""
    for field, value in source.items():
        if value is None or value == "UNDEFINED" or value == []:
            continue
        if field in _NESTED:
            inner = target[field]
            for name, item in value.items():
                if item is not None and item != []:
                    inner[name] = item
        else:
            target[field] = value


def absorb(target, source, children=True):
    """Copy what one command's tunnel knows onto the same tunnel from another command: set
    values win, unset ones (None, []) do not; the status messages are joined."""
    target["configured"] = target["configured"] or source["configured"]
    target["enabled"] = target["enabled"] if source["enabled"] is None else source["enabled"]
    if source["native_state"] is not None:
        target["native_state"], target["state"] = source["native_state"], source["state"]
    update_set_values(target["ike"], source["ike"])
    if source["ike"]["native_state"] is not None:  # a live IKE SA says where negotiation is
        target["ike"]["negotiation"] = source["ike"]["negotiation"]
    if source["status_message"] and source["status_message"] not in target["status_message"]:
        target["status_message"] = "; ".join(
            part for part in (target["status_message"], source["status_message"]) if part)
    if children:
        absorb_children(target, source)


def absorb_children(target, source):
    """source's children merged into target's by name (set values win, configured sticks);
    children target lacks are appended."""
    existing = {child["name"]: child for child in target["children"]}
    for child in source["children"]:
        known = existing.get(child["name"])
        if known is None:
            target["children"].append(child)
            continue
        configured = known["configured"] or child["configured"]
        update_set_values(known, child)  # the configured selectors stay: SA rows have none
        known["configured"] = configured

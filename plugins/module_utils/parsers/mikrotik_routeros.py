# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""MikroTik RouterOS v6 and v7: IPsec state from three `/ip ipsec` menus.

- `peer print`: the configured peers, so a peer without any IKE SA is reported DOWN;
- `active-peers print` (`remote-peers` before 6.43): phase 1 per peer (state, side,
  addresses and ports, SPIs, uptime, ph2-total);
- `installed-sa print`: the ESP/AH SAs, one per direction.

A tunnel is a peer, named by the peer's name (or comment) when the configuration is gathered,
else by the remote's identity or address. RouterOS does not say which policy an SA belongs
to, so children are the SA pairs (inbound + outbound) between the two peer addresses, named
ph2-1, ph2-2, ... in the order the router lists them.

Both print layouts are read: `print detail` (key=value items, wrapped lines, ';;;' comments;
what vpn_facts gathers) and the column table RouterOS prints without `detail`.
"""

from __future__ import annotations

import collections
import itertools
import re

from ansible_collections.vpnops.tunnels.plugins.module_utils import model
from ansible_collections.vpnops.tunnels.plugins.module_utils.parsers.common import (
    fail,
    nonempty_lines,
    normalize,
)

PLATFORM = "mikrotik_routeros"
PEERS = "/ip ipsec peer print"
ACTIVE_PEERS = "/ip ipsec active-peers print"
INSTALLED_SA = "/ip ipsec installed-sa print"
COMMANDS = (PEERS, ACTIVE_PEERS, INSTALLED_SA)

# active-peers `state`. The RouterOS manual (IPsec > Active Peers: "state of phase 1
# negotiation with the peer") names "established" once phase 1 and 2 are negotiated; every
# other value is an exchange still under way: CONNECTING, the value kept as negotiation step.
IKE_STATES = {
    "ESTABLISHED": "ESTABLISHED",
}
# installed-sa `state`: "larval | mature | dying | dead" (RouterOS manual, IPsec > Installed
# SAs: "SA living phase"). dying = soft lifetime reached, about to be replaced.
CHILD_STATES = {
    "LARVAL": "INSTALLING",
    "MATURE": "INSTALLED",
    "DYING": "REKEYING",
    "DEAD": "DELETED",
}
# peer `exchange-mode` -> IKE version
IKE_VERSIONS = {"main": 1, "aggressive": 1, "base": 1, "ike2": 2}

# Menus under /ip ipsec (for unambiguous prefixes such as `/ip ipsec act pr det`) and the
# ones parsed. Not parsed, on purpose (command_key returns None for them):
# - policy, profile, proposal, identity, mode-config, key, settings: configuration;
# - statistics: global error counters, nothing per tunnel;
# - `/interface wireguard peers print`: WireGuard, which this platform does not report
#   (platforms.py lists mikrotik_routeros as IPsec only) and whose peers carry a public key,
#   endpoint and handshake age the model has no place for; rx/tx come rounded ("5.3KiB").
_MENUS = ("active-peers", "identity", "installed-sa", "key", "mode-config", "peer", "policy",
          "profile", "proposal", "remote-peers", "settings", "statistics")
_KEYS = {"peer": PEERS, "active-peers": ACTIVE_PEERS, "remote-peers": ACTIVE_PEERS,
         "installed-sa": INSTALLED_SA}
# print arguments that keep one listing of every item (`where` filters items, same layout)
_PRINT_ARGUMENTS = ("detail", "terse", "without-paging", "brief")


def command_key(command):
    """`/ip ipsec active-peers print detail`, `ip/ipsec/active-peers/print`, abbreviations."""
    words = (command or "").replace("/", " ").split()
    if len(words) < 4 or words[:2] != ["ip", "ipsec"] or not "print".startswith(words[3]):
        return None
    menu = _unique_prefix(words[2], _MENUS)
    arguments = words[4:words.index("where")] if "where" in words else words[4:]
    if any(_unique_prefix(argument, _PRINT_ARGUMENTS) is None for argument in arguments):
        return None  # count-only, follow, interval=, file=: not one listing of the items
    return _KEYS.get(menu)


def _unique_prefix(word, names):
    found = [name for name in names if name.startswith(word)]
    return word if word in names else (found[0] if len(found) == 1 else None)


def parse(key, text):
    records = _records(key, text)
    if key == PEERS:
        return [_configured_peer(record) for record in records]
    if key == ACTIVE_PEERS:
        return [_active_peer(key, record) for record in records]
    return _sa_tunnels(key, records)


def merge(parts):
    """Configured peers take their live phase 1 (matched by remote address) and SA pairs
    (matched by the address pair); what matches nothing is still reported."""
    views = {PEERS: [], ACTIVE_PEERS: [], INSTALLED_SA: []}
    for key, tunnels in parts:
        views[key].extend(tunnels)
    tunnels = _with_live_peers(views[PEERS], views[ACTIVE_PEERS])
    tunnels += _attach_sas(tunnels, views[INSTALLED_SA])
    phase1_gathered = any(key == ACTIVE_PEERS for key, _tunnels in parts)
    sas_gathered = any(key == INSTALLED_SA for key, _tunnels in parts)
    for tunnel in tunnels:
        _settle(tunnel, phase1_gathered, sas_gathered)
    return tunnels


def gather_commands(options):
    """Configuration first (names every peer), then phase 1, then the SAs."""
    return ["%s detail without-paging" % command for command in COMMANDS]


# --- reading both print layouts ---------------------------------------------------------------

Record = collections.namedtuple("Record", "fields flags comment number line")

_PROMPT = re.compile(r"^\s*\[[^\]]*@[^\]]*\] [>/]")
_PAGER = re.compile(r"^\s*-- \[Q quit\|.*\]")
_LEGEND = re.compile(r"^\s*(?:Flags:\s*)?(?:[A-Z*] - [\w-]+(?:[;,]\s*|\s*$))+$", re.IGNORECASE)
_COLUMNS = re.compile(r"^\s*Columns:\s")
_ROUTEROS_ERROR = re.compile(
    r"^\s*(bad command name .*|syntax error .*|expected end of command .*|no such item.*"
    r"|input does not match any value .*|failure: .*|invalid value .*)$")
_ITEM = re.compile(r"^\s*(?P<index>\d+)(?P<flags>(?:\s+[A-Z*]{1,4})*)(?:\s+(?P<rest>.*))?$")
_TABLE_HEADER = re.compile(r"^\s*#\s+(?P<columns>[A-Z][A-Z0-9-]*(?:\s+[A-Z][A-Z0-9-]*)*)\s*$")
_FIRST_FIELD = re.compile(r"[a-z][a-z0-9-]*=")
_TIME_OF_DAY = re.compile(r"^\d{1,2}:\d\d:\d\d$")
_FIELD = re.compile(r'([a-z][a-z0-9-]*)=("(?:[^"\\]|\\.)*"|[^\s"]*)|(\S+)')


def _records(key, text):
    """Items as Records whatever the layout: a '#  COLUMN ...' header means a table. Made
    one at a time while the lines are read, so a long listing is never held whole."""
    flag_letters = set()
    lines = _item_lines(key, text, flag_letters)
    first = next(lines, None)
    header = _TABLE_HEADER.match(first[1]) if first is not None else None
    if header is None:
        return _detail_records(key, itertools.chain((first,), lines) if first else ())
    columns = header.group("columns").split()
    # a table prints an item's comment (';;;') on a line of its own
    return (_table_record(key, columns, flag_letters, number, line) for number, line in lines
            if not line.lstrip().startswith(";;;"))


def _item_lines(key, text, flag_letters):
    """The listing's lines without legends (their flag letters go to flag_letters), prompts,
    pager remnants and column rulers; RouterOS errors are parse errors."""
    for number, line in nonempty_lines(text):
        if _LEGEND.match(line):
            flag_letters.update(re.findall(r"([A-Z*]) - ", line))
            continue
        if _PROMPT.match(line) or _PAGER.match(line) or _COLUMNS.match(line):
            continue
        if _ROUTEROS_ERROR.match(line):
            fail(PLATFORM, key, "item listing, but RouterOS answered: %s" % line.strip(), number, line)
        yield number, line


def _detail_records(key, lines):
    """One item per index line; indented lines continue it (RouterOS wraps at the terminal
    width, even inside a quoted value, where the continuation joins without a space)."""
    item = None
    for number, line in lines:
        opened = _ITEM.match(line)
        in_quote = item is not None and item["open_quote"]
        if opened and not in_quote and _opens_item(opened.group("rest")):
            if item is not None:
                yield _detail_record(key, item)
            item = _new_item(opened, number, line)
        elif item is None:
            fail(PLATFORM, key, "an item starting with its number ('0 ...')", number, line)
        else:
            piece = line.strip()
            item["text"] += piece if in_quote else " " + piece
            item["open_quote"] ^= piece.count('"') % 2 == 1
    if item is not None:
        yield _detail_record(key, item)


def _new_item(opened, number, line):
    rest = (opened.group("rest") or "").rstrip()
    comment = rest[3:].strip() if rest.startswith(";;;") else None
    text = "" if comment is not None else rest
    return {"text": text, "comment": comment, "flags": "".join(opened.group("flags").split()),
            "number": number, "line": line, "open_quote": text.count('"') % 2 == 1}


def _opens_item(rest):
    """An index line carries fields, a comment or nothing; a table row would carry values."""
    return not rest or rest.startswith(";;;") or _FIRST_FIELD.match(rest) is not None


def _detail_record(key, item):
    fields, last_address, last_key = {}, None, None
    for name, value, stray in _FIELD.findall(item["text"]):
        if stray:
            # only a date's time of day stands alone: "addtime=may/11/2018 10:07:57"
            if last_key is None or not _TIME_OF_DAY.match(stray):
                fail(PLATFORM, key, "key=value fields of an item", item["number"], item["line"])
            fields[last_key] += " " + stray
            continue
        if name.endswith("address"):
            last_address = name
        elif key == ACTIVE_PEERS and name == "port" and last_address:
            # "local-address=A port=P remote-address=B port=Q": each port is its address's
            name = last_address.replace("address", "port")
        last_key = name
        fields.setdefault(name, _unquote(value) if value[:1] == '"' else value)
    return Record(fields, item["flags"], item["comment"], item["number"], item["line"])


def _unquote(value):
    inner = value[1:-1]
    return re.sub(r"\\(.)", r"\1", inner) if "\\" in inner else inner


# Table cells have no names: each value goes to the next column (in header order) whose kind
# it has, so blank cells and collapsed spacing (copied outputs) still land right.
_COLUMN_KINDS = {
    "STATE": "state", "SPI": "hex", "AUTH-ALGORITHM": "auth", "ENC-ALGORITHM": "cipher",
    "UPTIME": "duration", "LAST-SEEN": "duration", "EXPIRES-IN": "duration",
    "PH2-TOTAL": "number", "ENC-KEY-SIZE": "number", "PORT": "number",
    "CURRENT-BYTES": "number", "CURRENT-PACKETS": "number",
}
_STATE_WORDS = {"established"} | {name.lower() for name in CHILD_STATES}
_AUTH_WORDS = {"md5", "sha1", "sha256", "sha384", "sha512", "null", "none"}
_CIPHER_WORDS = {"des", "3des", "aes-cbc", "aes-ctr", "aes-gcm", "aes-ccm", "blowfish",
                 "camellia", "twofish", "chacha20poly1305", "null"}
_HEX_VALUE = re.compile(r"^0x[0-9a-fA-F]+$")
_IPV4 = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}(?:/\d+)?$")
_IPV6 = re.compile(r"^[0-9a-fA-F]*:[0-9a-fA-F:.]*(?:/\d+)?$")
_CLOCK = re.compile(r"^(?:(\d+)d)?(\d+):(\d\d):(\d\d)$")
_DURATION = re.compile(r"^(?=\d)(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$")


def _kinds(token):
    """Every column kind a table value can be."""
    if _HEX_VALUE.match(token):
        return {"hex"}
    if _IPV4.match(token) or _IPV6.match(token):
        return {"address"}
    if token.isdigit():
        return {"number"}
    if _DURATION.match(token):
        return {"duration"}
    kinds = {kind for kind, words in (("state", _STATE_WORDS), ("auth", _AUTH_WORDS),
                                      ("cipher", _CIPHER_WORDS)) if token in words}
    return kinds or {"text"}


def _column_kind(column):
    return _COLUMN_KINDS.get(column, "address" if column.endswith("ADDRESS") else "text")


def _table_record(key, header, flag_letters, number, line):
    opened = _ITEM.match(line.split(";;;")[0])
    if opened is None:
        fail(PLATFORM, key, "a table row starting with its number", number, line)
    tokens = (opened.group("rest") or "").split()
    flags = "".join(opened.group("flags").split())
    if not set(flags) <= flag_letters:  # an upper-case first value ('VPN1'), not flags
        tokens, flags = opened.group("flags").split() + tokens, ""
    fields, column = {}, 0
    for token in tokens:
        kinds = _kinds(token)
        while column < len(header) and _column_kind(header[column]) not in kinds:
            column += 1
        if column == len(header):
            fail(PLATFORM, key, "values in the order of the columns %s" % " ".join(header), number, line)
        fields[header[column].lower()] = token
        column += 1
    return Record(fields, flags, None, number, line)


# --- value conversions ------------------------------------------------------------------------

def _seconds(key, record, name, text=None):
    """RouterOS durations: '5h9m14s', '1w2d', '48m', '350ms' (rounded down), or 'HH:MM:SS';
    from the field `name`, or from `text` (a part of that field) when given."""
    text = record.fields.get(name) if text is None else text
    if text is None:
        return None
    found = _DURATION.match(text)
    if found:
        weeks, days, hours, minutes, seconds, _millis = (int(part or 0) for part in found.groups())
        return (((weeks * 7 + days) * 24 + hours) * 60 + minutes) * 60 + seconds
    clock = _CLOCK.match(text)
    if clock:
        days, hours, minutes, seconds = (int(part or 0) for part in clock.groups())
        return ((days * 24 + hours) * 60 + minutes) * 60 + seconds
    fail(PLATFORM, key, "a RouterOS duration in %s=, got %r" % (name, text), record.number, record.line)


_ROUNDED_SIZE = re.compile(r"^\d+(?:\.\d+)?[KMGT]i?B?$")


def _count(key, record, name):
    """An exact counter; RouterOS tables round big ones ('5.3KiB'): unknown, not guessed."""
    text = record.fields.get(name)
    if text is not None and text.isdigit():
        return int(text)
    if text is None or _ROUNDED_SIZE.match(text):
        return None
    fail(PLATFORM, key, "a number in %s=, got %r" % (name, text), record.number, record.line)


def _host(address):
    """'203.0.113.1/32' -> '203.0.113.1'; networks ('0.0.0.0/0') stay None: no single peer."""
    if not address:
        return None
    host, _slash, length = address.partition("/")
    if length and length not in ("32", "128"):
        return None
    return host


# --- /ip ipsec peer ---------------------------------------------------------------------------

def _configured_peer(record):
    fields = record.fields
    name = fields.get("name") or record.comment or fields.get("address") or "peer-%s" % record.number
    host = _host(fields.get("address"))
    tunnel = model.new_tunnel(name, "ipsec", "DOWN" if host or not fields.get("address") else "PASSIVE")
    tunnel["configured"] = True
    tunnel["enabled"] = "X" not in record.flags and fields.get("disabled") != "yes"
    ike = tunnel["ike"]
    ike["version"] = IKE_VERSIONS.get(fields.get("exchange-mode"))
    ike["local"]["address"] = _host(fields.get("local-address"))
    ike["remote"]["address"] = host
    ike["remote"]["port"] = int(fields["port"]) if fields.get("port", "").isdigit() else None
    return tunnel


# --- /ip ipsec active-peers -------------------------------------------------------------------

def _active_peer(key, record):
    fields = record.fields
    native = fields.get("state")
    remote = fields.get("remote-address")
    if remote is None:
        fail(PLATFORM, key, "remote-address= in every active peer", record.number, record.line)
    state = normalize(IKE_STATES, native, default="CONNECTING") if native else "UNDEFINED"
    tunnel = model.new_tunnel(fields.get("id") or remote, "ipsec", state, native)
    initiator = _initiator(fields.get("side"), record.flags)
    ike = tunnel["ike"]
    ike.update({
        "native_state": native,
        "local": model.new_endpoint(fields.get("local-address"), _port(fields.get("local-port"))),
        "remote": model.new_endpoint(remote, _port(fields.get("remote-port")), fields.get("id")),
        "initiator": initiator,
        "initiator_spi": _lower(fields.get("spii")),
        "responder_spi": _lower(fields.get("spir")),
        # v7 and 6.43+ print uptime=, the older remote-peers established=
        "established_seconds": _seconds(key, record, "uptime") if "uptime" in fields
        else _seconds(key, record, "established"),
        "nat_t": None if "N" in record.flags else "none",  # natt-peer: NAT-T in use, side unknown
    })
    if fields.get("dynamic-address"):
        ike["virtual_ips"]["local" if initiator else "remote"] = [fields["dynamic-address"]]
    if state == "CONNECTING":
        ike["negotiation"] = model.new_negotiation(1, native)
    elif state == "ESTABLISHED" and fields.get("ph2-total") == "0":
        ike["negotiation"] = model.new_negotiation(2, "no phase 2 SA (ph2-total=0)")
    return tunnel


def _initiator(side, flags):
    if side in ("initiator", "responder"):
        return side == "initiator"
    return False if "R" in flags else None


def _port(text):
    return int(text) if text and text.isdigit() else None


def _lower(text):
    return text.lower() if text else None


# --- /ip ipsec installed-sa -------------------------------------------------------------------

_SALT_BITS = {"aes-gcm": 32, "aes-ccm": 24, "chacha20poly1305": 32}  # RFC 4106/4309/7634
_SPI = re.compile(r"^(?:0x)?([0-9a-f]+)$")


def _sa_tunnels(key, records):
    """SA pairs grouped by their two addresses. Without the peer list the router's side is not
    known: the first SA of a pair is taken as inbound (RouterOS lists the inbound SA first);
    merge() turns pairs around when active-peers says otherwise."""
    groups = {}
    for record in records:
        source, destination = record.fields.get("src-address"), record.fields.get("dst-address")
        if not source or not destination or not record.fields.get("spi"):
            fail(PLATFORM, key, "spi=, src-address= and dst-address= in every SA",
                 record.number, record.line)
        group = groups.get(frozenset((source, destination)))
        if group is None:
            group = groups[frozenset((source, destination))] = _SaGroup(local=destination, remote=source)
        group.add(key, record)
    return [group.tunnel for group in groups.values()]


class _SaGroup:
    """The SAs between two addresses, paired in listing order into children."""

    def __init__(self, local, remote):
        self.tunnel = model.new_tunnel(remote, "ipsec", "UNDEFINED")
        self.tunnel["ike"]["local"]["address"] = local
        self.tunnel["ike"]["remote"]["address"] = remote
        self.waiting = {"in": collections.deque(), "out": collections.deque()}

    def add(self, key, record):
        inbound = record.fields["dst-address"] == self.tunnel["ike"]["local"]["address"]
        direction, other = ("in", "out") if inbound else ("out", "in")
        if self.waiting[other]:
            child = self.waiting[other].popleft()
        else:
            child = _sa_child(key, record, "ph2-%d" % (len(self.tunnel["children"]) + 1))
            self.tunnel["children"].append(child)
            self.waiting[direction].append(child)
        _sa_direction(key, record, child, direction)


def _sa_child(key, record, name):
    fields = record.fields
    native = fields.get("state")
    child = model.new_child(name, normalize(CHILD_STATES, native), native)
    cipher = fields.get("enc-algorithm")
    key_bits = _count(key, record, "enc-key-size")
    child.update({
        "protocol": "AH" if "A" in record.flags else "ESP",
        "algorithms": model.new_algorithms(
            encryption=cipher,
            key_size=key_bits - _SALT_BITS.get(cipher, 0) if key_bits else None,
            integrity=fields.get("auth-algorithm")),
    })
    soft, _slash, hard = fields.get("add-lifetime", "").partition("/")
    lifetime = _seconds(key, record, "expires-in")
    # add-lifetime=SOFT/HARD counts from installation; expires-in counts down to HARD
    if soft:
        child["rekey_interval_seconds"] = _seconds(key, record, "add-lifetime", soft)
    if hard and lifetime is not None:
        installed = _seconds(key, record, "add-lifetime", hard) - lifetime
        child["lifetime_seconds"], child["installed_seconds"] = lifetime, max(0, installed)
        if child["rekey_interval_seconds"] is not None:
            child["rekey_seconds"] = max(0, child["rekey_interval_seconds"] - child["installed_seconds"])
    return child


def _sa_direction(key, record, child, direction):
    spi = _SPI.match(record.fields["spi"].lower())
    if spi is None:
        fail(PLATFORM, key, "a hexadecimal spi=", record.number, record.line)
    # detail prints 0x6FFE0E4, tables 0x06FFE0E4: the 32-bit width makes both the same
    child["spi_" + direction] = spi.group(1).zfill(8)
    child["bytes_" + direction] = _count(key, record, "current-bytes")
    child["packets_" + direction] = _count(key, record, "current-packets")
    native = record.fields.get("state")
    if native and native != child["native_state"]:
        # the two directions disagree (one SA dying first): keep both, report the worse
        child["native_state"] = "%s/%s" % (child["native_state"], native)
        if child["state"] == "INSTALLED":
            child["state"] = normalize(CHILD_STATES, native)


# --- merge ------------------------------------------------------------------------------------

def _with_live_peers(configured, active):
    """Configured peers in their order, each with its active peer; then unmatched actives."""
    position = {tunnel["ike"]["remote"]["address"]: index for index, tunnel in enumerate(configured)
                if tunnel["ike"]["remote"]["address"]}
    result = list(configured)
    for live in active:
        index = position.pop(live["ike"]["remote"]["address"], None)
        if index is None:
            result.append(live)
            continue
        peer = configured[index]
        live.update(name=peer["name"], configured=True, enabled=peer["enabled"])
        live["ike"]["version"] = live["ike"]["version"] or peer["ike"]["version"]
        result[index] = live
    return result


def _attach_sas(tunnels, sa_tunnels):
    """Each SA group joins the tunnel whose remote is one of its two addresses (turned around
    when needed); groups no tunnel claims are returned to be reported on their own."""
    by_remote = {tunnel["ike"]["remote"]["address"]: tunnel for tunnel in tunnels
                 if tunnel["ike"]["remote"]["address"]}
    unclaimed = []
    for group in sa_tunnels:
        ike = group["ike"]
        owner = by_remote.get(ike["remote"]["address"])
        if owner is None and by_remote.get(ike["local"]["address"]) is not None:
            owner = by_remote[ike["local"]["address"]]
            for child in group["children"]:
                _turn_around(child)
        if owner is None:
            unclaimed.append(group)
            continue
        if owner["ike"]["native_state"] is not None:  # an active peer: its N flag tells NAT-T
            for child in group["children"]:
                child["encapsulation"] = owner["ike"]["nat_t"] != "none"
        owner["children"].extend(group["children"])
    return unclaimed


def _turn_around(child):
    for field in ("spi", "bytes", "packets"):
        child[field + "_in"], child[field + "_out"] = child[field + "_out"], child[field + "_in"]


def _settle(tunnel, phase1_gathered, sas_gathered):
    installed = sum(1 for child in tunnel["children"] if child["state"] == "INSTALLED")
    if not phase1_gathered and tunnel["state"] in ("DOWN", "UNDEFINED") and installed:
        tunnel["state"] = "ESTABLISHED"  # phase 2 only: installed SAs mean phase 1 completed
    if tunnel["state"] == "UNDEFINED":
        tunnel["state"] = "DOWN"
    ike = tunnel["ike"]
    if sas_gathered and tunnel["state"] == "ESTABLISHED":
        ike["negotiation"] = None if installed else model.new_negotiation(
            2, "no installed SA for this peer")
    tunnel["status_message"] = _status_message(tunnel, installed, sas_gathered)


def _status_message(tunnel, installed, sas_gathered):
    ike = tunnel["ike"]
    if tunnel["state"] == "PASSIVE":
        return "responder for any address in its range"
    if ike["native_state"] is None and tunnel["state"] == "DOWN":
        message = "configured, no active peer" if tunnel["configured"] else "no active peer"
    else:
        message = "phase 1 %s" % (ike["native_state"] or "not gathered")
    if tunnel["enabled"] is False:
        message += ", disabled"
    if tunnel["children"]:
        message += ", %d of %d SA pairs installed" % (installed, len(tunnel["children"]))
    elif sas_gathered and tunnel["state"] == "ESTABLISHED":
        message += ", no installed SA"
    return message


def reset_commands(target, options=None):
    """RouterOS commands for a validated reset target (reset.py): a peer's `/ip ipsec
    active-peers remove [find remote-address=ADDR]` (scope child: `/ip ipsec installed-sa
    remove [find dst-address=ADDR]`); `kill-connections` / installed-sa `flush` drop every
    SA of the router, so they are sent only when all was asked. A name must be the peer
    address."""
    from ansible_collections.vpnops.tunnels.plugins.module_utils.reset import target_peer, unsupported

    child_scope = target["scope"] == "child"
    if target["all"]:
        return ["/ip ipsec installed-sa flush" if child_scope else
                "/ip ipsec active-peers kill-connections"]
    peer = target_peer(target)
    if not peer:
        raise unsupported(PLATFORM, target, "RouterOS removes a peer's SAs by its address")
    if child_scope:
        return ["/ip ipsec installed-sa remove [find dst-address=%s]" % peer]
    return ["/ip ipsec active-peers remove [find remote-address=%s]" % peer]

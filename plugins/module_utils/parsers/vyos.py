# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""VyOS: IPsec site-to-site (`show vpn ike sa`, `show vpn ipsec sa`, `show vpn ipsec
connections`), OpenVPN servers (`show openvpn server`) and WireGuard peers (`show
interfaces wireguard IF summary`).

VyOS runs strongSwan and prints two generations of op-mode output:
- legacy (VyOS 1.2/1.3, Perl Vyatta::VPN::OPMode over `ipsec statusall`/`swanctl -l`): blocks
  per peer, "Peer ID / IP" and "Local ID / IP" then a table of the peer's SAs;
- VICI (vyos-1x Python op-mode, 1.4+): `tabulate` tables, one row per CHILD_SA for `ipsec
  sa` and per connection and CHILD_SA for `ipsec connections`; `ike sa` keeps the per-peer
  blocks with an IKEVer column.

A tunnel is a site-to-site peer: strongSwan's connection for it (`<peer>` on 1.4+,
`peer-<peer>` on 1.2/1.3) with the peer's tunnels (`<conn>-tunnel-N`, `<conn>-vti`) as
children. `show vpn ike sa` does not print connection names, so its IKE SAs are named by
their remote address and merge attaches them to the tunnel with that remote address.
`show vpn ipsec connections` (1.4+) lists configured peers, so peers without any SA are
reported DOWN; the legacy `ipsec sa` lists configured tunnels without SA as down rows too.

The IPsec and OpenVPN op-mode prints counters in human units (hurry.filesize '17K', Vyatta
'7.5M', OpenVPN '4.7 KB'): they are read as the smallest byte count printed that way (exact
below 1 KiB), so they never exceed the device's counter.
"""

from __future__ import annotations

import re

from ansible_collections.vpnops.tunnels.plugins.module_utils import model
from ansible_collections.vpnops.tunnels.plugins.module_utils.errors import VpnParseError
from ansible_collections.vpnops.tunnels.plugins.module_utils.parsers import openvpn, wireguard
from ansible_collections.vpnops.tunnels.plugins.module_utils.parsers.common import (
    absorb,
    fail,
    is_dash_rule,
    normalize,
    numbered_lines,
    scaled_size,
    split_address_port,
)

PLATFORM = "vyos"

IKE_SA = "show vpn ike sa"
IPSEC_SA = "show vpn ipsec sa"
CONNECTIONS = "show vpn ipsec connections"
OPENVPN_SERVER = "show openvpn server"
WIREGUARD = "show interfaces wireguard"
COMMANDS = (CONNECTIONS, IKE_SA, IPSEC_SA, OPENVPN_SERVER, WIREGUARD)

# `show vpn ike sa`, VICI form (vyos-1x src/op_mode/vpn_ike_sa.py): 'up' iff the IKE_SA is
# ESTABLISHED; every other state of an existing SA prints 'down'. An SA that exists but is
# not established is, outside brief rekey/delete moments, one being negotiated.
VICI_IKE_STATES = {"UP": "ESTABLISHED", "DOWN": "CONNECTING"}
# legacy form (Vyatta::VPN::OPMode process_tunnels/get_peer_ike_status): 'up' established,
# 'down' a configured connection without SA, 'init' an SA being negotiated.
LEGACY_IKE_STATES = {"UP": "ESTABLISHED", "DOWN": "DOWN", "INIT": "CONNECTING"}
# `show vpn ipsec connections` IKE rows (vyos-1x op_mode/ipsec.py _get_parent_sa_state): 'up'
# iff an ESTABLISHED IKE_SA exists, else 'down' (including no SA at all).
CONNECTION_STATES = {"UP": "ESTABLISHED", "DOWN": "DOWN"}
# CHILD_SA rows of every command: 'up' iff INSTALLED (ipsec.py, show_ipsec_sa.py, OPMode).
CHILD_STATES = {"UP": "INSTALLED", "DOWN": "DOWN"}
# WireGuard peers: see the wireguard parser, which reads them.

# Inverse of Vyatta::VPN::OPMode conv_enc/conv_hash/conv_dh_group, so legacy output uses
# the strongSwan names the VICI form prints.
_LEGACY_CIPHERS = {"3des": ("3DES", None), "aes128": ("AES_CBC", 128),
                   "aes192": ("AES_CBC", 192), "aes256": ("AES_CBC", 256)}
_LEGACY_HASHES = {
    "sha1": "HMAC_SHA1_96", "sha1_160": "HMAC_SHA1_160", "sha256": "HMAC_SHA2_256_128",
    "sha256_96": "HMAC_SHA2_256_96", "sha384": "HMAC_SHA2_384_192",
    "sha512": "HMAC_SHA2_512_256", "md5": "HMAC_MD5_96", "md5_128": "HMAC_MD5_128",
}
_LEGACY_DH_GROUPS = {
    "1": "MODP_768", "2": "MODP_1024", "5": "MODP_1536", "14": "MODP_2048", "15": "MODP_3072",
    "16": "MODP_4096", "17": "MODP_6144", "18": "MODP_8192", "19": "ECP_256", "20": "ECP_384",
    "21": "ECP_521", "22": "MODP_1024_160", "23": "MODP_2048_224", "24": "MODP_2048_256",
    "25": "ECP_192", "26": "ECP_224",
}

# --- command_key ----------------------------------------------------------------------------

# Accepted as typed: a `run ` prefix (configuration mode) and `| no-more`; filters that keep
# the output's layout (`ike sa peer X`, `ipsec sa peer X`, `ike sa nat-traversal`).
# Refused on purpose (None):
# - `show vpn ipsec remote-access summary`: remote-access user sessions (user names, pool
#   addresses), like AnyConnect session lists, not site-to-site tunnels;
# - `show vpn ipsec sa detail|statistics|verbose`: strongSwan's own text per SA or counters
#   only, a different layout;
# - `show interfaces wireguard` without an interface: the interface list, no peers;
# - other pipes (`| match`, `| strip-private`): they cut the table headers.
_BASES = (
    (("show", "vpn", "ike", "sa"), IKE_SA, ("peer", "nat-traversal")),
    (("show", "vpn", "ipsec", "sa"), IPSEC_SA, ("peer", "tunnel")),
    (("show", "vpn", "ipsec", "connections"), CONNECTIONS, ()),
    (("show", "openvpn", "server"), OPENVPN_SERVER, ()),
)
_WIREGUARD_COMMAND = re.compile(r"^show interfaces wireguard \S+(?: summary)?$")


def command_key(command):
    text = " ".join(str(command or "").split())
    text, _pipe, rest = text.partition("|")
    if rest.strip() not in ("", "no-more"):
        return None
    words = text.split()
    if words[:1] == ["run"]:
        words = words[1:]
    for base, key, filters in _BASES:
        if tuple(words[:len(base)]) == base and _only_filters(words[len(base):], filters):
            return key
    if _WIREGUARD_COMMAND.match(" ".join(words)):
        return WIREGUARD
    return None


def _only_filters(arguments, filters):
    """`peer X`, `tunnel N`, bare `nat-traversal`: every word is a filter or its value."""
    position = 0
    while position < len(arguments):
        if arguments[position] not in filters:
            return False
        position += 1 if arguments[position] == "nat-traversal" else 2
    return position == len(arguments)


def apply_options(tunnels, options):
    """VyOS serves WireGuard and OpenVPN too: judge them as those platforms do."""
    wireguard.apply_options(tunnels, options)
    return openvpn.apply_options(tunnels, options)


def gather_commands(options):
    """What vpn_facts runs, by gather_subset (tunnel types).

    IPsec: configured connections first (versions without that command answer 'Invalid
    command', which reads as no tunnels), then the IKE and CHILD SAs. OpenVPN: every server-mode
    interface. WireGuard: one command per interface named in vyos_wireguard_interfaces
    (VyOS has no command listing every peer of every interface).
    """
    subset = set(options.get("gather_subset") or ["all"])
    wanted = set(model.TUNNEL_TYPES) if "all" in subset else subset
    commands = []
    if "ipsec" in wanted:
        commands += [CONNECTIONS, IKE_SA, IPSEC_SA]
    if "openvpn" in wanted:
        commands.append(OPENVPN_SERVER)
    if "wireguard" in wanted:
        commands += ["show interfaces wireguard %s summary" % name
                     for name in options.get("vyos_wireguard_interfaces") or []]
    return commands


def parse(key, text):
    lines = _meaningful_lines(key, text)
    if not lines or _nothing_to_list(key, lines):
        return []
    _fail_on_vyos_error(key, lines)
    return _PARSERS[key](key, lines)


# --- shared reading -------------------------------------------------------------------------

_PAGER = re.compile(r"^(?:\s*:\s*$|\s*\(END\)\s*$|\s*--More--\s*)")
# op-mode's own failures (vyos.opmode errors, show_ipsec_sa.py, the CLI): no state to read
_VYOS_ERROR = re.compile(
    r"^\s*(?:Invalid command: .*|Incomplete command: .*|IPsec not initialized.*"
    r"|IPsec is not runn?ing.*|IPsec process not running.*"
    r"|You do not have a permission to connect to the IPsec daemon.*|An error occured: .*"
    r"|VPN IPSec site-to-site is not configured.*|.*: command not found)$"
)
# Commands a VyOS version may lack, or that have nothing to list: no tunnels, not an error.
_NOTHING_TO_LIST = re.compile(r"^\s*(?:Invalid command: .*\[(?:connections|openvpn|server)\].*"
                              r"|No OpenVPN interfaces configured)\s*$")


def _meaningful_lines(key, text):
    """(number, line) without blank lines and pager remnants; indentation is kept, the
    tables are read by column position."""
    lines = []
    for number, line in numbered_lines(text):
        line = _PAGER.sub("", line.rstrip("\r")).rstrip()
        if line.strip():
            lines.append((number, line))
    return lines


def _nothing_to_list(key, lines):
    return len(lines) == 1 and key in (CONNECTIONS, OPENVPN_SERVER) \
        and bool(_NOTHING_TO_LIST.match(lines[0][1]))


def _fail_on_vyos_error(key, lines):
    """VyOS prints its errors alone, on the first line or after the echoed command."""
    for number, line in lines[:2]:
        if _VYOS_ERROR.match(line):
            fail(PLATFORM, key, "%s output, but VyOS reported an error" % key, number, line)


def _column_starts(separator):
    return [match.start() for match in re.finditer(r"-+", separator)]


def _cells(line, starts):
    """A `tabulate` row cut at the columns' starts (cells may hold spaces or be empty)."""
    ends = starts[1:] + [None]
    return [line[start:end].strip() for start, end in zip(starts, ends)]


def _na(value):
    return None if value in ("", "-", "N/A", "n/a", "None") else value


_SIZE = re.compile(r"^(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>[KMGTP]?)(?:i?B)?$")


def _size(key, text, number, line, base=1024):
    """'17K', '7.5M', '4.7 KB', '840B', '10' -> bytes (or a count, base 1000); 'N/A' -> None.

    The smallest value that prints so: whole units are floored by hurry.filesize, decimals
    rounded by Vyatta and OpenVPN's bytes_to_human, so half a printed step is taken off.
    """
    if _na(text) is None:
        return None
    match = _SIZE.match(text)
    if match is None:
        fail(PLATFORM, key, "a size like 17K, 7.5M or 4.7 KB, got %r" % text, number, line)
    return scaled_size(match.group("number"), match.group("unit"), base)


_DURATION = re.compile(r"(\d+)([ywdhms])")
_SECONDS = {"y": 31557600, "w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}


def _duration(key, text, number, line):
    """vyos seconds_to_human ('1w4d18h35m59s'; '' for 0) -> seconds; 'N/A' -> None."""
    if text in ("N/A", "n/a"):
        return None
    if not re.match(r"^(?:\d+[ywdhms])*$", text):
        fail(PLATFORM, key, "a duration like 36m24s, got %r" % text, number, line)
    return sum(int(amount) * _SECONDS[unit] for amount, unit in _DURATION.findall(text))


def _seconds(key, text, number, line):
    if _na(text) is None:
        return None
    if not text.isdigit():
        fail(PLATFORM, key, "seconds, got %r" % text, number, line)
    return int(text)


def _keyed_cipher(text):
    """'AES_CBC_256' (VICI, encr-alg_keysize), 'AES_GCM_16-128' (swanctl) -> (name, size)."""
    match = re.match(r"^(?P<name>.+?)[_-](?P<size>\d{3})$", text or "")
    if match:
        return match.group("name"), int(match.group("size"))
    return _na(text), None


def _vici_proposal(text):
    """'AES_CBC_256/HMAC_SHA2_256_128/MODP_2048' (ipsec sa) -> model algorithms."""
    parts = [part for part in (text or "").split("/") if _na(part)]
    algorithms = model.new_algorithms()
    if not parts:
        return algorithms
    algorithms["encryption"], algorithms["key_size"] = _keyed_cipher(parts[0])
    for part in parts[1:]:
        if part.startswith(("HMAC_", "AES_XCBC", "AES_CMAC", "AES_GMAC")):
            algorithms["integrity"] = part
        else:
            algorithms["dh_group"] = part
    return algorithms


def _connection_proposal(text):
    """'AES_CBC/256/HMAC_SHA2_256_128/MODP_2048' (connections: cipher/size/hash/DH, 'None'
    when absent) -> model algorithms; '-' when no SA."""
    parts = (text or "").split("/")
    if len(parts) != 4:
        return model.new_algorithms()
    size = parts[1] if parts[1].isdigit() else None
    return model.new_algorithms(encryption=_na(parts[0]), key_size=int(size) if size else None,
                                integrity=_na(parts[2]), dh_group=_na(parts[3]))


# --- tunnels and children -------------------------------------------------------------------

_CHILD_NAME = re.compile(r"^(?P<connection>.+?)[-_](?:tunnel[-_]\d+|vti)$")


def _connection_of(child_name):
    """'RIGHT-tunnel-0' -> 'RIGHT'; 'peer-192.0.2.1-tunnel-0' -> 'peer-192.0.2.1';
    a name VyOS did not generate is its own connection."""
    match = _CHILD_NAME.match(child_name)
    return match.group("connection") if match else child_name


class _Peers:
    """The peers (tunnels) of one listing by connection name, and their children by name."""

    def __init__(self):
        self.tunnels, self._children = {}, {}

    def tunnel(self, name):
        if name not in self.tunnels:
            self.tunnels[name] = model.new_tunnel(name, "ipsec")
        return self.tunnels[name]

    def add_child(self, tunnel, child):
        """Add, or keep the installed one of two SAs with one name (the old and the new SA
        of a rekey both show up)."""
        known = self._children.get(child["name"])
        if known is None:
            self._children[child["name"]] = child
            tunnel["children"].append(child)
        elif child["state"] == "INSTALLED" and known["state"] != "INSTALLED":
            known.update(child)


# --- show vpn ipsec sa ----------------------------------------------------------------------

_SA_COLUMNS = ("Connection", "State", "Uptime", "Bytes In/Out", "Packets In/Out",
               "Remote address", "Remote ID", "Proposal")


def _parse_ipsec_sa(key, lines):
    if lines and lines[0][1].lstrip().startswith("Peer ID / IP"):
        return _parse_legacy_ipsec_sa(key, lines)
    peers = _Peers()
    for number, line, row in _table(key, lines, _SA_COLUMNS):
        _add_sa_row(key, peers, row, number, line)
    return list(peers.tunnels.values())


def _add_sa_row(key, peers, row, number, line):
    native = _one_of(key, row, "State", ("up", "down"), number, line)
    child = model.new_child(row["Connection"], normalize(CHILD_STATES, native), native)
    child["algorithms"] = _vici_proposal(row["Proposal"])
    child["bytes_in"], child["bytes_out"] = _pair(key, row["Bytes In/Out"], number, line, 1024)
    packets = _pair(key, row["Packets In/Out"], number, line, 1000)
    child["packets_in"], child["packets_out"] = packets
    uptime = _duration(key, row["Uptime"], number, line)
    child["installed_seconds"] = uptime if child["state"] == "INSTALLED" else None
    tunnel = peers.tunnel(_connection_of(row["Connection"]))
    if _na(row["Remote address"]) is None and _na(row["Proposal"]) is None:
        # show_ipsec_sa.py (1.3/early 1.4) lists configured CHILD_SAs without SA as N/A rows
        child["configured"] = tunnel["configured"] = True
    remote = tunnel["ike"]["remote"]
    remote["address"] = _na(row["Remote address"]) or remote["address"]
    remote["id"] = _na(row["Remote ID"]) or remote["id"]
    peers.add_child(tunnel, child)


def _pair(key, text, number, line, base):
    """'840B/840B' -> (840, 840); 'N/A' -> (None, None)."""
    if _na(text) is None:
        return None, None
    first, slash, second = text.partition("/")
    if not slash:
        fail(PLATFORM, key, "an IN/OUT pair, got %r" % text, number, line)
    return _size(key, first, number, line, base), _size(key, second, number, line, base)


def _one_of(key, row, column, values, number, line):
    if row[column] not in values:
        fail(PLATFORM, key, "%s %s" % (column, " or ".join(values)), number, line)
    return row[column]


def _table(key, lines, required):
    """Rows of a `tabulate` table as (number, line, {column: cell}). A row whose first cell
    is empty continues the one before (multi-line cells); any other row must fill its last
    column, or the output was cut."""
    if len(lines) < 2 or not is_dash_rule(lines[1][1]):
        number, line = lines[0] if lines else (None, None)
        fail(PLATFORM, key, "a table headed %s" % " ".join(required), number, line)
    starts = _column_starts(lines[1][1])
    names = _cells(lines[0][1], starts)
    missing = [name for name in required if name not in names]
    if missing:
        fail(PLATFORM, key, "a table with the columns %s" % ", ".join(required), lines[0][0],
             lines[0][1])
    for number, line in lines[2:]:
        cells = _cells(line, starts)
        if cells[0] and not cells[-1]:
            fail(PLATFORM, key, "a value in every column up to %s" % names[-1], number, line)
        yield number, line, dict(zip(names, cells))


# --- show vpn ipsec connections -------------------------------------------------------------

_CONNECTION_COLUMNS = ("Connection", "State", "Type", "Remote address", "Local TS", "Remote TS",
                       "Local id", "Remote id", "Proposal")


def _parse_connections(key, lines):
    """IKE rows start a peer; the IPsec rows after one are its configured tunnels."""
    peers, tunnel, child = _Peers(), None, None
    for number, line, row in _table(key, lines, _CONNECTION_COLUMNS):
        if not row["Connection"]:
            if child is None:
                fail(PLATFORM, key, "a connection row before its continuation", number, line)
            _more_selectors(child, row)
        elif row["Type"] == "IPsec":
            if tunnel is None:
                fail(PLATFORM, key, "an IKE connection row before its IPsec rows", number, line)
            child = _configured_child(key, row, number, line)
            peers.add_child(tunnel, child)
        elif row["Type"] in ("IKE", "IKEv1", "IKEv2"):
            tunnel, child = _configured_peer(key, peers, row, number, line), None
        else:
            fail(PLATFORM, key, "Type IKE, IKEv1, IKEv2 or IPsec", number, line)
    return list(peers.tunnels.values())


def _configured_peer(key, peers, row, number, line):
    tunnel = peers.tunnel(_connection_of(row["Connection"]))
    native = _one_of(key, row, "State", ("up", "down"), number, line)
    tunnel.update(configured=True, enabled=True, native_state=native,
                  state=normalize(CONNECTION_STATES, native))
    ike = tunnel["ike"]
    ike["version"] = {"IKEv1": 1, "IKEv2": 2}.get(row["Type"])
    ike["remote"]["address"] = _na(row["Remote address"])
    ike["local"]["id"], ike["remote"]["id"] = _na(row["Local id"]), _na(row["Remote id"])
    ike["algorithms"] = _connection_proposal(row["Proposal"])
    return tunnel


def _configured_child(key, row, number, line):
    native = _one_of(key, row, "State", ("up", "down"), number, line)
    child = model.new_child(row["Connection"], normalize(CHILD_STATES, native), native)
    child["configured"] = True
    child["algorithms"] = _connection_proposal(row["Proposal"])
    _more_selectors(child, row)
    return child


def _more_selectors(child, row):
    for side in ("local", "remote"):
        selector = _na(row["%s TS" % side.capitalize()])
        if selector:
            child["%s_ts" % side].append(selector)


# --- per-peer blocks: show vpn ike sa (both forms), legacy show vpn ipsec sa --------------

_PEER_HEADER = re.compile(r"^\s*Peer ID / IP\s+Local ID / IP\s*$")
_DESCRIPTION = re.compile(r"^\s*Description: (?P<text>.*)$")
_COLUMN_NAMES = re.compile(r"D-H \w+|Bytes \S+|\S+")
_BLOCK_COLUMNS = {
    "State": "state", "IKEVer": "version", "Version": "version", "Encrypt": "encrypt",
    "Hash": "hash", "D-H Group": "dh", "D-H Grp": "dh", "NAT-T": "natt", "A-Time": "atime",
    "L-Time": "ltime", "Tunnel": "tunnel", "Bytes Out/In": "bytes", "Proto": "proto",
}
_IKE_BLOCK_COLUMNS = ("state", "encrypt", "hash", "dh", "natt", "atime", "ltime")
_SA_BLOCK_COLUMNS = ("tunnel", "state", "bytes", "encrypt", "hash", "natt", "atime", "ltime")


def _peer_blocks(key, lines, required):
    """Yield (block, number, line, {column: value}) for every SA row; block holds the peer's
    remote/local host and id and whether the columns are the VICI form's (IKEVer)."""
    block, columns, awaiting_peer = None, None, False
    for number, line in lines:
        if _PEER_HEADER.match(line):
            block, columns, awaiting_peer = None, None, True
        elif is_dash_rule(line):
            continue
        elif awaiting_peer:
            block, awaiting_peer = _peer_line(key, number, line), False
        elif block is not None and _DESCRIPTION.match(line):
            block["description"] = _DESCRIPTION.match(line).group("text").strip()
        elif block is not None and line.split()[0] in ("State", "Tunnel"):
            columns = _block_columns(key, number, line, required)
            block["vici"] = "IKEVer" in line
        elif columns is not None:
            values = line.split()
            if len(values) != len(columns):
                fail(PLATFORM, key, "%d values as in the column header" % len(columns),
                     number, line)
            yield block, number, line, dict(zip(columns, values))
        else:
            fail(PLATFORM, key, "a 'Peer ID / IP  Local ID / IP' block", number, line)


def _peer_line(key, number, line):
    """'10.0.2.2 10.0.2.2                         10.0.1.2 10.0.1.2': the columns are 39
    characters wide ('%-39s %-39s'); each holds a host, then an id unless it is %any."""
    if len(line) > 40 and line[39] == " " and line[:40].strip():
        remote, local = line[:40].split(), line[40:].split()
    else:
        words = line.split()
        half = len(words) // 2
        if len(words) not in (2, 4):
            fail(PLATFORM, key, "the peer's and the local host (and ids)", number, line)
        remote, local = words[:half], words[half:]
    return {"remote": remote[0], "remote_id": " ".join(remote[1:]) or None,
            "local": local[0] if local else None, "local_id": " ".join(local[1:]) or None,
            "description": None, "vici": False}


def _block_columns(key, number, line, required):
    names = _COLUMN_NAMES.findall(line)
    columns = [_BLOCK_COLUMNS.get(name) for name in names]
    if None in columns or not set(required) <= set(columns):
        fail(PLATFORM, key, "the SA columns of %s" % key, number, line)
    return columns


def _parse_ike_sa(key, lines):
    """One tunnel per remote host (named by it until merge finds the peer's name); two SAs
    with one peer (an old one being replaced) keep the established one."""
    tunnels = {}
    for block, number, line, row in _peer_blocks(key, lines, _IKE_BLOCK_COLUMNS):
        tunnel = _ike_tunnel(key, block, row, number, line)
        known = tunnels.get(tunnel["name"])
        if known is None or known["state"] != "ESTABLISHED":
            tunnels[tunnel["name"]] = tunnel
    return list(tunnels.values())


def _ike_tunnel(key, block, row, number, line):
    native = _one_of(key, row, "state", ("up", "down", "init"), number, line)
    table = VICI_IKE_STATES if block["vici"] else LEGACY_IKE_STATES
    state = normalize(table, native)
    tunnel = model.new_tunnel(block["remote"], "ipsec", state, native)
    tunnel["status_message"] = block["description"] or ""
    ike = tunnel["ike"]
    ike.update(native_state=native if state != "DOWN" else None,  # DOWN: no SA at all
               version={"IKEv1": 1, "IKEv2": 2}.get(row.get("version")),
               local=model.new_endpoint(block["local"], identity=block["local_id"]),
               remote=model.new_endpoint(block["remote"], identity=block["remote_id"]),
               algorithms=_block_algorithms(row, block["vici"]),
               established_seconds=_seconds(key, row["atime"], number, line))
    lifetime = _seconds(key, row["ltime"], number, line)
    if block["vici"]:
        # VICI prints nat-local only: 'yes' is our side behind a NAT, 'no' says nothing of
        # the peer's; the legacy 'yes' (SA on port 4500) does not say which side is behind it
        ike["nat_t"] = "local" if row["natt"] == "yes" else None
        ike["rekey_seconds"] = lifetime or None  # 0: no rekey time known to strongSwan
    else:
        ike["rekey_interval_seconds"] = lifetime  # legacy: the ike-group lifetime
    if state == "CONNECTING":  # VICI prints no step, legacy its own word
        ike["negotiation"] = model.new_negotiation(1, None if block["vici"] else native)
    return tunnel


def _block_algorithms(row, vici):
    if vici:
        encryption, key_size = _keyed_cipher(row["encrypt"])
        return model.new_algorithms(encryption=encryption, key_size=key_size,
                                    integrity=_na(row["hash"]), dh_group=_na(row["dh"]))
    return _legacy_algorithms(row["encrypt"], row["hash"], row.get("dh"))


def _legacy_algorithms(encrypt, hash_name, dh_group=None):
    encryption, key_size = _LEGACY_CIPHERS.get(encrypt) or _keyed_cipher(encrypt)
    return model.new_algorithms(
        encryption=encryption, key_size=key_size,
        integrity=_LEGACY_HASHES.get(hash_name, _na(hash_name)),
        dh_group=_LEGACY_DH_GROUPS.get(dh_group, _na(dh_group)))


def _parse_legacy_ipsec_sa(key, lines):
    """Legacy blocks: 'Tunnel' is the number (or 'vti') of the peer's tunnel; the rows come
    from the peer's SAs and, for tunnels without one, from ipsec.conf (down, n/a)."""
    peers = _Peers()
    for block, number, line, row in _peer_blocks(key, lines, _SA_BLOCK_COLUMNS):
        connection = "peer-%s" % block["remote"]
        tunnel = peers.tunnel(connection)
        tunnel["configured"] = True
        tunnel["ike"]["remote"]["address"] = block["remote"]
        tunnel["ike"]["local"]["address"] = block["local"]
        tunnel["status_message"] = block["description"] or ""
        peers.add_child(tunnel, _legacy_child(key, connection, row, number, line))
    return list(peers.tunnels.values())


def _legacy_child(key, connection, row, number, line):
    native = _one_of(key, row, "state", ("up", "down"), number, line)
    child = model.new_child("%s-tunnel-%s" % (connection, row["tunnel"]),
                            normalize(CHILD_STATES, native), native)
    child["configured"] = True
    child["algorithms"] = _legacy_algorithms(row["encrypt"], row["hash"])
    child["bytes_out"], child["bytes_in"] = _pair(key, row["bytes"], number, line, 1024)
    child["encapsulation"] = row["natt"] == "yes"
    child["installed_seconds"] = _seconds(key, row["atime"], number, line)
    child["rekey_interval_seconds"] = _seconds(key, row["ltime"], number, line)
    return child


# --- show openvpn server --------------------------------------------------------------------

_OPENVPN_TITLE = re.compile(r"^OpenVPN status on (?P<interface>\S+)$")
_OPENVPN_COLUMNS = ("Client CN", "Remote Host", "Tunnel IP", "Local Host", "TX bytes",
                    "RX bytes", "Connected Since")
_DATE = re.compile(r"^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)$")


def _parse_openvpn_server(key, lines):
    """One tunnel per server interface with its clients. op_mode/openvpn.py prints the
    title once per client, then one table; a server without clients prints nothing."""
    sections = []  # (tunnel, its table's lines)
    for number, line in lines:
        title = _OPENVPN_TITLE.match(line.strip())
        if title:
            if not sections or sections[-1][0]["name"] != title.group("interface"):
                sections.append((openvpn.server_tunnel(title.group("interface")), []))
        elif not sections:
            fail(PLATFORM, key, "an 'OpenVPN status on INTERFACE' title", number, line)
        else:
            sections[-1][1].append((number, line))
    for tunnel, table in sections:
        if table:
            _openvpn_clients(key, tunnel, table)
    return [tunnel for tunnel, _table_lines in sections]


def _openvpn_clients(key, tunnel, table):
    clients = tunnel["openvpn"]["clients"]
    for number, line, row in _table(key, table, _OPENVPN_COLUMNS):
        client = model.new_openvpn_client(row["Client CN"])
        client["real_address"], client["real_port"] = split_address_port(_na(row["Remote Host"]))
        client["virtual_address"] = _na(row["Tunnel IP"])
        client["bytes_out"] = _size(key, row["TX bytes"], number, line)
        client["bytes_in"] = _size(key, row["RX bytes"], number, line)
        client["connected_since"] = _iso_date(key, row["Connected Since"], number, line)
        clients.append(client)
    openvpn.server_done(tunnel)


def _iso_date(key, text, number, line):
    """'2023-05-11 12:47:11' (the router's local time, taken as UTC as the openvpn parser
    does) -> '2023-05-11T12:47:11Z'."""
    if _na(text) is None:
        return None
    match = _DATE.match(text)
    if match is None:
        fail(PLATFORM, key, "a date like 2023-05-11 12:47:11", number, line)
    return "%s-%s-%sT%s:%s:%sZ" % match.groups()


# --- show interfaces wireguard IF [summary] -------------------------------------------------

_WG_SECTION = re.compile(r"^(?:interface|peer): ")
_WG_DETAIL = re.compile(r"^\s*(?:address: |RX: |TX: )")
_WG_EMPTY_FIELD = re.compile(r"^\s*[a-z ]+:$")


def _parse_wireguard(key, lines):
    """VyOS prints wireguard-tools' own `wg show IF`, so the wireguard parser reads it and a
    peer is the same tunnel on every platform (`IF:PUBLIC_KEY`, UP while its handshake is
    fresh). VyOS twists come first: on 1.3+ `show interfaces wireguard IF` without `summary`
    prints the interface detail (addresses, counters, no peers), which is refused; the docs
    (the corpus) flatten wg's indentation, which is put back, and blank out keys, whose
    empty lines carry no state.
    """
    text = [""] * lines[-1][0]  # the original line numbers, for the errors
    for number, line in lines:
        if _WG_DETAIL.match(line):
            fail(PLATFORM, key, "the peers of `show interfaces wireguard IF summary`; this is "
                 "the interface detail (addresses and counters, no peers)", number, line)
        if _WG_EMPTY_FIELD.match(line):
            continue
        flattened = not line[0].isspace() and not _WG_SECTION.match(line)
        text[number - 1] = "  " + line if flattened else line
    try:
        return wireguard.parse("wg show", "\n".join(text))
    except VpnParseError as error:
        fail(PLATFORM, key, error.expected, error.line_number, error.line)


_PARSERS = {IKE_SA: _parse_ike_sa, IPSEC_SA: _parse_ipsec_sa, CONNECTIONS: _parse_connections,
            OPENVPN_SERVER: _parse_openvpn_server, WIREGUARD: _parse_wireguard}


# --- merge ----------------------------------------------------------------------------------

# Configuration first, then CHILD_SAs, then IKE SAs: later sources refine earlier ones.
_MERGE_ORDER = {CONNECTIONS: 0, IPSEC_SA: 1, IKE_SA: 2, OPENVPN_SERVER: 3, WIREGUARD: 3}


def merge(parts):
    """One tunnel per peer: connections and CHILD_SAs merge by name, IKE SAs by the peer's
    remote address (an IKE SA no peer claims stays a tunnel named by its address). A
    configured peer without any SA is DOWN."""
    named, ike_sas, others = {}, [], []
    for key, tunnels in sorted(parts, key=lambda part: _MERGE_ORDER[part[0]]):
        for tunnel in tunnels:
            if key == IKE_SA:
                ike_sas.append(tunnel)
            elif tunnel["type"] != "ipsec":
                others.append(tunnel)
            elif tunnel["name"] in named:
                absorb(named[tunnel["name"]], tunnel)
            else:
                named[tunnel["name"]] = tunnel
    result = list(named.values()) + _attach_ike_sas(named, ike_sas)
    for tunnel in result:
        _settle_state(tunnel)
    return result + others


def _attach_ike_sas(named, ike_sas):
    by_address = {}
    for tunnel in named.values():
        for address in (tunnel["ike"]["remote"]["address"] or "").split(","):
            by_address.setdefault(address.strip(), tunnel)
    unclaimed = []
    for ike_sa in ike_sas:
        tunnel = by_address.get(ike_sa["name"])
        if tunnel is None:
            unclaimed.append(ike_sa)
        elif tunnel["ike"]["native_state"] is None or ike_sa["state"] == "ESTABLISHED":
            absorb(tunnel, ike_sa)
    return unclaimed


def _settle_state(tunnel):
    """A peer no IKE SA or connection row describes: DOWN when configured with no SA."""
    if tunnel["native_state"] is not None:
        return
    installed = any(child["state"] == "INSTALLED" for child in tunnel["children"])
    if tunnel["configured"] and not installed:
        tunnel["state"] = "DOWN"


def reset_commands(target, options=None):
    """VyOS 1.4+ `reset vpn ipsec site-to-site peer PEER` (a peer address or, in 1.4, its
    name) for a validated reset target (reset.py); all: `reset vpn ipsec site-to-site all`.
    The peer's IKE SA and tunnels renegotiate; there is no child-only reset here."""
    from ansible_collections.vpnops.tunnels.plugins.module_utils.reset import unsupported

    if target["scope"] == "child":
        raise unsupported(PLATFORM, target, "VyOS resets a whole site-to-site peer")
    if target["all"]:
        return ["reset vpn ipsec site-to-site all"]
    peer = target["peer"] or target["name"]
    if not peer:
        raise unsupported(PLATFORM, target, "VyOS resets a peer by address or name")
    return ["reset vpn ipsec site-to-site peer %s" % peer]

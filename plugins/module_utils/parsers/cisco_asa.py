# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cisco ASA: IKEv1/IKEv2 SAs, IPsec SAs and the LAN-to-LAN session database.

One tunnel per peer address: `show crypto ikev1|ikev2 sa detail` give the IKE SA,
`show crypto ipsec sa` the IPsec SA pairs (children) with packet counters, and
`show vpn-sessiondb detail l2l` the session's byte counters, rekey timers and its
connection (tunnel-group) name, which becomes the tunnel's name; without a session the
tunnel is named by its peer address. Children are named by their traffic selectors
('local===remote'), the only key all three outputs share.

The ASA lists SAs and sessions, never configuration: a tunnel with no SA at all is not
shown, so it cannot be reported DOWN. An IKE SA that is still negotiating is shown and is
reported CONNECTING with its negotiation step (e.g. MM_WAIT_MSG2).
"""

from __future__ import annotations

import functools
import ipaddress
import re

from ansible_collections.vpnops.tunnels.plugins.module_utils import model
from ansible_collections.vpnops.tunnels.plugins.module_utils.parsers.common import (
    abbreviated_command,
    fail,
    fill_missing,
    hex_spi,
    int_or_fail,
    normalize,
    numbered_lines,
    range_prefix_length,
    shows_any,
    split_key_size,
)

PLATFORM = "cisco_asa"

# IKEv1 (ISAKMP) SA states: ASA command reference, "show crypto isakmp sa" / "show crypto
# ikev1 sa"; the MM_WAIT_MSGn steps as tunnelsup.com "ISAKMP (IKE Phase 1) Status Messages"
# lists them for the ASA. MM_* is main mode, AM_* aggressive mode.
IKEV1_STATES = {
    "MM_ACTIVE": "ESTABLISHED",
    "AM_ACTIVE": "ESTABLISHED",
    "MM_WAIT_MSG2": "CONNECTING",   # initiator sent its proposal, waits for the responder
    "MM_WAIT_MSG3": "CONNECTING",   # responder answered the proposal, waits for the key exchange
    "MM_WAIT_MSG4": "CONNECTING",   # initiator sent its key exchange
    "MM_WAIT_MSG5": "CONNECTING",   # responder sent its key exchange, waits for authentication
    "MM_WAIT_MSG6": "CONNECTING",   # initiator sent its authentication
    "AM_WAIT_MSG2": "CONNECTING",
    "AM_WAIT_MSG3": "CONNECTING",
}
# IKEv2 SA status ("Status" column of "show crypto ikev2 sa"), ASA and IOS command references.
IKEV2_STATES = {
    "READY": "ESTABLISHED",
    "IN-NEG": "CONNECTING",
    "DELETE": "DELETING",
}
# "SA State" of an IPsec SA in "show crypto ipsec sa" (ASA 8.4 and later; older releases
# print no state, and an SA they list is installed).
IPSEC_SA_STATES = {
    "ACTIVE": "INSTALLED",
}

# Command keys: each covers the command's plain and detail forms, which one reader handles.
IKEV1_SA = "show crypto ikev1 sa"
IKEV2_SA = "show crypto ikev2 sa"
ISAKMP_SA = "show crypto isakmp sa"   # ASA 8.3 and older; later it lists both versions
IPSEC_SA = "show crypto ipsec sa"
L2L_SESSIONS = "show vpn-sessiondb l2l"
COMMANDS = (IKEV1_SA, IKEV2_SA, ISAKMP_SA, IPSEC_SA, L2L_SESSIONS)

# Keys in merge order: the IPsec SAs first (a child's SPIs, transform and counters), then
# the IKE SAs (whose state outranks any other, see _rank), the session database fills the rest.
_MERGE_ORDER = {IPSEC_SA: 0, IKEV1_SA: 1, IKEV2_SA: 1, ISAKMP_SA: 1, L2L_SESSIONS: 2}


# --- command recognition ----------------------------------------------------------------

# Canonical words of each supported command, its key, and the options that may follow
# them with whether arguments may follow those (see common.abbreviated_command). The ASA
# takes any unambiguous abbreviation ("sh cry ikev1 sa det"), so a typed word stands for
# every canonical word it begins.
_GRAMMAR = (
    (("show", "crypto", "ikev1", "sa"), IKEV1_SA, (("detail",), False)),
    (("show", "crypto", "ikev2", "sa"), IKEV2_SA, (("detail",), False)),
    (("show", "crypto", "isakmp", "sa"), ISAKMP_SA, (("detail",), False)),
    # "peer <address>", "map <name>" and "detail" only filter or lengthen the same listing
    (("show", "crypto", "ipsec", "sa"), IPSEC_SA, (("detail", "peer", "map"), True)),
    # "filter name|ipaddress <x>" and "sort ..." select sessions; the detail form adds the
    # IKE and IPsec sections, the plain form shows the session lines only
    (("show", "vpn-sessiondb", "detail", "l2l"), L2L_SESSIONS, (("filter", "sort"), True)),
    (("show", "vpn-sessiondb", "l2l"), L2L_SESSIONS, (("filter", "sort"), True)),
)
# Refused on purpose (command_key returns None):
#   show vpn-sessiondb anyconnect|webvpn|ra-ikev1-ipsec: remote-access user sessions, not tunnels
#   show vpn-sessiondb [summary]: session counts only
#   show vpn load-balancing: VPN cluster members and their load
#   show asp table vpn-context: data-plane contexts, one per SA direction, with no pairing
#       of inbound and outbound SAs and no IKE state; show crypto ipsec sa has the same SAs
#   show running-config crypto ...: configuration, not state


def command_key(command):
    """The key of a supported command as typed (abbreviated, with any '| ...' filter)."""
    return abbreviated_command(command, _GRAMMAR)


# --- shared line handling ------------------------------------------------------------------

_MORE = re.compile(r"<--- More --->[\s\x08]*")
# "ciscoasa# show crypto ipsec sa", "fw/pri/act(config)#": echoed prompts in captured text
_PROMPT = re.compile(r"^[A-Za-z0-9][\w.\-]*(?:/[\w.\-]+)*(?:\([\w\-]+\))?[#>](?:\s.*)?$")
_ASA_ERRORS = ("ERROR: ", "% Invalid", "% Incomplete", "% Ambiguous", "Type help or '?'")
# signs of any of the above (an error's '^' marker comes with a '% ' line), looked for in
# the whole text first (common.shows_any) so that clean outputs skip the line tests
_NOISE_SIGNS = ("<---", "# ", "#\n", "> ", ">\n", "% ", "ERROR: ")


def _noisy(text):
    """Whether the text shows a sign of noise, or ends with a prompt."""
    return shows_any(text, _NOISE_SIGNS) or text[-80:].rstrip().endswith(("#", ">"))


def _meaningful_lines(key, text):
    """(number, line) pairs, blank lines included, with pager remnants, prompts and error
    markers ('^') dropped and the ASA's error messages raised as parse errors."""
    lines = numbered_lines(text)
    return _cleaned(key, lines) if _noisy(text) else lines


def _cleaned(key, lines):
    for number, line in lines:
        line = _MORE.sub("", line) if "<---" in line else line
        stripped = line.strip()
        if stripped == "^" or _PROMPT.match(stripped):
            continue
        if stripped.startswith(_ASA_ERRORS):
            fail(PLATFORM, key, "state output, but the ASA reported an error: %s" % stripped,
                 number, line)
        yield number, line


class _Reader:
    """Base of the line readers: one pass, each line handed to the method its head names.

    HEADS maps the text before a line's first ':' to the name of the method that reads it
    (called with the stripped line and the text after the ':'); other lines go to other().
    """

    HEADS = {}

    def __init__(self, key):
        self.key = key
        self.number, self.text = None, None   # the line being read, for errors

    def read(self, lines):
        handlers = {head: getattr(self, name) for head, name in self.HEADS.items()}
        for self.number, self.text in lines:
            text = self.text.strip()
            if not text:
                continue
            head, _colon, value = text.partition(":")
            handler = handlers.get(head.rstrip())
            if handler is None:
                self.other(text)
            else:
                handler(text, value)
        self.number, self.text = None, None
        self.close()
        return self.result()

    def fail(self, expected):
        fail(PLATFORM, self.key, expected, self.number, self.text)

    def integer(self, text):
        return int_or_fail(PLATFORM, self.key, text, self.number, self.text)

    def skip(self, text, value):
        """A line that only frames the listing."""

    def other(self, text):
        raise NotImplementedError

    def close(self):
        """Check the block that ends: a cut-off listing must not pass as a complete one."""

    def result(self):
        raise NotImplementedError


@functools.lru_cache(maxsize=256)   # a device uses few ciphers, printed for every SA
def _cipher(text):
    """'aes-256' / 'AES256' / 'esp-aes-gcm-256' -> (name without 'esp-', key size or None)."""
    return split_key_size(text[4:] if text.startswith("esp-") else text)


_NO_VALUE = {"", "N/A", "NONE", "UNKNOWN", "0"}


def _named(text):
    """An algorithm name, or None where the ASA prints N/A, none, Unknown or 0."""
    return None if (text or "").strip().upper() in _NO_VALUE else text.strip()


def _new_tunnel(peer, version=None):
    tunnel = model.new_tunnel(peer, "ipsec")
    tunnel["ike"]["version"] = version
    tunnel["ike"]["remote"]["address"] = peer
    return tunnel


def _set_ike_state(tunnel, table, native):
    state = normalize(table, native)
    tunnel["state"], tunnel["native_state"] = state, native
    tunnel["ike"]["native_state"] = native
    if state != "ESTABLISHED":
        tunnel["ike"]["negotiation"] = model.new_negotiation(1, native)


# --- traffic selectors -------------------------------------------------------------------

@functools.lru_cache(maxsize=1024)   # a device uses few masks, printed again and again
def _prefix_length(mask):
    """'255.255.255.240' -> 28; an IPv6 prefix length is printed as a number already."""
    if "." not in mask:
        return int(mask)
    return sum(bin(int(octet)).count("1") for octet in mask.split("."))


def _ident_selector(reader, ident):
    """'10.1.0.0/255.255.0.0/0/0' (addr/mask/prot/port) -> '10.1.0.0/16' ('[6/80]' if set)."""
    parts = ident.strip().strip("()").rsplit("/", 3)
    if len(parts) != 4:
        reader.fail("an address/mask/protocol/port selector")
    address, mask, protocol, port = parts
    try:
        selector = "%s/%d" % (address, _prefix_length(mask))
    except ValueError:
        reader.fail("a netmask or prefix length in the selector")
    if port != "0":
        return "%s[%s/%s]" % (selector, protocol, port)
    return selector if protocol == "0" else "%s[%s]" % (selector, protocol)


_RANGE = re.compile(r"^(?P<first>\S+)/(?P<low>\d+) - (?P<last>\S+)/(?P<high>\d+)$")


def _range_selector(reader, text):
    """IKEv2 '192.0.2.0/0 - 192.0.2.255/65535' (first/port - last/port) -> '192.0.2.0/24'."""
    found = _RANGE.match(text.strip())
    if found is None:
        reader.fail("'first/port - last/port' selector")
    try:
        first = ipaddress.ip_address(found.group("first"))
        last = ipaddress.ip_address(found.group("last"))
    except ValueError:
        reader.fail("addresses in the selector")
    length = range_prefix_length(first, last)
    selector = "%s-%s" % (first, last) if length is None else "%s/%d" % (first, length)
    ports = (found.group("low"), found.group("high"))
    if ports == ("0", "65535"):
        return selector
    return "%s[port %s]" % (selector, ports[0] if ports[0] == ports[1] else "-".join(ports))


def _child_name(child):
    return "%s===%s" % (",".join(child["local_ts"]), ",".join(child["remote_ts"]))


# --- show crypto ikev1|ikev2|isakmp sa [detail] -----------------------------------------------

_V1_ENTRY = re.compile(r"^\d+\s+IKE Peer:\s*(?P<peer>\S+)$")
_V1_FIELDS = re.compile(r"(?P<key>[A-Z][A-Za-z ]*?)\s*:\s*(?P<value>\S+)")
# ASA 8.0-8.3 table: "1 209.165.200.225 User Resp No AM_Active 3des SHA preshrd 86400"
_V1_ROW = re.compile(
    r"^\d+\s+(?P<peer>\S+)\s+(?P<type>\S+)\s+(?P<dir>Init|Resp)\s+(?P<rekey>Yes|No)\s+"
    r"(?P<state>\S+)\s+(?P<encrypt>\S+)\s+(?P<hash>\S+)\s+(?P<auth>\S+)\s+(?P<lifetime>\d+)$",
    re.IGNORECASE,
)
_V1_HEADER = re.compile(r"^IKE Peer\s+Type\s+Dir\s+Rky\s+State\b")
_V2_SESSION = re.compile(
    r"^Session-id:\s*(?P<id>\d+), Status:\s*(?P<status>[\w-]+), IKE count:\s*\d+,"
    r" CHILD count:\s*\d+$"
)
_V2_HEADER = re.compile(r"^Tunnel-id\s+Local\s+Remote\s+.*Status")
_V2_TUNNEL = re.compile(
    r"^(?P<id>\d+)\s+(?P<local>\S+)/(?P<lport>\d+)\s+(?P<remote>\S+)/(?P<rport>\d+)\s+"
    r"(?P<status>[A-Z][A-Z-]*)\s+(?P<role>INITIATOR|RESPONDER)$"
)
_V2_LIFE = re.compile(r"^\s*(?P<life>\d+)/(?P<active>\d+) sec$")
_V2_SPIS = re.compile(r"^\s*(?P<local>[0-9A-Fa-f]+)\s+Remote spi:\s*(?P<remote>[0-9A-Fa-f]+)$")
_V2_DPD = re.compile(r"^DPD configured for (?P<delay>\d+) seconds")
_V2_NAT = {"NAT-T is not detected": "none", "NAT-T is detected outside": "remote",
           "NAT-T is detected inside": "local"}
_V2_CHILD_SPIS = re.compile(r"^\s*(?P<in>0x[0-9A-Fa-f]+)/(?P<out>0x[0-9A-Fa-f]+)$")
_V2_CHILD_MODE = re.compile(r"\bmode (?P<mode>\w+)$")


def _comma_fields(text):
    """'Encr: AES-CBC, keysize: 256, DH Grp:14' -> {'Encr': 'AES-CBC', 'keysize': '256', ...}."""
    fields = {}
    for part in text.split(","):
        name, _colon, value = part.partition(":")
        fields[name.strip()] = value.strip()
    return fields


class _IkeReader(_Reader):
    """One pass over IKE SA listings of either version; remembers the block it is in."""

    HEADS = {
        "IKEv1 SAs": "skip", "IKEv2 SAs": "skip", "Active SA": "skip", "Rekey SA": "skip",
        "Total IKE SA": "skip", "There are no IKEv1 SAs": "skip", "There are no IKEv2 SAs": "skip",
        # IKEv1 detail ("Type : L2L  Role : initiator" has its second field read with the first)
        "Type": "_v1_detail", "Rekey": "_v1_detail", "Encrypt": "_v1_detail",
        "Auth": "_v1_detail", "Lifetime Remaining": "_v1_detail",
        # IKEv2
        "Session-id": "_session", "Encr": "_encr", "Life/Active Time": "_life",
        "Local spi": "_spis", "Local id": "_identity", "Remote id": "_identity",
        "Status Description": "_status_description", "Child sa": "_start_child",
        "ESP spi in/out": "_child_spis", "ah_hmac": "_child_mode",
    }

    def __init__(self, key):
        super().__init__(key)
        self.tunnels = []
        self.tunnel = None         # IKE SA the indented lines belong to
        self.child = None          # IKEv2 child SA the selector/SPI lines belong to
        self.child_local = None    # its local selector, until the remote one arrives
        self.session = None        # IKEv2 session status, for the tunnels under it
        self.session_tunnel = None

    def result(self):
        return self.tunnels

    def other(self, text):
        if text[0].isdigit():
            self._entry(text)
        elif _V1_HEADER.match(text) or _V2_HEADER.match(text):
            pass
        elif self.tunnel is None or not self.text[0].isspace():
            self.fail("an IKE SA entry ('N IKE Peer: ...', 'Session-id:...')")
        elif self.child is not None and text.startswith("remote selector"):
            self._child_selectors(text[len("remote selector"):])
        elif text in _V2_NAT:
            self.tunnel["ike"]["nat_t"] = _V2_NAT[text]
        elif text.startswith("DPD configured for"):
            dpd = _V2_DPD.match(text) or self.fail("'DPD configured for N seconds'")
            delay = int(dpd.group("delay"))
            self.tunnel["ike"]["dpd"] = {"delay": delay, "timeout": None, "action": None} if delay else None
        # other detail lines (message ids, windows, fragmentation, AH/CPI) carry no state

    def _entry(self, text):
        """A line starting with a number starts an IKE SA: IKEv1 entry or row, IKEv2 tunnel."""
        self.close()
        for pattern, start in ((_V1_ENTRY, self._start_v1), (_V2_TUNNEL, self._start_v2),
                               (_V1_ROW, self._v1_row)):
            found = pattern.match(text)
            if found:
                start(found)
                return
        self.fail("an IKE SA entry ('N IKE Peer: ...', 'Session-id:...')")

    def close(self):
        if self.child is not None and self.child["spi_in"] is None:
            self.fail("'ESP spi in/out' of the child SA (output cut off?)")
        if self.tunnel is not None and self.tunnel["ike"]["native_state"] is None:
            self.fail("the State of IKE peer %s (output cut off?)" % self.tunnel["ike"]["remote"]["address"])
        self.child = None

    def _in_tunnel(self):
        if self.tunnel is None:
            self.fail("an IKE SA entry ('N IKE Peer: ...', 'Session-id:...')")
        return self.tunnel

    # IKEv1 ------------------------------------------------------------------------------

    def _start_v1(self, found):
        self.tunnel = _new_tunnel(found.group("peer"), 1)
        self.tunnels.append(self.tunnel)

    def _v1_row(self, found):
        self._start_v1(found)
        ike = self.tunnel["ike"]
        ike["initiator"] = found.group("dir").lower() == "init"
        self._v1_algorithms(found.group("encrypt"), found.group("hash"))
        ike["rekey_interval_seconds"] = int(found.group("lifetime"))
        self._v1_type(found.group("type"))
        _set_ike_state(self.tunnel, IKEV1_STATES, found.group("state"))

    def _v1_detail(self, text, _value):
        tunnel = self._in_tunnel()
        ike = tunnel["ike"]
        for found in _V1_FIELDS.finditer(text):
            name, value = found.group("key"), found.group("value")
            if name == "Role":
                ike["initiator"] = value == "initiator"
            elif name == "State":
                _set_ike_state(tunnel, IKEV1_STATES, value)
            elif name == "Type":
                self._v1_type(value)
            elif name == "Encrypt":
                self._v1_algorithms(value, ike["algorithms"]["integrity"])
            elif name == "Hash":
                ike["algorithms"]["integrity"] = value
            elif name == "Lifetime":
                ike["rekey_interval_seconds"] = self.integer(value)
            elif name == "Lifetime Remaining":
                ike["rekey_seconds"] = self.integer(value)

    def _v1_algorithms(self, encrypt, integrity):
        algorithms = self.tunnel["ike"]["algorithms"]
        algorithms["encryption"], algorithms["key_size"] = _cipher(encrypt)
        algorithms["integrity"] = integrity

    def _v1_type(self, value):
        if value.lower() == "user":
            self.tunnel["status_message"] = "remote-access client (Type User)"

    # IKEv2 ------------------------------------------------------------------------------

    def _session(self, text, _value):
        if ", Status:" not in text:
            return   # "Session-id: 7" among the detail lines repeats the header's id
        found = _V2_SESSION.match(text) or self.fail("'Session-id:N, Status:S, IKE count:N, CHILD count:N'")
        self.close()
        self.session = found.group("status")
        self.session_tunnel = self.tunnel = None

    def _start_v2(self, found):
        tunnel = _new_tunnel(found.group("remote"), 2)
        ike = tunnel["ike"]
        ike["sa_id"] = found.group("id")
        ike["local"] = model.new_endpoint(found.group("local"), int(found.group("lport")))
        ike["remote"]["port"] = int(found.group("rport"))
        ike["initiator"] = found.group("role") == "INITIATOR"
        _set_ike_state(tunnel, IKEV2_STATES, found.group("status"))
        if self.session:
            tunnel["status_message"] = "IKEv2 session %s" % self.session
        if self.session_tunnel is None:
            self.session_tunnel = tunnel   # a second IKE SA of a session is its rekey
        self.tunnel = tunnel
        self.tunnels.append(tunnel)

    def _encr(self, text, _value):
        """'Encr: AES-CBC, keysize: 256, Hash: SHA96, DH Grp:14, ...' of the IKE or child SA."""
        fields = _comma_fields(text)
        name, size = _cipher(fields.get("Encr", ""))
        child = self.child is not None
        algorithms = model.new_algorithms(
            encryption=_named(name), key_size=self.integer(fields.get("keysize")) or size,
            integrity=_named(fields.get("esp_hmac" if child else "Hash")),
            prf=_named(fields.get("PRF")), dh_group=_named(fields.get("DH Grp")))
        (self.child if child else self._in_tunnel()["ike"])["algorithms"] = algorithms

    def _life(self, _text, value):
        life = _V2_LIFE.match(value) or self.fail("'Life/Active Time: N/N sec'")
        ike = self._in_tunnel()["ike"]
        ike["rekey_interval_seconds"] = int(life.group("life"))
        ike["established_seconds"] = int(life.group("active"))

    def _spis(self, _text, value):
        spis = _V2_SPIS.match(value) or self.fail("'Local spi: X Remote spi: Y'")
        ike = self._in_tunnel()["ike"]
        ours, theirs = hex_spi(spis.group("local")), hex_spi(spis.group("remote"))
        ike["initiator_spi"], ike["responder_spi"] = (ours, theirs) if ike["initiator"] else (theirs, ours)

    def _identity(self, text, value):
        self._in_tunnel()["ike"]["local" if text.startswith("Local") else "remote"]["id"] = value.strip()

    def _status_description(self, _text, value):
        ike = self._in_tunnel()["ike"]
        if ike["negotiation"] is not None:
            ike["negotiation"]["step"] = "%s: %s" % (ike["native_state"], value.strip())

    def _start_child(self, text, _value):
        self.close()
        if self.session_tunnel is None:
            self.fail("a child SA under an IKEv2 tunnel line")
        self.tunnel = self.session_tunnel
        self.child = model.new_child("", "INSTALLED")
        self.child["protocol"] = "ESP"   # the ASA negotiates ESP only
        # "Child sa: local selector  X - Y": converted with the remote selector
        self.child_local = text.partition("local selector")[2]
        self.tunnel["children"].append(self.child)

    def _child_selectors(self, remote):
        child = self.child
        child["local_ts"] = [_range_selector(self, self.child_local)]
        child["remote_ts"] = [_range_selector(self, remote)]
        child["name"] = _child_name(child)

    def _child_spis(self, _text, value):
        spis = _V2_CHILD_SPIS.match(value) or self.fail("'ESP spi in/out: 0xI/0xO'")
        if self.child is None:
            self.fail("'Child sa:' before its SPIs")
        self.child["spi_in"], self.child["spi_out"] = hex_spi(spis.group("in")), hex_spi(spis.group("out"))

    def _child_mode(self, text, _value):
        mode = _V2_CHILD_MODE.search(text)
        if mode and self.child is not None:
            self.child["mode"] = mode.group("mode").upper()


# --- show crypto ipsec sa ----------------------------------------------------------------------

_COUNTER = re.compile(r"#pkts (?P<name>encaps|decaps):\s*(?P<value>\d+)")
_SA_SPI = re.compile(r"^\s*(?P<spi>0x[0-9A-Fa-f]+)(?: \(\d+\))?$")
_IDENT = re.compile(r"^\s*(?P<ident>\(.*\))$")
_SA_LIFETIME = re.compile(r"^\s*\(?(?:\d+/)?(?P<seconds>\d+)\)?$")   # "548" or "(2699423/25461)"


def _endpoint(text):
    """'172.16.248.119/4500' -> ('172.16.248.119', 4500); without a port -> (address, None)."""
    address, slash, port = text.strip().rpartition("/")
    if slash and port.isdigit():
        return address, int(port)
    return text.strip(), None


class _CryptoMapEntry:
    """What one 'Crypto map tag' entry showed: selectors, peer, counters and its SAs."""

    def __init__(self):
        self.selectors = {}
        self.peer = None
        self.endpoints = None
        self.counters = {}
        self.current = {}
        self.sas = {"inbound": [], "outbound": []}
        self.direction = None   # the SA list being read: ("inbound", "ESP")

    def sa_in_use(self, direction):
        """The SA 'current <direction> spi' names, else the first one listed."""
        sas = self.sas[direction]
        wanted = self.current.get(direction)
        for sa in sas:
            if sa["spi"] == wanted:
                return sa
        return sas[0] if sas else None


class _IpsecReader(_Reader):
    """One pass over `show crypto ipsec sa`: one child per crypto map entry, grouped by peer."""

    HEADS = {
        "interface": "_interface", "Crypto map tag": "_start_entry",
        "local ident (addr/mask/prot/port)": "_ident", "remote ident (addr/mask/prot/port)": "_ident",
        "current_peer": "_peer", "#pkts encaps": "_counters", "#pkts decaps": "_counters",
        "local crypto endpt.": "_endpoints",
        "current inbound spi": "_current_spi", "current outbound spi": "_current_spi",
        "inbound esp sas": "_sa_list", "outbound esp sas": "_sa_list", "spi": "_start_sa",
        "SA State": "_sa_field", "transform": "_sa_field", "sa timing": "_sa_field",
    }
    _SA_FIELDS = {"SA State": "state", "transform": "transform", "sa timing": "lifetime"}

    def __init__(self, key):
        super().__init__(key)
        self.tunnels = {}
        self.entry = None
        self.sa = None

    def result(self):
        return list(self.tunnels.values())

    def other(self, text):
        if self.entry is None and text.lower() != "there are no ipsec sas":
            self.fail("'interface:' and 'Crypto map tag:' starting an entry")
        if self.sa is not None and text.startswith("in use settings ="):
            self.sa["settings"] = text.partition("{")[2].rstrip("}")
        # MTU, fragment, replay, slot and error lines carry no tunnel state

    def _in_entry(self):
        if self.entry is None:
            self.fail("'interface:' and 'Crypto map tag:' starting an entry")
        return self.entry

    def _interface(self, _text, _value):
        self.close()

    def _start_entry(self, _text, _value):
        self.close()
        self.entry = _CryptoMapEntry()

    def _ident(self, text, value):
        ident = _IDENT.match(value) or self.fail("'(addr/mask/prot/port)' selector")
        self._in_entry().selectors[text.split()[0]] = _ident_selector(self, ident.group("ident"))

    def _peer(self, _text, value):
        self._in_entry().peer = value.strip()

    def _counters(self, text, _value):
        counters = self._in_entry().counters
        for counter in _COUNTER.finditer(text):
            counters[counter.group("name")] = int(counter.group("value"))

    def _endpoints(self, text, _value):
        local, _comma, remote = text.partition(":")[2].partition(", remote crypto endpt.:")
        self._in_entry().endpoints = (_endpoint(local), _endpoint(remote))

    def _current_spi(self, text, value):
        self._in_entry().current[text.split()[1]] = hex_spi(value)

    def _sa_list(self, text, _value):
        self._in_entry().direction = (text.split()[0], "ESP")
        self.sa = None

    def _start_sa(self, _text, value):
        entry = self._in_entry()
        if entry.direction is None:
            self.fail("'inbound esp sas:' before an SA")
        direction, protocol = entry.direction
        spi = _SA_SPI.match(value) or self.fail("'spi: 0x... (decimal)'")
        self.sa = {"spi": hex_spi(spi.group("spi")), "protocol": protocol}
        entry.sas[direction].append(self.sa)

    def _sa_field(self, text, value):
        if self._in_entry() and self.sa is not None:
            self.sa[self._SA_FIELDS[text.partition(":")[0]]] = value.strip()

    def close(self):
        entry, self.entry, self.sa = self.entry, None, None
        if entry is None:
            return
        if entry.peer is None or entry.endpoints is None or len(entry.selectors) != 2:
            self.fail("idents, current_peer and crypto endpoints in every crypto map entry"
                      " (output cut off?)")
        if any("transform" not in sa for sas in entry.sas.values() for sa in sas):
            self.fail("a transform for every SA (output cut off?)")
        self._add_child(entry)

    def _add_child(self, entry):
        tunnel = self.tunnels.get(entry.peer)
        if tunnel is None:
            tunnel = self.tunnels[entry.peer] = _tunnel_from_entry(entry)
        child = _child_from_entry(self, entry)
        settings = _settings(entry.sa_in_use("inbound"))
        if tunnel["ike"]["version"] is None and settings & {"IKEv1", "IKEv2"}:
            tunnel["ike"]["version"] = 1 if "IKEv1" in settings else 2
        if "RA" in settings:
            tunnel["status_message"] = "remote-access client"
        if all(known["name"] != child["name"] for known in tunnel["children"]):
            tunnel["children"].append(child)


def _settings(sa):
    """'L2L, Tunnel,  NAT-T-Encaps, IKEv1, ' of an SA's 'in use settings' as a set of words."""
    return {word.strip() for word in (sa or {}).get("settings", "").split(",")} - {""}


def _tunnel_from_entry(entry):
    (local, local_port), (_remote, remote_port) = entry.endpoints
    tunnel = _new_tunnel(entry.peer)
    tunnel["ike"]["local"] = model.new_endpoint(local, local_port)
    tunnel["ike"]["remote"]["port"] = remote_port
    return tunnel


def _child_from_entry(reader, entry):
    child = model.new_child("", "DOWN")
    child["local_ts"], child["remote_ts"] = [entry.selectors["local"]], [entry.selectors["remote"]]
    child["name"] = _child_name(child)
    child["packets_in"] = entry.counters.get("decaps")
    child["packets_out"] = entry.counters.get("encaps")
    inbound, outbound = entry.sa_in_use("inbound"), entry.sa_in_use("outbound")
    if inbound is None or outbound is None:
        return child   # the ASA lists entries with SAs only; kept DOWN if one ever lacks them
    native = inbound.get("state")
    child["state"] = normalize(IPSEC_SA_STATES, native) if native else "INSTALLED"
    child["native_state"] = native
    child["spi_in"], child["spi_out"] = inbound["spi"], outbound["spi"]
    child["protocol"] = inbound["protocol"]
    settings = _settings(inbound)
    child["mode"] = "TUNNEL" if "Tunnel" in settings else "TRANSPORT" if "Transport" in settings else None
    child["encapsulation"] = "NAT-T-Encaps" in settings
    if "lifetime" in inbound:
        lifetime = _SA_LIFETIME.match(inbound["lifetime"].rpartition(":")[2])
        child["lifetime_seconds"] = int(lifetime.group("seconds")) if lifetime else reader.fail(
            "'remaining key lifetime (sec): N'")
    encryption, _space, integrity = inbound["transform"].partition(" ")
    name, key_size = _cipher(encryption)
    integrity = integrity.split()[0] if integrity.startswith("esp-") else None
    child["algorithms"] = model.new_algorithms(
        encryption=name, key_size=key_size, integrity=integrity[4:] if integrity else None)
    return child


# --- show vpn-sessiondb [detail] l2l ----------------------------------------------------------

_DURATION = re.compile(r"^(?:(?P<d>\d+)d )?(?P<h>\d+)h:(?P<m>\d+)m:(?P<s>\d+)s$")
_IKE_SECTIONS = {"IKE": 1, "IKEv1": 1, "IKEv2": 2}          # "IKE" is IKEv1 before ASA 8.4
_IPSEC_SECTIONS = {"IPsec": False, "IPsecOverNatT": True, "IPsecOverUDP": True, "IPsecOverTCP": None}
# a left-hand key -> the key printed beside it in the right-hand column
_RIGHT_KEYS = {
    "Index": "IP Addr", "Bytes Tx": "Bytes Rx", "Encryption": "Hashing", "UDP Src Port": "UDP Dst Port",
    "IKE Neg Mode": "Auth Mode", "Rekey Int (T)": "Rekey Left(T)", "Rekey Int (D)": "Rekey Left(D)",
    "Idle Time Out": "Idle TO Left", "Pkts Tx": "Pkts Rx", "PRF": "D/H Group",
    "Encapsulation": "PFS Group", "Reval Int (T)": "Reval Left(T)", "SQ Int (T)": "EoU Age(T)",
    "Hold Left (T)": "Posture Token", "Group Policy": "Tunnel Group", "VLAN Mapping": "VLAN",
}


# names of the lines that start sessions and sections or frame the listing; every other
# 'Name : value' line is a field of the session or section being read
_SESSION_LINES = {"Connection", "Session Type", "INFO"} | set(_IKE_SECTIONS) | set(_IPSEC_SECTIONS) | {"NAC"}


class _SessionReader(_Reader):
    """One pass over the LAN-to-LAN session database: one tunnel per session.

    Every line is 'Name : value', some with a second pair in the right-hand column; sections
    ('IKEv2:', 'IPsec:') gather the pairs of one IKE SA or IPsec tunnel."""

    def __init__(self, key):
        super().__init__(key)
        self.tunnels = []
        self.session = None         # the session being read, turned into a tunnel when it ends
        self.session_line = None    # (number, text) of its 'Connection' line, for errors
        self.fields = None          # the section being filled: session, IKE or one IPsec tunnel

    def result(self):
        return self.tunnels

    def read(self, lines):
        for self.number, self.text in lines:
            name, colon, value = self.text.partition(":")
            name = name.strip()
            if colon and name not in _SESSION_LINES and self.fields is not None:
                self._pairs(name, value)   # most lines: a field of the session or section
            elif name or colon:
                self._line(name, colon, value)
        self.number, self.text = None, None
        self.close()
        return self.result()

    def _line(self, name, colon, value):
        line = self.text.rstrip()
        if line.startswith("INFO: There are presently no active sessions"):
            return
        if not colon or not name:
            self.fail("'Name : value' session lines")
        elif line == name + ":":   # "IKEv2:", "IPsecOverNatT:" at the left margin
            self._start_section(name)
        elif name == "Connection" and not line[0].isspace():
            start = (self.number, self.text)
            self.close()
            self.fields = self.session = {"ike": None, "ipsec": [], name: value.strip()}
            self.session_line = self.number, self.text = start
        elif name == "Session Type":
            if not value.strip().startswith("LAN-to-LAN"):
                self.fail("LAN-to-LAN sessions")
        elif self.fields is None:
            self.fail("'Connection :' starting a session")
        else:
            self._pairs(name, value)

    def _pairs(self, name, value):
        """'Index : 6539    IP Addr : 169.254.107.1': the right-hand pair too, when there is one."""
        right = _RIGHT_KEYS.get(name)
        at = value.find("  " + right) if right else -1
        if at < 0:
            self.fields[name] = value.strip()
        else:
            self.fields[name] = value[:at].strip()
            self.fields[right] = value[at:].partition(":")[2].strip()

    def _start_section(self, name):
        session = self.session
        if session is None:
            self.fail("'Connection :' starting a session")
        self.fields = {"section": name}
        if name in _IKE_SECTIONS:
            session["ike"] = self.fields
        elif name in _IPSEC_SECTIONS:
            session["ipsec"].append(self.fields)
        # other sections (NAC, ...) are read and dropped; "IKEv2 Tunnels: 1" lines too

    def close(self):
        """The session read so far becomes a tunnel (a long listing is never held whole);
        its errors name its 'Connection' line."""
        session, self.session = self.session, None
        if session is None:
            return
        self.number, self.text = self.session_line
        whole = "IP Addr" in session and all(
            {"Tunnel ID", "Local Addr", "Remote Addr"} <= set(ipsec) for ipsec in session["ipsec"])
        if not whole:
            self.fail("IP Addr and whole IPsec sections in every session (output cut off?)")
        self.tunnels.append(_tunnel_from_session(self, session))


def _seconds(reader, text):
    """'86400 Seconds' -> 86400."""
    number, _space, unit = (text or "").partition(" ")
    if not number:
        return None
    if unit not in ("Seconds", "") or not number.isdigit():
        reader.fail("a time in seconds, got %r" % text)
    return int(number)


def _duration(reader, text):
    """'52d 6h:35m:23s' -> seconds."""
    found = _DURATION.match(text or "")
    if found is None:
        reader.fail("a session Duration like '1d 2h:03m:04s', got %r" % text)
    days, hours, minutes, seconds = (int(found.group(name) or 0) for name in "dhms")
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds


def _tunnel_from_session(reader, session):
    peer = session["IP Addr"]
    tunnel = _new_tunnel(peer)
    tunnel["name"] = session.get("Connection") or peer
    tunnel["state"] = "ESTABLISHED"   # the session database lists connected sessions only
    ike = tunnel["ike"]
    ike["established_seconds"] = _duration(reader, session.get("Duration"))
    protocol = session.get("Protocol", "").split()
    ike["version"] = 2 if "IKEv2" in protocol else 1 if {"IKE", "IKEv1"} & set(protocol) else None
    if session["ike"] is not None:
        _ike_from_section(reader, ike, session["ike"])
    for section in session["ipsec"]:
        tunnel["children"].append(_child_from_section(reader, section))
    return tunnel


def _ike_from_section(reader, ike, section):
    ike["version"] = _IKE_SECTIONS[section["section"]]
    # the session is seen from the packets the peer sends: its source port is the peer's
    ike["remote"]["port"] = reader.integer(section.get("UDP Src Port"))
    ike["local"]["port"] = reader.integer(section.get("UDP Dst Port"))
    name, size = _cipher(section.get("Encryption", ""))
    ike["algorithms"] = model.new_algorithms(
        encryption=_named(name), key_size=size, integrity=_named(section.get("Hashing")),
        prf=_named(section.get("PRF")), dh_group=_named(section.get("D/H Group")))
    ike["rekey_interval_seconds"] = _seconds(reader, section.get("Rekey Int (T)"))
    ike["rekey_seconds"] = _seconds(reader, section.get("Rekey Left(T)"))


def _child_from_section(reader, section):
    child = model.new_child("", "INSTALLED")
    child["local_ts"] = [_ident_selector(reader, section["Local Addr"])]
    child["remote_ts"] = [_ident_selector(reader, section["Remote Addr"])]
    child["name"] = _child_name(child)
    child["sa_id"] = section["Tunnel ID"]
    child["protocol"] = "ESP"   # the ASA negotiates ESP only
    child["encapsulation"] = _IPSEC_SECTIONS[section["section"]]
    child["mode"] = (section.get("Encapsulation") or "").upper() or None
    name, size = _cipher(section.get("Encryption", ""))
    child["algorithms"] = model.new_algorithms(
        encryption=_named(name), key_size=size, integrity=_named(section.get("Hashing")),
        dh_group=_named(section.get("PFS Group")))
    child["rekey_interval_seconds"] = _seconds(reader, section.get("Rekey Int (T)"))
    child["rekey_seconds"] = _seconds(reader, section.get("Rekey Left(T)"))
    child["bytes_in"] = reader.integer(section.get("Bytes Rx"))
    child["bytes_out"] = reader.integer(section.get("Bytes Tx"))
    child["packets_in"] = reader.integer(section.get("Pkts Rx"))
    child["packets_out"] = reader.integer(section.get("Pkts Tx"))
    return child


# --- the module interface ----------------------------------------------------------------------

_READERS = {IKEV1_SA: _IkeReader, IKEV2_SA: _IkeReader, ISAKMP_SA: _IkeReader,
            IPSEC_SA: _IpsecReader, L2L_SESSIONS: _SessionReader}


def parse(key, text):
    return _READERS[key](key).read(_meaningful_lines(key, text))


def merge(parts):
    """One tunnel per peer address: SA outputs give state and SPIs, the sessions the name."""
    tunnels = {}
    children_listed = set()   # peers whose IPsec SAs one of the outputs would have shown
    for key, found in sorted(parts, key=lambda part: _MERGE_ORDER[part[0]]):
        for tunnel in found:
            peer = tunnel["ike"]["remote"]["address"]
            if peer in tunnels:
                _absorb(tunnels[peer], tunnel, renames=key == L2L_SESSIONS)
            else:
                tunnels[peer] = tunnel
            # an IKEv2 SA listing shows the SA's children; an IKEv1 one does not
            if key in (IPSEC_SA, L2L_SESSIONS) or (key != IKEV1_SA and tunnel["ike"]["version"] == 2):
                children_listed.add(peer)
    for peer, tunnel in tunnels.items():
        _conclude(tunnel, peer in children_listed)
    return list(tunnels.values())


def _rank(tunnel):
    """How much a tunnel's state is worth: a listed IKE SA > a session > IPsec SAs only."""
    if tunnel["ike"]["native_state"] is not None:
        return 3 if tunnel["state"] == "ESTABLISHED" else 2
    return 1 if tunnel["state"] != "UNDEFINED" else 0


def _absorb(known, other, renames):
    """Fold another output's view of the same peer into the tunnel found first."""
    if renames:
        known["name"] = other["name"]
    notes = [known["status_message"], other["status_message"]]
    if _rank(known) >= 2 and _rank(other) >= 2:   # two IKE SAs with one peer: a rekey
        rekeying = known if _rank(known) < _rank(other) else other
        notes.append("rekey SA %s" % rekeying["native_state"])
    if _rank(other) > _rank(known):
        known["state"], known["native_state"] = other["state"], other["native_state"]
        primary, secondary = other["ike"], known["ike"]
    else:
        primary, secondary = known["ike"], other["ike"]
    negotiation = primary["negotiation"]   # it goes with the state: never taken from the other
    known["ike"] = fill_missing(primary, secondary)
    known["ike"]["negotiation"] = negotiation
    known["status_message"] = "; ".join(dict.fromkeys(filter(None, notes)))   # once each, in order
    children = {child["name"]: index for index, child in enumerate(known["children"])}
    for child in other["children"]:
        index = children.get(child["name"])
        if index is None:
            known["children"].append(child)
        elif known["children"][index]["state"] == "DOWN" != child["state"]:
            known["children"][index] = fill_missing(child, known["children"][index])
        else:
            fill_missing(known["children"][index], child)


def _conclude(tunnel, children_listed):
    """Negotiation progress and the status line, once every output is in."""
    installed = sum(1 for child in tunnel["children"] if child["state"] == "INSTALLED")
    ike_state = tunnel["native_state"] or ("session up" if tunnel["state"] == "ESTABLISHED"
                                           else "IKE SA not listed")
    if tunnel["state"] == "ESTABLISHED" and children_listed and not installed:
        tunnel["ike"]["negotiation"] = model.new_negotiation(2, "%s without IPsec SA" % ike_state)
    if tunnel["state"] not in ("ESTABLISHED", "UNDEFINED"):
        summary = "IKE SA %s (%s)" % (ike_state, tunnel["state"].lower())
    elif children_listed or tunnel["children"]:
        summary = "%s, %d of %d IPsec SAs installed" % (ike_state, installed, len(tunnel["children"]))
    else:
        summary = ike_state   # IPsec SAs were not gathered
    tunnel["status_message"] = "; ".join(filter(None, (summary, tunnel["status_message"])))


def gather_commands(options):
    """What vpn_facts runs: both IKE versions, the IPsec SAs, then the L2L sessions."""
    return ["show crypto ikev1 sa detail", "show crypto ikev2 sa detail", "show crypto ipsec sa",
            "show vpn-sessiondb detail l2l"]


def reset_commands(target, options=None):
    """ASA commands for a validated reset target (reset.py): `vpn-sessiondb logoff ipaddress
    ADDR noconfirm` ends a peer's IKE and IPsec SAs; scope child `clear crypto ipsec sa peer
    ADDR` its IPsec SAs only (all: `clear crypto ipsec sa`). A name must be the peer address
    (an L2L tunnel group is named by it)."""
    from ansible_collections.vpnops.tunnels.plugins.module_utils.reset import target_peer, unsupported

    peer = target_peer(target)
    if target["scope"] == "child" and (peer or target["all"]):
        return ["clear crypto ipsec sa peer %s" % peer if peer else "clear crypto ipsec sa"]
    if not peer:
        raise unsupported(PLATFORM, target, "the ASA logs off L2L sessions by peer address")
    return ["vpn-sessiondb logoff ipaddress %s noconfirm" % peer]

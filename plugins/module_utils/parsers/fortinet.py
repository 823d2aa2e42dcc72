# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""FortiGate (FortiOS): IPsec state from three CLI commands.

- `get vpn ipsec tunnel summary`: every phase 1 interface with its selectors up/total, so a
  configured tunnel that is down still shows (as DOWN);
- `diagnose vpn ike gateway list`: phase 1 (IKE SAs: SPIs, status, proposal, lifetime);
- `diagnose vpn tunnel list`: phase 1 interfaces with their phase 2 selectors (proxyids), the
  IPsec SAs installed for each (SPIs, algorithms, counters, lifetimes), DPD and NAT-T.

A tunnel is a phase 1 interface (dial-up instances such as HUB_0 are tunnels of their own);
its children are the phase 2 selectors. merge() puts the three views of a tunnel together.
"""

from __future__ import annotations

import functools
import ipaddress
import re

from ansible_collections.vpnops.tunnels.plugins.module_utils import model
from ansible_collections.vpnops.tunnels.plugins.module_utils.parsers.common import (
    fail,
    nat_side,
    nonempty_lines,
    normalize,
    range_prefix_length,
    split_address_port,
)

PLATFORM = "fortinet"
SUMMARY = "get vpn ipsec tunnel summary"
GATEWAYS = "diagnose vpn ike gateway list"
TUNNELS = "diagnose vpn tunnel list"
COMMANDS = (SUMMARY, GATEWAYS, TUNNELS)

# `status:` of an IKE SA in `diagnose vpn ike gateway list`. Fortinet KB 195955
# ("Troubleshooting Tip: IPsec VPNs tunnels"): established = phase 1 up, connecting = phase 1
# still negotiating ("connecting, state 3, started 15s ago").
IKE_STATES = {
    "ESTABLISHED": "ESTABLISHED",
    "CONNECTING": "CONNECTING",
}
# `sa=` of a proxyid (phase 2 selector) in `diagnose vpn tunnel list`: how many IPsec SAs are
# installed for it. 0 = none; 1 = installed; 2 = old and new SA side by side while rekeying
# (the corpus shows two SA blocks under one sa=2 proxyid), still carrying traffic.
CHILD_STATES = {
    "SA=0": "DOWN",
    "SA=1": "INSTALLED",
    "SA=2": "INSTALLED",
}
# `mode=` of a tunnel in `diagnose vpn tunnel list`: auto/1 is a static peer, dialup/2 the
# dial-up server (a template that waits for peers: PASSIVE), dial_inst/3 one connected peer.
DIALUP_SERVER = "dialup"
DIALUP_INSTANCE = "dial_inst"

# Typed command words (FortiOS accepts any unambiguous prefix: `diag vpn tun list`) -> key,
# and how the command may be limited to one tunnel: "name" (`... name <phase1>`), "bare"
# (`get vpn ike gateway <phase1>`, same layout as the diagnose command) or not at all.
_CANONICAL = (
    (("get", "vpn", "ipsec", "tunnel", "summary"), SUMMARY, None),
    (("diagnose", "vpn", "ike", "gateway", "list"), GATEWAYS, "name"),
    (("get", "vpn", "ike", "gateway"), GATEWAYS, "bare"),
    (("diagnose", "vpn", "tunnel", "list"), TUNNELS, "name"),
)
# Not parsed, on purpose (command_key returns None for them):
# - `get vpn ssl monitor`: SSL-VPN users and web/tunnel-mode sessions; no IKE or IPsec SA, and
#   the platform reports IPsec tunnels only (platforms.py), so nothing maps to the model.
# - `get vpn ipsec tunnel details|name`: the same state as `diagnose vpn tunnel list` in
#   another layout; gather the diagnose command instead.
# - any `| grep`: it drops the lines that tie a selector or an SA to its tunnel.


def command_key(command):
    text = command or ""
    if "|" in text:
        return None
    words = text.split()
    for canonical, key, filter_form in _CANONICAL:
        typed, extra = words[:len(canonical)], words[len(canonical):]
        if _abbreviates(typed, canonical) and _tunnel_filter(extra, filter_form):
            return key
    return None


def _abbreviates(typed, canonical):
    return len(typed) == len(canonical) and all(
        word.startswith(part) for word, part in zip(canonical, typed))


def _tunnel_filter(extra, form):
    """Nothing, or the one-tunnel filter the command takes (see _CANONICAL)."""
    if not extra:
        return True
    if form == "name":
        return len(extra) == 2 and extra[0] == "name"
    return form == "bare" and len(extra) == 1


def parse(key, text):
    lines = _meaningful_lines(key, text)
    if key == SUMMARY:
        return [_summary_tunnel(key, number, line) for number, line in lines]
    if key == GATEWAYS:
        return _gateways(key, lines)
    return _tunnel_list(key, lines)


def merge(parts):
    """One tunnel per name: phase 1 from the gateway list, selectors and SAs from the tunnel
    list, and the summary for tunnels the other two do not show (configured, down)."""
    views, order = {SUMMARY: {}, GATEWAYS: {}, TUNNELS: {}}, {}
    for key, tunnels in parts:
        for tunnel in tunnels:
            views[key][tunnel["name"]] = tunnel
            order.setdefault(tunnel["name"], None)
    return [_combined(views[SUMMARY].get(name), views[GATEWAYS].get(name),
                      views[TUNNELS].get(name)) for name in order]


def gather_commands(options):
    """Summary first (names every configured tunnel), then phase 1, then phase 2."""
    return [SUMMARY, GATEWAYS, TUNNELS]


# --- noise and errors -----------------------------------------------------------------------

# A CLI prompt left in the capture: "FGT # ", "FGT60F (root) # ", "FGT (vdom) $ ".
_PROMPT = re.compile(r"^[\w.-]+(?: \([\w.-]+\))? [#$](?: |$)")
_MORE = re.compile(r"\s*--More--\s*[\b\r]*")
# FortiOS refusing the command: there is no tunnel state in the answer.
_CLI_ERROR = re.compile(r"^\s*(Unknown action \d+|Command fail\. Return code -?\d+"
                        r"|command parse error before .*|Permission denied.*)\s*$")


def _meaningful_lines(key, text):
    """(number, line) without prompts, pager remnants or blank lines; CLI errors fail."""
    for number, line in nonempty_lines(text):
        if "--More--" in line:
            line = _MORE.sub("", line)
        if line.isspace() or not line or ("#" in line or "$" in line) and _PROMPT.match(line):
            continue
        if _CLI_ERROR.match(line):
            fail(PLATFORM, key, "FortiOS output, but the CLI answered: %s" % line.strip(),
                 number, line)
        yield number, line


def _count(key, number, line, text):
    """A decimal counter of the device; anything else is a parse error naming the line."""
    if text is None or not text.isdigit():
        fail(PLATFORM, key, "a decimal number, got %r" % (text,), number, line)
    return int(text)


def _endpoint_pair(text):
    """'100.1.1.2:500 -> 200.1.1.2:500' (gateway list) or '...:0->...:0' (tunnel list)."""
    local, _arrow, remote = text.replace(" ", "").partition("->")
    return split_address_port(local), split_address_port(remote)


# --- get vpn ipsec tunnel summary -----------------------------------------------------------

_SUMMARY_LINE = re.compile(
    r"^'(?P<name>[^']+)'\s+(?:(?P<gateway>\S+)\s+)?selectors\(total,up\):\s*(?P<total>\d+)/(?P<up>\d+)"
    r"\s+rx\(pkt,err\):\s*(?P<rxp>\d+)/(?P<rxe>\d+)\s+tx\(pkt,err\):\s*(?P<txp>\d+)/(?P<txe>\d+)\s*$"
)


def _summary_tunnel(key, number, line):
    found = _SUMMARY_LINE.match(line.strip())
    if found is None:
        fail(PLATFORM, key, "\"'NAME' [ADDRESS:PORT] selectors(total,up): T/U rx(pkt,err): ..."
             " tx(pkt,err): ...\"", number, line)
    total, up = int(found.group("total")), int(found.group("up"))
    tunnel = model.new_tunnel(found.group("name"), "ipsec", "ESTABLISHED" if up else "DOWN")
    tunnel["configured"] = True
    if found.group("gateway"):
        address, port = split_address_port(found.group("gateway"))
        tunnel["ike"]["remote"] = model.new_endpoint(address, port or None)
    tunnel["status_message"] = _summary_message(
        total, up, int(found.group("rxe")), int(found.group("txe")))
    return tunnel


def _summary_message(total, up, rx_errors, tx_errors):
    """'N of M selectors up' and, after '; ', the error counters when there are any."""
    message = "%d of %d selectors up" % (up, total)
    if rx_errors or tx_errors:
        message += "; rx errors %d, tx errors %d" % (rx_errors, tx_errors)
    return message


def _summary_errors(message):
    return message.partition("; ")[2]


# --- diagnose vpn ike gateway list ----------------------------------------------------------

_STATUS = re.compile(
    r"^(?P<state>[a-z]+)(?: (?P<created>\d+)-(?P<established>\d+)s ago)?"
    r"(?:.*?, state (?P<step>\d+))?"
)
_CIPHER = re.compile(r"^(?P<name>[a-z0-9]+?)(?P<size>128|192|256)?(?P<aead>gcm|ccm)?$")
_SA_KEYS = ("direction", "status", "proposal", "lifetime/rekey")


def _gateways(key, lines):
    """Blocks opened by 'vd: ...'; inside, 'id/spi: ...' opens one IKE SA. Lines of a kind
    this version does not know (new fields, key material) are skipped."""
    blocks, gateway, sa = [], None, None
    for number, line in lines:
        name, colon, value = line.partition(":")
        name, value = name.strip(), value.strip()
        if not colon or not name[:1].isalpha():
            fail(PLATFORM, key, "a 'key: value' line of an IKE gateway", number, line)
        if name == "vd":
            gateway, sa = {"fields": {}, "sas": [], "line": (number, line)}, None
            blocks.append(gateway)
        elif gateway is None:
            fail(PLATFORM, key, "'vd: VDOM/N' starting an IKE gateway", number, line)
        elif name == "id/spi":
            sa = {"id/spi": value, "line": (number, line)}
            gateway["sas"].append(sa)
        elif sa is not None and (name in _SA_KEYS or name == "peer-id"):
            sa[name] = value
        else:
            gateway["fields"].setdefault(name, value)
    return [_gateway_tunnel(key, block) for block in blocks]


def _gateway_tunnel(key, block):
    fields = block["fields"]
    if not fields.get("name"):
        fail(PLATFORM, key, "a 'name:' line in every IKE gateway", *block["line"])
    sas = [_ike_sa(key, sa) for sa in block["sas"]]
    # FortiOS lists an IKE SA being replaced next to its successor: report the established one
    ike = next((sa for sa in sas if sa["native_state"] == "established"), sas[0] if sas else None)
    tunnel = model.new_tunnel(fields["name"], "ipsec", "DOWN")
    if ike is None:
        tunnel["configured"] = True  # only a configured phase 1 shows without any IKE SA
        ike = model.new_ike()
    else:
        tunnel["state"] = normalize(IKE_STATES, ike["native_state"])
        tunnel["native_state"] = ike["native_state"]
    ike["version"] = {"1": 1, "2": 2}.get(fields.get("version"))
    local, remote = _endpoint_pair(fields.get("addr", ""))
    ike["local"] = model.new_endpoint(*local)
    ike["remote"] = model.new_endpoint(*remote, identity=ike["remote"]["id"] or fields.get("peer-id"))
    ike["nat_t"] = _nat_from_gateway(fields.get("nat"))
    tunnel["ike"] = ike
    return tunnel


def _ike_sa(key, sa):
    number, line = sa["line"]
    sa_id, _space, spis = sa["id/spi"].partition(" ")
    initiator_spi, _slash, responder_spi = spis.partition("/")
    status = _STATUS.match(sa.get("status", ""))
    if not sa_id.isdigit() or not responder_spi or status is None:
        fail(PLATFORM, key, "'id/spi: ID ICOOKIE/RCOOKIE' and a 'status:' line", number, line)
    ike = model.new_ike()
    ike.update({
        "sa_id": sa_id,
        "native_state": status.group("state"),
        "initiator": {"initiator": True, "responder": False}.get(sa.get("direction")),
        "initiator_spi": initiator_spi.lower(),
        "responder_spi": responder_spi.lower(),
        "algorithms": _proposal(sa.get("proposal")),
        "remote": model.new_endpoint(identity=sa.get("peer-id")),
    })
    if status.group("established"):
        ike["established_seconds"] = int(status.group("established"))
    if status.group("state") != "established":
        step = "state %s" % status.group("step") if status.group("step") else status.group("state")
        ike["negotiation"] = model.new_negotiation(1, step)
    lifetime, _slash, rekey = sa.get("lifetime/rekey", "").partition("/")
    if lifetime:
        ike["rekey_interval_seconds"] = _count(key, number, line, lifetime)
        ike["rekey_seconds"] = _count(key, number, line, rekey)
    return ike


def _proposal(text):
    """'aes128-sha256', 'aes256gcm-prfsha384', '3des-sha1' -> model algorithms."""
    algorithms = model.new_algorithms()
    if not text:
        return algorithms
    cipher, *rest = text.split("-")
    found = _CIPHER.match(cipher)
    if found:
        algorithms["encryption"] = found.group("name") + ("-" + found.group("aead") if found.group("aead") else "")
        algorithms["key_size"] = int(found.group("size")) if found.group("size") else None
    else:
        algorithms["encryption"] = cipher
    for part in rest:
        algorithms["prf" if part.startswith("prf") else "integrity"] = part
    return algorithms


def _nat_from_gateway(text):
    """'nat: me' (this side is behind NAT), 'nat: peer', both; no line: no NAT."""
    words = set((text or "").split())
    return nat_side("me" in words, "peer" in words)


# --- diagnose vpn tunnel list ---------------------------------------------------------------

# Every line starts with a word followed by '=' or ':' (name=, proxyid=, stat:, dec:, ah=, ...)
# except the list's own header and separators; the word says whose line it is.
_HEAD = re.compile(r"([\w\[\]-]+)([=:])")
_LIST_HEADER = re.compile(r"^(list (all ipsec tunnel|ipsec tunnel by names) in vd \d+|-{3,})$")
_ENDPOINTS = re.compile(r"^\S+:\d+->\S+:\d+$")
_SELECTOR_WORDS = frozenset(("src", "dst", "SA", "life", "dec", "enc", "ah", "seqno", "npu_flag"))
_COUNTERS = re.compile(r"^dec:pkts/bytes=(\d+)/(\d+), enc:pkts/bytes=(\d+)/(\d+)$")
_PAIR = re.compile(r"(?<!\S)([^\s=]+)=(\S*)")
_EXPIRE = re.compile(r" expire=(\d+)")
_TIMEOUT = re.compile(r" timeout=(\d+)/(\d+)")
_HEX = re.compile(r"^[0-9a-fA-F]+$")


def _pairs(text):
    """The key=value words of a line ('options[22a8]=npu' too); other words are flags."""
    return dict(_PAIR.findall(text))


def _tunnel_list(key, lines):
    reader = _TunnelListReader(key)
    for number, line in lines:
        reader.read(number, line)
    for tunnel in reader.tunnels:
        _settle_listed(tunnel)
    return reader.tunnels


class _TunnelListReader:
    """Blocks opened by 'name=...'; 'proxyid=...' opens a selector; the first 'SA:' block of a
    selector is its current SA. Single pass: each line goes to the open tunnel or selector."""

    def __init__(self, key):
        self.key = key
        self.tunnels, self.tunnel, self.selector = [], None, None

    def read(self, number, line):
        text = line.strip()
        head = _HEAD.match(text)
        word = head.group(1) if head else None
        # most lines belong to a selector; then tunnel-wide lines; openers are rare
        if word in _SELECTOR_WORDS and self.selector is not None:
            self.selector.read(self.key, number, line, word, text)
        elif word is None and _LIST_HEADER.match(text):
            return
        elif word == "name":
            self.tunnel, self.selector = _listed_tunnel(self.key, number, line, text), None
            self.tunnels.append(self.tunnel)
        elif self.tunnel is None:
            fail(PLATFORM, self.key, "'name=PHASE1 ver=N ...' starting a tunnel", number, line)
        elif word == "proxyid":
            self.selector = _OpenSelector(text)
            self.tunnel["children"].append(self.selector.child)
        else:
            _tunnel_line(self.key, number, line, self.tunnel, word, text[head.end():] if head else text)


def _listed_tunnel(key, number, line, text):
    fields = _pairs(text)
    addresses = next((word for word in text.split() if _ENDPOINTS.match(word)), None)
    if addresses is None or "ver" not in fields:
        fail(PLATFORM, key, "'name=NAME ver=N LOCAL:PORT->REMOTE:PORT ...'", number, line)
    tunnel = model.new_tunnel(fields["name"], "ipsec", "DOWN")
    ike = tunnel["ike"]
    ike["version"] = {"1": 1, "2": 2}.get(fields["ver"])
    (local, local_port), (remote, remote_port) = _endpoint_pair(addresses)
    # port 0 unless NAT-T moved IKE to another port; a dial-up server's peer is 0.0.0.0
    ike["local"] = model.new_endpoint(local, local_port or None)
    ike["remote"] = model.new_endpoint(None if remote == "0.0.0.0" else remote, remote_port or None)
    tunnel["configured"] = True
    return tunnel


def _tunnel_line(key, number, line, tunnel, word, rest):
    """Tunnel-wide lines, by their first word; words this version does not know are skipped
    when their line holds key=value fields."""
    reader = _TUNNEL_LINES.get(word)
    if reader is not None:
        reader(tunnel, rest)
    elif word not in _TUNNEL_LINES and "=" not in rest:
        fail(PLATFORM, key, "'key=value' fields of tunnel %s" % tunnel["name"], number, line)


def _field(name, text):
    """One key=value field of a line (the lines are long; only a few fields matter)."""
    found = _FIELDS[name].search(text)
    return found.group(1) if found else None


def _read_mode(tunnel, rest):
    """'bound_if=10 lgwy=static/1 tun=intf mode=dial_inst/3 ...'"""
    mode = (_field("mode", rest) or "").split("/")[0]
    tunnel["native_state"] = mode or None
    tunnel["configured"] = mode != DIALUP_INSTANCE


def _read_instances(tunnel, rest):
    """'proxyid_num=0 child_num=2 ...': a dial-up server counts its connected instances."""
    if tunnel["native_state"] == DIALUP_SERVER:
        tunnel["status_message"] = "dial-up server, %s connected instances" % _field("child_num", rest)


def _read_dpd(tunnel, rest):
    """'dpd: mode=on-idle on=1 idle=20000ms retry=3 ...': idle is the probe interval."""
    idle = _field("idle", rest) or ""
    tunnel["ike"]["dpd"] = None if _field("on", rest) != "1" else {
        "delay": int(idle[:-2]) // 1000 if idle.endswith("ms") and idle[:-2].isdigit() else None,
        "timeout": None, "action": None}


def _read_nat(tunnel, rest):
    """'natt: mode=keepalive ...': this side is behind NAT; silent: the peer is."""
    tunnel["ike"]["nat_t"] = {"none": "none", "keepalive": "local", "silent": "remote"}.get(_field("mode", rest))


# first word -> reader; None: a known line without anything the model holds
_TUNNEL_LINES = {
    "bound_if": _read_mode, "proxyid_num": _read_instances, "dpd": _read_dpd, "natt": _read_nat,
    "stat": None, "parent": None, "run_tally": None, "fec": None, "encap-addr": None,
}
_FIELDS = {name: re.compile(r"(?<!\S)%s=(\S*)" % name) for name in ("mode", "child_num", "idle", "on")}


class _OpenSelector:
    """The phase 2 selector being read: its child, and where in its SA blocks the reader is."""

    def __init__(self, text):
        fields = _pairs(text)
        native = "sa=%s" % fields.get("sa")
        self.child = model.new_child(fields["proxyid"], normalize(CHILD_STATES, native), native)
        self.child["configured"] = True
        self.child["mode"] = "TRANSPORT" if "transport-mode" in text.split() else "TUNNEL"
        self.sa_blocks = 0     # a rekeying selector lists a second SA: only the first is kept
        self.direction = None  # 'dec' or 'enc': the 'ah=' line after it belongs to it

    def read(self, key, number, line, word, text):
        if word in ("src", "dst"):
            side = "local_ts" if word == "src" else "remote_ts"
            self.child[side] = [_selector_text(text[4:].strip())]
        elif word == "SA":
            self.sa_blocks += 1
            if self.sa_blocks == 1:
                expire = _EXPIRE.search(text)
                self.child["rekey_seconds"] = _count(key, number, line, expire and expire.group(1))
        elif self.sa_blocks == 1:
            self._read_current_sa(key, number, line, word, text)

    def _read_current_sa(self, key, number, line, word, text):
        child = self.child
        if text.startswith("dec:pkts/bytes="):
            counters = _COUNTERS.match(text)
            if counters is None:
                fail(PLATFORM, key, "'dec:pkts/bytes=P/B, enc:pkts/bytes=P/B'", number, line)
            child["packets_in"], child["bytes_in"], child["packets_out"], child["bytes_out"] = (
                int(value) for value in counters.groups())
        elif word in ("dec", "enc"):
            self.direction = word
            self._read_keys(key, number, line, _pairs(text))
        elif word == "life":
            timeout = _TIMEOUT.search(text)
            if timeout is None:
                fail(PLATFORM, key, "'timeout=REMAINING/TOTAL' of an IPsec SA", number, line)
            child["lifetime_seconds"], total = int(timeout.group(1)), int(timeout.group(2))
            child["installed_seconds"] = max(0, total - child["lifetime_seconds"])
        elif word == "ah" and self.direction == "dec":
            integrity = text[3:].split(None, 1)[0]
            child["algorithms"]["integrity"] = None if integrity == "null" else integrity

    def _read_keys(self, key, number, line, fields):
        spi = fields.get("spi", "")
        if not _HEX.match(spi):
            fail(PLATFORM, key, "'spi=HEX' of an IPsec SA", number, line)
        inbound = self.direction == "dec"
        self.child["spi_in" if inbound else "spi_out"] = spi.lower()
        if inbound and "esp" in fields:
            self.child["protocol"] = "ESP"
            algorithms = self.child["algorithms"]
            algorithms["encryption"] = None if fields["esp"] == "null" else fields["esp"]
            algorithms["key_size"] = _key_bits(fields["esp"], _count(key, number, line, fields.get("key")))


def _key_bits(cipher, key_bytes):
    """FortiOS prints key material length in bytes; AEAD keys carry a 4-byte salt (RFC 4106)."""
    if cipher in ("null", None) or not key_bytes:
        return None
    salt = 4 if cipher in ("aes-gcm", "chacha20poly1305") else 0
    return (key_bytes - salt) * 8


_PROTOCOLS = {"1": "icmp", "6": "tcp", "17": "udp", "47": "gre"}


@functools.lru_cache(maxsize=4096)
def _selector_text(selector):
    """'0:10.0.0.0-10.0.0.255:0' or '17:10.0.0.1/255.255.255.255:1701' -> '10.0.0.0/24',
    '10.0.0.1/32[udp/1701]' (strongSwan's notation); ranges that are no prefix stay ranges."""
    proto, _colon, rest = selector.partition(":")
    addresses, _colon, port = rest.rpartition(":")
    try:
        if "-" in addresses:
            first, last = (ipaddress.ip_address(part) for part in addresses.split("-"))
            length = range_prefix_length(first, last)
            text = addresses if length is None else "%s/%d" % (first, length)
        else:
            text = str(ipaddress.ip_network(addresses, strict=False))
    except ValueError:
        text = addresses
    if proto not in ("", "0") or port not in ("", "0"):
        text += "[%s%s]" % (_PROTOCOLS.get(proto, proto), "/" + port if port not in ("", "0") else "")
    return text


def _settle_listed(tunnel):
    """What the list implies without saying it: UDP encapsulation of the selectors' SAs (NAT-T)
    and the tunnel's state."""
    for child in tunnel["children"]:
        child["encapsulation"] = None if tunnel["ike"]["nat_t"] is None else tunnel["ike"]["nat_t"] != "none"
    if tunnel["native_state"] == DIALUP_SERVER:
        tunnel["state"] = "PASSIVE"
    elif any(child["state"] == "INSTALLED" for child in tunnel["children"]):
        # the list shows phase 2 only: installed SAs mean phase 1 completed
        tunnel["state"] = "ESTABLISHED"


# --- merge ----------------------------------------------------------------------------------

def _combined(summary, gateway, listed):
    tunnel = listed or gateway or summary
    if gateway is not None and listed is not None:
        _take_phase1(listed, gateway)
    if listed is None:
        # the summary lists configured tunnels; without the tunnel list (which tells dial-up
        # instances apart) that is the best knowledge there is
        tunnel["configured"] = tunnel["configured"] or summary is not None
    if summary is not None and tunnel["ike"]["remote"]["address"] is None:
        tunnel["ike"]["remote"] = summary["ike"]["remote"]
    _note_phase2_progress(tunnel)
    tunnel["status_message"] = _status_message(tunnel, summary, gateway is not None, listed is not None)
    return tunnel


def _take_phase1(tunnel, gateway):
    """The gateway list is the authority on phase 1; the tunnel list adds DPD and NAT-T."""
    listed_ike, ike = tunnel["ike"], gateway["ike"]
    ike["dpd"] = listed_ike["dpd"]
    ike["nat_t"] = listed_ike["nat_t"] or ike["nat_t"]
    for side in ("local", "remote"):
        ike[side]["address"] = ike[side]["address"] or listed_ike[side]["address"]
    tunnel["ike"] = ike
    if tunnel["state"] != "PASSIVE":
        tunnel["state"], tunnel["native_state"] = gateway["state"], gateway["native_state"]


def _note_phase2_progress(tunnel):
    missing = [child["name"] for child in tunnel["children"] if child["state"] == "DOWN"]
    if tunnel["state"] == "ESTABLISHED" and missing:
        tunnel["ike"]["negotiation"] = model.new_negotiation(
            2, "IPsec SA not installed: %s" % ", ".join(missing))


def _status_message(tunnel, summary, has_phase1, listed):
    """'IKE SA established, 1 of 2 selectors up; rx errors 0, tx errors 5' and shorter forms."""
    if tunnel["state"] == "PASSIVE":
        return tunnel["status_message"] or "dial-up server"
    parts = []
    if has_phase1:
        native = tunnel["ike"]["native_state"]
        parts.append("IKE SA %s" % native if native else "no IKE SA")
    if listed:
        installed = sum(1 for child in tunnel["children"] if child["state"] == "INSTALLED")
        selectors = "%d of %d selectors up" % (installed, len(tunnel["children"]))
        errors = _summary_errors(summary["status_message"]) if summary is not None else ""
        parts.append(selectors + ("; " + errors if errors else ""))
    elif summary is not None:
        parts.append(summary["status_message"])
    return ", ".join(parts)


def reset_commands(target, options=None):
    """FortiOS diagnose commands for a validated reset target (reset.py), by phase1 name:
    `diagnose vpn ike gateway clear name NAME` (IKE SA and its tunnels), scope child
    `diagnose vpn tunnel down NAME` (the IPsec SAs), then `diagnose vpn tunnel up NAME`.
    all: `diagnose vpn ike gateway clear` / `diagnose vpn tunnel flush`."""
    from ansible_collections.vpnops.tunnels.plugins.module_utils.reset import unsupported

    child_scope = target["scope"] == "child"
    if target["all"]:
        return ["diagnose vpn tunnel flush" if child_scope else "diagnose vpn ike gateway clear"]
    if not target["name"]:
        raise unsupported(PLATFORM, target, "FortiOS resets a tunnel by its phase1 name")
    name = target["name"]
    first = "diagnose vpn tunnel down %s" % name if child_scope else \
        "diagnose vpn ike gateway clear name %s" % name
    return [first, "diagnose vpn tunnel up %s" % name]

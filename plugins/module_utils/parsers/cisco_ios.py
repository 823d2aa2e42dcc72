# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cisco IOS and IOS-XE: crypto sessions, IKEv2 and ISAKMP (IKEv1) SAs, IPsec SAs.

What vpn_facts gathers, and what each command adds to a tunnel:
- `show crypto session detail`: every session the router knows, configured ones that are
  down included (DOWN, DOWN-NEGOTIATING), with its interface, peer, IKE SA and IPsec flows;
- `show crypto ikev2 sa detail`: IKEv2 SAs (SPIs, algorithms, identities, NAT-T, DPD);
- `show crypto isakmp sa detail`: IKEv1 SAs with local/remote and algorithms, but no state;
- `show crypto isakmp sa`: the IKEv1 state (QM_IDLE, MM_KEY_EXCH, ...) the detail table lacks;
- `show crypto ipsec sa`: per flow the inbound/outbound SAs, SPIs, transforms and counters.

A tunnel is one crypto session peer, named by the peer address. The interface is not the
name: one mGRE (DMVPN) tunnel or crypto-map interface carries many peers, and the IKE SA
commands do not show interfaces, so only the peer ties the five views together. It appears in
status_message instead. When two sessions share a peer address (NAT'd clients behind one
address), both are named "address:port" ("[address]:port" for IPv6).
A child is one IPsec flow (local ident -> remote ident), named "LOCAL_TS === REMOTE_TS".
While an SA pair is rekeyed, the pair that is not the current outbound SA is an extra child
of the same name in state REKEYED. Counters are packets only: IOS counts no bytes per flow.
"""

from __future__ import annotations

import ipaddress
import re

from ansible_collections.vpnops.tunnels.plugins.module_utils import model
from ansible_collections.vpnops.tunnels.plugins.module_utils.parsers.common import (
    fail,
    hex_spi,
    normalize,
    numbered_lines,
    range_prefix_length,
)

PLATFORM = "cisco_ios"

# --- native states -> normalized states ----------------------------------------------------

# `Session status` of show crypto session (Cisco IOS Security Command Reference, "show crypto
# session", field descriptions): UP-ACTIVE = IKE and IPsec SAs up; UP-IDLE = IKE SA up, no
# IPsec SA; UP-NO-IKE = IPsec SAs carry traffic but the IKE SA is gone (the model's data-plane
# state UP); UP-NEGOTIATING = up while a new negotiation runs; DOWN-NEGOTIATING = configured,
# down, IKE trying; DOWN = configured, no SA and no negotiation.
SESSION_STATES = {
    "UP-ACTIVE": "ESTABLISHED",
    "UP-IDLE": "ESTABLISHED",
    "UP-NO-IKE": "UP",
    "UP-NEGOTIATING": "REKEYING",
    "DOWN-NEGOTIATING": "DOWN",
    "DOWN": "DOWN",
}
# Sessions whose status names a negotiation; kept in ike.negotiation (phase from the session's
# IKE SA: 2 when it is Active, else 1). UP-NO-IKE is phase 2: only IPsec SAs are left.
NEGOTIATING_SESSIONS = ("DOWN-NEGOTIATING", "UP-NEGOTIATING")
NO_IKE_SESSION = "UP-NO-IKE"

# `state` of show crypto isakmp sa (Cisco IOS Security Command Reference, "show crypto isakmp
# sa", table "ISAKMP SA states"): main mode (MM_*) and aggressive mode (AG_*) steps of phase 1,
# then QM_IDLE: phase 1 done, the SA idles between quick modes.
ISAKMP_STATES = {
    "MM_NO_STATE": "CONNECTING",
    "MM_SA_SETUP": "CONNECTING",
    "MM_KEY_EXCH": "CONNECTING",
    "MM_KEY_AUTH": "CONNECTING",
    "AG_NO_STATE": "CONNECTING",
    "AG_INIT_EXCH": "CONNECTING",
    "AG_AUTH": "CONNECTING",
    "QM_IDLE": "ESTABLISHED",
}
# `status` of an ISAKMP SA: ACTIVE is the state above; STDBY is the standby copy of a stateful
# failover pair; "(deleted)" after it marks an SA being torn down.
ISAKMP_STATUS = {
    "STDBY": "PASSIVE",
    "(DELETED)": "DELETING",
}

# `Status` of show crypto ikev2 sa (Cisco IOS Security Command Reference, "show crypto ikev2
# sa"): READY = established, IN-NEG = negotiating, DELETE = being deleted.
IKEV2_STATES = {
    "READY": "ESTABLISHED",
    "IN-NEG": "CONNECTING",
    "DELETE": "DELETING",
}

# `Status:` of one SA in show crypto ipsec sa, e.g. "ACTIVE(ACTIVE)": the first word is the SA's
# state, the bracket its high-availability role. STANDBY SAs are synced by stateful failover and
# carry no traffic on this router: created, not installed.
IPSEC_SA_STATES = {
    "ACTIVE": "INSTALLED",
    "STANDBY": "CREATED",
}

# --- commands --------------------------------------------------------------------------------

SESSION = "show crypto session"
IKEV2_SA = "show crypto ikev2 sa"
IKEV2_SESSION = "show crypto ikev2 session"
ISAKMP_SA = "show crypto isakmp sa"
ISAKMP_SA_DETAIL = "show crypto isakmp sa detail"
IPSEC_SA = "show crypto ipsec sa"
COMMANDS = (SESSION, IKEV2_SA, IKEV2_SESSION, ISAKMP_SA, ISAKMP_SA_DETAIL, IPSEC_SA)

# IOS keywords and the shortest abbreviation accepted for each ("sh cry ses det").
_KEYWORDS = {
    "show": 2, "crypto": 3, "session": 3, "ikev2": 3, "isakmp": 3, "ipsec": 3, "sa": 2,
    "detail": 3, "detailed": 8, "remote": 3, "local": 3, "interface": 3, "peer": 2, "fvrf": 4,
    "ivrf": 4, "vrf": 3, "map": 3, "ipv6": 4, "active": 3, "standby": 4, "username": 4,
    "group": 3, "brief": 2, "summary": 3, "count": 3, "identity": 3, "address": 3,
}
# family words -> (key, flags without argument, options taking one argument). Variants not
# listed here are refused on purpose (command_key returns None):
# - `show crypto session brief|summary`: another table, with less than the detail form;
# - `show crypto ipsec sa count`, `show crypto isakmp sa count`, `show crypto ikev2 count`:
#   SA counts per state, no tunnel;
# - `show crypto ipsec sa address|identity`: the same SAs grouped by address, or flows without
#   their SAs; `show crypto isakmp peer`: peers and identities without any state;
# - `show crypto gdoi`: GETVPN group keys (group members, not peers with tunnels);
# - `show crypto autovpn session`: Meraki AutoVPN registry and peer addresses, no SA state;
# - `show crypto map`, `show crypto sockets`, `show crypto mib ...`, `show tunnel protection
#   statistics`: configuration, socket tables and MIB or message counters;
# - `show dmvpn`, `show sdwan ipsec ...`: NHRP peers and SD-WAN TLOC sessions, other planes;
# - any `| include/begin/section ...`: an output filter drops the lines the parser relies on.
_FAMILIES = {
    ("session",): (SESSION, {"detail"},
                   {"remote", "local", "interface", "fvrf", "ivrf", "username", "group"}),
    ("ikev2", "sa"): (IKEV2_SA, {"detail"}, {"remote", "local", "fvrf", "ivrf"}),
    ("ikev2", "session"): (IKEV2_SESSION, {"detail"}, {"remote", "local"}),
    ("isakmp", "sa"): (ISAKMP_SA, {"detail", "active", "standby"}, {"vrf"}),
    ("ipsec", "sa"): (IPSEC_SA, {"detail", "ipv6", "active", "standby"},
                      {"peer", "interface", "vrf", "map"}),
}


def command_key(command):
    """The key of a state command as typed (abbreviated, any case), or None (see _FAMILIES)."""
    if not command or "|" in command:
        return None
    words = [_keyword(word) for word in command.split()]
    if words[:2] != ["show", "crypto"]:
        return None
    for family, (key, flags, options) in _FAMILIES.items():
        if tuple(words[2:2 + len(family)]) == family:
            seen = _filters(words[2 + len(family):], flags, options)
            if seen is None:
                return None
            return ISAKMP_SA_DETAIL if key == ISAKMP_SA and "detail" in seen else key
    return None


def _keyword(word):
    """The IOS keyword a typed word abbreviates; the word itself when it is an argument."""
    word = word.lower()
    found = [keyword for keyword, shortest in _KEYWORDS.items()
             if len(word) >= shortest and keyword.startswith(word)]
    if len(found) != 1:
        return word
    return "detail" if found[0] == "detailed" else found[0]


def _filters(words, flags, options):
    """The flags among a command's trailing words, or None if a word is not allowed there."""
    seen, position = set(), 0
    while position < len(words):
        word = words[position]
        if word in flags:
            seen.add(word)
        elif word in options and position + 1 < len(words):
            position += 1  # the option's argument (address, interface, vrf name)
        else:
            return None
        position += 1
    return seen


def gather_commands(options):
    """The state commands, session view first. IKEv2 needs IOS 15.1(1)T or later: set the
    option cisco_ios_ikev2 (default true) to false for older images, which reject the command."""
    commands = ["show crypto session detail"]
    if options.get("cisco_ios_ikev2", True):
        commands.append("show crypto ikev2 sa detail")
    commands += ["show crypto isakmp sa detail", "show crypto isakmp sa", "show crypto ipsec sa"]
    return commands


def parse(key, text):
    lines = _meaningful_lines(key, text)
    return _PARSERS[key](key, lines)


# --- output noise ------------------------------------------------------------------------------

_PAGER = re.compile(r"\s*--More--\s*")
# Lines that carry no state: exec-prompt timestamps ("Load for five secs", "Time source is"),
# console syslog messages, an echoed prompt, the caret under a rejected word, and the
# capability legends of the detail forms ("Code: C - IKE Configuration mode, ...").
_NOISE = re.compile(r"Load for five secs|Time source is |\*?[A-Z][a-z]{2} +\d+ [\d:.]+"
                    r"(?: [A-Z]+)?: %|\S+[#>]\s*show |\^$|(?:Codes?:\s*)?[A-Za-z]{1,4} - [A-Za-z]")


def _meaningful_lines(key, text):
    """Yield (number, stripped line) without pager remnants and noise; IOS errors raise."""
    paged = "\x08" in text or "--More--" in text
    for number, line in numbered_lines(text):
        if paged and ("\x08" in line or "--More--" in line):
            line = _PAGER.sub("", line.replace("\x08", ""))
        line = line.strip()
        if not line:
            continue
        # every noise line holds one of these: the pattern runs on few lines, not on all
        if (" - " in line or ": %" in line or "show " in line or line == "^"
                or "Load for five secs" in line or "Time source is " in line) and _NOISE.match(line):
            continue
        if line[0] == "%":
            fail(PLATFORM, key, "crypto state, but IOS answered: %s" % line, number, line)
        yield number, line


# --- shared small readers -----------------------------------------------------------------------

def _mask_prefixes():
    """'255.255.255.0' -> 24 for every contiguous IPv4 mask (others stay as printed)."""
    prefixes = {}
    for length in range(33):
        mask = (0xFFFFFFFF << (32 - length)) & 0xFFFFFFFF
        prefixes[str(ipaddress.IPv4Address(mask))] = length
    return prefixes


_PREFIX_OF_MASK = _mask_prefixes()
_PROTOCOL_NUMBERS = {"ip": "0", "ipv6": "0", "icmp": "1", "tcp": "6", "udp": "17", "gre": "47",
                     "esp": "50", "ahp": "51", "ospf": "89"}
_CLOCK = re.compile(r"^(\d+):(\d\d):(\d\d)$")


def _selector(address, mask, protocol="0", port="0"):
    """A traffic selector as 'ADDRESS/PREFIX[PROTO/PORT]' (protocol and port only when set)."""
    prefix = _PREFIX_OF_MASK.get(mask, mask)  # a dotted mask, or already a prefix length
    text = "%s/%s" % (address, prefix)
    protocol = _PROTOCOL_NUMBERS.get(protocol, protocol)
    if port not in ("0", None):
        return "%s[%s/%s]" % (text, protocol, port)
    return text if protocol == "0" else "%s[%s]" % (text, protocol)


def _child_name(local_ts, remote_ts):
    return "%s === %s" % (",".join(local_ts), ",".join(remote_ts))


def _clock_seconds(key, text, number, line):
    """'09:03:41' or '0' as seconds."""
    clock = _CLOCK.match(text)
    if clock:
        hours, minutes, seconds = (int(part) for part in clock.groups())
        return hours * 3600 + minutes * 60 + seconds
    if text.isdigit():
        return int(text)
    fail(PLATFORM, key, "a lifetime as HH:MM:SS", number, line)


def _match(key, pattern, text, expected, number):
    """pattern.match(text), or a parse error naming what was expected at that line."""
    found = pattern.match(text)
    if found is None:
        fail(PLATFORM, key, expected, number, text)
    return found


def _expected(key, expected, number, text):
    """`PATTERN.match(text) or _expected(...)`: _match without a call on the common path."""
    fail(PLATFORM, key, expected, number, text)


def _is_configured_interface(interface):
    """Sessions on a Virtual-Access are cloned for a dynamic peer; Tunnel and crypto-map
    interfaces exist because the configuration names them."""
    return bool(interface) and not interface.lower().startswith("virtual-access")


def _ipsec_tunnel(address, port, state="UNDEFINED", native=None):
    """A tunnel named by its peer, which is the IKE remote end."""
    tunnel = model.new_tunnel(address, "ipsec", state, native)
    tunnel["ike"]["remote"].update(address=address, port=port)
    return tunnel


def _dh_group(number):
    return "group%s" % number if number else None


# --- show crypto session [detail] ----------------------------------------------------------------

_PEER = re.compile(r"^Peer: (?P<address>\S+) port (?P<port>\d+)")
_IKE_SA = re.compile(r"^(?P<version>IKE(?:v[12])?) SA: local (?P<local>\S+)/(?P<lport>\d+)"
                     r"(?:\s+(?P<rest>remote .*))?$")
_IKE_SA_REMOTE = re.compile(r"^remote (?P<remote>\S+)/(?P<rport>\d+)\s+(?P<status>\w+)$")
_CAPABILITIES = re.compile(r"^Capabilities:(?P<caps>\S+) connid:(?P<connid>\d+)"
                           r" lifetime:(?P<lifetime>\S+)")
_ACTIVE_SAS = re.compile(r"^Active SAs: (?P<count>\d+), origin: (?P<origin>.+)$")
_FLOW_COUNTERS = re.compile(r"^(?P<direction>Inbound|Outbound):\s+#pkts (?:dec|enc)'ed"
                            r" (?P<packets>\d+) drop \d+ life \(KB/Sec\) .*/(?P<seconds>\d+)$")
_SESSION_FIELDS = frozenset(("Profile", "Uptime", "Session status", "Username", "Group",
                             "Assigned address"))  # kept as printed
_IKE_VERSIONS = {"IKEv1": 1, "IKEv2": 2, "IKE": None}  # plain "IKE" predates the version label


def _read_all(reader, lines):
    """Hand every line to a line reader (one class per command); its tunnels at the end."""
    for number, line in lines:
        reader.read(number, line)
    return reader.finish()


def _sessions(key, lines):
    return _read_all(_SessionReader(key), lines)


class _SessionReader:
    """Reads `Interface:` blocks: one session each, with its IKE SA lines and IPsec flows.
    Lines are dispatched on their field name; fields not listed in _SESSION_LINES (Desc,
    Session ID, System IP, ...) are skipped: IOS-XE adds fields between releases."""

    def __init__(self, key):
        self.key = key
        self.tunnels = []
        self.session = None
        self.selectors = {}  # ACL text -> its selectors: many sessions share one ACL

    def read(self, number, text):
        field, _colon, value = text.partition(": ")
        handler = _SESSION_LINES.get(field)
        if handler is not None and (self.session is not None or handler is _SessionReader.start):
            handler(self, number, text, value)
        elif self.session is None:
            if text != "Crypto session current status":
                fail(PLATFORM, self.key, "'Interface: NAME' starting a crypto session", number,
                     text)
        elif text.startswith("Capabilities:") and self.session["ike"]:
            self.read_capabilities(number, text)
        elif text.startswith("remote ") and self.session["ike"] and (
                "status" not in self.session["ike"][-1]):
            self.read_ike_remote(number, text)  # IPv6 addresses push the remote end down a line

    def start(self, number, text, value):
        self.end_session()
        self.session = {"Interface": value, "ike": [], "flows": [], "where": (number, text)}

    def keep(self, _number, text, value):
        self.session[text.partition(": ")[0]] = value

    def read_peer(self, number, text, _value):
        self.session["peer"] = _PEER.match(text) or _expected(self.key, "'Peer: ADDRESS port N'", number, text)

    def read_phase1_id(self, _number, _text, value):
        self.session["phase1_id"] = None if value == "(none)" else value

    def read_ike_sa(self, number, text, _value):
        ike = _IKE_SA.match(text) or _expected(self.key, "'IKEvN SA: local A/P remote B/P STATUS'", number, text)
        self.session["ike"].append(dict(ike.groupdict(), where=(number, text)))
        if ike.group("rest"):
            self.read_ike_remote(number, ike.group("rest"))

    def read_ike_remote(self, number, text):
        remote = _IKE_SA_REMOTE.match(text) or _expected(self.key, "'remote ADDRESS/PORT Active|Inactive'", number, text)
        self.session["ike"][-1].update(remote.groupdict())

    def read_capabilities(self, number, text):
        found = _CAPABILITIES.match(text) or _expected(self.key, "'Capabilities:C connid:N lifetime:T'", number, text)
        self.session["ike"][-1].update(
            caps=found.group("caps"), connid=found.group("connid"),
            lifetime=_clock_seconds(self.key, found.group("lifetime"), number, text))

    def read_flow(self, number, text, value):
        self.session["flows"].append({"acl": value, "where": (number, text)})

    def read_active_sas(self, number, text, _value):
        if self.session["flows"]:
            active = _ACTIVE_SAS.match(text) or _expected(self.key, "'Active SAs: N, origin: X'", number, text)
            self.session["flows"][-1]["active"] = int(active.group("count"))

    def read_flow_counters(self, number, text, _value):
        if self.session["flows"]:
            counters = _FLOW_COUNTERS.match(text) or _expected(
                self.key, "'Inbound: #pkts dec'ed N drop N life (KB/Sec) KB/SECONDS'", number, text)
            self.session["flows"][-1][counters.group("direction")] = counters

    def end_session(self):
        if self.session is not None:
            self.tunnels.append(_session_tunnel(self.key, self.session, self.selectors))
        self.session = None

    def finish(self):
        self.end_session()
        return self.tunnels


_SESSION_LINES = {
    "Interface": _SessionReader.start,
    **{field: _SessionReader.keep for field in _SESSION_FIELDS},
    "Peer": _SessionReader.read_peer,
    "Phase1_id": _SessionReader.read_phase1_id,
    "IKEv1 SA": _SessionReader.read_ike_sa,
    "IKEv2 SA": _SessionReader.read_ike_sa,
    "IKE SA": _SessionReader.read_ike_sa,
    "IPSEC FLOW": _SessionReader.read_flow,
    "Active SAs": _SessionReader.read_active_sas,
    "Inbound": _SessionReader.read_flow_counters,
    "Outbound": _SessionReader.read_flow_counters,
}


def _session_tunnel(key, session, selectors):
    number, line = session["where"]
    if "Session status" not in session or "peer" not in session:
        fail(PLATFORM, key, "a complete session ('Session status:' and 'Peer:' lines; truncated?)",
             number, line)
    native = session["Session status"]
    peer = session["peer"]
    tunnel = _ipsec_tunnel(peer.group("address"), int(peer.group("port")),
                           normalize(SESSION_STATES, native), native)
    configured = _is_configured_interface(session["Interface"])
    tunnel["configured"] = configured
    ike = tunnel["ike"]
    ike["remote"]["id"] = session.get("phase1_id")
    if session.get("Assigned address"):
        ike["virtual_ips"]["remote"] = [session["Assigned address"]]
    active = _session_ike_sa(key, ike, session["ike"])
    ike["negotiation"] = _session_negotiation(native, active)
    for flow in session["flows"]:
        tunnel["children"].append(_flow_child(key, flow, configured, selectors))
    tunnel["status_message"] = _session_message(session, tunnel["children"])
    return tunnel


def _session_ike_sa(key, ike, lines):
    """Fill ike from the session's IKE SA lines (the Active one first); True if one is Active.
    An Inactive line names version and endpoints only: its connid and lifetime are 0."""
    if not lines:
        return False
    chosen = next((sa for sa in lines if sa.get("status") == "Active"), lines[0])
    if chosen.get("status") is None:
        number, line = chosen["where"]
        fail(PLATFORM, key, "'remote ADDRESS/PORT STATUS' after the IKE SA's local end", number,
             line)
    ike["version"] = _IKE_VERSIONS[chosen["version"]]
    ike["local"]["address"], ike["local"]["port"] = chosen["local"], int(chosen["lport"])
    if chosen["status"] != "Active" or "connid" not in chosen:
        return chosen["status"] == "Active"
    ike["sa_id"] = chosen["connid"] if chosen["connid"] != "0" else None
    ike["rekey_seconds"] = chosen["lifetime"]
    ike["nat_t"] = None if "N" in chosen["caps"] else "none"  # N: NAT-T in use, side not shown
    return True


def _session_negotiation(native, ike_active):
    if native in NEGOTIATING_SESSIONS:
        return model.new_negotiation(2 if ike_active else 1, native)
    if native == NO_IKE_SESSION:
        return model.new_negotiation(2, native)
    return None


_FLOW_ACL = re.compile(r"^permit (?P<protocol>\S+) (?P<rest>.+)$")


def _flow_child(key, flow, configured, selectors):
    number, line = flow["where"]
    if "active" not in flow:
        fail(PLATFORM, key, "'Active SAs: N' after an IPSEC FLOW (truncated?)", number, line)
    if flow["acl"] not in selectors:
        selectors[flow["acl"]] = _acl_selectors(key, flow["acl"], number, line)
    local_ts, remote_ts = (list(ends) for ends in selectors[flow["acl"]])
    installed = flow["active"] > 0
    child = model.new_child(_child_name(local_ts, remote_ts), "INSTALLED" if installed else "DOWN")
    child.update(configured=configured, local_ts=local_ts, remote_ts=remote_ts)
    if installed and "Inbound" in flow:
        child["packets_in"] = int(flow["Inbound"].group("packets"))
        child["lifetime_seconds"] = int(flow["Inbound"].group("seconds"))
    if installed and "Outbound" in flow:
        child["packets_out"] = int(flow["Outbound"].group("packets"))
    return child


def _acl_selectors(key, acl, number, line):
    """'permit 47 host 11.0.2.2 host 11.0.2.1' -> (['11.0.2.2/32[47]'], ['11.0.2.1/32[47]'])."""
    found = _FLOW_ACL.match(acl)
    words = found.group("rest").split() if found else []
    ends = []
    while words and len(ends) < 2:
        if words[0] == "host" and len(words) > 1:
            address, mask, words = words[1], "128" if ":" in words[1] else "32", words[2:]
        elif "/" in words[0]:
            (address, mask), words = words[0].rsplit("/", 1), words[1:]
        else:
            break
        port = "0"
        if words[:1] == ["port"] and len(words) > 1:
            port, words = words[1], words[2:]
        ends.append(_selector(address, mask, found.group("protocol"), port))
    if len(ends) != 2 or words:
        fail(PLATFORM, key, "an IPSEC FLOW 'permit PROTOCOL SOURCE DESTINATION'", number, line)
    return [ends[0]], [ends[1]]


def _session_message(session, children):
    with_sas = sum(1 for child in children if child["state"] == "INSTALLED")
    message = "%s: %s" % (session["Interface"], session["Session status"])
    if session.get("Uptime"):
        message += ", up %s" % session["Uptime"]
    return message + "; %d of %d IPsec flows with SAs" % (with_sas, len(children))


# --- show crypto ikev2 sa [detail] and show crypto ikev2 session -----------------------------------

_IKEV2_HEADER = re.compile(r"^IPv[46] Crypto IKEv2\s+(?:SA|Session)$|^Tunnel-id\s+(?:Local\s+"
                           r"Remote\s+)?fvrf/ivrf\s+Status$")
_IKEV2_ROW = re.compile(r"^(?P<id>\d+)\s+(?:(?P<local>\S+)/(?P<lport>\d+)\s+(?P<remote>\S+)/"
                        r"(?P<rport>\d+)\s+)?[^\s/]+/\S+\s+(?P<status>[A-Z][A-Z-]*)$")  # ... FVRF/IVRF STATUS
_IKEV2_ENDPOINT = re.compile(r"^(?P<side>Local|Remote)\s+(?P<address>\S+)/(?P<port>\d+)$")
_IKEV2_ENCR = re.compile(r"^Encr: (?P<encr>[^,]+), keysize: (?P<keysize>\d+), PRF: (?P<prf>[^,]+),"
                         r" Hash: (?P<hash>[^,]+), DH Grp:(?P<dh>\d+)")
_IKEV2_TIMES = re.compile(r"^Life/Active Time: (?P<life>\d+)/(?P<active>\d+) sec")
_IKEV2_SPIS = re.compile(r"^Local spi: (?P<local>[0-9A-Fa-f]+)\s+Remote spi: (?P<remote>[0-9A-Fa-f]+)")
_IKEV2_DPD = re.compile(r"^DPD configured for (?P<delay>\d+) seconds")
_IKEV2_NAT = re.compile(r"^NAT-T is (?P<not>not )?detected\s*(?P<side>inside|outside)?")
_IKEV2_SESSION = re.compile(r"^Session-id:\d+, Status:(?P<status>[A-Z-]+),")
_NAT_SIDES = {"inside": "local", "outside": "remote"}  # inside: this router is behind the NAT
_IKEV2_LINES = {"Encr:": _IKEV2_ENCR, "Life/Active": _IKEV2_TIMES, "DPD": _IKEV2_DPD,
                "NAT-T": _IKEV2_NAT}  # first word of a detail line -> its pattern
_IKEV2_VALUES = {  # simple "Field: value" lines of the detail form -> where the value goes
    "Status Description": "description",
    "Local id": "local_id",
    "Remote id": "remote_id",
    "Initiator of SA ": "initiator",
    "Pushed IP address": "pushed",      # the address a FlexVPN server gave this client
    "Assigned host addr": "assigned",   # the address this server gave the peer
}


def _ikev2_sas(key, lines):
    """IKEv2 SA blocks; `show crypto ikev2 session` adds a session status and child SAs."""
    return _read_all(_Ikev2Reader(key), lines)


class _Ikev2Reader:
    """Reads IKEv2 SA blocks line by line; a block ends where the next row or session starts."""

    def __init__(self, key):
        self.key = key
        self.tunnels = []
        self.block = None         # facts of the IKE SA being read
        self.session = None       # the `Session-id:` status that holds the following SAs
        self.child = None         # the `Child sa:` being read (ikev2 session)

    def read(self, number, text):
        row = _IKEV2_ROW.match(text) if text[0].isdigit() else None
        session = _IKEV2_SESSION.match(text) if text.startswith("Session-id:") else None
        if row or session:
            self.end_block()
            self.session = session.group("status") if session else self.session
            self.block = {"row": row, "where": (number, text)} if row else None
        elif text.startswith(("IPv", "Tunnel-id")) and _IKEV2_HEADER.match(text):
            return
        elif self.block is None:
            fail(PLATFORM, self.key, "an IKEv2 SA row 'TUNNEL-ID LOCAL REMOTE FVRF/IVRF STATUS'",
                 number, text)
        elif text.startswith("Child sa:") or self.child is not None:
            self.read_child(text)
        else:
            self.read_detail(text)

    def read_detail(self, text):
        """One line of an SA block, by its first word; lines not used here are skipped."""
        first, _space, rest = text.partition(" ")
        if first in ("Local", "Remote"):
            if rest.startswith("spi:"):
                self.block["spis"] = _IKEV2_SPIS.match(text)
                return
            endpoint = _IKEV2_ENDPOINT.match(text)
            if endpoint:  # the ends of an IPv6 SA, below its row
                self.block[first] = endpoint
                return
        pattern = _IKEV2_LINES.get(first)
        if pattern is not None:
            self.block[first] = pattern.match(text)
            return
        field, _colon, value = text.partition(":")
        if field in _IKEV2_VALUES:
            self.block[_IKEV2_VALUES[field]] = value.strip() or None

    def read_child(self, text):
        if text.startswith("Child sa:"):
            self.child = _new_ikev2_child()
            self.block.setdefault("children", []).append(self.child)
            text = text[len("Child sa:"):].strip()
        _ikev2_child_line(self.child, text)

    def end_block(self):
        self.child = None
        if self.block is not None:
            self.tunnels.append(_ikev2_tunnel(self.key, self.block, self.session))
        self.block = None

    def finish(self):
        self.end_block()
        return self.tunnels


def _ikev2_tunnel(key, block, session_status):
    number, line = block["where"]
    endpoints = _ikev2_endpoints(block)
    if endpoints is None or block.get("Encr:") is None:
        fail(PLATFORM, key, "a complete IKEv2 SA (endpoints and 'Encr:' line; truncated?)",
             number, line)
    (local, local_port), (remote, remote_port) = endpoints
    native = block["row"].group("status")
    tunnel = _ipsec_tunnel(remote, remote_port, normalize(IKEV2_STATES, native), native)
    if session_status:
        tunnel["state"] = normalize(SESSION_STATES, session_status)
        tunnel["native_state"] = session_status
    ike = tunnel["ike"]
    ike.update(version=2, sa_id=block["row"].group("id"), native_state=native)
    ike["local"] = model.new_endpoint(local, local_port)
    _ikev2_details(ike, block)
    if native == "IN-NEG":
        step = block.get("description")
        ike["negotiation"] = model.new_negotiation(
            1, step if step and step != "Negotiation done" else native)
    tunnel["children"] = [_ikev2_child(child) for child in block.get("children", [])]
    tunnel["status_message"] = "IKEv2 SA %s%s" % (
        native, "; session %s" % session_status if session_status else "")
    return tunnel


def _ikev2_endpoints(block):
    """((local, port), (remote, port)) from the IPv4 row, or from the Local/Remote lines that
    follow an IPv6 row; None when they are missing."""
    row = block["row"]
    if row.group("local"):
        return ((row.group("local"), int(row.group("lport"))),
                (row.group("remote"), int(row.group("rport"))))
    if "Local" not in block or "Remote" not in block:
        return None
    return tuple((block[side].group("address"), int(block[side].group("port")))
                 for side in ("Local", "Remote"))


def _ikev2_details(ike, block):
    encr = block["Encr:"]
    hash_name = encr.group("hash").strip()
    ike["algorithms"] = model.new_algorithms(
        encryption=encr.group("encr").strip(), key_size=int(encr.group("keysize")),
        integrity=None if hash_name == "None" else hash_name, prf=encr.group("prf").strip(),
        dh_group=_dh_group(encr.group("dh")))
    times = block.get("Life/Active")
    if times:
        ike["rekey_interval_seconds"] = int(times.group("life"))
        ike["established_seconds"] = int(times.group("active"))
    ike["local"]["id"] = block.get("local_id")
    ike["remote"]["id"] = block.get("remote_id")
    initiator = block.get("initiator")
    ike["initiator"] = None if initiator is None else initiator == "Yes"
    spis = block.get("spis")
    if spis and initiator is not None:
        ours, theirs = spis.group("local").lower(), spis.group("remote").lower()
        ike["initiator_spi"], ike["responder_spi"] = (
            (ours, theirs) if ike["initiator"] else (theirs, ours))
    dpd, nat = block.get("DPD"), block.get("NAT-T")
    if dpd and dpd.group("delay") != "0":
        ike["dpd"] = {"delay": int(dpd.group("delay")), "timeout": None, "action": None}
    if nat:
        ike["nat_t"] = "none" if nat.group("not") else _NAT_SIDES.get(nat.group("side"))
    if block.get("pushed"):
        ike["virtual_ips"]["local"] = [block["pushed"]]
    if block.get("assigned"):
        ike["virtual_ips"]["remote"] = [block["assigned"]]


_SELECTOR_PAIR = re.compile(r"^(?P<l1>\S+) - (?P<l2>\S+)\s+->\s+(?P<r1>\S+) - (?P<r2>\S+)$")
_SELECTOR_SIDE = re.compile(r"^(?P<side>local|remote) selector\s+(?P<a>\S+) - (?P<b>\S+)$")
_CHILD_SPIS = re.compile(r"^ESP spi in/out: 0x(?P<spi_in>[0-9A-Fa-f]+)/0x(?P<spi_out>[0-9A-Fa-f]+)")
_CHILD_ENCR = re.compile(r"^Encr: (?P<encr>[^,]+), keysize: (?P<keysize>\d+), esp_hmac: (?P<hmac>\S+)")
_CHILD_MODE = re.compile(r".*\bmode (?P<mode>\w+)$")


def _new_ikev2_child():
    return {"local": [], "remote": [], "spis": None, "encr": None, "mode": None}


def _ikev2_child_line(child, text):
    """One line of a `Child sa:` block, in either layout IOS-XE prints: pairs
    'L1 - L2 -> R1 - R2', or 'local selector L1 - L2' and 'remote selector R1 - R2'."""
    pair, side = _SELECTOR_PAIR.match(text), _SELECTOR_SIDE.match(text)
    if pair:
        child["local"].append(_range_selector(pair.group("l1"), pair.group("l2")))
        child["remote"].append(_range_selector(pair.group("r1"), pair.group("r2")))
    elif side:
        child[side.group("side")].append(_range_selector(side.group("a"), side.group("b")))
    else:
        for name, pattern in (("spis", _CHILD_SPIS), ("encr", _CHILD_ENCR), ("mode", _CHILD_MODE)):
            found = pattern.match(text)
            if found:
                child[name] = found


def _range_selector(start, end):
    """'89.89.89.0/0 - 89.89.89.255/65535' (address/port ends) -> '89.89.89.0/24'; a range that
    is no single network stays 'START..END'; ports other than 0-65535 are kept."""
    first, first_port = start.rsplit("/", 1)
    last, last_port = end.rsplit("/", 1)
    try:
        length = range_prefix_length(ipaddress.ip_address(first), ipaddress.ip_address(last))
    except ValueError:  # an address IOS-XE printed oddly
        length = None
    text = "%s..%s" % (first, last) if length is None else "%s/%d" % (first, length)
    if (first_port, last_port) == ("0", "65535"):
        return text
    ports = first_port if first_port == last_port else "%s-%s" % (first_port, last_port)
    return "%s[0/%s]" % (text, ports)


def _ikev2_child(found):
    child = model.new_child(_child_name(found["local"], found["remote"]), "INSTALLED")
    child.update(protocol="ESP", local_ts=found["local"], remote_ts=found["remote"])
    if found["spis"]:
        child["spi_in"] = hex_spi(found["spis"].group("spi_in"))
        child["spi_out"] = hex_spi(found["spis"].group("spi_out"))
    if found["encr"]:
        child["algorithms"] = model.new_algorithms(
            encryption=found["encr"].group("encr"), key_size=int(found["encr"].group("keysize")),
            integrity=found["encr"].group("hmac"))
    if found["mode"]:
        child["mode"] = found["mode"].group("mode").upper()
    return child


# --- show crypto isakmp sa ------------------------------------------------------------------------

_ISAKMP_HEADER = re.compile(r"^IPv[46] Crypto ISAKMP SA$|^dst\s+src\s+state\s+conn-id|"
                            r"^C-id\s+Local\s+Remote")
_ISAKMP_ROW = re.compile(r"^(?P<dst>[0-9A-Fa-f:.]+)\s+(?P<src>[0-9A-Fa-f:.]+)\s+"
                         r"(?P<state>[A-Z][A-Z_]+)\s+(?P<connid>\d+)(?:\s+\d+)?"
                         r"(?:\s+(?P<status>[A-Z]+)(?:\s+(?P<flag>\(\w+\)))?)?$")


def _isakmp_sas(key, lines):
    rows = []
    for number, text in lines:
        if _ISAKMP_HEADER.match(text):
            continue
        rows.append(_match(key, _ISAKMP_ROW, text, "an ISAKMP SA row 'DST SRC STATE CONN-ID"
                           " [SLOT] STATUS'", number))
    ours = _isakmp_own_addresses(rows)
    return [_isakmp_tunnel(row, ours) for row in rows]


def _isakmp_own_addresses(rows):
    """This router's address per address family, where the table shows it. IOS prints the
    initiator as src, so neither column is always local; the router's address is the one on
    every row of its family (a hub that answers or calls every peer). With one row, or no
    single common address, src is taken (this router initiated); merge() matches such rows by
    conn-id or by either address, so the other commands correct a wrong guess."""
    common = {}
    for row in rows:
        pair = {row.group("dst"), row.group("src")}
        family = ":" in row.group("dst")
        common[family] = pair & common.get(family, pair)
    return {next(iter(found)) for found in common.values() if len(found) == 1}


def _isakmp_tunnel(row, ours):
    dst, src = row.group("dst"), row.group("src")
    here, peer = (dst, src) if dst in ours else (src, dst)
    native = row.group("state")
    status = (row.group("flag") or row.group("status") or "").upper()
    state = ISAKMP_STATUS.get(status) or normalize(ISAKMP_STATES, native)
    tunnel = _ipsec_tunnel(peer, None, state, native)
    ike = tunnel["ike"]
    ike.update(version=1, sa_id=row.group("connid"), native_state=native)
    ike["local"]["address"] = here
    if normalize(ISAKMP_STATES, native) == "CONNECTING":
        ike["negotiation"] = model.new_negotiation(1, native)
    shown_status = " ".join(part for part in (row.group("status"), row.group("flag")) if part)
    tunnel["status_message"] = "ISAKMP SA %s %s" % (native, shown_status)
    return tunnel


def _isakmp_detail(key, lines):
    """The detail table has local and remote but no state: its tunnels stay UNDEFINED until
    merged with `show crypto isakmp sa`, which vpn_facts gathers too."""
    tunnels = []
    for number, text in lines:
        if _ISAKMP_HEADER.match(text) or text.startswith("Engine-id:Conn-id"):
            continue
        tunnels.append(_isakmp_detail_tunnel(key, text.split(), number, text))
    return tunnels


def _isakmp_detail_tunnel(key, words, number, line):
    """'C-ID LOCAL REMOTE [I-VRF] STATUS ENCR HASH AUTH DH LIFETIME [CAP]' (I-VRF and CAP may be
    empty, so columns are found from the lifetime, the only HH:MM:SS word)."""
    life = next((index for index, word in enumerate(words) if _CLOCK.match(word)), None)
    if life is None or life not in (8, 9) or not words[0].isdigit() or len(words) > life + 2:
        fail(PLATFORM, key, "an ISAKMP SA detail row 'C-ID LOCAL REMOTE [I-VRF] STATUS ENCR HASH"
             " AUTH DH LIFETIME [CAP]'", number, line)
    status, encryption, integrity, _auth, group = words[life - 5:life]
    tunnel = _ipsec_tunnel(words[2], None)
    tunnel["status_message"] = "ISAKMP SA %s" % status
    ike = tunnel["ike"]
    ike.update(version=1, sa_id=words[0], rekey_seconds=_clock_seconds(key, words[life], number, line))
    ike["local"]["address"] = words[1]
    ike["algorithms"] = model.new_algorithms(encryption=encryption, integrity=integrity,
                                             dh_group=_dh_group(group))
    if status in ISAKMP_STATUS:
        tunnel["state"] = ISAKMP_STATUS[status]
    return tunnel


# --- show crypto ipsec sa ------------------------------------------------------------------------

_IPSEC_PEER = re.compile(r"^current_peer (?P<address>\S+) port (?P<port>\d+)")
_IDENT = re.compile(r"^(?P<side>local|remote)\s+ident \(addr/mask/prot/port\): \((?P<ident>[^)]*)\)")
_ENCAPS = re.compile(r"#pkts (?P<direction>encaps|decaps): (?P<packets>\d+)")
_ENDPOINT = re.compile(r"(?P<side>local|remote) crypto endpt\.: (?P<address>[^,\s]+)")
_CURRENT_SPI = re.compile(r"^current outbound spi: (?P<spi>0x[0-9A-Fa-f]+)")
_PFS_GROUP = re.compile(r"DH group: (?P<group>\w+)")
_SA_LIST = re.compile(r"^(?P<direction>inbound|outbound) (?P<protocol>esp|ah|pcp) sas:$")
_SA_SPI = re.compile(r"^spi: (?P<spi>0x[0-9A-Fa-f]+)")  # or "spi: [Not Available]"
_SA_SETTINGS = re.compile(r"^in use settings =\{(?P<settings>[^}]*)\}")
_SA_CONN = re.compile(r"^conn id: (?P<id>\d+)")
_SA_LIFETIME = re.compile(r"remaining key lifetime (?:\(k/sec\): \(\d+/(?P<ksec>\d+)\)|"
                          r"\(sec\): (?P<sec>\d+)|(?P<hours>\d+) hours?, (?P<mins>\d+) mins?)")
_FLOW_END = "outbound pcp sas:"  # the last list of every flow: a flow without it is cut short


def _ipsec_sas(key, lines):
    return _read_all(_IpsecReader(key), lines)


class _IpsecReader:
    """Reads `interface:` blocks of flows; each flow lists its SAs per direction and protocol."""

    def __init__(self, key):
        self.key = key
        self.tunnels = {}          # (peer address, port) -> tunnel, in order of appearance
        self.interface = None
        self.local_address = None
        self.flow = None
        self.sa = None

    def read(self, number, text):
        if self.flow is not None and not self.flow["closed"] and not text.startswith("local "):
            self.read_flow_line(number, text)
        elif text.startswith("interface: "):
            self.interface = text.split(": ", 1)[1]
        elif self.interface is None:
            fail(PLATFORM, self.key, "'interface: NAME' starting an IPsec SA block", number, text)
        elif _IDENT.match(text):
            self.start_flow(number, text)
        elif self.flow is None or self.flow["closed"]:
            self.read_interface_line(text)
        else:
            self.read_flow_line(number, text)

    def read_interface_line(self, text):
        """Lines between flows: the crypto map tag names the local address; the rest (protected
        vrf, IPsecv6 policy name) does not describe a tunnel."""
        if text.startswith("Crypto map tag:") and "local addr " in text:
            self.local_address = text.rsplit("local addr ", 1)[1].strip()

    def start_flow(self, number, text):
        if self.flow is not None and not self.flow["closed"]:
            fail(PLATFORM, self.key, "'%s' closing the previous flow (truncated?)" % _FLOW_END,
                 number, text)
        self.flow = {"interface": self.interface, "where": (number, text), "current": None,
                     "lists": {}, "local_address": self.local_address, "closed": False}
        self.sa = None
        self.read_flow_line(number, text)

    def read_flow_line(self, number, text):
        """One line of a flow, by its first word; counters and fields not used are skipped."""
        flow = self.flow
        first = text.split(None, 1)[0]
        if first in ("inbound", "outbound") and text.endswith(" sas:"):
            self.read_sa_list(number, text)
        elif first == "spi:" and "list" in flow:
            spi = _SA_SPI.match(text)
            self.sa = {"spi": spi.group("spi") if spi else None}
            flow["list"].append(self.sa)
        elif self.sa is not None:
            _ipsec_sa_line(self.sa, first, text)
        elif first in _FLOW_LINE_READERS:
            _FLOW_LINE_READERS[first](flow, text)

    def read_sa_list(self, number, text):
        """'inbound esp sas:' opens a list of SAs; 'outbound pcp sas:' closes the flow."""
        sa_list = _match(self.key, _SA_LIST, text, "'inbound|outbound esp|ah|pcp sas:'", number)
        self.sa = None
        self.flow["list"] = self.flow["lists"].setdefault(
            (sa_list.group("direction"), sa_list.group("protocol")), [])
        if text == _FLOW_END:
            self.flow["closed"] = True
            self.end_flow()

    def end_flow(self):
        flow = self.flow
        number, line = flow["where"]
        if "peer" not in flow or "local" not in flow or "remote" not in flow:
            fail(PLATFORM, self.key, "a flow with local/remote ident and current_peer", number, line)
        peer = flow["peer"]
        peer_key = (peer.group("address").lower(), peer.group("port"))
        tunnel = self.tunnels.get(peer_key)
        if tunnel is None:
            tunnel = self.tunnels[peer_key] = _ipsec_tunnel(peer.group("address"),
                                                            int(peer.group("port")))
            tunnel["ike"]["local"]["address"] = flow.get("local_endpoint") or flow["local_address"]
            tunnel["configured"] = _is_configured_interface(flow["interface"])
            tunnel["status_message"] = flow["interface"]
        tunnel["children"].extend(_flow_children(flow, tunnel["configured"]))

    def finish(self):
        if self.flow is not None and not self.flow["closed"]:
            number, line = self.flow["where"]
            fail(PLATFORM, self.key, "'%s' closing the last flow (truncated?)" % _FLOW_END,
                 number, line)
        tunnels = list(self.tunnels.values())
        for tunnel in tunnels:
            with_sas = sum(1 for child in tunnel["children"] if child["state"] == "INSTALLED")
            tunnel["status_message"] += ": %d of %d IPsec SA pairs installed" % (
                with_sas, len(tunnel["children"]))
        return tunnels


def _flow_ident_or_endpoint(flow, text):
    ident = _IDENT.match(text)
    if ident:
        address, mask, protocol, port = ident.group("ident").rsplit("/", 3)
        flow[ident.group("side")] = _selector(address, mask, protocol, port)
    for endpoint in _ENDPOINT.finditer(text):
        flow["%s_endpoint" % endpoint.group("side")] = endpoint.group("address")


def _flow_peer(flow, text):
    flow["peer"] = _IPSEC_PEER.match(text)


def _flow_counters(flow, text):
    for counter in _ENCAPS.finditer(text):
        flow[counter.group("direction")] = int(counter.group("packets"))


def _flow_current_spi(flow, text):
    spi = _CURRENT_SPI.match(text)
    if spi:
        flow["current"] = spi.group("spi").lower()


def _flow_pfs(flow, text):
    group = _PFS_GROUP.search(text)
    if group:
        flow["pfs"] = None if group.group("group") == "none" else group.group("group")


_FLOW_LINE_READERS = {
    "local": _flow_ident_or_endpoint,
    "remote": _flow_ident_or_endpoint,
    "current_peer": _flow_peer,
    "#pkts": _flow_counters,
    "current": _flow_current_spi,
    "PFS": _flow_pfs,
}


def _ipsec_sa_line(sa, first, text):
    """A line of one SA, by its first word; others (IV size, replay) are skipped."""
    if first == "transform:":
        sa["transform"] = text[len("transform:"):].split(",")[0].split()
    elif first == "in":
        settings = _SA_SETTINGS.match(text)  # "in use settings ={Tunnel UDP-Encaps, esn}"
        sa["settings"] = settings.group("settings").replace(",", " ").split() if settings else []
    elif first == "conn":
        conn = _SA_CONN.match(text)
        sa["conn"] = conn.group("id") if conn else None
    elif first == "Status:":
        sa["status"] = text[len("Status:"):].strip() or None
    elif first == "sa":
        lifetime = _SA_LIFETIME.search(text)
        sa["lifetime"] = _lifetime_seconds(lifetime) if lifetime else None


def _lifetime_seconds(found):
    if found.group("ksec"):
        return int(found.group("ksec"))
    if found.group("sec"):
        return int(found.group("sec"))
    return int(found.group("hours")) * 3600 + int(found.group("mins")) * 60


def _flow_children(flow, configured):
    """The flow's SA pairs: the pair of the current outbound SA first, others REKEYED. IOS lists
    a flow's inbound and outbound SAs pairwise, in the order they were created."""
    lists = flow["lists"]
    protocol = "esp" if lists.get(("inbound", "esp")) or lists.get(("outbound", "esp")) else "ah"
    inbound, outbound = lists.get(("inbound", protocol), []), lists.get(("outbound", protocol), [])
    name = _child_name([flow["local"]], [flow["remote"]])
    pairs = max(len(inbound), len(outbound))
    if not pairs:
        child = model.new_child(name, "DOWN")
        child.update(configured=configured, local_ts=[flow["local"]], remote_ts=[flow["remote"]])
        return [child]
    spis = [(sa["spi"] or "").lower() for sa in outbound]
    current = spis.index(flow["current"]) if flow["current"] in spis else 0
    order = [current] + [index for index in range(pairs) if index != current]
    children = []
    for index in order:
        pair = (inbound[index] if index < len(inbound) else {},
                outbound[index] if index < len(outbound) else {})
        child = _pair_child(name, flow, pair, protocol, configured)
        if index != current:
            child["state"] = "REKEYED"
        else:
            child.update(packets_in=flow.get("decaps"), packets_out=flow.get("encaps"))
        children.append(child)
    return children


def _pair_child(name, flow, pair, protocol, configured):
    incoming, outgoing = pair
    sa = incoming or outgoing
    native = sa.get("status")
    child = model.new_child(name, normalize(IPSEC_SA_STATES, (native or "").split("(")[0]), native)
    settings = sa.get("settings", [])
    child.update(
        sa_id=sa.get("conn"), configured=configured, protocol=protocol.upper(),
        mode=settings[0].upper() if settings else None, encapsulation="UDP-Encaps" in settings,
        spi_in=hex_spi(incoming["spi"]) if incoming.get("spi") else None,
        spi_out=hex_spi(outgoing["spi"]) if outgoing.get("spi") else None,
        algorithms=_transform_algorithms(sa.get("transform", []), flow.get("pfs")),
        lifetime_seconds=sa.get("lifetime"), local_ts=[flow["local"]], remote_ts=[flow["remote"]])
    return child


_SIZED_CIPHER = re.compile(r"^(?P<family>esp|ah)-(?P<size>\d+)-(?P<cipher>\w+)$")


def _transform_algorithms(words, pfs_group):
    """'esp-256-aes esp-sha256-hmac' -> esp-aes, 256, esp-sha256-hmac; 'esp-gcm 256' -> esp-gcm,
    256. A key size IOS does not print (esp-aes is 128) stays None."""
    algorithms = model.new_algorithms(dh_group=pfs_group)
    for word in words:
        sized = _SIZED_CIPHER.match(word)
        if word.isdigit():
            algorithms["key_size"] = int(word)
        elif word.endswith(("-hmac", "-mac")):
            algorithms["integrity"] = word
        elif sized:
            algorithms["encryption"] = "%s-%s" % (sized.group("family"), sized.group("cipher"))
            algorithms["key_size"] = int(sized.group("size"))
        elif word.startswith("esp-"):
            algorithms["encryption"] = word
    return algorithms


_PARSERS = {
    SESSION: _sessions,
    IKEV2_SA: _ikev2_sas,
    IKEV2_SESSION: _ikev2_sas,
    ISAKMP_SA: _isakmp_sas,
    ISAKMP_SA_DETAIL: _isakmp_detail,
    IPSEC_SA: _ipsec_sas,
}


# --- merge --------------------------------------------------------------------------------------

# Later commands refine earlier ones: the session view comes first and decides the tunnel
# state; IKE SA commands fill the IKE SA; IPsec SAs fill the children.
_MERGE_ORDER = {SESSION: 0, IKEV2_SESSION: 1, IKEV2_SA: 2, ISAKMP_SA_DETAIL: 3, ISAKMP_SA: 4,
                IPSEC_SA: 5}
# When a peer has two IKE SAs (an old one being deleted, a new one negotiating), the better
# one describes the tunnel.
_STATE_RANK = {"ESTABLISHED": 7, "UP": 6, "REKEYING": 5, "PASSIVE": 4, "CONNECTING": 3,
               "DELETING": 2, "DOWN": 1}
_IKE_SA_STATES = dict(ISAKMP_STATES, **IKEV2_STATES)


def merge(parts):
    """One tunnel per peer from every command's view; sessions that are down stay DOWN."""
    book = _TunnelBook()
    for key, tunnels in sorted(parts, key=lambda part: _MERGE_ORDER[part[0]]):
        for tunnel in tunnels:
            book.add(key, tunnel)
    _name_by_peer(book.tunnels)
    return book.tunnels


class _TunnelBook:
    """Tunnels indexed by peer address, so each command's tunnel finds its match in O(1)."""

    def __init__(self):
        self.tunnels = []
        self.by_address = {}
        self.from_session = set()   # ids of tunnels whose state a crypto session decided

    def add(self, key, tunnel):
        match = self.find(key, tunnel)
        if match is None:
            self.tunnels.append(tunnel)
            self.by_address.setdefault(_address_key(tunnel), []).append(tunnel)
            if key == SESSION:
                self.from_session.add(id(tunnel))
            return
        _absorb_tunnel(match, tunnel, id(match) in self.from_session)
        _absorb_ike(match["ike"], tunnel["ike"], endpoints=key != ISAKMP_SA)
        _absorb_children(match["children"], tunnel["children"])

    def find(self, key, tunnel):
        ike = tunnel["ike"]
        if key == ISAKMP_SA:  # its direction was a guess: try both addresses, conn-id first
            candidates = (self.by_address.get(_lower(ike["remote"]["address"]), [])
                          + self.by_address.get(_lower(ike["local"]["address"]), []))
            same_sa = [known for known in candidates if known["ike"]["sa_id"] == ike["sa_id"]]
            return (same_sa or candidates or [None])[0]
        port = ike["remote"]["port"]
        for known in self.by_address.get(_address_key(tunnel), []):
            if port is None or known["ike"]["remote"]["port"] in (None, port):
                return known
        return None


def _lower(address):
    return (address or "").lower()


def _address_key(tunnel):
    return _lower(tunnel["ike"]["remote"]["address"])


def _absorb_tunnel(known, tunnel, state_from_session):
    if not state_from_session and _STATE_RANK.get(tunnel["state"], 0) > _STATE_RANK.get(
            known["state"], 0):
        known["state"], known["native_state"] = tunnel["state"], tunnel["native_state"]
    known["configured"] = known["configured"] or tunnel["configured"]
    known["status_message"] = known["status_message"] or tunnel["status_message"]


def _absorb_ike(known, ike, endpoints):
    """Take what this IKE SA knows, unless the tunnel already holds a better IKE SA. A better
    SA replaces the negotiation step too (None once it is up)."""
    compared = known["native_state"] and ike["native_state"]
    if compared and _ike_rank(ike) < _ike_rank(known):
        return
    better = compared and _ike_rank(ike) > _ike_rank(known)
    if not endpoints:
        ike = dict(ike, local=model.new_endpoint(), remote=model.new_endpoint())
    _overlay(known, ike)
    if better:
        known["negotiation"] = ike["negotiation"]


def _ike_rank(ike):
    return _STATE_RANK.get(_IKE_SA_STATES.get(ike["native_state"]), 0)


def _absorb_children(known, children):
    """Children of the same flow merge by name; further SA pairs of a flow (REKEYED) append."""
    by_name, seen = {}, set()
    for child in known:
        by_name.setdefault(child["name"], child)
    for child in children:
        match = by_name.get(child["name"])
        if match is not None and child["name"] not in seen:
            _overlay(match, child)
        else:
            known.append(child)
        seen.add(child["name"])


def _overlay(target, source):
    """Copy onto target what source knows: None, [] and UNDEFINED mean 'not shown here'."""
    for field, value in source.items():
        if value is None or value == [] or value == "UNDEFINED":
            continue
        if field == "configured":
            target[field] = target[field] or value
        elif isinstance(value, dict) and isinstance(target.get(field), dict):
            _overlay(target[field], value)
        else:
            target[field] = value


def _name_by_peer(tunnels):
    """Tunnels are named by peer address; peers sharing one address get ':port' added."""
    count = {}
    for tunnel in tunnels:
        count[_address_key(tunnel)] = count.get(_address_key(tunnel), 0) + 1
    for tunnel in tunnels:
        remote = tunnel["ike"]["remote"]
        tunnel["name"] = remote["address"]
        if count[_address_key(tunnel)] > 1 and remote["port"] is not None:
            shown = "[%s]" % remote["address"] if ":" in remote["address"] else remote["address"]
            tunnel["name"] = "%s:%d" % (shown, remote["port"])


def reset_commands(target, options=None):
    """IOS clear commands for a validated reset target (reset.py): `clear crypto session
    remote ADDR` (IKE and IPsec SAs of a peer), scope child `clear crypto sa peer ADDR`
    (IPsec SAs only); all: the same without the peer. IOS names a tunnel by its peer address,
    so a name must be one. The peer renegotiates on its own (or on the next packet)."""
    from ansible_collections.vpnops.tunnels.plugins.module_utils.reset import target_peer, unsupported

    peer = target_peer(target)
    if not peer and not target["all"]:
        raise unsupported(PLATFORM, target, "IOS clears by peer address (a tunnel's name)")
    if target["scope"] == "child":
        return ["clear crypto sa peer %s" % peer if peer else "clear crypto sa"]
    return ["clear crypto session remote %s" % peer if peer else "clear crypto session"]

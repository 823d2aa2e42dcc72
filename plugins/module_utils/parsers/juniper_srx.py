# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Juniper SRX (Junos): IKE SAs, IPsec SAs and inactive IPsec tunnels.

A tunnel is a Junos IPsec VPN, named by its VPN name (`VPN Name:` of the detail outputs);
its children are the VPN's tunnels (one per Junos tunnel ID: the ID is the child's sa_id
and stays while the tunnel is down), and its IKE SA is the one with the VPN's remote
gateway. An IKE SA that no VPN uses is a tunnel of its own, named by its IKE gateway name.
The brief forms carry no names: there a tunnel is named by its remote gateway address and
a child by its tunnel ID.

`show security ipsec inactive-tunnels` lists configured VPNs without SAs with Junos's own
"Tunnel Down Reason": they are reported DOWN with that reason as the negotiation step, so
configured-but-down tunnels do not vanish. `| display xml` of the IPsec SA listing is read
too (xml.etree; a document type declaration is refused, so no entity is ever expanded).
"""

from __future__ import annotations

import functools
import ipaddress
import re
from xml.etree import ElementTree

from ansible_collections.vpnops.tunnels.plugins.module_utils import model
from ansible_collections.vpnops.tunnels.plugins.module_utils.parsers.common import (
    abbreviated_command,
    fail,
    fill_missing,
    hex_spi,
    int_or_fail,
    normalize,
    range_prefix_length,
    shows_any,
    split_key_size,
    to_int,
)

PLATFORM = "juniper_srx"

# IKE SA "State" (Junos CLI reference, show security ike security-associations, Output
# Fields): UP, the SA has been negotiated; DOWN, it has not (negotiation under way or failed).
IKE_STATES = {
    "UP": "ESTABLISHED",
    "DOWN": "CONNECTING",
}
# IPsec SA "State" of each direction in the detail output (show security ipsec
# security-associations detail: "Mode: Tunnel(0 0), Type: dynamic, State: installed"), and
# "sa-block-state" of the XML form.
IPSEC_SA_STATES = {
    "INSTALLED": "INSTALLED",
    "NOT INSTALLED": "INSTALLING",
    "UP": "INSTALLED",
}

IKE_SAS = "show security ike security-associations"
IPSEC_SAS = "show security ipsec security-associations"
INACTIVE_TUNNELS = "show security ipsec inactive-tunnels"
COMMANDS = (IKE_SAS, IPSEC_SAS, INACTIVE_TUNNELS)


# --- command recognition ----------------------------------------------------------------

# Canonical words of each command and its key; the CLI takes unique abbreviations ("sh sec
# ike sa") and "sa" stands for security-associations. Any trailing words (None: "detail",
# "brief", "index 5", a peer address, "vpn-name x", "family inet") only select or lengthen
# the same listing.
_GRAMMAR = (
    (("show", "security", "ike", "security-associations"), IKE_SAS, None),
    (("show", "security", "ipsec", "security-associations"), IPSEC_SAS, None),
    (("show", "security", "ipsec", "inactive-tunnels"), INACTIVE_TUNNELS, None),
)
_ALIASES = {"sa": "security-associations"}
# Refused on purpose (command_key returns None):
#   show security ike active-peer: remote-access users (XAUTH name, assigned address) of
#       active peers, no SA index, state or SPI; the IKE SA listing has every such peer
#   show security ipsec statistics: ESP/AH counters summed over all SAs, no tunnel in it


def command_key(command):
    """The key of a supported command as typed (abbreviated, with any '| ...' pipe)."""
    return abbreviated_command(command, _GRAMMAR, _ALIASES)


# --- shared line handling ------------------------------------------------------------------

# chassis cluster banners and node headers, prompts echoed into captured text
_NOISE = re.compile(
    r"^(?:\{[\w:-]+\}|node\d+:|-{10,}|[\w.\-]+@[\w.\-]+[>#](?:\s.*)?|\[edit(?: .*)?\])$")
_JUNOS_ERRORS = ("error: ", "syntax error", "unknown command")
# signs of any of the above, looked for in the whole text first (common.shows_any) so that
# clean outputs (the usual case) skip the tests of every line
_NOISE_SIGNS = ("{", "node", "----------", "@", "[edit", "error: ", "syntax error", "unknown command")


# "set cli timestamp" prints the time before each output: "Jan 07 10:12:01"
_TIMESTAMP = re.compile(r"^[A-Z][a-z]{2} [ \d]?\d \d\d:\d\d:\d\d(?:\.\d+)?$")


def _meaningful_lines(key, text):
    """The text's lines with cluster banners, prompts and the CLI time stamp blanked out (so
    a line's place is still its number); Junos errors are parse errors."""
    lines = text.splitlines()
    if shows_any(text, _NOISE_SIGNS):
        lines = [_meaningful(key, number, line) for number, line in enumerate(lines, 1)]
    first = next((index for index, line in enumerate(lines) if line.strip()), None)
    if first is not None and _TIMESTAMP.match(lines[first].strip()):
        lines[first] = ""
    return lines


def _meaningful(key, number, line):
    stripped = line.strip()
    if _NOISE.match(stripped):
        return ""
    if stripped.startswith(_JUNOS_ERRORS):
        fail(PLATFORM, key, "state output, but Junos reported an error: %s" % stripped, number, line)
    return line


def _numbered(lines):
    """(number, line) of the lines that are not blank."""
    for number, line in enumerate(lines, 1):
        if line and not line.isspace():
            yield number, line


@functools.lru_cache(maxsize=256)   # a device uses few ciphers, printed for every SA
def _cipher(text):
    """'aes-cbc-256' / 'aes256-cbc' / 'aes-gcm (128 bits)' -> (name, key size or None)."""
    text = text.strip()
    bits = re.match(r"^(?P<name>\S+) \((?P<bits>\d+) bits\)$", text)
    if bits:
        return bits.group("name"), int(bits.group("bits"))
    name, size = split_key_size(text, mode_after=True)
    return name or None, size


def _integrity(text):
    return None if not text or text.lower() == "none" else text


def _dh_group(text):
    """'DH-group-14' -> '14'."""
    return text.rsplit("-", 1)[-1] if text else None


def _host_port(text):
    """'203.0.113.10:500' -> ('203.0.113.10', 500); the port is always last."""
    host, _colon, port = text.strip().rpartition(":")
    return (host, int(port)) if port.isdigit() and host else (text.strip(), None)


def _expires(text):
    """'Expires in 2891 seconds' -> 2891; 'Disabled' -> None."""
    found = re.match(r"^Expires in (\d+) seconds$", text.strip())
    return int(found.group(1)) if found else None


def _selector(text):
    """'0.0.0.0-255.255.255.255' -> '0.0.0.0/0'; a range that is no prefix stays a range."""
    first, _dash, last = text.partition("-")
    try:
        first, last = ipaddress.ip_address(first.strip()), ipaddress.ip_address((last or first).strip())
    except ValueError:
        return text.strip()
    length = range_prefix_length(first, last)
    return "%s-%s" % (first, last) if length is None else "%s/%d" % (first, length)


_SUBNETS = re.compile(r"=(?P<net>[0-9A-Fa-f:.]+/\d+)")
_ADDRESSES = re.compile(r"ipv[46]\((?P<range>[0-9A-Fa-f:.\- ]+)\)")


def _identities(text):
    """Junos proxy identities as selectors: 'ipv4_subnet(any:0,[0..7]=10.0.0.0/20)',
    'ipv4(0.0.0.0-255.255.255.255)', 'list(any:0,ipv4_subnet(...), ipv4_subnet(...))'."""
    subnets = _SUBNETS.findall(text)
    if subnets:
        return subnets
    return [_selector(found) for found in _ADDRESSES.findall(text)] or [text.strip()]


# fields whose value may itself hold ", " (DNs, identity lists, free text): the whole rest
_WHOLE_LINE = {"Local Identity", "Remote Identity", "Local identity", "Remote identity",
               "Peer ike-id", "Tunnel Down Reason", "Flags"}


def _comma_fields(text):
    """'Role: Initiator, State: UP' -> {'Role': 'Initiator', 'State': 'UP'}."""
    head, _colon, value = text.partition(":")
    if head in _WHOLE_LINE:
        return {head: value.strip()}
    fields = {}
    for part in text.split(", "):
        name, colon, value = part.partition(":")
        if colon:
            fields[name.strip()] = value.strip()
    return fields


def _new_tunnel(name, state="UNDEFINED"):
    return model.new_tunnel(name, "ipsec", state)


# --- show security ike security-associations [brief|detail] ----------------------------------

_IKE_BRIEF_HEADER = re.compile(r"^Index\s+State\s+Initiator cookie\s+Responder cookie\s+Mode\s+Remote Address$")
_IKE_BRIEF_ROW = re.compile(
    r"^(?P<index>\d+)\s+(?P<state>[A-Z]+)\s+(?P<icookie>[0-9a-fA-F]+)\s+(?P<rcookie>[0-9a-fA-F]+)\s+"
    r"(?P<mode>\S+)\s+(?P<remote>\S+)$")
_IKE_PEER = re.compile(r"^IKE peer (?P<peer>\S+), Index (?P<index>\d+),(?: Gateway Name: (?P<gateway>\S+))?$")
_IKE_FIELDS = {
    "Initiator cookie": ("initiator_spi", hex_spi),
    "Responder cookie": ("responder_spi", hex_spi),
    "Lifetime": ("rekey_seconds", _expires),
    "Reauth Lifetime": ("reauth_seconds", _expires),
}
_IKE_ALGORITHMS = {
    "Authentication": "integrity",
    "Pseudo random function": "prf",
    "Diffie-Hellman group": "dh_group",
}


# heads (text before the first ':') of the IKE SA detail lines that carry state; traffic
# statistics, fragmentation, message ids and the like are passed over unsplit
_IKE_HEADS = {"Role", "Initiator cookie", "Exchange type", "Local", "Lifetime", "Reauth Lifetime",
              "Peer ike-id", "Local identity", "Remote identity", "Encryption"} | set(_IKE_ALGORITHMS)
_IKE_VERSIONS = {"ikev2": 2, "ikev1": 1, "main": 1, "aggressive": 1}


def _ike_version(mode):
    """'Exchange type' / 'Mode' (IKEv2, or Main / Aggressive for IKEv1) or 'Version' (IKEv1)."""
    return _IKE_VERSIONS.get(mode.lower())


def _ike_tunnel(name, peer, index, native, version):
    tunnel = _new_tunnel(name)
    ike = tunnel["ike"]
    ike.update(version=version, sa_id=index)
    ike["remote"]["address"] = peer
    _set_ike_state(tunnel, native)
    return tunnel


def _set_ike_state(tunnel, native):
    state = normalize(IKE_STATES, native)
    tunnel["state"], tunnel["native_state"] = state, native
    tunnel["ike"]["native_state"] = native
    tunnel["ike"]["negotiation"] = None if state == "ESTABLISHED" else model.new_negotiation(1, native)


def _parse_ike(key, lines):
    tunnels, tunnel = [], None
    for number, line in _numbered(lines):
        text = line.strip()
        if text.startswith("IKE peer "):
            _check_ike_block(key, tunnel, number, line)
            peer = _IKE_PEER.match(text) or fail(
                PLATFORM, key, "'IKE peer A, Index N, Gateway Name: G'", number, line)
            tunnel = _ike_tunnel(peer.group("gateway") or peer.group("peer"), peer.group("peer"),
                                 peer.group("index"), None, None)
            tunnels.append(tunnel)
        elif text[0].isdigit():
            _check_ike_block(key, tunnel, number, line)
            tunnel = None   # brief rows have no detail lines
            tunnels.append(_ike_row(key, number, line, text))
        elif _IKE_BRIEF_HEADER.match(text):
            continue
        elif tunnel is None or not line[0].isspace():
            fail(PLATFORM, key, "an IKE SA ('IKE peer ..., Index ...' or a table row)", number, line)
        elif text.partition(":")[0].rstrip() in _IKE_HEADS:
            _ike_detail(tunnel, text)
    _check_ike_block(key, tunnel, None, None)
    return tunnels


def _ike_row(key, number, line, text):
    row = _IKE_BRIEF_ROW.match(text) or fail(
        PLATFORM, key, "'Index State cookie cookie Mode Remote-Address' rows", number, line)
    tunnel = _ike_tunnel(row.group("remote"), row.group("remote"), row.group("index"),
                         row.group("state"), _ike_version(row.group("mode")))
    tunnel["ike"]["initiator_spi"] = hex_spi(row.group("icookie"))
    tunnel["ike"]["responder_spi"] = hex_spi(row.group("rcookie"))
    return tunnel


def _check_ike_block(key, tunnel, number, line):
    if tunnel is not None and tunnel["native_state"] is None:
        fail(PLATFORM, key, "the State of IKE peer %s (output cut off?)"
             % tunnel["ike"]["remote"]["address"], number, line)


def _ike_detail(tunnel, text):
    ike = tunnel["ike"]
    fields = _comma_fields(text)
    for name, value in fields.items():
        if name == "State":
            _set_ike_state(tunnel, value)
        elif name == "Role":
            ike["initiator"] = value.lower() == "initiator"
        elif name == "Exchange type":
            ike["version"] = _ike_version(value)
        elif name in ("Local", "Remote"):
            side = ike[name.lower()]
            if side["port"] is None:
                side["address"], side["port"] = _host_port(value)
        elif name in ("Peer ike-id", "Remote identity") and ike["remote"]["id"] is None:
            ike["remote"]["id"] = value
        elif name == "Local identity" and ike["local"]["id"] is None:
            ike["local"]["id"] = value
        elif name == "Encryption":
            ike["algorithms"]["encryption"], ike["algorithms"]["key_size"] = _cipher(value)
        elif name in _IKE_ALGORITHMS:
            convert = _dh_group if name == "Diffie-Hellman group" else str
            ike["algorithms"][_IKE_ALGORITHMS[name]] = convert(value)
        elif name in _IKE_FIELDS:
            field, convert = _IKE_FIELDS[name]
            ike[field] = convert(value)


# --- VPN blocks: ipsec security-associations detail / inactive-tunnels detail -------------

_VPN_BLOCK = re.compile(r"^ID: (?P<id>\d+) Virtual-system: (?P<vsys>[^,]+), VPN Name: (?P<vpn>\S+)$")
# heads of the lines that carry state, in a VPN block and in one of its SAs; DF-bit, bind
# interface, tunnel events, replay window and the like are passed over unsplit
_VPN_HEADS = {"Local Gateway", "Local Identity", "Remote Identity", "Version", "Port",
              "Tunnel Down Reason", "IKE SA Index"}
_SA_HEADS = {"Hard lifetime", "Soft lifetime", "Mode", "Protocol", "IKE SA Index"}
_DIRECTION = re.compile(r"^Direction: (?P<dir>inbound|outbound), SPI: (?P<spi>\S+?),")


class _VpnBlockReader:
    """One pass over detail blocks ('ID: n Virtual-system: x, VPN Name: y'): one child each."""

    def __init__(self, key):
        self.key = key
        self.tunnels = {}
        self.block = None      # {"tunnel":, "child":, "sas": {direction: fields}, "reason":}
        self.sa = None

    def read(self, lines):
        for number, line in _numbered(lines):
            self._line(number, line)
        self._close(None, None)
        return list(self.tunnels.values())

    def _line(self, number, line):
        text = line.strip()
        block = _VPN_BLOCK.match(text) if text.startswith("ID: ") else None
        direction = _DIRECTION.match(text) if text.startswith("Direction: ") else None
        if block:
            self._close(number, line)
            self._start(block)
        elif self.block is None:
            fail(PLATFORM, self.key, "'ID: n Virtual-system: x, VPN Name: y' starting a tunnel",
                 number, line)
        elif direction:
            self.sa = {"spi": hex_spi(direction.group("spi"))}
            # a second SA pair (rekey overlap) is read but the first one is kept
            self.block["sas"].setdefault(direction.group("dir"), self.sa)
        elif text.partition(":")[0] in (_VPN_HEADS if self.sa is None else _SA_HEADS):
            self._fields(number, line, _comma_fields(text))

    def _start(self, block):
        name = block.group("vpn")
        tunnel = self.tunnels.get(name)
        if tunnel is None:
            tunnel = self.tunnels[name] = _new_tunnel(name)
            tunnel["configured"] = True
        child = model.new_child(name, "DOWN")
        child.update(sa_id=block.group("id"), configured=True)
        if all(known["sa_id"] != child["sa_id"] for known in tunnel["children"]):
            tunnel["children"].append(child)   # else the other cluster node's copy: read, dropped
        self.block = {"tunnel": tunnel, "child": child, "sas": {}, "reason": None}
        self.sa = None

    def _fields(self, number, line, fields):
        ike, child = self.block["tunnel"]["ike"], self.block["child"]
        if "IKE SA Index" in fields:   # printed in each SA of newer releases
            ike["sa_id"] = fields["IKE SA Index"]
        if self.sa is not None:
            self.sa.update(fields)
            return
        for name, value in fields.items():
            if name in ("Local Gateway", "Remote Gateway"):
                ike[name.split()[0].lower()]["address"] = value
            elif name in ("Local Identity", "Remote Identity"):
                child[name.split()[0].lower() + "_ts"] = _identities(value)
            elif name == "Version":
                ike["version"] = _ike_version(value)
            elif name == "Port":
                port = int_or_fail(PLATFORM, self.key, value, number, line)
                ike["local"]["port"] = ike["remote"]["port"] = port
                child["encapsulation"] = port == 4500   # NAT-T moves IKE and ESP to UDP 4500
            elif name == "Tunnel Down Reason":
                self.block["reason"] = value

    def _close(self, number, line):
        block, self.block, self.sa = self.block, None, None
        if block is None:
            return
        if block["tunnel"]["ike"]["remote"]["address"] is None:
            fail(PLATFORM, self.key, "the Remote Gateway of VPN %s (output cut off?)"
                 % block["child"]["name"], number, line)
        sas = block["sas"]
        if sas:
            _installed(self.key, block["child"], sas, number, line)
        elif self.key == IPSEC_SAS:
            fail(PLATFORM, self.key, "the inbound and outbound SAs of VPN %s (output cut off?)"
                 % block["child"]["name"], number, line)
        else:
            _inactive(block["tunnel"], block["reason"])


def _installed(key, child, sas, number, line):
    """Fill an active child from its 'Direction:' blocks."""
    inbound, outbound = sas.get("inbound"), sas.get("outbound")
    if any(sa is None or "Mode" not in sa or "Protocol" not in sa for sa in (inbound, outbound)):
        fail(PLATFORM, key, "an inbound and an outbound SA with Mode and Protocol lines"
             " (output cut off?)", number, line)
    states = {inbound.get("State"), outbound.get("State")}
    native = inbound.get("State") if len(states) == 1 else "inbound %s, outbound %s" % (
        inbound.get("State"), outbound.get("State"))
    child["native_state"] = native
    child["state"] = normalize(IPSEC_SA_STATES, native) if len(states) == 1 else "INSTALLING"
    child["spi_in"], child["spi_out"] = inbound["spi"], outbound["spi"]
    child["mode"] = inbound["Mode"].split("(")[0].upper()
    child["protocol"] = inbound["Protocol"]
    name, size = _cipher(inbound.get("Encryption", ""))
    child["algorithms"] = model.new_algorithms(encryption=name, key_size=size,
                                               integrity=_integrity(inbound.get("Authentication")))
    child["lifetime_seconds"] = _expires(inbound.get("Hard lifetime", ""))
    child["rekey_seconds"] = _expires(inbound.get("Soft lifetime", ""))


def _inactive(tunnel, reason):
    """A configured VPN tunnel without SAs: DOWN, and Junos's reason kept as the step (merge
    decides the phase once it knows the IKE SA)."""
    if not any(known["state"] == "INSTALLED" for known in tunnel["children"]):
        tunnel["state"] = "DOWN"
    if reason:
        tunnel["ike"]["negotiation"] = model.new_negotiation(None, reason)


# --- brief tables: ipsec security-associations / inactive-tunnels ---------------------------

_SA_TOTALS = re.compile(r"^Total active tunnels:\s*\d+(?:\s+Total IPsec sas:\s*\d+)?$", re.IGNORECASE)
_SA_HEADER = re.compile(r"^ID\s+Algorithm\s+SPI\s+Life:sec/kb\s+Mon\s+\w+\s+Port\s+Gateway$")
_SA_ROW = re.compile(
    r"^(?P<dir>[<>])(?P<id>\d+)\s+(?P<proto>[A-Z]+):(?P<encr>[^/\s]+)/(?P<integ>\S+)\s+"
    r"(?P<spi>(?:0x)?[0-9a-fA-F]+)\s+(?P<life>\d+|-)/\s*(?P<kb>\S+)\s+(?P<mon>\S+)\s+"
    r"(?:(?P<lsys>\S+)\s+)?(?P<port>\d+)\s+(?P<gateway>\S+)$")
_INACTIVE_TOTALS = re.compile(r"^Total inactive tunnels(?: with establish immediately)?:\s*\d+$")
# column names of the inactive tunnel table, which differ between Junos releases
_INACTIVE_COLUMNS = re.compile(r"Tunnel Down Reason|Pending SAs|Nego#|Fail#|Flag|Gateway|Port|ID")


def _parse_sa_table(key, lines):
    tunnels, children = {}, {}
    for number, line in _numbered(lines):
        text = line.strip()
        if _SA_TOTALS.match(text) or _SA_HEADER.match(text):
            continue
        row = _SA_ROW.match(text)
        if row is None:
            fail(PLATFORM, key, "'<ID ESP:cipher/auth SPI life/kb mon lsys port gateway' rows",
                 number, line)
        child = children.get(row.group("id"))
        if child is None:
            child = children[row.group("id")] = _table_child(tunnels, row)
        direction = "in" if row.group("dir") == "<" else "out"
        if child["spi_" + direction] is None:   # a second pair is the rekey overlap
            child["spi_" + direction] = hex_spi(row.group("spi"))
    return list(tunnels.values())


def _table_child(tunnels, row):
    """The child of a tunnel ID, under its gateway (the brief form has no VPN names)."""
    gateway = row.group("gateway")
    tunnel = tunnels.get(gateway)
    if tunnel is None:
        tunnel = tunnels[gateway] = _new_tunnel(gateway)
        tunnel["ike"]["remote"]["address"] = gateway
        tunnel["ike"]["local"]["port"] = tunnel["ike"]["remote"]["port"] = int(row.group("port"))
    child = model.new_child(row.group("id"), "INSTALLED")
    name, size = _cipher(row.group("encr"))
    child.update(sa_id=row.group("id"), protocol=row.group("proto"),
                 encapsulation=row.group("port") == "4500",
                 lifetime_seconds=to_int(row.group("life").strip("-")),
                 algorithms=model.new_algorithms(encryption=name, key_size=size,
                                                 integrity=_integrity(row.group("integ"))))
    tunnel["children"].append(child)
    return child


def _parse_inactive_table(key, lines):
    tunnels, columns, seen = {}, None, set()
    for number, line in _numbered(lines):
        text = line.strip()
        if _INACTIVE_TOTALS.match(text):
            continue
        if text.startswith("ID ") and "Gateway" in text:
            columns = _INACTIVE_COLUMNS.findall(text)
            continue
        values = text.split(None, len(columns) - 1) if columns else []
        if not columns or len(values) < len(columns) - 1 or not values[0].isdigit():
            fail(PLATFORM, key, "inactive tunnel rows under an 'ID Port ... Gateway' header",
                 number, line)
        row = dict(zip(columns, values))
        if row["ID"] in seen:
            continue   # the other cluster node lists the same tunnel
        seen.add(row["ID"])
        gateway = row["Gateway"]
        tunnel = tunnels.get(gateway)
        if tunnel is None:
            tunnel = tunnels[gateway] = _new_tunnel(gateway)
            tunnel["configured"] = True
            tunnel["ike"]["remote"]["address"] = gateway
            tunnel["ike"]["local"]["port"] = tunnel["ike"]["remote"]["port"] = int_or_fail(
                PLATFORM, key, row.get("Port"), number, line)
        child = model.new_child(row["ID"], "DOWN")
        child.update(sa_id=row["ID"], configured=True,
                     encapsulation=tunnel["ike"]["remote"]["port"] == 4500)
        tunnel["children"].append(child)
        _inactive(tunnel, row.get("Tunnel Down Reason"))
    return list(tunnels.values())


# --- show security ipsec security-associations | display xml --------------------------------

def _local_name(element):
    return element.tag.rsplit("}", 1)[-1]


def _parse_sa_xml(key, text):
    """The XML reply: one child per sa-tunnel-index, its first SA in each direction."""
    start, end = text.find("<rpc-reply"), text.rfind("</rpc-reply>")
    if start < 0 or end < 0:
        fail(PLATFORM, key, "a whole <rpc-reply> document (output cut off?)")
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        fail(PLATFORM, key, "an rpc-reply without a document type declaration")
    document = text[start:end + len("</rpc-reply>")]
    try:
        root = ElementTree.fromstring(document)
    except ElementTree.ParseError as error:
        fail(PLATFORM, key, "well-formed XML (%s)" % error)
    tunnels, children = {}, {}
    for block in root.iter():
        if _local_name(block) == "ipsec-security-associations-block":
            _xml_block(key, tunnels, children, block)
    return list(tunnels.values())


def _xml_fields(element):
    return {_local_name(item): (item.text or "").strip() for item in element}


def _xml_block(key, tunnels, children, block):
    state = _xml_fields(block).get("sa-block-state")
    for sa in block:
        if _local_name(sa) != "ipsec-security-associations":
            continue
        fields = _xml_fields(sa)
        child = children.get(fields.get("sa-tunnel-index"))
        if child is None:
            child = children[fields.get("sa-tunnel-index")] = _xml_child(key, tunnels, fields, state)
        direction = "in" if fields.get("sa-direction") == "<" else "out"
        if child["spi_" + direction] is None:   # a second pair is the rekey overlap
            child["spi_" + direction] = hex_spi(fields.get("sa-spi", ""))


def _xml_child(key, tunnels, fields, state):
    gateway = fields.get("sa-remote-gateway")
    name = fields.get("sa-vpn-name") or gateway
    tunnel = tunnels.get(name)
    if tunnel is None:
        tunnel = tunnels[name] = _new_tunnel(name)
        tunnel["ike"]["remote"]["address"] = gateway
        port = int_or_fail(PLATFORM, key, fields.get("sa-port"))
        tunnel["ike"]["local"]["port"] = tunnel["ike"]["remote"]["port"] = port
    index = fields.get("sa-tunnel-index")
    # a listed SA without a block state is installed; a state we do not know stays UNDEFINED
    child = model.new_child(fields.get("sa-vpn-name") or index,
                            normalize(IPSEC_SA_STATES, state) if state else "INSTALLED", state)
    encryption, size = _cipher(fields.get("sa-esp-encryption-algorithm", ""))
    child.update(sa_id=index, protocol=fields.get("sa-protocol"),
                 encapsulation=fields.get("sa-port") == "4500",
                 lifetime_seconds=int_or_fail(PLATFORM, key, fields.get("sa-hard-lifetime")),
                 algorithms=model.new_algorithms(encryption=encryption, key_size=size,
                                                 integrity=_integrity(fields.get("sa-hmac-algorithm"))))
    tunnel["children"].append(child)
    return child


# --- the module interface ----------------------------------------------------------------------

def parse(key, text):
    if "<rpc-reply" in text:
        if key != IPSEC_SAS:
            fail(PLATFORM, key, "the text form (| display xml is read for %s only)" % IPSEC_SAS)
        return _parse_sa_xml(key, text)
    lines = _meaningful_lines(key, text)
    if key == IKE_SAS:
        return _parse_ike(key, lines)
    first = next((line.strip() for _number, line in _numbered(lines)), "")
    if _VPN_BLOCK.match(first):
        return _VpnBlockReader(key).read(lines)
    if key == IPSEC_SAS:
        return _parse_sa_table(key, lines)
    return _parse_inactive_table(key, lines)


def merge(parts):
    """VPN tunnels (IPsec SAs and inactive tunnels) with the IKE SA of their gateway;
    IKE SAs no VPN uses stay tunnels of their own."""
    ike_sas, vpns, children_listed = [], {}, False
    for key, tunnels in parts:
        if key == IKE_SAS:
            ike_sas.extend(tunnels)
            continue
        children_listed = True
        for tunnel in tunnels:
            _add_vpn(vpns, tunnel)
    by_index, by_peer = {}, {}
    for ike_sa in ike_sas:
        by_index.setdefault(ike_sa["ike"]["sa_id"], ike_sa)
        known = by_peer.get(ike_sa["ike"]["remote"]["address"])
        if known is None or known["state"] != "ESTABLISHED":   # an UP SA beats a DOWN one
            by_peer[ike_sa["ike"]["remote"]["address"]] = ike_sa
    used_peers = set()
    for vpn in vpns.values():
        reason = _down_reason(vpn)
        ike_sa = by_index.get(vpn["ike"]["sa_id"]) or by_peer.get(vpn["ike"]["remote"]["address"])
        if ike_sa is not None:
            used_peers.add(ike_sa["ike"]["remote"]["address"])
            _attach_ike(vpn, ike_sa)
        _conclude(vpn, reason, children_listed)
    lone = {}
    for ike_sa in ike_sas:
        if ike_sa["ike"]["remote"]["address"] not in used_peers and ike_sa["name"] not in vpns:
            lone.setdefault(ike_sa["name"], ike_sa)
    for ike_sa in lone.values():
        _conclude(ike_sa, None, children_listed)
    return list(vpns.values()) + list(lone.values())


def _add_vpn(vpns, tunnel):
    """Fold a VPN seen by another command (active SAs, inactive tunnels) into one tunnel."""
    known = vpns.get(tunnel["name"])
    if known is None:
        vpns[tunnel["name"]] = tunnel
        return
    fill_missing(known["ike"], tunnel["ike"])
    known["configured"] = known["configured"] or tunnel["configured"]
    ids = {child["sa_id"]: index for index, child in enumerate(known["children"])}
    for child in tunnel["children"]:
        index = ids.get(child["sa_id"])
        if index is None:
            known["children"].append(child)
        elif known["children"][index]["state"] == "DOWN" != child["state"]:
            known["children"][index] = child
    if any(child["state"] != "DOWN" for child in known["children"]):
        known["state"] = "UNDEFINED"   # some SA is up: no longer a down tunnel


def _copied(value):
    """A copy of a model dict that shares nothing changeable with the original."""
    if isinstance(value, dict):
        return {name: _copied(item) for name, item in value.items()}
    return list(value) if isinstance(value, list) else value


def _down_reason(vpn):
    """Junos's Tunnel Down Reason, which the inactive tunnel listing left as the step."""
    negotiation = vpn["ike"]["negotiation"]
    return negotiation["step"] if negotiation and negotiation["phase"] is None else None


def _attach_ike(vpn, ike_sa):
    """The IKE SA's view of the IKE side wins; the VPN fills what the SA listing lacks. Each
    VPN gets its own copy: several VPNs may ride on one IKE SA."""
    vpn["ike"] = fill_missing(dict(_copied(ike_sa["ike"]), negotiation=None), vpn["ike"])
    vpn["state"], vpn["native_state"] = ike_sa["state"], ike_sa["native_state"]


def _conclude(tunnel, reason, children_listed):
    """Negotiation progress and the status line, once every output is in."""
    children = tunnel["children"]
    installed = sum(1 for child in children if child["state"] == "INSTALLED")
    down = [child["name"] for child in children if child["state"] == "DOWN"]
    state, native = tunnel["state"], tunnel["native_state"]
    step = None
    if state == "ESTABLISHED" and (down or children_listed and not installed):
        step = model.new_negotiation(2, reason or "%s without IPsec SA" % native)
    elif state == "CONNECTING":
        step = model.new_negotiation(1, reason or native)
    elif state == "DOWN" and reason:
        step = model.new_negotiation(None, reason)
    tunnel["ike"]["negotiation"] = step
    summary = "IKE SA %s" % native if native else "no IKE SA listed"
    if children or children_listed:
        summary += ", %d of %d IPsec tunnels installed" % (installed, len(children))
    if down and reason:
        summary += "; down: %s (%s)" % (", ".join(down), reason)
    elif down:
        summary += "; down: %s" % ", ".join(down)
    tunnel["status_message"] = summary


def gather_commands(options):
    """What vpn_facts runs. The detail forms name the VPNs, so a VPN that goes down keeps its
    name: the brief inactive-tunnel table shows only tunnel IDs and gateway addresses."""
    return ["%s detail" % IKE_SAS, "%s detail" % IPSEC_SAS, "%s detail" % INACTIVE_TUNNELS]


def reset_commands(target, options=None):
    """Junos clear commands for a validated reset target (reset.py): a peer's `clear security
    ike security-associations ADDR` (its IPsec SAs go with it); scope child by sa_id (the
    IPsec SA index) `clear security ipsec security-associations index N`; all: both tables.
    A name must be the peer address."""
    from ansible_collections.vpnops.tunnels.plugins.module_utils.reset import target_peer, unsupported

    peer = target_peer(target)
    child_scope = target["scope"] == "child"
    if target["all"]:
        return (["clear security ipsec security-associations"] if child_scope else
                ["clear security ike security-associations",
                 "clear security ipsec security-associations"])
    if child_scope and target["sa_id"]:
        return ["clear security ipsec security-associations index %s" % target["sa_id"]]
    if peer and not child_scope:
        return ["clear security ike security-associations %s" % peer]
    raise unsupported(PLATFORM, target, "IKE SAs clear by peer address, IPsec SAs by index")

# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Device outputs of any number of tunnels, in each vendor's real format, for the benchmarks.

Ten platforms are rendered by the emulator's vendors (tests/lab/emulator/vendors), which print
the collection's model as each vendor does. Their example tunnels are copied with unique
names, peer addresses, SA ids and SPIs: copies that shared an id would be merged by the
parsers, as two SAs of one real device never are. strongSwan (`swanctl --pretty`) and OpenVPN
(status file, version 2) have no emulated vendor, since the lab runs the real daemons; their
layouts here are those daemons' (swanctl 5.9's VICI dump, OpenVPN 2.6's status-version 2).
"""

from __future__ import annotations

import base64
import copy
import datetime
import hashlib
import importlib
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO / "tests" / "lab") not in sys.path:
    sys.path.insert(0, str(REPO / "tests" / "lab"))
from emulator.device import EmulatedDevice  # noqa: E402  pylint: disable=wrong-import-position
from emulator.fleet import ensure_collection_importable  # noqa: E402  pylint: disable=wrong-import-position

ensure_collection_importable()
from ansible_collections.vpnops.tunnels.plugins.module_utils import gather, parsers  # noqa: E402  pylint: disable=wrong-import-position

# Platforms whose text is written here rather than by an emulated vendor.
OWN_RENDERERS = ("openvpn", "strongswan")


def platforms():
    """Every platform the collection parses (parsers/<platform>.py), sorted."""
    return sorted(path.stem for path in (REPO / "plugins" / "module_utils" / "parsers").glob("*.py")
                  if path.stem not in ("__init__", "common"))


def gather_commands(platform):
    """The commands vpn_facts runs on the platform with the default options."""
    return parsers.parser_for(platform).gather_commands(dict(gather.DEFAULT_OPTIONS))


def outputs(platform, count):
    """[(command, text)] of every gather command of a device with count tunnels."""
    return [(command, command_output(platform, command, count)) for command in gather_commands(platform)]


def command_output(platform, command, count):
    """One command's output (as typed) of a device with count tunnels (OpenVPN: clients)."""
    if platform == "strongswan":
        return _swanctl(parsers.parser_for(platform).command_key(command), count)
    if platform == "openvpn":
        return _openvpn_status(count)
    vendor = importlib.import_module("emulator.vendors.%s" % platform)
    device = EmulatedDevice("bench", platform, "bench", scaled_tunnels(vendor, count))
    return vendor.render(device, command)


def address(index):
    """A distinct address per tunnel, inside 198.18.0.0/15 (benchmarking range)."""
    return "198.%d.%d.%d" % (18 + index // 65536, index // 256 % 256, index % 256)


def inner_address(index):
    """A distinct tunnel-inside address per tunnel, inside 10.8.0.0/13."""
    return "10.%d.%d.%d" % (8 + index // 65536, index // 256 % 256, index % 256)


# --- the emulated vendors' tunnels, copied ------------------------------------------------------

def scaled_tunnels(vendor, count):
    """count copies of the vendor's established example tunnels, each one a distinct tunnel."""
    base = [t for t in vendor.example_tunnels(0) if t["state"] in ("ESTABLISHED", "UP")] \
        or vendor.example_tunnels(0)
    return [_distinct_copy(base[index % len(base)], index) for index in range(count)]


_LEADING_NUMBER = re.compile(r"^\d+")
_SPI_FIELDS = ("initiator_spi", "responder_spi", "spi_in", "spi_out")


def _distinct_copy(original, index):
    tunnel = copy.deepcopy(original)
    if tunnel["type"] == "wireguard":  # the name is INTERFACE:PUBLIC_KEY, one key per peer
        interface = original["name"].split(":", 1)[0]
        key = hashlib.sha256(b"bench-peer-%d" % index).digest()
        tunnel["name"] = "%s:%s" % (interface, base64.b64encode(key).decode())
        tunnel["status_message"] = "endpoint %s:51820" % address(index)
        tunnel["children"][0]["remote_ts"] = ["%s/32" % inner_address(index)]
        return tunnel
    tunnel["name"] = "%s-%d" % (original["name"], index)
    ike = tunnel.get("ike")
    if ike:
        if ike["remote"]["id"] == ike["remote"]["address"]:
            ike["remote"]["id"] = address(index)
        ike["remote"]["address"] = address(index)
        _distinct_ids(ike, index)
    for child in tunnel["children"]:
        # child names made of the tunnel's name (VyOS peer-X-tunnel-N, Junos VPN names) follow it
        if child["name"] and child["name"].startswith(original["name"]):
            child["name"] = tunnel["name"] + child["name"][len(original["name"]):]
        _distinct_ids(child, index)
    return tunnel


def _distinct_ids(sa, index):
    """SA numbers get the copy's index appended, SPIs are scrambled by it (same width)."""
    for field in ("sa_id", "reqid"):
        if isinstance(sa.get(field), str):
            sa[field] = _LEADING_NUMBER.sub(lambda found: "%s%05d" % (found.group(), index), sa[field])
    for field in _SPI_FIELDS:
        spi = sa.get(field)
        if spi and re.fullmatch(r"[0-9a-f]+", spi):
            mask = (1 << 4 * len(spi)) - 1
            sa[field] = "%0*x" % (len(spi), int(spi, 16) ^ (index * 0x9E3779B1 & mask))


# --- strongSwan: swanctl --list-conns / --list-sas --pretty -------------------------------------

_SWAN_LOCAL = "192.0.2.1"


def _swan_children(index):
    """Two children on every third tunnel, one on the others."""
    return ("lan", "voice") if index % 3 == 0 else ("lan",)


def _vici_pretty(lines, tree, depth):
    """A VICI message's items as swanctl --pretty prints them: two spaces per level."""
    indent = "  " * depth
    for key, value in tree.items():
        if isinstance(value, dict):
            lines.append("%s%s {" % (indent, key))
            _vici_pretty(lines, value, depth + 1)
            lines.append("%s}" % indent)
        elif isinstance(value, list):
            lines.append("%s%s = [" % (indent, key))
            lines.extend("%s  %s" % (indent, item) for item in value)
            lines.append("%s]" % indent)
        else:
            lines.append("%s%s = %s" % (indent, key, value))


def _swan_conn(index):
    auth = {"class": "pre-shared key", "groups": [], "cert_policy": [], "certs": [], "cacerts": []}
    children = {}
    for number, child in enumerate(_swan_children(index)):
        children[child] = {
            "mode": "TUNNEL", "rekey_time": "3600", "rekey_bytes": "0", "rekey_packets": "0",
            "dpd_action": "none", "close_action": "none",
            "local-ts": ["203.0.%d.%d/32" % (113 + number, index % 256)],
            "remote-ts": ["%s/32" % inner_address(index)],
        }
    return {
        "local_addrs": [_SWAN_LOCAL], "remote_addrs": [address(index)], "version": "IKEv2",
        "reauth_time": "0", "rekey_time": "14400", "unique": "UNIQUE_NO", "dpd_delay": "30",
        "dpd_timeout": "150", "local-1": dict(auth, id="hub.example"),
        "remote-1": dict(auth, id="peer-%d.example" % index), "children": children,
    }


def _swan_sa(index):
    children = {}
    for number, child in enumerate(_swan_children(index)):
        unique = 2 * index + number + 1
        children["%s-%d" % (child, unique)] = {
            "name": child, "uniqueid": str(unique), "reqid": str(unique), "state": "INSTALLED",
            "mode": "TUNNEL", "protocol": "ESP", "encap": "yes",
            "spi-in": "c%07x" % unique, "spi-out": "d%07x" % unique,
            "encr-alg": "AES_GCM_16", "encr-keysize": "256",
            "bytes-in": str(84 * index), "packets-in": str(index), "use-in": "1",
            "bytes-out": str(96 * index), "packets-out": str(index), "use-out": "1",
            "rekey-time": "3267", "life-time": "3927", "install-time": "33",
            "local-ts": ["203.0.%d.%d/32" % (113 + number, index % 256)],
            "remote-ts": ["%s/32" % inner_address(index)],
        }
    return {
        "uniqueid": str(index + 1), "version": "2", "state": "ESTABLISHED",
        "local-host": _SWAN_LOCAL, "local-port": "4500", "local-id": "hub.example",
        "remote-host": address(index), "remote-port": "4500", "remote-id": "peer-%d.example" % index,
        "initiator-spi": "%016x" % (0x3c33d740c387c7ba ^ index), "responder-spi": "%016x" % (index + 1),
        "nat-remote": "yes", "nat-any": "yes", "encr-alg": "AES_CBC", "encr-keysize": "256",
        "integ-alg": "HMAC_SHA2_256_128", "prf-alg": "PRF_HMAC_SHA2_256", "dh-group": "MODP_2048",
        "established": "32", "rekey-time": "13064", "child-sas": children,
    }


def _swanctl(key, count):
    """One event message per connection or IKE SA, then the command's empty reply."""
    event, reply, item = ("list-conn", "list-conns", _swan_conn) if key == "swanctl --list-conns" \
        else ("list-sa", "list-sas", _swan_sa)
    lines = []
    for index in range(count):
        lines.append("%s event {" % event)
        _vici_pretty(lines, {"tunnel-%d" % index: item(index)}, 1)
        lines.append("}")
    lines += ["%s reply {" % reply, "}", ""]
    return "\n".join(lines)


# --- OpenVPN: status file, version 2 (what Debian's openvpn-server@ writes) ---------------------

_OPENVPN_NOW = 1795284325  # the TIME line's Unix time; clients connected up to a day before


def _openvpn_time(unix):
    return datetime.datetime.fromtimestamp(unix, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def _openvpn_status(count):
    """A server with count connected clients: CLIENT_LIST and ROUTING_TABLE rows."""
    lines = [
        "TITLE,OpenVPN 2.6.14 x86_64-pc-linux-gnu [SSL (OpenSSL)] [LZO] [LZ4] [EPOLL] [PKCS11]"
        " [MH/PKTINFO] [AEAD] [DCO]",
        "TIME,%s,%d" % (_openvpn_time(_OPENVPN_NOW), _OPENVPN_NOW),
        "HEADER,CLIENT_LIST,Common Name,Real Address,Virtual Address,Virtual IPv6 Address,"
        "Bytes Received,Bytes Sent,Connected Since,Connected Since (time_t),Username,Client ID,"
        "Peer ID,Data Channel Cipher",
    ]
    since = [_OPENVPN_NOW - 60 - index % 86400 for index in range(count)]
    for index in range(count):
        lines.append("CLIENT_LIST,client%d,%s:%d,%s,,%d,%d,%s,%d,UNDEF,%d,%d,AES-256-GCM" % (
            index, address(index), 1024 + index % 60000, inner_address(index), 6052 + index,
            6134 + index, _openvpn_time(since[index]), since[index], index, index))
    lines.append("HEADER,ROUTING_TABLE,Virtual Address,Common Name,Real Address,Last Ref,"
                 "Last Ref (time_t)")
    for index in range(count):
        lines.append("ROUTING_TABLE,%s,client%d,%s:%d,%s,%d" % (
            inner_address(index), index, address(index), 1024 + index % 60000,
            _openvpn_time(since[index]), since[index]))
    lines += ["GLOBAL_STATS,Max bcast/mcast queue length,0", "GLOBAL_STATS,dco_enabled,0", "END", ""]
    return "\n".join(lines)

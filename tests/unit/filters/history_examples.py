# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Realistic report snapshots for the history filters (tunnel_events, traffic_rates,
tunnel_flaps, rate_alerts).

Facts are parsed from vendor text written the way the devices print it - strongSwan's
`swanctl --list-conns` / `--list-sas` text form, an OpenVPN 2.6 status (version 2) and
WireGuard's `wg show all dump` - so a test changes the device (a rekey with new SPIs and fresh
counters, a tunnel going down, a client reconnecting) and the parser builds the facts, as in
production. The emulator vendors' examples (filter_examples) cover the other platforms.
"""

from __future__ import annotations


import copy

from ansible_collections.vpnops.tunnels.plugins.module_utils import model
from ansible_collections.vpnops.tunnels.plugins.module_utils.parsers import (
    openvpn,
    parse_outputs,
    wireguard,
)

SCHEMA = "vpnops.tunnels/snapshot/1"
T0 = "2026-11-21T18:00:00Z"
T1 = "2026-11-21T18:05:00Z"   # 300 s later
INTERVAL = 300


def snapshot(taken_at, hosts, errors=None):
    """A SNAPSHOT as the report role keeps it."""
    return {"schema": SCHEMA, "taken_at": taken_at, "hosts": hosts, "errors": errors or {}}


def stamped(facts, collected_at):
    facts["collected_at"] = collected_at
    return facts


# --- strongSwan: swanctl text ----------------------------------------------------------------

def conn(name, remote, children):
    """One connection of `swanctl --list-conns`; children: [(name, local net, remote net)]."""
    lines = ["%s: IKEv2, no reauthentication, rekeying every 14400s, dpd delay 30s" % name,
             "  local:  192.0.2.1", "  remote: %s" % remote,
             "  local pre-shared key authentication:", "    id: gw1.example",
             "  remote pre-shared key authentication:", "    id: %s" % remote]
    for child, local_net, remote_net in children:
        lines += ["  %s: TUNNEL, rekeying every 3600s, dpd action is restart" % child,
                  "    local:  %s" % local_net, "    remote: %s" % remote_net]
    return "\n".join(lines) + "\n"


def child_sa(name, spi_in, spi_out, bytes_in, packets_in, bytes_out, packets_out,
             installed=600, state="INSTALLED", uniqueid=1, nets=("10.1.0.0/16", "10.2.0.0/16"),
             idle=(1, 0)):
    """One CHILD_SA of `swanctl --list-sas` (text form), with its counters as swanctl prints
    them; idle: seconds since the last inbound and outbound packet."""
    return "\n".join([
        "  %s: #%d, reqid %d, %s, TUNNEL, ESP:AES_GCM_16-256" % (name, uniqueid, uniqueid, state),
        "    installed %ds ago, rekeying in %ds, expires in %ds" % (
            installed, 3400 - installed, 3960 - installed),
        "    in  %s, %7d bytes, %5d packets, %5ds ago" % (spi_in, bytes_in, packets_in, idle[0]),
        "    out %s, %7d bytes, %5d packets, %5ds ago" % (spi_out, bytes_out, packets_out, idle[1]),
        "    local  %s" % nets[0],
        "    remote %s" % nets[1],
    ])


def ike_sa(name, remote, children, state="ESTABLISHED", uniqueid=1, spis=("9b13cc5c0ec9b1b5", "1e2b1b0a23d8a0ba")):
    """One IKE_SA of `swanctl --list-sas` (text form) with its CHILD_SA texts."""
    lines = ["%s: #%d, %s, IKEv2, %s_i* %s_r" % (name, uniqueid, state, spis[0], spis[1]),
             "  local  'gw1.example' @ 192.0.2.1[4500]",
             "  remote '%s' @ %s[4500]" % (remote, remote),
             "  AES_GCM_16-256/PRF_HMAC_SHA2_256/CURVE_25519",
             "  established 1800s ago, rekeying in 12000s"]
    return "\n".join(lines + list(children)) + "\n"


def strongswan(host, collected_at, conns, sas):
    """A strongSwan gateway's facts from its swanctl texts, collected at the given time."""
    facts = parse_outputs("strongswan", {"swanctl --list-conns": conns, "swanctl --list-sas": sas},
                          hostname=host)
    return stamped(facts, collected_at)


# --- OpenVPN: a server's status (version 2) ------------------------------------------------------

STATUS_HEADER = ("HEADER,CLIENT_LIST,Common Name,Real Address,Virtual Address,Virtual IPv6 Address,"
                 "Bytes Received,Bytes Sent,Connected Since,Connected Since (time_t),Username,"
                 "Client ID,Peer ID,Data Channel Cipher")


def status_client(name, address, virtual, bytes_in, bytes_out, since_epoch, client_id):
    since = model.epoch_to_iso(since_epoch).replace("T", " ").rstrip("Z")
    return "CLIENT_LIST,%s,%s:41822,%s,,%d,%d,%s,%d,UNDEF,%d,%d,AES-256-GCM" % (
        name, address, virtual, bytes_in, bytes_out, since, since_epoch, client_id, client_id)


def openvpn_server(host, collected_at, now_epoch, clients, expected=()):
    """An OpenVPN server's facts from its status file (the clients' CLIENT_LIST rows); the
    expected clients that are not listed are added DOWN, as vpn_facts' openvpn_clients does."""
    text = "\n".join(["TITLE,OpenVPN 2.6.9 x86_64-pc-linux-gnu [SSL (OpenSSL)] [LZO] [LZ4] [EPOLL]",
                      "TIME,%s,%d" % (model.epoch_to_iso(now_epoch).replace("T", " ").rstrip("Z"),
                                      now_epoch),
                      STATUS_HEADER] + list(clients) + ["GLOBAL_STATS,Max bcast/mcast queue length,0",
                                                        "END", ""])
    facts = parse_outputs("openvpn", {"cat /run/openvpn-server/status-server.log": text},
                          hostname=host)
    openvpn.apply_options(facts["tunnels"], {"openvpn_clients": list(expected)})
    return stamped(facts, collected_at)


# --- WireGuard: wg show all dump -----------------------------------------------------------------

def wg_peer(interface, key, endpoint, allowed, handshake_epoch, rx, tx):
    return "\t".join([interface, key, "(none)", endpoint, allowed, str(handshake_epoch), str(rx),
                      str(tx), "25"])


def wireguard_host(host, collected_at, now_epoch, peers):
    """A WireGuard host's facts from `wg show all dump` (keys blanked as vpn_facts does)."""
    text = "\n".join(["wg0\t(hidden)\tIFACEPUBLICKEYwg0AAAAAAAAAAAAAAAAAAAAAAAAAAA=\t51820\toff"]
                     + list(peers)) + "\n"
    facts = model.new_device("wireguard", hostname=host, collected_at=collected_at)
    facts["commands"].append("wg show all dump")
    facts["tunnels"] = wireguard.parse("wg show all dump", text, now=now_epoch)
    return facts


def epoch_of(stamp):
    import datetime
    return int(datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp())


# --- changing copies -------------------------------------------------------------------------------

def moved(facts, collected_at):
    """A copy of facts, collected at another time (nothing else changed)."""
    return stamped(copy.deepcopy(facts), collected_at)


def find(facts, name):
    """The tunnel of that name in the facts (the first SA of it)."""
    for tunnel in facts["tunnels"]:
        if tunnel["name"] == name:
            return tunnel
    raise KeyError(name)

"""Emulated Cisco IOS-XE: crypto sessions, IKEv2/ISAKMP SAs and IPsec SAs as IOS prints them.

The layouts follow the real outputs in ../shared/fixtures/real-outputs/cisco_ios (IOS-XE 16/17:
show crypto session detail, show crypto ikev2 sa detail, show crypto isakmp sa [detail],
show crypto ipsec sa). The device holds collection model tunnels; everything IOS shows is
derived from them:
- a tunnel with one IPsec flow is a tunnel-protection interface Tunnel<N> (N = its position
  on the device), a tunnel with several flows a peer of crypto map CMAP on GigabitEthernet1;
- the session status comes from the tunnel state and its children (UP-ACTIVE, UP-IDLE,
  UP-NO-IKE, DOWN-NEGOTIATING when ike.negotiation is set, DOWN);
- child SPIs, counters and transforms fill the flow's SA lists.
"""

from __future__ import annotations

import hashlib
import ipaddress

from ansible_collections.vpnops.tunnels.plugins.module_utils import model

PLATFORM = "cisco_ios"
NETMIKO_DEVICE_TYPE = "cisco_ios"

# Fields the gathered commands carry, for the integration tests. The IKE SA fields (ids,
# initiator, algorithms, NAT-T, DPD, lifetime) come from the IKE SA tables: while a reset tunnel
# renegotiates (reset_delay) IOS shows no IKE SA, so they read None although the device keeps
# them. Tunnel native_state is left out: IOS shows DOWN for a reset tunnel, the device None.
REPORTED = {
    "tunnel": ("name", "state", "configured"),
    "ike": ("version", "sa_id", "native_state", "local.address", "local.port", "local.id",
            "remote.address", "remote.port", "remote.id", "initiator", "initiator_spi",
            "responder_spi", "algorithms.encryption", "algorithms.key_size",
            "algorithms.integrity", "algorithms.prf", "algorithms.dh_group",
            "rekey_interval_seconds", "nat_t", "dpd", "negotiation", "virtual_ips.local",
            "virtual_ips.remote"),
    "child": ("name", "sa_id", "state", "native_state", "configured", "mode", "protocol",
              "encapsulation", "spi_in", "spi_out", "algorithms.encryption",
              "algorithms.key_size", "algorithms.integrity", "algorithms.dh_group",
              "packets_in", "packets_out", "local_ts", "remote_ts"),
}

CRYPTO_MAP_INTERFACE = "GigabitEthernet1"
_KB_LIFETIME = 4608000  # IOS's default IPsec SA volume lifetime, counted down in the outputs


def render(device, command):
    renderer = _RENDERERS.get(" ".join(command.lower().split()))
    return renderer(device.state()) if renderer else None


def reset(device, command):
    """clear crypto session [remote A] | sa [peer A] | ikev2 sa [remote A] | isakmp [CONN-ID].
    IOS answers these with nothing but the next prompt."""
    found = _reset_target(command.lower().split())
    if found is None:
        return None
    predicate, scope = found
    device.take_down(command, predicate, scope)
    return ""


def _reset_target(words):
    """(predicate, scope) of a clear command, or None when it is not one of ours."""
    if words[:3] == ["clear", "crypto", "session"]:
        return _peer_filter(words[3:], "remote"), "tunnel"
    if words[:3] == ["clear", "crypto", "sa"]:  # IPsec SAs only: the IKE SA stays
        return _peer_filter(words[3:], "peer"), "child"
    if words[:4] == ["clear", "crypto", "ikev2", "sa"]:  # IKEv2 children go with their IKE SA
        peer = _peer_filter(words[4:], "remote")
        return (lambda tunnel: tunnel["ike"]["version"] == 2 and peer(tunnel)), "tunnel"
    if words[:3] == ["clear", "crypto", "isakmp"] and len(words) <= 4:
        wanted = words[3] if len(words) == 4 else None
        return (lambda tunnel: tunnel["ike"]["version"] == 1 and tunnel["ike"]["sa_id"] is not None
                and wanted in (None, tunnel["ike"]["sa_id"])), "tunnel"
    return None


def _peer_filter(rest, keyword):
    if not rest:
        return lambda tunnel: True
    if len(rest) == 2 and rest[0] == keyword:
        return lambda tunnel: (tunnel["ike"]["remote"]["address"] or "").lower() == rest[1]
    return lambda tunnel: False


# --- what IOS derives from a tunnel -----------------------------------------------------------

def _session_status(tunnel):
    installed = any(child["state"] == "INSTALLED" for child in tunnel["children"])
    if tunnel["state"] == "ESTABLISHED":
        return "UP-ACTIVE" if installed else "UP-IDLE"
    if tunnel["state"] == "UP":
        return "UP-NO-IKE"
    if tunnel["state"] == "REKEYING":
        return "UP-NEGOTIATING"
    return "DOWN-NEGOTIATING" if tunnel["ike"]["negotiation"] else "DOWN"


def _ike_up(tunnel):
    return tunnel["ike"]["native_state"] in ("READY", "QM_IDLE")


def _interface(position, tunnel):
    return "Tunnel%d" % (position + 1) if len(_flows(tunnel)) == 1 else CRYPTO_MAP_INTERFACE


def _flows(tunnel):
    """Children by flow name, the current SA pair first: a REKEYED child joins its flow as a
    further SA pair."""
    flows = {}
    for child in tunnel["children"]:
        flows.setdefault(child["name"], []).append(child)
    return [sorted(flow, key=lambda child: child["state"] == "REKEYED") for flow in flows.values()]


def _clock(seconds):
    seconds = seconds or 0
    return "%02d:%02d:%02d" % (seconds // 3600, seconds % 3600 // 60, seconds % 60)


def _uptime(seconds):
    """IOS's uptime: hh:mm:ss for a day, then 1d02h, then 2w3d."""
    if seconds < 86400:
        return _clock(seconds)
    days, hours = seconds // 86400, seconds % 86400 // 3600
    return "%dd%02dh" % (days, hours) if days < 7 else "%dw%dd" % (days // 7, days % 7)


def _port(tunnel, side):
    return tunnel["ike"][side]["port"] or 500


# --- show crypto session detail ----------------------------------------------------------------

_SESSION_LEGEND = """Crypto session current status

Code: C - IKE Configuration mode, D - Dead Peer Detection
K - Keepalives, N - NAT-traversal, T - cTCP encapsulation
X - IKE Extended Authentication, F - IKE Fragmentation
R - IKE Auto Reconnect, U - IKE Dynamic Route Update
S - SIP VPN
"""


def _session_detail(tunnels):
    blocks = [_SESSION_LEGEND]
    for position, tunnel in enumerate(tunnels):
        blocks.append(_session_block(position, tunnel))
    return "\n".join(blocks)


def _session_block(position, tunnel):
    ike = tunnel["ike"]
    lines = ["Interface: %s" % _interface(position, tunnel)]
    if ike["version"] == 2:
        lines.append("Profile: IKEV2-PROFILE")
    if _ike_up(tunnel) and ike["established_seconds"] is not None:
        lines.append("Uptime: %s" % _uptime(ike["established_seconds"]))
    lines += [
        "Session status: %s" % _session_status(tunnel),
        "Peer: %s port %d fvrf: (none) ivrf: (none)" % (ike["remote"]["address"],
                                                        _port(tunnel, "remote")),
        "      Phase1_id: %s" % (ike["remote"]["id"] or "(none)"),
        "      Desc: (none)",
    ]
    if ike["version"] is not None:
        lines += _session_ike_sa(tunnel)
    for flow in _flows(tunnel):
        lines += _session_flow(flow[0])
    return "\n".join(lines) + "\n"


def _session_ike_sa(tunnel):
    ike = tunnel["ike"]
    label = "IKEv%d SA: local %s/%d remote %s/%d" % (
        ike["version"], ike["local"]["address"], _port(tunnel, "local"),
        ike["remote"]["address"], _port(tunnel, "remote"))
    if not _ike_up(tunnel):
        return ["  Session ID: 0", "  %s Inactive" % label,
                "          Capabilities:(none) connid:0 lifetime:0"]
    capabilities = ("D" if ike["dpd"] else "") + (
        "N" if ike["nat_t"] in ("local", "remote", "both") else "")
    return ["  Session ID: %s" % ike["sa_id"], "  %s Active" % label,
            "          Capabilities:%s connid:%s lifetime:%s" % (
                capabilities or "(none)", ike["sa_id"], _clock(ike["rekey_seconds"]))]


def _session_flow(child):
    installed = child["state"] == "INSTALLED"
    life = "%d/%d" % (_KB_LIFETIME, child["lifetime_seconds"] or 0) if installed else "0/0"
    return [
        "  IPSEC FLOW: permit %s %s %s" % (_acl_protocol(child["local_ts"][0]),
                                           _acl_address(child["local_ts"][0]),
                                           _acl_address(child["remote_ts"][0])),
        "        Active SAs: %d, origin: crypto map" % (2 if installed else 0),
        "        Inbound:  #pkts dec'ed %d drop 0 life (KB/Sec) %s" % (child["packets_in"] or 0, life),
        "        Outbound: #pkts enc'ed %d drop 0 life (KB/Sec) %s" % (child["packets_out"] or 0, life),
    ]


def _split_selector(selector):
    """'198.51.100.0/24[47]' -> ('198.51.100.0', 24, '47')."""
    network, _bracket, protocol = selector.partition("[")
    address, prefix = network.split("/")
    return address, int(prefix), protocol.rstrip("]") or "0"


def _acl_protocol(selector):
    protocol = _split_selector(selector)[2]
    return "ip" if protocol == "0" else protocol


def _acl_address(selector):
    address, prefix, _protocol = _split_selector(selector)
    if prefix == 32:
        return "host %s" % address
    return "%s/%s" % (address, _mask(prefix))


def _mask(prefix):
    return str(ipaddress.IPv4Network("0.0.0.0/%d" % prefix).netmask)


# --- show crypto ikev2 sa detail ----------------------------------------------------------------

_IKEV2_STATUS = {"ESTABLISHED": "READY", "CONNECTING": "IN-NEG", "DELETING": "DELETE"}


def _ikev2_sa_detail(tunnels):
    ikev2 = [tunnel for tunnel in tunnels
             if tunnel["ike"]["version"] == 2 and tunnel["ike"]["sa_id"] is not None]
    ipv4 = [tunnel for tunnel in ikev2 if ":" not in tunnel["ike"]["remote"]["address"]]
    ipv6 = [tunnel for tunnel in ikev2 if ":" in tunnel["ike"]["remote"]["address"]]
    lines = [" IPv4 Crypto IKEv2  SA", ""]
    for tunnel in ipv4:
        lines += _ikev2_block(tunnel, ipv6=False)
    lines += [" IPv6 Crypto IKEv2  SA", ""]
    for tunnel in ipv6:
        lines += _ikev2_block(tunnel, ipv6=True)
    return "\n".join(lines) + "\n"


def _ikev2_block(tunnel, ipv6):
    ike = tunnel["ike"]
    status = ike["native_state"] or _IKEV2_STATUS.get(tunnel["state"], "IN-NEG")
    local = "%s/%d" % (ike["local"]["address"], _port(tunnel, "local"))
    remote = "%s/%d" % (ike["remote"]["address"], _port(tunnel, "remote"))
    if ipv6:
        lines = ["Tunnel-id    fvrf/ivrf              Status",
                 "%-10s %-21s %s" % (ike["sa_id"], "none/none", status),
                 "Local  %s" % local, "Remote  %s" % remote]
    else:
        lines = ["Tunnel-id Local                 Remote                fvrf/ivrf            Status",
                 "%-9s %-21s %-21s %-20s %-6s" % (ike["sa_id"], local, remote, "none/none", status)]
    lines += ["      %s" % line for line in _ikev2_details(tunnel, status)]
    return lines + [""]


def _ikev2_details(tunnel, status):
    ike = tunnel["ike"]
    algorithms = ike["algorithms"]
    ours, theirs = ((ike["initiator_spi"], ike["responder_spi"]) if ike["initiator"] is not False
                    else (ike["responder_spi"], ike["initiator_spi"]))
    negotiation = ike["negotiation"]
    description = negotiation["step"] if negotiation else "Negotiation done"
    dpd = ike["dpd"]["delay"] if ike["dpd"] else 0
    return [
        "Encr: %s, keysize: %d, PRF: %s, Hash: %s, DH Grp:%s, Auth sign: PSK, Auth verify: PSK" % (
            algorithms["encryption"], algorithms["key_size"], algorithms["prf"],
            algorithms["integrity"] or "None", (algorithms["dh_group"] or "group0")[5:]),
        "Life/Active Time: %d/%d sec" % (ike["rekey_interval_seconds"] or 86400,
                                         ike["established_seconds"] or 0),
        "CE id: 0, Session-id: %s" % ike["sa_id"],
        "Status Description: %s" % description,
        "Local spi: %-22s Remote spi: %s" % ((ours or "0" * 16).upper(), (theirs or "0" * 16).upper()),
        "Local id: %s" % (ike["local"]["id"] or ike["local"]["address"]),
        "Remote id: %s" % (ike["remote"]["id"] or ike["remote"]["address"]),
        "Local req msg id:  2              Remote req msg id:  0",
        "Local next msg id: 2              Remote next msg id: 0",
        "Local req queued:  2              Remote req queued:  0",
        "Local window:      5              Remote window:      5",
        "DPD configured for %d seconds, retry %d" % (dpd, 2 if dpd else 0),
        "Fragmentation not  configured.",
        "Dynamic Route Update: disabled",
        "Extended Authentication not configured.",
        "NAT-T is %s" % {"local": "detected inside", "remote": "detected outside",
                         "both": "detected inside"}.get(ike["nat_t"], "not detected"),
        "Cisco Trust Security SGT is disabled",
        "Initiator of SA : %s" % ("No" if ike["initiator"] is False else "Yes"),
    ] + ["Pushed IP address: %s" % address for address in ike["virtual_ips"]["local"]] + [
        "Assigned host addr: %s" % address for address in ike["virtual_ips"]["remote"]]


# --- show crypto isakmp sa [detail] --------------------------------------------------------------

_ISAKMP_LEGEND = """Codes: C - IKE configuration mode, D - Dead Peer Detection
       K - Keepalives, N - NAT-traversal
       T - cTCP encapsulation, X - IKE Extended Authentication
       psk - Preshared key, rsig - RSA signature
       renc - RSA encryption"""


def _isakmp_sas(tunnels):
    return [tunnel for tunnel in tunnels
            if tunnel["ike"]["version"] == 1 and tunnel["ike"]["sa_id"] is not None]


def _isakmp(tunnels):
    lines = ["IPv4 Crypto ISAKMP SA", "dst             src             state          conn-id status"]
    for tunnel in _isakmp_sas(tunnels):
        ike = tunnel["ike"]
        here, there = ike["local"]["address"], ike["remote"]["address"]
        dst, src = (here, there) if ike["initiator"] is False else (there, here)  # src initiated
        row = (dst, src, ike["native_state"], ike["sa_id"])
        lines.append("%-15s %-15s %-15s %6s ACTIVE" % row)
    return "\n".join(lines + ["", "IPv6 Crypto ISAKMP SA", ""])


def _isakmp_detail(tunnels):
    lines = [_ISAKMP_LEGEND, "IPv4 Crypto ISAKMP SA", "",
             "C-id  Local           Remote          I-VRF  Status Encr Hash   Auth DH Lifetime Cap.",
             ""]
    for tunnel in _isakmp_sas(tunnels):
        ike = tunnel["ike"]
        algorithms = ike["algorithms"]
        lines += ["%-5s %-15s %-15s %-6s %-6s %-4s %-6s %-4s %-2s %s %s" % (
            ike["sa_id"], ike["local"]["address"], ike["remote"]["address"], "", "ACTIVE",
            algorithms["encryption"], algorithms["integrity"], "psk",
            (algorithms["dh_group"] or "group0")[5:], _clock(ike["rekey_seconds"]),
            "D" if ike["dpd"] else ""),
            "       Engine-id:Conn-id =  SW:%s" % ike["sa_id"], ""]
    return "\n".join(lines + ["IPv6 Crypto ISAKMP SA", ""])


# --- show crypto ipsec sa -------------------------------------------------------------------------

def _ipsec_sa(tunnels):
    by_interface = {}
    for position, tunnel in enumerate(tunnels):
        by_interface.setdefault(_interface(position, tunnel), []).append(tunnel)
    blocks = []
    for interface, members in by_interface.items():
        tag = "CMAP" if interface == CRYPTO_MAP_INTERFACE else "%s-head-0" % interface
        lines = ["", "interface: %s" % interface,
                 "    Crypto map tag: %s, local addr %s" % (tag, members[0]["ike"]["local"]["address"])]
        for tunnel in members:
            for flow in _flows(tunnel):
                lines += _ipsec_flow(tunnel, flow, tag)
        blocks.append("\n".join(lines))
    return "\n".join(blocks) + "\n"


def _ipsec_flow(tunnel, flow, tag):
    ike, current = tunnel["ike"], flow[0]
    installed = [child for child in flow if child["spi_in"] or child["spi_out"]]
    group = current["algorithms"]["dh_group"]
    lines = [
        "",
        "   protected vrf: (none)",
        "   local  ident (addr/mask/prot/port): (%s)" % _ident(current["local_ts"][0]),
        "   remote ident (addr/mask/prot/port): (%s)" % _ident(current["remote_ts"][0]),
        "   current_peer %s port %d" % (ike["remote"]["address"], _port(tunnel, "remote")),
        "     PERMIT, flags={origin_is_acl,}",
    ] + _ipsec_counters(current) + [
        "",
        "     local crypto endpt.: %s, remote crypto endpt.: %s" % (
            ike["local"]["address"], ike["remote"]["address"]),
        "     plaintext mtu 1438, path mtu 1500, ip mtu 1500, ip mtu idb %s" % CRYPTO_MAP_INTERFACE,
        "     current outbound spi: %s" % _spi_text(current["spi_out"] if installed else None),
        "     PFS (Y/N): %s, DH group: %s" % ("Y" if group else "N", group or "none"),
    ]
    for direction in ("inbound", "outbound"):
        lines += ["", "     %s esp sas:" % direction]
        for child in installed:
            lines += _ipsec_sa_entry(child, direction, tag)
        lines += ["", "     %s ah sas:" % direction, "", "     %s pcp sas:" % direction]
    return lines


def _ipsec_counters(child):
    encaps, decaps = child["packets_out"] or 0, child["packets_in"] or 0
    return [
        "    #pkts encaps: %d, #pkts encrypt: %d, #pkts digest: %d" % (encaps, encaps, encaps),
        "    #pkts decaps: %d, #pkts decrypt: %d, #pkts verify: %d" % (decaps, decaps, decaps),
        "    #pkts compressed: 0, #pkts decompressed: 0",
        "    #pkts not compressed: 0, #pkts compr. failed: 0",
        "    #pkts not decompressed: 0, #pkts decompress failed: 0",
        "    #send errors 0, #recv errors 0",
    ]


def _ident(selector):
    address, prefix, protocol = _split_selector(selector)
    return "%s/%s/%s/0" % (address, _mask(prefix), protocol)


def _spi_text(spi):
    """IOS prints SPIs in upper case without leading zeros, with their decimal value."""
    value = int(spi, 16) if spi else 0
    return "0x%X(%d)" % (value, value)


def _ipsec_sa_entry(child, direction, tag):
    spi = child["spi_in"] if direction == "inbound" else child["spi_out"]
    conn = int(child["sa_id"] or 0) + (direction == "outbound")
    settings = child["mode"].capitalize() + (" UDP-Encaps" if child["encapsulation"] else "")
    return [
        "      spi: %s" % _spi_text(spi),
        "        transform: %s ," % _transform(child["algorithms"]),
        "        in use settings ={%s, }" % settings,
        "        conn id: %d, flow_id: SW:%d, sibling_flags 80000040, crypto map: %s" % (
            conn, conn % 1000, tag),
        "        sa timing: remaining key lifetime (k/sec): (%d/%d)" % (
            _KB_LIFETIME, child["lifetime_seconds"] or 0),
        "        IV size: 16 bytes",
        "        replay detection support: Y",
        "        Status: %s" % (child["native_state"] or "ACTIVE(ACTIVE)"),
    ]


def _transform(algorithms):
    """esp-aes 256 -> 'esp-256-aes'; esp-gcm 256 -> 'esp-gcm 256' (IOS names them so)."""
    cipher, size = algorithms["encryption"], algorithms["key_size"]
    if size and cipher == "esp-aes":
        cipher = "esp-%d-aes" % size
    elif size:
        cipher = "%s %d" % (cipher, size)
    return " ".join(part for part in (cipher, algorithms["integrity"]) if part)


_RENDERERS = {
    "show crypto session detail": _session_detail,
    "show crypto ikev2 sa detail": _ikev2_sa_detail,
    "show crypto isakmp sa detail": _isakmp_detail,
    "show crypto isakmp sa": _isakmp,
    "show crypto ipsec sa": _ipsec_sa,
}


# --- example devices -------------------------------------------------------------------------------

def example_tunnels(index):
    """Per device: healthy IKEv2 tunnels (one behind NAT, one answering), a crypto-map peer
    with one flow down, and a configured peer that is down: DOWN-NEGOTIATING in IKEv1 main
    mode on even devices, plainly DOWN plus an IKEv1 UP-NO-IKE tunnel on odd ones."""
    here = "198.51.100.%d" % (1 + index)
    base = 10 + 20 * index
    tunnels = [
        _ikev2_tunnel(index, 0, here, "203.0.113.%d" % base, [_vti_child(index, 0)]),
        _ikev2_tunnel(index, 1, here, "203.0.113.%d" % (base + 1), [_vti_child(index, 1)],
                      nat="local", initiator=False),
        _ikev2_tunnel(index, 2, here, "198.18.%d.1" % index, [
            _subnet_child(index, 2, "192.0.2.%d/28" % (16 * (index % 8)),
                          "198.19.%d.0/24" % index),
            _down_child("192.0.2.%d/28" % (16 * (index % 8) + 128), "198.19.%d.0/24" % (index + 100)),
        ]),
    ]
    if index % 2 == 0:
        tunnels.append(_negotiating_ikev1_tunnel(index, here, "203.0.113.%d" % (base + 2)))
    else:
        tunnels.append(_down_tunnel(here, "203.0.113.%d" % (base + 2)))
        tunnels.append(_no_ike_tunnel(index, here, "203.0.113.%d" % (base + 3)))
    return tunnels


def _hex(seed, digits):
    """A deterministic SPI that does not start with 0 (IOS drops leading zeros)."""
    digest = hashlib.sha256(b"cisco_ios %d" % seed).hexdigest()
    return "%x%s" % (8 + int(digest[0], 16) % 8, digest[1:digits])


def _configured_tunnel(peer, state, native):
    tunnel = model.new_tunnel(peer, "ipsec", state, native)
    tunnel["configured"] = True
    tunnel["ike"]["remote"] = model.new_endpoint(peer, 500)
    return tunnel


def _ikev2_tunnel(index, number, here, peer, children, nat="none", initiator=True):
    tunnel = _configured_tunnel(peer, "ESTABLISHED", "UP-ACTIVE")
    tunnel["status_message"] = "UP-ACTIVE"
    port = 4500 if nat != "none" else 500
    seed = 100 * index + number
    established = 3600 + 60 * (seed % 1000)
    ike = tunnel["ike"]
    ike.update(
        version=2, sa_id=str(1 + seed), native_state="READY", initiator=initiator,
        local=model.new_endpoint(here, port, "gw%d.example.net" % index),
        remote=model.new_endpoint(peer, port, "peer%d.example.net" % seed),
        initiator_spi=_hex(4 * seed, 16), responder_spi=_hex(4 * seed + 1, 16),
        algorithms=model.new_algorithms("AES-CBC", 256, "SHA256", "SHA256", "group19"),
        established_seconds=established, rekey_interval_seconds=86400,
        rekey_seconds=86400 - established, nat_t=nat,
        dpd={"delay": 10, "timeout": None, "action": None})
    for child in children:
        if child["state"] == "INSTALLED":
            child["encapsulation"] = nat != "none"
    tunnel["children"] = children
    return tunnel


def _installed_child(seed, local_ts, remote_ts, mode="TUNNEL"):
    child = model.new_child("%s === %s" % (local_ts, remote_ts), "INSTALLED", "ACTIVE(ACTIVE)")
    child.update(
        sa_id=str(2000 + 2 * seed), configured=True, mode=mode, protocol="ESP",
        encapsulation=False, spi_in=_hex(4 * seed + 2, 8), spi_out=_hex(4 * seed + 3, 8),
        algorithms=model.new_algorithms("esp-aes", 256, "esp-sha256-hmac"),
        bytes_in=120000 + 1000 * seed, bytes_out=90000 + 1000 * seed,
        packets_in=1200 + 10 * seed, packets_out=900 + 10 * seed,
        lifetime_seconds=3000 - seed % 1000, local_ts=[local_ts], remote_ts=[remote_ts])
    return child


def _vti_child(index, number):
    return _installed_child(100 * index + number, "0.0.0.0/0", "0.0.0.0/0")


def _subnet_child(index, number, local_ts, remote_ts):
    child = _installed_child(100 * index + number, local_ts, remote_ts)
    child["algorithms"] = model.new_algorithms("esp-gcm", 256, dh_group="group19")
    return child


def _down_child(local_ts, remote_ts):
    child = model.new_child("%s === %s" % (local_ts, remote_ts), "DOWN")
    child.update(configured=True, local_ts=[local_ts], remote_ts=[remote_ts])
    return child


def _negotiating_ikev1_tunnel(index, here, peer):
    """A configured IKEv1 peer stuck in main mode key exchange (e.g. a wrong pre-shared key)."""
    tunnel = _configured_tunnel(peer, "DOWN", "DOWN-NEGOTIATING")
    tunnel["status_message"] = "DOWN-NEGOTIATING"
    ike = tunnel["ike"]
    ike.update(version=1, sa_id=str(1900 + index), native_state="MM_KEY_EXCH",
               local=model.new_endpoint(here, 500),
               algorithms=model.new_algorithms("aes", integrity="sha", dh_group="group14"),
               negotiation=model.new_negotiation(1, "MM_KEY_EXCH"))
    tunnel["children"] = [_down_child("%s/32[47]" % here, "%s/32[47]" % peer)]
    return tunnel


def _down_tunnel(here, peer):
    """A configured IKEv2 peer with no SA and no negotiation under way."""
    tunnel = _configured_tunnel(peer, "DOWN", "DOWN")
    tunnel["status_message"] = "DOWN"
    tunnel["ike"].update(version=2, local=model.new_endpoint(here, 500))
    tunnel["children"] = [_down_child("0.0.0.0/0", "0.0.0.0/0")]
    return tunnel


def _no_ike_tunnel(index, here, peer):
    """GRE over IPsec (IKEv1) whose ISAKMP SA expired while its IPsec SAs still carry traffic."""
    tunnel = _configured_tunnel(peer, "UP", "UP-NO-IKE")
    tunnel["status_message"] = "UP-NO-IKE"
    ike = tunnel["ike"]
    ike.update(version=1, local=model.new_endpoint(here, 500),
               negotiation=model.new_negotiation(2, "UP-NO-IKE"))
    tunnel["children"] = [_installed_child(100 * index + 50, "%s/32[47]" % here,
                                           "%s/32[47]" % peer, mode="TRANSPORT")]
    return tunnel

"""VyOS 1.4+: `show vpn ipsec connections`, `show vpn ike sa`, `show vpn ipsec sa`,
`show openvpn server` and `show interfaces wireguard IF summary` rendered from the device's
tunnels, and the `reset vpn ipsec ...` commands.

The layouts are vyos-1x's op-mode (src/op_mode/ipsec.py, vpn_ike_sa.py, openvpn.py: Python
`tabulate` tables and printf blocks), as in ../shared/fixtures/real-outputs/vyos. Tunnels are
site-to-site peers named like VyOS names them (`<peer>`, children `<peer>-tunnel-N` or
`<peer>-vti`); an OpenVPN server tunnel is named by its interface (`vtun10`); a WireGuard
peer `<interface>:<public key>`.
"""

from __future__ import annotations

import re

from ansible_collections.vpnops.tunnels.plugins.module_utils import model

PLATFORM = "vyos"
NETMIKO_DEVICE_TYPE = "vyos"

# What the gathered commands carry, so integration tests compare exactly these. Counters
# are printed rounded (17K, 4.7 KB) and read as lower bounds; times and countdowns move
# between reads and are left out. IKE addresses, ids and algorithms other than the version
# and the remote address come from the live IKE SA (absent while a peer is down).
REPORTED = {
    "tunnel": ("name", "state", "configured"),
    "ike": ("version", "local.address", "local.id", "remote.address", "remote.id",
            "algorithms.encryption", "algorithms.key_size", "algorithms.integrity",
            "algorithms.dh_group", "nat_t"),
    "child": ("name", "state", "configured", "bytes_in", "bytes_out", "packets_in",
              "packets_out", "algorithms.encryption", "algorithms.key_size",
              "algorithms.integrity", "algorithms.dh_group", "local_ts", "remote_ts"),
    "openvpn_client": ("common_name", "real_address", "real_port", "virtual_address",
                       "bytes_in", "bytes_out", "connected_since"),
}

_IKE_PEER_PREFIX = ("Peer ID / IP                            Local ID / IP               \n"
                    "------------                            -------------")
_IKE_TUNNEL_PREFIX = ("\n\n    State  IKEVer  Encrypt      Hash          D-H Group      NAT-T  "
                      "A-Time  L-Time\n    -----  ------  -------      ----          ---------"
                      "      -----  ------  ------")


# --- render ---------------------------------------------------------------------------------

def render(device, command):
    text = " ".join(command.replace("| no-more", "").split())
    tunnels = device.state()
    ipsec = [tunnel for tunnel in tunnels if tunnel["type"] == "ipsec"]
    if text == "show vpn ipsec connections":
        return _connections(ipsec)
    if text == "show vpn ike sa":
        return _ike_sa(ipsec)
    if text == "show vpn ipsec sa":
        return _ipsec_sa(ipsec)
    if text == "show openvpn server":
        return _openvpn_server([tunnel for tunnel in tunnels if tunnel["type"] == "openvpn"])
    wireguard = re.match(r"^show interfaces wireguard (\S+) summary$", text)
    if wireguard:
        return _wireguard(wireguard.group(1), tunnels)
    return None


def _tabulate(headers, rows):
    """tabulate's 'simple' format as vyos-1x prints it: columns two spaces apart, each at
    least two wider than its header, multi-line cells on continuation lines."""
    cells = [[str(cell).split("\n") for cell in row] for row in rows]
    widths = [max([len(header) + 2] + [len(part) for row in cells for part in row[column]])
              for column, header in enumerate(headers)]
    lines = [_row_line(headers, widths), _row_line(["-" * width for width in widths], widths)]
    for row in cells:
        for depth in range(max(len(cell) for cell in row)):
            lines.append(_row_line([cell[depth] if depth < len(cell) else "" for cell in row],
                                   widths))
    return "\n".join(lines)


def _row_line(cells, widths):
    return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths)).rstrip()


def _natural(text):
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", text)]


def _has_ike_sa(tunnel):
    return tunnel["ike"]["native_state"] is not None


def _has_child_sa(child):
    return child["native_state"] is not None


def _up(flag):
    return "up" if flag else "down"


def _connections(tunnels):
    rows = []
    for tunnel in tunnels:
        ike = tunnel["ike"]
        remote = ike["remote"]["address"] or "-"
        ids = (ike["local"]["id"] or "-", ike["remote"]["id"] or "-")
        established = tunnel["state"] == "ESTABLISHED"
        rows.append([tunnel["name"], _up(established),
                     "IKEv%d" % ike["version"] if ike["version"] else "IKE", remote, "-", "-",
                     ids[0], ids[1], _split_proposal(ike["algorithms"]) if established else "-"])
        for child in tunnel["children"]:
            installed = child["state"] == "INSTALLED"
            rows.append([child["name"], _up(installed), "IPsec", remote,
                         "\n".join(child["local_ts"]), "\n".join(child["remote_ts"]),
                         ids[0], ids[1], _split_proposal(child["algorithms"]) if installed else "-"])
    return _tabulate(["Connection", "State", "Type", "Remote address", "Local TS", "Remote TS",
                      "Local id", "Remote id", "Proposal"], rows) + "\n"


def _split_proposal(algorithms):
    """ipsec.py: f'{cipher}_{mode}/{key_size}/{hash}/{dh}' from encr-alg split on '_'."""
    cipher_mode = "_".join((algorithms["encryption"] or "").split("_")[:2])
    return "%s/%s/%s/%s" % (cipher_mode, algorithms["key_size"], algorithms["integrity"],
                            algorithms["dh_group"])


def _ike_sa(tunnels):
    blocks = []
    for tunnel in tunnels:
        if not _has_ike_sa(tunnel):
            continue
        ike = tunnel["ike"]
        algorithms = ike["algorithms"]
        encryption = "%s_%s" % (algorithms["encryption"], algorithms["key_size"]) \
            if algorithms["encryption"] else "n/a"
        blocks.append("%s\n%-39s %-39s\n%s\n    %-6s %-6s  %-12s %-13s %-14s %-6s %-7s %-7s\n" % (
            _IKE_PEER_PREFIX, _host_and_id(ike["remote"]), _host_and_id(ike["local"]),
            _IKE_TUNNEL_PREFIX, _up(tunnel["state"] == "ESTABLISHED"), "IKEv%d" % ike["version"],
            encryption, algorithms["integrity"] or "n/a", algorithms["dh_group"] or "n/a",
            "yes" if ike["nat_t"] in ("local", "both") else "no",
            ike["established_seconds"] or 0, ike["rekey_seconds"] or 0))
    return "\n".join(blocks)


def _host_and_id(endpoint):
    if endpoint["id"] in (None, "%any"):
        return endpoint["address"]
    return "%s %s" % (endpoint["address"], endpoint["id"])


def _ipsec_sa(tunnels):
    rows = []
    for tunnel in tunnels:
        remote = tunnel["ike"]["remote"]
        for child in tunnel["children"]:
            if _has_child_sa(child):
                rows.append(_sa_row(child, remote))
    rows.sort(key=lambda row: _natural(row[0]))
    return _tabulate(["Connection", "State", "Uptime", "Bytes In/Out", "Packets In/Out",
                      "Remote address", "Remote ID", "Proposal"], rows) + "\n"


def _sa_row(child, remote):
    algorithms = child["algorithms"]
    proposal = "_".join(str(part) for part in (algorithms["encryption"], algorithms["key_size"])
                        if part)
    for part in (algorithms["integrity"], algorithms["dh_group"]):
        if part:
            proposal += "/" + part
    counters = "N/A", "N/A"
    if child["bytes_in"] is not None:
        counters = ("%s/%s" % (_traditional(child["bytes_in"]), _traditional(child["bytes_out"])),
                    "%s/%s" % (_si(child["packets_in"]), _si(child["packets_out"])))
    return [child["name"], _up(child["state"] == "INSTALLED"),
            _seconds_to_human(child["installed_seconds"] or 0), counters[0], counters[1],
            remote["address"], remote["id"] or "N/A", proposal or "N/A"]


def _traditional(count):
    """hurry.filesize.size(): whole units of 1024, floored ('17K', '840B')."""
    for power, suffix in ((5, "P"), (4, "T"), (3, "G"), (2, "M"), (1, "K")):
        if count >= 1024 ** power:
            return "%d%s" % (count // 1024 ** power, suffix)
    return "%dB" % count


def _si(count):
    """hurry.filesize.size(system=si) with the 'B' removed, as ipsec.py prints packets."""
    for power, suffix in ((5, "P"), (4, "T"), (3, "G"), (2, "M"), (1, "K")):
        if count >= 1000 ** power:
            return "%d%s" % (count // 1000 ** power, suffix)
    return "%d" % count


def _seconds_to_human(seconds):
    """vyos.utils.convert.seconds_to_human: '1w4d18h35m59s', '' for 0."""
    parts = []
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            parts.append("%d%s" % (seconds // size, unit))
            seconds %= size
    return "".join(parts)


def _openvpn_server(tunnels):
    if not tunnels:
        return "No OpenVPN interfaces configured\n"
    out = ""
    headers = ["Client CN", "Remote Host", "Tunnel IP", "Local Host", "TX bytes", "RX bytes",
               "Connected Since"]
    for tunnel in tunnels:
        rows = []
        for client in tunnel["openvpn"]["clients"]:
            out += "\nOpenVPN status on %s\n\n" % tunnel["name"]  # once per client, as vyos-1x
            rows.append([client["common_name"],
                         "%s:%s" % (client["real_address"], client["real_port"]),
                         client["virtual_address"] or "N/A", "N/A",
                         _bytes_to_human(client["bytes_out"]), _bytes_to_human(client["bytes_in"]),
                         (client["connected_since"] or "N/A").replace("T", " ").rstrip("Z")])
        if rows:
            out += _tabulate(headers, rows) + "\n"
    return out


def _bytes_to_human(count):
    """vyos.utils.convert.bytes_to_human(precision=1): '4.7 KB', '512.0 B', '0 B'."""
    if not count:
        return "0 B"
    for power, suffix in ((4, "TB"), (3, "GB"), (2, "MB"), (1, "KB")):
        if count >= 1024 ** power:
            return "%.1f %s" % (count / 1024 ** power, suffix)
    return "%.1f B" % count


def _wireguard(interface, tunnels):
    peers = [tunnel for tunnel in tunnels
             if tunnel["type"] == "wireguard" and tunnel["name"].startswith(interface + ":")]
    lines = ["interface: %s" % interface, "  public key: (emulated)", "  private key: (hidden)",
             "  listening port: 51820", ""]
    for peer in peers:
        lines.append("peer: %s" % peer["name"].split(":", 1)[1])
        if peer["state"] == "UP":
            lines.append("  latest handshake: 42 seconds ago")
        lines += ["  transfer: 0 B received, 0 B sent", ""]
    return "\n".join(lines)


# --- reset ----------------------------------------------------------------------------------

def reset(device, command):
    """`reset vpn ipsec-peer PEER` (1.2/1.3), `reset vpn ipsec site-to-site peer PEER` and
    `... site-to-site all` (1.4+): the peer's IKE SA and tunnels renegotiate."""
    words = command.split()
    if words[:3] == ["reset", "vpn", "ipsec-peer"] and len(words) == 4:
        return _reset_peer(device, command, words[3], legacy=True)
    if words[:5] == ["reset", "vpn", "ipsec", "site-to-site", "peer"] and len(words) == 6:
        return _reset_peer(device, command, words[5], legacy=False)
    if words == ["reset", "vpn", "ipsec", "site-to-site", "all"]:
        names = device.take_down(command, lambda tunnel: tunnel["type"] == "ipsec", "tunnel")
        return "".join("Peer %s terminate result: success\n" % name for name in names) + \
            "Peers reset result: success\n"
    return None


def _reset_peer(device, command, peer, legacy):
    def is_peer(tunnel):
        return tunnel["type"] == "ipsec" and (
            tunnel["name"] in (peer, "peer-%s" % peer) or tunnel["ike"]["remote"]["address"] == peer)

    names = device.take_down(command, is_peer, "tunnel")
    if legacy:
        return "Peer reset result: success\n" if names else \
            "Peer or tunnel(s) not found, aborting\n"
    if not names:
        return "WARNING: Peer's %s SAs are not initiated. Nothing to terminate\n" % peer
    return "Peer %s terminate result: success\nPeer %s initiate result: success\n" % (peer, peer)


# --- example tunnels ------------------------------------------------------------------------

def example_tunnels(index):
    """Device `index`: a healthy IKEv2 peer with two tunnels, a healthy IKEv1 VTI peer, a
    degraded peer (tunnel-1 without SA), a configured peer that is down; device 1 also runs
    an OpenVPN server with two clients. Local 203.0.113.x, peers 198.51.100.x."""
    local = "203.0.113.%d" % (30 + index)
    base = 20 * index + 40
    tunnels = [
        _example_peer("hq-%d" % index, local, "198.51.100.%d" % (base + 1), 2,
                      [("tunnel-0", "INSTALLED"), ("tunnel-1", "INSTALLED")], index),
        _example_peer("branch-%d" % index, local, "198.51.100.%d" % (base + 2), 1,
                      [("vti", "INSTALLED")], index),
        _example_peer("dc-%d" % index, local, "198.51.100.%d" % (base + 3), 2,
                      [("tunnel-0", "INSTALLED"), ("tunnel-1", "DOWN")], index),
        _example_peer("dr-%d" % index, local, "198.51.100.%d" % (base + 4), 2,
                      [("tunnel-0", "DOWN")], index, up=False),
    ]
    if index == 1:
        tunnels.append(_example_openvpn_server("vtun10", index))
    return tunnels


def _example_peer(name, local, remote, version, children, index, up=True):
    tunnel = model.new_tunnel(name, "ipsec", "ESTABLISHED" if up else "DOWN", _up(up))
    tunnel.update(configured=True, enabled=True)
    ike = tunnel["ike"]
    ike.update(version=version, local=model.new_endpoint(identity=local),
               remote=model.new_endpoint(remote, identity=remote))
    if up:  # the local address is only printed with a live IKE SA
        ike["local"]["address"] = local
        ike.update(native_state="up", established_seconds=1800, rekey_seconds=25000,
                   algorithms=model.new_algorithms("AES_CBC", 256, "HMAC_SHA2_256_128",
                                                   dh_group="MODP_2048"))
    octet = int(remote.rsplit(".", 1)[1])
    for position, (suffix, state) in enumerate(children):
        tunnel["children"].append(_example_child("%s-%s" % (name, suffix), state, octet, position, index))
    return tunnel


def _example_child(name, state, octet, position, index):
    installed = state == "INSTALLED"
    child = model.new_child(name, state, "up" if installed else None)
    child["configured"] = True
    child["local_ts"] = ["10.%d.%d.0/24" % (index, position)]
    child["remote_ts"] = ["10.%d.%d.0/24" % (100 + index, octet)]
    if installed:
        child.update(installed_seconds=900, bytes_in=500 + 4096 * octet, bytes_out=300 + 2048 * octet,
                     packets_in=5 + octet, packets_out=3 + octet,
                     algorithms=model.new_algorithms("AES_GCM_16", 256) if position else
                     model.new_algorithms("AES_CBC", 256, "HMAC_SHA2_256_128", dh_group="MODP_2048"))
    return child


def _example_openvpn_server(interface, index):
    tunnel = model.new_tunnel(interface, "openvpn", "UP")
    tunnel.update(configured=True, enabled=True, openvpn=model.new_openvpn("server"),
                  status_message="2 clients connected")
    for number in (1, 2):
        client = model.new_openvpn_client("client%d" % number)
        client.update(real_address="198.51.100.%d" % (200 + number), real_port=50000 + number,
                      virtual_address="10.23.%d.%d" % (index, 10 + number),
                      bytes_in=4800 * number, bytes_out=512 * number,
                      connected_since="2026-01-0%dT12:00:00Z" % number)
        tunnel["openvpn"]["clients"].append(client)
    return tunnel

"""PAN-OS: `show vpn flow|ike-sa|ipsec-sa` rendered from the device's tunnels, and the
`clear`/`test vpn ike-sa|ipsec-sa` commands.

The layouts follow the published outputs in ../shared/fixtures/real-outputs/paloalto_panos
(Cloudflare and Zscaler guides, VyOS docs for IKEv1). The model has no IKE gateway name or
tunnel interface, so both derive from the tunnel: gateway `<tunnel>-gw`, interface
`tunnel.<n>`, ids by position.
"""

from __future__ import annotations

import time
import zlib

from ansible_collections.vpnops.tunnels.plugins.module_utils import model

PLATFORM = "paloalto_panos"
NETMIKO_DEVICE_TYPE = "paloalto_panos"

# What the three gathered commands carry, so integration tests compare exactly these.
# Countdowns (remain-time) move between reads and are left out; IKE fields are shown only
# while the gateway has an IKE SA (`show vpn flow` has no IKE version); child SA ids only for
# IKEv2 (the IKEv1 phase-2 table has no id column).
REPORTED = {
    "tunnel": ("name", "state", "configured"),
    "ike": ("version", "sa_id", "initiator", "local.address", "remote.address",
            "algorithms.encryption", "algorithms.key_size", "algorithms.integrity",
            "algorithms.dh_group"),
    "child": ("name", "state", "protocol", "spi_in", "spi_out", "algorithms.encryption",
              "algorithms.key_size", "algorithms.integrity", "rekey_interval_seconds"),
}

_CIPHER_CODES = {("AES_CBC", 128): "A128", ("AES_CBC", 192): "A192", ("AES_CBC", 256): "A256",
                 ("AES_GCM_16", 128): "G128", ("AES_GCM_16", 256): "G256"}
_IKEV1_ESTABLISHED, _IKEV1_PHASE2_INSTALLED = "13", "9"


# --- render ---------------------------------------------------------------------------------

def render(device, command):
    words = command.split()
    if words[:2] != ["show", "vpn"] or len(words) < 3:
        return None
    tunnels = list(enumerate(device.state(), 1))
    if words[2:] == ["flow"]:
        return _flow(tunnels)
    if words[2] == "ike-sa":
        return _ike_sa(_only(tunnels, words, "gateway", _gateway))
    if words[2] == "ipsec-sa":
        return _ipsec_sa(_only(tunnels, words, "tunnel", lambda tunnel: tunnel["name"]))
    return None


def _only(tunnels, words, keyword, name_of):
    """`... gateway NAME` / `... tunnel NAME` filters to that gateway or tunnel."""
    if len(words) == 5 and words[3] == keyword:
        return [(number, tunnel) for number, tunnel in tunnels if name_of(tunnel) == words[4]]
    return tunnels


def _gateway(tunnel):
    return "%s-gw" % tunnel["name"]


def _has_ike_sa(tunnel):
    return tunnel["ike"]["native_state"] is not None


def _live_children(tunnel):
    return [child for child in tunnel["children"] if child["spi_in"]]


def _flow(tunnels):
    lines = [
        "total tunnels configured:                                     %d" % len(tunnels),
        "filter - type IPSec, state any",
        "",
        "total IPSec tunnel configured:                                %d" % len(tunnels),
        "total IPSec tunnel shown:                                     %d" % len(tunnels),
        "",
        "%-5s %-29s %-7s %-7s %-29s %-29s %s" % (
            "id", "name", "state", "monitor", "local-ip", "peer-ip", "tunnel-i/f"),
        "%-5s %-29s %-7s %-7s %-29s %-29s %s" % (
            "--", "----", "-----", "-------", "--------", "-------", "----------"),
    ]
    flow_id = 1
    for number, tunnel in tunnels:
        for child in tunnel["children"]:
            lines.append("%-5s %-29s %-7s %-7s %-29s %-29s %s" % (
                flow_id, child["name"], _flow_state(tunnel, child), "off",
                tunnel["ike"]["local"]["address"], tunnel["ike"]["remote"]["address"],
                "tunnel.%d" % number))
            flow_id += 1
    return "\n".join(lines) + "\n"


def _flow_state(tunnel, child):
    if child["state"] == "INSTALLED":
        return "active"
    return "init" if tunnel["state"] in ("INIT", "CONNECTING") else "inactiv"


def _ike_sa(tunnels):
    ikev1 = [(number, tunnel) for number, tunnel in tunnels
             if _has_ike_sa(tunnel) and tunnel["ike"]["version"] == 1]
    ikev2 = [(number, tunnel) for number, tunnel in tunnels
             if _has_ike_sa(tunnel) and tunnel["ike"]["version"] == 2]
    return "\n".join([""] + _ikev1_sections(ikev1) + _ikev2_sections(ikev2) + [""])


def _ikev1_sections(tunnels):
    if not tunnels:
        return ["There is no IKEv1 phase-1 SA found.", "", "There is no IKEv1 phase-2 SA found.",
                ""]
    phase1 = ["IKEv1 phase-1 SAs",
              "%-15s %-22s %-63s %-4s %-4s %-21s %-15s %-15s %-2s %-2s %-2s %s" % (
                  "GwID/client IP", "Peer-Address", "Gateway Name", "Role", "Mode", "Algorithm",
                  "Established", "Expiration", "V", "ST", "Xt", "Phase2"),
              "%-15s %-22s %-63s %-4s %-4s %-21s %-15s %-15s %-2s %-2s %-2s %s" % (
                  "-" * 14, "-" * 12, "-" * 12, "----", "----", "-" * 9, "-" * 11, "-" * 10, "-",
                  "--", "--", "------")]
    phase2 = ["IKEv1 phase-2 SAs",
              "%-63s %-8s %-22s %-16s %-4s %-18s %-8s %-8s %-8s %-2s %s" % (
                  "Gateway Name", "TnID", "Tunnel", "GwID/IP", "Role", "Algorithm", "SPI(in)",
                  "SPI(out)", "MsgID", "ST", "Xt"),
              "%-63s %-8s %-22s %-16s %-4s %-18s %-8s %-8s %-8s %-2s %s" % (
                  "-" * 12, "----", "------", "-------", "----", "-" * 9, "-" * 7, "-" * 8,
                  "-----", "--", "--")]
    for number, tunnel in tunnels:
        ike = tunnel["ike"]
        established, expires = _times(ike)
        children = _live_children(tunnel)
        phase1.append("%-15s %-22s %-63s %-4s %-4s %-21s %-15s %-15s %-2s %-2s %-2s %s" % (
            number, ike["remote"]["address"], _gateway(tunnel), _role(ike), "Main",
            _ike_algorithm(ike), established, expires, "v1", _IKEV1_ESTABLISHED, 1, len(children)))
        for child in children:
            phase2.append("%-63s %-8s %-22s %-16s %-4s %-18s %-8s %-8s %-8s %-2s %s" % (
                _gateway(tunnel), number, child["name"], number, _role(ike),
                "%s/    /tunl/%s" % (child["protocol"], (child["algorithms"]["integrity"] or "")[:4]),
                child["spi_in"].upper(), child["spi_out"].upper(), "%08X" % number,
                _IKEV1_PHASE2_INSTALLED, 1))
    summary = "Show IKEv1 IKE SA: Total %d gateways found. %d ike sa found." % (
        len(tunnels), len(tunnels))
    return phase1 + ["", summary, "", ""] + phase2 + [
        "", "Show IKEv1 phase2 SA: Total %d gateways found. %d ike sa found." % (
            len(tunnels), len(tunnels)), "", ""]


def _ikev2_sections(tunnels):
    if not tunnels:
        return ["There is no IKEv2 SA found."]
    sas = ["IKEv2 SAs",
           "%-15s %-22s %-22s %-4s %-8s %-21s %-15s %-15s %-2s %-6s %s" % (
               "Gateway ID", "Peer-Address", "Gateway Name", "Role", "SN", "Algorithm",
               "Established", "Expiration", "Xt", "Child", "ST"),
           "%-15s %-22s %-22s %-4s %-8s %-21s %-15s %-15s %-2s %-6s %s" % (
               "-" * 10, "-" * 12, "-" * 12, "----", "--", "-" * 9, "-" * 11, "-" * 10, "--",
               "-----", "--")]
    children = ["IKEv2 IPsec Child SAs",
                "%-22s %-8s %-25s %-8s %-8s %-4s %-8s %-8s %-8s %s" % (
                    "Gateway Name", "TnID", "Tunnel", "ID", "Parent", "Role", "SPI(in)",
                    "SPI(out)", "MsgID", "ST"),
                "%-22s %-8s %-25s %-8s %-8s %-4s %-8s %-8s %-8s %s" % (
                    "-" * 12, "----", "------", "--", "------", "----", "-" * 7, "-" * 8,
                    "-----", "--")]
    for number, tunnel in tunnels:
        ike = tunnel["ike"]
        established, expires = _times(ike)
        live = _live_children(tunnel)
        sas.append("%-15s %-22s %-22s %-4s %-8s %-21s %-15s %-15s %-2s %-6s %s" % (
            number, ike["remote"]["address"], _gateway(tunnel), _role(ike), ike["sa_id"],
            _ike_algorithm(ike), established, expires, 0, len(live), ike["native_state"]))
        for child in live:
            children.append("%-22s %-8s %-25s %-8s %-8s %-4s %-8s %-8s %-8s %s" % (
                _gateway(tunnel), number, child["name"], child["sa_id"], ike["sa_id"], _role(ike),
                child["spi_in"].upper(), child["spi_out"].upper(), "%08X" % number,
                child["native_state"] or "Mature"))
    return sas + [""] + children + [
        "", "Show IKEv2 SA: Total %d gateways found. %d ike sa found." % (len(tunnels), len(tunnels))]


def _ipsec_sa(tunnels):
    lines = ["",
             "%-15s %-6s %-22s %-46s %-18s %-8s %-8s %-24s %s" % (
                 "GwID/client IP", "TnID", "Peer-Address", "Tunnel(Gateway)", "Algorithm",
                 "SPI(in)", "SPI(out)", "life(Sec/KB)", "remain-time(Sec)"),
             "%-15s %-6s %-22s %-46s %-18s %-8s %-8s %-24s %s" % (
                 "-" * 14, "----", "-" * 12, "-" * 15, "-" * 9, "-" * 7, "-" * 8, "-" * 12,
                 "-" * 16)]
    count = 0
    for number, tunnel in tunnels:
        for child in _live_children(tunnel):
            count += 1
            lines.append("%-15s %-6s %-22s %-46s %-18s %-8s %-8s %-24s %s" % (
                number, number, tunnel["ike"]["remote"]["address"],
                "%s(%s)" % (child["name"], _gateway(tunnel)),
                "%s/%s" % (child["protocol"], _esp_algorithm(child["algorithms"])),
                child["spi_in"].upper(), child["spi_out"].upper(),
                "%s/Unlimited" % child["rekey_interval_seconds"], child["lifetime_seconds"]))
    return "\n".join(lines + ["", "Show IPsec SA: Total %d tunnels found. %d ipsec sa found." % (
        len(tunnels), count), ""])


def _role(ike):
    return "Init" if ike["initiator"] else "Resp"


def _cipher(algorithms):
    return _CIPHER_CODES.get((algorithms["encryption"], algorithms["key_size"]),
                             algorithms["encryption"] or "")


def _ike_algorithm(ike):
    algorithms = ike["algorithms"]
    return "PSK/%s/%s/%s" % (algorithms["dh_group"], _cipher(algorithms), algorithms["integrity"])


def _esp_algorithm(algorithms):
    return "%s/%s" % (_cipher(algorithms), algorithms["integrity"] or "")


def _times(ike):
    """Established and expiry as PAN-OS prints them (no year), from the SA's age."""
    started = time.time() - (ike["established_seconds"] or 0)
    return (time.strftime("%b.%d %H:%M:%S", time.gmtime(started)),
            time.strftime("%b.%d %H:%M:%S", time.gmtime(started + 28800)))


# --- reset ----------------------------------------------------------------------------------

def reset(device, command):
    """`clear|test vpn ike-sa gateway GW` renegotiate the gateway's IKE SA and its tunnels;
    `clear|test vpn ipsec-sa tunnel T` only the tunnel's IPsec SAs. Replies as PAN-OS 8+."""
    words = command.split()
    if len(words) != 5 or words[0] not in ("clear", "test") or words[1] != "vpn":
        return None
    action, what, keyword, name = words[0], words[2], words[3], words[4]
    if (what, keyword) == ("ike-sa", "gateway"):
        found = device.take_down(command, lambda tunnel: _gateway(tunnel) == name, "tunnel")
        return _ike_reply(action, device, name, found)
    if (what, keyword) == ("ipsec-sa", "tunnel"):
        found = device.take_down(
            command, lambda tunnel: name == tunnel["name"] or name.startswith(tunnel["name"] + ":"),
            "child")
        return _ipsec_reply(action, name, found)
    return None


def _ike_reply(action, device, gateway, found):
    if action == "test":
        return "Start time: %s\nInitiate %d IKE SA.\n" % (
            time.strftime("%b.%d %H:%M:%S", time.gmtime()), len(found))
    if not found:
        return "IKE SA for gateway %s not found.\n" % gateway
    version = device.tunnel(found[0])["ike"]["version"] or 2
    return "Delete IKEv%d IKE SA: Total %d gateways found.\n" % (version, len(found))


def _ipsec_reply(action, tunnel, found):
    if action == "test":
        return "Initiate IPSec SA: Total %d tunnels found. %d ipsec sa found.\n" % (
            len(found), len(found))
    if not found:
        return "IPSec SA for tunnel %s not found.\n" % tunnel
    return "Delete IPSec SA: Total %d tunnels found.\n" % len(found)


# --- example tunnels ------------------------------------------------------------------------

def example_tunnels(index):
    """Device `index`: two healthy IKEv2 tunnels (one with two proxy IDs), a healthy IKEv1
    one, a degraded one (one proxy ID without SA), one whose IKE SA has no IPsec SA, and a
    configured tunnel that is down. Addresses: 203.0.113.x here, 198.51.100.x peers."""
    local = "203.0.113.%d" % (10 + index)
    base = 20 * index
    return [
        _example_tunnel("hq", local, "198.51.100.%d" % (base + 1), 2, index, [("hq", "INSTALLED")]),
        _example_tunnel("branch", local, "198.51.100.%d" % (base + 2), 2, index,
                        [("branch:lan", "INSTALLED"), ("branch:voice", "INSTALLED")]),
        _example_tunnel("legacy", local, "198.51.100.%d" % (base + 3), 1, index, [("legacy", "INSTALLED")]),
        _example_tunnel("dc", local, "198.51.100.%d" % (base + 4), 2, index,
                        [("dc:app", "INSTALLED"), ("dc:db", "DOWN")]),
        _example_tunnel("partner", local, "198.51.100.%d" % (base + 5), 2, index, [("partner", "DOWN")]),
        _example_tunnel("backup", local, "198.51.100.%d" % (base + 6), None, index, [("backup", "DOWN")]),
    ]


def _example_tunnel(name, local, remote, version, index, children):
    """A configured tunnel; version None: no IKE SA (the tunnel is down)."""
    up = version is not None
    native = ("Established" if version == 2 else _IKEV1_ESTABLISHED) if up else None
    tunnel = model.new_tunnel("%s-%d" % (name, index), "ipsec", "ESTABLISHED" if up else "DOWN",
                              native)
    tunnel["configured"] = True
    ike = tunnel["ike"]
    ike.update(version=version, native_state=native, initiator=up or None,
               local=model.new_endpoint(local), remote=model.new_endpoint(remote))
    if up:
        serial = str(100 * (index + 1) + int(remote.rsplit(".", 1)[1]))
        ike.update(sa_id=serial if version == 2 else None, established_seconds=600,
                   algorithms=model.new_algorithms("AES_CBC", 256, "SHA256", dh_group="DH20"))
    for position, (child_name, state) in enumerate(children):
        suffix = child_name[len(name):]
        tunnel["children"].append(_example_child(tunnel["name"] + suffix, state, version, index, position))
    return tunnel


def _example_child(name, state, version, index, position):
    installed = state == "INSTALLED"
    native = ("Mature" if version == 2 else _IKEV1_PHASE2_INSTALLED) if installed else "inactiv"
    child = model.new_child(name, state, native)
    child["configured"] = True
    if installed:
        seed = zlib.crc32(("%d/%s" % (index, name)).encode()) & 0xFFFFFFF
        child.update(sa_id=str(seed % 1000000) if version == 2 else None, protocol="ESP",
                     spi_in="c%07x" % seed, spi_out="d%07x" % seed, rekey_interval_seconds=3600,
                     lifetime_seconds=3000, installed_seconds=600,
                     algorithms=model.new_algorithms("AES_GCM_16", 256) if position else
                     model.new_algorithms("AES_CBC", 256, "SHA256"))
    return child

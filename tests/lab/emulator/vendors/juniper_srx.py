"""Juniper SRX (Junos 21+) as the collection's `juniper_srx` platform sees it.

Renders `show security ike security-associations [detail]`, `show security ipsec
security-associations [detail]` and `show security ipsec inactive-tunnels [detail]` in the
Junos layout (compare with ../shared/fixtures/real-outputs/juniper_srx) and maps
`clear security ike security-associations [<peer>]` and `clear security ipsec
security-associations [index <n>]` onto EmulatedDevice.take_down().

Tunnel conventions of this module, which are the collection's for Junos: a tunnel is an IPsec
VPN (its name is the VPN name) with one child per Junos tunnel ID (the child's sa_id); the
IKE SA's gateway is named "gw-<VPN name>". Every VPN establishes immediately, so a VPN
without SAs is listed by inactive-tunnels, with the tunnel's ike.negotiation step as its
Tunnel Down Reason. Junos prints no SA counters in these listings: children carry none.
"""

import random

from ansible_collections.vpnops.tunnels.plugins.module_utils import model
from ansible_collections.vpnops.tunnels.plugins.module_utils.parsers import juniper_srx as parser

PLATFORM = "juniper_srx"
NETMIKO_DEVICE_TYPE = "juniper_junos"

# Countdowns (rekey_seconds, lifetime_seconds) are carried too but move with the clock; the
# unit round trip checks them on a frozen clock.
REPORTED = {
    "tunnel": ("name", "state", "native_state", "configured"),
    "ike": ("version", "sa_id", "native_state", "local.address", "local.port", "remote.address",
            "remote.port", "remote.id", "initiator", "initiator_spi", "responder_spi",
            "algorithms.encryption", "algorithms.key_size", "algorithms.integrity",
            "algorithms.prf", "algorithms.dh_group", "negotiation"),
    "child": ("name", "state", "native_state", "sa_id", "configured", "mode", "protocol",
              "encapsulation", "spi_in", "spi_out", "algorithms.encryption",
              "algorithms.key_size", "algorithms.integrity", "local_ts", "remote_ts"),
}

# what a VPN whose tunnel carries no negotiation step says when it is down (after a reset)
DEFAULT_DOWN_REASON = "Cleared via CLI"
EVENT_TIME = "Mon Jan 05 2026 08:15:02"   # tunnel events: the emulated clock has no date


# --- commands ---------------------------------------------------------------------------------

def _words(command):
    return (command or "").split("|", 1)[0].lower().split()


def render(device, command):
    key = parser.command_key(command)
    if key is None:
        return None
    detail = any("detail".startswith(word) for word in _words(command)[4:])
    tunnels = device.state()
    if key == parser.IKE_SAS:
        return _ike_listing(tunnels, detail)
    if key == parser.IPSEC_SAS:
        return _ipsec_listing(tunnels, detail)
    return _inactive_listing(tunnels, detail)


def reset(device, command):
    """`clear security ike security-associations [<peer>]` ends IKE SAs and their IPsec SAs;
    `clear security ipsec security-associations [index <n>]` ends IPsec SAs only."""
    words = _words(command)
    # "clear security ike sa" takes the words (and abbreviations) of "show security ike sa"
    target = parser.command_key(" ".join(["show"] + words[1:4])) if words[:1] == ["clear"] else None
    rest = words[4:]
    if target == parser.IKE_SAS and len(rest) <= 1:
        wanted = (lambda tunnel: tunnel["ike"]["remote"]["address"] == rest[0]) if rest else _any
        device.take_down(command, wanted, "tunnel")
        return ""
    if target == parser.IPSEC_SAS and (not rest or len(rest) == 2 and rest[0] == "index"):
        wanted = (lambda tunnel: any(child["sa_id"] == rest[1] for child in tunnel["children"])) \
            if rest else _any
        device.take_down(command, wanted, "child")
        return ""
    return None


def _any(_tunnel):
    return True


# --- what Junos lists -------------------------------------------------------------------------

def _has_ike_sa(tunnel):
    return tunnel["ike"]["native_state"] is not None


def _installed(tunnel):
    return [child for child in tunnel["children"] if child["state"] == "INSTALLED"]


def _inactive(tunnel):
    return [child for child in tunnel["children"] if child["state"] != "INSTALLED"]


def _down_reason(tunnel):
    negotiation = tunnel["ike"]["negotiation"]
    return negotiation["step"] if negotiation else DEFAULT_DOWN_REASON


def _gateway(tunnel):
    return "gw-%s" % tunnel["name"]


def _port(tunnel):
    return tunnel["ike"]["remote"]["port"] or 500


# --- show security ike security-associations [detail] ---------------------------------------

def _ike_listing(tunnels, detail):
    listed = [tunnel for tunnel in tunnels if _has_ike_sa(tunnel)]
    if not detail:
        rows = ["%-7s %-6s %-17s %-17s %-14s %s" % (
            tunnel["ike"]["sa_id"], tunnel["ike"]["native_state"], tunnel["ike"]["initiator_spi"],
            tunnel["ike"]["responder_spi"], _exchange(tunnel), tunnel["ike"]["remote"]["address"])
            for tunnel in listed]
        header = "Index   State  Initiator cookie  Responder cookie  Mode           Remote Address"
        return "\n".join([header] + rows) + "\n" if rows else "\n"
    return "".join(_ike_block(tunnel) for tunnel in listed)


def _exchange(tunnel):
    return "IKEv2" if tunnel["ike"]["version"] == 2 else "Main"


def _ike_block(tunnel):
    ike = tunnel["ike"]
    header = "IKE peer %s, Index %s, Gateway Name: %s" % (
        ike["remote"]["address"], ike["sa_id"], _gateway(tunnel))
    lines = [header,
             "  Role: %s, State: %s" % ("Initiator" if ike["initiator"] else "Responder",
                                        ike["native_state"]),
             "  Initiator cookie: %s, Responder cookie: %s" % (ike["initiator_spi"], ike["responder_spi"]),
             "  Exchange type: %s, Authentication method: Pre-shared-keys" % _exchange(tunnel),
             "  Local: %s:%d, Remote: %s:%d" % (ike["local"]["address"], ike["local"]["port"],
                                                ike["remote"]["address"], ike["remote"]["port"])]
    if tunnel["state"] == "ESTABLISHED":
        lines += _ike_sa_lines(tunnel)
    pending = 0 if _installed(tunnel) or tunnel["state"] != "ESTABLISHED" else 1
    return "\n".join(lines + ["  Phase 2 negotiations in progress: %d" % pending, "", ""])


def _ike_sa_lines(tunnel):
    ike = tunnel["ike"]
    algorithms = ike["algorithms"]
    cipher = algorithms["encryption"].replace("-", "%d-" % algorithms["key_size"], 1)
    return [
        "  Lifetime: Expires in %d seconds" % ike["rekey_seconds"],
        "  Reauth Lifetime: Disabled",
        "  IKE Fragmentation: Enabled, Size: 576",
        "  Remote Access Client Info: Unknown Client",
        "  Peer ike-id: %s" % ike["remote"]["id"],
        "  AAA assigned IP: 0.0.0.0",
        "  Algorithms:",
        "   Authentication        : %s" % algorithms["integrity"],
        "   Encryption            : %s" % cipher,
        "   Pseudo random function: %s" % algorithms["prf"],
        "   Diffie-Hellman group  : DH-group-%s" % algorithms["dh_group"],
        "  Traffic statistics:",
        "   Input  bytes  :                 %4d" % 1984,
        "   Output bytes  :                 %4d" % 2124,
        "   Input  packets:                   %2d" % 12,
        "   Output packets:                   %2d" % 13,
        "   Input  fragmentated packets:       0",
        "   Output fragmentated packets:       0",
        "  IPSec security associations: %d created, 0 deleted" % (2 * len(_installed(tunnel))),
    ]


# --- show security ipsec security-associations [detail] -------------------------------------

def _ipsec_listing(tunnels, detail):
    pairs = [(tunnel, child) for tunnel in tunnels for child in _installed(tunnel)]
    if detail:
        return "".join(_vpn_block(tunnel, child) for tunnel, child in pairs)
    lines = ["  Total active tunnels: %d     Total Ipsec sas: %d" % (len(pairs), len(pairs)),
             "  ID    Algorithm       SPI      Life:sec/kb  Mon lsys Port  Gateway   "]
    for tunnel, child in pairs:
        algorithms = child["algorithms"]
        cipher = "%s-%d" % (algorithms["encryption"], algorithms["key_size"])
        for mark, spi in (("<", child["spi_in"]), (">", child["spi_out"])):
            lines.append("  %s%s ESP:%s/%s %s %d/ unlim - root %d %-15s" % (
                mark, child["sa_id"], cipher, _brief_hmac(algorithms["integrity"]), spi,
                child["lifetime_seconds"], _port(tunnel), tunnel["ike"]["remote"]["address"]))
    return "\n".join(lines) + "\n"


def _brief_hmac(integrity):
    """'hmac-sha256-128' -> 'sha256' as the brief table prints it."""
    return integrity.split("-")[1] if integrity else "None"


def _identity(selector):
    return "ipv4_subnet(any:0,[0..7]=%s)" % selector


def _vpn_header(tunnel, child, negotiations, failures, negotiated):
    ike = tunnel["ike"]
    return ["ID: %s Virtual-system: root, VPN Name: %s" % (child["sa_id"], tunnel["name"]),
            "  Local Gateway: %s, Remote Gateway: %s" % (ike["local"]["address"], ike["remote"]["address"]),
            "  Local Identity: %s" % _identity(child["local_ts"][0]),
            "  Remote Identity: %s" % _identity(child["remote_ts"][0]),
            "  Version: IKEv%d" % ike["version"],
            "  DF-bit: clear, Copy-Outer-DSCP Disabled, Bind-interface: st0.%s" % child["sa_id"][-1],
            "  Port: %d, Nego#: %d, Fail#: %d, Def-Del#: 0 Flag: 0x600a29" % (
                _port(tunnel), negotiations, failures),
            "  Multi-sa, Configured SAs# 1, Negotiated SAs#: %d" % negotiated,
            "  Tunnel events:"]


def _vpn_block(tunnel, child):
    lines = _vpn_header(tunnel, child, 1, 0, 1)
    lines.append("    %s: IPsec SA negotiation succeeds (1 times)" % EVENT_TIME)
    algorithms = child["algorithms"]
    for direction, spi in (("inbound", child["spi_in"]), ("outbound", child["spi_out"])):
        lines += ["  Direction: %s, SPI: %s, AUX-SPI: 0" % (direction, spi),
                  "                              , VPN Monitoring: -",
                  "    Hard lifetime: Expires in %d seconds" % child["lifetime_seconds"],
                  "    Lifesize Remaining:  Unlimited",
                  "    Soft lifetime: Expires in %d seconds" % child["rekey_seconds"],
                  "    Mode: %s(0 0), Type: dynamic, State: %s" % (child["mode"].capitalize(),
                                                                   child["native_state"]),
                  "    Protocol: %s, Authentication: %s, Encryption: %s (%d bits)" % (
                      child["protocol"], algorithms["integrity"], algorithms["encryption"],
                      algorithms["key_size"]),
                  "    Anti-replay service: counter-based enabled, Replay window size: 64"]
        if tunnel["ike"]["sa_id"]:
            lines.append("    IKE SA Index: %s" % tunnel["ike"]["sa_id"])
    return "\n".join(lines + ["", ""])


# --- show security ipsec inactive-tunnels [detail] ------------------------------------------

def _inactive_listing(tunnels, detail):
    pairs = [(tunnel, child) for tunnel in tunnels for child in _inactive(tunnel)]
    if detail:
        return "".join(_inactive_block(tunnel, child) for tunnel, child in pairs) or \
            "  Total inactive tunnels: 0\n  Total inactive tunnels with establish immediately: 0\n"
    lines = ["  Total inactive tunnels: %d" % len(pairs),
             "  Total inactive tunnels with establish immediately: %d" % len(pairs)]
    if pairs:
        lines.append("  ID           Port   Gateway          Pending SAs   Tunnel Down Reason")
    for tunnel, child in pairs:
        lines.append("  %-12s %-6d %-16s %-13d %s" % (
            _tunnel_id(tunnel, child), _port(tunnel), tunnel["ike"]["remote"]["address"], 1,
            _down_reason(tunnel)))
    return "\n".join(lines) + "\n"


def _tunnel_id(tunnel, child):
    """A tunnel keeps its ID while down; a reset child lost it in the model, so one is made."""
    return child["sa_id"] or str(131073 + sum(map(ord, tunnel["name"] + child["name"])) % 1000)


def _inactive_block(tunnel, child):
    child = dict(child, sa_id=_tunnel_id(tunnel, child))
    reason = _down_reason(tunnel)
    lines = _vpn_header(tunnel, child, 12, 12, 0)
    lines += ["    %s: %s" % (EVENT_TIME, reason),
              "  Tunnel Down Reason: %s" % reason]
    return "\n".join(lines + ["", ""])


# --- the lab's tunnels ------------------------------------------------------------------------

def example_tunnels(index):
    """Device `index`: two healthy VPNs (IKEv2; IKEv1 main mode, behind NAT on odd devices),
    one whose IKE SA is up while its IPsec SA fails, one down (no IKE SA), and on odd
    devices one whose IKE SA is still negotiating."""
    rng = random.Random("juniper_srx-%d" % index)
    local = "198.51.100.%d" % (40 + index)
    peers = ["192.0.2.%d" % (10 * index + number) for number in range(1, 6)]
    ids = iter(range(131073 + 10 * index, 131083 + 10 * index))
    nat = index % 2 == 1
    tunnels = [
        _up_vpn(rng, "vpn-hq-%d" % index, local, peers[0], next(ids), version=2),
        _up_vpn(rng, "vpn-branch-%d" % index, local, peers[1], next(ids), version=1, nat=nat),
        _ike_up_ipsec_down(rng, "vpn-partner-%d" % index, local, peers[2], next(ids),
                           "Negotiation failed with error code TS_UNACCEPTABLE received from peer (4 times)"),
        _down_vpn("vpn-dr-%d" % index, local, peers[3], next(ids),
                  "No response from peer. Negotiation failed (17 times)"),
    ]
    if nat:
        tunnels.append(_negotiating_vpn(rng, "vpn-lab-%d" % index, local, peers[4], next(ids),
                                        "Peer's IKE-ID validation failed during negotiation (3 times)"))
    return tunnels


def _hex(rng, digits):
    return "%0*x" % (digits, rng.getrandbits(digits * 4))


def _vpn(name, local, peer, version, port=500):
    tunnel = model.new_tunnel(name, "ipsec")
    tunnel["configured"] = True
    ike = tunnel["ike"]
    ike["version"] = version
    ike["local"] = model.new_endpoint(local, port)
    ike["remote"] = model.new_endpoint(peer, port)
    return tunnel


def _with_ike_sa(rng, tunnel, native, initiator=True):
    ike = tunnel["ike"]
    tunnel["native_state"] = ike["native_state"] = native
    ike.update(sa_id=str(rng.randrange(10 ** 6, 10 ** 7)), initiator=initiator,
               initiator_spi=_hex(rng, 16), responder_spi=_hex(rng, 16))
    if native == "UP":
        tunnel["state"] = "ESTABLISHED"
        ike["remote"]["id"] = ike["remote"]["address"]
        ike["rekey_seconds"] = rng.randrange(3600, 28000)
        ike["algorithms"] = model.new_algorithms("aes-cbc", 256, "hmac-sha256-128", "hmac-sha256",
                                                 "19" if ike["version"] == 2 else "14")
    else:
        tunnel["state"] = "CONNECTING"
        ike["responder_spi"] = "0" * 16   # the peer never answered
    return tunnel


def _child(rng, tunnel, tunnel_id, state="INSTALLED"):
    """The VPN's tunnel between 198.18.<n>.0/24 and 198.19.<n>.0/24 (the 198.18.0.0/15 range)."""
    octet = tunnel_id % 250
    child = model.new_child(tunnel["name"], state, "installed" if state == "INSTALLED" else None)
    child.update(sa_id=str(tunnel_id), configured=True, local_ts=["198.18.%d.0/24" % octet],
                 remote_ts=["198.19.%d.0/24" % octet], encapsulation=tunnel["ike"]["remote"]["port"] == 4500)
    if state == "INSTALLED":
        child.update(mode="TUNNEL", protocol="ESP", spi_in=_hex(rng, 8), spi_out=_hex(rng, 8),
                     algorithms=model.new_algorithms("aes-cbc", 256, "hmac-sha256-128"),
                     lifetime_seconds=rng.randrange(1200, 3500))
        child["rekey_seconds"] = child["lifetime_seconds"] - 600
    tunnel["children"].append(child)
    return tunnel


def _up_vpn(rng, name, local, peer, tunnel_id, version, nat=False):
    tunnel = _with_ike_sa(rng, _vpn(name, local, peer, version, 4500 if nat else 500), "UP")
    return _child(rng, tunnel, tunnel_id)


def _ike_up_ipsec_down(rng, name, local, peer, tunnel_id, reason):
    tunnel = _with_ike_sa(rng, _vpn(name, local, peer, 2), "UP", initiator=False)
    tunnel["ike"]["negotiation"] = model.new_negotiation(2, reason)
    return _child(rng, tunnel, tunnel_id, "DOWN")


def _down_vpn(name, local, peer, tunnel_id, reason):
    tunnel = _vpn(name, local, peer, 2)
    tunnel["state"] = "DOWN"
    tunnel["ike"]["negotiation"] = model.new_negotiation(None, reason)
    return _child(None, tunnel, tunnel_id, "DOWN")


def _negotiating_vpn(rng, name, local, peer, tunnel_id, reason):
    tunnel = _with_ike_sa(rng, _vpn(name, local, peer, 2), "DOWN")
    tunnel["ike"]["negotiation"] = model.new_negotiation(1, reason)
    return _child(rng, tunnel, tunnel_id, "DOWN")

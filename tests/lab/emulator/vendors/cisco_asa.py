"""Cisco ASA (9.x) as the collection's `cisco_asa` platform sees it.

Renders `show crypto ikev1|ikev2|isakmp sa [detail]`, `show crypto ipsec sa` and
`show vpn-sessiondb [detail] l2l` in the ASA's layout (compare with
../shared/fixtures/real-outputs/cisco_asa) and maps `vpn-sessiondb logoff ipaddress`,
`clear crypto ikev2 sa` and `clear crypto ipsec sa peer` onto EmulatedDevice.take_down().

Tunnel conventions of this module, which are the ASA's: only SAs are shown, so a DOWN
tunnel (after a reset) is absent from every listing, and so are DOWN children; a tunnel
still negotiating shows its IKE SA only; the session database holds tunnels whose IKE SA is
up. Child algorithms use the names of `show crypto ipsec sa` transforms ("aes", 256,
"sha-hmac"), IKE algorithms those of the IKE SA listing of their version.
"""

import ipaddress
import random

from ansible_collections.vpnops.tunnels.plugins.module_utils import model
from ansible_collections.vpnops.tunnels.plugins.module_utils.parsers import cisco_asa as parser

PLATFORM = "cisco_asa"
NETMIKO_DEVICE_TYPE = "cisco_asa"

# Countdowns (rekey_seconds, lifetime_seconds) and established_seconds are carried too but
# move with the clock in both directions; the unit round trip checks them on a frozen clock.
REPORTED = {
    "tunnel": ("name", "state", "native_state"),
    "ike": ("version", "sa_id", "native_state", "local.port", "local.id", "remote.address",
            "remote.port", "remote.id", "initiator", "initiator_spi", "responder_spi",
            "algorithms.encryption", "algorithms.key_size", "algorithms.integrity",
            "algorithms.prf", "algorithms.dh_group", "rekey_interval_seconds", "nat_t", "dpd",
            "negotiation"),
    "child": ("name", "state", "native_state", "sa_id", "mode", "protocol", "encapsulation",
              "spi_in", "spi_out", "algorithms.encryption", "algorithms.key_size",
              "algorithms.integrity", "algorithms.dh_group", "rekey_interval_seconds",
              "local_ts", "remote_ts", "bytes_in", "bytes_out", "packets_in", "packets_out"),
}

LOGIN_TIME = "08:15:02 UTC Mon Jan 5 2026"   # the session database's clock is not modelled
# transform words of `show crypto ipsec sa` -> IKEv2 child / session database spellings
_IKEV2_CHILD_CIPHERS = {"aes": "AES-CBC", "aes-gcm": "AES-GCM", "3des": "3DES"}
_IKEV2_CHILD_HMACS = {"sha-hmac": "SHA96", "sha-256-hmac": "SHA256", "sha-384-hmac": "SHA384",
                      "sha-512-hmac": "SHA512", "md5-hmac": "MD596", "null-hmac": "None"}
_SESSION_CIPHERS = {"aes": "AES", "AES-CBC": "AES", "aes-gcm": "AES-GCM-", "AES-GCM": "AES-GCM-",
                    "3des": "3DES"}
_SESSION_HASHES = {"sha-hmac": "SHA1", "sha-256-hmac": "SHA256", "sha-384-hmac": "SHA384",
                   "sha-512-hmac": "SHA512", "md5-hmac": "MD5", "null-hmac": "none",
                   "SHA": "SHA1", "MD5": "MD5", "SHA96": "SHA1", "SHA256": "SHA256",
                   "SHA384": "SHA384", "SHA512": "SHA512"}


# --- commands ---------------------------------------------------------------------------------

def _words(command):
    return (command or "").lower().split()


def _is(words, canonical):
    """The ASA takes unambiguous prefixes of every word: `clear cry ips sa peer ...`."""
    return len(words) >= len(canonical) and all(
        full.startswith(word) for word, full in zip(words, canonical))


def render(device, command):
    key = parser.command_key(command)
    if key is None:
        return None
    words = _words(command.split("|", 1)[0])
    detail = any(_is([word], ("detail",)) for word in words[2:])
    tunnels = device.state()
    if key == parser.IKEV1_SA:
        return _ikev1_listing(tunnels, detail)
    if key == parser.IKEV2_SA:
        return _ikev2_listing(tunnels, detail)
    if key == parser.IPSEC_SA:
        return _ipsec_listing(tunnels)
    if key == parser.L2L_SESSIONS:
        return _session_listing(tunnels, detail)
    # show crypto isakmp sa: since ASA 8.4 both versions, one after the other
    return _ikev1_listing(tunnels, detail) + "\n" + _ikev2_listing(tunnels, detail)


def reset(device, command):
    """`vpn-sessiondb logoff ipaddress <peer> [noconfirm]` and `clear crypto ikev2 sa
    [<peer>]` end IKE and IPsec SAs; `clear crypto ipsec sa [peer <peer>]` the IPsec SAs.
    Without noconfirm the ASA would ask for a confirmation: the emulator takes it as given."""
    words = _words(command)
    if _is(words, ("vpn-sessiondb", "logoff", "ipaddress")) and (
            len(words) == 4 or len(words) == 5 and _is(words[4:], ("noconfirm",))):
        names = device.take_down(command, _peer_is(words[3]), "tunnel")
        return "INFO: Number of sessions with IP address of %s logged off : %d\n" % (
            words[3], len(names))
    if _is(words, ("clear", "crypto", "ikev2", "sa")) and len(words) <= 5:
        wanted = _peer_is(words[4]) if len(words) == 5 else _any
        device.take_down(command, lambda tunnel: tunnel["ike"]["version"] == 2 and wanted(tunnel),
                         "tunnel")
        return ""
    if _is(words, ("clear", "crypto", "ipsec", "sa")) and (
            len(words) == 4 or len(words) == 6 and _is(words[4:5], ("peer",))):
        device.take_down(command, _peer_is(words[5]) if len(words) == 6 else _any, "child")
        return ""
    return None


def _peer_is(address):
    return lambda tunnel: tunnel["ike"]["remote"]["address"] == address


def _any(_tunnel):
    return True


# --- what the ASA lists ----------------------------------------------------------------------

def _has_ike_sa(tunnel, version):
    return tunnel["ike"]["version"] == version and tunnel["ike"]["native_state"] is not None


def _installed(tunnel):
    return [child for child in tunnel["children"] if child["state"] == "INSTALLED"]


def _in_session(tunnel):
    return tunnel["state"] == "ESTABLISHED"


def _spi(text):
    return (text or "").upper()


# --- show crypto ikev1 sa [detail] ---------------------------------------------------------

def _ikev1_listing(tunnels, detail):
    listed = [tunnel for tunnel in tunnels if _has_ike_sa(tunnel, 1)]
    if not listed:
        return "\nThere are no IKEv1 SAs\n"
    lines = ["IKEv1 SAs:", "", "   Active SA: %d" % len(listed),
             "    Rekey SA: 0 (A tunnel will report 1 Active and 1 Rekey SA during rekey)",
             "Total IKE SA: %d" % len(listed), ""]
    for number, tunnel in enumerate(listed, 1):
        lines.extend(_ikev1_entry(number, tunnel, detail))
        lines.append("")
    return "\n".join(lines)


def _ikev1_entry(number, tunnel, detail):
    ike = tunnel["ike"]
    lines = ["%-3d IKE Peer: %s" % (number, ike["remote"]["address"]),
             "    Type    : %-15s Role    : %s" % ("L2L", "initiator" if ike["initiator"] else "responder"),
             "    Rekey   : %-15s State   : %s" % ("no", ike["native_state"])]
    algorithms = ike["algorithms"]
    if detail and tunnel["state"] == "ESTABLISHED":
        cipher = algorithms["encryption"] + ("-%d" % algorithms["key_size"] if algorithms["key_size"] else "")
        lines += ["    Encrypt : %-15s Hash    : %s" % (cipher, algorithms["integrity"]),
                  "    Auth    : %-15s Lifetime: %d" % ("preshared", ike["rekey_interval_seconds"]),
                  "    Lifetime Remaining: %d" % ike["rekey_seconds"]]
    return lines


# --- show crypto ikev2 sa [detail] ---------------------------------------------------------

def _ikev2_listing(tunnels, detail):
    listed = [tunnel for tunnel in tunnels if _has_ike_sa(tunnel, 2)]
    if not listed:
        return "\nThere are no IKEv2 SAs\n"
    lines = ["IKEv2 SAs:", ""]
    for session, tunnel in enumerate(listed, 1):
        lines.extend(_ikev2_session(session, tunnel, detail))
        lines.append("")
    return "\n".join(lines)


def _ikev2_session(session, tunnel, detail):
    ike = tunnel["ike"]
    children = _installed(tunnel)
    status = ("UP-ACTIVE" if children else "UP-IDLE") if tunnel["state"] == "ESTABLISHED" \
        else "DOWN-NEGOTIATING"
    lines = ["Session-id:%d, Status:%s, IKE count:1, CHILD count:%d" % (session, status, len(children)),
             "",
             "Tunnel-id Local%s Remote%s Status         Role" % (" " * 47, " " * 50),
             "%9s %-51s %-56s %-8s %s" % (
                 ike["sa_id"], "%s/%d" % (ike["local"]["address"], ike["local"]["port"]),
                 "%s/%d" % (ike["remote"]["address"], ike["remote"]["port"]),
                 ike["native_state"], "INITIATOR" if ike["initiator"] else "RESPONDER")]
    lines += _ikev2_sa_lines(ike, detail)
    for child in children:
        lines += _ikev2_child_lines(child, detail)
    return lines


def _ikev2_sa_lines(ike, detail):
    algorithms = ike["algorithms"]
    lines = ["      Encr: %s, keysize: %d, Hash: %s, DH Grp:%s, Auth sign: PSK, Auth verify: PSK" % (
        algorithms["encryption"], algorithms["key_size"], algorithms["integrity"], algorithms["dh_group"]),
        "      Life/Active Time: %d/%d sec" % (ike["rekey_interval_seconds"], ike["established_seconds"])]
    if not detail:
        return lines
    ours, theirs = ((ike["initiator_spi"], ike["responder_spi"]) if ike["initiator"]
                    else (ike["responder_spi"], ike["initiator_spi"]))
    nat = {"none": "NAT-T is not detected", "remote": "NAT-T is detected outside",
           "local": "NAT-T is detected inside"}[ike["nat_t"]]
    dpd = ike["dpd"]["delay"] if ike["dpd"] else 0
    return lines + [
        "      Session-id: 1",
        "      Status Description: Negotiation done",
        "      Local spi: %s       Remote spi: %s" % (_spi(ours), _spi(theirs)),
        "      Local id: %s" % ike["local"]["id"],
        "      Remote id: %s" % ike["remote"]["id"],
        "      Local req mess id: 4              Remote req mess id: 2",
        "      Local next mess id: 4             Remote next mess id: 2",
        "      Local req queued: 4               Remote req queued: 2",
        "      Local window: 1                   Remote window: 1",
        "      DPD configured for %d seconds, retry 2" % dpd,
        "      %s" % nat,
    ]


def _range(selector):
    """'198.19.1.0/24' -> '198.19.1.0/0 - 198.19.1.255/65535' (first/port - last/port)."""
    network = ipaddress.ip_network(selector)
    return "%s/0 - %s/65535" % (network.network_address, network.broadcast_address)


def _ikev2_child_lines(child, detail):
    algorithms = child["algorithms"]
    lines = ["Child sa: local selector  %s" % _range(child["local_ts"][0]),
             "          remote selector %s" % _range(child["remote_ts"][0]),
             "          ESP spi in/out: 0x%s/0x%s" % (child["spi_in"], child["spi_out"])]
    if detail:
        lines += ["          AH spi in/out: 0x0/0x0",
                  "          CPI in/out: 0x0/0x0",
                  "          Encr: %s, keysize: %d, esp_hmac: %s" % (
                      _IKEV2_CHILD_CIPHERS[algorithms["encryption"]], algorithms["key_size"],
                      _IKEV2_CHILD_HMACS[algorithms["integrity"]]),
                  "          ah_hmac: None, comp: IPCOMP_NONE, mode %s" % child["mode"].lower()]
    return lines


# --- show crypto ipsec sa ------------------------------------------------------------------

def _ipsec_listing(tunnels):
    with_sas = [tunnel for tunnel in tunnels if _installed(tunnel)]
    if not with_sas:
        return "\nThere are no ipsec sas\n"
    lines = ["interface: outside"]
    for sequence, tunnel in enumerate(tunnels, 1):
        for child in _installed(tunnel):
            lines += _ipsec_entry(sequence * 10, tunnel, child)
    return "\n".join(lines) + "\n"


def _dotted(selector):
    """'198.19.1.0/24' -> ('198.19.1.0', '255.255.255.0')."""
    address, bits = selector.split("/")
    mask = (0xFFFFFFFF << (32 - int(bits))) & 0xFFFFFFFF
    return address, ".".join(str(mask >> shift & 0xFF) for shift in (24, 16, 8, 0))


def _ipsec_entry(sequence, tunnel, child):
    ike = tunnel["ike"]
    local, local_mask = _dotted(child["local_ts"][0])
    remote, remote_mask = _dotted(child["remote_ts"][0])
    nat = "  NAT-T-Encaps," if child["encapsulation"] else ""
    settings = "{L2L, Tunnel,%s IKEv%d, }" % (nat, ike["version"])
    algorithms = child["algorithms"]
    transform = "esp-%s-%d esp-%s" % (algorithms["encryption"], algorithms["key_size"],
                                      algorithms["integrity"])
    encaps, decaps = child["packets_out"], child["packets_in"]
    lines = [
        "    Crypto map tag: outside_map, seq num: %d, local addr: %s" % (sequence, ike["local"]["address"]),
        "",
        "      access-list outside_cryptomap_%d extended permit ip %s %s %s %s " % (
            sequence, local, local_mask, remote, remote_mask),
        "      local ident (addr/mask/prot/port): (%s/%s/0/0)" % (local, local_mask),
        "      remote ident (addr/mask/prot/port): (%s/%s/0/0)" % (remote, remote_mask),
        "      current_peer: %s" % ike["remote"]["address"],
        "",
        "",
        "      #pkts encaps: %d, #pkts encrypt: %d, #pkts digest: %d" % (encaps, encaps, encaps),
        "      #pkts decaps: %d, #pkts decrypt: %d, #pkts verify: %d" % (decaps, decaps, decaps),
        "      #pkts compressed: 0, #pkts decompressed: 0",
        "      #pkts not compressed: %d, #pkts comp failed: 0, #pkts decomp failed: 0" % encaps,
        "      #pre-frag successes: 0, #pre-frag failures: 0, #fragments created: 0",
        "      #PMTUs sent: 0, #PMTUs rcvd: 0, #decapsulated frgs needing reassembly: 0",
        "      #TFC rcvd: 0, #TFC sent: 0",
        "      #Valid ICMP Errors rcvd: 0, #Invalid ICMP Errors rcvd: 0",
        "      #send errors: 0, #recv errors: 0",
        "",
        "      local crypto endpt.: %s/%d, remote crypto endpt.: %s/%d" % (
            ike["local"]["address"], ike["local"]["port"], ike["remote"]["address"], ike["remote"]["port"]),
        "      path mtu 1500, ipsec overhead 74(44), media mtu 1500",
        "      PMTU time remaining (sec): 0, DF policy: copy-df",
        "      ICMP error validation: disabled, TFC packets: disabled",
        "      current outbound spi: %s" % _spi(child["spi_out"]),
        "      current inbound spi : %s" % _spi(child["spi_in"]),
        "",
    ]
    for direction, spi in (("inbound", child["spi_in"]), ("outbound", child["spi_out"])):
        lines += _ipsec_sa(direction, spi, child, transform, settings, sequence)
    return lines + [""]


def _ipsec_sa(direction, spi, child, transform, settings, sequence):
    return [
        "    %s esp sas:" % direction,
        "      spi: 0x%s (%d)" % (_spi(spi), int(spi, 16)),
        "         SA State: %s" % child["native_state"],
        "         transform: %s no compression" % transform,
        "         in use settings =%s" % settings,
        "         slot: 0, conn_id: %d, crypto-map: outside_map" % (sequence * 4096),
        "         sa timing: remaining key lifetime (kB/sec): (4373999/%d)" % child["lifetime_seconds"],
        "         IV size: 16 bytes",
        "         replay detection support: Y",
        "         Anti replay bitmap: ",
        "          0x00000000 0x00000001",
    ]


# --- show vpn-sessiondb [detail] l2l -------------------------------------------------------

def _session_listing(tunnels, detail):
    sessions = [tunnel for tunnel in tunnels if _in_session(tunnel)]
    if not sessions:
        return "INFO: There are presently no active sessions of the type specified\n"
    lines = ["Session Type: LAN-to-LAN%s" % (" Detailed" if detail else ""), ""]
    for position, tunnel in enumerate(tunnels):
        if _in_session(tunnel):
            lines += _session(tunnel, _session_index(tunnel, position), detail)
    return "\n".join(lines) + "\n"


def _session_index(tunnel, position):
    """The index the children's tunnel IDs ('4012.2') carry, else one from the position."""
    for child in tunnel["children"]:
        if child["sa_id"] and "." in child["sa_id"]:
            return child["sa_id"].split(".")[0]
    return str(900 + position)


def _session_cipher(name, size):
    base = _SESSION_CIPHERS[name]
    return "%s%s" % (base, size or "")


def _duration(seconds):
    minutes, second = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    days, hour = divmod(hours, 24)
    return "%s%dh:%02dm:%02ds" % ("%dd " % days if days else "", hour, minute, second)


def _pair(left, left_value, right, right_value, indent=""):
    """'Index        : 6539                   IP Addr      : 169.254.107.1'."""
    return "%s%-13s: %-23s%-13s: %s" % (indent, left, left_value, right, right_value)


def _field(name, value, indent="  "):
    return "%s%-13s: %s" % (indent, name, value)


def _session(tunnel, index, detail):
    ike = tunnel["ike"]
    children = _installed(tunnel)
    version = "IKEv%d" % ike["version"]
    ipsec = "IPsecOverNatT" if any(child["encapsulation"] for child in children) else "IPsec"
    ike_alg = ike["algorithms"]
    protocol = version + (" " + ipsec if children else "")
    encryption = "%s: (1)%s" % (version, _session_cipher(ike_alg["encryption"], ike_alg["key_size"]))
    hashing = "%s: (1)%s" % (version, _SESSION_HASHES[ike_alg["integrity"]])
    if children:
        child_alg = children[0]["algorithms"]
        encryption += "  %s: (%d)%s" % (ipsec, len(children),
                                        _session_cipher(child_alg["encryption"], child_alg["key_size"]))
        hashing += "  %s: (%d)%s" % (ipsec, len(children), _SESSION_HASHES[child_alg["integrity"]])
    lines = [_field("Connection", tunnel["name"], ""),
             _pair("Index", index, "IP Addr", ike["remote"]["address"]),
             _field("Protocol", protocol, ""),
             _field("Encryption", encryption, ""),
             _field("Hashing", hashing, ""),
             _pair("Bytes Tx", sum(child["bytes_out"] for child in children),
                   "Bytes Rx", sum(child["bytes_in"] for child in children)),
             _field("Login Time", LOGIN_TIME, ""),
             _field("Duration", _duration(ike["established_seconds"]), ""),
             ""]
    if detail:
        lines += ["%s Tunnels: 1" % version, "%s Tunnels: %d" % (ipsec, len(children)), ""]
        lines += _session_ike(tunnel, index, version)
        for number, child in enumerate(children, 2):
            lines += _session_ipsec(child, "%s.%d" % (index, number), ipsec)
    return lines


def _session_ike(tunnel, index, version):
    ike = tunnel["ike"]
    algorithms = ike["algorithms"]
    lines = ["%s:" % version,
             _field("Tunnel ID", "%s.1" % index),
             # the session is seen from the peer's packets: their source port is the peer's
             _pair("UDP Src Port", ike["remote"]["port"], "UDP Dst Port", ike["local"]["port"], "  ")]
    if ike["version"] == 1:
        lines.append(_pair("IKE Neg Mode", "Main", "Auth Mode", "preSharedKeys", "  "))
    else:
        lines += [_field("Rem Auth Mode", "preSharedKeys"), _field("Loc Auth Mode", "preSharedKeys")]
    lines += [_pair("Encryption", _session_cipher(algorithms["encryption"], algorithms["key_size"]),
                    "Hashing", _SESSION_HASHES[algorithms["integrity"]], "  "),
              _pair("Rekey Int (T)", "%d Seconds" % ike["rekey_interval_seconds"],
                    "Rekey Left(T)", "%d Seconds" % ike["rekey_seconds"], "  ")]
    if ike["version"] == 1:
        lines.append(_field("D/H Group", algorithms["dh_group"]))
    else:
        lines.append(_pair("PRF", algorithms["prf"], "D/H Group", algorithms["dh_group"], "  "))
    return lines + [_field("Filter Name", ""), ""]


def _session_ipsec(child, tunnel_id, section):
    algorithms = child["algorithms"]
    local, local_mask = _dotted(child["local_ts"][0])
    remote, remote_mask = _dotted(child["remote_ts"][0])
    mode = child["mode"].capitalize()
    encapsulation = _pair("Encapsulation", mode, "PFS Group", algorithms["dh_group"], "  ") \
        if algorithms["dh_group"] else _field("Encapsulation", mode)
    return ["%s:" % section,
            _field("Tunnel ID", child["sa_id"] or tunnel_id),
            _field("Local Addr", "%s/%s/0/0" % (local, local_mask)),
            _field("Remote Addr", "%s/%s/0/0" % (remote, remote_mask)),
            _pair("Encryption", _session_cipher(algorithms["encryption"], algorithms["key_size"]),
                  "Hashing", _SESSION_HASHES[algorithms["integrity"]], "  "),
            encapsulation,
            _pair("Rekey Int (T)", "%d Seconds" % child["rekey_interval_seconds"],
                  "Rekey Left(T)", "%d Seconds" % child["rekey_seconds"], "  "),
            _pair("Rekey Int (D)", "4608000 K-Bytes", "Rekey Left(D)", "4373999 K-Bytes", "  "),
            _pair("Idle Time Out", "30 Minutes", "Idle TO Left", "29 Minutes", "  "),
            _pair("Bytes Tx", child["bytes_out"], "Bytes Rx", child["bytes_in"], "  "),
            _pair("Pkts Tx", child["packets_out"], "Pkts Rx", child["packets_in"], "  "),
            ""]


# --- the lab's tunnels ------------------------------------------------------------------------

def example_tunnels(index):
    """Device `index`: two healthy tunnels (IKEv2 with a named tunnel-group, IKEv1 by
    address), one whose IKE SA is up without IPsec SA, one still in main mode negotiation."""
    rng = random.Random("cisco_asa-%d" % index)
    local = "198.51.100.%d" % (10 + index)
    peers = ["203.0.113.%d" % (10 * index + number) for number in range(1, 5)]
    session = 4000 + 100 * index
    nat = index % 2 == 1
    return [
        _ikev2_tunnel(rng, "hub-%d" % index, local, peers[0], session, children=2),
        _ikev1_tunnel(rng, peers[1], local, peers[1], session + 1, children=1, nat=nat),
        (_ikev2_tunnel if nat else _ikev1_tunnel)(rng, peers[2], local, peers[2], session + 2, children=0),
        _negotiating_tunnel(peers[3], "MM_WAIT_MSG4" if nat else "MM_WAIT_MSG2"),
    ]


def _hex(rng, digits):
    return "%0*x" % (digits, rng.getrandbits(digits * 4))


def _established(tunnel, native):
    tunnel["state"], tunnel["native_state"] = "ESTABLISHED", native
    tunnel["ike"]["native_state"] = native
    if not tunnel["children"]:
        tunnel["ike"]["negotiation"] = model.new_negotiation(2, "%s without IPsec SA" % native)


def _ikev1_tunnel(rng, name, local, peer, session, children, nat=False):
    port = 4500 if nat else 500
    tunnel = model.new_tunnel(name, "ipsec")
    ike = tunnel["ike"]
    ike.update(version=1, initiator=True, rekey_interval_seconds=86400,
               established_seconds=rng.randrange(600, 80000))
    ike["rekey_seconds"] = 86400 - ike["established_seconds"]
    ike["local"] = model.new_endpoint(local if children else None, port)
    ike["remote"] = model.new_endpoint(peer, port)
    ike["algorithms"] = model.new_algorithms("aes", 256, "SHA", dh_group="14")
    tunnel["children"] = [_child(rng, session, number, nat) for number in range(children)]
    _established(tunnel, "MM_ACTIVE")
    return tunnel


def _ikev2_tunnel(rng, name, local, peer, session, children, nat=False):
    tunnel = model.new_tunnel(name, "ipsec")
    ike = tunnel["ike"]
    ike.update(version=2, sa_id=str(rng.randrange(10 ** 7, 10 ** 8)), initiator=True,
               initiator_spi=_hex(rng, 16), responder_spi=_hex(rng, 16),
               rekey_interval_seconds=86400, established_seconds=rng.randrange(600, 80000),
               nat_t="none", dpd={"delay": 10, "timeout": None, "action": None})
    ike["rekey_seconds"] = 86400 - ike["established_seconds"]
    ike["local"] = model.new_endpoint(local, 500, local)
    ike["remote"] = model.new_endpoint(peer, 500, peer)
    ike["algorithms"] = model.new_algorithms("AES-CBC", 256, "SHA256", "SHA256", "19")
    tunnel["children"] = [_child(rng, session, number, nat) for number in range(children)]
    _established(tunnel, "READY")
    return tunnel


def _child(rng, session, number, nat):
    """One IPsec SA pair between 198.19.<session>.x/24 networks (the 198.18.0.0/15 range)."""
    octet = (session * 4 + number) % 250
    child = model.new_child("", "INSTALLED", "active")
    child.update(local_ts=["198.18.%d.0/24" % octet], remote_ts=["198.19.%d.0/24" % octet],
                 sa_id="%d.%d" % (session, number + 2), mode="TUNNEL", protocol="ESP",
                 encapsulation=nat, spi_in=_hex(rng, 8), spi_out=_hex(rng, 8),
                 algorithms=model.new_algorithms("aes", 256, "sha-256-hmac", dh_group="14"),
                 bytes_in=rng.randrange(10 ** 5, 10 ** 9), bytes_out=rng.randrange(10 ** 5, 10 ** 9),
                 rekey_interval_seconds=28800, rekey_seconds=rng.randrange(600, 27000))
    child.update(packets_in=child["bytes_in"] // 100, packets_out=child["bytes_out"] // 100,
                 lifetime_seconds=child["rekey_seconds"] + 120)
    child["name"] = "%s===%s" % (child["local_ts"][0], child["remote_ts"][0])
    return child


def _negotiating_tunnel(peer, step):
    """An IKEv1 initiator stuck in main mode: the ASA lists the SA, nothing else."""
    tunnel = model.new_tunnel(peer, "ipsec", "CONNECTING", step)
    ike = tunnel["ike"]
    ike.update(version=1, native_state=step, initiator=True,
               negotiation=model.new_negotiation(1, step))
    ike["remote"]["address"] = peer
    return tunnel

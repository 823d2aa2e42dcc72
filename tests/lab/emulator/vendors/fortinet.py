"""FortiGate (FortiOS 7.x) as the collection's `fortinet` platform sees it.

Renders `get vpn ipsec tunnel summary`, `diagnose vpn ike gateway list` and
`diagnose vpn tunnel list` in FortiOS's layout (compare with
../shared/fixtures/real-outputs/fortinet) and maps the `diagnose vpn tunnel` and
`diagnose vpn ike gateway` reset commands onto EmulatedDevice.take_down().

Tunnel conventions of this module: a tunnel in state PASSIVE is a dial-up server (mode
dialup, listed only by the tunnel list); a tunnel with configured False is one of its dial-up
instances (mode dial_inst) named <server>_<n>.
"""

import ipaddress
import random

from ansible_collections.vpnops.tunnels.plugins.module_utils import model

PLATFORM = "fortinet"
NETMIKO_DEVICE_TYPE = "fortinet"

REPORTED = {
    "tunnel": ("name", "state", "native_state", "configured"),
    "ike": ("version", "sa_id", "native_state", "local.address", "local.port", "remote.address",
            "remote.port", "remote.id", "initiator", "initiator_spi", "responder_spi",
            "algorithms.encryption", "algorithms.key_size", "algorithms.integrity",
            "established_seconds", "rekey_seconds", "rekey_interval_seconds", "nat_t", "dpd",
            "negotiation"),
    "child": ("name", "state", "native_state", "configured", "mode", "protocol", "encapsulation",
              "spi_in", "spi_out", "algorithms.encryption", "algorithms.key_size",
              "algorithms.integrity", "bytes_in", "bytes_out", "packets_in", "packets_out",
              "rekey_seconds", "lifetime_seconds", "installed_seconds", "local_ts", "remote_ts"),
}

SEPARATOR = "-" * 54
_NAT_MODES = {"none": "none", "local": "keepalive", "remote": "silent", None: "none"}
_PROTOCOL_NUMBERS = {"icmp": "1", "tcp": "6", "udp": "17", "gre": "47"}


# --- commands ---------------------------------------------------------------------------------

def _words(command):
    return (command or "").split()


def _is(words, canonical):
    """FortiOS accepts unambiguous prefixes of every word: `diag vpn tun list`."""
    return len(words) >= len(canonical) and all(
        part.startswith(word) for part, word in zip(canonical, words))


def _name_filter(words, position):
    """(True, name) for `... name <phase1>`, (True, None) for no filter, (False, None) else."""
    rest = words[position:]
    if not rest:
        return True, None
    if rest[0] == "name" and len(rest) == 2:
        return True, rest[1]
    return False, None


def render(device, command):
    words = _words(command)
    tunnels = device.state()
    if _is(words, ("get", "vpn", "ipsec", "tunnel", "summary")) and len(words) == 5:
        return "".join(_summary_line(tunnel) for tunnel in tunnels if tunnel["state"] != "PASSIVE")
    known, wanted = _name_filter(words, 5)
    if _is(words, ("diagnose", "vpn", "ike", "gateway", "list")) and known:
        # a dial-up server has no IKE SA of its own: its instances are the gateways
        return "".join(_gateway_block(tunnel) for tunnel in tunnels
                       if _named(wanted)(tunnel) and tunnel["state"] != "PASSIVE")
    known, wanted = _name_filter(words, 4)
    if _is(words, ("diagnose", "vpn", "tunnel", "list")) and known:
        header = "list ipsec tunnel by names in vd 0\n" if wanted else "list all ipsec tunnel in vd 0\n"
        return header + "".join(_tunnel_block(tunnel, tunnels) for tunnel in tunnels
                                if _named(wanted)(tunnel))
    return None


def reset(device, command):
    """`diagnose vpn tunnel down|flush [<phase1>]` drop the IPsec SAs (phase 2);
    `diagnose vpn ike gateway flush|clear [name <phase1>]` drop the IKE SA with them;
    `diagnose vpn tunnel up <phase1>` asks for negotiation, which the emulated peers do anyway."""
    words = _words(command)
    if _is(words, ("diagnose", "vpn", "tunnel", "up")) and len(words) in (5, 6):
        return ""
    for verb in ("down", "flush"):
        if _is(words, ("diagnose", "vpn", "tunnel", verb)) and len(words) <= 6:
            device.take_down(command, _named(words[4] if len(words) > 4 else None), scope="child")
            return ""
    known, wanted = _name_filter(words, 5)
    for verb in ("flush", "clear"):
        if _is(words, ("diagnose", "vpn", "ike", "gateway", verb)) and known:
            device.take_down(command, _named(wanted), scope="tunnel")
            return ""
    return None


def _named(name):
    return lambda tunnel: name is None or tunnel["name"] == name


# --- get vpn ipsec tunnel summary -------------------------------------------------------------

def _summary_line(tunnel):
    children = tunnel["children"]
    up = sum(1 for child in children if child["state"] == "INSTALLED")
    return "'%s' %s:0  selectors(total,up): %d/%d  rx(pkt,err): %d/0  tx(pkt,err): %d/0\n" % (
        tunnel["name"], tunnel["ike"]["remote"]["address"], len(children), up,
        _total(children, "packets_in"), _total(children, "packets_out"))


def _total(children, field):
    return sum(child[field] or 0 for child in children)


# --- diagnose vpn ike gateway list ------------------------------------------------------------

def _gateway_block(tunnel):
    ike = tunnel["ike"]
    installed = sum(1 for child in tunnel["children"] if child["state"] == "INSTALLED")
    has_sa = ike["sa_id"] is not None
    lines = [
        "", "vd: root/0", "name: %s" % tunnel["name"], "version: %s" % ike["version"],
        "interface: port1 3",
        "addr: %s:%s -> %s:%s" % (ike["local"]["address"], ike["local"]["port"] or 500,
                                  ike["remote"]["address"], ike["remote"]["port"] or 500),
        "tun_id: %s/::%s" % (ike["remote"]["address"], ike["remote"]["address"]),
        "remote_location: 0.0.0.0", "network-id: 0",
        "created: %ds ago" % (ike["established_seconds"] or 0),
    ]
    if ike["nat_t"] in ("local", "remote", "both"):
        lines.append("nat: %s" % {"local": "me", "remote": "peer", "both": "me peer"}[ike["nat_t"]])
    if ike["remote"]["id"]:
        lines.append("peer-id: %s" % ike["remote"]["id"])
    lines += ["IKE SA: created %d/%d  established %d/%d  time 0/0/0 ms" % ((int(has_sa),) * 4),
              "IPsec SA: created %d/%d  established %d/%d  time 0/0/0 ms" % ((installed,) * 4)]
    if has_sa:
        lines += [""] + _ike_sa_lines(tunnel)
    return "\n".join(lines) + "\n"


def _ike_sa_lines(tunnel):
    ike = tunnel["ike"]
    lines = ["  id/spi: %s %s/%s" % (ike["sa_id"], ike["initiator_spi"], ike["responder_spi"]),
             "  direction: %s" % ("initiator" if ike["initiator"] else "responder")]
    if tunnel["state"] != "ESTABLISHED":
        # phase 1 under way: no proposal or lifetime yet (Fortinet KB 195955 shows this form)
        return lines + ["  status: %s, %s, started 12s ago" % (
            tunnel["native_state"], ike["negotiation"]["step"])]
    lines.append("  status: established %d-%ds ago = 0ms" % ((ike["established_seconds"],) * 2))
    lines.append("  proposal: %s" % _proposal(ike["algorithms"]))
    if ike["version"] == 2:
        lines += ["  child: no", "  SK_ei: %s" % _key_hex(ike["initiator_spi"], 32),
                  "  SK_er: %s" % _key_hex(ike["responder_spi"], 32), "  PPK: no",
                  "  message-id sent/recv: 2/3"]
    else:
        lines.append("  key: %s" % _key_hex(ike["initiator_spi"], 16))
    lines += ["  lifetime/rekey: %d/%d" % (ike["rekey_interval_seconds"], ike["rekey_seconds"] or 0),
              "  DPD sent/recv: 00000000/00000000"]
    return lines


def _proposal(algorithms):
    cipher = algorithms["encryption"] or "null"
    if algorithms["key_size"]:
        cipher = cipher.replace("-", "%d" % algorithms["key_size"], 1) if "-" in cipher else \
            "%s%d" % (cipher, algorithms["key_size"])
    return "-".join(part for part in (cipher, algorithms["integrity"] or algorithms["prf"]) if part)


def _key_hex(seed_hex, length):
    """Key material is never compared; FortiOS prints it dash-grouped in 16-digit words."""
    digits = (seed_hex * (2 * length // len(seed_hex) + 1))[:length * 2]
    return "-".join(digits[start:start + 16] for start in range(0, len(digits), 16))


# --- diagnose vpn tunnel list -----------------------------------------------------------------

def _tunnel_block(tunnel, tunnels):
    ike = tunnel["ike"]
    children = tunnel["children"]
    mode = _tunnel_mode(tunnel)
    local, remote = ike["local"]["address"], ike["remote"]["address"] or "0.0.0.0"
    ports = (4500, 4500) if ike["nat_t"] in ("local", "remote", "both") else (0, 0)
    lines = [
        SEPARATOR,
        "name=%s ver=%s serial=1 %s:%d->%s:%d tun_id=%s tun_id6=::%s dst_mtu=1500 dpd-link=on"
        " weight=1" % (tunnel["name"], ike["version"] or 1, local, ports[0], remote, ports[1],
                       remote, remote),
        "bound_if=3 lgwy=static/1 tun=intf mode=%s encap=none/552 options[0228]=npu frag-rfc"
        "  run_state=0 role=primary accept_traffic=1 overlay_id=0" % mode,
        "",
    ]
    if mode.startswith("dial_inst"):
        lines.append("parent=%s index=0" % tunnel["name"].rsplit("_", 1)[0])
    lines += [
        "proxyid_num=%d child_num=%d refcnt=4 ilast=3 olast=3 ad=/0" % (
            len(children), _instances(tunnel, tunnels) if mode.startswith("dialup") else 0),
        "stat: rxp=%d txp=%d rxb=%d txb=%d" % (
            _total(children, "packets_in"), _total(children, "packets_out"),
            _total(children, "bytes_in"), _total(children, "bytes_out")),
        _dpd_line(ike["dpd"]),
        "natt: mode=%s draft=%d interval=%d remote_port=%d" % (
            _NAT_MODES[ike["nat_t"]], 32 if ports[0] else 0, 10 if ports[0] else 0, ports[1]),
    ]
    for child in children:
        lines += _proxyid_lines(child, local, remote)
    lines.append("run_tally=0")
    return "\n".join(lines) + "\n"


def _instances(server, tunnels):
    return sum(1 for tunnel in tunnels
               if not tunnel["configured"] and tunnel["name"].rsplit("_", 1)[0] == server["name"])


def _tunnel_mode(tunnel):
    if tunnel["state"] == "PASSIVE":
        return "dialup/2"
    return "auto/1" if tunnel["configured"] else "dial_inst/3"


def _dpd_line(dpd):
    if dpd is None:
        return "dpd: mode=on-demand on=0 idle=20000ms retry=3 count=0 seqno=0"
    return "dpd: mode=on-idle on=1 idle=%dms retry=3 count=0 seqno=2" % (dpd["delay"] * 1000)


_AUTH_KEY_BYTES = {"null": 0, "md5": 16, "sha1": 20, "sha256": 32, "sha384": 48, "sha512": 64}


def _proxyid_lines(child, local, remote):
    installed = child["state"] == "INSTALLED"
    flags = " transport-mode" if child["mode"] == "TRANSPORT" else ""
    header = "proxyid=%s proto=%s sa=%d ref=2 serial=1 auto-negotiate%s" % (
        child["name"], _selector_protocol(child["local_ts"]), int(installed), flags)
    lines = [header, "  src: %s" % _selector(child["local_ts"]), "  dst: %s" % _selector(child["remote_ts"])]
    return lines + _sa_lines(child, local, remote) if installed else lines


def _sa_lines(child, local, remote):
    """The one SA of an installed selector: lifetimes, SPIs with key material, counters."""
    total = (child["installed_seconds"] or 0) + (child["lifetime_seconds"] or 0)
    lines = [
        "  SA:  ref=3 options=18227 type=00 soft=0 mtu=1438 expire=%d/0B replaywin=2048"
        % (child["rekey_seconds"] or 0),
        "       seqno=1 esn=0 replaywin_lastseq=00000000 qat=0 rekey=0 hash_search_len=1",
        "  life: type=01 bytes=0/0 timeout=%d/%d" % (child["lifetime_seconds"] or 0, total),
    ]
    for direction, spi in (("dec", child["spi_in"]), ("enc", child["spi_out"])):
        lines += _key_lines(direction, spi, child["algorithms"])
    counters = (child["packets_in"], child["bytes_in"], child["packets_out"], child["bytes_out"])
    return lines + [
        "  dec:pkts/bytes=%d/%d, enc:pkts/bytes=%d/%d" % counters,
        "  npu_flag=00 npu_rgwy=%s npu_lgwy=%s npu_selid=0 dec_npuid=0 enc_npuid=0" % (remote, local),
    ]


def _key_lines(direction, spi, algorithms):
    """'dec: spi=... esp=aes key=32 <hex>' and its 'ah=sha256 key=32 <hex>' line; AEAD keys
    carry a 4-byte salt and no separate integrity key."""
    key_bytes = algorithms["key_size"] // 8 + (4 if algorithms["encryption"] == "aes-gcm" else 0)
    integrity = algorithms["integrity"] or "null"
    auth_bytes = _AUTH_KEY_BYTES[integrity]
    cipher_key = _key_hex(spi, key_bytes).replace("-", "")
    auth_key = _key_hex(spi, auth_bytes).replace("-", "")
    return ["  %s: spi=%s esp=%s key=%d %s" % (direction, spi, algorithms["encryption"], key_bytes, cipher_key),
            "       ah=%s key=%d %s" % (integrity, auth_bytes, auth_key)]


def _selector_protocol(selectors):
    """'10.0.0.1/32[udp/1701]' -> '17'; plain prefixes carry protocol 0 (any)."""
    if not selectors or "[" not in selectors[0]:
        return "0"
    return _PROTOCOL_NUMBERS.get(selectors[0].split("[")[1].rstrip("]").split("/")[0], "0")


def _selector(selectors):
    """'198.51.100.0/28' -> '0:198.51.100.0-198.51.100.15:0' (FortiOS's range form)."""
    text = selectors[0] if selectors else "0.0.0.0/0"
    prefix, _bracket, extra = text.partition("[")
    network = ipaddress.ip_network(prefix)
    port = extra.rstrip("]").split("/")[1] if "/" in extra else "0"
    return "%s:%s-%s:%s" % (_selector_protocol([text]), network.network_address,
                            network.broadcast_address, port)


# --- example devices --------------------------------------------------------------------------

def example_tunnels(index):
    """Device `index`: two healthy tunnels (IKEv2; IKEv1 behind NAT), one degraded (a selector
    without SA), one configured but down; odd devices add one stuck in phase 1 and a dial-up
    server with one connected instance."""
    builder = _Builder(index)
    tunnels = [
        builder.established("to-branch-a", version=2, children=("lan",)),
        builder.established("to-branch-b", version=1, children=("lan",), nat_t="local"),
        builder.established("to-dc", version=2, children=("lan", "voice"), down_children=("voice",)),
        builder.down("to-backup", children=("lan",)),
    ]
    if index % 2:
        tunnels += [builder.connecting("to-branch-c"), builder.dialup_server("dialup"),
                    builder.established("dialup_0", version=2, children=("dialup",), instance=True)]
    return tunnels


class _Builder:
    """Deterministic tunnels of one emulated FortiGate: addresses from the documentation
    ranges, SPIs from a seeded generator."""

    def __init__(self, index):
        self.index = index
        self.random = random.Random(1000 + index)
        self.count = 0
        self.local = "192.0.2.%d" % (10 + index)

    def _hex(self, digits):
        return "%0*x" % (digits, self.random.getrandbits(digits * 4))

    def _tunnel(self, name, state, native_state, version, nat_t="none"):
        self.count += 1
        tunnel = model.new_tunnel(name, "ipsec", state, native_state)
        tunnel["configured"] = True
        ike = tunnel["ike"]
        ike.update(version=version, nat_t=nat_t, rekey_interval_seconds=86400,
                   dpd={"delay": 20, "timeout": None, "action": None})
        port = 4500 if nat_t != "none" else 500
        ike["local"] = model.new_endpoint(self.local, port)
        ike["remote"] = model.new_endpoint("203.0.113.%d" % (16 * (self.index % 8) + self.count), port)
        ike["algorithms"] = model.new_algorithms("aes", 256, "sha256")
        return tunnel

    def established(self, name, version, children, down_children=(), nat_t="none", instance=False):
        tunnel = self._tunnel(name, "ESTABLISHED", "established", version, nat_t)
        tunnel["configured"] = not instance
        age = 300 + 60 * self.count
        tunnel["ike"].update(sa_id=str(100 * (self.index + 1) + self.count), native_state="established",
                             initiator=self.count % 2 == 1,
                             initiator_spi=self._hex(16), responder_spi=self._hex(16),
                             established_seconds=age, rekey_seconds=86400 - age - 90)
        for number, child_name in enumerate(children):
            child = self._child(child_name, number, nat_t)
            if child_name in down_children:
                child.update(state="DOWN", native_state="sa=0")
            else:
                self._install(child, age)
            tunnel["children"].append(child)
        if down_children:
            tunnel["ike"]["negotiation"] = model.new_negotiation(
                2, "IPsec SA not installed: %s" % ", ".join(down_children))
        return tunnel

    def down(self, name, children):
        """Configured, no IKE SA: only the configuration (version, DPD, NAT-T) shows."""
        tunnel = self._tunnel(name, "DOWN", None, 2)
        tunnel["ike"].update(algorithms=model.new_algorithms(), rekey_interval_seconds=None)
        tunnel["children"] = [self._child(child_name, number, "none")
                              for number, child_name in enumerate(children)]
        return tunnel

    def connecting(self, name):
        """Phase 1 under way: FortiOS shows the SPIs, the direction and the state number only."""
        tunnel = self.down(name, ("lan",))
        tunnel.update(state="CONNECTING", native_state="connecting")
        tunnel["ike"].update(version=1, sa_id=str(100 * (self.index + 1) + self.count),
                             native_state="connecting", initiator=True, initiator_spi=self._hex(16), responder_spi="0" * 16,
                             negotiation=model.new_negotiation(1, "state 3"))
        return tunnel

    def dialup_server(self, name):
        tunnel = model.new_tunnel(name, "ipsec", "PASSIVE", "dialup")
        tunnel["configured"] = True
        tunnel["ike"].update(version=2, nat_t="none", local=model.new_endpoint(self.local))
        return tunnel

    def _child(self, name, number, nat_t):
        """A selector without SA: FortiOS shows its selectors, no algorithms."""
        child = model.new_child(name, "DOWN", "sa=0")
        subnet = 16 * (self.count % 16)
        child.update(configured=True, mode="TUNNEL", encapsulation=nat_t != "none",
                     local_ts=["198.51.100.%d/%d" % (subnet, 28 + number)],
                     remote_ts=["203.0.113.%d/28" % subnet])
        return child

    def _install(self, child, age):
        packets_in, packets_out = self.random.randint(100, 5000), self.random.randint(100, 5000)
        child.update(state="INSTALLED", native_state="sa=1", protocol="ESP",
                     algorithms=model.new_algorithms("aes", 256, "sha256"),
                     spi_in=self._hex(8), spi_out=self._hex(8),
                     packets_in=packets_in, bytes_in=packets_in * 100, packets_out=packets_out,
                     bytes_out=packets_out * 100, installed_seconds=age - 5,
                     lifetime_seconds=43200 - (age - 5), rekey_seconds=43200 - (age - 5) - 300)

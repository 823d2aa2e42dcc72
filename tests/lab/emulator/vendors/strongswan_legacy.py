"""strongSwan 5.9 with the stroke interface (ipsec.conf, starter) as the collection's
`strongswan_legacy` platform sees it.

Renders `ipsec statusall` and `ipsec status` in charon's layout (stroke_list.c; compare with
../shared/fixtures/real-outputs/strongswan_legacy and the 5.9.8 captures in
tests/unit/parsers/data/strongswan_legacy) and maps `ipsec down|up` onto
EmulatedDevice.take_down().

Tunnel conventions of this module: a tunnel is one ipsec.conf conn whose children are the
conns stroke merged into it; a tunnel with ike.sa_id None has no IKE_SA and is shown in
"Connections:" only; a child with sa_id None is configured but not established; a ROUTED
child is a trap policy ("Routed Connections:"). Replies to resets repeat charon's last lines.
"""

import re
import time

from ansible_collections.vpnops.tunnels.plugins.module_utils import model

PLATFORM = "strongswan_legacy"
NETMIKO_DEVICE_TYPE = "linux"

# Times are printed in whole units, truncated ("3 minutes"): only the age of an IKE_SA is
# compared, as a lower bound; countdowns can read longer than the device's, so they are not.
REPORTED = {
    "tunnel": ("name", "state", "configured"),
    "ike": ("version", "sa_id", "native_state", "local.address", "local.id", "remote.address",
            "remote.id", "initiator", "initiator_spi", "responder_spi", "algorithms.encryption",
            "algorithms.key_size", "algorithms.integrity", "algorithms.prf",
            "algorithms.dh_group", "established_seconds", "dpd", "negotiation"),
    "child": ("name", "sa_id", "reqid", "state", "native_state", "configured", "mode",
              "protocol", "encapsulation", "spi_in", "spi_out", "algorithms.encryption",
              "algorithms.key_size", "algorithms.integrity", "bytes_in", "bytes_out",
              "packets_in", "packets_out", "local_ts", "remote_ts"),
}

_STATUS_COMMAND = re.compile(
    r"^(?:sudo\s+)?(?:\S*/)?(?:ipsec|strongswan)\s+(?P<verb>statusall|status)(?:\s+(?P<name>\S+))?$"
)
_RESET_COMMAND = re.compile(
    r"^(?:sudo\s+)?(?:\S*/)?(?:ipsec|strongswan)\s+(?P<verb>up|down)\s+(?P<name>[^\s\[{]+)"
    r"(?:\[(?P<ike>\d+|\*)\]|\{(?P<child>\d+|\*)\})?$"
)
_PLUGINS = ("charon aesni aes rc2 sha2 sha1 md5 mgf1 random nonce x509 revocation constraints "
            "pubkey pkcs1 pkcs7 pkcs12 pgp dnskey sshkey pem openssl pkcs8 fips-prf gmp agent "
            "xcbc hmac kdf gcm drbg attr kernel-netlink resolve socket-default connmark stroke "
            "vici updown eap-mschapv2 xauth-generic counters")


# --- commands ---------------------------------------------------------------------------------

def render(device, command):
    match = _STATUS_COMMAND.match(" ".join((command or "").split()))
    if match is None:
        return None
    tunnels = [tunnel for tunnel in device.state() if _selected(tunnel, match.group("name"))]
    if match.group("verb") == "statusall":
        return "\n".join(_daemon(tunnels) + _connections(tunnels) + _routed(tunnels, True)
                         + _security_associations(tunnels, True))
    return "\n".join(_routed(tunnels, False) + _security_associations(tunnels, False))


def reset(device, command):
    match = _RESET_COMMAND.match(" ".join((command or "").split()))
    if match is None:
        return None
    name = match.group("name")
    if match.group("verb") == "up":
        return _up(device, command, name)
    if match.group("child"):
        return _down_children(device, command, name, match.group("child"))
    return _down_ike(device, command, name, match.group("ike") or "*")


def _selected(tunnel, name):
    """`statusall NAME` shows a conn, its SAs and any child of that name."""
    return name is None or tunnel["name"] == name or any(
        child["name"] == name for child in tunnel["children"])


def _live(tunnel):
    return tunnel["ike"]["sa_id"] is not None


def _down_ike(device, command, name, sa_id):
    victims = [t for t in device.state() if t["name"] == name and _live(t)
               and sa_id in ("*", t["ike"]["sa_id"])]
    if not victims:
        return "" if sa_id == "*" else (
            "unable to terminate IKE_SA: ID %s not found\nclosing IKE_SA [%s] failed" % (sa_id, sa_id))
    replies = ["deleting IKE_SA %s[%s] between %s...%s\nIKE_SA [%s] closed successfully" % (
        t["name"], t["ike"]["sa_id"], _endpoint(t["ike"]["local"]), _endpoint(t["ike"]["remote"]),
        t["ike"]["sa_id"]) for t in victims]
    ids = {t["ike"]["sa_id"] for t in victims}
    device.take_down(command, lambda t: t["name"] == name and t["ike"]["sa_id"] in ids, "tunnel")
    return "\n".join(replies)


def _down_children(device, command, name, child_id):
    """`NAME{N}` closes CHILD_SA N (a unique id, whatever NAME says); `NAME{*}` all of NAME's.
    The device drops every installed child of the tunnel concerned (take_down's child scope)."""
    def wanted(tunnel, child):
        return child["sa_id"] is not None and (
            child["sa_id"] == child_id if child_id != "*" else tunnel["name"] == name)
    closed = [(t, c) for t in device.state() for c in t["children"] if wanted(t, c)]
    if not closed:
        return ("unable to terminate, CHILD_SA with ID %s not found\nclosing CHILD_SA {%s} failed"
                % (child_id, child_id)) if child_id != "*" else ""
    tunnels = {t["name"] for t, _child in closed}
    device.take_down(command, lambda t: t["name"] in tunnels, "child")
    return "\n".join("closing CHILD_SA %s{%s} with SPIs %s_i (%d bytes) %s_o (%d bytes) and TS %s"
                     "\nCHILD_SA {%s} closed successfully" % (
                         c["name"], c["sa_id"], c["spi_in"], c["bytes_in"] or 0, c["spi_out"],
                         c["bytes_out"] or 0, _selectors(c), c["sa_id"]) for _t, c in closed)


def _up(device, command, name):
    """An established conn renegotiates (charon replaces the old IKE_SA); a conn without SA
    cannot come up here, as its peer does not answer in the emulated network."""
    tunnel = next((t for t in device.state() if t["name"] == name and t["configured"]), None)
    if tunnel is None:
        return "no config named '%s'" % name
    ike = tunnel["ike"]
    start = "initiating %sIKE_SA %s[%s] to %s" % (
        "Main Mode " if ike["version"] == 1 else "", name, ike["sa_id"] or 1,
        ike["remote"]["address"])
    if tunnel["state"] != "ESTABLISHED":
        return start + ("\ngiving up after 5 retransmits\nestablishing IKE_SA failed, peer not "
                        "responding\nestablishing connection '%s' failed" % name)
    device.take_down(command, lambda t: t["name"] == name, "tunnel")
    return start + "\nconnection '%s' established successfully" % name


# --- statusall sections ---------------------------------------------------------------------

def _delta(seconds):
    """charon's %V: whole units, truncated, seconds up to 120 s, minutes up to 120 min..."""
    value, unit = seconds, "second"
    for limit, size, name in ((2 * 86400, 86400, "day"), (2 * 3600, 3600, "hour"),
                              (2 * 60, 60, "minute")):
        if seconds > limit:
            value, unit = seconds // size, name
            break
    return "%d %s%s" % (value, unit, "" if value == 1 else "s")


def _daemon(tunnels):
    uptime = max([t["ike"]["established_seconds"] or 0 for t in tunnels] + [0]) + 47
    since = time.strftime("%b %d %H:%M:%S %Y", time.localtime(time.time() - uptime))
    addresses = sorted({t["ike"]["local"]["address"] for t in tunnels
                        if t["ike"]["local"]["address"]})
    return ["Status of IKE charon daemon (strongSwan 5.9.8, Linux 6.1.0-28-amd64, x86_64):",
            "  uptime: %s, since %s" % (_delta(uptime), since),
            "  malloc: sbrk 2859008, mmap 0, used 1210720, free 1648288",
            "  worker threads: 11 of 16 idle, 5/0/0/0 working, job queue: 0/0/0/0, scheduled: %d"
            % (2 * len(tunnels)),
            "  loaded plugins: %s" % _PLUGINS,
            "Listening IP addresses:"] + ["  %s" % address for address in addresses]


def _connections(tunnels):
    lines = ["Connections:"]
    for tunnel in tunnels:
        if tunnel["configured"]:
            lines.extend(_conn(tunnel))
    return lines


def _conn(tunnel):
    ike, name = tunnel["ike"], tunnel["name"]
    dpd = ike["dpd"]
    lines = ["%12s:  %s...%s  IKEv%d%s" % (
        name, ike["local"]["address"] or "%any", ike["remote"]["address"] or "%any",
        ike["version"], ", dpddelay=%ds" % dpd["delay"] if dpd else "")]
    for side, label in (("local", "local: "), ("remote", "remote:")):
        lines.append("%12s:   %s [%s] uses pre-shared key authentication" % (
            name, label, ike[side]["id"] or ike[side]["address"]))
    for child in tunnel["children"]:
        if child["configured"]:
            lines.append("%12s:   child:  %s %s%s" % (
                child["name"], _selectors(child), child["mode"] or "TUNNEL",
                ", dpdaction=%s" % dpd["action"] if dpd else ""))
    return lines


def _routed(tunnels, detailed):
    traps = [child for tunnel in tunnels for child in tunnel["children"]
             if child["state"] == "ROUTED"]
    lines = ["Routed Connections:"] if traps else []
    for child in traps:
        lines.extend(_child(child, detailed))
    return lines


def _security_associations(tunnels, detailed):
    live = [tunnel for tunnel in tunnels if _live(tunnel)]
    connecting = sum(1 for tunnel in live if tunnel["state"] in ("CREATED", "CONNECTING"))
    lines = ["Security Associations (%d up, %d connecting):" % (len(live) - connecting, connecting)]
    for tunnel in live:
        lines.extend(_ike(tunnel, detailed))
        for child in tunnel["children"]:
            if child["sa_id"] is not None and child["state"] != "ROUTED":
                lines.extend(_child(child, detailed))
    if not live:
        lines.append("  none")
    return lines


def _ike(tunnel, detailed):
    ike = tunnel["ike"]
    prefix = "%12s[%s]: " % (tunnel["name"], ike["sa_id"])
    established = ike["native_state"] == "ESTABLISHED"
    ago = " %s ago" % _delta(ike["established_seconds"] or 0) if established else ""
    lines = [prefix + "%s%s, %s...%s" % (ike["native_state"], ago, _endpoint(ike["local"], established),
                                         _endpoint(ike["remote"], established))]
    if not detailed:
        return lines
    lines.append(prefix + "IKEv%d SPIs: %s_i%s %s_r%s%s" % (
        ike["version"], ike["initiator_spi"], "*" if ike["initiator"] else "",
        ike["responder_spi"], "" if ike["initiator"] else "*", _ike_times(ike) if established else ""))
    if ike["algorithms"]["encryption"]:
        lines.append(prefix + "IKE proposal: %s" % _proposal(ike["algorithms"], with_prf=True))
    negotiation = ike["negotiation"]
    if negotiation and ": " in negotiation["step"]:
        queue, tasks = negotiation["step"].split(": ", 1)
        lines.append(prefix + "Tasks %s: %s " % (queue, tasks))
    return lines


def _ike_times(ike):
    times = ""
    if ike["rekey_seconds"]:
        times += ", rekeying in %s" % _delta(ike["rekey_seconds"])
    if ike["reauth_seconds"]:
        times += ", pre-shared key reauthentication in %s" % _delta(ike["reauth_seconds"])
    return times or ", rekeying disabled"


def _child(child, detailed):
    prefix = "%12s{%s}:  " % (child["name"], child["sa_id"])
    header = "%s, %s, reqid %s" % (child["native_state"], child["mode"], child["reqid"])
    lines = []
    if child["state"] == "INSTALLED":
        header += ", %s%s SPIs: %s_i %s_o" % (child["protocol"], " in UDP" if child["encapsulation"]
                                              else "", child["spi_in"], child["spi_out"])
        lines.append(prefix + header)
        if detailed:
            lines.append(prefix + "%s, %s, %s, rekeying in %s" % (
                _proposal(child["algorithms"], with_prf=False), _traffic(child, "in"),
                _traffic(child, "out"), _delta(child["rekey_seconds"] or 0)))
    else:
        lines.append(prefix + header)
    lines.append(prefix + " %s" % _selectors(child))
    return lines


def _traffic(child, direction):
    """'1234 bytes_i (12 pkts, 3s ago)': packets and age only once the direction saw use."""
    count, packets = child["bytes_" + direction] or 0, child["packets_" + direction] or 0
    text = "%d bytes_%s" % (count, direction[0])
    ago = child["last_%s_seconds" % direction]
    if ago is not None:
        text += " (%d pkt%s, %ds ago)" % (packets, "" if packets == 1 else "s", ago)
    return text


def _proposal(algorithms, with_prf):
    parts = []
    if algorithms["encryption"]:
        parts.append(algorithms["encryption"] + (
            "_%d" % algorithms["key_size"] if algorithms["key_size"] else ""))
    for field in ("integrity", "prf", "dh_group"):
        if algorithms[field] and (with_prf or field != "prf"):
            parts.append(algorithms[field])
    return "/".join(parts)


def _endpoint(endpoint, authenticated=True):
    """'192.0.2.1[gw-a.example]'; charon shows %any until the peer is authenticated."""
    return "%s[%s]" % (endpoint["address"], endpoint["id"] if authenticated else "%any")


def _selectors(child):
    return "%s === %s" % (" ".join(child["local_ts"]) or "dynamic",
                          " ".join(child["remote_ts"]) or "dynamic")


# --- example devices ------------------------------------------------------------------------

def example_tunnels(index):
    """Per device: two healthy tunnels (IKEv2 with two merged conns, IKEv1), a degraded one
    (one conn of two not established), one still connecting, one configured but down and
    one routed (trap policy only). Deterministic for an index."""
    local = "192.0.2.%d" % (10 + index % 240)
    peers = ["203.0.113.%d" % ((10 * index + n) % 254 + 1) for n in range(6)]
    nets = _Subnets(index)
    return [
        _established("hq", 2, local, peers[0], [nets.child("hq"), nets.child("hq-voice")], index, 1),
        _established("branch-v1", 1, local, peers[1], [nets.child("branch-v1")], index, 2),
        _established("partner", 2, local, peers[2],
                     [nets.child("partner"), nets.child("partner-lab", installed=False)], index, 3),
        _connecting("backup", local, peers[3], nets.child("backup", installed=False), index),
        _configured("dormant", local, peers[4], nets.child("dormant", installed=False)),
        _configured("standby", local, peers[5], nets.child("standby", installed=False),
                    routed_reqid=40 + index),
    ]


class _Subnets:
    """Child selectors from 198.51.100.0/24 (local) and 198.18.0.0/15 (remote), /28 each."""

    def __init__(self, index):
        self.index, self.count = index, 0

    def child(self, name, installed=True):
        self.count += 1
        child = model.new_child(name, "INSTALLED" if installed else "DOWN",
                                "INSTALLED" if installed else None)
        child.update(configured=True, mode="TUNNEL",
                     local_ts=["198.51.100.%d/28" % (16 * self.count)],
                     remote_ts=["198.18.%d.%d/28" % (self.index % 256, 16 * self.count)])
        return child


def _configured(name, local, remote, child, routed_reqid=None):
    tunnel = model.new_tunnel(name, "ipsec", "DOWN")
    tunnel.update(configured=True, enabled=True)
    ike = tunnel["ike"]
    ike.update(version=2, dpd={"delay": 30, "timeout": None, "action": "restart"},
               local=model.new_endpoint(local, None, "gw-%s.example" % local.rsplit(".", 1)[1]),
               remote=model.new_endpoint(remote, None, "%s.peer.example" % name))
    if routed_reqid is not None:
        child.update(state="ROUTED", native_state="ROUTED", sa_id=str(routed_reqid + 100),
                     reqid=str(routed_reqid))
    tunnel["children"].append(child)
    return tunnel


def _established(name, version, local, remote, children, index, number):
    tunnel = _configured(name, local, remote, children[0])
    tunnel["children"] = children
    tunnel.update(state="ESTABLISHED", native_state="ESTABLISHED")
    seed = 7919 * (index + 1) + 104729 * number
    tunnel["ike"].update({
        "version": version,
        "sa_id": str(number + 10 * index),
        "native_state": "ESTABLISHED",
        "initiator": number % 2 == 1,
        "initiator_spi": "%016x" % (seed * 0x9E3779B97F4A7C15 % (1 << 64)),
        "responder_spi": "%016x" % (seed * 0xC2B2AE3D27D4EB4F % (1 << 64)),
        "algorithms": model.new_algorithms("AES_CBC", 256 if version == 1 else 128,
                                           "HMAC_SHA2_256_128", "PRF_HMAC_SHA2_256", "MODP_2048"),
        "established_seconds": 400 * number + 30 * index,
        "reauth_seconds": 9000 - 400 * number,
    })
    for position, child in enumerate(children):
        if child["state"] == "INSTALLED":
            _install(child, seed + position, number, index, position)
    return tunnel


def _install(child, seed, number, index, position):
    traffic = 0 if position else 1000 * (number + index) + 340
    child.update({
        "sa_id": str(100 + 10 * index + 3 * number + position),
        "reqid": str(10 + 3 * number + position),
        "protocol": "ESP",
        "encapsulation": number == 2,
        "spi_in": "c%07x" % (seed * 2654435761 % (1 << 28)),
        "spi_out": "%08x" % (seed * 40503 % (1 << 32)),
        "algorithms": model.new_algorithms("AES_GCM_16", 256, None, None, None),
        "bytes_in": traffic, "bytes_out": traffic // 2,
        "packets_in": traffic // 100, "packets_out": traffic // 200,
        "last_in_seconds": 4 if traffic else None, "last_out_seconds": 4 if traffic else None,
        "installed_seconds": 300, "rekey_seconds": 2700 - 60 * position,
    })


def _connecting(name, local, remote, child, index):
    tunnel = _configured(name, local, remote, child)
    tunnel.update(state="CONNECTING", native_state="CONNECTING")
    tunnel["ike"].update({
        "sa_id": str(9 + 10 * index),
        "native_state": "CONNECTING",
        "initiator": True,
        "initiator_spi": "%016x" % (0x5D30D43841554F83 + index),
        "responder_spi": "0000000000000000",
        "negotiation": model.new_negotiation(
            1, "active: IKE_VENDOR IKE_INIT IKE_NATD IKE_CERT_PRE IKE_AUTH IKE_CERT_POST "
               "IKE_CONFIG IKE_AUTH_LIFETIME IKE_MOBIKE IKE_ESTABLISH CHILD_CREATE"),
    })
    return tunnel

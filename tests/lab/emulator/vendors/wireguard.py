"""WireGuard as wireguard-tools' `wg` prints it: `wg show all dump` and the human `wg show`.

The formats follow wireguard-tools src/show.c (dump_print, pretty_print) and the samples in
../shared/fixtures/real-outputs/wireguard. A tunnel is a peer, named INTERFACE:PUBLIC_KEY.
Handshake times are written relative to this host's clock, the one the parser judges by:
an up peer handshook `last_in_seconds` ago (0 once traffic flows), a down one either long ago
(last_in_seconds kept) or never (None, printed as 0).

The model has no endpoint field outside IKE, so a peer's endpoint lives in its tunnel's
status_message as "endpoint ADDRESS:PORT" (examples below); a device reset replaces that
message, so the endpoint reads (none) until the peer is back.

Reset: WireGuard has no per-peer command that forces a new handshake. Setting the same
endpoint again does not: the kernel keeps the session (wg_socket_set_peer_endpoint returns
early for an equal endpoint). What does is removing the peer and adding it back with its
configuration, saved first so nothing is lost (RESET_COMMAND): the new peer has no session
and no counters, and handshakes on its next packet or keepalive.
"""

import base64
import hashlib
import re
import time

from ansible_collections.vpnops.tunnels.plugins.module_utils import model

PLATFORM = "wireguard"
NETMIKO_DEVICE_TYPE = "linux"

# One line for a POSIX shell: save the interface's configuration, remove the peer, add the
# saved configuration back (the other peers are unchanged by addconf).
RESET_COMMAND = ("c=$(wg showconf {interface}) && wg set {interface} peer {public_key} remove"
                 " && printf '%s\\n' \"$c\" | wg addconf {interface} /dev/stdin")

# The model fields this output carries. The handshake age (child last_in_seconds) moves with
# the clock and is left out; counters compare as "facts <= device".
REPORTED = {
    "tunnel": ("name", "type", "state", "configured"),
    "ike": (),
    "child": ("name", "state", "configured", "remote_ts", "bytes_in", "bytes_out"),
}

_FIRST_PORT = 51820
_ENDPOINT = re.compile(r"^endpoint (?P<endpoint>\S+?);?(?:\s|$)")
_RESET = re.compile(r"\bwg showconf (?P<interface>[^\s)]+)\).*\bwg set (?P=interface) peer (?P<key>\S+) remove\b"
                    r".*\bwg addconf (?P=interface) ")


def render(device, command):
    """`wg show all dump` (also piped through the collection's awk filter that blanks the
    private and preshared keys, as the device's shell would run it) and `wg [show ...]`."""
    words, _pipe, filters = command.partition("|")
    words = words.split()
    tool = next((index for index, word in enumerate(words) if word.rsplit("/", 1)[-1] == "wg"), None)
    if tool is None:
        return None
    arguments = words[tool + 1:]
    if arguments == ["show", "all", "dump"]:
        dump = _dump(device.state())
        return _hide_secrets(dump) if "awk" in filters else dump
    if arguments in ([], ["show"], ["show", "all"]):
        return _pretty(device.state(), None)
    if len(arguments) == 2 and arguments[0] == "show":
        return _pretty(device.state(), arguments[1])
    return None


def reset(device, command):
    """RESET_COMMAND for one peer: it comes back with a fresh session after the reset delay."""
    match = _RESET.search(command)
    if match is None:
        return None
    name = "%s:%s" % (match.group("interface"), match.group("key"))
    if not any(_interface(tunnel) == match.group("interface") for tunnel in device.state()):
        return "Unable to access interface: No such device\n"
    device.take_down(command, lambda tunnel: tunnel["name"] == name, scope="tunnel")
    return ""


# --- text ---------------------------------------------------------------------------------------

def _interface(tunnel):
    return tunnel["name"].split(":", 1)[0]


def _public_key(tunnel):
    return tunnel["name"].split(":", 1)[1]


def _interfaces(tunnels):
    """Interfaces in order of first appearance, each with its peers."""
    found = {}
    for tunnel in tunnels:
        found.setdefault(_interface(tunnel), []).append(tunnel)
    return found


def _key(seed):
    """A 32-byte key in base64, derived from a seed so every read shows the same one."""
    return base64.b64encode(hashlib.sha256(seed.encode()).digest()).decode()


def _peer_facts(tunnel, now):
    """(endpoint, allowed-ips, handshake Unix time or 0, rx, tx) as the kernel would report them."""
    child = tunnel["children"][0]
    found = _ENDPOINT.match(tunnel["status_message"] or "")
    endpoint = found.group("endpoint") if found else None
    age = child["last_in_seconds"]
    if child["state"] == "INSTALLED" and age is None:
        age = 0
    handshake = 0 if age is None else now - age
    return endpoint, child["remote_ts"], handshake, child["bytes_in"] or 0, child["bytes_out"] or 0


def _dump(tunnels):
    now, lines = int(time.time()), []
    for number, (interface, peers) in enumerate(_interfaces(tunnels).items()):
        lines.append("\t".join((interface, _key("private " + interface), _key("public " + interface),
                                str(_FIRST_PORT + number), "off")))
        for tunnel in peers:
            endpoint, allowed, handshake, rx, tx = _peer_facts(tunnel, now)
            lines.append("\t".join((interface, _public_key(tunnel), "(none)", endpoint or "(none)",
                                    ",".join(allowed) or "(none)", str(handshake), str(rx), str(tx), "off")))
    return "".join(line + "\n" for line in lines)


def _hide_secrets(dump):
    """What the gather command's awk stage does: private key and preshared keys -> (hidden)."""
    lines = []
    for line in dump.splitlines():
        fields = line.split("\t")
        if len(fields) == 5:
            fields[1] = "(hidden)"
        elif len(fields) == 9 and fields[2] != "(none)":
            fields[2] = "(hidden)"
        lines.append("\t".join(fields) + "\n")
    return "".join(lines)


def _pretty(tunnels, only):
    now, blocks = int(time.time()), []
    for number, (interface, peers) in enumerate(_interfaces(tunnels).items()):
        if only in (None, "all", interface):
            blocks.append(_pretty_interface(interface, number, peers, now))
    return "\n".join(blocks)


def _pretty_interface(interface, number, peers, now):
    lines = ["interface: %s" % interface, "  public key: %s" % _key("public " + interface),
             "  private key: (hidden)", "  listening port: %d" % (_FIRST_PORT + number), ""]
    for tunnel in peers:
        endpoint, allowed, handshake, rx, tx = _peer_facts(tunnel, now)
        lines.append("peer: %s" % _public_key(tunnel))
        if endpoint:
            lines.append("  endpoint: %s" % endpoint)
        lines.append("  allowed ips: %s" % (", ".join(allowed) or "(none)"))
        if handshake:
            lines.append("  latest handshake: %s" % _ago(now - handshake))
        if rx or tx:
            lines.append("  transfer: %s received, %s sent" % (_bytes(rx), _bytes(tx)))
        lines.append("")
    return "\n".join(lines)


def _ago(seconds):
    """wg's pretty_time: '1 day, 2 hours, 5 seconds ago', or 'Now'."""
    if seconds <= 0:
        return "Now"
    parts = []
    for unit, size in (("year", 365 * 86400), ("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        amount, seconds = divmod(seconds, size)
        if amount:
            parts.append("%d %s%s" % (amount, unit, "" if amount == 1 else "s"))
    return ", ".join(parts) + " ago"


def _bytes(count):
    """wg's bytes(): B below 1 KiB, else two decimals of KiB, MiB, GiB or TiB."""
    if count < 1024:
        return "%d B" % count
    for unit, size in (("KiB", 2 ** 10), ("MiB", 2 ** 20), ("GiB", 2 ** 30)):
        if count < size * 1024:
            return "%.2f %s" % (count / size, unit)
    return "%.2f TiB" % (count / 2 ** 40)


# --- example devices ----------------------------------------------------------------------------

def _peer(interface, seed, state, endpoint, allowed, age, traffic):
    """A peer as the device knows it; packets are kept only because the device ages them."""
    tunnel = model.new_tunnel("%s:%s" % (interface, _key(seed)), "wireguard", state)
    tunnel.update(configured=True, status_message="endpoint %s" % endpoint if endpoint else "")
    child = model.new_child(interface, "INSTALLED" if state == "UP" else "DOWN")
    child.update(configured=True, remote_ts=allowed, last_in_seconds=age, bytes_in=traffic,
                 bytes_out=traffic // 3, packets_in=traffic // 100, packets_out=traffic // 300)
    tunnel["children"].append(child)
    return tunnel


def example_tunnels(index):
    """Per device: two peers up on wg0 and one on wg1, one gone quiet (its last handshake 15
    minutes ago), one configured that never handshook (no endpoint yet)."""
    seed = "lab%d-" % index
    return [
        _peer("wg0", seed + "hq", "UP", "203.0.113.%d:51820" % (20 + index),
              ["198.18.%d.1/32" % (100 + index), "198.19.%d.0/24" % (100 + index)], 35, 4200000 + index),
        _peer("wg0", seed + "laptop", "UP", "198.51.100.%d:40123" % (20 + index),
              ["198.18.%d.2/32" % (100 + index)], 70, 91000),
        _peer("wg0", seed + "quiet", "DOWN", "198.51.100.%d:51820" % (40 + index),
              ["198.18.%d.3/32" % (100 + index)], 900, 52000),
        _peer("wg0", seed + "new", "DOWN", None, ["198.18.%d.4/32" % (100 + index)], None, 0),
        _peer("wg1", seed + "dc", "UP", "203.0.113.%d:51821" % (60 + index),
              ["198.19.%d.0/24" % (200 + index)], 10, 13000000),
    ]

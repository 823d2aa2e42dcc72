"""MikroTik RouterOS 7 as the collection's `mikrotik_routeros` platform sees it.

Renders `/ip ipsec peer|active-peers|installed-sa print detail` in RouterOS 7's key=value
layout (compare with ../shared/fixtures/real-outputs/mikrotik_routeros) and maps
`/ip ipsec active-peers kill-connections|remove [find ...]` and
`/ip ipsec installed-sa flush|remove [find ...]` onto EmulatedDevice.take_down().

Tunnel conventions of this module: configured tunnels are `/ip ipsec peer` entries (PASSIVE:
a responder for 0.0.0.0/0; enabled False: the X flag); a tunnel with configured False is a
dynamic peer that only active-peers shows; each INSTALLED child is one SA pair. RouterOS lists
no SA for a child that is not installed, so such children are not rendered at all.
"""

import random
import re

from ansible_collections.vpnops.tunnels.plugins.module_utils import model

PLATFORM = "mikrotik_routeros"
NETMIKO_DEVICE_TYPE = "mikrotik_routeros"

# Children are compared in order (RouterOS names no SA; the parser calls them ph2-1, ph2-2, ...)
# and only the INSTALLED ones: the router lists nothing for the others.
REPORTED = {
    "tunnel": ("name", "state", "native_state", "configured", "enabled"),
    "ike": ("version", "native_state", "local.address", "local.port", "remote.address",
            "remote.port", "remote.id", "initiator", "initiator_spi", "responder_spi",
            "established_seconds", "nat_t", "virtual_ips", "negotiation"),
    "child": ("name", "state", "native_state", "protocol", "spi_in", "spi_out", "bytes_in",
              "bytes_out", "packets_in", "packets_out", "algorithms.encryption",
              "algorithms.key_size", "algorithms.integrity", "lifetime_seconds",
              "installed_seconds", "rekey_interval_seconds"),
}

_SALT_BITS = {"aes-gcm": 32, "aes-ccm": 24, "chacha20poly1305": 32}
_FIND = re.compile(r'\[\s*find\s+(?:where\s+)?(?P<field>[a-z-]+)=(?P<value>"[^"]*"|[^\s\]]+)\s*\]$')


# --- commands ---------------------------------------------------------------------------------

def _menu_and_rest(command):
    """'/ip ipsec active-peers print detail' or '/ip/ipsec/active-peers/print detail' ->
    ('active-peers', ['print', 'detail']); None when it is not an /ip ipsec command."""
    head, bracket, find = (command or "").partition("[")
    words = head.replace("/", " ").split()
    if len(words) < 3 or words[:2] != ["ip", "ipsec"]:
        return None, []
    return words[2], words[3:] + ([bracket + find] if bracket else [])


def render(device, command):
    menu, rest = _menu_and_rest(command)
    arguments = set(rest[1:]) - {"without-paging"}
    if not rest or rest[0] != "print" or arguments != {"detail"}:
        return None
    renderer = {"peer": _peers, "active-peers": _active_peers, "installed-sa": _installed_sas}.get(menu)
    return renderer(device.state()) if renderer else None


def reset(device, command):
    """kill-connections drops every IKE SA; `remove [find remote-address=A]` (or id=) one;
    installed-sa `flush` drops every SA (only when asked), `remove [find dst-address=A]` one peer's."""
    menu, rest = _menu_and_rest(command)
    verb = rest[0] if rest else None
    if menu == "active-peers" and verb == "kill-connections" and len(rest) == 1:
        device.take_down(command, lambda tunnel: True, scope="tunnel")
        return ""
    if menu == "installed-sa" and verb == "flush" and all(
            argument.startswith("sa-type=") for argument in rest[1:]):
        device.take_down(command, lambda tunnel: True, scope="child")
        return ""
    found = _FIND.match(rest[1]) if verb == "remove" and len(rest) == 2 else None
    if found is None or menu not in ("active-peers", "installed-sa"):
        return None
    value = found.group("value").strip('"')
    field = found.group("field")
    if menu == "active-peers" and field in ("remote-address", "id"):
        key = "address" if field == "remote-address" else "id"
        device.take_down(command, lambda tunnel: tunnel["ike"]["remote"][key] == value, scope="tunnel")
        return ""
    if menu == "installed-sa" and field in ("src-address", "dst-address"):
        device.take_down(command, lambda tunnel: value in (
            tunnel["ike"]["remote"]["address"], tunnel["ike"]["local"]["address"]), scope="child")
        return ""
    return None


# --- rendering --------------------------------------------------------------------------------

def _duration(seconds):
    """RouterOS's '5h9m14s' form ('0s' for nothing)."""
    seconds = int(seconds or 0)
    parts = []
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            parts.append("%d%s" % (seconds // size, unit))
            seconds %= size
    if seconds or not parts:
        parts.append("%ds" % seconds)
    return "".join(parts)


def _item(index, flags, fields):
    """' 0 R  id="x" ...': index right-aligned, flags in their own column, then key=value."""
    return "%2d %-2s %s\n" % (index, flags, " ".join(fields))


def _peers(tunnels):
    lines = ["Flags: X - disabled; D - dynamic; R - responder\n"]
    configured = [tunnel for tunnel in tunnels if tunnel["configured"]]
    for index, tunnel in enumerate(configured):
        ike = tunnel["ike"]
        passive = tunnel["state"] == "PASSIVE"
        flags = ("X" if tunnel["enabled"] is False else "") + ("R" if passive else "")
        fields = ['name="%s"' % tunnel["name"],
                  "address=%s" % ("0.0.0.0/0" if passive else "%s/32" % ike["remote"]["address"])]
        if ike["local"]["address"]:
            fields.append("local-address=%s" % ike["local"]["address"])
        fields += ["profile=default", "exchange-mode=%s" % ("ike2" if ike["version"] == 2 else "main")]
        fields += ["passive=yes"] if passive else []
        fields.append("send-initial-contact=%s" % ("no" if passive else "yes"))
        lines.append(("\n" if index else "") + _item(index, flags, fields))
    return "".join(lines)


def _active_peers(tunnels):
    lines = ["Flags: R - responder; N - natt-peer\n"]
    live = [tunnel for tunnel in tunnels if tunnel["state"] in ("ESTABLISHED", "CONNECTING")]
    for index, tunnel in enumerate(live):
        ike = tunnel["ike"]
        flags = ("" if ike["initiator"] else "R") + ("N" if ike["nat_t"] != "none" else "")
        installed = sum(1 for child in tunnel["children"] if child["state"] == "INSTALLED")
        fields = ['id="%s"' % (ike["remote"]["id"] or ike["remote"]["address"]),
                  "local-address=%s" % ike["local"]["address"], "port=%d" % ike["local"]["port"],
                  "remote-address=%s" % ike["remote"]["address"], "port=%d" % ike["remote"]["port"],
                  "state=%s" % tunnel["native_state"],
                  "side=%s" % ("initiator" if ike["initiator"] else "responder")]
        for address in ike["virtual_ips"]["remote"] or ike["virtual_ips"]["local"]:
            fields.append("dynamic-address=%s" % address)
        fields += ["uptime=%s" % _duration(ike["established_seconds"]), "last-seen=3s",
                   "ph2-total=%d" % installed,
                   'spii="%s"' % ike["initiator_spi"], 'spir="%s"' % ike["responder_spi"]]
        lines.append(("\n" if index else "") + _item(index, flags, fields))
    return "".join(lines)


def _installed_sas(tunnels):
    lines = ["Flags: S - seen-traffic; H - hw-aead; A - AH; E - ESP\n"]
    index = 0
    for tunnel in tunnels:
        local, remote = tunnel["ike"]["local"]["address"], tunnel["ike"]["remote"]["address"]
        for child in tunnel["children"]:
            if child["state"] != "INSTALLED":
                continue
            # RouterOS lists the inbound SA of a pair first
            for direction, source, destination in (("in", remote, local), ("out", local, remote)):
                lines.append(("\n" if index else "") + _sa_item(index, child, direction, source, destination))
                index += 1
    return "".join(lines)


def _sa_item(index, child, direction, source, destination):
    algorithms = child["algorithms"]
    spi = child["spi_" + direction]
    key_bits = algorithms["key_size"] + _SALT_BITS.get(algorithms["encryption"], 0)
    flags = ("S" if child["packets_" + direction] else "") + ("A" if child["protocol"] == "AH" else "E")
    fields = ["spi=0x%X" % int(spi, 16), "src-address=%s" % source,
              "dst-address=%s" % destination, "state=%s" % child["native_state"]]
    if algorithms["integrity"]:
        fields.append("auth-algorithm=%s" % algorithms["integrity"])
    fields += ["enc-algorithm=%s" % algorithms["encryption"], "enc-key-size=%d" % key_bits]
    if algorithms["integrity"]:
        fields.append('auth-key="%s"' % (spi * 5)[:40])
    fields += ['enc-key="%s"' % (spi * 9)[:key_bits // 4],
               "add-lifetime=%s/%s" % (_duration(child["rekey_interval_seconds"]),
                                       _duration(child["installed_seconds"] + child["lifetime_seconds"])),
               "expires-in=%s" % _duration(child["lifetime_seconds"]), "replay=128",
               "current-bytes=%d" % child["bytes_" + direction],
               "current-packets=%d" % child["packets_" + direction]]
    return _item(index, flags, fields)


# --- example devices --------------------------------------------------------------------------

def example_tunnels(index):
    """Device `index`: two healthy peers (one behind NAT), one degraded (phase 1 up, no SA),
    one configured but down; odd devices add a disabled peer and a responder for any address
    with one dynamic road-warrior peer on it."""
    builder = _Builder(index)
    tunnels = [
        builder.established("branch-a", initiator=True, pairs=1),
        builder.established("branch-b", initiator=False, pairs=2, nat=True),
        builder.established("dc", initiator=True, pairs=0),
        builder.down("backup"),
    ]
    if index % 2:
        tunnels += [builder.down("old-site", enabled=False), builder.road_warriors("roadwarriors"),
                    builder.established("laptop-7.example.net", initiator=False, pairs=1,
                                        dynamic=True)]
    return tunnels


class _Builder:
    """Deterministic peers of one emulated router: documentation addresses, seeded SPIs."""

    def __init__(self, index):
        self.index = index
        self.random = random.Random(2000 + index)
        self.count = 0
        self.local = "192.0.2.%d" % (40 + index)

    def _hex(self, digits):
        return "%0*x" % (digits, self.random.getrandbits(digits * 4))

    def _peer(self, name, state, native_state):
        self.count += 1
        tunnel = model.new_tunnel(name, "ipsec", state, native_state)
        tunnel.update(configured=True, enabled=True)
        tunnel["ike"].update(version=2, local=model.new_endpoint(self.local),
                             remote=model.new_endpoint("203.0.113.%d" % (128 + 16 * (self.index % 8) + self.count)))
        return tunnel

    def down(self, name, enabled=True):
        tunnel = self._peer(name, "DOWN", None)
        tunnel["enabled"] = enabled
        return tunnel

    def road_warriors(self, name):
        tunnel = model.new_tunnel(name, "ipsec", "PASSIVE")
        tunnel.update(configured=True, enabled=True)
        tunnel["ike"].update(version=2, local=model.new_endpoint(self.local))
        return tunnel

    def established(self, name, initiator, pairs, nat=False, dynamic=False):
        tunnel = self._peer(name, "ESTABLISHED", "established")
        port = 4500 if nat else 500
        ike = tunnel["ike"]
        ike["local"]["port"] = port
        ike["remote"].update(port=port, id=ike["remote"]["address"])
        ike.update(native_state="established", initiator=initiator,
                   initiator_spi=self._hex(16), responder_spi=self._hex(16),
                   established_seconds=3600 + 120 * self.count, nat_t=None if nat else "none")
        if dynamic:
            tunnel.update(configured=False, enabled=None)
            ike["version"] = None  # only the peer configuration tells the exchange mode
            ike["remote"]["id"] = name
            ike["virtual_ips"]["remote"] = ["198.18.%d.%d" % (10 + self.index, self.count)]
        tunnel["children"] = [self._pair(number) for number in range(1, pairs + 1)]
        if not pairs:
            ike["negotiation"] = model.new_negotiation(2, "no installed SA for this peer")
        return tunnel

    def _pair(self, number):
        child = model.new_child("ph2-%d" % number, "INSTALLED", "mature")
        packets_in, packets_out = self.random.randint(100, 9000), self.random.randint(100, 9000)
        installed = 300 + 7 * self.count
        child.update(protocol="ESP", spi_in=self._hex(8), spi_out=self._hex(8),
                     algorithms=model.new_algorithms("aes-cbc", 256, "sha256"),
                     packets_in=packets_in, bytes_in=packets_in * 120,
                     packets_out=packets_out, bytes_out=packets_out * 120,
                     installed_seconds=installed, lifetime_seconds=1800 - installed,
                     rekey_interval_seconds=1440, rekey_seconds=1440 - installed)
        return child

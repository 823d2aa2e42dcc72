"""Reset targets: strict validation before anything is built, and per platform the real
commands, checked against the emulated vendors' reset() (tests/lab/emulator)."""

import importlib
import shlex
import sys
from pathlib import Path

import pytest

from ansible_collections.vpnops.tunnels.plugins.module_utils import reset
from ansible_collections.vpnops.tunnels.plugins.module_utils.errors import VpnConfigError

_LAB = str(Path(__file__).resolve().parents[1] / "lab")
if _LAB not in sys.path:
    sys.path.insert(0, _LAB)

from emulator.device import EmulatedDevice  # noqa: E402  pylint: disable=wrong-import-position

PLATFORMS = ("strongswan", "strongswan_legacy", "libreswan", "openvpn", "wireguard",
             "cisco_ios", "cisco_asa", "juniper_srx", "fortinet", "paloalto_panos",
             "mikrotik_routeros", "vyos")
OPTIONS = {"openvpn_management": "127.0.0.1:7505"}
WG_NAME = "wg0:60G3y2pNIiPaKG0jQAKIf1O6FSgCfJ6/YNMqfd/EhUU="

BAD_NAMES = ["a; reboot", "x$(id)", "a\nb", "a|b", "a'b", 'a"b', "a`id`", "a b", "a{b}",
             "a&b", "a>b", "-rf", "", "n" * 300, 42]
BAD_PEERS = ["1.2.3.4; rm", "1.2.3.4 ", "999.1.1.1", "fe80::1%eth0", "host.example", "$(id)", 7]
BAD_SA_IDS = ["0x12", "12; reboot", "-1", "1 2", "", "1.5", True, 1.5]


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("field,values", [("name", BAD_NAMES), ("peer", BAD_PEERS),
                                          ("sa_id", BAD_SA_IDS)])
def test_injection_refused_naming_field(platform, field, values):
    for value in values:
        with pytest.raises(VpnConfigError) as caught:
            reset.reset_commands(platform, {field: value}, OPTIONS)
        assert field in str(caught.value)
        assert repr(value) in str(caught.value)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_bad_child_refused(platform):
    for value in ("a; reboot", "x$(id)", "a\nb"):
        with pytest.raises(VpnConfigError, match="child"):
            reset.reset_commands(platform, {"name": "hq", "scope": "child", "child": value}, OPTIONS)


@pytest.mark.parametrize("target", [
    {}, {"all": False}, {"name": "a", "peer": "1.2.3.4"}, {"name": "a", "all": True},
    {"peer": "1.2.3.4", "sa_id": "1"}, {"name": "a", "sa_id": 3},
])
def test_exactly_one_target(target):
    with pytest.raises(VpnConfigError, match="exactly one"):
        reset.validate_target(target)


@pytest.mark.parametrize("target,field", [
    ({"name": "a", "scope": "both"}, "scope"), ({"all": "yes"}, "all"),
    ({"name": "a", "child": "c"}, "child"), ({"name": "a", "bogus": 1}, "bogus"),
])
def test_other_fields(target, field):
    with pytest.raises(VpnConfigError, match=field):
        reset.validate_target(target)


def test_valid_target_normalized():
    assert reset.validate_target({"peer": "2001:DB8::1", "scope": "child"}) == {
        "name": None, "peer": "2001:db8::1", "sa_id": None, "all": False, "scope": "child",
        "child": None, "children": []}
    assert reset.validate_target({"sa_id": 12})["sa_id"] == "12"
    assert reset.validate_target({"name": WG_NAME})["name"] == WG_NAME
    with pytest.raises(VpnConfigError, match="name"):
        reset.validate_target({"name": "wg0:a+b="})
    assert reset.validate_target({"name": "hq", "children": ["lan", "voice"]})["children"] == [
        "lan", "voice"]
    with pytest.raises(VpnConfigError, match="children 'lan; reboot'"):
        reset.validate_target({"name": "hq", "children": ["lan; reboot"]})
    with pytest.raises(VpnConfigError, match="children 'lan'"):
        reset.validate_target({"name": "hq", "children": "lan"})


def test_unknown_platform():
    with pytest.raises(VpnConfigError, match="unknown platform"):
        reset.reset_commands("nope", {"name": "a"})


# --- each platform's commands against its emulator ---------------------------------------------

# (platform, target, tunnels that must go down); every command must be a reset the emulator knows
EMULATED = [
    ("strongswan_legacy", {"name": "hq"}, ["hq"]),
    ("strongswan_legacy", {"name": "hq", "scope": "child"}, ["hq"]),
    ("libreswan", {"name": "dc0-hq"}, ["dc0-hq"]),
    ("libreswan", {"name": "dc0-hq", "scope": "child"}, ["dc0-hq"]),
    ("wireguard", {"name": WG_NAME}, [WG_NAME]),
    ("cisco_ios", {"peer": "203.0.113.10"}, ["203.0.113.10"]),
    ("cisco_ios", {"name": "203.0.113.11"}, ["203.0.113.11"]),
    ("cisco_ios", {"peer": "198.18.0.1", "scope": "child"}, ["198.18.0.1"]),
    ("cisco_ios", {"all": True}, ["203.0.113.10", "203.0.113.11", "198.18.0.1"]),
    ("cisco_ios", {"all": True, "scope": "child"}, ["203.0.113.10", "203.0.113.11", "198.18.0.1"]),
    ("cisco_asa", {"peer": "203.0.113.1"}, ["hub-0"]),
    ("cisco_asa", {"name": "203.0.113.2"}, ["203.0.113.2"]),
    ("cisco_asa", {"peer": "203.0.113.2", "scope": "child"}, ["203.0.113.2"]),
    ("juniper_srx", {"peer": "192.0.2.1"}, ["vpn-hq-0"]),
    ("juniper_srx", {"sa_id": "131074", "scope": "child"}, ["vpn-branch-0"]),
    ("juniper_srx", {"all": True}, ["vpn-hq-0", "vpn-branch-0", "vpn-partner-0"]),
    ("fortinet", {"name": "to-branch-a"}, ["to-branch-a"]),
    ("fortinet", {"name": "to-dc", "scope": "child"}, ["to-dc"]),
    ("fortinet", {"all": True}, ["to-branch-a", "to-branch-b", "to-dc"]),
    ("paloalto_panos", {"name": "hq-0-gw"}, ["hq-0"]),
    ("paloalto_panos", {"name": "branch-0", "scope": "child", "child": "branch-0:lan"},
     ["branch-0"]),
    ("mikrotik_routeros", {"peer": "203.0.113.130"}, ["branch-b"]),
    ("mikrotik_routeros", {"peer": "203.0.113.129", "scope": "child"}, ["branch-a"]),
    ("mikrotik_routeros", {"all": True}, ["branch-a", "branch-b", "dc"]),
    ("vyos", {"peer": "198.51.100.42"}, ["branch-0"]),
    ("vyos", {"name": "hq-0"}, ["hq-0"]),
    ("vyos", {"all": True}, ["hq-0", "branch-0", "dc-0"]),
]


def _device(platform):
    vendor = importlib.import_module("emulator.vendors.%s" % platform)
    tunnels = vendor.example_tunnels(0)
    return vendor, EmulatedDevice(name="r0", platform=platform, hostname="r0", tunnels=tunnels,
                                  reset_delay=3600)


@pytest.mark.parametrize("platform,target,expected", EMULATED,
                         ids=["%s-%s" % (p, "-".join("%s=%s" % i for i in t.items()))
                              for p, t, _e in EMULATED])
def test_commands_accepted_by_emulator(platform, target, expected):
    commands = reset.reset_commands(platform, target, OPTIONS)
    vendor, device = _device(platform)
    for command in commands:
        sent = command
        if platform == "strongswan_legacy":  # what charon gets after the shell's quote removal
            sent = " ".join(shlex.split(command))
        reply = vendor.reset(device, sent)
        assert reply is not None, "%s emulator does not know %r" % (platform, command)
        assert "not found" not in reply and "no config" not in reply, reply
    taken = [name for _command, names in device.reset_log for name in names]
    assert taken and set(taken) == set(expected), device.reset_log
    down = {t["name"] for t in device.state() if t["state"] == "DOWN"
            or any(c["state"] == "DOWN" for c in t["children"])}
    assert set(expected) <= down


def test_mikrotik_never_flushes_for_one_peer():
    for scope in ("tunnel", "child"):
        commands = reset.reset_commands("mikrotik_routeros", {"peer": "203.0.113.130",
                                                              "scope": scope})
        assert not any("flush" in c or "kill-connections" in c for c in commands)


def test_strongswan_commands():
    wait = "--timeout 5"
    assert reset.reset_commands("strongswan", {"name": "hq"}) == [
        "/usr/sbin/swanctl --terminate --ike hq --force " + wait,
        "/usr/sbin/swanctl --initiate --ike hq " + wait]
    assert reset.reset_commands("strongswan", {"name": "hq", "scope": "child", "child": "lan"},
                                {"swanctl_path": "/opt/sw/swanctl", "vici_socket": "/run/v"}) == [
        "/opt/sw/swanctl --terminate --child lan %s --uri unix:///run/v" % wait,
        "/opt/sw/swanctl --initiate --child lan --ike hq %s --uri unix:///run/v" % wait]
    assert reset.reset_commands("strongswan", {"name": "hq", "children": ["lan", "voice"]}) == [
        "/usr/sbin/swanctl --terminate --ike hq --force " + wait,
        "/usr/sbin/swanctl --initiate --child lan --ike hq " + wait,
        "/usr/sbin/swanctl --initiate --child voice --ike hq " + wait]
    assert reset.reset_commands("strongswan", {"sa_id": 7}) == [
        "/usr/sbin/swanctl --terminate --ike-id 7 --force " + wait]
    assert reset.reset_commands("strongswan", {"sa_id": "8", "scope": "child"}) == [
        "/usr/sbin/swanctl --terminate --child-id 8 " + wait]
    assert reset.reset_commands("strongswan", {"name": "a/b@c"}, {"swanctl_path": "/my dir/swanctl"}) \
        == ["'/my dir/swanctl' --terminate --ike a/b@c --force " + wait,
            "'/my dir/swanctl' --initiate --ike a/b@c " + wait]


def test_openvpn_kill():
    (command,) = reset.reset_commands("openvpn", {"name": "client-1"}, OPTIONS)
    words = shlex.split(command)
    assert words[:2] == ["bash", "-c"] and len(words) == 3
    assert "exec 3<>/dev/tcp/127.0.0.1/7505" in words[2]
    assert 'printf "kill client-1\\n" >&3' in words[2]
    with pytest.raises(VpnConfigError, match="openvpn_management"):
        reset.reset_commands("openvpn", {"name": "client-1"}, {})
    with pytest.raises(VpnConfigError, match="openvpn_management"):
        reset.reset_commands("openvpn", {"name": "c"}, {"openvpn_management": "h;id:1"})


def test_wireguard_is_the_emulators_reset_command():
    vendor = importlib.import_module("emulator.vendors.wireguard")
    interface, key = WG_NAME.split(":", 1)
    assert reset.reset_commands("wireguard", {"name": WG_NAME}) == [
        vendor.RESET_COMMAND.format(interface=interface, public_key=key)]


UNSUPPORTED = [
    ("strongswan", {"peer": "1.2.3.4"}), ("strongswan", {"all": True}),
    ("strongswan_legacy", {"sa_id": "3"}), ("strongswan_legacy", {"peer": "1.2.3.4"}),
    ("libreswan", {"sa_id": "3"}), ("libreswan", {"all": True}),
    ("openvpn", {"peer": "1.2.3.4"}), ("openvpn", {"sa_id": "1"}),
    ("wireguard", {"peer": "1.2.3.4"}), ("wireguard", {"name": "wg0"}),
    ("cisco_ios", {"sa_id": "1"}), ("cisco_ios", {"name": "not-an-address"}),
    ("cisco_asa", {"sa_id": "1"}), ("cisco_asa", {"all": True}),
    ("juniper_srx", {"sa_id": "1"}), ("juniper_srx", {"name": "vpn-hq-0"}),
    ("juniper_srx", {"peer": "192.0.2.1", "scope": "child"}),
    ("fortinet", {"peer": "1.2.3.4"}), ("fortinet", {"sa_id": "1"}),
    ("paloalto_panos", {"peer": "1.2.3.4"}), ("paloalto_panos", {"all": True}),
    ("mikrotik_routeros", {"sa_id": "1"}), ("mikrotik_routeros", {"name": "branch-a"}),
    ("vyos", {"sa_id": "1"}), ("vyos", {"peer": "1.2.3.4", "scope": "child"}),
]


@pytest.mark.parametrize("platform,target", UNSUPPORTED)
def test_unsupported_target_kind(platform, target):
    with pytest.raises(VpnConfigError, match="platform %s cannot reset" % platform):
        reset.reset_commands(platform, target, OPTIONS)

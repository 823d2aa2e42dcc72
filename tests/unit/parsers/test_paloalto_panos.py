"""PAN-OS parser: the real outputs in ../shared, own hand-written samples (data/paloalto_panos,
laid out like the published outputs, with documentation addresses), merge, errors, and a
round trip through the emulated device's renderer."""

from pathlib import Path

import pytest

from corpus import corpus_cases, corpus_text
from parser_checks import (
    assert_parse_error, assert_refused_command, assert_round_trip, check_corpus_file, child,
    example_device, gathered, lab_vendor, only, parsed, valid
)
from ansible_collections.vpnops.tunnels.plugins.module_utils.parsers import (
    paloalto_panos,
    parse_output,
    parse_outputs,
)

PLATFORM = "paloalto_panos"
DATA = Path(__file__).parent / "data" / PLATFORM
emulated = lab_vendor(PLATFORM)

# corpus folder -> the command as typed (every folder holds tunnel state or configuration
# the parser reads; nothing is refused by design on this platform)
CORPUS_COMMANDS = {
    "show_vpn_flow": "show vpn flow",
    "show_vpn_ike-sa": "show vpn ike-sa",
    "show_vpn_ipsec-sa": "show vpn ipsec-sa",
    "show_vpn_tunnel": "show vpn tunnel",
    "show_vpn_gateway": "show vpn gateway",
}


def read(name):
    return (DATA / name).read_text()


def real(relative):
    return corpus_text(PLATFORM, relative)


@pytest.mark.parametrize("path", corpus_cases(PLATFORM))
def test_every_real_output_parses_and_validates(path):
    check_corpus_file(PLATFORM, path, CORPUS_COMMANDS)


# --- values of the real outputs -------------------------------------------------------------

def test_real_flow():
    tunnel = only(parse_output(PLATFORM, "show vpn flow", real("show_vpn_flow/1.txt")),
                  "localzs3")
    assert (tunnel["state"], tunnel["native_state"], tunnel["configured"]) == (
        "ESTABLISHED", "active", True)
    assert (tunnel["ike"]["local"]["address"], tunnel["ike"]["remote"]["address"]) == (
        "10.96.19.238", "10.66.88.108")
    assert [(c["name"], c["state"], c["configured"]) for c in tunnel["children"]] == [
        ("localzs3:primarytunnel", "INSTALLED", True)]  # proxy ID entry of tunnel localzs3
    assert tunnel["status_message"] == "tunnel.2, monitor up"


@pytest.mark.parametrize("relative, name, serial, peer, child_id, spis", [
    ("show_vpn_ike-sa/3.txt", "CF_Magic_WAN_IPsec_01", "67", "162.159.66.164", "322550",
     ("fcaee176", "1ef41ba9")),
    ("show_vpn_ike-sa/4.txt", "CF_Magic_WAN_IPsec_02", "66", "172.64.242.164", "323145",
     ("b6eda356", "43f71bc5")),
])
def test_real_ikev2_sa(relative, name, serial, peer, child_id, spis):
    tunnel = only(parse_output(PLATFORM, "show vpn ike-sa gateway X", real(relative)), name)
    ike = tunnel["ike"]
    assert (tunnel["state"], ike["version"], ike["sa_id"], ike["native_state"]) == (
        "ESTABLISHED", 2, serial, "Established")
    assert (ike["remote"]["address"], ike["initiator"]) == (peer, True)
    assert ike["algorithms"] == {"encryption": "AES_CBC", "key_size": 256, "integrity": "SHA256",
                                 "prf": None, "dh_group": "DH20"}
    only_child = tunnel["children"][0]
    assert (only_child["sa_id"], only_child["state"], only_child["native_state"]) == (
        child_id, "INSTALLED", "Mature")
    assert (only_child["spi_in"], only_child["spi_out"]) == spis
    assert tunnel["status_message"] == "gateway %s" % name.replace("IPsec", "IKE")


@pytest.mark.parametrize("relative, name, spis, interval, left, algorithms", [
    ("show_vpn_ipsec-sa/1.txt", "VyOS-tunnel", ("8827a3d9", "c204f4fa"), 3600, 2733,
     ("AES_CBC", 256, "SHA256")),
    ("show_vpn_ipsec-sa/3.txt", "CF_Magic_WAN_IPsec_01", ("b5d09ab8", "9fa69407"), 3600, 3445,
     ("AES_CBC", 256, "SHA256")),
    ("show_vpn_ipsec-sa/4.txt", "CF_Magic_WAN_IPsec_02", ("caea6f09", "ec6acc7a"), 3600, 3361,
     ("AES_CBC", 256, "SHA256")),
    # the older layout has no remain-time: its life(Sec/KB) counts down (3527 of 3600 s)
    ("show_vpn_ipsec-sa/2.txt", "localzs3:primarytunnel", ("cbf7dc1d", "5d1568fd"), None, 3527,
     ("AES_CBC", 256, "MD5")),
])
def test_real_ipsec_sa(relative, name, spis, interval, left, algorithms):
    device = parsed(PLATFORM, "show vpn ipsec-sa", real(relative))
    installed = child(only(device, name.split(":")[0]), name)
    assert (installed["state"], installed["protocol"]) == ("INSTALLED", "ESP")
    assert (installed["spi_in"], installed["spi_out"]) == spis
    assert (installed["rekey_interval_seconds"], installed["lifetime_seconds"]) == (interval, left)
    assert (installed["algorithms"]["encryption"], installed["algorithms"]["key_size"],
            installed["algorithms"]["integrity"]) == algorithms


def test_real_tunnel_config_lists_configured_tunnels_as_down():
    device = parse_output(PLATFORM, "show vpn tunnel", real("show_vpn_tunnel/1.txt"))
    assert [(t["name"], t["state"], t["configured"]) for t in device["tunnels"]] == [
        ("Zscaler-Tunnel", "DOWN", True), ("Zscaler-backup-tunnel", "DOWN", True)]
    configured = device["tunnels"][0]["children"][0]
    assert (configured["protocol"], configured["mode"], configured["rekey_interval_seconds"]) == (
        "ESP", "TUNNEL", 7200)
    assert (configured["local_ts"], configured["remote_ts"]) == (["0.0.0.0/0"], ["0.0.0.0/0"])
    assert device["tunnels"][0]["status_message"] == "gateway VPN-71"


def test_real_gateway_config_keeps_addresses_and_drops_the_truncated_id():
    gateway = only(parse_output(PLATFORM, "show vpn gateway", real("show_vpn_gateway/1.txt")),
                   "localzs3")
    assert (gateway["state"], gateway["ike"]["version"]) == ("UNDEFINED", 2)
    assert gateway["ike"]["remote"] == {"address": "10.66.88.108", "port": None, "id": None}
    # '10.96.19.238(email:pa220@ec2.c' is cut at the column: the id is not reported half
    assert gateway["ike"]["local"] == {"address": "10.96.19.238", "port": None, "id": None}


# --- own samples ----------------------------------------------------------------------------

def test_ikev1_phase1_and_phase2():
    device = parsed(PLATFORM, "show vpn ike-sa", read("ike-sa-ikev1.txt"))
    up = only(device, "vyos-tunnel")
    assert (up["state"], up["native_state"], up["ike"]["version"], up["ike"]["initiator"]) == (
        "ESTABLISHED", "13", 1, False)
    assert up["ike"]["algorithms"]["dh_group"] == "DH14"
    installed = up["children"][0]
    assert (installed["state"], installed["native_state"], installed["protocol"],
            installed["mode"]) == ("INSTALLED", "9", "ESP", "TUNNEL")
    assert (installed["spi_in"], installed["spi_out"]) == ("8827a3d9", "c204f4fa")
    # a phase 1 still negotiating (no times, an undocumented ST) keeps its step
    negotiating = only(device, "gw-legacy")
    assert (negotiating["state"], negotiating["native_state"], negotiating["children"]) == (
        "UNDEFINED", "5", [])
    assert negotiating["ike"]["negotiation"] == {"phase": 1, "step": "ST 5 (Main mode)"}


def test_ikev2_children_and_a_gateway_without_child_sa():
    device = parsed(PLATFORM, "show vpn ike-sa", read("ike-sa-ikev2.txt"))
    hq = only(device, "hq")
    assert [(c["name"], c["state"], c["native_state"], c["sa_id"]) for c in hq["children"]] == [
        ("hq:lan", "INSTALLED", "Mature", "4001"), ("hq:voice", "REKEYING", "Dying", "4002")]
    partner = only(device, "gw-partner")  # no child row names its tunnel yet
    assert (partner["state"], partner["children"], partner["ike"]["initiator"]) == (
        "ESTABLISHED", [], False)
    assert partner["ike"]["algorithms"] == {"encryption": "AES_GCM_16", "key_size": 256,
                                            "integrity": "SHA384", "prf": None, "dh_group": "DH14"}
    assert partner["status_message"] == "gateway gw-partner, no IPsec SA"
    assert hq["ike"] is not only(device, "gw-partner")["ike"]


def test_flow_states_proxy_ids_and_names_with_spaces():
    device = parsed(PLATFORM, "show vpn flow", read("flow-mixed.txt"))
    assert [(t["name"], t["state"], t["native_state"]) for t in device["tunnels"]] == [
        ("hq", "ESTABLISHED", "active"), ("partner", "ESTABLISHED", "active"),
        ("branch office", "INIT", "init"), ("backup", "DOWN", "inactiv")]
    assert [c["name"] for c in only(device, "hq")["children"]] == ["hq:lan", "hq:voice"]
    assert only(device, "branch office")["ike"]["negotiation"] == {"phase": None, "step": "init"}
    assert only(device, "backup")["children"][0]["state"] == "DOWN"


# --- merge ----------------------------------------------------------------------------------

def merged():
    return valid(parse_outputs(PLATFORM, [
        ("show vpn flow", read("flow-mixed.txt")),
        ("show vpn ike-sa", read("ike-sa-ikev2.txt")),
        ("show vpn ipsec-sa", read("ipsec-sa-mixed.txt")),
    ]))


def test_merge_joins_flow_ike_and_ipsec_sas_by_tunnel():
    hq = only(merged(), "hq")
    assert (hq["state"], hq["native_state"], hq["configured"], hq["ike"]["sa_id"]) == (
        "ESTABLISHED", "Established", True, "12")
    assert hq["ike"]["local"]["address"] == "203.0.113.1"  # from flow, the SA has none
    lan = child(hq, "hq:lan")
    assert (lan["state"], lan["configured"], lan["sa_id"], lan["lifetime_seconds"]) == (
        "INSTALLED", True, "4001", 3100)
    assert lan["algorithms"]["integrity"] == "SHA256"
    assert hq["status_message"] == "tunnel.5, monitor up; gateway gw-hq"


def test_merge_attaches_a_gateway_without_child_sa_by_peer_address():
    partner = only(merged(), "partner")
    assert (partner["state"], partner["ike"]["sa_id"], partner["ike"]["version"]) == (
        "ESTABLISHED", "13", 2)
    assert "no IPsec SA" in partner["status_message"]
    assert "gw-partner" not in [t["name"] for t in merged()["tunnels"]]


def test_merge_reports_configured_tunnels_without_sa_as_down():
    device = merged()
    backup, branch = only(device, "backup"), only(device, "branch office")
    assert (backup["state"], backup["configured"], backup["ike"]["version"]) == ("DOWN", True, None)
    assert [c["state"] for c in backup["children"]] == ["DOWN"]
    assert (branch["state"], branch["ike"]["negotiation"]) == ("INIT", {"phase": None, "step": "init"})


def test_merge_real_outputs_of_one_device():
    """flow, ipsec-sa and gateway of the Zscaler guide's PA-220 (the tunnel listing there
    comes from another device)."""
    device = valid(parse_outputs(PLATFORM, [
        ("show vpn gateway", real("show_vpn_gateway/1.txt")),
        ("show vpn flow", real("show_vpn_flow/1.txt")),
        ("show vpn ipsec-sa", real("show_vpn_ipsec-sa/2.txt")),
    ]))
    tunnel = only(device, "localzs3")
    assert (tunnel["state"], tunnel["ike"]["version"]) == ("ESTABLISHED", 2)
    assert child(tunnel, "localzs3:primarytunnel")["spi_in"] == "cbf7dc1d"


def test_configured_selectors_stay_when_the_live_sa_joins():
    config = "TnID    Name(Gateway)    Local Proxy IP  Ptl:Port  Remote Proxy IP  Ptl:Port  Proposals\n" \
             "---------------------------------------------------------------------------------\n" \
             "5   hq:lan(gw-hq)   10.0.0.0/24   6:443   10.9.0.0/24   0:0   ESP tunl [DH20][AES256][SHA256]  3600-sec\n"
    hq = only(valid(parse_outputs(PLATFORM, [
        ("show vpn tunnel", config), ("show vpn ipsec-sa", read("ipsec-sa-mixed.txt"))])), "hq")
    lan = child(hq, "hq:lan")
    assert (lan["state"], lan["local_ts"], lan["remote_ts"]) == (
        "INSTALLED", ["10.0.0.0/24[6/443]"], ["10.9.0.0/24"])
    assert hq["state"] == "UNDEFINED"  # no flow or IKE SA says how the tunnel is


# --- noise and errors -----------------------------------------------------------------------

def test_pager_remnants_and_blank_lines_are_ignored():
    noisy = "\n\n" + read("flow-mixed.txt").replace("\n5 ", "\n--More-- 5 ") + "\n(END)\n"
    assert len(parse_output(PLATFORM, "show vpn flow", noisy)["tunnels"]) == 4


def test_empty_listings_are_no_tunnels():
    assert parse_output(PLATFORM, "show vpn ike-sa", "There is no IKEv1 phase-1 SA found.\n\n"
                        "There is no IKEv1 phase-2 SA found.\n\nThere is no IKEv2 SA found.\n")[
        "tunnels"] == []
    assert parse_output(PLATFORM, "show vpn flow", "total tunnels configured: 0\n")["tunnels"] == []


@pytest.mark.parametrize("command, text, expected", [
    ("show vpn flow", "hello world\n", "rows"),
    ("show vpn flow", "id name state monitor local-ip peer-ip tunnel-i/f\n7 x\n", "rows"),
    ("show vpn ipsec-sa", read("ipsec-sa-mixed.txt").replace("3600/Unlimited", "3600/"), "rows"),
    ("show vpn ike-sa", read("ike-sa-ikev2.txt").replace("Init 0A1B2C3D", "Init 0A1B"),
     "an IKEv2 child SA row"),
    ("show vpn ike-sa", "<response status='error'>\n", "section"),
    ("show vpn flow", "Invalid syntax.\n", "PAN-OS answered with an error"),
    ("show vpn ike-sa", "Unknown command: ike-sas\n", "PAN-OS answered with an error"),
    ("show vpn tunnel", "3  x(gw)  0.0.0.0/0\n", "rows"),
    ("show vpn gateway", "GwID Name\n17 truncated\n", "rows"),
])
def test_unknown_text_raises_parse_error_naming_platform_and_command(command, text, expected):
    error = assert_parse_error(PLATFORM, command, text, expected)
    assert error.command == command


@pytest.mark.parametrize("command", [
    "show vpn flow tunnel-id 2", "show vpn ike-sa detail gateway gw", "show vpn ipsec-sa | match x",
    "show vpn ipsec-sa detail", "show vpn", "show vpn gateway name x", "clear vpn ike-sa gateway gw",
])
def test_unsupported_commands_are_refused_with_a_parse_error(command):
    assert_refused_command(PLATFORM, command, read("flow-mixed.txt"))


def test_command_forms_and_gather_commands():
    assert paloalto_panos.command_key("show vpn ike-sa gateway CF_Magic_WAN_IKE_01") == "show vpn ike-sa"
    assert paloalto_panos.command_key("show  vpn ipsec-sa tunnel t1") == "show vpn ipsec-sa"
    assert paloalto_panos.command_key("show vpn flow") == "show vpn flow"
    assert paloalto_panos.command_key("show vpn ike-sa tunnel t1") is None
    assert paloalto_panos.gather_commands({}) == ["show vpn flow", "show vpn ike-sa",
                                                  "show vpn ipsec-sa"]


# --- round trip through the emulated device -------------------------------------------------

@pytest.mark.parametrize("index", [0, 1, 2])
def test_round_trip_reports_the_device_state(index):
    facts, truth = assert_round_trip(emulated, index)
    for tunnel, expected in zip(facts, truth):
        if expected["ike"]["version"] == 2:   # IKEv2 child SAs carry their SA id
            assert [c["sa_id"] for c in tunnel["children"]] == [c["sa_id"] for c in expected["children"]]


def test_example_devices_mix_healthy_degraded_and_down_tunnels():
    states = [(t["state"], [c["state"] for c in t["children"]]) for t in emulated.example_tunnels(0)]
    assert ("ESTABLISHED", ["INSTALLED", "DOWN"]) in states
    assert ("ESTABLISHED", ["DOWN"]) in states and ("DOWN", ["DOWN"]) in states
    assert emulated.example_tunnels(1) == emulated.example_tunnels(1)


def test_resets_take_tunnels_down_and_the_facts_follow():
    device = example_device(emulated, 0, reset_delay=60)
    assert emulated.reset(device, "clear vpn ike-sa gateway hq-0-gw") == \
        "Delete IKEv2 IKE SA: Total 1 gateways found.\n"
    assert emulated.reset(device, "clear vpn ipsec-sa tunnel branch-0") == \
        "Delete IPSec SA: Total 1 tunnels found.\n"
    assert emulated.reset(device, "clear vpn ike-sa gateway nosuch") == \
        "IKE SA for gateway nosuch not found.\n"
    assert emulated.reset(device, "test vpn ipsec-sa tunnel dc-0").startswith("Initiate IPSec SA")
    assert emulated.reset(device, "show vpn flow") is None
    facts = gathered(emulated, device)
    assert only(facts, "hq-0")["state"] == "DOWN"
    branch = only(facts, "branch-0")
    assert (branch["state"], [c["state"] for c in branch["children"]]) == (
        "ESTABLISHED", ["DOWN", "DOWN"])
    assert [names for _command, names in device.reset_log] == [
        ["hq-0"], ["branch-0"], [], ["dc-0"]]

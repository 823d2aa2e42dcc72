"""FortiGate parser: real outputs from ../shared, own FortiOS 7.x samples, merge, errors, and a
round trip through the emulated FortiGate.

Own samples (data/fortinet, synthetic, documentation addresses): tunnel-list-7.2.txt has the
FortiOS 7.x layout the corpus lacks (mask selectors, `fec:`, `itn=`, short separators, AES-GCM
with `ah=null`, selectors without SA, a prompt and a `--More--` remnant);
gateway-list-connecting.txt has phase 1 still connecting (the unindented layout of Fortinet KB
195955), the `get vpn ike gateway` variant and a gateway without any IKE SA.
"""

from pathlib import Path

import pytest

from corpus import corpus_cases, corpus_text
from parser_checks import (
    assert_parse_error, assert_refused_command, assert_round_trip, check_corpus_file,
    example_device, gathered, lab_vendor, only, parsed, valid
)
from ansible_collections.vpnops.tunnels.plugins.module_utils.parsers import (
    fortinet,
    parse_output,
    parse_outputs,
)

PLATFORM = "fortinet"
DATA = Path(__file__).parent / "data" / PLATFORM
emulated = lab_vendor(PLATFORM)

SUMMARY = "get vpn ipsec tunnel summary"
GATEWAYS = "diagnose vpn ike gateway list"
TUNNELS = "diagnose vpn tunnel list"


def read(name):
    return (DATA / name).read_text()


def real(folder, number):
    return corpus_text(PLATFORM, "%s/%s.txt" % (folder, number))


# corpus folder -> the command as typed; None: not tunnel state, refused by design
CORPUS_COMMANDS = {
    "get_vpn_ipsec_tunnel_summary": SUMMARY,
    "diagnose_vpn_ike_gateway_list": GATEWAYS,
    "diagnose_vpn_tunnel_list": TUNNELS,
    "get_vpn_ssl_monitor": None,  # SSL-VPN users and sessions: no IPsec SA (see command_key)
}


@pytest.mark.parametrize("path", corpus_cases(PLATFORM))
def test_every_real_output_parses_and_validates_or_is_refused(path):
    check_corpus_file(PLATFORM, path, CORPUS_COMMANDS)


# --- get vpn ipsec tunnel summary -------------------------------------------------------------

def test_real_summary_reports_down_tunnel_and_errors():
    device = parsed(PLATFORM, SUMMARY, real("get_vpn_ipsec_tunnel_summary", 4))
    up, down = only(device, "mesh2-1"), only(device, "mesh1-1")
    assert (up["state"], up["configured"], up["status_message"]) == ("ESTABLISHED", True, "1 of 1 selectors up")
    assert (down["state"], down["configured"]) == ("DOWN", True)
    assert down["status_message"] == "0 of 1 selectors up; rx errors 0, tx errors 5"
    assert down["ike"]["remote"] == {"address": "100.100.103.2", "port": None, "id": None}


def test_summary_without_gateway_column():
    """Older FortiOS (Fortinet KB 195955) prints no gateway address."""
    text = "'to-a'  selectors(total,up): 1/1  rx(pkt,err): 1921/0  tx(pkt,err): 69/2\n"
    tunnel = only(parse_output(PLATFORM, "get vpn ipsec tun sum", text), "to-a")
    assert tunnel["state"] == "ESTABLISHED" and tunnel["ike"]["remote"]["address"] is None


# --- diagnose vpn ike gateway list ------------------------------------------------------------

def test_real_gateway_values():
    device = parsed(PLATFORM, GATEWAYS, real("diagnose_vpn_ike_gateway_list", 1))
    ike = only(device, "HUB_0")["ike"]
    assert (ike["version"], ike["sa_id"], ike["native_state"], ike["initiator"]) == (1, "0", "established", False)
    assert (ike["initiator_spi"], ike["responder_spi"]) == ("1f454ba48eb31ef1", "779d7de61a925ba5")
    assert ike["local"] == {"address": "100.1.1.2", "port": 500, "id": None}
    assert ike["remote"] == {"address": "200.1.1.2", "port": 500, "id": None}
    assert ike["algorithms"] == {"encryption": "aes", "key_size": 128, "integrity": "sha256",
                                 "prf": None, "dh_group": None}
    assert (ike["established_seconds"], ike["rekey_seconds"], ike["rekey_interval_seconds"]) == (212, 85917, 86400)
    assert ike["nat_t"] == "none" and ike["negotiation"] is None


def test_real_gateway_with_two_ike_sas_reports_the_established_newest():
    ike = only(parse_output(PLATFORM, GATEWAYS, real("diagnose_vpn_ike_gateway_list", 12)),
               "VPN-to-SH")["ike"]
    # "status: established 177-177s ago" of id 10 (created-established seconds)
    assert (ike["sa_id"], ike["established_seconds"], ike["initiator"]) == ("10", 177, False)
    ike = only(parse_output(PLATFORM, GATEWAYS, real("diagnose_vpn_ike_gateway_list", 15)),
               "VPN-to-SH")["ike"]
    assert ike["remote"]["id"].startswith("C = CN, ST = Beijing") and ike["sa_id"] == "261"


def test_real_gateway_ikev2_and_nat():
    ikev2 = only(parse_output(PLATFORM, GATEWAYS, real("diagnose_vpn_ike_gateway_list", 17)),
                 "VPN-to-Side1")["ike"]
    assert (ikev2["version"], ikev2["algorithms"]["encryption"], ikev2["algorithms"]["key_size"]) == (2, "aes", 256)
    natted = only(parse_output(PLATFORM, GATEWAYS, real("diagnose_vpn_ike_gateway_list", 21)),
                  "VPN-to-SH")["ike"]
    assert natted["nat_t"] == "local"  # "nat: me"
    assert (natted["local"]["port"], natted["established_seconds"]) == (4500, 513)
    old = only(parse_output(PLATFORM, GATEWAYS, real("diagnose_vpn_ike_gateway_list", 23)),
               "L2TP_over_IPSEC_0")["ike"]
    assert (old["algorithms"]["encryption"], old["algorithms"]["key_size"], old["rekey_interval_seconds"]) == (
        "3des", None, 28800)


def test_connecting_get_variant_and_gateway_without_sa():
    device = parsed(PLATFORM, GATEWAYS, read("gateway-list-connecting.txt"))
    connecting = only(device, "to-backup")
    assert (connecting["state"], connecting["native_state"]) == ("CONNECTING", "connecting")
    assert connecting["ike"]["negotiation"] == {"phase": 1, "step": "state 3"}
    assert connecting["ike"]["sa_id"] == "207251"  # both connecting: the first listed
    assert connecting["status_message"] == "IKE SA connecting"
    up = only(device, "to-obsd")["ike"]
    assert up["initiator_spi"] == "6c38e47ab0b977de"  # lower-cased
    assert up["remote"]["id"] == "198.51.100.3"
    assert up["algorithms"] == {"encryption": "aes-gcm", "key_size": 256, "integrity": None,
                                "prf": "prfsha512", "dh_group": None}
    spare = only(device, "to-spare")
    assert (spare["state"], spare["configured"], spare["ike"]["sa_id"]) == ("DOWN", True, None)
    assert spare["status_message"] == "no IKE SA"


# --- diagnose vpn tunnel list -----------------------------------------------------------------

def test_real_tunnel_list_values():
    device = parsed(PLATFORM, TUNNELS, real("diagnose_vpn_tunnel_list", 1))
    instance = only(device, "HUB_0")
    assert (instance["state"], instance["configured"], instance["native_state"]) == ("ESTABLISHED", False, "dial_inst")
    assert instance["ike"]["dpd"] == {"delay": 20, "timeout": None, "action": None}
    child = instance["children"][0]
    assert (child["name"], child["state"], child["native_state"], child["mode"]) == ("HUB", "INSTALLED", "sa=1", "TUNNEL")
    assert (child["spi_in"], child["spi_out"]) == ("9fbaba90", "54b85815")
    assert (child["packets_in"], child["bytes_in"], child["packets_out"], child["bytes_out"]) == (2, 16392, 482, 47064)
    assert (child["rekey_seconds"], child["lifetime_seconds"], child["installed_seconds"]) == (43082, 43186, 14)
    assert child["algorithms"] == {"encryption": "aes", "key_size": 128, "integrity": "sha1",
                                   "prf": None, "dh_group": None}
    assert child["local_ts"] == ["0.0.0.0/0"] and child["protocol"] == "ESP"
    server = only(device, "HUB")
    assert (server["state"], server["configured"], server["children"]) == ("PASSIVE", True, [])
    assert server["status_message"] == "dial-up server, 2 connected instances"
    assert server["ike"]["remote"]["address"] is None  # 0.0.0.0: any peer


def test_real_rekeying_selector_keeps_its_first_sa():
    tunnel = only(parse_output(PLATFORM, TUNNELS, real("diagnose_vpn_tunnel_list", 14)), "VPN-to-SH")
    child = tunnel["children"][0]
    assert (child["native_state"], child["state"], child["mode"]) == ("sa=2", "INSTALLED", "TRANSPORT")
    assert (child["spi_in"], child["spi_out"], child["lifetime_seconds"]) == ("d4fb6a41", "9265e023", 42899)
    assert child["local_ts"] == ["0.0.0.0/0[gre]"]


def test_real_nat_traversal_both_sides():
    behind = only(parse_output(PLATFORM, TUNNELS, real("diagnose_vpn_tunnel_list", 21)), "VPN-to-SH")
    facing = only(parse_output(PLATFORM, TUNNELS, real("diagnose_vpn_tunnel_list", 22)), "VPN-to-BJ")
    assert (behind["ike"]["nat_t"], behind["ike"]["local"]["port"]) == ("local", 4500)  # keepalive
    assert (facing["ike"]["nat_t"], facing["ike"]["remote"]["port"]) == ("remote", 64916)  # silent
    assert behind["children"][0]["encapsulation"] is True
    assert behind["children"][0]["local_ts"] == ["192.168.0.0/24"]


def test_real_transport_selector_with_ports():
    tunnel = only(parse_output(PLATFORM, TUNNELS, real("diagnose_vpn_tunnel_list", 23)), "L2TP_over_IPSEC_0")
    child = tunnel["children"][0]
    assert child["local_ts"] == ["201.1.1.3/32[udp/1701]"] and child["remote_ts"] == ["10.1.1.6/32[udp]"]
    assert (child["algorithms"]["encryption"], child["algorithms"]["key_size"]) == ("3des", 192)


def test_fortios_7_layout_gcm_masks_and_selectors_without_sa():
    device = parsed(PLATFORM, "diag vpn tun list", read("tunnel-list-7.2.txt"))
    gcm = only(device, "to-obsd")
    child = gcm["children"][0]
    assert child["algorithms"] == {"encryption": "aes-gcm", "key_size": 256, "integrity": None,
                                   "prf": None, "dh_group": None}  # key=36: 32 bytes + 4 salt
    assert child["local_ts"] == ["192.0.2.128/26"] and child["remote_ts"] == ["203.0.113.0/24"]
    assert (child["spi_in"], child["bytes_out"]) == ("03393171", 1044)  # after the --More--
    assert (gcm["ike"]["local"]["port"], gcm["ike"]["nat_t"]) == (500, "local")
    down = only(device, "to-backup")
    assert (down["state"], down["ike"]["dpd"]) == ("DOWN", None)
    assert [(c["name"], c["state"], c["spi_in"]) for c in down["children"]] == [
        ("backup-lan", "DOWN", None), ("backup-mgmt", "DOWN", None)]
    assert down["children"][1]["local_ts"] == ["192.0.2.10-192.0.2.12[tcp]"]  # no prefix
    assert down["children"][1]["remote_ts"] == ["198.51.100.20/32[tcp/22]"]
    assert only(device, "to-obsd_0")["children"][0]["lifetime_seconds"] == 2370


# --- merge ------------------------------------------------------------------------------------

def test_merge_takes_phase1_from_gateways_and_phase2_from_tunnel_list():
    device = valid(parse_outputs(PLATFORM, [
        (GATEWAYS, real("diagnose_vpn_ike_gateway_list", 1)),
        (TUNNELS, real("diagnose_vpn_tunnel_list", 1)),
    ]))
    assert [t["name"] for t in device["tunnels"]] == ["HUB_0", "HUB_1", "HUB"]
    hub0 = only(device, "HUB_0")
    assert (hub0["state"], hub0["native_state"], hub0["configured"]) == ("ESTABLISHED", "established", False)
    assert hub0["ike"]["sa_id"] == "0" and hub0["ike"]["dpd"]["delay"] == 20
    assert hub0["ike"]["local"]["port"] == 500  # the gateway's, not the tunnel list's 0
    assert hub0["children"][0]["spi_in"] == "9fbaba90"
    assert hub0["status_message"] == "IKE SA established, 1 of 1 selectors up"
    assert only(device, "HUB")["state"] == "PASSIVE"


def test_merge_reports_configured_tunnels_without_sa_as_down_and_degraded_ones():
    summary = ("'to-obsd' 198.51.100.3:0  selectors(total,up): 1/1  rx(pkt,err): 7/0  tx(pkt,err): 9/0\n"
               "'to-backup' 198.51.100.9:0  selectors(total,up): 2/0  rx(pkt,err): 0/0  tx(pkt,err): 0/3\n"
               "'to-spare' 198.51.100.11:0  selectors(total,up): 1/0  rx(pkt,err): 0/0  tx(pkt,err): 0/0\n")
    device = valid(parse_outputs(PLATFORM, [
        (SUMMARY, summary), (GATEWAYS, read("gateway-list-connecting.txt")),
        (TUNNELS, read("tunnel-list-7.2.txt")),
    ]))
    spare = only(device, "to-spare")  # summary and gateway list only
    assert (spare["state"], spare["configured"]) == ("DOWN", True)
    assert spare["status_message"] == "no IKE SA, 0 of 1 selectors up"
    backup = only(device, "to-backup")  # phase 1 connecting, both selectors without SA
    assert (backup["state"], backup["ike"]["negotiation"]["phase"]) == ("CONNECTING", 1)
    assert backup["status_message"] == "IKE SA connecting, 0 of 2 selectors up; rx errors 0, tx errors 3"
    assert backup["ike"]["dpd"] is None and backup["ike"]["nat_t"] == "none"
    obsd = only(device, "to-obsd")
    assert (obsd["state"], obsd["ike"]["sa_id"], obsd["ike"]["nat_t"]) == ("ESTABLISHED", "8844", "local")


def test_merge_notes_phase2_missing_under_an_established_phase1():
    gateway = read("gateway-list-connecting.txt").replace("name: to-backup", "name: ignored")
    tunnels = read("tunnel-list-7.2.txt").replace("name=to-backup", "name=to-obsd-extra")
    gateway = gateway.replace("name: to-obsd\n", "name: to-obsd-extra\n")
    tunnel = only(parse_outputs(PLATFORM, [(GATEWAYS, gateway), (TUNNELS, tunnels)]), "to-obsd-extra")
    assert tunnel["state"] == "ESTABLISHED"
    assert tunnel["ike"]["negotiation"] == {"phase": 2, "step": "IPsec SA not installed: backup-lan, backup-mgmt"}


# --- noise and errors -------------------------------------------------------------------------

def test_prompt_and_more_remnants_are_ignored():
    text = ("FGT # get vpn ipsec tunnel summary\n--More-- \r        \r"
            + real("get_vpn_ipsec_tunnel_summary", 1) + "\nFGT # ")
    assert len(parse_output(PLATFORM, SUMMARY, text)["tunnels"]) == 4


def test_empty_outputs_are_no_tunnels():
    for command in fortinet.COMMANDS:
        assert parse_output(PLATFORM, command, "\n")["tunnels"] == []


@pytest.mark.parametrize("command, text, expected", [
    (SUMMARY, "hello world\n", "selectors(total,up)"),
    (SUMMARY, "'to-a' 198.51.100.3:0  selectors(total,up): 1/", "selectors(total,up)"),
    (GATEWAYS, "hello world\n", "'key: value' line"),
    (GATEWAYS, "name: to-a\nversion: 1\n", "'vd: VDOM/N'"),
    (GATEWAYS, "vd: root/0\nversion: 1\n", "'name:' line"),
    (GATEWAYS, "vd: root/0\nname: a\n  id/spi: 7 0011223344556677/8899aabbccddeeff\n", "'status:' line"),
    (GATEWAYS, "vd: root/0\nname: a\n  id/spi: 7 00/11\n  status: established 5-5s ago = 0ms\n"
               "  lifetime/rekey: 86400/lots\n", "decimal number"),
    (TUNNELS, "<html><body>502</body></html>\n", "'name=PHASE1 ver=N"),
    (TUNNELS, "list all ipsec tunnel in vd 0\nname=HUB_0 ver=1 serial=5 100.1", "LOCAL:PORT->REMOTE:PORT"),
    (TUNNELS, "name=a ver=1 serial=1 192.0.2.1:0->198.51.100.1:0\nsomething odd\n", "fields of tunnel a"),
    (TUNNELS, "name=a ver=1 serial=1 192.0.2.1:0->198.51.100.1:0\nproxyid=a proto=0 sa=1\n"
              "  SA:  ref=3 expire=100/0B\n  dec: spi=zz esp=aes key=16 00\n", "'spi=HEX'"),
    (TUNNELS, "Command fail. Return code -61\n", "the CLI answered"),
    (GATEWAYS, "Unknown action 0\n", "the CLI answered"),
])
def test_unknown_text_raises_parse_error_naming_platform_and_command(command, text, expected):
    assert_parse_error(PLATFORM, command, text, expected)


def test_unsupported_commands_are_refused():
    assert_refused_command(PLATFORM, "get vpn ssl monitor", "SSL-VPN Login Users:\n")
    for refused in ("get vpn ssl monitor", "get vpn ipsec tunnel details", "diagnose vpn tunnel flush",
                    "diagnose vpn tunnel list | grep name", "diagnose vpn tunnel list extra words",
                    "show vpn ipsec phase1-interface", ""):
        assert fortinet.command_key(refused) is None, refused


def test_command_forms_are_recognized():
    assert fortinet.command_key("diag vpn tun list") == TUNNELS
    assert fortinet.command_key("diagnose vpn tunnel list name SPOKE2_0") == TUNNELS
    assert fortinet.command_key("diagnose vpn ike gateway list name SPOKE1_0") == GATEWAYS
    assert fortinet.command_key("get vpn ike gateway vpn-to-obsd") == GATEWAYS
    assert fortinet.command_key("get vpn ipsec tunnel summary ") == SUMMARY
    assert fortinet.gather_commands({}) == [SUMMARY, GATEWAYS, TUNNELS]


# --- round trip through the emulated FortiGate ------------------------------------------------

@pytest.mark.parametrize("index", [0, 1, 2])
def test_round_trip_reports_what_the_emulated_device_holds(index):
    facts, truth = assert_round_trip(emulated, index, in_order=False)
    assert [t["name"] for t in facts] == [t["name"] for t in truth if t["state"] != "PASSIVE"] + [
        t["name"] for t in truth if t["state"] == "PASSIVE"]  # dial-up servers only in the tunnel list


def test_emulated_resets_take_tunnels_down():
    device = example_device(emulated, 0, reset_delay=3600)
    assert emulated.reset(device, "diagnose vpn tunnel flush to-branch-a") == ""
    assert emulated.reset(device, "diagnose vpn ike gateway flush name to-dc") == ""
    assert emulated.reset(device, "diagnose vpn tunnel up to-backup") == ""
    assert emulated.reset(device, "diagnose vpn ike gateway list") is None
    assert device.reset_log == [("diagnose vpn tunnel flush to-branch-a", ["to-branch-a"]),
                                ("diagnose vpn ike gateway flush name to-dc", ["to-dc"])]
    facts = gathered(emulated, device)
    assert only(facts, "to-branch-a")["state"] == "ESTABLISHED"
    assert only(facts, "to-branch-a")["ike"]["negotiation"]["phase"] == 2
    assert only(facts, "to-dc")["state"] == "DOWN"

# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Juniper SRX parser: real outputs from ../shared, own samples, merge, errors, emulator round trip."""

from pathlib import Path

import pytest

from corpus import corpus_cases, corpus_text
from parser_checks import (
    assert_documentation_addresses, assert_mangled_outputs_raise_parse_errors_only,
    assert_parse_error, assert_refused_command, assert_round_trip, by_name, check_corpus_file,
    cut_after, emulated_device, example_device, freeze_emulator_clock, gathered, lab_vendor, parsed,
    rendered, valid
)
from ansible_collections.vpnops.tunnels.plugins.module_utils.parsers import juniper_srx, parse_outputs

PLATFORM = "juniper_srx"
DATA = Path(__file__).parent / "data" / PLATFORM
vendor = lab_vendor(PLATFORM)
IKE_DETAIL = "show security ike security-associations detail"
IPSEC_DETAIL = "show security ipsec security-associations detail"
INACTIVE_DETAIL = "show security ipsec inactive-tunnels detail"

# corpus folder -> the command as typed; None: no tunnel state, refused by design
CORPUS_COMMANDS = {
    "show_security_ike_security-associations": "show security ike security-associations",
    "show_security_ipsec_security-associations": "show security ipsec sa",
    "show_security_ipsec_security-associations_display_xml":
        "show security ipsec security-associations | display xml",
    "show_security_ipsec_inactive-tunnels": "show security ipsec inactive-tunnels",
    "show_security_ike_active-peer": None,   # remote-access users of active peers, no SA state
}


def parse(command, text):
    return parsed(PLATFORM, command, text)


def real(relative):
    return corpus_text(PLATFORM, relative)


def own(name):
    return (DATA / name).read_text()


def own_outputs():
    return [(IKE_DETAIL, own("ike-detail.txt")), (IPSEC_DETAIL, own("ipsec-detail.txt")),
            (INACTIVE_DETAIL, own("inactive-detail.txt"))]


# --- every corpus file ----------------------------------------------------------------------

@pytest.mark.parametrize("path", corpus_cases(PLATFORM))
def test_every_real_output_parses_and_validates_or_is_refused(path):
    check_corpus_file(PLATFORM, path, CORPUS_COMMANDS, may_be_empty="Total inactive tunnels: 0")


# --- the corpus, value by value (no expected parses: values from the samples and MANIFEST) ---

def test_real_ike_brief_down_sa_is_negotiating():
    tunnel, = parse("show security ike security-associations",
                    real("show_security_ike_security-associations/2.txt"))["tunnels"]
    ike = tunnel["ike"]
    assert (tunnel["name"], tunnel["state"], tunnel["native_state"]) == ("128.168.104.229", "CONNECTING", "DOWN")
    assert (ike["sa_id"], ike["version"]) == ("2859309", 2)
    assert (ike["initiator_spi"], ike["responder_spi"]) == ("e7753a11ff890094", "0000000000000000")
    assert ike["negotiation"] == {"phase": 1, "step": "DOWN"}


def test_real_ike_brief_up_sas_with_masked_addresses():
    tunnels = parse("show security ike sa", real("show_security_ike_security-associations/3.txt"))["tunnels"]
    assert [(t["name"], t["state"], t["ike"]["sa_id"]) for t in tunnels] == [
        ("162.XXX.XX.164", "ESTABLISHED", "3628774"), ("172.XX.XXX.164", "ESTABLISHED", "3628775")]
    assert tunnels[1]["ike"]["responder_spi"] == "7fb1a9f81db0611c"


def test_real_ipsec_brief_pairs_inbound_and_outbound_by_tunnel_id():
    tunnel, = parse("show security ipsec sa",
                    real("show_security_ipsec_security-associations/1.txt"))["tunnels"]
    child, = tunnel["children"]
    assert (child["sa_id"], child["spi_in"], child["spi_out"]) == ("131073", "ec78f80e", "c674a8ac")
    assert child["algorithms"] == {"encryption": "aes-gcm", "key_size": 128, "integrity": None,
                                   "prf": None, "dh_group": None}
    assert (child["lifetime_seconds"], child["encapsulation"]) == (2528, False)


def test_real_ipsec_brief_keeps_a_tunnel_whole_when_the_sample_masks_its_gateway_twice():
    # the doc masked 131073's inbound gateway as 162.XXX.66.164 and its outbound one as
    # 162.XXX.XX.164: the tunnel ID, not the gateway text, holds the pair together
    tunnels = parse("show security ipsec sa",
                    real("show_security_ipsec_security-associations/2.txt"))["tunnels"]
    assert [(t["name"], [(c["sa_id"], c["spi_in"], c["spi_out"]) for c in t["children"]]) for t in tunnels] == [
        ("162.XXX.66.164", [("131073", "d28e709e", "25aed8ae")]),
        ("172.XX.XXX.164", [("131074", "3f13176d", "965169e9")])]


@pytest.mark.parametrize("sample", ["1", "2"])
def test_real_xml_agrees_with_the_junos_exporter_test(sample):
    # junos_exporter asserts: 2 active tunnels, state up, tunnel index 231076, gateway 1.1.1.1
    device = parse("show security ipsec security-associations | display xml",
                   real("show_security_ipsec_security-associations_display_xml/%s.txt" % sample))
    tunnels = by_name(device)
    assert sorted(tunnels) == ["1.1.1.1", "2.2.2.2"]
    child, = tunnels["1.1.1.1"]["children"]
    assert (child["sa_id"], child["state"], child["native_state"]) == ("231076", "INSTALLED", "up")
    assert (child["spi_in"], child["spi_out"]) == ("bb0d675a", "a9f5fbf3")   # the first pair
    assert (child["algorithms"]["encryption"], child["algorithms"]["integrity"]) == ("3des", "sha256")
    assert (child["lifetime_seconds"], tunnels["1.1.1.1"]["ike"]["remote"]["port"]) == (24979, 401)


def test_real_xml_forms_with_and_without_cluster_wrapper_agree():
    folder = "show_security_ipsec_security-associations_display_xml/"
    command = "show security ipsec security-associations | display xml"
    assert parse(command, real(folder + "1.txt"))["tunnels"] == \
        parse(command, real(folder + "2.txt"))["tunnels"]


def test_real_inactive_tunnels_none():
    assert parse("show security ipsec inactive-tunnels",
                 real("show_security_ipsec_inactive-tunnels/1.txt"))["tunnels"] == []


# --- own samples of the detail forms -------------------------------------------------------

def test_own_ike_detail_values_and_cluster_copy():
    tunnels = parse(IKE_DETAIL, own("ike-detail.txt"))["tunnels"]
    assert [t["name"] for t in tunnels] == ["gw-datacenter", "gw-supplier"]   # node1's copy merged
    ike = tunnels[0]["ike"]
    assert ike["remote"] == {"address": "192.0.2.61", "port": 4500,
                             "id": "C=US, O=Example Corp, CN=dc1.example.net"}   # a DN with ", "
    assert ike["local"]["id"] == "srx-edge.example.net"
    assert ike["algorithms"] == {"encryption": "aes-gcm", "key_size": 256, "integrity": "hmac-sha384-192",
                                 "prf": "hmac-sha384", "dh_group": "20"}
    assert (ike["rekey_seconds"], ike["reauth_seconds"], ike["initiator"]) == (21045, 80000, True)
    down = tunnels[1]["ike"]
    assert (down["version"], down["initiator"], down["native_state"]) == (1, False, "DOWN")


def test_own_ipsec_detail_values_rekey_overlap_and_identities():
    tunnels = by_name(parse(IPSEC_DETAIL, own("ipsec-detail.txt")))
    datacenter = tunnels["vpn-datacenter"]
    child, = datacenter["children"]   # the second SA pair is the old one being replaced
    assert (child["spi_in"], child["spi_out"], child["native_state"]) == ("7e11a0c3", "4410be9d", "installed")
    assert child["local_ts"] == ["198.18.80.0/25", "198.18.80.128/25"]
    assert child["remote_ts"] == ["198.19.80.0/24"]           # ipv4(first-last) as a prefix
    assert (child["encapsulation"], child["rekey_seconds"], child["lifetime_seconds"]) == (True, 2711, 3300)
    assert datacenter["ike"]["sa_id"] == "8301144"           # "IKE SA Index" of the SAs
    legacy = tunnels["vpn-legacy"]["children"][0]
    assert (legacy["algorithms"]["encryption"], legacy["algorithms"]["key_size"]) == ("3des-cbc", None)
    assert tunnels["vpn-legacy"]["ike"]["version"] == 1


def test_own_inactive_tables_of_two_releases():
    older = by_name(parse("show security ipsec inactive-tunnels", own("inactive-brief-older.txt")))
    tunnel = older["203.0.113.121"]
    assert (tunnel["state"], tunnel["configured"], tunnel["ike"]["remote"]["port"]) == ("DOWN", True, 4500)
    assert tunnel["ike"]["negotiation"] == {
        "phase": None, "step": "Negotiation failed with INVALID_SYNTAX error (14 times)"}
    assert [(c["name"], c["state"], c["encapsulation"]) for c in tunnel["children"]] == [("131086", "DOWN", True)]


# --- merge ------------------------------------------------------------------------------------

def test_merge_joins_vpns_to_ike_sas_and_keeps_configured_down_vpns():
    tunnels = by_name(valid(parse_outputs(PLATFORM, own_outputs())))
    assert sorted(tunnels) == ["vpn-datacenter", "vpn-legacy", "vpn-supplier", "vpn-warehouse"]
    datacenter = tunnels["vpn-datacenter"]   # joined by IKE SA index
    assert (datacenter["state"], datacenter["ike"]["responder_spi"]) == ("ESTABLISHED", "c0ffee00d15ea5e1")
    supplier = tunnels["vpn-supplier"]       # joined by gateway address; its IKE SA is DOWN
    assert (supplier["state"], supplier["native_state"]) == ("CONNECTING", "DOWN")
    assert supplier["ike"]["negotiation"] == {
        "phase": 1, "step": "Peer's IKE-ID validation failed during negotiation (88 times)"}
    warehouse = tunnels["vpn-warehouse"]     # configured, no SA at all
    assert (warehouse["state"], warehouse["configured"], warehouse["ike"]["sa_id"]) == ("DOWN", True, None)
    assert warehouse["children"][0]["state"] == "DOWN"
    assert "retrying" in warehouse["status_message"]
    legacy = tunnels["vpn-legacy"]           # IPsec SAs whose IKEv1 SA is not listed
    assert (legacy["state"], legacy["ike"]["negotiation"]) == ("UNDEFINED", None)


def test_merge_ike_up_with_ipsec_down_is_phase_two():
    tunnels = by_name(parse_outputs(PLATFORM, outputs_of(vendor.example_tunnels(0))))
    partner = tunnels["vpn-partner-0"]
    assert (partner["state"], [c["state"] for c in partner["children"]]) == ("ESTABLISHED", ["DOWN"])
    assert partner["ike"]["negotiation"]["phase"] == 2
    assert "TS_UNACCEPTABLE" in partner["ike"]["negotiation"]["step"]


def test_an_ike_sa_no_vpn_uses_is_its_own_tunnel_named_by_its_gateway():
    outputs = own_outputs()[:2]              # vpn-supplier (inactive) not gathered
    tunnels = by_name(parse_outputs(PLATFORM, outputs))
    assert tunnels["gw-supplier"]["state"] == "CONNECTING"
    assert tunnels["gw-supplier"]["ike"]["negotiation"] == {"phase": 1, "step": "DOWN"}


# --- noise and errors -----------------------------------------------------------------------

def test_cli_time_stamp_cluster_banners_and_prompts_are_ignored():
    text = ("Jan 07 10:12:01\n\n" + real("show_security_ike_security-associations/2.txt")
            + "\n{primary:node0}\nnetops@srx-edge> \n")
    assert parse("show security ike sa", text)["tunnels"][0]["ike"]["sa_id"] == "2859309"


def test_mangled_outputs_raise_parse_errors_only():
    """Cut, shuffled and garbled copies of every sample: parsed, or a VpnParseError."""
    seeds = outputs_of(vendor.example_tunnels(1)) + own_outputs()
    assert_mangled_outputs_raise_parse_errors_only(PLATFORM, seeds, ["x", ":", "0x", ", ", "(", "-", "\n"])


@pytest.mark.parametrize("command, text, expected", [
    (IKE_DETAIL, "hello world\n", "an IKE SA"),
    (IPSEC_DETAIL, "<html><body>502</body></html>\n", "rows"),
    (IPSEC_DETAIL, "<rpc-reply><ipsec-security-associations-information>\n", "a whole <rpc-reply>"),
    (INACTIVE_DETAIL, "131073  500  192.0.2.1  1  reason\n", "under an 'ID Port ... Gateway' header"),
    (IPSEC_DETAIL, "error: the ipsec-key-management subsystem is not running\n", "Junos reported an error"),
    (IPSEC_DETAIL, "syntax error, expecting <command>.\n", "Junos reported an error"),
    (IKE_DETAIL, "<rpc-reply><x/></rpc-reply>\n", "the text form"),
    ("show security ipsec sa | display xml",
     '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "b">]><rpc-reply>&a;</rpc-reply>',
     "without a document type declaration"),
    ("show security ipsec sa | display xml", "<rpc-reply><unclosed></rpc-reply>", "well-formed XML"),
])
def test_unknown_text_raises_parse_error_naming_platform_and_command(command, text, expected):
    error = assert_parse_error(PLATFORM, command, text, expected)
    assert error.command == juniper_srx.command_key(command)   # the command's key: its plain form


@pytest.mark.parametrize("command, sample, marker", [
    (IKE_DETAIL, "ike-detail.txt", "IKE peer 203.0.113.62, Index 8301150, Gateway Name: gw-supplier"),
    (IPSEC_DETAIL, "ipsec-detail.txt", "Version: IKEv1"),
    (IPSEC_DETAIL, "ipsec-detail.txt", "Direction: outbound, SPI: 9900aa11, AUX-SPI: 0, VPN Monitoring: -"),
    (INACTIVE_DETAIL, "inactive-detail.txt", "ID: 131084 Virtual-system: root, VPN Name: vpn-warehouse"),
])
def test_truncated_outputs_raise_parse_errors(command, sample, marker):
    assert_parse_error(PLATFORM, command, cut_after(own(sample), marker), "output cut off")


def test_truncated_xml_raises_a_parse_error():
    text = real("show_security_ipsec_security-associations_display_xml/2.txt")
    assert_parse_error(PLATFORM, "show security ipsec sa | display xml", text[:len(text) // 2], "whole <rpc-reply>")


def test_unsupported_commands_are_refused_with_a_parse_error():
    for command in ("show security ike active-peer", "show security ipsec statistics",
                    "show configuration security ike"):
        assert_refused_command(PLATFORM, command)


def test_command_forms_are_recognized():
    key = juniper_srx.command_key
    assert key("show security ike sa") == key("sh sec ike security-associations detail") == juniper_srx.IKE_SAS
    assert key("show security ipsec sa detail | no-more") == juniper_srx.IPSEC_SAS
    assert key("show security ipsec security-associations | display xml") == juniper_srx.IPSEC_SAS
    assert key("show security ipsec inactive-tunnels detail") == juniper_srx.INACTIVE_TUNNELS
    assert key("show security i sa") is None              # ambiguous: ike or ipsec
    assert key("show security ike active-peer") is None
    assert juniper_srx.gather_commands({}) == [IKE_DETAIL, IPSEC_DETAIL, INACTIVE_DETAIL]


# --- the emulated SRX -------------------------------------------------------------------------

def outputs_of(tunnels, commands=None):
    """What an emulated SRX holding these tunnels prints (for its gather commands by default)."""
    return rendered(vendor, emulated_device(vendor, tunnels), commands)


@pytest.fixture
def frozen_clock(monkeypatch):
    freeze_emulator_clock(monkeypatch)


@pytest.mark.parametrize("index", [0, 1, 2])
def test_round_trip_reports_the_emulated_device_state(index, frozen_clock):
    # the clock stands still: countdowns are exact too
    assert_round_trip(vendor, index, in_order=False,
                      also={"ike": ("rekey_seconds",), "child": ("rekey_seconds", "lifetime_seconds")})


@pytest.mark.parametrize("commands", [
    ["show security ike security-associations", "show security ipsec security-associations",
     "show security ipsec inactive-tunnels"],
])
def test_brief_forms_round_trip_states_and_spis(commands, frozen_clock):
    tunnels = vendor.example_tunnels(1)
    facts = by_name(valid(parse_outputs(PLATFORM, outputs_of(tunnels, commands))))
    truth = {t["ike"]["remote"]["address"]: t for t in tunnels}   # brief forms: named by gateway
    assert sorted(facts) == sorted(truth)
    for address, tunnel in truth.items():
        assert facts[address]["state"] == tunnel["state"], address
        assert [(c["sa_id"], c["state"], c["spi_in"], c["spi_out"]) for c in facts[address]["children"]] == \
            [(c["sa_id"], c["state"], c["spi_in"], c["spi_out"]) for c in tunnel["children"]]


def test_example_tunnels_are_deterministic_and_use_documentation_addresses():
    assert vendor.example_tunnels(1) == vendor.example_tunnels(1)
    assert_documentation_addresses(vendor.example_tunnels(0) + vendor.example_tunnels(1))


def test_resets_take_tunnels_and_children_down(frozen_clock):
    device = example_device(vendor, 0, reset_delay=60)
    assert vendor.reset(device, "clear security ipsec security-associations index 131074") == ""
    assert vendor.reset(device, "clear security ike security-associations 192.0.2.1") == ""
    assert vendor.reset(device, "clear security ike sa 192.0.2.99 extra") is None
    facts = by_name(gathered(vendor, device))
    hq, branch = facts["vpn-hq-0"], facts["vpn-branch-0"]
    assert (hq["state"], hq["configured"], hq["children"][0]["state"]) == ("DOWN", True, "DOWN")
    assert hq["ike"]["negotiation"] == {"phase": None, "step": vendor.DEFAULT_DOWN_REASON}
    assert (branch["state"], branch["children"][0]["state"]) == ("ESTABLISHED", "DOWN")
    assert [names for _command, names in device.reset_log] == [["vpn-branch-0"], ["vpn-hq-0"]]


def test_render_knows_only_state_commands():
    device = emulated_device(vendor, [])
    assert vendor.render(device, "show configuration") is None
    assert parse_outputs(PLATFORM, outputs_of([]))["tunnels"] == []

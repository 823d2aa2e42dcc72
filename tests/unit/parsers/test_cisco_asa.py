# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cisco ASA parser: real outputs from ../shared, own samples, merge, errors, emulator round trip."""

import ipaddress
from pathlib import Path

import pytest

from corpus import corpus_cases, corpus_expected, corpus_text
from parser_checks import (
    assert_documentation_addresses, assert_mangled_outputs_raise_parse_errors_only,
    assert_parse_error, assert_refused_command, assert_round_trip, by_name, check_corpus_file,
    cut_after, emulated_device, example_device, freeze_emulator_clock, gathered, lab_vendor, parsed,
    rendered, valid
)
from ansible_collections.vpnops.tunnels.plugins.module_utils.parsers import cisco_asa, parse_outputs

PLATFORM = "cisco_asa"
DATA = Path(__file__).parent / "data" / PLATFORM
vendor = lab_vendor(PLATFORM)

# corpus folder -> the command as typed; None: no site-to-site tunnel state, refused by design
CORPUS_COMMANDS = {
    "show_crypto_ikev1_sa": "show crypto ikev1 sa",
    "show_crypto_ikev1_sa_detail": "show crypto ikev1 sa detail",
    "show_crypto_ikev2_sa": "show crypto ikev2 sa",
    "show_crypto_ipsec_sa": "show crypto ipsec sa",
    "show_vpn-sessiondb_detail_l2l": "show vpn-sessiondb detail l2l",
    "show_vpn-sessiondb_anyconnect": None,        # remote-access user sessions
    "show_vpn-sessiondb": None,                   # session counts
    "show_vpn-sessiondb_summary": None,           # session counts
    "show_vpn_load-balancing": None,              # cluster members and load
    "show_asp_table_vpn-context_detail": None,    # data-plane contexts, one per SA direction
}


def parse(command, text):
    return parsed(PLATFORM, command, text)


def real(relative):
    return corpus_text(PLATFORM, relative)


# --- every corpus file ----------------------------------------------------------------------

@pytest.mark.parametrize("path", corpus_cases(PLATFORM))
def test_every_real_output_parses_and_validates_or_is_refused(path):
    check_corpus_file(PLATFORM, path, CORPUS_COMMANDS, may_be_empty="There are no")


# --- values against the corpus's expected parses ------------------------------------------------

def test_ikev1_legacy_table_agrees_with_its_textfsm_parse():
    device = parse("show crypto ikev1 sa detail", real("show_crypto_ikev1_sa_detail/1.txt"))
    rows = corpus_expected(PLATFORM, "show_crypto_ikev1_sa_detail/1.expected.yml")
    assert [tunnel["name"] for tunnel in device["tunnels"]] == [row["peer"] for row in rows]
    for tunnel, row in zip(device["tunnels"], rows):
        ike = tunnel["ike"]
        assert tunnel["native_state"] == row["state"]     # AM_Active kept as printed
        assert tunnel["state"] == "ESTABLISHED"
        assert ike["initiator"] is (row["dir"] == "Init")
        assert (ike["algorithms"]["encryption"], ike["algorithms"]["integrity"]) == (
            row["encryption"], row["hash"])
        assert ike["rekey_interval_seconds"] == int(row["lifetime"])


def _ident(row, side):
    """The TextFSM row's identity address and mask as our selector: '172.16.122.32/28'."""
    mask = row["%s_identity_mask" % side]
    return "%s/%d" % (row["%s_identity_addr" % side], ipaddress.ip_network("0.0.0.0/" + mask).prefixlen)


def test_ipsec_sa_agrees_with_its_textfsm_parse_row_by_row():
    device = parse("show crypto ipsec sa", real("show_crypto_ipsec_sa/1.txt"))
    rows = corpus_expected(PLATFORM, "show_crypto_ipsec_sa/1.expected.yml")
    tunnels = by_name(device)
    assert len(rows) == sum(len(tunnel["children"]) for tunnel in device["tunnels"]) == 3
    for row in rows:
        # the sample masks peers with names (ASA "names"): the name is the peer then
        tunnel = tunnels[row["current_peer"] or row["current_peer_name"]]
        child = {child["name"]: child for child in tunnel["children"]}[
            "%s===%s" % (_ident(row, "local"), _ident(row, "remote"))]
        assert child["spi_in"] == row["inbound_spi_hex"][2:].lower()
        assert child["spi_out"] == row["outbound_spi_hex"][2:].lower()
        assert (child["packets_in"], child["packets_out"]) == (
            int(row["packets_decapsulated"]), int(row["packets_encapsulated"]))
        assert child["lifetime_seconds"] == int(row["inbound_remaining_lifetime"])
        assert child["encapsulation"] is ("NAT-T-Encaps" in row["inbound_settings_in_use"])
        assert child["mode"] == "TUNNEL" and child["protocol"] == "ESP"
        size = child["algorithms"]["key_size"]
        assert row["inbound_encryption"] == "esp-%s%s" % (child["algorithms"]["encryption"],
                                                          "-%d" % size if size else "")
        assert tunnel["ike"]["local"]["address"] == (row["local_crypto_endpoint"]
                                                     or row["local_crypto_endpoint_name"])


def test_ipsec_sa_versions_and_remote_access_entry():
    device = parse("show crypto ipsec sa", real("show_crypto_ipsec_sa/1.txt"))
    tunnels = by_name(device)
    assert tunnels["8.8.8.8"]["ike"]["version"] == 1
    assert tunnels["8.8.8.8"]["ike"]["local"]["port"] == 4500        # NAT-T endpoints
    assert tunnels["172.20.0.21"]["ike"]["version"] is None          # old release: no IKEv1 word
    assert "remote-access" in tunnels["172.20.0.21"]["status_message"]
    assert all(tunnel["state"] == "UNDEFINED" for tunnel in device["tunnels"])  # no IKE SA listed
    assert tunnels["8.8.8.8"]["children"][0]["native_state"] == "active"


@pytest.mark.parametrize("sample", ["2", "3"])
def test_session_database_agrees_with_its_textfsm_parse_row_by_row(sample):
    device = parse("show vpn-sessiondb detail l2l",
                   real("show_vpn-sessiondb_detail_l2l/%s.txt" % sample))
    rows = corpus_expected(PLATFORM, "show_vpn-sessiondb_detail_l2l/%s.expected.yml" % sample)
    tunnels = {tunnel["ike"]["remote"]["address"]: tunnel for tunnel in device["tunnels"]}
    assert sorted(tunnels) == sorted({row["ip_address"] for row in rows})
    for row in rows:
        tunnel = tunnels[row["ip_address"]]
        assert tunnel["name"] == (row["connection"] or row["ip_address"])
        if row["connection_type"] == "NAC":
            continue   # admission control timers: no tunnel state
        if row["connection_type"].startswith("IKE"):
            ike = tunnel["ike"]
            assert ike["version"] == (2 if row["connection_type"] == "IKEv2" else 1)
            assert ike["rekey_interval_seconds"] == int(row["rekey_interval"])
            assert ike["rekey_seconds"] == int(row["rekey_time_left"])
            assert ike["algorithms"]["dh_group"] == row["dh_group"]
            assert ike["algorithms"]["prf"] == (row["prf"] or None)
            assert (ike["remote"]["port"], ike["local"]["port"]) == (
                int(row["udp_src_port"]), int(row["udp_dst_port"]))
            continue
        child = {child["sa_id"]: child for child in tunnel["children"]}[
            "%s.%s" % (row["index"], row["session_id"])]
        assert child["bytes_in"] == int(row["bytes_received"])
        assert child["bytes_out"] == int(row["bytes_transmitted"])
        assert child["packets_in"] == int(row["packets_received"])
        assert child["packets_out"] == int(row["packets_transmitted"])
        assert child["rekey_seconds"] == int(row["rekey_time_left"])
        assert child["local_ts"][0].startswith(row["local_address_network"] + "/")
        assert child["encapsulation"] is (row["connection_type"] == "IPsecOverNatT")
        assert child["algorithms"]["dh_group"] == (row["pfs_group"] or None)


def test_ikev2_empty_listing_agrees_with_genie():
    assert corpus_expected(PLATFORM, "show_crypto_ikev2_sa/2.expected.py") == {"sessions": {}}
    assert parse("show crypto ikev2 sa", real("show_crypto_ikev2_sa/2.txt"))["tunnels"] == []


# --- hand-checked values ------------------------------------------------------------------------

def test_real_ikev2_summary_values():
    tunnel, = parse("show crypto ikev2 sa", real("show_crypto_ikev2_sa/3.txt"))["tunnels"]
    ike = tunnel["ike"]
    assert (tunnel["name"], tunnel["state"], tunnel["native_state"]) == ("202.106.1.1", "ESTABLISHED", "READY")
    assert (ike["version"], ike["sa_id"], ike["initiator"]) == (2, "38557965", False)
    assert ike["local"] == {"address": "101.100.1.1", "port": 500, "id": None}
    assert ike["algorithms"] == {"encryption": "AES-CBC", "key_size": 256, "integrity": "SHA96",
                                 "prf": None, "dh_group": "14"}
    assert (ike["rekey_interval_seconds"], ike["established_seconds"]) == (86400, 73)
    child, = tunnel["children"]
    assert (child["spi_in"], child["spi_out"]) == ("dd3fc4c", "24c2ab68")   # vendor width kept
    assert child["local_ts"] == child["remote_ts"] == ["0.0.0.0/0"]
    assert "UP-ACTIVE" in tunnel["status_message"]


def test_real_session_database_values():
    tunnels = by_name(parse("show vpn-sessiondb detail l2l",
                            real("show_vpn-sessiondb_detail_l2l/3.txt")))
    tunnel = tunnels["DefaultL2LGroup"]   # the connection (tunnel-group) names the tunnel
    assert tunnel["ike"]["remote"]["address"] == "169.254.107.100"
    assert tunnel["ike"]["established_seconds"] == ((52 * 24 + 6) * 60 + 35) * 60 + 23
    assert tunnel["ike"]["algorithms"]["encryption"] == "AES-GCM" and tunnel["ike"]["algorithms"]["integrity"] is None
    first = by_name(parse("show vpn-sessiondb detail l2l",
                          real("show_vpn-sessiondb_detail_l2l/2.txt")))["169.254.107.1"]
    assert first["ike"]["version"] == 1                  # "IKE:" section of releases before 8.4
    assert first["children"][0]["local_ts"] == ["169.254.44.0/22"]


def test_own_ikev1_detail_rekey_pair_negotiating_and_remote_access():
    tunnels = by_name(parse("show crypto ikev1 sa detail", (DATA / "ikev1-detail.txt").read_text()))
    rekeying = tunnels["192.0.2.21"]            # the active SA and its rekey SA: one tunnel
    assert (rekeying["state"], rekeying["ike"]["negotiation"]) == ("ESTABLISHED", None)
    assert rekeying["ike"]["rekey_seconds"] == 71234
    assert "rekey SA MM_WAIT_MSG4" in rekeying["status_message"]
    negotiating = tunnels["192.0.2.22"]
    assert (negotiating["state"], negotiating["ike"]["initiator"]) == ("CONNECTING", False)
    assert negotiating["ike"]["negotiation"] == {"phase": 1, "step": "MM_WAIT_MSG3"}
    assert "remote-access" in tunnels["203.0.113.77"]["status_message"]
    assert tunnels["203.0.113.77"]["ike"]["algorithms"]["encryption"] == "3des"


def test_own_ikev2_detail_spis_ids_nat_and_negotiation():
    tunnels = by_name(parse("show crypto ikev2 sa detail", (DATA / "ikev2-detail.txt").read_text()))
    ike = tunnels["192.0.2.40"]["ike"]
    # responder: the remote spi is the initiator's
    assert (ike["initiator_spi"], ike["responder_spi"]) == ("00aa11bb22cc33dd", "9c1d34b5a7e1f0c2")
    assert (ike["local"]["id"], ike["remote"]["id"]) == ("198.51.100.5", "branch40.example.net")
    assert (ike["nat_t"], ike["dpd"]) == ("remote", {"delay": 10, "timeout": None, "action": None})
    assert ike["algorithms"]["integrity"] is None        # "Hash: N/A" of AES-GCM
    child, = tunnels["192.0.2.40"]["children"]
    assert child["remote_ts"] == ["198.19.40.16/29"] and child["mode"] == "TUNNEL"
    negotiating = tunnels["192.0.2.41"]
    assert negotiating["state"] == "CONNECTING"
    assert negotiating["ike"]["negotiation"] == {"phase": 1, "step": "IN-NEG: Initial exchange done"}
    assert negotiating["ike"]["dpd"] is None and negotiating["ike"]["algorithms"]["encryption"] is None


# --- merge ----------------------------------------------------------------------------------------

def outputs_of(tunnels, commands=None):
    """What an emulated ASA holding these tunnels prints (for its gather commands by default)."""
    return rendered(vendor, emulated_device(vendor, tunnels), commands)


def test_merge_names_by_session_and_joins_sa_outputs_by_peer():
    tunnels = vendor.example_tunnels(0)
    merged = by_name(valid(parse_outputs(PLATFORM, outputs_of(tunnels))))
    hub = merged["hub-0"]   # IKEv2 SA, IPsec SAs and session of one peer, named by its session
    assert hub["ike"]["sa_id"] == tunnels[0]["ike"]["sa_id"]
    assert [child["spi_in"] for child in hub["children"]] == [c["spi_in"] for c in tunnels[0]["children"]]
    assert [child["bytes_in"] for child in hub["children"]] == [c["bytes_in"] for c in tunnels[0]["children"]]
    assert hub["status_message"].startswith("READY, 2 of 2 IPsec SAs installed")


def test_merge_reports_ike_without_ipsec_and_negotiating_tunnels():
    merged = by_name(valid(parse_outputs(PLATFORM, outputs_of(vendor.example_tunnels(0)))))
    degraded, negotiating = merged["203.0.113.3"], merged["203.0.113.4"]
    assert (degraded["state"], degraded["children"]) == ("ESTABLISHED", [])
    assert degraded["ike"]["negotiation"] == {"phase": 2, "step": "MM_ACTIVE without IPsec SA"}
    assert negotiating["state"] == "CONNECTING"
    assert negotiating["ike"]["negotiation"] == {"phase": 1, "step": "MM_WAIT_MSG2"}


def test_no_phase_two_conclusion_when_ipsec_sas_were_not_gathered():
    device = parse_outputs(PLATFORM, outputs_of(vendor.example_tunnels(0), ["show crypto ikev1 sa detail"]))
    assert by_name(device)["203.0.113.3"]["ike"]["negotiation"] is None


def test_merge_of_ipsec_only_and_ike_only_outputs_of_the_same_peer():
    merged = parse_outputs(PLATFORM, [
        ("show crypto ikev1 sa", real("show_crypto_ikev1_sa/1.txt")),
        ("show crypto ikev2 sa", real("show_crypto_ikev2_sa/3.txt")),
    ])
    tunnel, = valid(merged)["tunnels"]                    # both list 202.106.1.1
    assert tunnel["state"] == "ESTABLISHED" and len(tunnel["children"]) == 1
    assert "rekey SA" in tunnel["status_message"]


# --- noise and errors -------------------------------------------------------------------------

def test_prompts_pager_and_blank_lines_are_ignored():
    text = "ciscoasa# show crypto ikev2 sa\n<--- More --->\n\n" + real("show_crypto_ikev2_sa/3.txt") \
        + "\nciscoasa# \n"
    assert parse("show crypto ikev2 sa", text)["tunnels"][0]["ike"]["sa_id"] == "38557965"


def test_mangled_outputs_raise_parse_errors_only():
    """Cut, shuffled and garbled copies of every sample: parsed, or a VpnParseError."""
    seeds = outputs_of(vendor.example_tunnels(1)) + [
        ("show crypto ikev1 sa detail", (DATA / "ikev1-detail.txt").read_text()),
        ("show crypto ikev2 sa detail", (DATA / "ikev2-detail.txt").read_text())]
    assert_mangled_outputs_raise_parse_errors_only(PLATFORM, seeds, ["x", ":", "0x", " : ", "(", "-", "\n"])


@pytest.mark.parametrize("command, text, expected", [
    ("show crypto ikev2 sa detail", "hello world\n", "an IKE SA entry"),
    ("show crypto ipsec sa", "<html><body>502</body></html>\n", "'interface:' and 'Crypto map tag:'"),
    ("show vpn-sessiondb detail l2l", "Session Type: AnyConnect\n", "LAN-to-LAN sessions"),
    ("show vpn-sessiondb detail l2l", "random words here\n", "'Name : value' session lines"),
    ("show crypto ikev1 sa detail", "ERROR: % Invalid input detected at '^' marker.\n",
     "the ASA reported an error"),
    ("show crypto ikev1 sa detail", "1   IKE Peer: 192.0.2.1\n    Type    : L2L\n", "output cut off"),
])
def test_unknown_text_raises_parse_error_naming_platform_and_command(command, text, expected):
    error = assert_parse_error(PLATFORM, command, text, expected)
    assert error.command == cisco_asa.command_key(command)   # the command's key: its plain form


@pytest.mark.parametrize("command, marker", [
    ("show crypto ikev2 sa", "Child sa: local selector  0.0.0.0/0 - 255.255.255.255/65535"),
    ("show crypto ipsec sa", "current_peer: 8.8.8.8"),
    ("show crypto ipsec sa", "spi: 0x32F752FF (855069439)"),
    ("show vpn-sessiondb detail l2l", "Tunnel ID    : 26386.2"),
])
def test_truncated_outputs_raise_parse_errors(command, marker):
    folder = {"show crypto ikev2 sa": "show_crypto_ikev2_sa/3.txt",
              "show crypto ipsec sa": "show_crypto_ipsec_sa/1.txt",
              "show vpn-sessiondb detail l2l": "show_vpn-sessiondb_detail_l2l/3.txt"}[command]
    assert_parse_error(PLATFORM, command, cut_after(real(folder), marker), "output cut off")


def test_unsupported_commands_are_refused_with_a_parse_error():
    for command in ("show vpn-sessiondb anyconnect", "show vpn-sessiondb summary",
                    "show asp table vpn-context detail", "show running-config crypto map"):
        assert_refused_command(PLATFORM, command)


def test_command_forms_are_recognized():
    key = cisco_asa.command_key
    assert key("sh cry ikev1 sa det") == key("show crypto ikev1 sa") == "show crypto ikev1 sa"
    assert key("show crypto ipsec sa peer 192.0.2.1") == cisco_asa.IPSEC_SA
    assert key("show crypto ipsec sa | begin 192.0.2.1") == cisco_asa.IPSEC_SA
    assert key("show vpn-sessiondb detail l2l filter name hub-0") == "show vpn-sessiondb l2l"
    assert key("show vpn-sessiondb l2l") == cisco_asa.L2L_SESSIONS
    assert key("show crypto isakmp sa detail") == cisco_asa.ISAKMP_SA
    assert key("show crypto i sa") is None                 # ambiguous: ikev1, ikev2, ipsec
    assert key("show crypto ikev1 sa summary") is None
    assert key("show vpn-sessiondb anyconnect") is None
    assert cisco_asa.gather_commands({}) == [
        "show crypto ikev1 sa detail", "show crypto ikev2 sa detail", "show crypto ipsec sa",
        "show vpn-sessiondb detail l2l"]


# --- the emulated ASA -------------------------------------------------------------------------

@pytest.fixture
def frozen_clock(monkeypatch):
    freeze_emulator_clock(monkeypatch)


@pytest.mark.parametrize("index", [0, 1, 2])
def test_round_trip_reports_the_emulated_device_state(index, frozen_clock):
    # the clock stands still: countdowns and ages are exact too
    assert_round_trip(vendor, index, in_order=False, also={"ike": ("established_seconds", "rekey_seconds"),
                                                           "child": ("rekey_seconds", "lifetime_seconds")})


def test_example_tunnels_are_deterministic_and_use_documentation_addresses():
    assert vendor.example_tunnels(1) == vendor.example_tunnels(1)
    assert_documentation_addresses(vendor.example_tunnels(0) + vendor.example_tunnels(1),
                                   peers_may_be_unknown=True)


def test_resets_take_tunnels_and_children_down(frozen_clock):
    device = example_device(vendor, 0, reset_delay=60)
    assert vendor.reset(device, "clear crypto ipsec sa peer 203.0.113.2") == ""
    assert vendor.reset(device, "vpn-sessiondb logoff ipaddress 203.0.113.1 noconfirm") == \
        "INFO: Number of sessions with IP address of 203.0.113.1 logged off : 1\n"
    assert vendor.reset(device, "clear crypto ikev2 sa") == ""   # nothing IKEv2 is up any more
    assert vendor.reset(device, "show crypto ipsec sa") is None
    facts = by_name(gathered(vendor, device))
    assert "hub-0" not in facts                    # a tunnel without SAs: the ASA shows nothing
    assert (facts["203.0.113.2"]["state"], facts["203.0.113.2"]["children"]) == ("ESTABLISHED", [])
    assert [names for _command, names in device.reset_log] == [["203.0.113.2"], ["hub-0"], []]


def test_isakmp_listing_holds_both_versions(frozen_clock):
    tunnels = vendor.example_tunnels(1)
    both = parse_outputs(PLATFORM, outputs_of(tunnels, ["show crypto isakmp sa detail"]))["tunnels"]
    apart = parse_outputs(PLATFORM, outputs_of(tunnels, ["show crypto ikev1 sa detail",
                                                         "show crypto ikev2 sa detail"]))["tunnels"]
    assert both == apart and {tunnel["ike"]["version"] for tunnel in both} == {1, 2}


def test_render_knows_only_state_commands():
    device = emulated_device(vendor, [])
    assert vendor.render(device, "show running-config") is None
    assert vendor.render(device, "show crypto ikev2 sa") == "\nThere are no IKEv2 SAs\n"
    assert parse_outputs(PLATFORM, outputs_of([]))["tunnels"] == []


def test_a_session_cut_short_before_the_next_is_an_error_at_its_own_line():
    """Sessions become tunnels as the listing is read: the error of a session that misses
    its IPsec addresses names that session's Connection line, not the next session's."""
    lines = real("show_vpn-sessiondb_detail_l2l/3.txt").splitlines(keepends=True)
    first_connection = next(i for i, line in enumerate(lines) if line.startswith("Connection"))
    text = "".join(line for line in lines if not line.startswith("  Local Addr   : 0.0.0.0"))
    error = assert_parse_error(PLATFORM, "show vpn-sessiondb detail l2l", text, "output cut off")
    assert error.line_number == first_connection + 1
    assert error.line.startswith("Connection   : DefaultL2LGroup")

# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cisco ASA parser: real outputs from ../shared, own samples, merge, errors, emulator round trip."""

import ast
import ipaddress
import random
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from corpus import corpus_cases, corpus_root, require_corpus
from ansible_collections.vpnops.tunnels.plugins.module_utils.errors import VpnParseError
from ansible_collections.vpnops.tunnels.plugins.module_utils.model_schema import SCHEMA
from ansible_collections.vpnops.tunnels.plugins.module_utils.parsers import (
    cisco_asa,
    parse_output,
    parse_outputs,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lab"))
from emulator import device as emulated  # noqa: E402  (needs tests/lab on sys.path)
from emulator.vendors import cisco_asa as vendor  # noqa: E402

PLATFORM = "cisco_asa"
DATA = Path(__file__).parent / "data" / PLATFORM
CORPUS = corpus_root() / PLATFORM
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

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


def valid(device):
    assert [error.message for error in VALIDATOR.iter_errors(device)] == []
    return device


def parse(command, text):
    return valid(parse_output(PLATFORM, command, text))


def corpus_text(relative):
    require_corpus(CORPUS if CORPUS.is_dir() else None)
    return (CORPUS / relative).read_text()


def corpus_expected(relative):
    """A corpus file's expected parse: the TextFSM rows of .yml, the dict of .py."""
    text = corpus_text(relative)
    if relative.endswith(".yml"):
        return yaml.safe_load(text)["parsed_sample"]
    return ast.literal_eval(text.split("=", 1)[1].strip())


def by_name(device):
    return {tunnel["name"]: tunnel for tunnel in device["tunnels"]}


# --- every corpus file ----------------------------------------------------------------------

@pytest.mark.parametrize("path", corpus_cases(PLATFORM))
def test_every_real_output_parses_and_validates_or_is_refused(path):
    require_corpus(path)
    folder = path.parent.name
    assert folder in CORPUS_COMMANDS, "corpus folder %r has no command here: add it" % folder
    command = CORPUS_COMMANDS[folder]
    if command is None:
        typed = folder.replace("_", " ")
        with pytest.raises(VpnParseError, match="cisco_asa output of %r" % typed):
            parse_output(PLATFORM, typed, path.read_text())
        return
    device = parse(command, path.read_text())
    if "There are no" not in path.read_text():
        assert device["tunnels"], "a sample with SAs yields tunnels"


# --- values against the corpus's expected parses ------------------------------------------------

def test_ikev1_legacy_table_agrees_with_its_textfsm_parse():
    device = parse("show crypto ikev1 sa detail", corpus_text("show_crypto_ikev1_sa_detail/1.txt"))
    rows = corpus_expected("show_crypto_ikev1_sa_detail/1.expected.yml")
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
    device = parse("show crypto ipsec sa", corpus_text("show_crypto_ipsec_sa/1.txt"))
    rows = corpus_expected("show_crypto_ipsec_sa/1.expected.yml")
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
    device = parse("show crypto ipsec sa", corpus_text("show_crypto_ipsec_sa/1.txt"))
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
                   corpus_text("show_vpn-sessiondb_detail_l2l/%s.txt" % sample))
    rows = corpus_expected("show_vpn-sessiondb_detail_l2l/%s.expected.yml" % sample)
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
    assert corpus_expected("show_crypto_ikev2_sa/2.expected.py") == {"sessions": {}}
    assert parse("show crypto ikev2 sa", corpus_text("show_crypto_ikev2_sa/2.txt"))["tunnels"] == []


# --- hand-checked values ------------------------------------------------------------------------

def test_real_ikev2_summary_values():
    tunnel, = parse("show crypto ikev2 sa", corpus_text("show_crypto_ikev2_sa/3.txt"))["tunnels"]
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
                            corpus_text("show_vpn-sessiondb_detail_l2l/3.txt")))
    tunnel = tunnels["DefaultL2LGroup"]   # the connection (tunnel-group) names the tunnel
    assert tunnel["ike"]["remote"]["address"] == "169.254.107.100"
    assert tunnel["ike"]["established_seconds"] == ((52 * 24 + 6) * 60 + 35) * 60 + 23
    assert tunnel["ike"]["algorithms"]["encryption"] == "AES-GCM" and tunnel["ike"]["algorithms"]["integrity"] is None
    first = by_name(parse("show vpn-sessiondb detail l2l",
                          corpus_text("show_vpn-sessiondb_detail_l2l/2.txt")))["169.254.107.1"]
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

def rendered(tunnels, commands=None):
    device = emulated.EmulatedDevice(name="asa", platform=PLATFORM, hostname="asa", tunnels=tunnels)
    return [(command, vendor.render(device, command))
            for command in commands or cisco_asa.gather_commands({})]


def test_merge_names_by_session_and_joins_sa_outputs_by_peer():
    tunnels = vendor.example_tunnels(0)
    merged = by_name(valid(parse_outputs(PLATFORM, rendered(tunnels))))
    hub = merged["hub-0"]   # IKEv2 SA, IPsec SAs and session of one peer, named by its session
    assert hub["ike"]["sa_id"] == tunnels[0]["ike"]["sa_id"]
    assert [child["spi_in"] for child in hub["children"]] == [c["spi_in"] for c in tunnels[0]["children"]]
    assert [child["bytes_in"] for child in hub["children"]] == [c["bytes_in"] for c in tunnels[0]["children"]]
    assert hub["status_message"].startswith("READY, 2 of 2 IPsec SAs installed")


def test_merge_reports_ike_without_ipsec_and_negotiating_tunnels():
    merged = by_name(valid(parse_outputs(PLATFORM, rendered(vendor.example_tunnels(0)))))
    degraded, negotiating = merged["203.0.113.3"], merged["203.0.113.4"]
    assert (degraded["state"], degraded["children"]) == ("ESTABLISHED", [])
    assert degraded["ike"]["negotiation"] == {"phase": 2, "step": "MM_ACTIVE without IPsec SA"}
    assert negotiating["state"] == "CONNECTING"
    assert negotiating["ike"]["negotiation"] == {"phase": 1, "step": "MM_WAIT_MSG2"}


def test_no_phase_two_conclusion_when_ipsec_sas_were_not_gathered():
    device = parse_outputs(PLATFORM, rendered(vendor.example_tunnels(0), ["show crypto ikev1 sa detail"]))
    assert by_name(device)["203.0.113.3"]["ike"]["negotiation"] is None


def test_merge_of_ipsec_only_and_ike_only_outputs_of_the_same_peer():
    merged = parse_outputs(PLATFORM, [
        ("show crypto ikev1 sa", corpus_text("show_crypto_ikev1_sa/1.txt")),
        ("show crypto ikev2 sa", corpus_text("show_crypto_ikev2_sa/3.txt")),
    ])
    tunnel, = valid(merged)["tunnels"]                    # both list 202.106.1.1
    assert tunnel["state"] == "ESTABLISHED" and len(tunnel["children"]) == 1
    assert "rekey SA" in tunnel["status_message"]


# --- noise and errors -------------------------------------------------------------------------

def test_prompts_pager_and_blank_lines_are_ignored():
    text = "ciscoasa# show crypto ikev2 sa\n<--- More --->\n\n" + corpus_text("show_crypto_ikev2_sa/3.txt") \
        + "\nciscoasa# \n"
    assert parse("show crypto ikev2 sa", text)["tunnels"][0]["ike"]["sa_id"] == "38557965"


def test_mangled_outputs_raise_parse_errors_only():
    """Cut, shuffled and garbled copies of every sample: parsed, or a VpnParseError."""
    rng = random.Random(11)
    seeds = rendered(vendor.example_tunnels(1)) + [
        ("show crypto ikev1 sa detail", (DATA / "ikev1-detail.txt").read_text()),
        ("show crypto ikev2 sa detail", (DATA / "ikev2-detail.txt").read_text())]
    for _round in range(400):
        command, text = rng.choice(seeds)
        lines = text.splitlines()
        if rng.random() < 0.3:
            rng.shuffle(lines)
        text = "\n".join(lines)[:rng.randrange(1, len(text) + 1)]
        position = rng.randrange(len(text))
        text = text[:position] + rng.choice(["x", ":", "0x", " : ", "(", "-", "\n"]) + text[position + 1:]
        try:
            valid(parse_output(PLATFORM, command, text))
        except VpnParseError as error:
            assert error.platform == PLATFORM


def _cut(text, marker):
    return text[:text.index(marker) + len(marker)] + "\n"


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
    with pytest.raises(VpnParseError) as caught:
        parse_output(PLATFORM, command, text)
    key = cisco_asa.command_key(command)   # errors name the command's key: its plain form
    assert caught.value.platform == PLATFORM and caught.value.command == key
    assert PLATFORM in str(caught.value) and key in str(caught.value) and expected in str(caught.value)


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
    with pytest.raises(VpnParseError, match="output cut off") as caught:
        parse_output(PLATFORM, command, _cut(corpus_text(folder), marker))
    assert caught.value.command == cisco_asa.command_key(command)


def test_unsupported_commands_are_refused_with_a_parse_error():
    for command in ("show vpn-sessiondb anyconnect", "show vpn-sessiondb summary",
                    "show asp table vpn-context detail", "show running-config crypto map"):
        with pytest.raises(VpnParseError, match="one of the supported commands") as caught:
            parse_output(PLATFORM, command, "")
        assert caught.value.platform == PLATFORM


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

def _field(item, path):
    for part in path.split("."):
        item = item[part]
    return item


@pytest.fixture
def frozen_clock(monkeypatch):
    monkeypatch.setattr(emulated.time, "monotonic", lambda: 1000.0)


@pytest.mark.parametrize("index", [0, 1, 2])
def test_round_trip_reports_the_emulated_device_state(index, frozen_clock):
    device = emulated.EmulatedDevice(name="asa%d" % index, platform=PLATFORM, hostname="asa",
                                     tunnels=vendor.example_tunnels(index))
    facts = valid(parse_outputs(PLATFORM, [(command, vendor.render(device, command))
                                           for command in cisco_asa.gather_commands({})]))
    truth = by_name({"tunnels": device.state()})
    got = by_name(facts)
    assert sorted(got) == sorted(truth)
    for name, tunnel in truth.items():
        for path in vendor.REPORTED["tunnel"]:
            assert _field(got[name], path) == _field(tunnel, path), (name, path)
        for path in vendor.REPORTED["ike"] + ("established_seconds", "rekey_seconds"):
            assert _field(got[name]["ike"], path) == _field(tunnel["ike"], path), (name, path)
        assert [child["name"] for child in got[name]["children"]] == [c["name"] for c in tunnel["children"]]
        for mine, theirs in zip(got[name]["children"], tunnel["children"]):
            for path in vendor.REPORTED["child"] + ("rekey_seconds", "lifetime_seconds"):
                assert _field(mine, path) == _field(theirs, path), (name, mine["name"], path)


def test_example_tunnels_are_deterministic_and_use_documentation_addresses():
    assert vendor.example_tunnels(1) == vendor.example_tunnels(1)
    for tunnel in vendor.example_tunnels(0) + vendor.example_tunnels(1):
        for address in (tunnel["ike"]["local"]["address"], tunnel["ike"]["remote"]["address"]):
            assert address is None or address.startswith(("192.0.2.", "198.51.100.", "203.0.113."))
        for child in tunnel["children"]:
            assert all(ts.startswith(("198.18.", "198.19.")) for ts in child["local_ts"] + child["remote_ts"])


def test_resets_take_tunnels_and_children_down(frozen_clock):
    device = emulated.EmulatedDevice(name="asa", platform=PLATFORM, hostname="asa",
                                     tunnels=vendor.example_tunnels(0), reset_delay=60)
    assert vendor.reset(device, "clear crypto ipsec sa peer 203.0.113.2") == ""
    assert vendor.reset(device, "vpn-sessiondb logoff ipaddress 203.0.113.1 noconfirm") == \
        "INFO: Number of sessions with IP address of 203.0.113.1 logged off : 1\n"
    assert vendor.reset(device, "clear crypto ikev2 sa") == ""   # nothing IKEv2 is up any more
    assert vendor.reset(device, "show crypto ipsec sa") is None
    facts = by_name(parse_outputs(PLATFORM, [(command, vendor.render(device, command))
                                             for command in cisco_asa.gather_commands({})]))
    assert "hub-0" not in facts                    # a tunnel without SAs: the ASA shows nothing
    assert (facts["203.0.113.2"]["state"], facts["203.0.113.2"]["children"]) == ("ESTABLISHED", [])
    assert [names for _command, names in device.reset_log] == [["203.0.113.2"], ["hub-0"], []]


def test_isakmp_listing_holds_both_versions(frozen_clock):
    tunnels = vendor.example_tunnels(1)
    both = parse_outputs(PLATFORM, rendered(tunnels, ["show crypto isakmp sa detail"]))["tunnels"]
    apart = parse_outputs(PLATFORM, rendered(tunnels, ["show crypto ikev1 sa detail",
                                                       "show crypto ikev2 sa detail"]))["tunnels"]
    assert both == apart and {tunnel["ike"]["version"] for tunnel in both} == {1, 2}


def test_render_knows_only_state_commands():
    device = emulated.EmulatedDevice(name="asa", platform=PLATFORM, hostname="asa", tunnels=[])
    assert vendor.render(device, "show running-config") is None
    assert vendor.render(device, "show crypto ikev2 sa") == "\nThere are no IKEv2 SAs\n"
    assert parse_outputs(PLATFORM, rendered([]))["tunnels"] == []

# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""strongSwan stroke (`ipsec statusall|status`): the real-output corpus, our own 5.9.8
captures, the 4.x formats, merge, errors, and a round trip through the emulated device."""

from pathlib import Path

import pytest

from corpus import corpus_cases, corpus_expected, corpus_text
from parser_checks import (
    assert_parse_error, assert_refused_command, assert_round_trip, check_corpus_file, child,
    example_device, gathered, grows, lab_vendor, only, parsed, valid
)
from ansible_collections.vpnops.tunnels.plugins.module_utils.parsers import (
    parse_output,
    parse_outputs,
    strongswan_legacy,
)

PLATFORM = "strongswan_legacy"
DATA = Path(__file__).parent / "data" / PLATFORM
vendor = lab_vendor(PLATFORM)
STATUSALL, = strongswan_legacy.gather_commands({})

# corpus folder -> the command as typed; None: not tunnel state, refused by design
CORPUS_COMMANDS = {
    "ipsec_statusall": STATUSALL,
    "ipsec_status": "ipsec status",
    "ipsec_listcounters": None,   # IKE message counters of the daemon, no SA in them
}


def own(name, command=STATUSALL):
    return parsed(PLATFORM, command, (DATA / name).read_text())


def corpus_sample(relative, command=STATUSALL):
    return parsed(PLATFORM, command, corpus_text(PLATFORM, relative))


# --- the corpus -----------------------------------------------------------------------------

@pytest.mark.parametrize("path", corpus_cases(PLATFORM))
def test_every_real_output_parses_and_validates_or_is_refused(path):
    check_corpus_file(PLATFORM, path, CORPUS_COMMANDS)


def metric(rows, name):
    """[(labels, value)] of one metric of prometheus_rows()."""
    return [(labels, value) for metric_name, labels, value in rows if metric_name == name]


# sergeymakinen/ipsec_exporter reports charon's enum positions (ike_sa.c, child_sa.c)
EXPORTER_IKE_STATES = ("CREATED", "CONNECTING", "ESTABLISHED", "PASSIVE", "REKEYING", "REKEYED",
                       "DELETING", "DESTROYING")
EXPORTER_CHILD_STATES = ("CREATED", "ROUTED", "INSTALLING", "INSTALLED", "UPDATING", "REKEYING",
                         "REKEYED", "RETRYING", "DELETING", "DELETED", "DESTROYING")


@pytest.mark.parametrize("number", [9, 10, 11])
def test_exporter_metrics_agree_row_by_row(number):
    device = corpus_sample("ipsec_statusall/%d.txt" % number)
    metrics = corpus_expected(PLATFORM, "ipsec_statusall/%d.expected.prom" % number)
    live = [t for t in device["tunnels"] if t["ike"]["sa_id"] is not None]
    expected_sas = metric(metrics, "ipsec_ike_sa_state")
    assert metric(metrics, "ipsec_ike_sas") == [({}, float(len(live)))]
    assert len(expected_sas) == len(live)
    for labels, value in expected_sas:
        ike = only(device, labels["name"], labels["uid"])["ike"]
        assert (ike["local"]["address"], ike["local"]["id"]) == (labels["local_host"], labels["local_id"])
        assert (ike["remote"]["address"], ike["remote"]["id"]) == (labels["remote_host"], labels["remote_id"])
        assert ike["version"] == int(labels["version"])
        assert EXPORTER_IKE_STATES[int(value)] == ike["native_state"]
    for labels, value in metric(metrics, "ipsec_child_sa_state"):
        found = child(only(device, labels["ike_sa_name"], labels["ike_sa_uid"]), labels["name"])
        assert (found["sa_id"], found["reqid"], found["mode"], found["protocol"]) == (
            labels["uid"], labels["reqid"], labels["mode"], labels["protocol"])
        assert (found["local_ts"], found["remote_ts"]) == ([labels["local_ts"]], [labels["remote_ts"]])
        assert EXPORTER_CHILD_STATES[int(value)] == found["native_state"]
    for direction in ("in", "out"):
        for labels, value in metric(metrics, "ipsec_child_sa_bytes_" + direction):
            found = child(only(device, labels["ike_sa_name"], labels["ike_sa_uid"]), labels["name"])
            assert found["bytes_" + direction] == int(value)


def test_real_nat_t_sample_matches_the_go_exporters_expectations():
    # dennisstritzke/ipsec_exporter's test expects these counters for this 5.3.5 output
    tunnel = only(corpus_sample("ipsec_statusall/16.txt"), "foo")
    found = child(tunnel, "foo")
    assert (found["bytes_in"], found["bytes_out"], found["packets_in"], found["packets_out"]) == (
        2646320, 3014849, 37510, 54623)
    assert (found["spi_in"], found["spi_out"], found["encapsulation"]) == ("c96e6b17", "34f71a54", True)
    assert (found["sa_id"], found["reqid"], found["rekey_seconds"]) == ("83", "21", 21 * 3600)
    ike = tunnel["ike"]
    assert (ike["initiator_spi"], ike["responder_spi"], ike["initiator"]) == (
        "b26da4ae5279684d", "7f5b0cfd45d5dc94", True)
    assert (ike["established_seconds"], ike["reauth_seconds"], ike["rekey_seconds"]) == (
        16 * 3600, 7 * 3600, None)
    assert ike["local"] == {"address": "10.0.0.10", "port": None, "id": "117.17.17.17"}
    assert ike["dpd"] == {"delay": 30, "timeout": None, "action": "restart"}
    assert ike["algorithms"] == {"encryption": "AES_CBC", "key_size": 256,
                                 "integrity": "HMAC_SHA2_256_128", "prf": "PRF_HMAC_SHA2_256",
                                 "dh_group": "MODP_2048"}


def test_zero_bytes_without_use_time_mean_zero_packets():
    found = child(only(corpus_sample("ipsec_statusall/18.txt"), "foo"), "foo")
    assert (found["bytes_in"], found["packets_in"], found["last_in_seconds"]) == (0, 0, None)
    assert (found["bytes_out"], found["packets_out"], found["last_out_seconds"]) == (3014849, 54623, 0)


def test_a_large_real_output_keeps_every_sa_and_does_not_invent_missing_children():
    device = corpus_sample("ipsec_statusall/15.txt")
    blink = [t for t in device["tunnels"] if t["name"] == "BLINK"]
    assert sorted(t["ike"]["sa_id"] for t in blink) == ["4022085", "4022086", "4022087", "4022090"]
    # DIGITA-2 is carried by the newer DIGITA-1 SA, so the older one is not degraded
    old_digita = only(device, "DIGITA-1", "4009211")
    assert [(c["name"], c["state"]) for c in old_digita["children"]] == [("DIGITA-1", "INSTALLED")]
    levikom = only(device, "LEVIKOM:")  # a conn name ending in ':' ("LEVIKOM::  10.6.2.2...")
    assert levikom["ike"]["remote"]["address"] == "86.110.32.9"
    # 135 bytes but no use time printed: packets unknown
    assert (child(levikom, "LEVIKOM:")["bytes_in"], child(levikom, "LEVIKOM:")["packets_in"]) == (135, None)
    proximus = only(device, "PROXIMUS-SITE2")
    assert proximus["ike"]["version"] == 1
    assert proximus["ike"]["established_seconds"] == 111 * 60
    assert child(proximus, "PROXIMUS-SITE2")["algorithms"]["dh_group"] == "MODP_1536"
    # every conn has an SA; BLINK's trap policy yields to the live child of that name
    assert [t["name"] for t in device["tunnels"] if t["state"] != "ESTABLISHED"] == []
    assert all(t["configured"] for t in device["tunnels"])
    assert {c["state"] for t in blink for c in t["children"]} == {"INSTALLED"}


def test_children_attach_by_position_when_their_names_differ_from_the_ike_sa():
    tunnel = only(corpus_sample("ipsec_statusall/17.txt"), "conn")
    assert [(c["name"], c["sa_id"], c["reqid"]) for c in tunnel["children"]] == [
        ("conn-3", "5", "5"), ("conn-3", "7", "5"), ("conn-3", "19", "18"), ("conn-3", "20", "19")]
    first = tunnel["children"][0]
    assert first["local_ts"] == ["10.1.0.0/24", "10.2.0.0/24", "10.3.0.0/24"]
    assert (first["packets_in"], first["last_in_seconds"], first["last_out_seconds"]) == (1, 194, 12)
    assert tunnel["configured"] is False  # its Connections: section is empty


def test_established_ikev1_sa_waiting_for_quick_mode_is_in_phase_2():
    tunnel = only(corpus_sample("ipsec_statusall/9.txt"), "kelvic-mtn")
    assert tunnel["state"] == "ESTABLISHED"
    assert tunnel["ike"]["negotiation"] == {"phase": 2, "step": "queued: QUICK_MODE"}
    assert [(c["name"], c["state"]) for c in tunnel["children"]] == [("kelvic-mtn", "DOWN")]
    assert "not established: kelvic-mtn" in tunnel["status_message"]


def test_aead_proposal_disabled_rekeying_and_a_one_second_countdown():
    tunnel = only(corpus_sample("ipsec_statusall/21.txt"), "conn")
    assert tunnel["ike"]["algorithms"] == {"encryption": "AES_GCM_8", "key_size": 128,
                                           "integrity": None, "prf": "PRF_AES128_XCBC",
                                           "dh_group": "MODP_2048"}
    assert (tunnel["ike"]["rekey_seconds"], tunnel["ike"]["reauth_seconds"]) == (None, None)
    assert child(tunnel, "connchild")["rekey_seconds"] == 1


def test_ah_children_have_integrity_only_and_masked_values_are_none():
    tunnel = only(corpus_sample("ipsec_statusall/4.txt"), "westnet-eastnet-ikev2-esp-null")
    assert tunnel["ike"]["initiator"] is False  # '_r*': this host responded
    assert (tunnel["ike"]["initiator_spi"], tunnel["ike"]["established_seconds"]) == (None, None)
    ah = tunnel["children"][1]
    assert (ah["protocol"], ah["algorithms"]["encryption"], ah["algorithms"]["integrity"]) == (
        "AH", None, "HMAC_SHA1_96")
    assert ah["algorithms"]["dh_group"] == "MODP_2048"
    assert (ah["bytes_in"], ah["spi_in"], ah["rekey_seconds"]) == (None, None, None)


def test_no_sa_at_all_reports_the_configured_transport_conn_down():
    tunnel = only(corpus_sample("ipsec_statusall/11.txt"), "host-host")
    assert (tunnel["state"], tunnel["configured"], tunnel["status_message"]) == (
        "DOWN", True, "configured, no IKE_SA")
    assert tunnel["ike"]["local"]["address"] == "sun"   # a host name in ipsec.conf
    assert [(c["mode"], c["local_ts"], c["state"]) for c in tunnel["children"]] == [
        ("TRANSPORT", ["dynamic"], "DOWN")]


def test_mangled_indentation_is_read_like_charons_own():
    tunnel = only(corpus_sample("ipsec_statusall/12.txt"), "OVHEU-to-THRU")
    assert (tunnel["ike"]["sa_id"], tunnel["ike"]["established_seconds"]) == ("4", 29 * 60)
    assert child(tunnel, "OVHEU-to-THRU")["bytes_in"] == 28511501


def test_short_status_lists_every_child_of_an_ike_sa():
    tunnel = only(corpus_sample("ipsec_status/8.txt", "ipsec status"), "westnet-eastnet-ikev2a")
    assert [(c["name"], c["reqid"], c["local_ts"]) for c in tunnel["children"]] == [
        ("westnet-eastnet-ikev2a", "1", ["192.0.2.0/24"]),
        ("westnet-eastnet-ikev2b", "2", ["192.0.200.0/24"]),
        ("westnet-eastnet-ikev2c", "3", ["192.0.201.0/24"])]
    ipv6 = only(corpus_sample("ipsec_status/11.txt", "ipsec status"), "rw-eastnet-ipv6")
    assert ipv6["ike"]["local"]["address"] == "2001:db8:1:2::45"
    assert ipv6["children"][0]["remote_ts"] == ["2001:db8:0:2::/64"]


# --- our own captures (real charon 5.9.8) ---------------------------------------------------

def test_own_capture_reports_healthy_degraded_connecting_down_and_routed_tunnels():
    device = own("statusall-5.9.8-initiator.txt")
    assert [(t["name"], t["state"]) for t in device["tunnels"]] == [
        ("trying", "CONNECTING"), ("legacy-v1", "ESTABLISHED"), ("site-net", "ESTABLISHED"),
        ("dormant", "DOWN"), ("standby", "DOWN")]
    site = only(device, "site-net")
    assert [(c["name"], c["state"], c["sa_id"]) for c in site["children"]] == [
        ("site-net", "INSTALLED", "1"), ("site-voice", "INSTALLED", "3"), ("site-lab", "DOWN", None)]
    assert site["status_message"] == "IKE_SA ESTABLISHED, 2 of 3 CHILD_SAs installed; not established: site-lab"
    net = child(site, "site-net")
    assert (net["spi_in"], net["spi_out"], net["bytes_in"], net["packets_in"], net["bytes_out"],
            net["packets_out"]) == ("2e0e8dcd", "a42c380f", 1964, 18, 2284, 23)
    assert (net["reqid"], net["encapsulation"], net["rekey_seconds"], net["last_in_seconds"]) == (
        "1", True, 38 * 60, 2)
    assert (site["ike"]["initiator_spi"], site["ike"]["responder_spi"]) == ("8a9ecf8fc5187f78", "7eb06d91fe591086")
    assert (site["ike"]["established_seconds"], site["ike"]["reauth_seconds"]) == (180, 7200)
    trying = only(device, "trying")
    assert trying["ike"]["negotiation"]["phase"] == 1
    assert trying["ike"]["negotiation"]["step"].startswith("active: IKE_VENDOR IKE_INIT")
    assert trying["ike"]["responder_spi"] == "0000000000000000"
    # %any until authenticated: the identities come from the conn
    assert (trying["ike"]["local"]["id"], trying["ike"]["remote"]["id"]) == ("gw-a.example", "gw-d.example")
    legacy = only(device, "legacy-v1")
    assert (legacy["ike"]["version"], legacy["ike"]["algorithms"]["encryption"],
            legacy["ike"]["algorithms"]["key_size"]) == (1, "AES_CBC", 256)
    assert (only(device, "dormant")["status_message"], only(device, "dormant")["configured"]) == (
        "configured, no IKE_SA", True)
    standby = only(device, "standby")
    assert [(c["name"], c["state"], c["native_state"], c["reqid"]) for c in standby["children"]] == [
        ("standby", "ROUTED", "ROUTED", "4")]
    assert standby["status_message"] == "configured, trap policy installed (ROUTED), no IKE_SA"


def test_own_capture_responder_side_mirrors_the_initiator():
    responder = only(own("statusall-5.9.8-responder.txt"), "site-net")
    assert responder["ike"]["initiator"] is False
    assert (responder["ike"]["initiator_spi"], responder["ike"]["responder_spi"]) == (
        "8a9ecf8fc5187f78", "7eb06d91fe591086")
    net = child(responder, "site-net")
    assert (net["spi_in"], net["spi_out"], net["bytes_in"], net["bytes_out"]) == (
        "a42c380f", "2e0e8dcd", 2284, 1964)


def test_own_capture_after_resets_has_new_ids_and_a_lost_child():
    site = only(own("statusall-5.9.8-after-reset.txt"), "site-net")
    assert site["ike"]["sa_id"] == "5"
    assert [(c["name"], c["state"]) for c in site["children"]] == [
        ("site-net", "INSTALLED"), ("site-voice", "DOWN"), ("site-lab", "DOWN")]


def test_short_status_of_the_same_daemon_knows_no_configuration():
    device = own("status-5.9.8-initiator.txt", "ipsec status")
    assert [t["name"] for t in device["tunnels"]] == ["trying", "legacy-v1", "site-net", "standby"]
    site = only(device, "site-net")
    assert (site["configured"], site["ike"]["version"], site["ike"]["established_seconds"]) == (False, None, 180)
    assert child(site, "site-voice")["spi_in"] == "c82690eb"
    assert child(site, "site-voice")["bytes_in"] is None  # status prints no counters
    assert only(device, "trying")["ike"]["negotiation"] == {"phase": 1, "step": "CONNECTING"}
    assert only(device, "standby")["children"][0]["state"] == "ROUTED"


# --- strongSwan 4.x -------------------------------------------------------------------------

def test_4x_charon_and_pluto_lines_in_one_statusall():
    device = own("statusall-4.5-constructed.txt")
    v2 = only(device, "v2-net")
    assert (v2["ike"]["version"], v2["ike"]["initiator_spi"], v2["ike"]["initiator"]) == (
        2, "1d2b3e4f5a6b7c8d", True)
    v2_child = child(v2, "v2-net")
    # 4.x prints the reqid in braces, no unique id and no packet counts
    assert (v2_child["sa_id"], v2_child["reqid"], v2_child["packets_in"]) == (None, "3", None)
    assert (v2_child["bytes_in"], v2_child["bytes_out"], v2_child["last_in_seconds"]) == (84, 168, 12)
    assert v2_child["remote_ts"] == ["203.0.113.128/25"]
    v1 = only(device, "v1-net")
    assert (v1["state"], v1["native_state"], v1["ike"]["version"], v1["ike"]["sa_id"]) == (
        "ESTABLISHED", "STATE_MAIN_I4", 1, "#1")
    assert v1["ike"]["remote"] == {"address": "192.0.2.2", "port": None, "id": "gw-b.example"}
    ipsec_sa = child(v1, "v1-net")
    assert (ipsec_sa["state"], ipsec_sa["native_state"], ipsec_sa["mode"]) == (
        "INSTALLED", "STATE_QUICK_I2", "TUNNEL")
    # outbound SA first (SPI at the peer's address), then inbound
    assert (ipsec_sa["spi_out"], ipsec_sa["bytes_out"], ipsec_sa["spi_in"], ipsec_sa["bytes_in"]) == (
        "c8a4d7c8", 1680, "cbd9a3b2", 1344)
    assert (ipsec_sa["local_ts"], ipsec_sa["rekey_seconds"]) == (["198.51.100.0/24"], 2819)
    slow = only(device, "v1-slow")
    assert (slow["state"], slow["ike"]["negotiation"]) == (
        "CONNECTING", {"phase": 1, "step": "STATE_MAIN_I1"})
    down = only(device, "v1-down")
    assert (down["state"], down["configured"], down["children"][0]["remote_ts"]) == (
        "DOWN", True, ["203.0.113.64/26"])


def test_4_2_lines_without_age_unique_ids_or_byte_counts():
    text = ("Performance:\n  uptime: 3 days, since Jan 10 10:00:00 2009\n"
            "Connections:\n"
            "        home:  192.0.2.1[carol@example.org]...192.0.2.2[moon.example.org]\n"
            "        home:  pre-shared key authentication, dpddelay=30s\n"
            "        home:    198.51.100.0/24 === 203.0.113.0/24 , dpdaction=clear\n"
            "Security Associations:\n"
            "        home[1]: ESTABLISHED, 192.0.2.1[carol@example.org]...192.0.2.2[moon.example.org]\n"
            "        home[1]: IKE SPIs: 4a0a3e1b2c3d4e5f_i* 0f1e2d3c4b5a6978_r, rekeying in 50 minutes\n"
            "        home[1]: IKE proposal: AES_CBC-128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_2048\n"
            "        home{1}:  INSTALLED, TUNNEL, ESP SPIs: c0ffee01_i c0ffee02_o\n"
            "        home{1}:  AES_CBC-128/HMAC_SHA1_96, rekeying in 14 minutes, last use: 3s_i no_o\n"
            "        home{1}:   198.51.100.0/24 === 203.0.113.0/24 \n")
    tunnel = only(parsed(PLATFORM, STATUSALL, text), "home")
    assert tunnel["ike"]["local"]["id"] == "carol@example.org"
    assert tunnel["ike"]["dpd"] == {"delay": 30, "timeout": None, "action": "clear"}
    assert (tunnel["ike"]["established_seconds"], tunnel["ike"]["rekey_seconds"]) == (None, 3000)
    assert tunnel["ike"]["algorithms"]["key_size"] == 128
    found = child(tunnel, "home")
    assert (found["algorithms"]["encryption"], found["algorithms"]["key_size"]) == ("AES_CBC", 128)
    assert (found["last_in_seconds"], found["last_out_seconds"], found["bytes_in"]) == (3, None, None)


def test_5x_lines_the_samples_lack_rekeyed_children_traps_beside_live_ones_and_aggressive_mode():
    # written from stroke_list.c's format strings (5.9): no sample shows these lines
    text = """Connections:
          rw:  %any...192.0.2.2  IKE, dpddelay=20s
          rw:   local:  [gw.example] uses public key authentication
          rw:   remote: uses EAP authentication
          rw:   child:  0.0.0.0/0 === dynamic TUNNEL, dpdaction=clear
      branch:  192.0.2.1...192.0.2.3  IKEv1 Aggressive
      branch:   local:  [gw.example] uses pre-shared key authentication
      branch:   remote: [branch.example] uses pre-shared key authentication
      branch:   child:  198.51.100.0/24 === 203.0.113.0/24 TUNNEL
    branch-b:   child:  198.51.100.0/24 === 203.0.113.128/25 TUNNEL
Routed Connections:
    branch-b{9}:  ROUTED, TUNNEL, reqid 4
    branch-b{9}:   198.51.100.0/24 === 203.0.113.128/25
Security Associations (2 up, 0 connecting):
          rw[3]: ESTABLISHED 3 days ago, 192.0.2.1[gw.example]...192.0.2.2[192.0.2.2]
          rw[3]: Remote EAP identity: carol
          rw[3]: IKEv2 SPIs: 0011223344556677_i 8899aabbccddeeff_r*, rekeying in 58 minutes
          rw[3]: IKE proposal: AES_GCM_16_256/PRF_HMAC_SHA2_384/CURVE_25519
          rw{7}:  REKEYED, TUNNEL, reqid 2, expires in 57 seconds
          rw{7}:   0.0.0.0/0 === 198.18.3.1/32
          rw{8}:  INSTALLED, TUNNEL, reqid 2, ESP SPIs: c0000007_i c0000008_o
          rw{8}:  AES_GCM_16_256/ESN, 0 bytes_i, 1 bytes_o (1 pkt, 1s ago), rekeying active
          rw{8}:   0.0.0.0/0 === 198.18.3.1/32
      branch[4]: ESTABLISHED 2 hours ago, 192.0.2.1[gw.example]...192.0.2.3[branch.example]
      branch[4]: IKEv1 SPIs: 1111111111111111_i* 2222222222222222_r, rekeying disabled
      branch{5}:  INSTALLED, TUNNEL, reqid 3, ESP SPIs: c0000005_i c0000006_o
      branch{5}:  AES_CBC_128/HMAC_SHA1_96, 84 bytes_i (1 pkt, 9s ago), 0 bytes_o, rekeying disabled
      branch{5}:   198.51.100.0/24 === 203.0.113.0/24
"""
    device = parsed(PLATFORM, STATUSALL, text)
    rw = only(device, "rw")
    assert (rw["ike"]["version"], rw["ike"]["initiator"], rw["ike"]["established_seconds"]) == (2, False, 3 * 86400)
    assert rw["ike"]["remote"]["id"] == "192.0.2.2"
    assert rw["ike"]["algorithms"] == {"encryption": "AES_GCM_16", "key_size": 256, "integrity": None,
                                       "prf": "PRF_HMAC_SHA2_384", "dh_group": "CURVE_25519"}
    rekeyed, current = rw["children"]
    assert (rekeyed["state"], rekeyed["lifetime_seconds"], rekeyed["spi_in"]) == ("REKEYED", 57, None)
    assert (current["rekey_seconds"], current["packets_out"], current["packets_in"]) == (0, 1, 0)
    assert rw["ike"]["dpd"] == {"delay": 20, "timeout": None, "action": "clear"}
    branch = only(device, "branch")
    assert branch["ike"]["version"] == 1
    assert (branch["ike"]["rekey_seconds"], child(branch, "branch")["rekey_seconds"]) == (None, None)
    trap = child(branch, "branch-b")   # its conn is up, this child is a trap policy only
    assert (trap["state"], trap["sa_id"], trap["configured"]) == ("ROUTED", "9", True)
    assert branch["status_message"] == (
        "IKE_SA ESTABLISHED, 1 of 2 CHILD_SAs installed; not established: branch-b")


def test_4x_ipsec_sas_without_isakmp_sa_and_a_stalled_quick_mode():
    text = ('000 #7: "old" STATE_QUICK_R2 (IPsec SA established); EVENT_SA_REPLACE in 90s; newest IPSEC\n'
            '000 #7: "old" esp.c1c1c1c1@192.0.2.2 (0 bytes) esp.c2c2c2c2@192.0.2.1 (0 bytes); tunnel\n'
            '000 #8: "slow" STATE_MAIN_I4 (ISAKMP SA established); EVENT_SA_REPLACE in 900s; newest ISAKMP\n'
            '000 #9: "slow" STATE_QUICK_I1 (sent QI1, expecting QR1); EVENT_RETRANSMIT in 10s\n')
    device = parsed(PLATFORM, STATUSALL, text)
    old = only(device, "old")
    assert (old["state"], old["status_message"]) == ("UNDEFINED", "no ISAKMP SA, 1 of 1 CHILD_SAs installed")
    assert (old["children"][0]["mode"], old["children"][0]["spi_in"]) == ("TUNNEL", "c2c2c2c2")
    slow = only(device, "slow")
    assert slow["ike"]["negotiation"] == {"phase": 2, "step": "STATE_QUICK_I1"}
    assert slow["children"][0]["state"] == "INSTALLING"


@pytest.mark.parametrize("printed, seconds", [
    ("7 seconds", 7), ("1 second", 1), ("120 seconds", 120), ("3 minutes", 180),
    ("111 minutes", 6660), ("2 hours", 7200), ("47 hours", 169200), ("3 days", 259200),
])
def test_times_are_the_lower_bound_of_charons_truncated_units(printed, seconds):
    text = ("Security Associations (1 up, 0 connecting):\n"
            "  a[1]: ESTABLISHED %s ago, 192.0.2.1[a]...192.0.2.2[b]\n" % printed)
    assert only(parsed(PLATFORM, STATUSALL, text), "a")["ike"]["established_seconds"] == seconds


# --- merge ----------------------------------------------------------------------------------

def test_merge_keeps_each_sa_once_and_prefers_statusall():
    device = valid(parse_outputs(PLATFORM, [
        ("ipsec status", (DATA / "status-5.9.8-initiator.txt").read_text()),
        (STATUSALL, (DATA / "statusall-5.9.8-initiator.txt").read_text()),
    ]))
    assert sorted(t["name"] for t in device["tunnels"]) == [
        "dormant", "legacy-v1", "site-net", "standby", "trying"]
    assert child(only(device, "site-net"), "site-net")["bytes_in"] == 1964  # statusall's detail
    assert only(device, "dormant")["state"] == "DOWN"


def test_merge_lets_a_live_sa_replace_a_configured_only_entry():
    down = [(STATUSALL, "Connections:\n  x:  192.0.2.1...192.0.2.2  IKEv2\n"
                        "Security Associations (0 up, 0 connecting):\n  none\n")]
    up = [("ipsec status", "Security Associations (1 up, 0 connecting):\n"
                           "  x[7]: ESTABLISHED 5 seconds ago, 192.0.2.1[a]...192.0.2.2[b]\n")]
    assert only(parse_outputs(PLATFORM, down), "x")["state"] == "DOWN"
    assert [(t["name"], t["state"]) for t in parse_outputs(PLATFORM, down + up)["tunnels"]] == [
        ("x", "ESTABLISHED")]


# --- errors and noise -----------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("hello world\n", "a section header"),
    ("<html><body>502</body></html>", "a section header"),
    ("", "'Security Associations' section"),
    ("Status of IKE charon daemon (strongSwan 5.9.8, Linux 6.1.0, x86_64):\n  uptime: 7 seconds\n",
     "'Security Associations' section"),
    ("Security Associations (1 up, 0 connecting):\n  a[1]: IKEv2 SPIs: 01_i* 02_r\n",
     "starting IKE_SA a[1]"),
    ("Security Associations (1 up, 0 connecting):\n  a{1}:  INSTALLED, TUNNEL, reqid 1\n",
     "before its CHILD_SAs"),
    ("Security Associations (1 up, 0 connecting):\n  a[1]: ESTABLISHED 5 seconds ago, 192.0.2.1[a]...192.0.2.2[b]\n"
     "  a{1}:  INSTALLED, TUNNEL, reqid 1, ESP SPIs: c0000001_i c0000002_o\n  a{1}:  what is this\n",
     "a CHILD_SA line with"),
    ("Security Associations (1 up, 0 connecting):\nrandom words here\n", "an SA line"),
    ("Connections:\n  a:   child:  198.51.100.0/24 === 203.0.113.0/24 TUNNEL\n", "a connection header"),
    ("Listening IP addresses:\n  not-an-address!\n", "an IP address"),
    ("connecting to 'unix:///var/run/charon.ctl' failed: Connection refused\n"
     "failed to connect to stroke socket 'unix:///var/run/charon.ctl'\n", "reported an error"),
    ("-bash: /usr/sbin/ipsec: No such file or directory\n", "reported an error"),
    ("sudo: a password is required\n", "reported an error"),
])
def test_unknown_or_truncated_text_raises_naming_platform_and_command(text, expected):
    assert_parse_error(PLATFORM, "ipsec statusall", text, expected)


def test_unsupported_commands_are_refused():
    for command in ("ipsec listcounters", "ipsec leases", "swanctl --list-sas", "systemctl status strongswan"):
        assert_refused_command(PLATFORM, command, "Security Associations (0 up, 0 connecting):\n  none\n")


def test_terminal_noise_is_ignored():
    text = ("Last login: Sat Nov 21 16:00:01 2026 from 198.18.0.1\n"
            "Sat Nov 21 16:05:43 UTC 2026\n"
            + (DATA / "status-5.9.8-initiator.txt").read_text() + " --More-- \n\n")
    assert len(parsed(PLATFORM, "ipsec status", text)["tunnels"]) == 4


def test_command_forms_and_the_path_option():
    key = strongswan_legacy.command_key
    assert key("/usr/sbin/ipsec statusall") == "ipsec statusall"
    assert key("sudo ipsec statusall site-net | cat") == "ipsec statusall"
    assert key("strongswan status") == "ipsec status"   # Fedora renames the binary
    assert key("/opt/sw/sbin/ipsec5 status") == "ipsec status"
    assert key("ipsec listcounters") is None and key("ipsec") is None and key(None) is None
    assert strongswan_legacy.gather_commands({}) == ["/usr/sbin/ipsec statusall"]
    assert strongswan_legacy.gather_commands({"ipsec_path": "/opt/sw bin/ipsec"}) == [
        "'/opt/sw bin/ipsec' statusall"]


# --- round trip through the emulated device -------------------------------------------------

# Counters grow between the render and the later read of the truth; an IKE_SA's age is
# printed truncated. Both are compared as lower bounds, as tests/integration does.
LOWER_BOUNDS = dict.fromkeys(("bytes_in", "bytes_out", "packets_in", "packets_out", "established_seconds"),
                             grows())


def emulated(index):
    return example_device(vendor, index, reset_delay=60)


@pytest.mark.parametrize("index", [0, 1, 2])
def test_round_trip_reports_the_devices_own_state(index):
    _facts, truth = assert_round_trip(vendor, index, in_order=False, bounds=LOWER_BOUNDS)
    states = {t["name"]: t["state"] for t in truth}
    assert {"ESTABLISHED", "CONNECTING", "DOWN"} <= set(states.values())


@pytest.mark.parametrize("index", [0, 1, 2])
def test_round_trip_times_are_truncated_lower_bounds(index):
    device = emulated(index)
    facts = {t["name"]: t for t in gathered(vendor, device)["tunnels"]}
    for truth in device.state():
        got = facts[truth["name"]]["ike"]
        for field_name in ("established_seconds", "reauth_seconds"):
            if truth["ike"][field_name] is not None:
                assert truth["ike"][field_name] - 3600 < got[field_name] <= truth["ike"][field_name]


def test_renderer_short_status_parses_too():
    device = emulated(0)
    facts = valid(parse_output(PLATFORM, "ipsec status", vendor.render(device, "ipsec status")))
    assert [t["name"] for t in facts["tunnels"]] == ["hq", "branch-v1", "partner", "backup", "standby"]


def test_reset_commands_take_sas_down_as_charon_does():
    device = emulated(1)
    hq_id = device.tunnel("hq")["ike"]["sa_id"]
    reply = vendor.reset(device, "ipsec down hq[%s]" % hq_id)
    assert reply.endswith("IKE_SA [%s] closed successfully" % hq_id)
    facts = {t["name"]: t for t in gathered(vendor, device)["tunnels"]}
    assert (facts["hq"]["state"], facts["hq"]["status_message"]) == ("DOWN", "configured, no IKE_SA")
    partner_child = child(device.tunnel("partner"), "partner")["sa_id"]
    assert vendor.reset(device, "ipsec down partner{%s}" % partner_child).endswith(
        "CHILD_SA {%s} closed successfully" % partner_child)
    partner = {t["name"]: t for t in gathered(vendor, device)["tunnels"]}["partner"]
    assert partner["state"] == "ESTABLISHED"
    assert [c["state"] for c in partner["children"]] == ["DOWN", "DOWN"]
    assert vendor.reset(device, "ipsec down branch-v1").startswith("deleting IKE_SA branch-v1[")
    assert vendor.reset(device, "ipsec down hq[999]").endswith("closing IKE_SA [999] failed")
    assert vendor.reset(device, "ipsec up nosuch") == "no config named 'nosuch'"
    assert vendor.reset(device, "ipsec up dormant").endswith("establishing connection 'dormant' failed")
    assert vendor.reset(device, "ipsec statusall") is None
    assert [names for _command, names in device.reset_log] == [["hq"], ["partner"], ["branch-v1"]]

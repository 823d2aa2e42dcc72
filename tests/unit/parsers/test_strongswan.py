"""strongSwan parser: real outputs from ../shared, our own 5.9.8 captures, merge and errors."""

from pathlib import Path

import pytest

from corpus import corpus_cases, corpus_text
from parser_checks import assert_parse_error, assert_refused_command, check_corpus_file, only, parsed, valid
from ansible_collections.vpnops.tunnels.plugins.module_utils.errors import VpnConfigError
from ansible_collections.vpnops.tunnels.plugins.module_utils.parsers import (
    parse_output,
    parse_outputs,
    strongswan,
)

PLATFORM = "strongswan"
CORPUS = "strongswan_swanctl"   # the corpus folder of swanctl's outputs
DATA = Path(__file__).parent / "data" / PLATFORM


def read(name):
    return (DATA / name).read_text()


# corpus folder -> the command as typed; None: not tunnel state, refused by design
CORPUS_COMMANDS = {
    "swanctl_--list-sas": "swanctl --list-sas",
    "swanctl_--list-conns": "swanctl --list-conns",
    "swanctl_--stats": None,
}


@pytest.mark.parametrize("path", corpus_cases(CORPUS))
def test_every_real_output_parses_and_validates_or_is_refused(path):
    check_corpus_file(PLATFORM, path, CORPUS_COMMANDS)


def test_real_text_sa_values():
    text = corpus_text(CORPUS, "swanctl_--list-sas/1.txt")
    tunnel = only(parse_output(PLATFORM, "swanctl --list-sas", text), "fortigate")
    ike = tunnel["ike"]
    assert (tunnel["state"], ike["version"], ike["sa_id"]) == ("ESTABLISHED", 2, "1")
    assert ike["initiator_spi"] == "41188a5051bf3473" and ike["initiator"] is True
    assert ike["remote"] == {"address": "192.168.0.254", "port": 500,
                             "id": "fortigate.strongswan.org"}
    assert ike["algorithms"] == {"encryption": "AES_CBC", "key_size": 128,
                                 "integrity": "HMAC_SHA2_256_128", "prf": "PRF_HMAC_SHA2_256",
                                 "dh_group": "CURVE_25519"}
    assert (ike["established_seconds"], ike["reauth_seconds"], ike["rekey_seconds"]) == (1939, 8054, None)
    child = tunnel["children"][0]
    assert (child["state"], child["mode"], child["protocol"], child["encapsulation"]) == (
        "INSTALLED", "TUNNEL", "ESP", False)
    assert (child["spi_in"], child["spi_out"]) == ("ce664504", "e538cd87")
    assert (child["bytes_in"], child["packets_out"], child["last_in_seconds"]) == (95928, 1142, 1)
    assert (child["installed_seconds"], child["rekey_seconds"], child["lifetime_seconds"]) == (
        1939, 1380, 2021)
    assert child["algorithms"]["encryption"] == "AES_GCM_16" and child["algorithms"]["key_size"] == 128
    assert child["local_ts"] == ["192.168.0.1/32"] and child["remote_ts"] == ["10.1.0.0/16"]


def test_real_text_responder_nat_and_virtual_ips():
    text = corpus_text(CORPUS, "swanctl_--list-sas/2.txt")
    tunnel = only(parse_output(PLATFORM, "swanctl -l", text), "eap")
    assert tunnel["ike"]["initiator"] is False  # the '*' sits on the responder SPI
    assert tunnel["ike"]["remote"]["port"] == 63771
    assert tunnel["ike"]["virtual_ips"]["remote"] == ["10.10.1.67", "2a02:168:4407:1::3"]
    child = tunnel["children"][0]
    assert child["encapsulation"] is True  # TUNNEL-in-UDP
    assert child["algorithms"]["integrity"] == "HMAC_SHA1_96"
    assert child["remote_ts"] == ["10.10.1.67/32", "2a02:168:4407:1::3/128"]


def test_real_text_two_sas_one_without_children():
    text = corpus_text(CORPUS, "swanctl_--list-sas/8.txt")
    device = parse_output(PLATFORM, "swanctl -l", text)
    assert [t["name"] for t in device["tunnels"]] == ["dmvpn-NHRPVPN-tun100", "peer_10-0-5-2"]
    dmvpn, peer = device["tunnels"]
    assert dmvpn["children"][0]["mode"] == "TRANSPORT"
    assert dmvpn["children"][0]["algorithms"]["dh_group"] == "MODP_1024"
    assert dmvpn["children"][0]["local_ts"] == ["10.0.2.2/32[gre]"]
    assert peer["children"] == [] and peer["ike"]["rekey_seconds"] == 3384


def test_real_text_conns():
    text = corpus_text(CORPUS, "swanctl_--list-conns/4.txt")
    tunnel = only(parse_output(PLATFORM, "swanctl --list-conns", text), "home")
    assert (tunnel["state"], tunnel["configured"]) == ("DOWN", True)
    assert tunnel["ike"]["remote"] == {"address": "192.168.0.1", "port": None,
                                       "id": "moon.strongswan.org"}
    assert tunnel["ike"]["rekey_interval_seconds"] == 14400
    assert tunnel["ike"]["reauth_interval_seconds"] == 0
    child = tunnel["children"][0]
    assert (child["name"], child["state"], child["rekey_interval_seconds"]) == ("net", "DOWN", 3600)
    assert child["local_ts"] == ["dynamic"] and child["remote_ts"] == ["10.1.0.0/16"]


@pytest.mark.parametrize("form", ["raw", "pretty", "text"])
def test_own_capture_conns_same_in_every_form(form):
    device = parsed(PLATFORM, "swanctl --list-conns", read("conns-5.9.8.%s.txt" % form))
    tunnel = only(device, "a")
    ike = tunnel["ike"]
    assert ike["remote"]["id"] == "C=CH, O=Example Org, CN=b.example"  # a DN with spaces
    assert ike["local"] == {"address": "192.0.2.201", "port": None, "id": "a.example"}
    assert ike["dpd"]["delay"] == 30 and ike["dpd"]["action"] == "none"
    assert [(c["name"], c["local_ts"], c["remote_ts"], c["rekey_interval_seconds"])
            for c in tunnel["children"]] == [
        ("net", ["198.51.100.0/28"], ["203.0.113.0/28"], 3600),
        ("voice", ["198.51.100.16/28"], ["203.0.113.16/28"], 3600)]


def test_vici_forms_carry_dpd_timeout_text_does_not():
    raw = only(parse_output(PLATFORM, "swanctl -L --raw", read("conns-5.9.8.raw.txt")), "a")
    text = only(parse_output(PLATFORM, "swanctl -L", read("conns-5.9.8.text.txt")), "a")
    assert raw["ike"]["dpd"]["timeout"] == 150
    assert text["ike"]["dpd"]["timeout"] is None


@pytest.mark.parametrize("form", ["raw", "pretty", "text"])
def test_own_capture_connecting_sa(form):
    device = parsed(PLATFORM, "swanctl --list-sas", read("sas-connecting-5.9.8.%s.txt" % form))
    tunnel = only(device, "a")
    assert (tunnel["state"], tunnel["native_state"]) == ("CONNECTING", "CONNECTING")
    assert tunnel["ike"]["initiator_spi"] == tunnel["ike"]["initiator_spi"].lower()
    assert tunnel["ike"]["responder_spi"] == "0000000000000000"
    assert tunnel["ike"]["local"]["address"] == "192.0.2.201"
    assert tunnel["children"] == []
    # the exchange under way; the text form shows it only on the active: line
    assert tunnel["ike"]["negotiation"] == {"phase": 1, "step": "IKE_INIT"}


def test_empty_sa_list_is_no_tunnels_not_an_error():
    assert parse_output(PLATFORM, "swanctl --list-sas --raw", read("sas-empty-5.9.8.raw.txt"))["tunnels"] == []
    assert parse_output(PLATFORM, "swanctl --list-sas", "")["tunnels"] == []


def test_merge_reports_configured_tunnels_and_children_without_sa_as_down():
    device = valid(parse_outputs(PLATFORM, [
        ("swanctl --list-conns --raw", read("conns-5.9.8.raw.txt")
         + "list-conn event {idle {local_addrs=[192.0.2.201] remote_addrs=[192.0.2.203] "
           "version=IKEv2 reauth_time=0 rekey_time=14400 children {}}}\n"),
        ("swanctl --list-sas --raw", read("sas-connecting-5.9.8.raw.txt")),
    ]))
    live, idle = only(device, "a"), only(device, "idle")
    assert (idle["state"], idle["configured"], idle["status_message"]) == (
        "DOWN", True, "configured, no IKE_SA")
    assert (live["state"], live["configured"], live["enabled"]) == ("CONNECTING", True, True)
    assert live["ike"]["dpd"] == {"delay": 30, "timeout": 150, "action": "none"}
    assert [(c["name"], c["state"], c["configured"]) for c in live["children"]] == [
        ("net", "DOWN", True), ("voice", "DOWN", True)]
    assert "not established: net, voice" in live["status_message"]


def test_merge_marks_live_children_configured_and_keeps_unconfigured_sas():
    conns = "list-conn event {gw-gw {version=IKEv2 rekey_time=14400 children {net-net {mode=TUNNEL rekey_time=3600} other {mode=TUNNEL}}}}"
    sas = corpus_text(CORPUS, "swanctl_--list-sas/5.txt")
    extra = corpus_text(CORPUS, "swanctl_--list-sas/7.txt")
    device = valid(parse_outputs(PLATFORM, [
        ("swanctl --list-conns --raw", conns), ("swanctl --list-sas", sas + extra)]))
    gw = only(device, "gw-gw")
    assert [(c["name"], c["state"], c["configured"]) for c in gw["children"]] == [
        ("net-net", "INSTALLED", True), ("other", "DOWN", True)]
    assert gw["ike"]["negotiation"] == {"phase": 2, "step": "CHILD_SA not installed: other"}
    assert gw["children"][0]["rekey_interval_seconds"] == 3600
    host = only(device, "host")  # an SA whose connection is no longer loaded
    assert (host["configured"], host["state"]) == (False, "ESTABLISHED")


def test_stderr_noise_is_ignored_anywhere():
    noisy = ("plugin 'agent': requires CAP_DAC_OVERRIDE capability\n"
             + read("sas-connecting-5.9.8.raw.txt")
             + "opening directory '/etc/swanctl/x509' failed: Permission denied\n")
    assert only(parse_output(PLATFORM, "swanctl --list-sas --raw", noisy), "a")["state"] == "CONNECTING"


@pytest.mark.parametrize("text, expected", [
    ("hello world\n", "starting an IKE_SA"),
    ("<html><body>502</body></html>", "starting an IKE_SA"),
    ("list-sa event {a {uniqueid=1 state=ESTABLISHED", "unbalanced braces"),
    ("list-sa event {\n  a {\n    state = ESTABLISHED\n", "unbalanced braces"),
    ("connecting to 'unix:///var/run/charon.vici' failed: Permission denied\n",
     "swanctl reported an error"),
    ("sudo: a password is required\n", "swanctl reported an error"),
    ("-bash: /usr/sbin/swanctl: No such file or directory\n", "starting an IKE_SA"),
])
def test_unknown_text_raises_parse_error_naming_platform_and_command(text, expected):
    assert_parse_error(PLATFORM, "swanctl --list-sas", text, expected)


def test_unknown_command_and_platform_are_clear_errors():
    assert_refused_command(PLATFORM, "swanctl --stats", "uptime: 4 seconds")
    with pytest.raises(VpnConfigError, match="unknown platform 'nosuch'"):
        parse_output("nosuch", "show vpn", "")


def test_command_forms_are_recognized():
    assert strongswan.command_key("/usr/sbin/swanctl --list-sas --pretty") == "swanctl --list-sas"
    assert strongswan.command_key("sudo swanctl -L --raw") == "swanctl --list-conns"
    assert strongswan.command_key("ipsec statusall") is None
    assert strongswan.command_key("ls -l") is None
    assert strongswan.command_key("/opt/sw/sbin/swanctl5 --list-sas --pretty") == "swanctl --list-sas"
    commands = strongswan.gather_commands({"swanctl_path": "/opt/sw bin/swanctl", "vici_socket": "/run/x.vici"})
    assert commands[0] == "'/opt/sw bin/swanctl' --list-conns --pretty --uri unix:///run/x.vici"

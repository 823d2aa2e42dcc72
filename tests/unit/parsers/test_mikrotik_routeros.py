"""MikroTik RouterOS parser: real outputs from ../shared, own v6/v7 samples, merge, errors, and a
round trip through the emulated router.

Own samples (data/mikrotik_routeros, synthetic, documentation addresses), for what the corpus
lacks: v7 `print detail` wrapped at 80 columns (active-peers with repeated port=/spii=/spir=,
installed-sa with keys wrapped inside their quotes and the outbound SA listed first, peers with
';;;' comments, a disabled and a passive 0.0.0.0/0 peer) and the v6.40 `remote-peers` item.
"""

from pathlib import Path

import pytest

from corpus import corpus_cases, corpus_text
from parser_checks import (
    assert_parse_error, assert_refused_command, assert_round_trip, check_corpus_file,
    example_device, gathered, lab_vendor, only, parsed, valid
)
from ansible_collections.vpnops.tunnels.plugins.module_utils.parsers import (
    mikrotik_routeros,
    parse_output,
    parse_outputs,
)

PLATFORM = "mikrotik_routeros"
DATA = Path(__file__).parent / "data" / PLATFORM
emulated = lab_vendor(PLATFORM)

PEERS = "/ip ipsec peer print detail"
ACTIVE = "/ip ipsec active-peers print detail"
SAS = "/ip ipsec installed-sa print detail"


def read(name):
    return (DATA / name).read_text()


def real(folder, number):
    return corpus_text(PLATFORM, "%s/%s.txt" % (folder, number))


# corpus folder -> the command as typed; None: refused by design
CORPUS_COMMANDS = {
    "ip_ipsec_active-peers_print": "/ip ipsec active-peers print",
    "ip_ipsec_installed-sa_print": "/ip ipsec installed-sa print",
    # WireGuard: not reported by this platform (see command_key); its expected parse (peer
    # name, endpoint, rx/tx, handshake) has no IPsec counterpart to compare with
    "interface_wireguard_peers_print_terse_without-paging": None,
}


@pytest.mark.parametrize("path", corpus_cases(PLATFORM))
def test_every_real_output_parses_and_validates_or_is_refused(path):
    check_corpus_file(PLATFORM, path, CORPUS_COMMANDS)


# --- active-peers -----------------------------------------------------------------------------

def test_real_active_peers_tables():
    # 1.txt: a blog collapsed the column spacing and the ID/DYNAMIC-ADDRESS cells are blank
    collapsed = valid(parse_output(PLATFORM, "/ip ipsec active-peers print",
                                   real("ip_ipsec_active-peers_print", 1)))
    peer = only(collapsed, "185.244.97.27")
    assert (peer["state"], peer["ike"]["native_state"], peer["ike"]["established_seconds"]) == (
        "ESTABLISHED", "established", 255)
    tidy = only(parse_output(PLATFORM, "/ip ipsec active-peers print",
                             real("ip_ipsec_active-peers_print", 3)), "1.2.3.4")
    assert (tidy["ike"]["remote"]["address"], tidy["ike"]["established_seconds"]) == ("1.2.3.4", 317)
    assert tidy["ike"]["negotiation"] is None  # PH2-TOTAL 1


def test_v7_detail_wrapped_with_repeated_keys():
    device = parsed(PLATFORM, ACTIVE, read("active-peers-detail-7.txt"))
    spoke = only(device, "spoke1.example.net")
    ike = spoke["ike"]
    assert ike["local"] == {"address": "192.0.2.50", "port": 4500, "id": None}
    assert ike["remote"] == {"address": "198.51.100.150", "port": 4500, "id": "spoke1.example.net"}
    assert (ike["initiator"], ike["initiator_spi"], ike["responder_spi"]) == (
        False, "341c6d6330c59831", "16c05dd1993caee0")
    assert ike["established_seconds"] == 5 * 3600 + 9 * 60 + 14
    assert ike["virtual_ips"] == {"local": [], "remote": ["198.18.0.2"]}
    assert ike["nat_t"] is None  # N flag: NAT-T in use, which side is behind NAT is not said
    dc = only(device, "203.0.113.9")
    assert dc["ike"]["established_seconds"] == (9 * 24 + 3) * 3600  # 1w2d3h
    assert (dc["ike"]["initiator"], dc["ike"]["nat_t"]) == (True, "none")
    assert dc["ike"]["negotiation"] == {"phase": 2, "step": "no phase 2 SA (ph2-total=0)"}


def test_v6_remote_peers_item():
    tunnel = only(parse_output(PLATFORM, "/ip ipsec remote-peers print",
                               read("remote-peers-6.40.txt")), "203.0.113.9")
    assert (tunnel["ike"]["established_seconds"], tunnel["ike"]["initiator"]) == (7 * 3600 + 17 * 60 + 10, True)


def test_phase1_under_way_is_connecting():
    # any state but "established" is an exchange still running; the value here is an example
    text = ' 0    local-address=192.0.2.50 remote-address=203.0.113.9 state=message-2-sent side=initiator\n'
    tunnel = only(parse_output(PLATFORM, ACTIVE, text), "203.0.113.9")
    assert (tunnel["state"], tunnel["native_state"]) == ("CONNECTING", "message-2-sent")
    assert tunnel["ike"]["negotiation"] == {"phase": 1, "step": "message-2-sent"}


# --- installed-sa -----------------------------------------------------------------------------

def test_real_installed_sa_v6_detail():
    device = valid(parse_output(PLATFORM, "/ip ipsec installed-sa print",
                                real("ip_ipsec_installed-sa_print", 3)))
    tunnel = only(device, "1.1.1.1")  # the first SA's source: taken as the remote
    assert tunnel["ike"]["local"]["address"] == "2.2.2.2"
    assert tunnel["state"] == "ESTABLISHED" and tunnel["ike"]["native_state"] is None
    child = tunnel["children"][0]
    assert (child["name"], child["state"], child["native_state"], child["protocol"]) == (
        "ph2-1", "INSTALLED", "mature", "ESP")
    assert (child["spi_in"], child["spi_out"]) == ("0d7ae27b", "7dac2d01")  # 0xD7AE27B: 32-bit width
    assert (child["bytes_in"], child["packets_in"], child["bytes_out"], child["packets_out"]) == (1820, 25, 1820, 25)
    # add-lifetime=48m/1h expires-in=56m45s
    assert (child["lifetime_seconds"], child["installed_seconds"]) == (3405, 195)
    assert (child["rekey_interval_seconds"], child["rekey_seconds"]) == (2880, 2685)
    assert child["algorithms"] == {"encryption": "3des", "key_size": 192, "integrity": "sha1",
                                   "prf": None, "dh_group": None}


def test_real_installed_sa_aead_and_v7_table():
    gcm = only(parse_output(PLATFORM, "/ip ipsec installed-sa print",
                            real("ip_ipsec_installed-sa_print", 1)), "9.8.7.6")["children"][0]
    assert gcm["algorithms"]["key_size"] == 256  # enc-key-size=288 holds the 32-bit GCM salt
    assert (gcm["algorithms"]["integrity"], gcm["spi_in"], gcm["spi_out"]) == (None, "06ffe0e4", "f315fe3c")
    assert gcm["lifetime_seconds"] is None  # no expires-in printed
    table = only(parse_output(PLATFORM, "/ip ipsec installed-sa print",
                              real("ip_ipsec_installed-sa_print", 2)), "198.51.100.2")
    child = table["children"][0]
    assert (child["spi_in"], child["spi_out"], child["state"]) == ("05173cdf", "0222dae8", "INSTALLED")
    assert child["algorithms"] == {"encryption": "aes-cbc", "key_size": 256, "integrity": "sha1",
                                   "prf": None, "dh_group": None}


def test_v7_wrapped_keys_and_a_rekeying_pair():
    tunnel = only(valid(parse_output(PLATFORM, SAS, read("installed-sa-detail-7.txt"))),
                  "192.0.2.50")  # outbound listed first: alone, the parser takes it as inbound
    current, dying = tunnel["children"]
    assert (current["state"], dying["state"], dying["native_state"]) == ("INSTALLED", "REKEYING", "dying")
    assert (current["spi_in"], current["bytes_in"], current["lifetime_seconds"]) == ("0e2829ea", 64120, 1463)
    assert (dying["bytes_in"], dying["lifetime_seconds"]) == (None, None)


# --- peers and merge --------------------------------------------------------------------------

def test_configured_peers():
    device = parsed(PLATFORM, PEERS, read("peer-detail-7.txt"))
    assert [t["name"] for t in device["tunnels"]] == ["spoke1", "old-dc", "road warriors", "dc2"]
    spoke = only(device, "spoke1")
    assert (spoke["state"], spoke["configured"], spoke["enabled"], spoke["ike"]["version"]) == ("DOWN", True, True, 2)
    assert spoke["status_message"] == "configured, no active peer"
    old = only(device, "old-dc")
    assert (old["enabled"], old["ike"]["version"], old["status_message"]) == (
        False, 1, "configured, no active peer, disabled")
    assert only(device, "road warriors")["state"] == "PASSIVE"
    assert only(device, "dc2")["ike"]["remote"] == {"address": "203.0.113.9", "port": 4500, "id": None}


def test_merge_names_live_peers_turns_sa_pairs_around_and_keeps_down_peers():
    device = valid(parse_outputs(PLATFORM, [
        (PEERS, read("peer-detail-7.txt")), (ACTIVE, read("active-peers-detail-7.txt")),
        (SAS, read("installed-sa-detail-7.txt"))]))
    assert [t["name"] for t in device["tunnels"]] == ["spoke1", "old-dc", "road warriors", "dc2"]
    spoke = only(device, "spoke1")
    assert (spoke["state"], spoke["configured"], spoke["ike"]["remote"]["id"]) == (
        "ESTABLISHED", True, "spoke1.example.net")
    assert spoke["ike"]["version"] == 2  # from the peer's exchange-mode
    current = spoke["children"][0]
    # active-peers says 192.0.2.50 is this router: SA 0 (src 192.0.2.50) is outbound
    assert (current["spi_in"], current["spi_out"]) == ("0e841441", "0e2829ea")
    assert (current["bytes_in"], current["bytes_out"], current["encapsulation"]) == (52800, 64120, True)
    assert spoke["status_message"] == "phase 1 established, 1 of 2 SA pairs installed"
    old = only(device, "old-dc")
    assert (old["state"], old["enabled"], old["children"]) == ("DOWN", False, [])
    dc2 = only(device, "dc2")  # phase 1 up, no SA: phase 2 is where it stopped
    assert dc2["ike"]["negotiation"] == {"phase": 2, "step": "no installed SA for this peer"}
    assert dc2["status_message"] == "phase 1 established, no installed SA"


def test_sas_without_phase1_gathered_and_unclaimed_sas():
    device = valid(parse_outputs(PLATFORM, [(PEERS, read("peer-detail-7.txt")),
                                            (SAS, read("installed-sa-detail-7.txt"))]))
    spoke = only(device, "spoke1")
    assert spoke["state"] == "ESTABLISHED"  # inferred from installed SAs
    assert spoke["status_message"] == "phase 1 not gathered, 1 of 2 SA pairs installed"
    device = valid(parse_outputs(PLATFORM, [(ACTIVE, read("remote-peers-6.40.txt")),
                                            (SAS, read("installed-sa-detail-7.txt"))]))
    stray = only(device, "192.0.2.50")  # SAs no active peer claims: IKE is gone
    assert (stray["state"], stray["configured"]) == ("DOWN", False)


# --- noise and errors -------------------------------------------------------------------------

def test_empty_outputs_are_no_tunnels():
    assert parse_output(PLATFORM, ACTIVE, "Flags: R - responder; N - natt-peer\n")["tunnels"] == []
    assert parse_output(PLATFORM, SAS, "")["tunnels"] == []


@pytest.mark.parametrize("command, text, expected", [
    (ACTIVE, "hello world\n", "an item starting with its number"),
    (ACTIVE, "bad command name active-peers (line 1 column 10)\n", "RouterOS answered"),
    (SAS, "expected end of command (line 1 column 28)\n", "RouterOS answered"),
    (ACTIVE, " 0    state=established uptime=4m\n", "remote-address="),
    (ACTIVE, " 0    remote-address=203.0.113.9 state=established uptime=forever\n", "RouterOS duration"),
    (ACTIVE, " 0    remote-address=203.0.113.9 state=established junk words\n", "key=value fields"),
    (SAS, " 0  E spi=0x1 src-address=192.0.2.1 state=mature\n", "src-address= and dst-address="),
    (SAS, " 0  E spi=0xZZ src-address=192.0.2.1 dst-address=192.0.2.2\n", "hexadecimal spi="),
    (SAS, " 0  E spi=0x1 src-address=192.0.2.1 dst-address=192.0.2.2 current-bytes=many\n", "a number"),
    (ACTIVE, " # ID STATE UPTIME\n 0 a established 4m 192.0.2.9 extra\n", "order of the columns"),
])
def test_unknown_text_raises_parse_error_naming_platform_and_command(command, text, expected):
    error = assert_parse_error(PLATFORM, command, text, expected)
    assert error.command == mikrotik_routeros.command_key(command)  # the canonical form


def test_unsupported_commands_are_refused():
    assert_refused_command(PLATFORM, "/interface wireguard peers print", "0 interface=wg1\n")
    for refused in ("/ip ipsec policy print detail", "/ip ipsec statistics print",
                    "/ip ipsec active-peers print count-only", "/ip ipsec installed-sa flush",
                    "/ip ipsec p print", "/ip ipsec active-peers print interval=1",
                    "/interface wireguard peers print terse without-paging", ""):
        assert mikrotik_routeros.command_key(refused) is None, refused


def test_command_forms_are_recognized():
    key = mikrotik_routeros.command_key
    assert key("/ip ipsec active-peers print detail without-paging") == mikrotik_routeros.ACTIVE_PEERS
    assert key("ip/ipsec/active-peers/print detail") == mikrotik_routeros.ACTIVE_PEERS
    assert key("/ip ipsec act pr det") == mikrotik_routeros.ACTIVE_PEERS
    assert key("/ip ipsec remote-peers print") == mikrotik_routeros.ACTIVE_PEERS
    assert key("/ip ipsec installed-sa print terse where dst-address=192.0.2.1") == mikrotik_routeros.INSTALLED_SA
    assert key("/ip ipsec peer print detail") == mikrotik_routeros.PEERS
    assert mikrotik_routeros.gather_commands({}) == [
        "/ip ipsec peer print detail without-paging",
        "/ip ipsec active-peers print detail without-paging",
        "/ip ipsec installed-sa print detail without-paging"]


# --- round trip through the emulated router ---------------------------------------------------

def installed(tunnel):
    """The children RouterOS lists: installed SAs only."""
    return [child for child in tunnel["children"] if child["state"] == "INSTALLED"]


@pytest.mark.parametrize("index", [0, 1, 2])
def test_round_trip_reports_what_the_emulated_device_holds(index):
    assert_round_trip(emulated, index, held_children=installed)


def test_emulated_resets():
    device = example_device(emulated, 1, reset_delay=3600)
    assert emulated.reset(device, "/ip ipsec active-peers remove [find remote-address=203.0.113.145]") == ""
    assert emulated.reset(device, '/ip ipsec active-peers remove [find id="laptop-7.example.net"]') == ""
    assert emulated.reset(device, "/ip ipsec installed-sa remove [find dst-address=203.0.113.146]") == ""
    assert emulated.reset(device, "/ip ipsec active-peers print detail") is None
    assert [names for _command, names in device.reset_log] == [["branch-a"], ["laptop-7.example.net"], ["branch-b"]]
    facts = gathered(emulated, device)
    assert only(facts, "branch-a")["state"] == "DOWN"
    assert only(facts, "branch-b")["ike"]["negotiation"]["phase"] == 2
    assert emulated.reset(device, "/ip ipsec active-peers kill-connections") == ""
    assert device.reset_log[-1][1] == ["branch-b", "dc"]  # what was still up

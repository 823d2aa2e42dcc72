"""VyOS parser: the real outputs in ../shared (1.2/1.3 legacy and 1.4+ VICI forms), own
hand-written samples (data/vyos, laid out like vyos-1x prints them, documentation
addresses), merge, errors, and a round trip through the emulated device's renderer."""

from pathlib import Path

import pytest

from corpus import corpus_cases, corpus_text
from parser_checks import (
    assert_parse_error, assert_refused_command, assert_round_trip, check_corpus_file,
    emulated_device, example_device, gathered, grows, lab_vendor, only, parsed, valid
)
from ansible_collections.vpnops.tunnels.plugins.module_utils import model
from ansible_collections.vpnops.tunnels.plugins.module_utils.parsers import (
    parse_output,
    parse_outputs,
    vyos,
)

PLATFORM = "vyos"
DATA = Path(__file__).parent / "data" / PLATFORM
emulated = lab_vendor(PLATFORM)

# corpus folder -> the command as typed
CORPUS_COMMANDS = {
    "show_vpn_ike_sa": "show vpn ike sa",
    "show_vpn_ipsec_sa": "show vpn ipsec sa",
    "show_vpn_ipsec_connections": "show vpn ipsec connections",
    "show_openvpn_server": "show openvpn server",
    "show_interfaces_wireguard_summary": "show interfaces wireguard wg01 summary",
    "show_interfaces_wireguard_interface": "show interfaces wireguard wg01",
    "show_vpn_ipsec_remote-access_summary": "show vpn ipsec remote-access summary",
}
# folders refused by design -> what the parse error says
REFUSED = {
    # remote-access user sessions, not site-to-site tunnels (command_key refuses it)
    "show_vpn_ipsec_remote-access_summary": "one of the supported commands",
    # 1.3+ prints the interface's counters here, no peers
    "show_interfaces_wireguard_interface": "interface detail",
}


def read(name):
    return (DATA / name).read_text()


def real(relative):
    return corpus_text(PLATFORM, relative)


def states(tunnel):
    return [(child["name"], child["state"]) for child in tunnel["children"]]


@pytest.mark.parametrize("path", corpus_cases(PLATFORM))
def test_every_real_output_parses_and_validates_or_is_refused(path):
    check_corpus_file(PLATFORM, path, CORPUS_COMMANDS, refused=REFUSED)


# --- values of the real outputs -------------------------------------------------------------

@pytest.mark.parametrize("relative, version, encryption, key_size, established, rekey", [
    ("show_vpn_ike_sa/2.txt", 1, "AES_CBC", 128, 1372, 25802),
    ("show_vpn_ike_sa/3.txt", 1, "AES_CBC", 128, 8175, 18439),
    ("show_vpn_ike_sa/4.txt", 2, "AES_CBC", 256, 304, 26528),
])
def test_real_vici_ike_sa(relative, version, encryption, key_size, established, rekey):
    tunnel = only(parse_output(PLATFORM, "show vpn ike sa", real(relative)), "10.0.2.2")
    ike = tunnel["ike"]
    assert (tunnel["state"], tunnel["native_state"], ike["version"]) == ("ESTABLISHED", "up", version)
    assert ike["remote"] == {"address": "10.0.2.2", "port": None, "id": "10.0.2.2"}
    assert ike["local"] == {"address": "10.0.1.2", "port": None, "id": "10.0.1.2"}
    assert ike["algorithms"] == {"encryption": encryption, "key_size": key_size,
                                 "integrity": "HMAC_SHA1_96", "prf": None, "dh_group": "MODP_2048"}
    assert (ike["established_seconds"], ike["rekey_seconds"], ike["nat_t"]) == (
        established, rekey, None)


def test_real_vici_ipsec_sa_counters_and_proposal():
    tunnel = only(parse_output(PLATFORM, "show vpn ipsec sa", real("show_vpn_ipsec_sa/1.txt")),
                  "RIGHT")
    assert [name for name, _state in states(tunnel)] == ["RIGHT-tunnel-%d" % n for n in range(4)]
    first, third = tunnel["children"][0], tunnel["children"][2]
    assert (first["state"], first["installed_seconds"]) == ("INSTALLED", 36 * 60 + 24)
    assert (first["bytes_in"], first["bytes_out"], first["packets_in"], first["packets_out"]) == (
        840, 840, 10, 10)
    assert (third["bytes_in"], third["packets_in"]) == (1024, 15)  # '1K' is at least 1024 bytes
    assert first["algorithms"] == {"encryption": "AES_CBC", "key_size": 256,
                                   "integrity": "HMAC_SHA2_256_128", "prf": None,
                                   "dh_group": "MODP_2048"}
    assert tunnel["ike"]["remote"] == {"address": "192.0.2.130", "port": None, "id": "192.0.2.130"}
    assert tunnel["state"] == "UNDEFINED"  # CHILD_SAs alone do not say how the IKE SA is


def test_real_early_vici_table_lists_configured_tunnels_without_sa():
    device = parsed(PLATFORM, "show vpn ipsec sa", real("show_vpn_ipsec_sa/9.txt"))
    peer = only(device, "peer_192-0-2-14")
    assert states(peer) == [("peer_192-0-2-14_tunnel_0", "INSTALLED"),
                            ("peer_192-0-2-14_tunnel_1", "DOWN"), ("peer_192-0-2-14_tunnel_2", "DOWN"),
                            ("peer_192-0-2-14_tunnel_3", "DOWN")]
    assert [c["configured"] for c in peer["children"]] == [False, True, True, True]
    assert peer["children"][0]["algorithms"]["encryption"] == "AES_GCM_16"
    assert peer["ike"]["remote"]["id"] is None  # 'N/A'


@pytest.mark.parametrize("relative, peer, local, tunnels, counters, seconds", [
    ("show_vpn_ipsec_sa/3.txt", "198.51.100.243", "203.0.113.46", ["0", "1"], (0, 0), (1647, 3600)),
    # 7.5M out / 230.6K in, read as the least they can be
    ("show_vpn_ipsec_sa/4.txt", "203.0.113.2", "198.51.100.3", ["0"],
     (int(230.55 * 1024), int(7.45 * 1024 ** 2)), (567, 1800)),
])
def test_real_legacy_ipsec_sa(relative, peer, local, tunnels, counters, seconds):
    tunnel = only(parse_output(PLATFORM, "show vpn ipsec sa", real(relative)), "peer-" + peer)
    assert (tunnel["ike"]["remote"]["address"], tunnel["ike"]["local"]["address"]) == (peer, local)
    assert states(tunnel) == [("peer-%s-tunnel-%s" % (peer, n), "INSTALLED") for n in tunnels]
    first = tunnel["children"][0]
    assert (first["bytes_in"], first["bytes_out"]) == counters
    assert (first["installed_seconds"], first["rekey_interval_seconds"]) == seconds
    assert (first["algorithms"]["encryption"], first["algorithms"]["key_size"]) == ("AES_CBC", 256)
    assert first["encapsulation"] is False


def test_real_connections_of_1_3_show_configured_peers_down():
    device = valid(parse_output(PLATFORM, "show vpn ipsec connections",
                                real("show_vpn_ipsec_connections/1.txt")))
    peer = only(device, "peer-192.0.2.1")
    assert (peer["state"], peer["configured"], peer["ike"]["version"]) == ("DOWN", True, 2)
    assert states(peer) == [("peer-192.0.2.1-tunnel-0", "DOWN"), ("peer-192.0.2.1-tunnel-1", "DOWN")]
    assert peer["children"][1]["remote_ts"] == ["10.0.4.0/24"]
    assert (peer["ike"]["local"]["id"], peer["ike"]["remote"]["id"]) == ("192.0.2.2", "192.0.2.1")


def test_real_connections_with_ppk_column():
    peer = only(parse_output(PLATFORM, "show vpn ipsec connections",
                             real("show_vpn_ipsec_connections/2.txt")), "test")
    assert (peer["state"], peer["ike"]["remote"]["address"]) == ("ESTABLISHED", "10.0.48.116")
    assert peer["ike"]["algorithms"]["dh_group"] == "ECP_384"
    tunnel = peer["children"][0]
    assert (tunnel["name"], tunnel["state"], tunnel["local_ts"], tunnel["remote_ts"]) == (
        "test-tunnel-10", "INSTALLED", ["192.168.0.8/30"], ["192.168.0.0/30"])


def test_real_openvpn_server():
    server = only(parse_output(PLATFORM, "show openvpn server", real("show_openvpn_server/1.txt")),
                  "vtun10")
    assert (server["type"], server["state"], server["openvpn"]["role"]) == ("openvpn", "UP", "server")
    client = server["openvpn"]["clients"][0]
    assert (client["common_name"], client["real_address"], client["real_port"],
            client["virtual_address"]) == ("client", "198.51.100.1", 55150, "10.23.1.6")
    assert (client["bytes_in"], client["bytes_out"]) == (int(4.65 * 1024), int(4.65 * 1024))
    assert client["connected_since"] == "2023-05-11T12:47:11Z"


def test_real_wireguard_peers_as_the_wireguard_parser_models_them():
    """The docs flattened wg's indentation in this sample; it is read all the same."""
    device = valid(parse_output(PLATFORM, "show interfaces wireguard wg01",
                                real("show_interfaces_wireguard_summary/2.txt")))
    peer = only(device, "wg01:9Ek3R30mG6Vk+GHsENtPF0b9Ul+ftxx4dDBa1bdBxX8=")
    # 4 min 22 s since the handshake: past the 180 s after which WireGuard drops the keys
    assert (peer["type"], peer["state"]) == ("wireguard", "DOWN")
    traffic = peer["children"][0]
    assert (traffic["name"], traffic["remote_ts"], traffic["last_in_seconds"]) == (
        "wg01", ["10.2.0.0/24"], 262)
    assert (traffic["bytes_in"], traffic["bytes_out"]) == (860, 948)
    assert peer["status_message"].startswith("endpoint 192.168.0.142:12345")


def test_wireguard_fresh_handshake_is_up():
    text = "interface: wg0\npeer: abc=\n  latest handshake: 1 minute, 5 seconds ago\n" \
           "peer: def=\n  allowed ips: 10.9.0.0/24\n"
    device = parsed(PLATFORM, "show interfaces wireguard wg0 summary", text)
    assert [(t["name"], t["state"]) for t in device["tunnels"]] == [
        ("wg0:abc=", "UP"), ("wg0:def=", "DOWN")]


# --- own samples ----------------------------------------------------------------------------

def test_vici_ike_sa_being_negotiated_is_connecting():
    device = parsed(PLATFORM, "show vpn ike sa", read("ike-sa-1.4.txt"))
    up, negotiating = only(device, "198.51.100.3"), only(device, "198.51.100.4")
    assert (up["ike"]["nat_t"], up["ike"]["rekey_seconds"]) == ("local", 24577)
    assert (negotiating["state"], negotiating["native_state"]) == ("CONNECTING", "down")
    assert negotiating["ike"]["negotiation"] == {"phase": 1, "step": None}
    assert negotiating["ike"]["remote"] == {"address": "198.51.100.4", "port": None,
                                            "id": "lab.example"}
    assert negotiating["ike"]["local"]["id"] is None  # %any is not printed
    assert (negotiating["ike"]["algorithms"]["encryption"], negotiating["ike"]["rekey_seconds"]) == (
        None, None)


def test_legacy_ike_sa_with_description_and_version_column():
    device = parsed(PLATFORM, "show vpn ike sa", read("ike-sa-legacy.txt"))
    up, down = only(device, "203.0.113.2"), only(device, "203.0.113.9")
    assert (up["state"], up["status_message"], up["ike"]["version"]) == ("ESTABLISHED", "office", None)
    assert up["ike"]["algorithms"] == {"encryption": "AES_CBC", "key_size": 256,
                                       "integrity": "HMAC_SHA1_96", "prf": None,
                                       "dh_group": "MODP_1536"}  # Vyatta's names mapped back
    assert (up["ike"]["established_seconds"], up["ike"]["rekey_interval_seconds"]) == (734, 3600)
    assert (down["state"], down["ike"]["native_state"], down["ike"]["negotiation"]) == (
        "DOWN", None, None)


def test_the_installed_sa_wins_over_its_rekeyed_twin():
    tunnel = only(parse_output(PLATFORM, "show vpn ipsec sa", read("ipsec-sa-1.4-rekey.txt")), "OFFICE")
    assert states(tunnel) == [("OFFICE-tunnel-0", "INSTALLED"), ("OFFICE-tunnel-1", "INSTALLED")]
    busy, fresh = tunnel["children"]
    assert (busy["installed_seconds"], busy["bytes_in"], busy["bytes_out"]) == (3723, 1048576, 17408)
    assert (busy["packets_in"], busy["packets_out"]) == (1000, 230)
    assert fresh["installed_seconds"] == 0  # seconds_to_human(0) prints nothing


def test_connections_multi_line_selectors():
    device = parsed(PLATFORM, "show vpn ipsec connections", read("connections-1.4.txt"))
    office = only(device, "OFFICE")
    assert office["children"][0]["local_ts"] == ["10.0.0.0/24", "10.0.1.0/24"]
    assert states(only(device, "LAB")) == [("LAB-vti", "DOWN")]
    assert only(device, "SPARE")["ike"]["version"] is None  # Type 'IKE': either version


# --- merge ----------------------------------------------------------------------------------

@pytest.mark.parametrize("ike_sa, ipsec_sa, peer, child", [
    ("show_vpn_ike_sa/2.txt", "show_vpn_ipsec_sa/5.txt", "PA", "PA-vti"),
    ("show_vpn_ike_sa/3.txt", "show_vpn_ipsec_sa/6.txt", "CISCO", "CISCO-vti"),
    ("show_vpn_ike_sa/4.txt", "show_vpn_ipsec_sa/7.txt", "CISCO", "CISCO-tunnel-1"),
])
def test_merge_real_outputs_of_one_router(ike_sa, ipsec_sa, peer, child):
    """Pairs from one VyOS docs example each: the IKE SA joins its peer by remote address."""
    device = valid(parse_outputs(PLATFORM, [("show vpn ike sa", real(ike_sa)),
                                            ("show vpn ipsec sa", real(ipsec_sa))]))
    assert [t["name"] for t in device["tunnels"]] == [peer]
    tunnel = device["tunnels"][0]
    assert (tunnel["state"], tunnel["ike"]["local"]["address"]) == ("ESTABLISHED", "10.0.1.2")
    assert states(tunnel)[0] == (child, "INSTALLED")


def test_merge_legacy_outputs():
    device = valid(parse_outputs(PLATFORM, [
        ("show vpn ike sa", read("ike-sa-legacy.txt")),
        ("show vpn ipsec sa", real("show_vpn_ipsec_sa/4.txt"))]))
    office = only(device, "peer-203.0.113.2")
    assert (office["state"], office["ike"]["established_seconds"], office["status_message"]) == (
        "ESTABLISHED", 734, "office")
    assert only(device, "203.0.113.9")["state"] == "DOWN"  # configured, not in ipsec sa


def test_merge_reports_configured_peers_without_sa_as_down():
    device = valid(parse_outputs(PLATFORM, [
        ("show vpn ipsec connections", read("connections-1.4.txt")),
        ("show vpn ike sa", read("ike-sa-1.4.txt")),
        ("show vpn ipsec sa", read("ipsec-sa-1.4-rekey.txt")),
    ]))
    assert [(t["name"], t["state"]) for t in device["tunnels"]] == [
        ("OFFICE", "ESTABLISHED"), ("LAB", "CONNECTING"), ("SPARE", "DOWN")]
    office = only(device, "OFFICE")
    assert states(office) == [("OFFICE-tunnel-0", "INSTALLED"), ("OFFICE-tunnel-1", "INSTALLED")]
    tunnel = office["children"][0]
    assert (tunnel["configured"], tunnel["local_ts"], tunnel["bytes_out"]) == (
        True, ["10.0.0.0/24", "10.0.1.0/24"], 17408)
    assert (office["ike"]["local"]["address"], office["ike"]["nat_t"]) == ("203.0.113.1", "local")
    spare = only(device, "SPARE")
    assert (spare["configured"], spare["ike"]["native_state"], states(spare)) == (
        True, None, [("SPARE-tunnel-0", "DOWN")])
    assert only(device, "LAB")["ike"]["negotiation"] == {"phase": 1, "step": None}


def test_an_ike_sa_no_peer_claims_stays_named_by_its_address():
    device = valid(parse_outputs(PLATFORM, [
        ("show vpn ike sa", real("show_vpn_ike_sa/4.txt")),
        ("show vpn ipsec connections", read("connections-1.4.txt"))]))
    assert only(device, "10.0.2.2")["state"] == "ESTABLISHED"
    assert only(device, "OFFICE")["ike"]["native_state"] is None


def test_openvpn_and_wireguard_tunnels_pass_through_merge():
    device = valid(parse_outputs(PLATFORM, [
        ("show openvpn server", real("show_openvpn_server/1.txt")),
        ("show vpn ipsec sa", real("show_vpn_ipsec_sa/5.txt")),
        ("show interfaces wireguard wg01 summary",
         real("show_interfaces_wireguard_summary/1.txt"))]))
    assert [(t["name"], t["type"]) for t in device["tunnels"]] == [
        ("PA", "ipsec"), ("vtun10", "openvpn"), ("wg01:<peer pubkey>", "wireguard")]


# --- noise, unavailable commands and errors -------------------------------------------------

def test_pager_remnants_blank_lines_and_no_more_are_tolerated():
    noisy = "\n" + real("show_vpn_ipsec_sa/1.txt") + "\n:\n(END)\n"
    assert len(only(parse_output(PLATFORM, "show vpn ipsec sa | no-more", noisy), "RIGHT")[
        "children"]) == 4


@pytest.mark.parametrize("command, text", [
    ("show vpn ipsec connections", "\n  Invalid command: show vpn ipsec [connections]\n\n"),
    ("show openvpn server", "No OpenVPN interfaces configured\n"),
    ("show vpn ike sa", ""),
    ("show vpn ipsec sa", "Connection    State    Uptime    Bytes In/Out    Packets In/Out    "
                          "Remote address    Remote ID    Proposal\n------------  -------  "
                          "--------  --------------  ----------------  ----------------  "
                          "-----------  ----------\n"),
])
def test_nothing_to_list_is_no_tunnels(command, text):
    assert parse_output(PLATFORM, command, text)["tunnels"] == []


@pytest.mark.parametrize("command, text, expected", [
    ("show vpn ipsec sa", "hello world\n", "a table headed Connection"),
    ("show vpn ipsec sa", "IPsec not initialized\n", "VyOS reported an error"),
    ("show vpn ike sa", "\n  Invalid command: show vpn [ike]\n", "VyOS reported an error"),
    ("show vpn ike sa", "An error occured: [Errno 13] Permission denied\n", "VyOS reported an error"),
    ("show vpn ike sa", "Peer ID / IP                            Local ID / IP\n"
                        "------------                            -------------\n"
                        "10.0.2.2                                10.0.1.2\n"
                        "    State  IKEVer  Encrypt  Hash  D-H Group  NAT-T  A-Time  L-Time\n"
                        "    up     IKEv2\n", "8 values"),
    ("show vpn ike sa", "Peer ID / IP   Local ID / IP\n--------  -------\n1 2 3\n", "local host"),
    ("show vpn ike sa", "    State  Colour\n", "block"),
    ("show vpn ike sa", "Peer ID / IP                            Local ID / IP\n"
                        "10.0.2.2                                10.0.1.2\n"
                        "    State  IKEVer  Colour\n", "the SA columns of show vpn ike sa"),
    ("show vpn ipsec sa", read("ike-sa-legacy.txt"), "the SA columns of show vpn ipsec sa"),
    ("show vpn ipsec sa", "Connection  State  Uptime  Bytes In/Out  Packets In/Out  Remote address  "
                          "Remote ID  Proposal\n----------  -----  ------  ------------  "
                          "--------------  --------------  ---------  --------\n"
                          "x-tunnel-0  up     5x      1K/1K         1/1             192.0.2.1       "
                          "N/A        N/A\n", "duration"),
    ("show vpn ipsec sa", "Connection  State  Uptime  Bytes In/Out  Packets In/Out  Remote address  "
                          "Remote ID  Proposal\n----------  -----  ------  ------------  "
                          "--------------  --------------  ---------  --------\n"
                          "x-tunnel-0  up     5s      lots          1/1             192.0.2.1       "
                          "N/A        N/A\n", "IN/OUT pair"),
    ("show vpn ipsec connections", "Connection  State  Type\n----------  -----  ----\n", "columns"),
    ("show vpn ipsec connections", read("connections-1.4.txt").replace("LAB-vti          down",
                                                                       "LAB-vti          gone"),
     "State up or down"),
    ("show vpn ipsec sa", read("ipsec-sa-1.4-rekey.txt")[:-60], "a value in every column"),
    ("show vpn ike sa", read("ike-sa-1.4.txt").replace("    up ", "    UP "), "state up or down"),
    ("show openvpn server", "Client CN  Remote Host\n", "OpenVPN status on"),
    ("show interfaces wireguard wg0", "interface: wg0\npeer: x=\n  latest handshake: soon\n",
     "latest handshake"),
    ("show interfaces wireguard wg0", "interface: wg0\nhello world\n", "key: value"),
    ("show interfaces wireguard wg0", "peer: x=\n", "'interface: NAME' before its peers"),
])
def test_unknown_text_raises_parse_error_naming_platform_and_command(command, text, expected):
    error = assert_parse_error(PLATFORM, command, text, expected)
    assert error.command == vyos.command_key(command)   # errors name the command's key


@pytest.mark.parametrize("command", [
    "show vpn ipsec remote-access summary", "show vpn ipsec sa detail", "show vpn ike sa | match up",
    "show interfaces wireguard", "show vpn ipsec sa statistics", "reset vpn ipsec-peer 192.0.2.1",
    "show vpn ike sa peer",
])
def test_unsupported_commands_are_refused_with_a_parse_error(command):
    assert_refused_command(PLATFORM, command, "anything\n")


def test_command_forms():
    assert vyos.command_key("run show vpn ike sa peer OFFICE") == "show vpn ike sa"
    assert vyos.command_key("show vpn ike sa nat-traversal") == "show vpn ike sa"
    assert vyos.command_key("show vpn ipsec sa peer OFFICE tunnel 1 | no-more") == "show vpn ipsec sa"
    assert vyos.command_key("show interfaces wireguard wg01 summary") == "show interfaces wireguard"


def test_gather_commands_follow_gather_subset_and_wireguard_interfaces():
    ipsec = ["show vpn ipsec connections", "show vpn ike sa", "show vpn ipsec sa"]
    assert vyos.gather_commands({}) == ipsec + ["show openvpn server"]
    assert vyos.gather_commands({"gather_subset": ["ipsec"]}) == ipsec
    assert vyos.gather_commands({"gather_subset": ["wireguard"],
                                 "vyos_wireguard_interfaces": ["wg0", "wg1"]}) == [
        "show interfaces wireguard wg0 summary", "show interfaces wireguard wg1 summary"]


# --- round trip through the emulated device -------------------------------------------------

# Counters are printed rounded down, so facts never exceed the device and miss by less than
# one printed unit (17K: under 1 KiB; 1.5M: under 1 MiB); everything else is equal.
COUNTERS = dict.fromkeys(("bytes_in", "bytes_out", "packets_in", "packets_out"), grows(slack=1024 ** 2))


def gather(device, options=None):
    return gathered(emulated, device, options=options)


@pytest.mark.parametrize("index", [0, 1, 2])
def test_round_trip_reports_the_device_state(index):
    assert_round_trip(emulated, index, bounds=COUNTERS)


def test_example_devices_mix_healthy_degraded_and_down_peers():
    peers = [(t["state"], [c["state"] for c in t["children"]]) for t in emulated.example_tunnels(2)]
    assert ("ESTABLISHED", ["INSTALLED", "DOWN"]) in peers and ("DOWN", ["DOWN"]) in peers
    assert emulated.example_tunnels(0) == emulated.example_tunnels(0)


def test_resets_take_peers_down_and_the_facts_follow():
    device = example_device(emulated, 0, reset_delay=60)
    assert emulated.reset(device, "reset vpn ipsec site-to-site peer hq-0") == \
        "Peer hq-0 terminate result: success\nPeer hq-0 initiate result: success\n"
    assert emulated.reset(device, "reset vpn ipsec-peer 198.51.100.42") == "Peer reset result: success\n"
    assert emulated.reset(device, "reset vpn ipsec site-to-site peer nosuch").startswith("WARNING")
    assert emulated.reset(device, "show vpn ike sa") is None
    facts = gather(device)
    assert [(t["name"], t["state"]) for t in facts["tunnels"]] == [
        ("hq-0", "DOWN"), ("branch-0", "DOWN"), ("dc-0", "ESTABLISHED"), ("dr-0", "DOWN")]
    assert emulated.reset(device, "reset vpn ipsec site-to-site all").endswith(
        "Peers reset result: success\n")
    assert device.reset_log[-1][1] == ["dc-0"]


def test_wireguard_peers_render_and_parse():
    peers = [model.new_tunnel("wg0:abc=", "wireguard", "UP"),
             model.new_tunnel("wg0:def=", "wireguard", "DOWN")]
    device = emulated_device(emulated, peers)
    facts = gather(device, {"gather_subset": ["wireguard"], "vyos_wireguard_interfaces": ["wg0"]})
    assert [(t["name"], t["state"]) for t in facts["tunnels"]] == [("wg0:abc=", "UP"),
                                                                   ("wg0:def=", "DOWN")]

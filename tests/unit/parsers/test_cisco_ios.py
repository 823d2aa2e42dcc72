"""Cisco IOS / IOS-XE parser: real outputs, their published parses, own samples, merge,
errors, and a round trip through the emulated device."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus import corpus_cases, corpus_expected, corpus_text
from parser_checks import (
    BENCHMARK_PREFIXES, DOCUMENTATION_PREFIXES, assert_documentation_addresses, assert_parse_error,
    assert_refused_command, assert_round_trip, check_corpus_file, example_device, grows,
    lab_vendor, only, parsed, rendered, valid
)
from ansible_collections.vpnops.tunnels.plugins.module_utils.parsers import (
    cisco_ios,
    parse_output,
    parse_outputs,
)

PLATFORM = "cisco_ios"
DATA = Path(__file__).parent / "data" / PLATFORM
vendor = lab_vendor(PLATFORM)

# corpus folder -> the command as typed (arguments from MANIFEST.tsv); None: refused by design,
# with the reason in cisco_ios._FAMILIES.
CORPUS_COMMANDS = {
    "show_crypto_session": "show crypto session",
    "show_crypto_session_detail": "show crypto session detail",
    "show_crypto_session_interface_detail": "show crypto session interface Tunnel2 detail",
    "show_crypto_session_remote": "show crypto session remote 17.27.1.11",
    "show_crypto_session_remote_detail": "show crypto session remote 17.27.1.11 detail",
    "show_crypto_ikev2_sa": "show crypto ikev2 sa",
    "show_crypto_ikev2_sa_detail": "show crypto ikev2 sa detailed",
    "show_crypto_ikev2_sa_local": "show crypto ikev2 sa local 4.4.4.1",
    "show_crypto_ikev2_sa_local_detail": "show crypto ikev2 sa local 4.4.4.1 detail",
    "show_crypto_ikev2_sa_remote": "show crypto ikev2 sa remote 100.201.33.252",
    "show_crypto_ikev2_sa_remote_detail": "show crypto ikev2 sa remote 100.201.33.252 detail",
    "show_crypto_ikev2_session": "show crypto ikev2 session detailed",
    "show_crypto_isakmp_sa": "show crypto isakmp sa",
    "show_crypto_isakmp_sa_detail": "show crypto isakmp sa detail",
    "show_crypto_isakmp_sa_status": "show crypto isakmp sa active",
    "show_crypto_ipsec_sa": "show crypto ipsec sa",
    "show_crypto_ipsec_sa_detail": "show crypto ipsec sa detail",
    "show_crypto_ipsec_sa_interface": "show crypto ipsec sa interface Tunnel10",
    "show_crypto_ipsec_sa_ipv6_detailed": "show crypto ipsec sa ipv6 detailed",
    "show_crypto_ipsec_sa_peer": "show crypto ipsec sa peer 17.0.1.1",
    "show_crypto_ipsec_sa_peer_detail": "show crypto ipsec sa peer 17.0.1.1 detail",
    "show_crypto_autovpn_session": None,
    "show_crypto_gdoi": None,
    "show_crypto_ikev2_count": None,
    "show_crypto_ipsec_sa_count": None,
    "show_crypto_isakmp_sa_count": None,
    "show_crypto_isakmp_peer": None,
    "show_crypto_map": None,
    "show_crypto_mib_ipsec_flowmib_tunnel": None,
    "show_crypto_sockets": None,
    "show_dmvpn": None,
    "show_dmvpn_ipv6": None,
    "show_sdwan_ipsec_inbound-connections": None,
    "show_tunnel_protection_statistics": None,
}


def parsed_real(folder, number):
    """The corpus file folder/number.txt parsed with its folder's command, validated."""
    return parsed(PLATFORM, CORPUS_COMMANDS[folder], corpus_text(PLATFORM, "%s/%d.txt" % (folder, number)))


def expected(folder, number):
    """The published parse beside a raw file: a Genie dict literal or a TextFSM YAML."""
    return corpus_expected(PLATFORM, "%s/%d.txt" % (folder, number))


def by_sa_id(device):
    return {tunnel["ike"]["sa_id"]: tunnel for tunnel in device["tunnels"]}


def spi(text):
    """'0x2740C328(658555688)' -> '2740c328'."""
    return text.split("(")[0].lower().replace("0x", "")


# --- every corpus file ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", corpus_cases(PLATFORM))
def test_every_real_output_parses_and_validates_or_is_refused(path):
    check_corpus_file(PLATFORM, path, CORPUS_COMMANDS)


# --- agreement with the published parses ----------------------------------------------------------

def genie_sessions(data):
    """Rows (interface, status, peer, port, local, [(active SAs, pkts in, pkts out)]) of both
    Genie session shapes: interface/peer/port/... and interfaces/peer_ip/..."""
    rows = []
    for interface, session in (data.get("interface") or {}).items():
        for peer, ports in session["peer"].items():
            for port, body in ports["port"].items():
                ike = next(iter(body["ike_sa"].values()))
                flows = [(flow["active_sas"], flow.get("inbound_pkts_decrypted"),
                          flow.get("outbound_pkts_encrypted"))
                         for flow in body["ipsec_flow"].values()]
                rows.append((interface, session["session_status"], peer, int(port),
                             ike["local"], flows))
    for interface, session in (data.get("interfaces") or {}).items():
        ike = session.get("IKEv2") or session.get("IKEv1")
        flows = [(flow["active_sa"], flow.get("inbound", {}).get("decrypted"),
                  flow.get("outbound", {}).get("encrypted"))
                 for flow in session["ipsec_flow"].values()]
        rows.append((interface, session["session_status"], session["peer_ip"],
                     session["peer_port"], ike["local_ip"], flows))
    return rows


def our_sessions(device):
    rows = []
    for tunnel in device["tunnels"]:
        flows = [(2 if child["state"] == "INSTALLED" else 0, child["packets_in"],
                  child["packets_out"]) for child in tunnel["children"]]
        rows.append((tunnel["status_message"].split(":")[0], tunnel["native_state"],
                     tunnel["ike"]["remote"]["address"], tunnel["ike"]["remote"]["port"],
                     tunnel["ike"]["local"]["address"], flows))
    return rows


@pytest.mark.parametrize("folder, number", [
    ("show_crypto_session", 1), ("show_crypto_session", 3), ("show_crypto_session", 4),
    ("show_crypto_session_detail", 5), ("show_crypto_session_interface_detail", 1),
    ("show_crypto_session_interface_detail", 2), ("show_crypto_session_remote", 1),
    ("show_crypto_session_remote_detail", 1), ("show_crypto_session_remote_detail", 2),
    ("show_crypto_session_remote_detail", 3),
])
def test_sessions_agree_with_genie(folder, number):
    ours = our_sessions(parsed_real(folder, number))
    theirs = genie_sessions(expected(folder, number))
    # Genie keeps no counters for flows without SAs; ours are None there on purpose (no SA).
    theirs = [row[:5] + ([(n, i, o) if n else (0, None, None) for n, i, o in row[5]],)
              for row in theirs]
    assert sorted(ours, key=str) == sorted(theirs, key=str)


@pytest.mark.parametrize("number", [1, 2])
def test_session_detail_agrees_with_ntc_templates(number):
    device = parsed_real("show_crypto_session_detail", number)
    rows = expected("show_crypto_session_detail", number)
    assert len(device["tunnels"]) == len(rows)
    for tunnel, row in zip(device["tunnels"], rows):
        ike = tunnel["ike"]
        assert (tunnel["name"], tunnel["native_state"]) == (row["peer"], row["session_status"])
        assert tunnel["status_message"].startswith(row["interface"] + ":")
        assert (ike["remote"]["port"], ike["local"]["address"]) == (int(row["port"]), row["local_ip"])
        assert ike["sa_id"] == (None if row["conn_id"] == "0" else row["conn_id"])
        assert ike["remote"]["id"] == (None if row["phase1_id"] == "(none)" else row["phase1_id"])
        assert [child["state"] for child in tunnel["children"]] == (
            ["INSTALLED"] if int(row["active_sa"]) else ["DOWN"])


def genie_ikev2(data):
    """Rows by tunnel id of both Genie IKEv2 SA shapes (ipv4/ipv6 and tunnel_id)."""
    rows = {}
    for family in ("ipv4", "ipv6"):
        for tunnel_id, sa in (data.get(family) or {}).items():
            rows[str(tunnel_id)] = (sa["remote_ip"], sa["remote_port"], sa["status"],
                                    sa["encryption"], sa["keysize"], sa["life_time"],
                                    sa["active_time"], sa.get("local_spi"), sa.get("remote_spi"),
                                    None)
    for tunnel_id, sa in (data.get("tunnel_id") or {}).items():
        address, port = sa["remote"].rsplit("/", 1)
        rows[str(tunnel_id)] = (address, int(port), sa["status"].upper(),
                                sa["encryption"].upper(), sa["keysize"], sa["life_time"],
                                sa["active_time"], sa.get("local_spi"), sa.get("remote_spi"),
                                sa.get("initiator_of_sa"))
    return rows


@pytest.mark.parametrize("folder, number", [
    ("show_crypto_ikev2_sa", 1), ("show_crypto_ikev2_sa", 2), ("show_crypto_ikev2_sa", 3),
    ("show_crypto_ikev2_sa_detail", 1), ("show_crypto_ikev2_sa_detail", 2),
    ("show_crypto_ikev2_sa_detail", 3), ("show_crypto_ikev2_sa_detail", 4),
    ("show_crypto_ikev2_sa_detail", 5), ("show_crypto_ikev2_sa_detail", 7),
    ("show_crypto_ikev2_sa_local", 1), ("show_crypto_ikev2_sa_local_detail", 1),
    ("show_crypto_ikev2_sa_remote", 1), ("show_crypto_ikev2_sa_remote_detail", 1),
])
def test_ikev2_sas_agree_with_genie(folder, number):
    tunnels = by_sa_id(parsed_real(folder, number))
    rows = genie_ikev2(expected(folder, number))
    assert set(tunnels) == set(rows)
    for tunnel_id, (address, port, status, encryption, key_size, life, active, local_spi,
                    remote_spi, initiator) in rows.items():
        ike = tunnels[tunnel_id]["ike"]
        assert (ike["remote"]["address"], ike["remote"]["port"], ike["native_state"]) == (
            address, port, status)
        assert (ike["algorithms"]["encryption"].upper(), ike["algorithms"]["key_size"]) == (
            encryption, key_size)
        assert (ike["rekey_interval_seconds"], ike["established_seconds"]) == (life, active)
        # The model names IKE SPIs by role; without 'Initiator of SA' they cannot be placed.
        if initiator is None:
            assert (ike["initiator_spi"], ike["responder_spi"]) == (None, None)
        else:
            ours = ike["initiator_spi"] if initiator == "yes" else ike["responder_spi"]
            theirs = ike["responder_spi"] if initiator == "yes" else ike["initiator_spi"]
            assert (ours, theirs) == (local_spi.lower(), remote_spi.lower())


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_ikev2_sessions_agree_with_genie(number):
    device = parsed_real("show_crypto_ikev2_session", number)
    rows = [row for family in expected("show_crypto_ikev2_session", number)["ikev2_session"].values()
            for row in family.values()]
    assert len(device["tunnels"]) == len(rows)
    for tunnel, row in zip(device["tunnels"], rows):
        ike = tunnel["ike"]
        assert (tunnel["native_state"], ike["native_state"]) == (row["status"], row["session_status"])
        assert (ike["remote"]["address"], ike["remote"]["port"]) == (row["remote_ip"], row["remote_port"])
        assert [(child["spi_in"], child["spi_out"]) for child in tunnel["children"]] == [
            (spi(child["esp_spi_in"]), spi(child["esp_spi_out"]))
            for child in row["child_sa"].values()]


@pytest.mark.parametrize("folder, number", [
    ("show_crypto_isakmp_sa", 1), ("show_crypto_isakmp_sa", 2), ("show_crypto_isakmp_sa", 3),
    ("show_crypto_isakmp_sa_status", 1),
])
def test_isakmp_sas_agree_with_genie(folder, number):
    """Row by row: the HA sample shows one conn-id twice (active and standby copy)."""
    tunnels = parsed_real(folder, number)["tunnels"]
    rows = [row for family in expected(folder, number)["isakmp_stats"].values()
            for row in family.values()]
    assert len(tunnels) == len(rows)
    for tunnel, row in zip(tunnels, rows):
        ike = tunnel["ike"]
        assert ike["sa_id"] == str(row["conn_id"])
        assert ike["native_state"] == row.get("session_state", row.get("state"))
        pair = {row.get("destination", row.get("dst")), row.get("source", row.get("src"))}
        assert {ike["local"]["address"], ike["remote"]["address"]} == pair
        deleted = row.get("current_status") == "deleted"
        standby = row["status"] == "STDBY"
        assert tunnel["state"] == ("DELETING" if deleted else "PASSIVE" if standby else
                                   cisco_ios.ISAKMP_STATES[ike["native_state"]])


@pytest.mark.parametrize("number", [1, 2])
def test_isakmp_detail_agrees_with_genie(number):
    tunnels = by_sa_id(parsed_real("show_crypto_isakmp_sa_detail", number))
    rows = [row for family in expected("show_crypto_isakmp_sa_detail", number)["isakmp_stats"].values()
            for row in family.values()]
    assert len(tunnels) == len(rows)
    for row in rows:
        ike = tunnels[str(row["c_id"])]["ike"]
        assert (ike["local"]["address"], ike["remote"]["address"]) == (row["local_ip"], row["remote_ip"])
        assert (ike["algorithms"]["encryption"], ike["algorithms"]["integrity"],
                ike["algorithms"]["dh_group"]) == (row["encr_algo"], row["hash_algo"],
                                                   "group%d" % row["dh_group"])
        hours, minutes, seconds = (int(part) for part in row["lifetime"].split(":"))
        assert ike["rekey_seconds"] == hours * 3600 + minutes * 60 + seconds


def genie_ipsec_flows(data):
    """Rows (peer, port, inbound SPIs, outbound SPIs, encaps, decaps) of every flow dict in a
    Genie IPsec SA parse, whatever its nesting (interface/ident or interfaces/identities)."""
    rows = []

    def visit(node):
        if not isinstance(node, dict):
            return
        if "current_outbound_spi" in node:
            sides = [_spis_in(node, direction) for direction in ("inbound", "outbound")]
            # A flow without SAs has no child SA to count for: our counters are None there.
            counters = (node.get("pkts_encaps"), node.get("pkts_decaps")) if any(sides) else (
                None, None)
            rows.append((node.get("peer_ip") or node["current_peer"], int(node["port"]),
                         *[sorted(spi(text) for text in side if text.startswith("0x"))
                           for side in sides], *counters))
            return
        for value in node.values():
            visit(value)

    visit(data)
    return rows


def _spis_in(flow, direction):
    texts = []
    for protocol in ("esp", "ah"):
        found = flow.get("%s_%s_sas" % (direction, protocol)) or {}
        entries = found.get("spi", {})
        texts += [entries] if isinstance(entries, str) else list(entries)
    return texts


def our_ipsec_flows(device):
    rows = []
    for tunnel in device["tunnels"]:
        flows = {}
        for child in tunnel["children"]:
            flows.setdefault(child["name"], []).append(child)
        for children in flows.values():
            current = children[0]
            rows.append((tunnel["ike"]["remote"]["address"], tunnel["ike"]["remote"]["port"],
                         sorted(child["spi_in"] for child in children if child["spi_in"]),
                         sorted(child["spi_out"] for child in children if child["spi_out"]),
                         current["packets_out"], current["packets_in"]))
    return rows


@pytest.mark.parametrize("folder, number", [
    ("show_crypto_ipsec_sa_detail", 4), ("show_crypto_ipsec_sa_detail", 5),
    ("show_crypto_ipsec_sa_interface", 1), ("show_crypto_ipsec_sa_interface", 2),
    ("show_crypto_ipsec_sa_interface", 3), ("show_crypto_ipsec_sa_interface", 5),
    ("show_crypto_ipsec_sa_ipv6_detailed", 1), ("show_crypto_ipsec_sa_ipv6_detailed", 2),
    ("show_crypto_ipsec_sa_peer", 1), ("show_crypto_ipsec_sa_peer_detail", 1),
])
def test_ipsec_sas_agree_with_genie(folder, number):
    """SPIs '[Not Available]' are no SPI; the peer samples lost their '#pkts encaps' line, so
    neither side has encaps there."""
    ours = our_ipsec_flows(parsed_real(folder, number))
    theirs = genie_ipsec_flows(expected(folder, number))
    assert sorted(ours, key=str) == sorted(theirs, key=str)


@pytest.mark.parametrize("number", [1, 2, 3])
def test_ipsec_sa_detail_agrees_with_ntc_templates(number):
    """One row per SA. The decimal SPIs of these samples are masked (0987612345 for 0x4321DCBA),
    so only the hex SPI is compared."""
    device = parsed_real("show_crypto_ipsec_sa_detail", number)
    for row in expected("show_crypto_ipsec_sa_detail", number):
        tunnel = only(device, row["current_peer"])
        assert tunnel["ike"]["remote"]["port"] == int(row["port"])
        side = "spi_in" if row["sa_orientation"] == "inbound" else "spi_out"
        child = next(child for child in tunnel["children"] if child[side] == spi(row["sa_spi_hex"]))
        assert child["native_state"] == row["sa_status"]
        assert child["mode"] == row["sa_in_use_settings"].split()[0].upper()
        current = tunnel["children"][0]
        assert (current["packets_out"], current["packets_in"]) == (
            int(row["pkts_encaps"]), int(row["pkts_decaps"]))


# --- hand-picked values ------------------------------------------------------------------------------

def test_session_detail_down_negotiating_and_up():
    device = parsed_real("show_crypto_session_detail", 1)
    down, up, other_down = device["tunnels"]
    assert (down["name"], down["state"], down["native_state"], down["configured"]) == (
        "10.161.255.14", "DOWN", "DOWN-NEGOTIATING", True)
    assert down["ike"]["negotiation"] == {"phase": 1, "step": "DOWN-NEGOTIATING"}
    assert (down["ike"]["version"], down["ike"]["sa_id"], down["ike"]["local"]["port"]) == (1, None, 500)
    assert down["children"][0]["name"] == "10.175.200.116/32[47] === 10.161.255.14/32[47]"
    assert (down["children"][0]["state"], down["children"][0]["packets_in"]) == ("DOWN", None)
    assert (up["state"], up["ike"]["sa_id"], up["ike"]["rekey_seconds"]) == ("ESTABLISHED", "2913", 32621)
    assert up["ike"]["remote"] == {"address": "192.168.0.1", "port": 4500,
                                   "id": "SOME_DEVICE1234.1pc.com"}
    assert up["ike"]["nat_t"] is None  # capability N: NAT-T in use, side not shown
    child = up["children"][0]
    assert (child["packets_in"], child["packets_out"], child["lifetime_seconds"]) == (
        15344097, 18074395, 615)
    assert up["status_message"] == "Tunnel1101: UP-ACTIVE, up 7w0d; 1 of 1 IPsec flows with SAs"
    assert other_down["name"] == "10.163.255.14"


def test_session_old_ike_label_two_sas_and_assigned_address():
    tunnel = only(parsed_real("show_crypto_session", 1), "10.1.1.2")
    assert tunnel["ike"]["version"] is None  # "IKE SA:" names no version
    assert tunnel["ike"]["virtual_ips"]["remote"] == ["10.3.3.4"]
    assert tunnel["configured"] is False  # a Virtual-Access is cloned for a dynamic peer
    assert tunnel["children"][0]["remote_ts"] == ["3.3.3.4/32"]


def test_session_ipv6_remote_end_on_its_own_line():
    tunnel = only(parsed_real("show_crypto_session_interface_detail", 1), "2001:101:0:1::2")
    ike = tunnel["ike"]
    assert (ike["version"], ike["local"]["address"], ike["remote"]["port"], ike["sa_id"]) == (
        2, "2001:101:0:1::1", 500, "1")


def test_nat_clients_behind_one_address_are_named_with_their_port():
    device = parsed_real("show_crypto_session_remote_detail", 2)
    assert [tunnel["name"] for tunnel in device["tunnels"]] == ["17.27.1.11:38452", "17.27.1.11:55411"]


def test_one_crypto_map_peer_with_a_flow_down():
    tunnel = only(parsed_real("show_crypto_session_remote", 1), "1.1.1.1")
    assert tunnel["state"] == "ESTABLISHED"
    assert [(child["name"], child["state"]) for child in tunnel["children"]] == [
        ("20.20.20.0/24 === 10.10.10.0/24", "INSTALLED"), ("40.40.40.0/24 === 30.30.30.0/24", "DOWN")]
    assert tunnel["status_message"] == "GigabitEthernet3: UP-ACTIVE; 1 of 2 IPsec flows with SAs"


def test_ikev2_detail_values():
    tunnels = by_sa_id(parsed_real("show_crypto_ikev2_sa_detail", 1))
    client = tunnels["973"]["ike"]
    assert client["initiator"] is True
    assert (client["initiator_spi"], client["responder_spi"]) == ("000d3669857a0f82", "e0419b1db02de6ae")
    assert client["local"] == {"address": "92.1.121.1", "port": 500, "id": "user2621@cisco.com"}
    assert client["virtual_ips"] == {"local": ["8.1.9.4"], "remote": []}
    assert client["dpd"] == {"delay": 60, "timeout": None, "action": None}
    assert client["algorithms"] == {"encryption": "AES-CBC", "key_size": 256, "integrity": "SHA256",
                                    "prf": "SHA256", "dh_group": "group19"}
    behind_nat = tunnels["4"]["ike"]
    assert (behind_nat["nat_t"], behind_nat["algorithms"]["integrity"]) == ("local", None)
    responder = by_sa_id(parsed_real("show_crypto_ikev2_sa_detail", 3))["8"]["ike"]
    assert (responder["initiator"], responder["nat_t"]) == (False, "remote")
    assert responder["initiator_spi"] == "fbafd8516ea9d5e8"  # the peer's SPI: it initiated
    hub = only(parsed_real("show_crypto_ikev2_sa_detail", 8), "88.2.2.1")["ike"]
    assert hub["virtual_ips"] == {"local": [], "remote": ["172.16.122.2"]}


def test_ikev2_ipv6_rows_and_session_children():
    tunnel = only(parsed_real("show_crypto_ikev2_session", 4), "2001:DB8:1202::123")
    assert tunnel["ike"]["local"] == {"address": "2001:DB8:1101::131", "port": 500, "id": None}
    assert tunnel["children"][0]["local_ts"] == ["2001:DB8:1101::131/128"]
    first = only(parsed_real("show_crypto_ikev2_session", 1), "1.1.1.2")["children"][0]
    assert first["local_ts"] == ["8001::/64", "89.89.89.0/24"]
    assert (first["mode"], first["algorithms"]["integrity"]) == ("TUNNEL", "SHA256")


def test_ikev2_session_selector_layout_with_no_break_spaces():
    """3.txt prints 'local selector\xa0 A - B' lines (other layout, non-breaking spaces)."""
    tunnel = only(parsed_real("show_crypto_ikev2_session", 3), "1.1.1.2")
    assert tunnel["children"][0]["local_ts"] == ["30.10.10.0..50.10.10.255", "20.10.10.0..40.10.10.255"]
    assert tunnel["children"][0]["remote_ts"] == ["172.17.2.0/24", "172.17.2.0/23"]


def test_ipsec_sa_values():
    tunnel = only(parsed_real("show_crypto_ipsec_sa", 2), "10.0.1.2")
    child = tunnel["children"][0]
    assert (tunnel["state"], tunnel["ike"]["local"]["address"], tunnel["configured"]) == (
        "UNDEFINED", "10.0.2.2", True)
    assert (child["sa_id"], child["mode"], child["protocol"], child["encapsulation"]) == (
        "7", "TUNNEL", "ESP", False)
    assert child["algorithms"] == {"encryption": "esp-aes", "key_size": 256,
                                   "integrity": "esp-sha256-hmac", "prf": None, "dh_group": None}
    assert child["lifetime_seconds"] == 1401


def test_ipsec_sa_rekey_overlap_gives_a_rekeyed_child():
    tunnel = only(parsed_real("show_crypto_ipsec_sa_detail", 2), "3.3.3.3")
    assert [(child["state"], child["spi_in"], child["spi_out"], child["packets_in"])
            for child in tunnel["children"]] == [
        ("INSTALLED", "1234dcba", "4321dcba", 12013064), ("REKEYED", "4321ffff", "4321aaaa", None)]
    assert tunnel["children"][1]["algorithms"]["integrity"] == "esp-md5-hmac"


def test_ipsec_sa_odd_forms():
    ah_only = parsed_real("show_crypto_ipsec_sa_interface", 1)["tunnels"][0]["children"][0]
    assert (ah_only["protocol"], ah_only["spi_in"], ah_only["mode"]) == ("AH", "100", "TRANSPORT")
    assert ah_only["local_ts"] == ["FE80::/10[89]"]
    gcm = parsed_real("show_crypto_ipsec_sa_peer", 1)["tunnels"][0]["children"][0]
    assert (gcm["algorithms"]["encryption"], gcm["algorithms"]["key_size"]) == ("esp-gcm", 256)
    assert (gcm["algorithms"]["dh_group"], gcm["lifetime_seconds"]) == ("group20", 4200)
    unavailable = only(parsed_real("show_crypto_ipsec_sa_ipv6_detailed", 1), "4180::151:0:1")
    child = unavailable["children"][0]
    assert (child["state"], child["spi_in"], child["encapsulation"]) == ("INSTALLED", None, True)
    assert child["remote_ts"] == ["4180::151:0:1/128[0/12426]"]
    no_sa = parsed_real("show_crypto_ipsec_sa_detail", 5)["tunnels"][0]["children"][0]
    assert (no_sa["state"], no_sa["spi_out"], no_sa["packets_out"]) == ("DOWN", None, None)


def test_own_session_states():
    device = valid(parse_output(PLATFORM, "show crypto session detail",
                                (DATA / "session-states.txt").read_text()))
    states = {tunnel["name"]: (tunnel["state"], tunnel["native_state"], tunnel["ike"]["negotiation"])
              for tunnel in device["tunnels"]}
    assert states == {
        "203.0.113.10": ("DOWN", "DOWN-NEGOTIATING", {"phase": 1, "step": "DOWN-NEGOTIATING"}),
        "203.0.113.11": ("DOWN", "DOWN-NEGOTIATING", {"phase": 2, "step": "DOWN-NEGOTIATING"}),
        "203.0.113.12": ("ESTABLISHED", "UP-IDLE", None),
        "203.0.113.13": ("UP", "UP-NO-IKE", {"phase": 2, "step": "UP-NO-IKE"}),
        "198.18.0.14": ("DOWN", "DOWN", None),
    }
    idle = only(device, "203.0.113.12")
    assert [child["state"] for child in idle["children"]] == ["DOWN"]
    no_ike = only(device, "203.0.113.13")
    assert (no_ike["ike"]["version"], no_ike["children"][0]["packets_out"]) == (None, 4096)


def test_own_isakmp_states():
    device = valid(parse_output(PLATFORM, "sh cry isa sa", (DATA / "isakmp-states.txt").read_text()))
    tunnels = by_sa_id(device)
    assert (tunnels["1003"]["state"], tunnels["1003"]["ike"]["negotiation"]) == (
        "CONNECTING", {"phase": 1, "step": "MM_KEY_EXCH"})
    assert tunnels["1005"]["ike"]["negotiation"] == {"phase": 1, "step": "AG_INIT_EXCH"}
    # 198.51.100.1 is on every row: it is this router, whichever column it is in
    assert {tunnel["ike"]["local"]["address"] for tunnel in device["tunnels"]} == {"198.51.100.1"}
    # two SAs for 203.0.113.16: the one being deleted does not hide the established one
    peer = only(device, "203.0.113.16")
    assert (peer["state"], peer["ike"]["sa_id"], peer["ike"]["negotiation"]) == ("ESTABLISHED", "1007", None)


def test_own_ikev2_negotiating_and_deleting():
    device = valid(parse_output(PLATFORM, "show crypto ikev2 sa detail",
                                (DATA / "ikev2-negotiating.txt").read_text()))
    negotiating, deleting = device["tunnels"]
    assert (negotiating["state"], negotiating["ike"]["negotiation"]) == (
        "CONNECTING", {"phase": 1, "step": "Initiator waiting for AUTH response"})
    assert (negotiating["ike"]["remote"]["id"], negotiating["ike"]["dpd"]) == (None, None)
    assert (deleting["state"], deleting["ike"]["native_state"], deleting["ike"]["nat_t"]) == (
        "DELETING", "DELETE", "remote")
    assert deleting["ike"]["initiator_spi"] == "7e8f901a2b3c4d5e"


# --- merge -------------------------------------------------------------------------------------------

def test_merge_keeps_configured_down_tunnels_with_their_negotiation_step():
    device = valid(parse_outputs(PLATFORM, [
        ("show crypto isakmp sa", (DATA / "isakmp-states.txt").read_text()),
        ("show crypto session detail", (DATA / "session-states.txt").read_text()),
    ]))
    main_mode = only(device, "203.0.113.10")
    assert (main_mode["state"], main_mode["native_state"], main_mode["configured"]) == (
        "DOWN", "DOWN-NEGOTIATING", True)
    assert main_mode["ike"]["negotiation"] == {"phase": 1, "step": "MM_KEY_EXCH"}
    assert (main_mode["ike"]["native_state"], main_mode["ike"]["sa_id"]) == ("MM_KEY_EXCH", "1003")
    quick_mode = only(device, "203.0.113.11")  # phase 1 up, no IPsec SA yet
    assert (quick_mode["state"], quick_mode["ike"]["native_state"]) == ("DOWN", "QM_IDLE")
    assert quick_mode["ike"]["negotiation"] == {"phase": 2, "step": "DOWN-NEGOTIATING"}
    assert only(device, "198.18.0.14")["state"] == "DOWN"
    # ISAKMP SAs without a session still appear, with the IKE state as the tunnel state
    assert only(device, "203.0.113.15")["state"] == "CONNECTING"
    assert len(device["tunnels"]) == 7


def test_merge_joins_session_ike_and_ipsec_views_of_one_peer():
    session = """Interface: Tunnel10
Session status: UP-ACTIVE
Peer: 10.0.1.2 port 500
  IKEv2 SA: local 10.0.2.2/500 remote 10.0.1.2/500 Active
  IPSEC FLOW: permit ip 0.0.0.0/0.0.0.0 0.0.0.0/0.0.0.0
        Active SAs: 2, origin: crypto map
"""
    device = valid(parse_outputs(PLATFORM, {
        "show crypto ipsec sa": corpus_text(PLATFORM, "show_crypto_ipsec_sa/2.txt"),
        # the IKEv2 sample comes from another lab of the same VyOS guide, which used NAT-T
        "show crypto ikev2 sa": corpus_text(PLATFORM, "show_crypto_ikev2_sa/5.txt").replace(
            "/4500", "/500"),
        "show crypto session": session,
    }))
    tunnel = only(device, "10.0.1.2")
    assert (tunnel["state"], tunnel["ike"]["native_state"], tunnel["ike"]["sa_id"]) == (
        "ESTABLISHED", "READY", "1")
    assert tunnel["status_message"] == "Tunnel10: UP-ACTIVE; 1 of 1 IPsec flows with SAs"
    assert len(tunnel["children"]) == 1
    child = tunnel["children"][0]
    assert (child["state"], child["native_state"], child["spi_in"], child["packets_out"]) == (
        "INSTALLED", "ACTIVE(ACTIVE)", "2740c328", 1295)


def test_merge_corrects_a_guessed_isakmp_direction_by_conn_id():
    detail = ("IPv4 Crypto ISAKMP SA\n\nC-id  Local           Remote          I-VRF  Status Encr"
              " Hash   Auth DH Lifetime Cap.\n\n1002  198.51.100.1    203.0.113.9            ACTIVE"
              " aes  sha    psk  14 23:10:00 D\n       Engine-id:Conn-id =  SW:2\n")
    # one row: the plain table cannot tell which end is ours; here the peer initiated (src)
    plain = ("IPv4 Crypto ISAKMP SA\ndst             src             state          conn-id status\n"
             "198.51.100.1    203.0.113.9     QM_IDLE           1002 ACTIVE\n")
    alone = parse_output(PLATFORM, "show crypto isakmp sa", plain)["tunnels"][0]
    assert alone["name"] == "198.51.100.1"  # the guess (src initiated) is wrong here
    device = valid(parse_outputs(PLATFORM, [("show crypto isakmp sa", plain),
                                            ("show crypto isakmp sa detail", detail)]))
    tunnel = only(device, "203.0.113.9")
    assert (tunnel["state"], tunnel["ike"]["local"]["address"], tunnel["ike"]["rekey_seconds"]) == (
        "ESTABLISHED", "198.51.100.1", 83400)
    assert len(device["tunnels"]) == 1


# --- noise and errors ----------------------------------------------------------------------------------

def test_pager_timestamps_and_syslog_lines_are_ignored():
    text = corpus_text(PLATFORM, "show_crypto_session_detail/5.txt").splitlines()
    noisy = ["Load for five secs: 2%/0%; one minute: 3%; five minutes: 3%",
             "Time source is NTP, 10:22:33.123 UTC Mon Mar 4 2024", ""] + text[:12] + [
        " --More-- \x08\x08\x08\x08\x08\x08\x08\x08\x08        \x08\x08\x08\x08\x08\x08\x08\x08\x08"
        + text[12],
        "*Mar  4 10:22:34.001 UTC: %CRYPTO-6-ISAKMP_ON_OFF: ISAKMP is ON"] + text[13:]
    tunnel = only(parse_output(PLATFORM, "show crypto session detail", "\n".join(noisy)), "11.0.2.1")
    assert (tunnel["state"], tunnel["children"][0]["packets_out"]) == ("ESTABLISHED", 772730)


def test_empty_outputs_are_no_tunnels():
    for command, text in (("show crypto session detail", "Crypto session current status\n\n"),
                          ("show crypto ikev2 sa detail", " IPv4 Crypto IKEv2  SA\n\n IPv6 Crypto IKEv2  SA\n"),
                          ("show crypto isakmp sa", "IPv4 Crypto ISAKMP SA\ndst src state conn-id status\n"),
                          ("show crypto ipsec sa", "")):
        assert parse_output(PLATFORM, command, text)["tunnels"] == []


SESSION_CUT = """Interface: Tunnel1
Session status: UP-ACTIVE
Peer: 203.0.113.1 port 500
  IKEv2 SA: local 198.51.100.1/500 remote 203.0.113.1/500 Active
  IPSEC FLOW: permit ip 0.0.0.0/0.0.0.0 0.0.0.0/0.0.0.0
"""
IKEV2_CUT = """Tunnel-id Local                 Remote                fvrf/ivrf            Status
1         198.51.100.1/500      203.0.113.1/500       none/none            READY
"""


@pytest.mark.parametrize("command, text, expected", [
    ("show crypto session detail", "hello world\nfoo bar\n", "'Interface: NAME' starting"),
    ("show crypto session detail", SESSION_CUT, "'Active SAs: N' after an IPSEC FLOW"),
    ("show crypto session detail", "Interface: Tunnel1\nProfile: X\n", "a complete session"),
    ("show crypto session detail", SESSION_CUT.replace("Peer: 203.0.113.1 port 500", "Peer: x"),
     "'Peer: ADDRESS port N'"),
    ("show crypto session detail", SESSION_CUT + "        Active SAs: 2, origin: crypto map\n"
     + "  IPSEC FLOW: deny everything\n        Active SAs: 0, origin: crypto map\n", "IPSEC FLOW"),
    ("show crypto ikev2 sa detail", "<html><body>502</body></html>", "an IKEv2 SA row"),
    ("show crypto ikev2 sa detail", IKEV2_CUT, "a complete IKEv2 SA"),
    ("show crypto isakmp sa", "IPv4 Crypto ISAKMP SA\n203.0.113.1 198.51.100.1 QM_ID", "an ISAKMP SA row"),
    ("show crypto isakmp sa detail", "1002  198.51.100.1    203.0.113.9  ACTIVE aes",
     "an ISAKMP SA detail row"),
    ("show crypto ipsec sa", "garbage\n", "'interface: NAME'"),
    ("show crypto ipsec sa", "interface: Tunnel1\n   local  ident (addr/mask/prot/port): "
     "(0.0.0.0/0.0.0.0/0/0)\n   current_peer 1.2.3.4 port 500\n     inbound esp sas:\n",
     "closing the last flow"),
    ("show crypto ipsec sa", "        ^\n% Invalid input detected at '^' marker.\n", "IOS answered"),
    ("show crypto ikev2 sa detail", "% IKEv2 is disabled\n", "IOS answered"),
])
def test_unknown_text_raises_parse_error_naming_platform_and_command(command, text, expected):
    error = assert_parse_error(PLATFORM, command, text, expected)
    assert error.command == cisco_ios.command_key(command)  # parse() names the command family it was given


def test_truncated_ipsec_output_of_a_real_sample_raises():
    text = corpus_text(PLATFORM, "show_crypto_ipsec_sa_detail/1.txt")
    cut = text[:text.rindex("outbound esp sas:")]  # the second flow stops in its SA lists
    assert_parse_error(PLATFORM, "show crypto ipsec sa", cut, "truncated")


@pytest.mark.parametrize("command", [
    "show crypto session brief", "show crypto ipsec sa count", "show crypto isakmp peer 1.1.1.2",
    "show crypto session detail | include Peer", "show crypto map", "show dmvpn",
    "show crypto ipsec sa address", "show version",
])
def test_unsupported_commands_raise_parse_error(command):
    assert_refused_command(PLATFORM, command)


# --- commands --------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, key", [
    ("show crypto session detail", cisco_ios.SESSION),
    ("sh cry ses det", cisco_ios.SESSION),
    ("SHOW CRYPTO SESSION REMOTE 203.0.113.1 DETAIL", cisco_ios.SESSION),
    ("show crypto session interface Tunnel1", cisco_ios.SESSION),
    ("sh crypto ikev2 sa detailed", cisco_ios.IKEV2_SA),
    ("show crypto ikev2 session detailed", cisco_ios.IKEV2_SESSION),
    ("sh cry isa sa", cisco_ios.ISAKMP_SA),
    ("show crypto isakmp sa standby", cisco_ios.ISAKMP_SA),
    ("show crypto isakmp sa det", cisco_ios.ISAKMP_SA_DETAIL),
    ("sh cry ips sa peer 203.0.113.1 detail", cisco_ios.IPSEC_SA),
    ("show crypto ipsec sa ipv6 detailed", cisco_ios.IPSEC_SA),
    ("show crypto ipsec sa interface det", cisco_ios.IPSEC_SA),  # an interface named "det"
    ("show crypto ipsec sa peer", None),  # the address is missing
    ("show crypto ipsec sa bogus", None),
    ("show crypto", None),
    ("", None),
])
def test_command_forms(typed, key):
    assert cisco_ios.command_key(typed) == key


def test_gather_commands():
    commands = cisco_ios.gather_commands({})
    assert commands == ["show crypto session detail", "show crypto ikev2 sa detail",
                        "show crypto isakmp sa detail", "show crypto isakmp sa",
                        "show crypto ipsec sa"]
    assert all(cisco_ios.command_key(command) for command in commands)
    assert "show crypto ikev2 sa detail" not in cisco_ios.gather_commands({"cisco_ios_ikev2": False})


# --- round trip through the emulated device ----------------------------------------------------------

def emulated(index):
    return example_device(vendor, index)


def gather(device):
    return rendered(vendor, device)


# packet counters keep counting after the render: the facts may trail the device
COUNTERS = dict.fromkeys(("packets_in", "packets_out"), grows())


@pytest.mark.parametrize("index", [0, 1, 2])
def test_round_trip_through_the_emulated_device(index):
    facts, _truth = assert_round_trip(vendor, index, bounds=COUNTERS)
    states = {tunnel["state"] for tunnel in facts}
    assert {"ESTABLISHED", "DOWN"} <= states
    assert any(child["state"] == "DOWN" for tunnel in facts if tunnel["state"] == "ESTABLISHED"
               for child in tunnel["children"]), "a degraded tunnel: up with a flow down"


def test_example_devices_are_deterministic_and_use_documentation_addresses():
    assert vendor.example_tunnels(1) == vendor.example_tunnels(1)
    # either block on either side, and route-based tunnels select 0.0.0.0/0
    allowed = DOCUMENTATION_PREFIXES + BENCHMARK_PREFIXES
    assert_documentation_addresses([tunnel for index in range(3) for tunnel in vendor.example_tunnels(index)],
                                   peers=allowed, selectors=allowed + ("0.0.0.0/0",))


def test_resets_take_tunnels_down_as_ios_shows_them():
    device = emulated(0)
    device.reset_delay = 3600  # nothing comes back while the test looks
    peer = device.state()[0]["name"]
    assert vendor.reset(device, "clear crypto session remote %s" % peer) == ""
    facts = valid(parse_outputs(PLATFORM, gather(device)))
    reset = only(facts, peer)
    assert (reset["state"], reset["native_state"], reset["ike"]["sa_id"]) == ("DOWN", "DOWN", None)
    assert [(child["state"], child["spi_in"]) for child in reset["children"]] == [("DOWN", None)]

    crypto_map_peer = device.state()[2]["name"]
    vendor.reset(device, "clear crypto sa peer %s" % crypto_map_peer)
    idle = only(parse_outputs(PLATFORM, gather(device)), crypto_map_peer)
    assert (idle["state"], idle["native_state"], idle["ike"]["native_state"]) == (
        "ESTABLISHED", "UP-IDLE", "READY")
    assert {child["state"] for child in idle["children"]} == {"DOWN"}

    vendor.reset(device, "clear crypto ikev2 sa")
    assert [command for command, _names in device.reset_log] == [
        "clear crypto session remote %s" % peer, "clear crypto sa peer %s" % crypto_map_peer,
        "clear crypto ikev2 sa"]
    assert device.reset_log[-1][1] == [device.state()[1]["name"], crypto_map_peer]
    assert vendor.reset(device, "clear crypto isakmp") == ""  # the IKEv1 peer is not up
    assert device.reset_log[-1][1] == []
    assert vendor.reset(device, "show crypto session") is None
    assert vendor.render(device, "show crypto gdoi") is None


def test_reset_tunnels_come_back_with_new_spis():
    device = emulated(1)
    device.reset_delay = 0
    before = parse_outputs(PLATFORM, gather(device))["tunnels"][0]
    vendor.reset(device, "clear crypto session")
    after = parse_outputs(PLATFORM, gather(device))["tunnels"][0]
    assert after["state"] == "ESTABLISHED"
    assert after["children"][0]["spi_in"] != before["children"][0]["spi_in"]
    assert after["ike"]["sa_id"] != before["ike"]["sa_id"]

# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""traffic_rates: rates from counter deltas, and counter resets (rekeys with new SPIs, cleared
counters, reinstalled SAs without SPIs, reconnected OpenVPN clients) that never give negative
or absurd rates. Facts are parsed from vendor text or are the emulator vendors' examples; every
expected rate is worked out here from the counters the test wrote."""

from __future__ import annotations


import copy

import pytest
from ansible.errors import AnsibleFilterError

import filter_examples as ex
import history_examples as hx
from ansible_collections.vpnops.tunnels.plugins.filter import traffic_rates as filter_module
from ansible_collections.vpnops.tunnels.plugins.module_utils.parsers import parse_outputs

traffic_rates = filter_module.FilterModule().filters()["traffic_rates"]

RATE_KEYS = {"host", "tunnel", "child", "seconds", "bps_in", "bps_out", "pps_in", "pps_out",
             "counter_reset", "note"}
DC, BRANCH = "198.51.100.7", "203.0.113.20"
CONNS = (hx.conn("to-dc", DC, [("net", "10.1.0.0/16", "10.2.0.0/16"),
                               ("voice", "10.1.9.0/24", "10.2.9.0/24")])
         + hx.conn("to-branch", BRANCH, [("lan", "10.1.0.0/16", "10.3.0.0/16")]))
NETS = {"net": ("10.1.0.0/16", "10.2.0.0/16"), "voice": ("10.1.9.0/24", "10.2.9.0/24"),
        "lan": ("10.1.0.0/16", "10.3.0.0/16")}


class Sa:
    """A child SA as the test writes it: SPIs, counters (bytes and packets in and out), age."""

    def __init__(self, spi_in, spi_out, bytes_in, packets_in, bytes_out, packets_out, installed,
                 state="INSTALLED"):
        self.spi_in, self.spi_out = spi_in, spi_out
        self.bytes_in, self.packets_in = bytes_in, packets_in
        self.bytes_out, self.packets_out = bytes_out, packets_out
        self.installed, self.state = installed, state

    def text(self, name, uniqueid):
        return hx.child_sa(name, self.spi_in, self.spi_out, self.bytes_in, self.packets_in,
                           self.bytes_out, self.packets_out, installed=self.installed,
                           state=self.state, uniqueid=uniqueid, nets=NETS[name])

    def grown(self, seconds, bytes_in, packets_in, bytes_out, packets_out):
        return Sa(self.spi_in, self.spi_out, self.bytes_in + bytes_in, self.packets_in + packets_in,
                  self.bytes_out + bytes_out, self.packets_out + packets_out,
                  self.installed + seconds)


def gateway(collected_at, dc_children, branch_children=None, host="gw1"):
    """gw1's facts: to-dc with its children [(name, Sa)], to-branch with lan (or DOWN)."""
    uniqueid = iter(range(1, 100))
    sas = hx.ike_sa("to-dc", DC, [sa.text(name, next(uniqueid)) for name, sa in dc_children],
                    uniqueid=1)
    if branch_children:
        sas += hx.ike_sa("to-branch", BRANCH, [sa.text(name, next(uniqueid))
                                               for name, sa in branch_children], uniqueid=2)
    return hx.strongswan(host, collected_at, CONNS, sas)


NET = Sa("c5cd0d88", "cf1f2f3b", 36000, 40, 72000, 60, installed=600)
VOICE = Sa("c1111111", "c2222222", 5000, 50, 6000, 60, installed=600)
LAN = Sa("c3333333", "c4444444", 800, 8, 900, 9, installed=600)
BASE = gateway(hx.T0, [("net", NET), ("voice", VOICE)], [("lan", LAN)])


def example(platform, index=0):
    """An emulator vendor's example device, collected at T0."""
    return hx.stamped(ex.device(platform, index), hx.T0)


def rates(old_facts, new_facts, host="gw1"):
    return traffic_rates(hx.snapshot(hx.T0, {host: old_facts}), hx.snapshot(hx.T1, {host: new_facts}))


def row(rows, tunnel, child=None):
    [found] = [r for r in rows if r["tunnel"] == tunnel and r["child"] == child]
    return found


def expected(seconds, bytes_in, bytes_out, packets_in, packets_out):
    """bps and pps as a person works them out: bytes x 8 / seconds, packets / seconds."""
    return {"seconds": seconds, "bps_in": bytes_in * 8 / seconds, "bps_out": bytes_out * 8 / seconds,
            "pps_in": packets_in / seconds, "pps_out": packets_out / seconds}


def measured(found):
    return {key: found[key] for key in ("seconds", "bps_in", "bps_out", "pps_in", "pps_out")}


# --- steady counters ----------------------------------------------------------------------------

def test_steady_counters_give_the_delta_over_the_interval_and_totals_add_up():
    net = NET.grown(300, 300000, 3000, 600000, 4500)
    voice = VOICE.grown(300, 24000, 300, 24000, 300)
    lan = LAN.grown(300, 0, 0, 1500, 15)
    rows = rates(BASE, gateway(hx.T1, [("net", net), ("voice", voice)], [("lan", lan)]))
    assert [(r["tunnel"], r["child"]) for r in rows] == [
        ("to-branch", None), ("to-branch", "lan"), ("to-dc", None), ("to-dc", "net"), ("to-dc", "voice")]
    assert all(set(r) == RATE_KEYS and r["host"] == "gw1" and r["counter_reset"] is False
               and r["note"] is None for r in rows)
    assert measured(row(rows, "to-dc", "net")) == pytest.approx(expected(300, 300000, 600000, 3000, 4500))
    assert measured(row(rows, "to-dc", "voice")) == pytest.approx(expected(300, 24000, 24000, 300, 300))
    assert measured(row(rows, "to-dc")) == pytest.approx(expected(300, 324000, 624000, 3300, 4800))
    assert measured(row(rows, "to-branch", "lan")) == pytest.approx(expected(300, 0, 1500, 0, 15))
    assert measured(row(rows, "to-branch")) == measured(row(rows, "to-branch", "lan"))


def test_the_interval_is_between_the_facts_collected_at_not_the_snapshots_taken_at():
    later = gateway("2026-11-21T18:05:30Z", [("net", NET.grown(330, 33000, 33, 66000, 66))])
    found = row(rates(BASE, later), "to-dc", "net")
    assert measured(found) == pytest.approx(expected(330, 33000, 66000, 33, 66))


def test_without_collected_at_the_snapshots_taken_at_make_the_interval():
    before, after = copy.deepcopy(BASE), gateway(hx.T1, [("net", NET.grown(300, 3000, 3, 6000, 6))])
    del before["collected_at"], after["collected_at"]
    assert row(rates(before, after), "to-dc", "net")["bps_in"] == pytest.approx(3000 * 8 / 300)


# --- counter resets ------------------------------------------------------------------------------

def test_a_rekey_with_new_spis_counts_from_the_new_sa_over_its_installed_seconds():
    rekeyed = Sa("c9000001", "c9000002", 1200, 10, 2400, 20, installed=40)   # fresh counters
    voice = VOICE.grown(300, 3000, 30, 6000, 60)
    rows = rates(BASE, gateway(hx.T1, [("net", rekeyed), ("voice", voice)], [("lan", LAN.grown(300, 0, 0, 0, 0))]))
    net = row(rows, "to-dc", "net")
    assert measured(net) == pytest.approx(expected(40, 1200, 2400, 10, 20))
    assert net["counter_reset"] is True
    assert net["note"] == "rekeyed: new SPI c9000001: rate over the 40 s since it was installed"
    total = row(rows, "to-dc")
    assert total["bps_in"] == pytest.approx(1200 * 8 / 40 + 3000 * 8 / 300)
    assert total["pps_out"] == pytest.approx(20 / 40 + 60 / 300)
    assert (total["seconds"], total["counter_reset"]) == (300, True)
    assert total["note"] == "net: " + net["note"]
    assert row(rows, "to-dc", "voice")["counter_reset"] is False


@pytest.mark.parametrize("installed, window", [(900, 300), (100, 100)])
def test_counters_cleared_on_the_device_count_over_min_of_interval_and_installed(installed, window):
    cleared = Sa(NET.spi_in, NET.spi_out, 4000, 5, 8000, 10, installed=installed)   # same SPIs, lower
    net = row(rates(BASE, gateway(hx.T1, [("net", cleared)])), "to-dc", "net")
    assert measured(net) == pytest.approx(expected(window, 4000, 8000, 5, 10))
    assert net["counter_reset"] is True
    assert net["note"].startswith("counters went lower (cleared on the device): rate over the %d s" % window)
    assert min(net[key] for key in ("bps_in", "bps_out", "pps_in", "pps_out")) >= 0


def test_a_rekey_in_progress_adds_the_old_and_the_new_sa_over_the_interval():
    old = NET.grown(290, 29000, 29, 58000, 58)
    old.state = "REKEYED"
    new = Sa("c9000001", "c9000002", 1000, 1, 2000, 2, installed=10)
    net = row(rates(BASE, gateway(hx.T1, [("net", old), ("net", new)])), "to-dc", "net")
    assert measured(net) == pytest.approx(expected(300, 29000 + 1000, 58000 + 2000, 29 + 1, 58 + 2))
    assert net["counter_reset"] is True
    assert net["note"] == "rekeyed: new SPI c9000001: the counters of its 2 SAs added up over 300 s"


def test_a_reset_whose_sa_age_is_not_reported_gives_null_rates_and_an_unknown_total():
    before = example("cisco_asa")   # ASA reports no installed_seconds
    after = hx.moved(before, hx.T1)
    hub = hx.find(after, "hub-0")
    cleared, rekeyed = hub["children"]
    cleared.update(bytes_in=10, bytes_out=10, packets_in=1, packets_out=1)
    rekeyed.update(spi_in="deadbeef", spi_out="beefdead")
    rows = rates(before, after, "cisco_asa-0")
    for child, reason in ((cleared["name"], "counters went lower (cleared on the device)"),
                          (rekeyed["name"], "rekeyed: new SPI deadbeef")):
        found = row(rows, "hub-0", child)
        assert (found["seconds"], found["bps_in"], found["pps_out"], found["counter_reset"]) == (None, None, None, True)
        assert found["note"] == reason + ", and the time since it was installed is not reported: rate unknown"
    total = row(rows, "hub-0")
    assert (total["bps_in"], total["bps_out"], total["counter_reset"]) == (None, None, True)
    assert total["note"] == "rate unknown for %s, %s" % (cleared["name"], rekeyed["name"])


def test_an_sa_without_spis_reinstalled_during_the_interval_is_a_reset_even_with_higher_counters():
    before = example("vyos")   # VyOS reports no SPIs
    after = hx.moved(before, hx.T1)
    child = hx.find(after, "branch-0")["children"][0]
    old = hx.find(before, "branch-0")["children"][0]
    child.update(installed_seconds=100, bytes_in=old["bytes_in"] + 50000, bytes_out=old["bytes_out"] + 100,
                 packets_in=old["packets_in"] + 70, packets_out=old["packets_out"] + 2)
    found = row(rates(before, after, "vyos-0"), "branch-0", child["name"])
    assert measured(found) == pytest.approx(expected(100, child["bytes_in"], child["bytes_out"],
                                                     child["packets_in"], child["packets_out"]))
    assert found["note"] == "installed after the previous facts were read: rate over the 100 s since it was installed"
    # installed before the previous facts: the same SA, its delta over the interval
    steady = hx.moved(before, hx.T1)
    steady_child = hx.find(steady, "branch-0")["children"][0]
    steady_child.update(installed_seconds=old["installed_seconds"] + 300, bytes_in=old["bytes_in"] + 600)
    found = row(rates(before, steady, "vyos-0"), "branch-0", child["name"])
    assert (found["bps_in"], found["counter_reset"]) == (pytest.approx(600 * 8 / 300), False)


KEY_A = "A" * 43 + "="
KEY_B = "B" * 43 + "="


def test_wireguard_transfer_counters_and_an_interface_recreated():
    t0, t1 = hx.epoch_of(hx.T0), hx.epoch_of(hx.T1)
    before = hx.wireguard_host("wg1", hx.T0, t0, [
        hx.wg_peer("wg0", KEY_A, "198.51.100.9:51820", "10.9.0.2/32", t0 - 30, 1000000, 2000000),
        hx.wg_peer("wg0", KEY_B, "198.51.100.10:51820", "10.9.0.3/32", t0 - 30, 500000, 600000),
    ])
    after = hx.wireguard_host("wg1", hx.T1, t1, [
        hx.wg_peer("wg0", KEY_A, "198.51.100.9:51820", "10.9.0.2/32", t1 - 20, 1150000, 2090000),
        hx.wg_peer("wg0", KEY_B, "198.51.100.10:51820", "10.9.0.3/32", t1 - 20, 4000, 5000),  # wg-quick down/up
    ])
    rows = rates(before, after, "wg1")
    steady = row(rows, "wg0:" + KEY_A, "wg0")
    assert (steady["bps_in"], steady["bps_out"]) == (pytest.approx(150000 * 8 / 300), pytest.approx(90000 * 8 / 300))
    assert (steady["pps_in"], steady["pps_out"]) == (None, None)   # wg counts no packets
    assert row(rows, "wg0:" + KEY_A) == dict(steady, child=None)
    reset = row(rows, "wg0:" + KEY_B, "wg0")
    assert (reset["bps_in"], reset["counter_reset"]) == (None, True)
    assert reset["note"] == ("counters went lower (cleared on the device), and the time since it"
                             " was installed is not reported: rate unknown")


def test_openvpn_clients_continuing_reconnected_new_and_not_connected():
    t0, t1 = hx.epoch_of(hx.T0), hx.epoch_of(hx.T1)
    expected_clients = ["alice", "bob", "carol", "dave"]
    before = hx.openvpn_server("ovpn1", hx.T0, t0, [
        hx.status_client("alice", "203.0.113.7", "10.8.0.2", 5000, 9000, t0 - 600, 4),
        hx.status_client("bob", "203.0.113.8", "10.8.0.3", 100000, 200000, t0 - 500, 5),
        hx.status_client("carol", "203.0.113.9", "10.8.0.4", 300, 400, t0 - 400, 6),
    ], expected=expected_clients)
    after = hx.openvpn_server("ovpn1", hx.T1, t1, [
        hx.status_client("alice", "203.0.113.7", "10.8.0.2", 6500, 12000, t0 - 600, 4),
        hx.status_client("bob", "203.0.113.8", "10.8.0.3", 150000, 250000, t1 - 30, 11),  # reconnected
        hx.status_client("dave", "198.51.100.4", "10.8.0.5", 700, 800, t1 - 20, 12),
    ], expected=expected_clients)
    rows = rates(before, after, "ovpn1")
    assert [r["child"] for r in rows] == [None, "alice", "bob", "dave", "carol"]
    alice, bob, dave, carol = (row(rows, "server", name) for name in ("alice", "bob", "dave", "carol"))
    assert (alice["seconds"], alice["bps_in"], alice["bps_out"]) == (300, pytest.approx(1500 * 8 / 300), pytest.approx(3000 * 8 / 300))
    assert (alice["pps_in"], alice["counter_reset"]) == (None, False)
    # bob's new session counts from its connection 30 s ago, even though its counters went up
    assert (bob["seconds"], bob["bps_in"], bob["bps_out"]) == (30, pytest.approx(150000 * 8 / 30), pytest.approx(250000 * 8 / 30))
    assert bob["counter_reset"] is True
    assert bob["note"] == "reconnected (connected since 2026-11-21T18:04:30Z): rate over the 30 s since it was connected"
    assert (dave["seconds"], dave["bps_in"]) == (20, pytest.approx(700 * 8 / 20))
    assert dave["note"] == "new since the previous facts: rate over the 20 s since it was connected"
    assert (carol["bps_in"], carol["note"]) == (None, "client not connected")
    total = row(rows, "server")
    assert total["bps_in"] == pytest.approx(1500 * 8 / 300 + 150000 * 8 / 30 + 700 * 8 / 20)
    assert (total["seconds"], total["counter_reset"], total["pps_in"]) == (300, True, None)


# --- null counters ------------------------------------------------------------------------------

def test_platforms_without_counters_and_sas_not_installed_give_null_rates_with_a_note():
    before = example("juniper_srx")
    rows = rates(before, hx.moved(before, hx.T1), "juniper_srx-0")
    hq = row(rows, "vpn-hq-0", "vpn-hq-0")
    assert (hq["bps_in"], hq["pps_out"], hq["note"]) == (None, None, "no counters reported by the platform")
    down = row(rows, "vpn-dr-0", "vpn-dr-0")
    assert (down["bps_in"], down["note"]) == (None, "no SA installed")
    assert row(rows, "vpn-dr-0")["note"] == "no SA installed"
    asa = example("cisco_asa")
    no_child = row(rates(asa, hx.moved(asa, hx.T1), "cisco_asa-0"), "203.0.113.3")
    assert (no_child["bps_in"], no_child["note"]) == (None, "no child SA")


def test_an_openvpn_client_process_has_no_counters_to_rate():
    state = "1763748000,CONNECTED,SUCCESS,10.8.0.6,198.51.100.1,1194,,\nEND\n"
    before = hx.stamped(parse_outputs("openvpn", {"state": state}, hostname="c1"), hx.T0)
    [total] = rates(before, hx.moved(before, hx.T1), "c1")
    assert (total["tunnel"], total["bps_in"], total["note"]) == (
        "client", None, "an OpenVPN client process reports no counters")


def test_a_tunnel_that_came_up_counts_from_its_installation():
    down = gateway(hx.T0, [("net", NET), ("voice", VOICE)])          # to-branch DOWN, no SA
    up = gateway(hx.T1, [("net", NET.grown(300, 0, 0, 0, 0)), ("voice", VOICE.grown(300, 0, 0, 0, 0))],
                 [("lan", Sa("c7777777", "c8888888", 9000, 9, 4500, 5, installed=90))])
    lan = row(rates(down, up), "to-branch", "lan")
    assert measured(lan) == pytest.approx(expected(90, 9000, 4500, 9, 5))
    assert lan["note"] == "new since the previous facts: rate over the 90 s since it was installed"


# --- intervals ------------------------------------------------------------------------------------

@pytest.mark.parametrize("collected_at, seconds, note", [
    (hx.T0, 0, "both facts collected at 2026-11-21T18:00:00Z: no interval to measure over"),
    ("2026-11-21T17:59:30Z", -30, "facts collected 30 s before the previous ones"),
    ("not a time", None, "no usable collection time"),
])
def test_an_interval_of_zero_or_less_gives_null_rates_with_a_note(collected_at, seconds, note):
    after = gateway(collected_at, [("net", NET.grown(0, 5, 5, 5, 5))], [("lan", LAN)])
    rows = rates(BASE, after)
    assert len(rows) == 5   # every tunnel and child still has its row
    for found in rows:
        assert found["seconds"] == seconds
        assert (found["bps_in"], found["bps_out"], found["pps_in"], found["pps_out"]) == (None,) * 4
        assert note in found["note"]


# --- which hosts -----------------------------------------------------------------------------------

@pytest.mark.parametrize("previous", [None, {}, []])
def test_first_run_gives_no_rates(previous):
    assert traffic_rates(previous, hx.snapshot(hx.T1, {"gw1": BASE})) == []


def test_only_hosts_with_facts_in_both_snapshots_have_rows_sorted_by_host():
    after = gateway(hx.T1, [("net", NET.grown(300, 300, 3, 300, 3))])
    previous = hx.snapshot(hx.T0, {"zz": BASE, "aa": BASE, "gone": BASE, "down": BASE})
    current = hx.snapshot(hx.T1, {"zz": after, "aa": after, "new": after, "down": None},
                          {"down": "timed out"})
    assert [r["host"] for r in traffic_rates(previous, current) if r["child"] is None] == ["aa", "aa", "zz", "zz"]


def test_with_the_history_a_host_is_measured_since_the_last_run_that_gathered_it():
    history = [hx.snapshot(hx.T0, {"gw1": BASE}), hx.snapshot(hx.T1, {"gw1": None}, {"gw1": "timed out"})]
    later = gateway("2026-11-21T18:10:00Z", [("net", NET.grown(600, 6000, 6, 12000, 12))])
    found = row(traffic_rates(history, hx.snapshot("2026-11-21T18:10:00Z", {"gw1": later})), "to-dc", "net")
    assert measured(found) == pytest.approx(expected(600, 6000, 12000, 6, 12))


def test_no_rate_is_ever_negative_over_every_vendor_with_every_counter_reset():
    for platform in ex.VENDORS:
        before = example(platform)
        after = hx.moved(before, hx.T1)
        for tunnel in after["tunnels"]:
            for child in tunnel["children"]:
                for key in ("bytes_in", "bytes_out", "packets_in", "packets_out"):
                    if child[key]:
                        child[key] //= 3    # every counter lower: reset everywhere
        rows = rates(before, after, before["hostname"])
        assert rows, platform
        for found in rows:
            for key in ("bps_in", "bps_out", "pps_in", "pps_out"):
                assert found[key] is None or 0 <= found[key] < 1e12, (platform, found)


def test_bad_input_is_a_filter_error():
    with pytest.raises(AnsibleFilterError, match="traffic_rates: the current argument is required"):
        traffic_rates(hx.snapshot(hx.T0, {}))
    with pytest.raises(AnsibleFilterError, match="traffic_rates: previous: expected a snapshot"):
        traffic_rates(42, hx.snapshot(hx.T1, {}))
    with pytest.raises(AnsibleFilterError, match="unknown argument"):
        traffic_rates(hx.snapshot(hx.T0, {}), hx.snapshot(hx.T1, {}), health={})

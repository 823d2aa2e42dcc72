# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""rate_alerts: one-way tunnels, bandwidth and packet rates over the rows traffic_rates
computes from two realistic snapshots, and strict rule checking."""

from __future__ import annotations


import copy

import pytest
from ansible.errors import AnsibleFilterError

import history_examples as hx
from ansible_collections.vpnops.tunnels.plugins.filter import rate_alerts as filter_module
from ansible_collections.vpnops.tunnels.plugins.filter.traffic_rates import traffic_rates

rate_alerts = filter_module.FilterModule().filters()["rate_alerts"]

ALERT_KEYS = {"host", "tunnel", "child", "rule", "severity", "message", "value", "threshold"}
DC, BRANCH = "198.51.100.7", "203.0.113.20"
CONNS = (hx.conn("to-dc", DC, [("net", "10.1.0.0/16", "10.2.0.0/16"), ("voice", "10.1.9.0/24", "10.2.9.0/24")])
         + hx.conn("to-branch", BRANCH, [("lan", "10.1.0.0/16", "10.3.0.0/16")]))
VOICE_NETS, LAN_NETS = ("10.1.9.0/24", "10.2.9.0/24"), ("10.1.0.0/16", "10.3.0.0/16")

# counters at T0 and what each child carried in the 300 s to T1 (bytes in, packets in, bytes out, packets out)
NET_T0, NET_MOVED = (36000, 40, 72000, 60), (3000000, 30000, 1500000, 15000)    # 80 / 40 kbit/s
VOICE_T0, VOICE_MOVED = (5000, 50, 6000, 60), (0, 0, 300000, 3000)               # one-way out
LAN_T0, LAN_MOVED = (800, 8, 900, 9), (600, 6, 900, 9)                           # a trickle


def counters(start, moved=(0, 0, 0, 0)):
    return tuple(a + b for a, b in zip(start, moved))


def gateway(host, collected_at, net, voice, lan):
    sas = hx.ike_sa("to-dc", DC, [
        hx.child_sa("net", "c5cd0d88", "cf1f2f3b", *net, uniqueid=1),
        hx.child_sa("voice", "c1111111", "c2222222", *voice, uniqueid=2, nets=VOICE_NETS),
    ]) + hx.ike_sa("to-branch", BRANCH, [hx.child_sa("lan", "c3333333", "c4444444", *lan, uniqueid=3,
                                                     nets=LAN_NETS)], uniqueid=5)
    return hx.strongswan(host, collected_at, CONNS, sas)


def fleet_rates(hosts=("gw1", "gw2")):
    previous = hx.snapshot(hx.T0, {host: gateway(host, hx.T0, NET_T0, VOICE_T0, LAN_T0) for host in hosts})
    current = hx.snapshot(hx.T1, {host: gateway(host, hx.T1, counters(NET_T0, NET_MOVED),
                                                counters(VOICE_T0, VOICE_MOVED), counters(LAN_T0, LAN_MOVED))
                                  for host in hosts})
    return traffic_rates(previous, current)


RATES = fleet_rates()
SECONDS = 300


def bps(moved_bytes):
    return moved_bytes * 8 / SECONDS


def brief(alerts):
    return [(a["host"], a["tunnel"], a["child"], a["rule"]) for a in alerts]


# --- the three kinds ---------------------------------------------------------------------------

def test_one_way_child_sa_is_found_on_child_rows_by_default():
    rules = [{"name": "one-way", "kind": "inbound_below_while_outbound", "bps": 1, "severity": "high"}]
    alerts = rate_alerts(RATES, rules)
    assert brief(alerts) == [("gw1", "to-dc", "voice", "one-way"), ("gw2", "to-dc", "voice", "one-way")]
    first = alerts[0]
    assert set(first) == ALERT_KEYS
    assert (first["severity"], first["value"], first["threshold"]) == ("high", 0, 1)
    assert first["message"] == "one-way traffic: inbound 0 bit/s (below 1 bit/s) while outbound carries 8.0 kbit/s"
    assert bps(VOICE_MOVED[2]) == 8000  # what the message says


def test_one_way_needs_the_outbound_minimum_and_can_check_tunnel_totals():
    # lan: 16 bit/s in, 24 bit/s out; below 20 bit/s in, but outbound under the default 1000
    loose = [{"name": "quiet-in", "kind": "inbound_below_while_outbound", "bps": 20, "tunnels": "to-branch"}]
    assert rate_alerts(RATES, loose) == []
    loose[0]["outbound_min_bps"] = 20
    assert brief(rate_alerts(RATES, loose)) == [("gw1", "to-branch", "lan", "quiet-in"),
                                                ("gw2", "to-branch", "lan", "quiet-in")]
    # the to-dc total carries net's inbound, so the tunnel as a whole is not one-way
    totals = [{"name": "one-way", "kind": "inbound_below_while_outbound", "bps": 1, "level": "tunnel"}]
    assert rate_alerts(RATES, totals) == []


@pytest.mark.parametrize("bps_in, bps_out, fires", [
    (999.9, 1000.0, True), (1000.0, 1000.0, False),   # inbound below the threshold, not at it
    (0.0, 999.9, False), (0.0, 1000.0, True),         # outbound at least the minimum
])
def test_one_way_boundaries(bps_in, bps_out, fires):
    rows = [{"host": "h", "tunnel": "t", "child": "c", "bps_in": bps_in, "bps_out": bps_out,
             "pps_in": None, "pps_out": None}]
    rules = [{"name": "ow", "kind": "inbound_below_while_outbound", "bps": 1000}]
    assert len(rate_alerts(rows, rules)) == (1 if fires else 0)


def test_bandwidth_above_sums_in_and_out_on_tunnel_totals():
    total_bits = bps(NET_MOVED[0] + VOICE_MOVED[0]) + bps(NET_MOVED[2] + VOICE_MOVED[2])   # 128 kbit/s
    rules = [{"name": "busy", "kind": "bandwidth_above", "bps": 100000, "hosts": "gw2"}]
    [alert] = rate_alerts(RATES, rules)
    assert brief([alert]) == [("gw2", "to-dc", None, "busy")]
    assert (alert["value"], alert["threshold"], alert["severity"]) == (pytest.approx(total_bits), 100000, "medium")
    assert alert["message"] == "128.0 kbit/s in and out (above 100.0 kbit/s): in 80.0 kbit/s, out 48.0 kbit/s"
    assert rate_alerts(RATES, [dict(rules[0], bps=total_bits)]) == []   # above, not at


def test_packets_above_and_levels():
    pps = (NET_MOVED[1] + NET_MOVED[3]) / SECONDS   # net: 150 packets/s
    rules = [{"name": "pps", "kind": "packets_above", "pps": 149, "level": "any", "hosts": ["gw1"]}]
    alerts = rate_alerts(RATES, rules)
    assert brief(alerts) == [("gw1", "to-dc", None, "pps"), ("gw1", "to-dc", "net", "pps")]
    assert alerts[1]["value"] == pytest.approx(pps)
    assert alerts[1]["message"] == "150 packets/s in and out (above 149): in 100, out 50"


def test_globs_select_hosts_and_tunnels_and_rules_keep_their_order_per_row():
    rules = [{"name": "b", "kind": "bandwidth_above", "bps": 0, "tunnels": ["to-b*"], "severity": "low"},
             {"name": "a", "kind": "packets_above", "pps": 0, "hosts": "gw[2]", "tunnels": "*"}]
    assert brief(rate_alerts(RATES, rules)) == [
        ("gw1", "to-branch", None, "b"),
        ("gw2", "to-branch", None, "b"), ("gw2", "to-branch", None, "a"),
        ("gw2", "to-dc", None, "a"),
    ]


def test_null_rates_are_skipped_and_a_sum_uses_the_known_direction():
    rows = [
        {"host": "h", "tunnel": "t1", "child": None, "bps_in": None, "bps_out": None, "pps_in": None, "pps_out": None},
        {"host": "h", "tunnel": "t2", "child": None, "bps_in": 5000.0, "bps_out": None, "pps_in": None, "pps_out": None},
        {"host": "h", "tunnel": "t3", "child": "c", "bps_in": None, "bps_out": 9000.0, "pps_in": None, "pps_out": None},
    ]
    rules = [{"name": "bw", "kind": "bandwidth_above", "bps": 4000, "level": "any"},
             {"name": "ow", "kind": "inbound_below_while_outbound", "bps": 1, "level": "any"},
             {"name": "pk", "kind": "packets_above", "pps": 0, "level": "any"}]
    alerts = rate_alerts(rows, rules)
    assert brief(alerts) == [("h", "t2", None, "bw"), ("h", "t3", "c", "bw")]
    assert alerts[0]["message"] == "5.0 kbit/s in and out (above 4.0 kbit/s): in 5.0 kbit/s, out unknown"


def test_no_rules_no_alerts():
    assert rate_alerts(RATES, []) == []


# --- strict rules ------------------------------------------------------------------------------------

GOOD = {"name": "one-way", "kind": "inbound_below_while_outbound", "bps": 1}


@pytest.mark.parametrize("rules, message", [
    ({"name": "x"}, "rules must be a list of dicts, got dict"),
    (["one-way"], "rule 0: expected a dict, got str"),
    ([{"kind": "bandwidth_above", "bps": 1}], "rule 0: key 'name' is required"),
    ([GOOD, {"name": "bw", "kind": "bandwith_above", "bps": 1}],
     "rule 1 (bw): key 'kind' must be one of inbound_below_while_outbound, bandwidth_above, packets_above"),
    ([dict(GOOD, pps=3)], "rule 0 (one-way): unknown key 'pps' for kind inbound_below_while_outbound"),
    ([{"name": "bw", "kind": "bandwidth_above", "bps": 1, "outbound_min_bps": 3}],
     "rule 0 (bw): unknown key 'outbound_min_bps' for kind bandwidth_above"),
    ([{"name": "bw", "kind": "bandwidth_above"}], "rule 0 (bw): key 'bps' is required for kind bandwidth_above"),
    ([dict(GOOD, bps=-1)], "rule 0 (one-way): key 'bps' must be a number >= 0, got -1"),
    ([dict(GOOD, bps="1k")], "rule 0 (one-way): key 'bps' must be a number >= 0, got '1k'"),
    ([dict(GOOD, bps=True)], "rule 0 (one-way): key 'bps' must be a number >= 0, got True"),
    ([dict(GOOD, outbound_min_bps=None)], "key 'outbound_min_bps' must be a number >= 0, got None"),
    ([dict(GOOD, severity="urgent")], "rule 0 (one-way): key 'severity' must be one of info, low, medium, high, critical"),
    ([dict(GOOD, level="host")], "rule 0 (one-way): key 'level' must be one of tunnel, child, any"),
    ([dict(GOOD, hosts=[])], "rule 0 (one-way): key 'hosts' must be a glob or a list of globs"),
    ([dict(GOOD, tunnels=3)], "rule 0 (one-way): key 'tunnels' must be a glob or a list of globs"),
    ([GOOD, dict(GOOD)], "rule 1: name 'one-way' is already used by rule 0"),
])
def test_rules_are_checked_strictly_naming_index_and_key(rules, message):
    with pytest.raises(AnsibleFilterError, match="^rate_alerts: ") as raised:
        rate_alerts(RATES, rules)
    assert message in str(raised.value)


def test_rates_that_are_not_traffic_rates_rows_are_an_error():
    with pytest.raises(AnsibleFilterError, match="rates item 1 is not a traffic_rates row"):
        rate_alerts([RATES[0], {"host": "h"}], [GOOD])
    with pytest.raises(AnsibleFilterError, match="expected the list traffic_rates returns, got dict"):
        rate_alerts({"host": "h"}, [GOOD])
    with pytest.raises(AnsibleFilterError, match="the rules argument is required"):
        rate_alerts(RATES)


def test_rules_are_not_changed():
    rules = [dict(GOOD), {"name": "bw", "kind": "bandwidth_above", "bps": 1.5e6}]
    kept = copy.deepcopy(rules)
    rate_alerts(RATES, rules)
    assert rules == kept

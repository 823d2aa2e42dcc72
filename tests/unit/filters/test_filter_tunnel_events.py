# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""tunnel_events: the events between two report snapshots, on facts parsed from vendor text
(strongSwan, OpenVPN, WireGuard) and on the emulator vendors' examples, changed the way real
devices change."""

from __future__ import annotations


import copy

import pytest
from ansible.errors import AnsibleFilterError

import filter_examples as ex
import history_examples as hx
from ansible_collections.vpnops.tunnels.plugins.filter import tunnel_events as filter_module

tunnel_events = filter_module.FilterModule().filters()["tunnel_events"]

EVENT_KEYS = {"time", "host", "tunnel", "child", "event", "old_state", "new_state", "message"}
DC, BRANCH = "198.51.100.7", "203.0.113.20"
CONNS = (hx.conn("to-dc", DC, [("net", "10.1.0.0/16", "10.2.0.0/16"),
                               ("voice", "10.1.9.0/24", "10.2.9.0/24")])
         + hx.conn("to-branch", BRANCH, [("lan", "10.1.0.0/16", "10.3.0.0/16")]))
VOICE_NETS = ("10.1.9.0/24", "10.2.9.0/24")
BRANCH_NETS = ("10.1.0.0/16", "10.3.0.0/16")


def dc_sa(uniqueid=1, spis=("c5cd0d88", "cf1f2f3b", "c1111111", "c2222222"), counters=(36000, 72000),
          installed=600, voice=True, voice_idle=(1, 0)):
    children = [hx.child_sa("net", spis[0], spis[1], counters[0], 40, counters[1], 60,
                            installed=installed, uniqueid=2 * uniqueid)]
    if voice:
        children.append(hx.child_sa("voice", spis[2], spis[3], 5000, 50, 6000, 60, installed=installed,
                                    uniqueid=2 * uniqueid + 1, nets=VOICE_NETS, idle=voice_idle))
    return hx.ike_sa("to-dc", DC, children, uniqueid=uniqueid)


def branch_sa():
    return hx.ike_sa("to-branch", BRANCH, [hx.child_sa("lan", "c3333333", "c4444444", 800, 8, 900, 9,
                                                       uniqueid=9, nets=BRANCH_NETS)], uniqueid=5)


def branch_connecting():
    return "\n".join([
        "to-branch: #6, CONNECTING, IKEv2, 62d1857b933a1157_i* 0000000000000000_r",
        "  local  '%any' @ 192.0.2.1[500]",
        "  remote '%any' @ " + BRANCH + "[500]",
        "  active:  IKE_VENDOR IKE_INIT IKE_NATD IKE_CERT_PRE IKE_AUTH IKE_CERT_POST IKE_CONFIG"
        " IKE_AUTH_LIFETIME IKE_MOBIKE IKE_ESTABLISH CHILD_CREATE",
    ]) + "\n"


def gateway(collected_at, sas, conns=CONNS, host="gw1"):
    return hx.strongswan(host, collected_at, conns, sas)


def pair(old_facts, new_facts, host="gw1"):
    return (hx.snapshot(hx.T0, {host: old_facts}), hx.snapshot(hx.T1, {host: new_facts}))


def brief(events):
    return [(e["host"], e["tunnel"], e["child"], e["event"], e["old_state"], e["new_state"])
            for e in events]


BASE = gateway(hx.T0, dc_sa() + branch_sa())


# --- first run, nothing changed, a rekey ----------------------------------------------------

@pytest.mark.parametrize("previous", [None, {}, []])
def test_first_run_gives_no_events(previous):
    assert tunnel_events(previous, hx.snapshot(hx.T1, {"gw1": BASE})) == []


def test_a_rekey_with_new_spis_and_fresh_counters_is_no_event():
    rekeyed = gateway(hx.T1, dc_sa(uniqueid=3, spis=("c9000001", "c9000002", "c9000003", "c9000004"),
                                   counters=(1200, 2400), installed=40) + branch_sa())
    assert hx.find(rekeyed, "to-dc")["children"][0]["spi_in"] == "c9000001"
    assert tunnel_events(*pair(BASE, rekeyed)) == []


# --- a tunnel going down and coming back ---------------------------------------------------

def test_tunnel_whose_sas_are_gone_is_down_phase_1_and_2_health_and_connection():
    down = gateway(hx.T1, dc_sa())   # to-branch only in --list-conns now: DOWN
    events = tunnel_events(*pair(BASE, down))
    assert brief(events) == [
        ("gw1", "to-branch", None, "phase1_down", "ESTABLISHED", "DOWN"),
        ("gw1", "to-branch", "lan", "phase2_down", "INSTALLED", "DOWN"),
        ("gw1", "to-branch", None, "health_failed", "OPERATIONAL", "DOWN"),
        ("gw1", "to-branch", None, "connection_failed", "OPERATIONAL", "DOWN"),
    ]
    assert all(set(e) == EVENT_KEYS and e["time"] == hx.T1 for e in events)
    messages = [e["message"] for e in events]
    assert messages[0] == "phase 1 no longer established: IKE SA DOWN"
    assert messages[1] == "child SA lan no longer installed: DOWN"
    assert messages[2].startswith("now DOWN (was OPERATIONAL): phase 1 not established")
    assert messages[3] == "connection to-branch failed: its tunnel is DOWN (was OPERATIONAL)"


def test_phase_1_stuck_negotiating_says_where():
    stuck = gateway(hx.T1, dc_sa() + branch_connecting())
    [phase1] = [e for e in tunnel_events(*pair(BASE, stuck)) if e["event"] == "phase1_down"]
    assert (phase1["old_state"], phase1["new_state"]) == ("ESTABLISHED", "CONNECTING")
    # where it stopped comes from ike.negotiation: the parser reads it off the active tasks
    assert hx.find(stuck, "to-branch")["ike"]["negotiation"] == {"phase": 1, "step": "IKE_INIT"}
    assert phase1["message"] == "phase 1 no longer established: IKE SA CONNECTING (IKE_INIT)"


def test_recovery_is_phase_1_and_2_up_and_health_ok_without_a_connection_event():
    down = gateway(hx.T0, dc_sa())
    events = tunnel_events(*pair(down, moved_base(hx.T1)))
    assert brief(events) == [
        ("gw1", "to-branch", None, "phase1_up", "DOWN", "ESTABLISHED"),
        ("gw1", "to-branch", "lan", "phase2_up", "DOWN", "INSTALLED"),
        ("gw1", "to-branch", None, "health_ok", "DOWN", "OPERATIONAL"),
    ]
    assert events[0]["message"] == "IKEv2 SA ESTABLISHED (was DOWN)"
    assert events[1]["message"] == "child SA lan INSTALLED (was DOWN)"
    assert events[2]["message"] == "now OPERATIONAL (was DOWN): IKE SA ESTABLISHED, 1 of 1 child SA installed"


def moved_base(collected_at):
    return hx.moved(BASE, collected_at)


def test_one_child_down_is_phase2_down_and_degraded_health_only():
    no_voice = gateway(hx.T1, dc_sa(voice=False) + branch_sa())
    events = tunnel_events(*pair(BASE, no_voice))
    assert brief(events) == [
        ("gw1", "to-dc", "voice", "phase2_down", "INSTALLED", "DOWN"),
        ("gw1", "to-dc", None, "health_failed", "OPERATIONAL", "DEGRADED"),
    ]
    assert events[0]["message"] == ("child SA voice no longer installed: DOWN; phase 2: CHILD_SA"
                                    " not installed: voice")
    assert "1 of 2 configured child SAs not installed: voice DOWN" in events[1]["message"]


def test_a_child_no_longer_listed_at_all_is_phase2_down_without_new_state():
    conns = CONNS.replace("  voice: TUNNEL", "  old-voice: TUNNEL")  # voice left the config too
    events = tunnel_events(*pair(BASE, gateway(hx.T1, dc_sa(voice=False) + branch_sa(), conns)))
    assert brief(events)[0] == ("gw1", "to-dc", "voice", "phase2_down", "INSTALLED", None)
    assert events[0]["message"] == "child SA voice no longer installed: not listed any more"


# --- health only ------------------------------------------------------------------------------

def test_inbound_going_silent_is_health_failed_only_and_the_threshold_is_an_option():
    silent = gateway(hx.T1, dc_sa(voice_idle=(400, 2)) + branch_sa())
    events = tunnel_events(*pair(BASE, silent))
    assert brief(events) == [("gw1", "to-dc", None, "health_failed", "OPERATIONAL", "DEGRADED")]
    assert events[0]["message"] == ("now DEGRADED (was OPERATIONAL): child voice: inbound silent for"
                                    " 400 s while outbound flows (last 2 s ago)")
    assert tunnel_events(*pair(BASE, silent), health={"idle_seconds": 600}) == []


def test_degraded_to_down_has_phase_events_but_no_health_event():
    degraded = gateway(hx.T0, dc_sa(voice=False) + branch_sa())
    down = gateway(hx.T1, branch_sa())
    kinds = [e["event"] for e in tunnel_events(*pair(degraded, down)) if e["tunnel"] == "to-dc"]
    assert kinds == ["phase1_down", "phase2_down", "connection_failed"]


# --- appearing and vanishing ---------------------------------------------------------------------

def test_removed_and_added_tunnels():
    conns = hx.conn("to-dc", DC, [("net", "10.1.0.0/16", "10.2.0.0/16"),
                                  ("voice", "10.1.9.0/24", "10.2.9.0/24")]) + hx.conn(
        "to-lab", "192.0.2.99", [("lab", "10.1.0.0/16", "10.99.0.0/16")])
    changed = gateway(hx.T1, dc_sa(), conns)
    events = tunnel_events(*pair(BASE, changed))
    assert brief(events) == [
        ("gw1", "to-branch", None, "tunnel_vanished", "ESTABLISHED", None),
        ("gw1", "to-branch", None, "connection_failed", "OPERATIONAL", None),
        ("gw1", "to-lab", None, "tunnel_appeared", None, "DOWN"),
    ]
    assert events[0]["message"] == "no longer on the device (was ipsec ESTABLISHED, health OPERATIONAL)"
    assert events[1]["message"] == "connection to-branch failed: its tunnel is gone (was OPERATIONAL)"
    assert events[2]["message"] == "new on the device: ipsec DOWN, health DOWN"


def test_cisco_asa_tunnel_that_drops_out_of_the_sa_list_vanishes_and_fails_its_connection():
    before = ex.device("cisco_asa", 0)
    after = hx.moved(before, hx.T1)
    after["tunnels"] = [t for t in after["tunnels"] if t["name"] != "203.0.113.2"]
    events = tunnel_events(*pair(before, after, "cisco_asa-0"))
    assert brief(events) == [
        ("cisco_asa-0", "203.0.113.2", None, "tunnel_vanished", "ESTABLISHED", None),
        ("cisco_asa-0", "203.0.113.2", None, "connection_failed", "OPERATIONAL", None),
    ]


# --- hosts not gathered --------------------------------------------------------------------------

def test_a_host_that_could_not_be_gathered_now_yields_no_events_not_vanished_tunnels():
    current = hx.snapshot(hx.T1, {"gw1": None}, {"gw1": "gw1: ssh: connect to host 192.0.2.1 port 22: timed out"})
    assert tunnel_events(hx.snapshot(hx.T0, {"gw1": BASE}), current) == []
    del current["hosts"]["gw1"]  # only in errors
    assert tunnel_events(hx.snapshot(hx.T0, {"gw1": BASE}), current) == []


def test_hosts_new_in_the_current_snapshot_or_missing_from_it_yield_no_events():
    other = gateway(hx.T1, branch_sa(), host="gw2")
    current = hx.snapshot(hx.T1, {"gw2": other})
    assert tunnel_events(hx.snapshot(hx.T0, {"gw1": BASE}), current) == []


def test_with_the_history_a_host_is_compared_with_the_last_run_that_gathered_it():
    unreachable = hx.snapshot(hx.T1, {"gw1": None}, {"gw1": "timed out"})
    current = hx.snapshot("2026-11-21T18:10:00Z", {"gw1": gateway("2026-11-21T18:10:02Z", dc_sa())})
    history = [hx.snapshot(hx.T0, {"gw1": BASE}), unreachable]
    events = tunnel_events(history, current)
    assert brief(events)[0] == ("gw1", "to-branch", None, "phase1_down", "ESTABLISHED", "DOWN")
    assert {e["time"] for e in events} == {"2026-11-21T18:10:02Z"}
    assert tunnel_events(unreachable, current) == []  # the last run alone knows nothing of gw1


def test_time_falls_back_to_taken_at_without_collected_at():
    down = gateway(hx.T1, dc_sa())
    del down["collected_at"]
    assert {e["time"] for e in tunnel_events(*pair(BASE, down))} == {hx.T1}


# --- several SAs of one name ------------------------------------------------------------------------

def test_an_old_ike_sa_next_to_its_replacement_counts_as_one_tunnel_with_its_best_state():
    old_sa = hx.ike_sa("to-dc", DC, [], state="REKEYED", uniqueid=1)
    both = gateway(hx.T1, old_sa + dc_sa(uniqueid=2) + branch_sa())
    assert [t["state"] for t in both["tunnels"] if t["name"] == "to-dc"] == ["REKEYED", "ESTABLISHED"]
    assert tunnel_events(*pair(BASE, both)) == []
    # and back to one SA, now negotiating: the best state before was ESTABLISHED
    stuck = gateway("2026-11-21T18:10:00Z", dc_sa().replace("ESTABLISHED", "CONNECTING", 1) + branch_sa())
    events = tunnel_events(*pair(both, stuck))
    assert brief(events)[0] == ("gw1", "to-dc", None, "phase1_down", "ESTABLISHED", "CONNECTING")


# --- connections: libreswan instances ----------------------------------------------------------

def libreswan(collected_at, *tunnels):
    """A libreswan host whose road-warrior connection has instances rw[N]."""
    return hx.stamped(ex.device("libreswan", host="lsw1", tunnels=list(tunnels)), collected_at)


def instance(number, up=True):
    """An up instance is a copy of the example dc0-hq, a down one of dc0-dr (phase 1 stuck)."""
    found = ex.tunnel("libreswan", "dc0-hq" if up else "dc0-dr")
    found["name"] = "rw[%d]" % number
    return found


def test_one_instance_down_while_another_is_up_is_no_connection_failure():
    before = libreswan(hx.T0, instance(1), instance(2))
    after = libreswan(hx.T1, instance(1, up=False), instance(2))
    events = tunnel_events(*pair(before, after, "lsw1"))
    assert [e["event"] for e in events] == ["phase1_down", "phase2_down", "health_failed"]
    assert {e["tunnel"] for e in events} == {"rw[1]"}


def test_every_instance_down_or_gone_is_a_connection_failure_named_without_the_suffix():
    before = libreswan(hx.T0, instance(1), instance(2))
    after = libreswan(hx.T1, instance(1, up=False))
    events = tunnel_events(*pair(before, after, "lsw1"))
    assert brief(events)[0] == ("lsw1", "rw", None, "connection_failed", "OPERATIONAL", "DOWN")
    assert events[0]["message"] == "connection rw failed: no tunnel up (1 DOWN, 1 gone); 2 of 2 were up before"
    assert [e["tunnel"] for e in events[1:]] == ["rw[1]"] * 3 + ["rw[2]"]
    assert events[-1]["event"] == "tunnel_vanished"


def test_an_instance_replaced_by_a_new_one_that_is_up_is_no_connection_failure():
    before = libreswan(hx.T0, instance(1))
    after = libreswan(hx.T1, instance(3))
    assert [e["event"] for e in tunnel_events(*pair(before, after, "lsw1"))] == [
        "tunnel_vanished", "tunnel_appeared"]


def test_an_instance_whose_state_is_unknown_is_not_counted_failed():
    unknown = instance(2)
    unknown["state"] = "UNDEFINED"
    before = libreswan(hx.T0, instance(1), instance(2))
    after = libreswan(hx.T1, instance(1, up=False), unknown)
    events = tunnel_events(*pair(before, after, "lsw1"))
    assert "connection_failed" not in [e["event"] for e in events]
    assert ("rw[2]", "health_failed", "UNKNOWN") in [(e["tunnel"], e["event"], e["new_state"]) for e in events]


# --- phase 2 failure as the device says it ----------------------------------------------------

def test_juniper_phase_2_failure_names_the_device_error():
    after = ex.device("juniper_srx", 0)
    before = copy.deepcopy(after)
    partner = hx.find(before, "vpn-partner-0")
    partner["ike"]["negotiation"] = None
    partner["children"][0].update(state="INSTALLED", spi_in="7a7a7a7a", spi_out="8b8b8b8b")
    after["collected_at"] = hx.T1
    events = tunnel_events(*pair(before, after, "juniper_srx-0"))
    assert brief(events) == [
        ("juniper_srx-0", "vpn-partner-0", "vpn-partner-0", "phase2_down", "INSTALLED", "DOWN"),
        ("juniper_srx-0", "vpn-partner-0", None, "health_failed", "OPERATIONAL", "DOWN"),
        ("juniper_srx-0", "vpn-partner-0", None, "connection_failed", "OPERATIONAL", "DOWN"),
    ]
    assert events[0]["message"] == ("child SA vpn-partner-0 no longer installed: DOWN; phase 2:"
                                    " Negotiation failed with error code TS_UNACCEPTABLE received"
                                    " from peer (4 times)")


# --- OpenVPN and WireGuard ------------------------------------------------------------------------

EXPECTED_CLIENTS = ("alice", "bob", "carol", "dave")


def test_openvpn_clients_connecting_and_leaving_are_phase_2_events_per_common_name():
    t0, t1 = hx.epoch_of(hx.T0), hx.epoch_of(hx.T1)
    before = hx.openvpn_server("ovpn1", hx.T0, t0, [
        hx.status_client("alice", "203.0.113.7", "10.8.0.2", 5000, 9000, t0 - 600, 4),
        hx.status_client("bob", "203.0.113.8", "10.8.0.3", 100, 200, t0 - 500, 5),
        hx.status_client("carol", "203.0.113.9", "10.8.0.4", 300, 400, t0 - 400, 6),
        hx.status_client("eve", "203.0.113.10", "10.8.0.9", 10, 20, t0 - 300, 7),
    ], expected=EXPECTED_CLIENTS)
    after = hx.openvpn_server("ovpn1", hx.T1, t1, [
        hx.status_client("alice", "203.0.113.7", "10.8.0.2", 6000, 9900, t0 - 600, 4),
        hx.status_client("bob", "203.0.113.8", "10.8.0.3", 50, 60, t1 - 30, 11),   # reconnected
        hx.status_client("dave", "198.51.100.4", "10.8.0.5", 70, 80, t1 - 20, 12),
    ], expected=EXPECTED_CLIENTS)
    events = tunnel_events(*pair(before, after, "ovpn1"))
    assert brief(events) == [
        ("ovpn1", "server", "dave", "phase2_up", "DOWN", "CONNECTED"),
        ("ovpn1", "server", "carol", "phase2_down", "CONNECTED", "DOWN"),
        ("ovpn1", "server", "eve", "phase2_down", "CONNECTED", None),
    ]
    assert [e["message"] for e in events] == [
        "OpenVPN client dave connected from 198.51.100.4",
        "OpenVPN client carol not connected: DOWN",
        "OpenVPN client eve disconnected: not listed any more",
    ]


def test_openvpn_server_missing_an_expected_client_is_health_failed():
    t0, t1 = hx.epoch_of(hx.T0), hx.epoch_of(hx.T1)
    alice = hx.status_client("alice", "203.0.113.7", "10.8.0.2", 5000, 9000, t0 - 600, 4)
    before = hx.openvpn_server("ovpn1", hx.T0, t0, [alice], expected=["alice"])
    after = hx.openvpn_server("ovpn1", hx.T1, t1, [], expected=["alice"])
    assert brief(tunnel_events(*pair(before, after, "ovpn1"))) == [
        ("ovpn1", "server", "alice", "phase2_down", "CONNECTED", "DOWN"),
        ("ovpn1", "server", None, "health_failed", "OPERATIONAL", "DEGRADED"),
    ]


KEY_A = "A" * 43 + "="
KEY_B = "B" * 43 + "="


def test_wireguard_peer_handshake_going_stale_and_fresh_is_phase_1_only():
    t0, t1 = hx.epoch_of(hx.T0), hx.epoch_of(hx.T1)
    before = hx.wireguard_host("wg1", hx.T0, t0, [
        hx.wg_peer("wg0", KEY_A, "198.51.100.9:51820", "10.9.0.2/32", t0 - 30, 1000, 2000),
        hx.wg_peer("wg0", KEY_B, "198.51.100.10:51820", "10.9.0.3/32", t0 - 900, 500, 600),
    ])
    after = hx.wireguard_host("wg1", hx.T1, t1, [
        hx.wg_peer("wg0", KEY_A, "198.51.100.9:51820", "10.9.0.2/32", t1 - 200, 1000, 2000),  # stale
        hx.wg_peer("wg0", KEY_B, "198.51.100.10:51820", "10.9.0.3/32", t1 - 5, 900, 1000),
    ])
    events = tunnel_events(*pair(before, after, "wg1"))
    peer_a, peer_b = "wg0:" + KEY_A, "wg0:" + KEY_B
    assert brief(events) == [
        ("wg1", peer_a, None, "phase1_down", "UP", "DOWN"),
        ("wg1", peer_a, None, "health_failed", "OPERATIONAL", "DOWN"),
        ("wg1", peer_a, None, "connection_failed", "OPERATIONAL", "DOWN"),
        ("wg1", peer_b, None, "phase1_up", "DOWN", "UP"),
        ("wg1", peer_b, None, "health_ok", "DOWN", "OPERATIONAL"),
    ]
    assert events[0]["message"] == "peer down: latest handshake 200 s ago"
    assert events[3]["message"] == "peer up: latest handshake 5 s ago"


# --- order, every vendor, errors -------------------------------------------------------------------

def test_events_are_ordered_by_host_then_tunnel_whatever_the_input_order():
    down = gateway(hx.T1, dc_sa(voice=False))
    previous = hx.snapshot(hx.T0, {"zz-gw": BASE, "aa-gw": BASE})
    current = hx.snapshot(hx.T1, {"zz-gw": down, "aa-gw": down})
    events = tunnel_events(previous, current)
    keys = [(e["host"], e["tunnel"]) for e in events]
    assert keys == sorted(keys) and keys[0][0] == "aa-gw" and keys[-1][0] == "zz-gw"
    assert len(events) == 2 * 6  # per host: voice down + health; to-branch: 4 events


@pytest.mark.parametrize("platform", ex.VENDORS)
def test_every_vendor_example_compared_with_itself_is_quiet_and_with_nothing_all_vanished(platform):
    facts = ex.device(platform, 1)
    host = facts["hostname"]
    previous = hx.snapshot(hx.T0, {host: facts})
    assert tunnel_events(previous, hx.snapshot(hx.T1, {host: hx.moved(facts, hx.T1)})) == []
    emptied = hx.moved(facts, hx.T1)
    emptied["tunnels"] = []
    events = tunnel_events(previous, hx.snapshot(hx.T1, {host: emptied}))
    names = {t["name"] for t in facts["tunnels"]}
    assert {e["tunnel"] for e in events if e["event"] == "tunnel_vanished"} == names
    assert {e["event"] for e in events} <= {"tunnel_vanished", "connection_failed"}


@pytest.mark.parametrize("previous, current, message", [
    ("text", hx.snapshot(hx.T1, {}), "previous: expected a snapshot or a list of snapshots, got str"),
    (hx.snapshot(hx.T0, {}), None, "the current argument is required"),
    (hx.snapshot(hx.T0, {}), [hx.snapshot(hx.T1, {})], "current: expected a snapshot"),
    (hx.snapshot(hx.T0, {}), {"schema": "vpnops.tunnels/snapshot/9", "hosts": {}},
     "current: snapshot schema 'vpnops.tunnels/snapshot/9' is not supported"),
    (hx.snapshot(hx.T0, {}), {"taken_at": hx.T1}, "current: a snapshot needs 'hosts'"),
    (hx.snapshot(hx.T0, {}), hx.snapshot(hx.T1, {"gw1": ["not", "facts"]}),
     "current: the facts of host gw1 are not VPN facts"),
    (hx.snapshot(hx.T0, {}), hx.snapshot(hx.T1, {"gw1": {"tunnels": [{"name": "x"}]}}),
     "current: host gw1 has a tunnel that is not a dict with name and type"),
    ([hx.snapshot(hx.T0, {}), "junk"], hx.snapshot(hx.T1, {}), "previous item 1: expected a snapshot"),
])
def test_bad_snapshots_are_filter_errors_that_say_what_is_wrong(previous, current, message):
    with pytest.raises(AnsibleFilterError, match="^tunnel_events: ") as raised:
        tunnel_events(previous, current)
    assert message in str(raised.value)


def test_bad_options_are_filter_errors():
    previous, current = pair(BASE, BASE)
    with pytest.raises(AnsibleFilterError, match="unknown argument"):
        tunnel_events(previous, current, health={}, idle=3)
    with pytest.raises(AnsibleFilterError, match="health threshold idle_seconds must be a whole number"):
        tunnel_events(previous, current, health={"idle_seconds": -1})
    with pytest.raises(AnsibleFilterError, match="current given twice"):
        tunnel_events(previous, current, current=current)
    assert tunnel_events(previous, current=current) == []

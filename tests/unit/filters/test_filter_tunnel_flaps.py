# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""tunnel_flaps: health going away over a kept history of snapshots, with a host unreachable
for a run, a tunnel removed and added back, and a new tunnel."""

from __future__ import annotations


import pytest
from ansible.errors import AnsibleFilterError

import history_examples as hx
from ansible_collections.vpnops.tunnels.plugins.filter import tunnel_flaps as filter_module

tunnel_flaps = filter_module.FilterModule().filters()["tunnel_flaps"]

DC, BRANCH, LAB = "198.51.100.7", "203.0.113.20", "192.0.2.99"
DC_CONN = hx.conn("to-dc", DC, [("net", "10.1.0.0/16", "10.2.0.0/16"), ("voice", "10.1.9.0/24", "10.2.9.0/24")])
BRANCH_CONN = hx.conn("to-branch", BRANCH, [("lan", "10.1.0.0/16", "10.3.0.0/16")])
LAB_CONN = hx.conn("to-lab", LAB, [("lab", "10.1.0.0/16", "10.99.0.0/16")])


def dc_sa(voice=True, state="ESTABLISHED", uniqueid=1):
    children = [hx.child_sa("net", "c5cd0d88", "cf1f2f3b", 36000, 40, 72000, 60, uniqueid=1)]
    if voice:
        children.append(hx.child_sa("voice", "c1111111", "c2222222", 5000, 50, 6000, 60, uniqueid=2,
                                    nets=("10.1.9.0/24", "10.2.9.0/24")))
    return hx.ike_sa("to-dc", DC, children, state=state, uniqueid=uniqueid)


def branch_sa():
    return hx.ike_sa("to-branch", BRANCH, [hx.child_sa("lan", "c3333333", "c4444444", 800, 8, 900, 9,
                                                       uniqueid=3, nets=("10.1.0.0/16", "10.3.0.0/16"))],
                     uniqueid=5)


def run(minute, sas, conns=DC_CONN + BRANCH_CONN):
    """A snapshot taken at 18:MM:00 whose facts of gw1 were collected 2 s later."""
    taken = "2026-11-21T18:%02d:00Z" % minute
    facts = None if sas is None else hx.strongswan("gw1", "2026-11-21T18:%02d:02Z" % minute, conns, sas)
    return hx.snapshot(taken, {"gw1": facts}, {} if facts else {"gw1": "timed out"})


HISTORY = [
    run(0, dc_sa() + branch_sa()),                        # both OPERATIONAL
    run(5, dc_sa()),                                      # to-branch DOWN (no SA)
    run(10, None),                                        # gw1 unreachable: no observation
    run(15, dc_sa(voice=False) + branch_sa()),            # to-dc DEGRADED, to-branch back
    run(20, dc_sa(), DC_CONN),                            # to-dc back, to-branch removed
    run(25, dc_sa() + branch_sa(), DC_CONN + BRANCH_CONN + LAB_CONN),   # to-branch back, to-lab new
]


def test_flaps_observations_and_last_change_worked_out_by_hand():
    rows = tunnel_flaps(HISTORY)
    assert rows == [
        # OPERATIONAL, DOWN, -, OPERATIONAL, gone, OPERATIONAL: went away twice
        {"host": "gw1", "tunnel": "to-branch", "flaps": 2, "snapshots": 5,
         "last_change": "2026-11-21T18:25:02Z"},
        # OPERATIONAL, OPERATIONAL, -, DEGRADED, OPERATIONAL, OPERATIONAL: once
        {"host": "gw1", "tunnel": "to-dc", "flaps": 1, "snapshots": 5,
         "last_change": "2026-11-21T18:20:02Z"},
        # new in the last run, DOWN from the start: never went away from OPERATIONAL
        {"host": "gw1", "tunnel": "to-lab", "flaps": 0, "snapshots": 1, "last_change": None},
    ]


def test_only_changes_to_and_from_operational_count():
    # DEGRADED (voice missing) to DOWN (phase 1 gone) and back to DEGRADED: never OPERATIONAL
    history = [run(0, dc_sa(voice=False)), run(5, ""), run(10, dc_sa(voice=False))]
    [dc] = [r for r in tunnel_flaps(history) if r["tunnel"] == "to-dc"]
    assert (dc["flaps"], dc["snapshots"], dc["last_change"]) == (0, 3, None)


def test_coming_up_is_a_change_but_not_a_flap():
    history = [run(0, dc_sa()), run(5, dc_sa() + branch_sa()), run(10, dc_sa() + branch_sa())]
    [branch] = [r for r in tunnel_flaps(history) if r["tunnel"] == "to-branch"]
    assert (branch["flaps"], branch["snapshots"], branch["last_change"]) == (0, 3, "2026-11-21T18:05:02Z")


def test_an_old_ike_sa_next_to_its_replacement_is_one_operational_tunnel():
    overlap = hx.ike_sa("to-dc", DC, [], state="REKEYED", uniqueid=1) + dc_sa(uniqueid=2) + branch_sa()
    history = [run(0, dc_sa() + branch_sa()), run(5, overlap), run(10, dc_sa(uniqueid=2) + branch_sa())]
    assert [(r["tunnel"], r["flaps"], r["snapshots"]) for r in tunnel_flaps(history)] == [
        ("to-branch", 0, 3), ("to-dc", 0, 3)]


def test_health_thresholds_are_an_option():
    def idle_voice(minute, seconds):
        children = [hx.child_sa("net", "c5cd0d88", "cf1f2f3b", 36000, 40, 72000, 60, uniqueid=1),
                    hx.child_sa("voice", "c1111111", "c2222222", 5000, 50, 6000, 60, uniqueid=2,
                                nets=("10.1.9.0/24", "10.2.9.0/24"), idle=(seconds, 1))]
        return run(minute, hx.ike_sa("to-dc", DC, children), DC_CONN)
    history = [idle_voice(0, 1), idle_voice(5, 400), idle_voice(10, 1)]
    assert tunnel_flaps(history)[0]["flaps"] == 1
    assert tunnel_flaps(history, health={"idle_seconds": 500})[0]["flaps"] == 0


@pytest.mark.parametrize("history", [[], None, [None, {}]])
def test_no_snapshots_no_rows(history):
    assert tunnel_flaps(history) == []


@pytest.mark.parametrize("history, message", [
    (HISTORY[0], "expected a list of snapshots, oldest first, got one snapshot"),
    ([HISTORY[0], "junk"], "snapshots item 1: expected a snapshot"),
    ([{"hosts": {"gw1": {"tunnels": "none"}}}], "snapshots item 0: the facts of host gw1 have no list of tunnels"),
])
def test_bad_history_is_a_filter_error(history, message):
    with pytest.raises(AnsibleFilterError, match="^tunnel_flaps: ") as raised:
        tunnel_flaps(history)
    assert message in str(raised.value)

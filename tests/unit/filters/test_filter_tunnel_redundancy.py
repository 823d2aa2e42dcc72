"""tunnel_redundancy: declared and found sets, and the three statuses."""

import copy

import pytest
from ansible.errors import AnsibleFilterError

import filter_examples as ex
from ansible_collections.vpnops.tunnels.plugins.filter import tunnel_redundancy as filter_module

tunnel_redundancy = filter_module.FilterModule().filters()["tunnel_redundancy"]


def pair(first_state="ESTABLISHED", second_state="ESTABLISHED", network="10.9.0.0/24"):
    """Two hosts, one tunnel each to the same remote network."""
    first, second = ex.established("to-dc-a"), ex.established("to-dc-b")
    for tunnel, state in ((first, first_state), (second, second_state)):
        tunnel["children"][0]["remote_ts"] = [network]
        tunnel["state"] = state
        if state == "DOWN":
            tunnel["children"][0]["state"] = "DOWN"
    return {"gw1": ex.device("strongswan_legacy", host="gw1", tunnels=[first]),
            "gw2": ex.device("strongswan_legacy", host="gw2", tunnels=[second])}


def members(found):
    return [(m["host"], m["tunnel"], m["verdict"]) for m in found["members"]]


@pytest.mark.parametrize("states, status, operational, up", [
    (("ESTABLISHED", "ESTABLISHED"), "redundant", 2, 2),
    (("ESTABLISHED", "DOWN"), "at_risk", 1, 1),
    (("DOWN", "DOWN"), "down", 0, 0),
])
def test_statuses_of_a_pair_found_by_remote_network(states, status, operational, up):
    [found] = tunnel_redundancy(pair(*states))
    assert found["name"] == "10.9.0.0/24" and found["key"] == ["10.9.0.0/24"]
    assert found["source"] == "remote_network"
    assert (found["status"], found["operational"], found["up"], found["total"]) == (
        status, operational, up, 2)
    assert [m[:2] for m in members(found)] == [("gw1", "to-dc-a"), ("gw2", "to-dc-b")]


def test_degraded_members_are_up_but_not_redundant():
    fleet = pair()
    fleet["gw2"]["tunnels"][0]["children"][0]["last_in_seconds"] = 3000  # one side idle
    [found] = tunnel_redundancy(fleet)
    assert members(found)[1][2] == "DEGRADED"
    assert (found["status"], found["operational"], found["up"]) == ("at_risk", 1, 2)


def test_any_network_selectors_are_not_grouped_and_singles_are_optional():
    fleet = {"ios": ex.device("cisco_ios", 0)}
    # two route-based tunnels with 0.0.0.0/0 selectors, one with real networks
    assert tunnel_redundancy(fleet) == []
    singles = tunnel_redundancy(fleet, include_single=True)
    assert [s["name"] for s in singles] == ["198.19.0.0/24,198.19.100.0/24",
                                            "203.0.113.12/32[47]"]
    assert {s["status"] for s in singles} == {"at_risk", "down"}


def test_sets_across_devices_of_the_emulated_fleet():
    sets = {s["name"]: s for s in tunnel_redundancy(ex.fleet())}
    assert sets["203.0.113.16/28"]["status"] == "redundant"   # fortinet to-branch-a on both
    assert sets["203.0.113.48/28"]["status"] == "at_risk"     # to-dc degraded on both
    assert sets["203.0.113.64/28"]["status"] == "down"        # to-backup down on both
    assert members(sets["203.0.113.64/28"]) == [("fortinet-0", "to-backup", "DOWN"),
                                                ("fortinet-1", "to-backup", "DOWN")]


def test_declared_groups_as_pairs_and_dicts_with_missing_members():
    fleet = pair(network="10.1.0.0/24")
    groups = {"dc": [["gw1", "to-dc-a"], {"host": "gw2", "tunnel": "to-dc-b"},
                     ["gw2", "to-dc-c"], ["gw3", "to-dc-d"]]}
    [found] = tunnel_redundancy(fleet, groups)  # positional, and no found set left over
    assert found["name"] == "dc" and found["source"] == "declared" and found["key"] is None
    assert members(found) == [("gw1", "to-dc-a", "OPERATIONAL"), ("gw2", "to-dc-b", "OPERATIONAL"),
                              ("gw2", "to-dc-c", "DOWN"), ("gw3", "to-dc-d", "UNKNOWN")]
    assert [m["present"] for m in found["members"]] == [True, True, False, False]
    assert found["members"][2]["reasons"] == ["tunnel not on the device"]
    assert found["status"] == "redundant"


def test_declared_by_host_variable_in_hostvars():
    fleet = pair(network="10.1.0.0/24")
    fleet["gw2"]["tunnels"][0]["children"][0]["remote_ts"] = ["10.2.0.0/24"]
    hostvars = ex.hostvars(fleet, gw1={"vpn_redundancy": {"to-dc-a": "dc"}},
                           gw2={"vpn_redundancy": {"to-dc-b": "dc"}})
    [found] = tunnel_redundancy(hostvars)
    assert found["name"] == "dc" and found["status"] == "redundant"


def test_hosts_option_limits_hostvars():
    hostvars = ex.hostvars(pair())
    [found] = tunnel_redundancy(hostvars, hosts=["gw1", "gw2"])
    assert found["total"] == 2
    assert tunnel_redundancy(hostvars, hosts=["gw1"]) == []


def test_several_sas_of_one_tunnel_are_one_member_with_the_best_verdict():
    fleet = pair()
    dead = copy.deepcopy(fleet["gw1"]["tunnels"][0])
    dead["state"] = "CONNECTING"
    dead["children"][0]["state"] = "DOWN"
    fleet["gw1"]["tunnels"].insert(0, dead)
    [found] = tunnel_redundancy(fleet)
    assert members(found) == [("gw1", "to-dc-a", "OPERATIONAL"), ("gw2", "to-dc-b", "OPERATIONAL")]


def test_health_thresholds_are_passed_on():
    fleet = pair()
    fleet["gw2"]["tunnels"][0]["children"][0]["last_in_seconds"] = 400
    assert tunnel_redundancy(fleet)[0]["status"] == "at_risk"
    assert tunnel_redundancy(fleet, health={"idle_seconds": 600})[0]["status"] == "redundant"


def test_by_remote_network_off():
    assert tunnel_redundancy(pair(), by_remote_network=False) == []


@pytest.mark.parametrize("args, kwargs, message", [
    (({"dc": [["gw1"]]},), {}, "members are \\[host, tunnel\\] pairs"),
    (({"dc": [{"host": "gw1"}]},), {}, "a member dict needs exactly host and tunnel"),
    (("dc",), {}, "groups.*dict"),
    ((), {"group": {}}, "unknown argument group"),
    ((), {"health": {"idle": 3}}, "unknown health threshold 'idle'"),
    (({}, True), {}, "at most 1 positional argument"),
])
def test_bad_arguments_are_filter_errors(args, kwargs, message):
    with pytest.raises(AnsibleFilterError, match=message):
        tunnel_redundancy(pair(), *args, **kwargs)


def test_bad_input_is_a_filter_error():
    with pytest.raises(AnsibleFilterError, match="expected hostvars, a dict of host to VPN facts"):
        tunnel_redundancy("gw1")
    with pytest.raises(AnsibleFilterError, match="list item 0 is not a device's VPN facts"):
        tunnel_redundancy([{"name": "x"}])
    with pytest.raises(AnsibleFilterError, match="host gw1: expected its host variables"):
        tunnel_redundancy({"gw1": ["x"]})

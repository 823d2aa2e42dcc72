"""reset_summary: the re-audit after a reset run sorts each targeted tunnel by what the run
did to it and how it is now."""

import pytest
from ansible.errors import AnsibleFilterError

import filter_examples as ex
from ansible_collections.vpnops.tunnels.plugins.filter import reset_summary as filter_module
from ansible_collections.vpnops.tunnels.plugins.module_utils import model

reset_summary = filter_module.FilterModule().filters()["reset_summary"]


def down(name):
    tunnel = ex.established(name)
    tunnel["state"] = "DOWN"
    tunnel["children"][0]["state"] = "DOWN"
    return tunnel


def openvpn_server(connected, missing):
    server = model.new_tunnel("server", "openvpn", state="UP")
    server["openvpn"] = model.new_openvpn("server")
    server["openvpn"]["clients"] = [model.new_openvpn_client(connected),
                                    model.new_openvpn_client(missing, "DOWN")]
    return server


@pytest.fixture
def after():
    """The facts read after the run."""
    return ex.hostvars({
        "gw1": ex.device("strongswan_legacy", host="gw1", tunnels=[
            ex.established("fixed-one"), down("still-down"), down("guarded"),
            ex.established("came-back")]),
        "gw2": ex.device("strongswan_legacy", host="gw2", tunnels=[down("waiting")]),
        "ovpn": ex.device("openvpn", host="ovpn", tunnels=[openvpn_server("client1", "client3")]),
        "gone": None,
    })


def test_each_targeted_tunnel_is_sorted_by_what_happened(after):
    records = {
        "gw1": {"candidates": ["fixed-one", "still-down", "guarded", "came-back"], "error": None,
                "result": {"reset": ["fixed-one", "still-down"],
                           "tunnels": [{"name": "fixed-one", "seconds": 2.5},
                                       {"name": "still-down", "seconds": None}],
                           "refused": [{"tunnel": "guarded", "reason": "partner x is DOWN"}],
                           "healthy_untouched": ["came-back"]}},
        "gw2": {"candidates": ["waiting"], "error": None,
                "result": {"reset": [], "outside_window": {"opens_at": "2026-11-22T22:00:00Z",
                                                           "targets": ["waiting"]}}},
        "ovpn": {"candidates": ["client3", "client1"], "error": None,
                 "result": {"reset": ["client3"], "msg": "reset sent"}},
        "gone": {"candidates": ["anything"], "error": "gone: cannot reach", "result": {}},
    }
    found = reset_summary(after, records, hosts=["gw1", "gw2", "ovpn", "gone"])

    def pick(key):
        return [(e["host"], e["tunnel"]) for e in found[key]]

    assert pick("fixed") == [("gw1", "fixed-one")]
    assert found["fixed"][0]["seconds"] == 2.5 and found["fixed"][0]["verdict"] == "OPERATIONAL"
    assert pick("still_broken") == [("gw1", "still-down"), ("ovpn", "client3")]
    assert all(e["reset"] is True for e in found["still_broken"])
    assert pick("refused") == [("gw1", "guarded")]
    assert found["refused"][0]["reason"] == "partner x is DOWN"
    assert pick("outside_window") == [("gw2", "waiting")]
    assert found["outside_window"][0]["opens_at"] == "2026-11-22T22:00:00Z"
    assert pick("recovered_without_reset") == [("gw1", "came-back"), ("ovpn", "client1")]
    assert found["unreachable"] == [{"host": "gone", "error": "gone: cannot reach",
                                     "tunnels": ["anything"]}]
    assert found["counts"] == {"fixed": 1, "still_broken": 2, "refused": 1, "outside_window": 1,
                               "recovered_without_reset": 2, "unreachable": 1}


def test_a_tunnel_gone_after_the_run_is_still_broken_and_a_host_unread_after_is_unreachable(after):
    records = {"gw1": {"candidates": ["vanished"], "result": {"reset": ["vanished"]}, "error": None},
               "gw2": {"candidates": ["waiting"], "result": {}, "error": None}}
    found = reset_summary(after, records, errors_after={"gw2": "gw2: authentication failed"})
    assert [(e["tunnel"], e["verdict"], e["reasons"]) for e in found["still_broken"]] == [
        ("vanished", "DOWN", ["not on the device"])]
    assert found["unreachable"] == [{"host": "gw2", "error": "gw2: authentication failed",
                                     "tunnels": ["waiting"]}]


def test_records_must_be_a_dict():
    with pytest.raises(AnsibleFilterError, match="reset_summary"):
        reset_summary({}, ["not", "a", "dict"])

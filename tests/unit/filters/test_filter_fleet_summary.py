"""fleet_summary: counts that add up, rows for every tunnel and every host without facts."""

import pytest
import yaml
from ansible.errors import AnsibleFilterError

import filter_examples as ex
from ansible_collections.vpnops.tunnels.plugins.filter import fleet_summary as filter_module
from ansible_collections.vpnops.tunnels.plugins.filter.vpn_compliance import FilterModule
from ansible_collections.vpnops.tunnels.plugins.plugin_utils import health

fleet_summary = filter_module.FilterModule().filters()["fleet_summary"]
vpn_compliance = FilterModule().filters()["vpn_compliance"]
ROW_KEYS = {"host", "platform", "name", "type", "state", "native_state", "verdict", "reasons",
            "peer", "children", "status_message", "findings", "worst_severity"}


def test_counts_add_up_over_the_emulated_fleet():
    fleet = ex.fleet()
    findings = vpn_compliance(fleet)
    summary = fleet_summary(fleet, findings)
    totals = summary["totals"]
    tunnels = sum(len(facts["tunnels"]) for facts in fleet.values())
    assert totals["hosts"] == totals["hosts_with_facts"] == len(fleet) == 20
    assert totals["tunnels"] == tunnels == len(summary["rows"])
    assert sum(summary["by_verdict"].values()) == tunnels
    assert sum(summary["by_state"].values()) == tunnels
    assert sum(summary["by_type"].values()) == tunnels
    assert sum(p["tunnels"] for p in summary["by_platform"].values()) == tunnels
    assert sum(summary["by_severity"].values()) == len(findings) == totals["findings"]
    assert sum(summary["by_rule"].values()) == len(findings)
    assert sum(row["findings"] for row in summary["rows"]) == len(
        [f for f in findings if f["tunnel"] is not None and f["host"] is not None])
    assert list(summary["by_verdict"]) == list(health.VERDICTS)
    assert list(summary["by_severity"]) == ["critical", "high", "medium", "low", "info"]
    assert summary["by_type"] == {"ipsec": 90, "openvpn": 1, "wireguard": 10}


def test_counts_of_one_platform():
    summary = fleet_summary({"fg0": ex.device("fortinet", 0), "fg1": ex.device("fortinet", 1)})
    assert summary["by_platform"] == {"fortinet": {
        "hosts": 2, "tunnels": 11, "OPERATIONAL": 6, "DEGRADED": 2, "DOWN": 3, "UNKNOWN": 0}}
    assert summary["by_state"] == {"ESTABLISHED": 7, "DOWN": 2, "CONNECTING": 1, "PASSIVE": 1}
    assert summary["totals"]["children"] == 12 and summary["totals"]["children_up"] == 7
    assert summary["by_severity"] == {"critical": 0, "high": 0, "medium": 0, "low": 0, "info": 0}


def test_rows_carry_peer_children_and_findings():
    fleet = {"ios": ex.device("cisco_ios", 0, host="ios"), "vyos": ex.device("vyos", 1, host="vyos"),
             "wg": ex.device("wireguard", 0, host="wg")}
    findings = vpn_compliance(fleet)
    rows = {(r["host"], r["name"]): r for r in fleet_summary(fleet, findings)["rows"]}
    for row in rows.values():
        assert set(row) == ROW_KEYS
    degraded = rows[("ios", "198.18.0.1")]
    assert degraded["verdict"] == "DEGRADED" and degraded["peer"] == "198.18.0.1"
    assert degraded["children"] == {"up": 1, "total": 2, "text": "1/2"}
    assert degraded["findings"] >= 1 and degraded["worst_severity"] == "medium"
    server = rows[("vyos", "vtun10")]
    assert server["peer"] == "2 clients" and server["children"]["text"] == "2/2"
    peer = [r for (host, _name), r in rows.items() if host == "wg"][0]
    assert peer["peer"] == "203.0.113.20:51820" and peer["children"]["text"] == "1/1"
    assert rows[("ios", "203.0.113.10")]["worst_severity"] is None


def test_hosts_without_facts_get_a_row_with_the_error():
    hostvars = ex.hostvars({"gw1": ex.device("libreswan", 0), "gw2": None})
    findings = vpn_compliance(hostvars, errors={"gw2": "ssh: timed out"})
    summary = fleet_summary(hostvars, findings, errors={"gw2": "ssh: timed out"},
                            hosts=["gw1", "gw2", "gw3"])
    assert summary["totals"]["hosts"] == 3 and summary["totals"]["hosts_without_facts"] == 2
    gw2, gw3 = summary["rows"][-2:]
    assert (gw2["host"], gw2["state"], gw2["verdict"], gw2["reasons"]) == (
        "gw2", "NO FACTS", "UNKNOWN", ["ssh: timed out"])
    assert gw2["findings"] == 1 and gw2["worst_severity"] == "high"
    assert gw3["reasons"] == ["no VPN facts: gathering failed or the host was unreachable"]
    assert sum(summary["by_verdict"].values()) == summary["totals"]["tunnels"] == 5


def test_a_list_of_facts_and_real_output(corpus):
    facts = ex.corpus_device(corpus, "openvpn", "openvpn/mgmt_status_3/1.txt", "status 3",
                             host="vpn1")
    summary = fleet_summary([facts])
    assert summary["rows"][0]["host"] == "vpn1" and summary["rows"][0]["peer"] == "3 clients"
    assert summary["by_platform"]["openvpn"]["OPERATIONAL"] == 1


def test_health_thresholds_change_the_verdicts():
    tunnel = ex.established()
    tunnel["children"][0]["last_in_seconds"] = 400
    facts = {"gw": ex.device("strongswan", host="gw", tunnels=[tunnel])}
    assert fleet_summary(facts)["by_verdict"]["DEGRADED"] == 1
    assert fleet_summary(facts, health={"idle_seconds": 500})["by_verdict"]["OPERATIONAL"] == 1


@pytest.mark.parametrize("args, kwargs, message", [
    (([{"rule": "X"}],), {}, "findings\\[0\\] is not a finding with a severity"),
    (("x",), {}, "option .findings. is of type str"),
    ((), {"finding": []}, "unknown argument finding"),
    ((), {"health": {"idle": 1}}, "unknown health threshold 'idle'"),
])
def test_bad_arguments_are_filter_errors(args, kwargs, message):
    with pytest.raises(AnsibleFilterError, match="fleet_summary: .*" + message):
        fleet_summary({"gw": ex.device("vyos")}, *args, **kwargs)


def test_bad_input_is_a_filter_error():
    with pytest.raises(AnsibleFilterError, match="fleet_summary: expected hostvars"):
        fleet_summary(None)


def test_documented_keys_are_the_keys_returned():
    doc = yaml.safe_load(filter_module.RETURN)["_value"]["contains"]
    summary = fleet_summary({"gw": ex.device("vyos")})
    assert set(doc) == set(summary)
    for key in summary["totals"]:
        assert "C(%s)" % key in " ".join(doc["totals"]["description"])
    described = " ".join(doc["rows"]["description"])
    for key in ROW_KEYS:
        assert "C(%s)" % key in described, key

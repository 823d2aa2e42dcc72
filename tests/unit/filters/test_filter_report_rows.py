# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""report_rows: one row per tunnel with the facts' values, one row per host without
tunnels, the comm status of every host, rates and flaps attached where they belong."""

from __future__ import annotations

import pytest
import yaml
from ansible.errors import AnsibleFilterError

import filter_examples as ex
from ansible_collections.vpnops.tunnels.plugins.filter import report_rows as filter_module
from ansible_collections.vpnops.tunnels.plugins.plugin_utils import report

report_rows = filter_module.FilterModule().filters()["report_rows"]

FIRST_COLUMNS = [("host", "System name"), ("comm_status", "System comm. status"), ("name", "Name"),
                 ("type", "Type"), ("state", "State"), ("enabled", "Enabled"),
                 ("status_message", "Status message"), ("children", "Children"),
                 ("last_update", "Last update")]


def by_name(rows):
    return {(row["host"], row["name"]): row for row in rows}


def test_one_row_per_tunnel_with_the_first_columns_in_order():
    fleet = ex.fleet()
    rows = report_rows(ex.hostvars(fleet))
    assert len(rows) == sum(len(facts["tunnels"]) for facts in fleet.values()) == 101
    assert [(key, report.TITLES[key]) for key in list(rows[0])[:9]] == FIRST_COLUMNS
    for row in rows:
        assert list(row) == list(report.COLUMN_KEYS)
    assert {row["comm_status"] for row in rows} == {"Ok"}
    expected = [(host, tunnel["name"]) for host, facts in fleet.items() for tunnel in facts["tunnels"]]
    assert [(row["host"], row["name"]) for row in rows] == expected


@pytest.mark.parametrize("platform, index", [(p, i) for p in ex.VENDORS for i in (0, 1)])
def test_rows_carry_the_facts(platform, index):
    facts = ex.device(platform, index, host="gw")
    rows = by_name(report_rows({"gw": facts}))
    for tunnel in facts["tunnels"]:
        row = rows[("gw", tunnel["name"])]
        assert (row["type"], row["state"], row["enabled"]) == (
            tunnel["type"], tunnel["state"], tunnel["enabled"])
        assert row["status_message"] == (tunnel["status_message"] or None)
        assert row["last_update"] == facts["collected_at"] == "2026-01-01T00:00:00Z"
        assert row["platform"] == platform
        children = tunnel["children"] if tunnel["type"] != "openvpn" else [
            {"name": c["common_name"], "state": c["state"], "bytes_in": c["bytes_in"],
             "bytes_out": c["bytes_out"]} for c in tunnel["openvpn"]["clients"]]
        assert [(c["name"], c["state"]) for c in row["children"]] == [
            (c["name"], c["state"]) for c in children]
        for key in ("bytes_in", "bytes_out"):
            values = [c[key] for c in children if c.get(key) is not None]
            assert row[key] == (sum(values) if values else None), key
        if tunnel["type"] == "ipsec":
            ike = tunnel["ike"]
            assert row["peer"] == (ike["remote"]["address"] or ike["remote"]["id"])
            assert row["local_address"] == ike["local"]["address"]
            assert row["ike_version"] == ike["version"]
            assert row["nat_t"] == ike["nat_t"]
            for child in tunnel["children"]:
                assert child["spi_in"] is None or child["spi_in"] in row["spi_in"]
                assert child["spi_out"] is None or child["spi_out"] in row["spi_out"]
            for source, kept in zip(tunnel["children"], row["children"]):
                assert (kept["rekey_seconds"], kept["lifetime_seconds"]) == (
                    source["rekey_seconds"], source["lifetime_seconds"])
        assert row["verdict"] in ("OPERATIONAL", "DEGRADED", "DOWN", "UNKNOWN")
        assert row["reasons"]


def test_peer_of_each_kind():
    rows = by_name(report_rows({"ios": ex.device("cisco_ios", 0, host="ios"),
                                "vyos": ex.device("vyos", 1, host="vyos"),
                                "wg": ex.device("wireguard", 0, host="wg")}))
    assert rows[("ios", "198.18.0.1")]["peer"] == "198.18.0.1"
    assert rows[("ios", "198.18.0.1")]["local_address"] == "198.51.100.1"
    assert rows[("ios", "198.18.0.1")]["ike_algorithms"] == "AES-CBC-256/SHA256/PRF-SHA256/group19"
    server = rows[("vyos", "vtun10")]
    assert server["peer"] is None and [c["name"] for c in server["children"]] == ["client1", "client2"]
    assert server["children"][0]["address"] == "198.51.100.201:50001"
    assert server["children"][0]["remote_ts"] == ["10.23.1.11"]
    assert server["bytes_in"] == 4800 + 9600
    wireguard = [row for key, row in rows.items() if key[0] == "wg"]
    assert wireguard[0]["peer"] == "203.0.113.20:51820"
    assert wireguard[0]["children"][0]["remote_ts"] == ["198.18.100.1/32", "198.19.100.0/24"]


def test_every_comm_status():
    warned = ex.device("vyos", 0)
    warned["errors"] = [{"command": "show vpn ike sa", "message": "% Invalid command"}]
    empty = ex.device("fortinet", 0, tunnels=[])
    hostvars = ex.hostvars({"ok": ex.device("libreswan", 0), "warned": warned, "empty": empty,
                            "down": None, "locked": None, "keyed": None, "sudo": None,
                            "waiting": None, "unknown": None})
    errors = {
        "down": "down: cannot reach netops@192.0.2.7:22: connection timed out after 10s",
        "locked": {"unreachable": True, "msg": "locked: authentication failed for netops@192.0.2.8:22"},
        "keyed": "keyed: host key of netops@192.0.2.9:22 is not in ~/.ssh/known_hosts",
        "sudo": "sudo: become (sudo) failed on netops@192.0.2.10:22: wrong become password",
    }
    hosts = ["ok", "warned", "empty", "down", "locked", "keyed", "sudo", "waiting", "unknown", "absent"]
    rows = report_rows(hostvars, hosts=hosts, errors=errors, pending=["waiting"])
    status = {}
    for row in rows:
        status.setdefault(row["host"], set()).add(row["comm_status"])
    assert status == {"ok": {"Ok"}, "warned": {"Warning"}, "empty": {"Ok"}, "down": {"Error"},
                      "locked": {"Blocked"}, "keyed": {"Blocked"}, "sudo": {"Blocked"},
                      "waiting": {"Pending"}, "unknown": {"Undefined"}, "absent": {"Undefined"}}
    assert list(dict.fromkeys(row["host"] for row in rows)) == hosts
    single = {row["host"]: row for row in rows if row["name"] is None}
    assert sorted(single) == ["absent", "down", "empty", "keyed", "locked", "sudo", "unknown",
                              "waiting"]
    assert single["down"]["status_message"] == errors["down"]
    assert single["locked"]["comm_message"] == "locked: authentication failed for netops@192.0.2.8:22"
    assert single["empty"]["status_message"] == report.NO_TUNNELS
    assert single["empty"]["last_update"] == "2026-01-01T00:00:00Z"
    assert single["waiting"]["status_message"] == report.NOT_GATHERED
    assert single["down"]["children"] == [] and single["down"]["reasons"] == []
    warned_rows = [row for row in rows if row["host"] == "warned"]
    assert len(warned_rows) == len(warned["tunnels"])
    assert warned_rows[0]["comm_message"] == "show vpn ike sa: % Invalid command"


def test_an_error_hides_stale_facts():
    rows = report_rows({"gw": ex.device("vyos", 0)}, errors={"gw": "gw: cannot reach gw:22"})
    assert len(rows) == 1 and rows[0]["name"] is None and rows[0]["comm_status"] == "Error"


def test_rates_and_flaps_go_to_their_tunnel_and_child():
    facts = ex.device("cisco_asa", 0, host="asa")
    tunnel = facts["tunnels"][0]
    child = tunnel["children"][1]["name"]
    rates = [
        {"host": "asa", "tunnel": tunnel["name"], "child": None, "seconds": 300.0, "bps_in": 1200.5,
         "bps_out": 800.0, "pps_in": 3.25, "pps_out": 2.0, "counter_reset": False, "note": None},
        {"host": "asa", "tunnel": tunnel["name"], "child": child, "seconds": 300.0, "bps_in": 700.0,
         "bps_out": 100.0, "pps_in": 1.0, "pps_out": 1.0, "counter_reset": False, "note": None},
        {"host": "asa", "tunnel": "203.0.113.2", "child": None, "seconds": None, "bps_in": None,
         "bps_out": None, "pps_in": None, "pps_out": None, "counter_reset": True, "note": None},
        {"host": "other", "tunnel": tunnel["name"], "child": None, "bps_in": 1.0},
    ]
    flaps = [{"host": "asa", "tunnel": tunnel["name"], "flaps": 3, "snapshots": 12,
              "last_change": "2025-12-31T23:55:00Z"}]
    rows = by_name(report_rows({"asa": facts}, rates=rates, flaps=flaps))
    row = rows[("asa", tunnel["name"])]
    assert (row["bps_in"], row["bps_out"], row["pps_in"], row["pps_out"]) == (1200.5, 800.0, 3.25, 2.0)
    assert (row["flaps"], row["last_flap"]) == (3, "2025-12-31T23:55:00Z")
    assert [c["bps_in"] for c in row["children"]] == [None, 700.0]
    assert rows[("asa", "203.0.113.2")]["rate_note"] == "counter reset"
    assert rows[("asa", "203.0.113.3")]["bps_in"] is None and rows[("asa", "203.0.113.3")]["flaps"] is None


def test_health_thresholds_change_the_verdict():
    tunnel = ex.established()
    tunnel["children"][0]["last_in_seconds"] = 400
    facts = {"gw": ex.device("strongswan", host="gw", tunnels=[tunnel])}
    assert report_rows(facts)[0]["verdict"] == "DEGRADED"
    assert report_rows(facts, health={"idle_seconds": 500})[0]["verdict"] == "OPERATIONAL"


def test_a_list_of_real_facts(corpus):
    facts = ex.corpus_device(corpus, "openvpn", "openvpn/mgmt_status_3/1.txt", "status 3", host="vpn1")
    rows = report_rows([facts])
    clients = facts["tunnels"][0]["openvpn"]["clients"]
    assert rows[0]["host"] == "vpn1" and len(rows[0]["children"]) == len(clients) == 3
    assert rows[0]["bytes_out"] == sum(client["bytes_out"] for client in clients)


@pytest.mark.parametrize("kwargs, message", [
    ({"rates": [{"tunnel": "x"}]}, "rates\\[0\\] is not a traffic_rates row"),
    ({"flaps": [{"host": "gw", "flaps": 2}]}, "flaps\\[0\\] is not a tunnel_flaps row"),
    ({"flaps": ["x"]}, "option 'flaps' is of type str"),
    ({"errors": {"gw": 3}}, "errors\\[gw\\] must be a message"),
    ({"health": {"idle": 1}}, "unknown health threshold 'idle'"),
    ({"host": ["gw"]}, "unknown argument host"),
])
def test_bad_arguments_are_filter_errors(kwargs, message):
    with pytest.raises(AnsibleFilterError, match="report_rows: .*" + message):
        report_rows({"gw": ex.device("vyos")}, **kwargs)


def test_bad_input_is_a_filter_error():
    with pytest.raises(AnsibleFilterError, match="report_rows: expected hostvars"):
        report_rows("gw")
    with pytest.raises(AnsibleFilterError, match="report_rows: .*no list of tunnels"):
        report_rows({"gw": {"tunnels": "x"}})


def test_documented_keys_are_the_keys_returned():
    doc = yaml.safe_load(filter_module.RETURN)["_value"]
    described = " ".join(doc["description"])
    for key, title, _kind in report.COLUMNS:
        assert "C(%s) (%s" % (key, title) in described, key
    for key in report.CHILD_KEYS:
        assert "C(%s)" % key in described, key
    documented = yaml.safe_load(filter_module.DOCUMENTATION)["description"]
    for status in report.COMM_STATUSES:
        assert "V(%s)" % status in " ".join(documented), status

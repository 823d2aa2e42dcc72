"""The report role against the real lab: three runs with a tunnel broken, then reset and
carrying traffic, in between. The CSV equals the facts, events follow the real state changes,
and rates survive the reset's new SAs without negative or absurd values."""

import csv
import io
import json

import pytest

from ansible_run import INVENTORY, host_results, run_ansible

HOSTS = "lab-hub:lab-spoke1:lab-spoke2:lab-ovpn"
GATHER_TASK = "Gather tunnel state from the device"


def hub_sa_names(lab):
    return {sa["name"] for sa in lab.list_sas("hub")}


def report(env, output_dir):
    done, records = run_ansible(env, "ansible-playbook", "vpnops.tunnels.report", "-i", INVENTORY,
                                "-e", "vpn_hosts=%s" % HOSTS, "-e", "vpn_output_dir=%s" % output_dir)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    gathered = {host: result["ansible_facts"]["vpn"] for host, result in host_results(
        [r for r in records if r["task"].endswith(GATHER_TASK)]).items()}
    return json.loads((output_dir / "report.json").read_text()), gathered


@pytest.fixture(scope="module")
def three_runs(lab, ansible_env, tmp_path_factory):
    """Run 1 healthy; spoke1 terminated from the spoke's side; run 2; the hub resets spoke1
    and traffic flows; run 3."""
    out = tmp_path_factory.mktemp("reports")
    first = report(ansible_env, out)
    lab.exec_in("spoke1", ["/usr/sbin/swanctl", "--terminate", "--ike", "hub"])
    lab.wait_until("hub has no spoke1 SA", lambda: "spoke1" not in hub_sa_names(lab), timeout=15)
    second = report(ansible_env, out)
    done, records = run_ansible(ansible_env, "ansible", "lab-hub", "-i", INVENTORY, "-m",
                                "vpnops.tunnels.vpn_reset", "-a", json.dumps({"name": ["spoke1"]}))
    assert host_results(records)["lab-hub"]["status"] == "ok", done.stdout[-2000:]
    lab.traffic()
    third = report(ansible_env, out)
    return out, [first, second, third]


def test_the_csv_equals_the_facts(three_runs):
    out, runs = three_runs
    _report, gathered = runs[-1]
    rows = list(csv.DictReader(io.StringIO((out / "tunnels.csv").read_text(encoding="utf-8-sig"))))
    header = list(rows[0])
    assert header[:9] == ["System name", "System comm. status", "Name", "Type", "State", "Enabled",
                          "Status message", "Children", "Last update"]
    expected = sorted((host, t["name"], t["type"], t["state"]) for host, facts in gathered.items()
                      for t in facts["tunnels"])
    assert sorted((r["System name"], r["Name"], r["Type"], r["State"]) for r in rows) == expected
    for row in rows:
        facts = gathered[row["System name"]]
        assert row["System comm. status"] == "Ok"
        assert row["Last update"] == facts["collected_at"]
        tunnel = next(t for t in facts["tunnels"] if t["name"] == row["Name"])
        for child in tunnel["children"]:  # every child SA is in the Children cell
            assert child["name"] in row["Children"], (row["Name"], row["Children"])


def test_events_follow_the_real_state_changes(three_runs):
    _out, runs = three_runs
    first, second, third = (report_json for report_json, _gathered in runs)
    assert first["events"] == []  # nothing to compare with yet
    down = {(e["host"], e["tunnel"], e["event"]) for e in second["events"]}
    assert ("lab-hub", "spoke1", "phase1_down") in down
    assert ("lab-hub", "spoke1", "health_failed") in down
    assert ("lab-spoke1", "hub", "health_failed") in down  # the other end saw it too
    assert all(e["host"] in ("lab-hub", "lab-spoke1") for e in second["events"]), second["events"]
    up = {(e["host"], e["tunnel"], e["event"]) for e in third["events"]}
    assert ("lab-hub", "spoke1", "phase1_up") in up and ("lab-hub", "spoke1", "health_ok") in up
    for event in second["events"] + third["events"]:
        assert event["old_state"] != event["new_state"] or event["child"], event


def test_rates_survive_the_reset_and_count_the_traffic(three_runs):
    _out, runs = three_runs
    third, gathered = runs[2]
    rates = {(r["host"], r["tunnel"], r["child"]): r for r in third["rates"]}
    for rate in third["rates"]:
        for key in ("bps_in", "bps_out", "pps_in", "pps_out"):
            value = rate[key]
            # no negative rates, and nothing beyond what a lab veth carries (1 Gbit/s)
            assert value is None or 0 <= value < 1e9, rate
    # the reset gave spoke1 new SAs: a counter reset, with the traffic since counted
    lan = rates[("lab-hub", "spoke1", "lan")]
    assert lan["counter_reset"] is True
    assert lan["pps_in"] and lan["pps_in"] > 0
    # a tunnel that was not reset carries on from its old counters
    legacy = [r for (host, tunnel, child), r in rates.items()
              if host == "lab-hub" and tunnel == "legacy" and child]
    assert legacy and all(r["counter_reset"] is False for r in legacy)
    assert third["flaps"] and any(f["host"] == "lab-hub" and f["tunnel"] == "spoke1" and f["flaps"] >= 1
                                  for f in third["flaps"])


def test_every_run_keeps_a_snapshot_and_the_html_and_markdown_are_written(three_runs):
    out, _runs = three_runs
    snapshots = sorted((out / "history").glob("snapshot-*.json"))
    assert len(snapshots) == 3
    for snapshot in snapshots:
        data = json.loads(snapshot.read_text())
        assert data["schema"] == "vpnops.tunnels/snapshot/1" and "lab-hub" in data["hosts"]
    html = (out / "report.html").read_text()
    assert "spoke1" in html and "http://" not in html and "https://" not in html
    assert "lab-hub" in (out / "summary.md").read_text()

"""vpn_reset and the reset role against the real strongSwan lab: a tunnel broken from the
peer's side comes back with new SPIs, check mode leaves the daemon alone, the redundancy
guard refuses the last working path, and hostile names or a closed window send nothing.

The tests break only spoke1 (and bring it back); the lab's designed failures stay as they are
for the other test modules (vpn_reset_only and explicit names keep them out of the runs).
"""

import datetime
import json

import pytest
import yaml

from ansible_run import INVENTORY, host_results, run_ansible

DEAD_ADDRESS = "198.18.0.250"  # on the lab bridge, nothing answers: any connection would fail


def hub_sas(lab):
    """IKE SA name -> (unique id, {child name: (state, spi-in, spi-out)}) on the hub."""
    return {sa["name"]: (sa.get("uniqueid"), {
        child["name"]: (child.get("state"), child.get("spi-in"), child.get("spi-out"))
        for child in (sa.get("child-sas") or {}).values()}) for sa in lab.list_sas("hub")}


def break_spoke1(lab):
    """Terminate the tunnel from spoke1's side, as a peer that dropped it; the hub keeps the
    configuration (a DOWN tunnel), nobody initiates it again."""
    lab.exec_in("spoke1", ["/usr/sbin/swanctl", "--terminate", "--ike", "hub"])
    lab.wait_until("hub has no spoke1 SA", lambda: "spoke1" not in hub_sas(lab), timeout=15)


def run_reset_playbook(env, output_dir, *extra):
    return run_ansible(env, "ansible-playbook", "vpnops.tunnels.reset", "-i", INVENTORY,
                       "-e", "vpn_hosts=lab-hub", "-e", "vpn_output_dir=%s" % output_dir,
                       "-e", json.dumps({"vpn_reset_only": ["spoke1"]}),
                       "-e", "vpn_reset_wait_timeout=30", *extra)


def ad_hoc_reset(env, host, args, *extra):
    """vpn_reset run ad hoc on one host with these module arguments; the host's result."""
    _done, records = run_ansible(env, "ansible", host, "-i", INVENTORY, "-m",
                                 "vpnops.tunnels.vpn_reset", "-a", json.dumps(args), *extra)
    return host_results(records)[host]


def reset_result(records, host="lab-hub"):
    task = "Reset the unhealthy tunnels and wait for them"
    found = [r for r in records if r["task"].endswith(task) and r["host"] == host]
    assert len(found) == 1, [r["task"] for r in records]
    return dict(found[0]["result"], status=found[0]["status"])


@pytest.fixture(scope="module")
def spoke1_broken(lab):
    break_spoke1(lab)
    yield
    if "spoke1" not in hub_sas(lab):  # a failed test must not leave the lab broken
        lab.exec_in("hub", ["/usr/sbin/swanctl", "--initiate", "--child", "lan", "--ike", "spoke1"],
                    check=False)
        lab.exec_in("hub", ["/usr/sbin/swanctl", "--initiate", "--child", "voice", "--ike", "spoke1"],
                    check=False)


def test_check_mode_reports_the_reset_and_leaves_the_daemon_alone(
        lab, ansible_env, spoke1_broken, tmp_path):
    before = hub_sas(lab)
    done, records = run_reset_playbook(ansible_env, tmp_path, "--check", "--diff")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = reset_result(records)
    assert result["reset"] == ["spoke1"] and result["changed"] is True
    assert "sent" not in result
    assert result["commands"] == [{"tunnel": "spoke1", "commands": [
        "/usr/sbin/swanctl --terminate --ike spoke1 --force --timeout 5",
        "/usr/sbin/swanctl --initiate --child lan --ike spoke1 --timeout 5",
        "/usr/sbin/swanctl --initiate --child voice --ike spoke1 --timeout 5"]}]
    assert "spoke1: DOWN DOWN" in done.stdout  # the diff's before side
    assert hub_sas(lab) == before  # same SAs, same unique ids and SPIs
    report = json.loads((tmp_path / "reset.json").read_text())
    assert report["check_mode"] is True
    assert [(e["host"], e["tunnel"]) for e in report["summary"]["still_broken"]] == [
        ("lab-hub", "spoke1")]


def test_the_reset_playbook_brings_the_tunnel_back_with_new_spis(
        lab, ansible_env, spoke1_broken, tmp_path):
    others = {name: sa for name, sa in hub_sas(lab).items() if name != "spoke1"}
    done, records = run_reset_playbook(ansible_env, tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = reset_result(records)
    assert result["reset"] == ["spoke1"] and result["changed"] is True
    (tunnel,) = result["tunnels"]
    assert tunnel["back"] is True and tunnel["after"]["verdict"] == "OPERATIONAL"
    assert 0 < tunnel["seconds"] <= 30
    # the daemon itself: spoke1 ESTABLISHED with both children installed, with new SPIs
    now = hub_sas(lab)
    unique_id, children = now["spoke1"]
    assert sorted(children) == ["lan", "voice"]
    assert all(state == "INSTALLED" for state, _in, _out in children.values())
    gathered = {s["child"]: (s["spi_in"], s["spi_out"]) for s in tunnel["after"]["spis"]}
    assert gathered == {name: (spi_in, spi_out) for name, (_s, spi_in, spi_out) in children.items()}
    assert tunnel["after"]["ike_sa_id"] == unique_id
    # nothing else on the hub was touched
    assert {name: sa for name, sa in now.items() if name != "spoke1"} == others
    report = json.loads((tmp_path / "reset.json").read_text())
    assert report["check_mode"] is False
    assert [(e["host"], e["tunnel"]) for e in report["summary"]["fixed"]] == [("lab-hub", "spoke1")]
    assert report["summary"]["counts"]["still_broken"] == 0
    assert "1 fixed, 0 still broken" in done.stdout


def test_a_second_run_changes_nothing(lab, ansible_env, tmp_path):
    before = hub_sas(lab)
    result = ad_hoc_reset(ansible_env, "lab-hub", {"name": ["spoke1"]})
    assert result["status"] == "ok", result.get("msg")
    assert result["changed"] is False and result["reset"] == []
    assert result["healthy_untouched"] == ["spoke1"]
    assert hub_sas(lab) == before


def test_the_guard_refuses_the_last_working_path_and_sends_nothing(lab, ansible_env):
    # branch9 and backup declared a redundant pair: both are down, so neither is reset
    before = hub_sas(lab)
    args = {"name": ["branch9"], "wait_timeout": 5,
            "redundancy": {"groups": {"dc-pair": [["lab-hub", "branch9"], ["lab-hub", "backup"]]}}}
    result = ad_hoc_reset(ansible_env, "lab-hub", args)
    assert result["status"] == "ok", result.get("msg")
    assert result["changed"] is False and result["reset"] == [] and "sent" not in result
    (refusal,) = result["refused"]
    assert refusal["tunnel"] == "branch9"
    assert (refusal["partner_host"], refusal["partner_tunnel"]) == ("lab-hub", "backup")
    assert refusal["partner_verdict"] == "DOWN"
    assert "backup on lab-hub is DOWN" in refusal["reason"] and "dc-pair" in refusal["reason"]
    assert hub_sas(lab) == before


@pytest.mark.parametrize("name", ["spoke1; reboot", "$(touch /tmp/pwned)", "spoke1\n--ike x",
                                  "spoke1 --force"])
def test_an_injection_in_a_name_is_refused_before_any_connection(lab, ansible_env, name):
    before = hub_sas(lab)
    for address in ("198.18.0.11", DEAD_ADDRESS):  # the real hub, and a host nobody answers on
        result = ad_hoc_reset(ansible_env, "lab-hub", {"name": [name]},
                              "-e", "ansible_host=%s" % address)
        # failed, not unreachable: validation came before any connection was tried
        assert result["status"] == "failed", (address, result)
        assert "invalid reset target name %r" % name in result["msg"]
        assert "sent" not in result
    assert hub_sas(lab) == before


def test_an_unknown_tunnel_is_a_clear_error(lab, ansible_env):
    result = ad_hoc_reset(ansible_env, "lab-hub", {"name": ["nope"]})
    assert result["status"] == "failed"
    assert "no tunnel on this device has name 'nope'" in result["msg"]
    assert "spoke1" in result["msg"]  # it lists what the device has


def test_outside_the_maintenance_window_nothing_is_read_or_sent(lab, ansible_env):
    now = datetime.datetime.now(datetime.timezone.utc)
    start = (now + datetime.timedelta(hours=2)).replace(second=0, microsecond=0)
    end = start + datetime.timedelta(hours=1)
    window = {"start": start.strftime("%H:%M"), "end": end.strftime("%H:%M"), "timezone": "UTC"}
    result = ad_hoc_reset(ansible_env, "lab-hub",
                          {"name": ["spoke1"], "force": True, "maintenance_window": window},
                          "-e", "ansible_host=%s" % DEAD_ADDRESS)
    assert result["status"] == "ok", result.get("msg")
    assert result["changed"] is False and result["reset"] == []
    opens = start if start > now else start + datetime.timedelta(days=1)
    assert result["outside_window"] == {"opens_at": opens.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                        "targets": ["spoke1"]}
    assert "window opens at" in result["msg"]


def test_the_role_writes_reset_json_and_fails_on_tunnels_it_cannot_fix(lab, ansible_env, tmp_path):
    """spoke1 on lab-spoke1 reaches dc2, whose peer is gone: the reset is tried, the tunnel
    stays down, reset.json says so, and the run fails at the end."""
    policy = tmp_path / "policy.yml"
    policy.write_text(yaml.safe_dump({"health": {"idle_seconds": 600}}))
    done, records = run_ansible(ansible_env, "ansible-playbook", "vpnops.tunnels.reset",
                                "-i", INVENTORY, "-e", "vpn_hosts=lab-spoke1",
                                "-e", "vpn_output_dir=%s" % tmp_path, "-e", "vpn_policy_file=%s" % policy,
                                "-e", "vpn_reset_wait_timeout=6")
    assert done.returncode == 2, done.stdout[-3000:]
    report = json.loads((tmp_path / "reset.json").read_text())
    assert report["policy_file"] == str(policy)
    (broken,) = report["summary"]["still_broken"]
    assert (broken["host"], broken["tunnel"], broken["reset"]) == ("lab-spoke1", "dc2", True)
    assert report["resets"]["lab-spoke1"]["failed"] is True
    assert "1 tunnels are still not OPERATIONAL" in done.stdout


def test_an_openvpn_client_is_killed_and_reconnects(lab, ansible_env):
    args = {"name": ["client1"], "force": True, "wait_timeout": 45, "poll_interval": 1}
    result = ad_hoc_reset(ansible_env, "lab-ovpn", args)
    assert result["status"] == "ok", result.get("msg")
    assert result["reset"] == ["client1"] and result["changed"] is True
    assert "SUCCESS: common name 'client1' found, 1 client(s) killed" in result["sent"][0]["output"]
    (tunnel,) = result["tunnels"]
    assert tunnel["back"] is True
    assert tunnel["after"]["connected_since"] != tunnel["before"]["connected_since"]
    assert "client1" in lab.openvpn_connected_clients()


def test_an_openvpn_client_side_reset_restarts_the_client_and_it_reconnects(lab, ansible_env):
    args = {"name": ["client"], "force": True, "wait_timeout": 45, "poll_interval": 1}
    result = ad_hoc_reset(ansible_env, "lab-ovpn-c1", args)
    assert result["status"] == "ok", result.get("msg")
    assert "signal SIGUSR1" in result["sent"][0]["command"]
    assert "SUCCESS: signal SIGUSR1 thrown" in result["sent"][0]["output"]
    (tunnel,) = result["tunnels"]
    assert tunnel["back"] is True and tunnel["after"]["verdict"] == "OPERATIONAL"
    assert "client1" in lab.openvpn_connected_clients()

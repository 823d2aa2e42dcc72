"""Fleet mode: one vpn_fleet_facts task gathers every emulated device concurrently, and each
host ends up with its own ansible_facts.vpn - equal to the device's state, as in per-host mode
- while a device with a wrong password or garbage output fails alone, with the message
vpn_facts gives, also when the devices are shared out over several processes. Both ways of handing the results out are checked: the fleet strategy, and a
loop with delegate_facts under the default strategy. Runs in this process on 127.0.0.1."""

import copy
import json

import pytest
import yaml

from ansible_run import host_results, run_ansible
from emulated_fleet import Fleet, build_devices, load_vendor, reported_differences, vendor_platforms

pytestmark = pytest.mark.filterwarnings("ignore:Diffie-Hellman over finite fields")

SHOW_TASK = "Show the facts this host ended up with"
FAULTS = {"wrong_password": "authentication failed for admin@127.0.0.1",
          "garbage": "cannot parse cisco_ios output"}
FLEET_TASK = {"name": "Gather every device at once", "vpnops.tunnels.vpn_fleet_facts": {"pool_size": 8},
              "run_once": True, "register": "fleet"}
SHOW = {"name": SHOW_TASK, "ansible.builtin.debug": {"msg": "{{ ansible_facts.vpn | default(None) }}"}}


def playbook(path, by_strategy, processes=1):
    gather = dict(FLEET_TASK)
    gather["vpnops.tunnels.vpn_fleet_facts"] = dict(gather["vpnops.tunnels.vpn_fleet_facts"],
                                                    processes=processes)
    play = {"name": "fleet", "hosts": "all", "gather_facts": False, "tasks": [gather, SHOW]}
    if by_strategy:
        play["strategy"] = "vpnops.tunnels.fleet"
    else:
        gather.update(loop="{{ ansible_play_hosts }}", delegate_to="{{ item }}", delegate_facts=True)
    path.write_text(yaml.safe_dump([play], sort_keys=False))
    return path


@pytest.fixture(scope="module")
def devices():
    found = build_devices(vendor_platforms(), per_platform=1)
    for index, fault in enumerate(sorted(FAULTS)):
        faulty = build_devices(["cisco_ios"], per_platform=1)[0]
        faulty.name = "emu-%s-%d" % (fault.replace("_", "-"), index)
        faulty.faults = {fault}
        found.append(faulty)
    return found


@pytest.mark.parametrize("by_strategy,processes", [(True, 1), (True, 3), (False, 2)],
                         ids=["fleet-strategy", "fleet-strategy-3-processes", "loop-2-processes"])
def test_each_host_gets_its_own_facts_and_faulty_ones_fail_alone(
        devices, ansible_env, tmp_path, by_strategy, processes):
    inventory = tmp_path / "fleet.yml"
    with Fleet(devices) as fleet:
        fleet.write_inventory(inventory)
        done, records = run_ansible(ansible_env, "ansible-playbook", "-i", inventory,
                                    playbook(tmp_path / "play.yml", by_strategy, processes))
        truth = {device.name: copy.deepcopy(device.state()) for device in devices}
    shown = host_results(records, task=SHOW_TASK)
    healthy = [d for d in devices if not d.faults]
    missing = [d.name for d in healthy if not shown[d.name]["msg"]]
    assert missing == [], done.stdout[-3000:]
    for device in healthy:
        facts = shown[device.name]["msg"]
        assert facts and facts["hostname"] == device.name and facts["platform"] == device.platform
        vendor = load_vendor(device.platform)
        assert reported_differences(facts["tunnels"], truth[device.name], vendor.REPORTED) == [], \
            device.name
    for device in devices:
        if not device.faults:
            continue
        (fault,) = device.faults
        if by_strategy:  # the strategy fails the host itself: it runs no further task
            assert device.name not in shown
            assert "fatal: [%s]: UNREACHABLE! => %s: %s" % (
                device.name, device.name, FAULTS[fault]) in done.stdout or \
                "fatal: [%s]: FAILED! => %s: %s" % (device.name, device.name, FAULTS[fault]) in done.stdout
        else:  # its loop item says why, as a warning; the host has no facts
            assert shown[device.name]["msg"] is None
            item = next(i for i in host_results(records, task=FLEET_TASK["name"]).popitem()[1]["results"]
                        if i["item"] == device.name)
            assert item["vpn_failed"] is True and FAULTS[fault] in item["msg"]
            assert "[WARNING]: %s: %s" % (device.name, FAULTS[fault]) in done.stdout + done.stderr
    gathered = host_results(records, task=FLEET_TASK["name"])
    assert len(gathered) == 1  # one task for the whole fleet
    if by_strategy:  # and the recap counts every host, as if each had run it
        recap = {line.split()[0]: line for line in done.stdout.splitlines() if " : ok=" in line}
        assert all("ok=2 " in recap[d.name] and "failed=0" in recap[d.name] for d in healthy)
    if by_strategy:
        summary = next(iter(gathered.values()))["vpn_fleet"]
        assert sorted(json.loads(summary["facts_json"])) == sorted(d.name for d in healthy)
        assert list(summary["unreachable"]) == ["emu-wrong-password-1"]
        assert FAULTS["wrong_password"] in summary["unreachable"]["emu-wrong-password-1"]
        assert list(summary["failed"]) == ["emu-garbage-0"]
        assert FAULTS["garbage"] in summary["failed"]["emu-garbage-0"]


def test_the_audit_finds_the_same_in_fleet_mode(lab, ansible_env, tmp_path):
    """The audit role over the real lab, per host and in fleet mode, with one host whose
    password is wrong: the same findings, and the same communication error for that host."""
    from ansible_run import INVENTORY

    broken = tmp_path / "broken.yml"
    broken.write_text(yaml.safe_dump({"lab": {"hosts": {"lab-spoke2": {"ansible_password": "wrong"}}}}))
    found = {}
    for mode in ("false", "true"):
        out = tmp_path / mode
        done, _records = run_ansible(ansible_env, "ansible-playbook", "vpnops.tunnels.audit",
                                     "-i", INVENTORY, "-i", broken, "-e", "vpn_output_dir=%s" % out,
                                     "-e", "vpn_fleet_mode=%s" % mode, "-e", "vpn_fail_on=never")
        assert done.returncode == 0, done.stdout[-3000:]
        report = yaml.safe_load((out / "findings.json").read_text())
        found[mode] = (sorted((f["host"] or "", f.get("tunnel") or "", f["rule"], f["severity"])
                              for f in report["findings"]), report["errors"])
    assert found["true"] == found["false"]
    findings, errors = found["true"]
    assert list(errors) == ["lab-spoke2"] and "authentication failed" in errors["lab-spoke2"]
    assert [f[2] for f in findings if f[0] == "lab-spoke2"] == ["VPN-COMM-ERROR"]
    assert any(f[0] == "lab-hub" for f in findings)  # the others were audited

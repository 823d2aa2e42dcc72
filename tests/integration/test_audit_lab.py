"""The audit playbook (vpnops.tunnels.audit) against the real lab: the lab's broken tunnels are
findings with the right rule and reason, the healthy ones are not, the JUnit file reads back
with a real JUnit parser, and the exit code tells the CI server."""

import json

import pytest
import yaml
from junitparser import Failure, JUnitXml

from ansible_run import INVENTORY, run_ansible

pytestmark = pytest.mark.lab

DEAD_ADDRESS = "198.18.0.250"  # on the lab's management network, nobody answers there
FAIL_TASK = "Fail on findings at or above vpn_fail_on"


def audit(ansible_env, out, *extra, inventories=(INVENTORY,)):
    args = ["vpnops.tunnels.audit"]
    for inventory in inventories:
        args += ["-i", inventory]
    done, records = run_ansible(ansible_env, "ansible-playbook", *args,
                                "-e", "vpn_output_dir=%s" % out, *extra)
    return done, records


def host_results(records, task):
    """{host: result with status} of one task of the role ("vpnops.tunnels.audit : NAME")."""
    return {record["host"]: dict(record["result"], status=record["status"])
            for record in records if record["task"].split(" : ")[-1] == task}


def reports(out):
    findings = json.loads((out / "findings.json").read_text())
    junit = JUnitXml.fromfile(str(out / "junit.xml"))
    return findings, junit


def select(findings, rule=None, host=None, tunnel=None):
    return [f for f in findings["findings"]
            if (rule is None or f["rule"] == rule) and (host is None or f["host"] == host)
            and (tunnel is None or f["tunnel"] == tunnel)]


def case(junit, classname, name):
    found = [c for suite in junit for c in suite if c.classname == classname and c.name == name]
    assert len(found) == 1, (classname, name)
    return found[0]


def finding_keys(findings):
    """What a finding is, without its wording: to compare two runs."""
    return sorted((f["host"], f["tunnel"], f["rule"], f["actual"]) for f in findings["findings"])


def failures(test_case):
    return [r for r in test_case.result if isinstance(r, Failure)]


def output(done):
    return done.stdout[-4000:] + done.stderr[-3000:]


@pytest.fixture(scope="module")
def default_run(lab, ansible_env, tmp_path_factory):
    out = tmp_path_factory.mktemp("audit") / "reports"  # created by the role
    done, records = audit(ansible_env, out)
    return done, records, out


def test_the_run_fails_after_evaluating_every_host(default_run):
    done, records, _out = default_run
    assert done.returncode != 0, output(done)
    assert "findings at or above high" in done.stdout
    failed = host_results(records, task=FAIL_TASK)
    assert [result["status"] for result in failed.values()] == ["failed"], output(done)
    gathered = host_results(records, task="Gather tunnel state from the device")
    assert sorted(gathered) == ["lab-hub", "lab-ovpn", "lab-ovpn-c1", "lab-ovpn-c3",
                                "lab-spoke1", "lab-spoke2"]
    assert {result["status"] for result in gathered.values()} == {"ok"}


def test_the_lab_problems_are_findings_with_the_right_rule_and_reason(default_run):
    _done, _records, out = default_run
    findings, _junit = reports(out)
    assert findings["hosts"] == ["lab-hub", "lab-spoke1", "lab-spoke2", "lab-ovpn",
                                 "lab-ovpn-c1", "lab-ovpn-c3"]
    assert findings["errors"] == {}
    assert findings["failed"] is True and findings["fail_on"] == "high"
    assert findings["counts"]["findings"] == len(findings["findings"])
    assert sum(findings["counts"]["by_severity"].values()) == len(findings["findings"])

    [branch9] = select(findings, "VPN-HEALTH-DOWN", "lab-hub", "branch9")
    assert branch9["severity"] == "high" and "phase 1 not established" in branch9["message"]
    [backup] = select(findings, "VPN-HEALTH-DOWN", "lab-hub", "backup")
    assert "CHILD_SA not installed: backup-net" in backup["message"]

    banned = select(findings, "VPN-CRYPTO-BANNED", "lab-hub", "legacy")
    actual = " ".join(f["actual"] for f in banned)
    for algorithm in ("(3des)", "(sha1)", "(modp1024)"):
        assert algorithm in actual, actual
    assert {f["severity"] for f in banned} == {"high"}

    [dmz] = select(findings, "VPN-HEALTH-DEGRADED", "lab-spoke2", "hub")
    assert "dmz" in dmz["message"]
    [dc2] = select(findings, "VPN-HEALTH-DOWN", "lab-spoke1", "dc2")
    assert dc2["actual"] == "DOWN"

    server = select(findings, host="lab-ovpn", tunnel="server")
    assert any(f["rule"].startswith("VPN-HEALTH-") and "client3" in f["message"] for f in server)

    assert not [f for f in select(findings, host="lab-hub", tunnel="spoke1")
                if f["rule"].startswith("VPN-HEALTH-")]
    assert not select(findings, "VPN-COMM-ERROR")


def test_the_junit_file_reads_back_with_the_reasons(default_run):
    _done, _records, out = default_run
    findings, junit = reports(out)
    assert junit.failures > 0 and junit.tests > junit.failures
    assert [suite.name for suite in junit][:6] == findings["hosts"]
    legacy = failures(case(junit, "lab-hub.legacy", "VPN-CRYPTO-BANNED"))
    assert len(legacy) == 1 and legacy[0].type == "high"
    assert "is banned" in legacy[0].message and "(3des)" in legacy[0].message
    assert "expected: " in legacy[0].text and "actual: " in legacy[0].text
    assert failures(case(junit, "lab-hub.spoke1", "VPN-HEALTH-DOWN")) == []
    assert case(junit, "lab-hub.spoke1", "VPN-HEALTH-DOWN").is_passed
    assert failures(case(junit, "lab-hub.branch9", "VPN-HEALTH-DOWN"))
    assert failures(case(junit, "lab-hub.-", "VPN-COMM-ERROR")) == []


def test_an_unreachable_host_is_a_finding_and_the_others_are_still_evaluated(
        lab, ansible_env, tmp_path):
    dead = tmp_path / "dead.yml"
    dead.write_text(yaml.safe_dump({"lab": {"children": {"strongswan": {"hosts": {
        "lab-dead": {"ansible_host": DEAD_ADDRESS, "vpn_timeout": 5}}}}}}))
    out = tmp_path / "reports"
    done, records = audit(ansible_env, out, "-e", "vpn_fail_on=never",
                          inventories=(INVENTORY, dead))
    assert done.returncode == 0, output(done)
    gathered = host_results(records, task="Gather tunnel state from the device")
    assert gathered["lab-dead"]["status"] in ("unreachable", "failed")
    findings, junit = reports(out)
    [comm] = select(findings, "VPN-COMM-ERROR")
    assert comm["host"] == "lab-dead" and comm["severity"] == "high"
    assert comm["message"].startswith("communication status Error: ")
    assert "lab-dead" in findings["errors"]
    assert select(findings, "VPN-HEALTH-DOWN", "lab-hub", "branch9")  # the rest still judged
    assert select(findings, "VPN-CRYPTO-BANNED", "lab-hub", "legacy")
    comm_case = failures(case(junit, "lab-dead.-", "VPN-COMM-ERROR"))
    assert comm_case and "communication status Error" in comm_case[0].message
    dead_suite = [suite for suite in junit if suite.name == "lab-dead"][0]
    assert dead_suite.tests == 2 and dead_suite.failures == 1


def test_check_mode_writes_the_reports_too(lab, ansible_env, tmp_path, default_run):
    out = tmp_path / "reports"
    done, _records = audit(ansible_env, out, "--check")
    assert done.returncode != 0, output(done)
    findings, junit = reports(out)
    expected = reports(default_run[2])[0]
    assert finding_keys(findings) == finding_keys(expected)
    assert junit.failures > 0


def test_fail_on_never_exits_zero_with_the_same_reports(lab, ansible_env, tmp_path, default_run):
    out = tmp_path / "reports"
    done, records = audit(ansible_env, out, "-e", "vpn_fail_on=never")
    assert done.returncode == 0, output(done)
    assert "failed" not in {r["status"] for r in host_results(records, task=FAIL_TASK).values()}
    assert "No findings at or above" not in done.stdout and "vpn_fail_on is never" in done.stdout
    findings, junit = reports(out)
    expected, expected_junit = reports(default_run[2])
    assert finding_keys(findings) == finding_keys(expected)
    assert (findings["fail_on"], findings["failed"], findings["counts"]["failing"]) == (
        "never", False, 0)
    assert (junit.tests, junit.failures) == (expected_junit.tests, expected_junit.failures)


def test_a_policy_that_allows_the_legacy_crypto(lab, ansible_env, tmp_path):
    policy = tmp_path / "policy.yml"
    policy.write_text(yaml.safe_dump({"crypto": {"banned": {
        "encryption": [], "integrity": [], "prf": [], "dh_group": []}}}))
    out = tmp_path / "reports"
    done, _records = audit(ansible_env, out, "-e", "vpn_policy_file=%s" % policy)
    assert done.returncode != 0, output(done)  # the DOWN tunnels still fail the run
    findings, junit = reports(out)
    assert findings["policy_file"] == str(policy)
    assert not select(findings, "VPN-CRYPTO-BANNED")
    assert select(findings, "VPN-HEALTH-DOWN", "lab-hub", "branch9")
    assert failures(case(junit, "lab-hub.legacy", "VPN-CRYPTO-BANNED")) == []


def test_a_bad_variable_fails_early(lab, ansible_env, tmp_path):
    done, records = audit(ansible_env, tmp_path / "reports", "-e", "vpn_fail_on=sometimes")
    assert done.returncode != 0
    assert "vpn_fail_on" in done.stdout + done.stderr
    assert not host_results(records, task="Gather tunnel state from the device")
    assert not (tmp_path / "reports").exists()


def test_facts_gathered_earlier_are_used_when_vpn_gather_is_false(lab, ansible_env, tmp_path):
    playbook = tmp_path / "audit_after_facts.yml"
    playbook.write_text(yaml.safe_dump([
        {"name": "Gather first", "hosts": "lab", "gather_facts": False,
         "tasks": [{"name": "Gather the facts beforehand", "vpnops.tunnels.vpn_facts": None}]},
        {"name": "Audit", "hosts": "lab", "gather_facts": False,
         "roles": [{"role": "vpnops.tunnels.audit", "vars": {"vpn_gather": False}}]},
    ]))
    out = tmp_path / "reports"
    done, records = run_ansible(ansible_env, "ansible-playbook", "-i", INVENTORY, playbook,
                                "-e", "vpn_output_dir=%s" % out, "-e", "vpn_fail_on=never")
    assert done.returncode == 0, output(done)
    assert len(host_results(records, task="Gather the facts beforehand")) == 6
    gathered = host_results(records, task="Gather tunnel state from the device")
    assert "ok" not in {result["status"] for result in gathered.values()}
    findings, _junit = reports(out)
    assert select(findings, "VPN-HEALTH-DOWN", "lab-hub", "branch9")
    assert not select(findings, "VPN-COMM-ERROR")

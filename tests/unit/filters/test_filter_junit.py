"""vpn_junit: findings as JUnit XML, read back by a real JUnit parser (junitparser), and the
audit role's default policy file equal to the policy defaults."""

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from ansible.errors import AnsibleFilterError
from junitparser import Failure, JUnitXml, SystemOut

import filter_examples as ex
from ansible_collections.vpnops.tunnels.plugins.filter import vpn_junit as filter_module
from ansible_collections.vpnops.tunnels.plugins.filter.fleet_summary import (
    FilterModule as SummaryFilters,
)
from ansible_collections.vpnops.tunnels.plugins.filter.vpn_compliance import (
    FilterModule as ComplianceFilters,
)
from ansible_collections.vpnops.tunnels.plugins.plugin_utils import junit
from ansible_collections.vpnops.tunnels.plugins.plugin_utils.policy import DEFAULT_POLICY, RULES

vpn_junit = filter_module.FilterModule().filters()["vpn_junit"]
vpn_compliance = ComplianceFilters().filters()["vpn_compliance"]
fleet_summary = SummaryFilters().filters()["fleet_summary"]
REPO = Path(__file__).resolve().parents[3]
TUNNEL_RULES = [r for r in RULES if r not in junit.HOST_RULES and r not in junit.SET_RULES]


def parse(text, tmp_path):
    """The XML as a CI server reads it: from a file, with junitparser."""
    path = tmp_path / "junit.xml"
    path.write_text(text, encoding="utf-8")
    return JUnitXml.fromfile(str(path))


def cases(xml):
    """(suite name, classname, name) -> junitparser TestCase."""
    return {(suite.name, case.classname, case.name): case for suite in xml for case in suite}


def failure(case):
    found = [r for r in case.result if isinstance(r, Failure)]
    return found[0] if found else None


def finding(rule, host, tunnel, severity="high", message="bad", waived=None, **extra):
    found = {"rule": rule, "severity": severity, "host": host, "tunnel": tunnel, "child": None,
             "redundancy_set": None, "expected": "good", "actual": "bad", "message": message,
             "waived": waived}
    found.update(extra)
    return found


# --- the role's default policy ------------------------------------------------------------

def test_the_audit_roles_default_policy_file_is_the_default_policy():
    path = REPO / "roles" / "audit" / "files" / "default_policy.yml"
    assert yaml.safe_load(path.read_text()) == DEFAULT_POLICY


def test_the_audit_roles_argument_spec_matches_its_defaults():
    specs = yaml.safe_load((REPO / "roles" / "audit" / "meta" / "argument_specs.yml").read_text())
    options = specs["argument_specs"]["main"]["options"]
    defaults = yaml.safe_load((REPO / "roles" / "audit" / "defaults" / "main.yml").read_text())
    assert set(options) == set(defaults)
    for name, default in defaults.items():
        if name != "vpn_policy_file":  # documented as the role's file, set with role_path
            assert options[name]["default"] == default, name
    assert defaults["vpn_policy_file"].endswith("/files/default_policy.yml")
    assert options["vpn_fail_on"]["choices"] == ["info", "low", "medium", "high", "critical",
                                                 "never"]


# --- structure and counts -----------------------------------------------------------------

def test_one_case_per_device_tunnel_and_rule_over_the_emulated_fleet(tmp_path):
    fleet = ex.fleet()
    findings = vpn_compliance(fleet)
    summary = fleet_summary(fleet, findings)
    xml = parse(vpn_junit(summary, findings), tmp_path)
    assert [suite.name for suite in xml] == list(fleet) + [junit.REDUNDANCY_SUITE]
    tunnels = {host: list(dict.fromkeys(t["name"] for t in facts["tunnels"]))
               for host, facts in fleet.items()}
    for suite in list(xml)[:-1]:
        names = {(case.classname, case.name) for case in suite}
        expected = {("%s.-" % suite.name, rule) for rule in junit.HOST_RULES}
        expected |= {("%s.%s" % (suite.name, tunnel), rule)
                     for tunnel in tunnels[suite.name] for rule in TUNNEL_RULES}
        assert expected <= names
        # the rest: findings without a tunnel case (sets on one host, missing tunnels)
        assert all(rule in junit.SET_RULES or rule == "VPN-TUNNEL-MISSING"
                   for _classname, rule in names - expected)
        assert suite.tests == len(names) == len(list(suite))
        assert suite.failures == sum(1 for case in suite if failure(case) is not None)
    failing_keys = {junit._case_key(f) for f in findings if not f["waived"]}
    assert xml.failures == len(failing_keys) > 0
    assert xml.tests == sum(suite.tests for suite in xml)
    assert xml.failures == sum(suite.failures for suite in xml)


def test_every_input_form_gives_the_same_xml():
    fleet = {"ios": ex.device("cisco_ios", 0, host="ios"), "wg": ex.device("wireguard", 0, host="wg")}
    findings = vpn_compliance(fleet)
    summary = fleet_summary(fleet, findings)
    expected = vpn_junit(summary, findings)
    assert vpn_junit(summary["rows"], findings) == expected
    assert vpn_junit(fleet, findings) == expected
    assert vpn_junit(ex.hostvars(fleet), findings) == expected
    assert vpn_junit(list(fleet.values()), findings) == expected
    assert vpn_junit(ex.hostvars(dict(fleet, other=None)), findings, hosts=["ios", "wg"]) == expected


def test_a_failure_carries_message_expected_actual_and_the_worst_severity(tmp_path):
    fleet = {"gw": ex.device("libreswan", 0, host="gw", tunnels=[ex.established("legacy")])}
    findings = [
        finding("VPN-CRYPTO-BANNED", "gw", "legacy", "medium", "IKE SA DH group modp1024 is banned",
                expected="DH group not one of: modp1024", actual="MODP_1024 (modp1024)"),
        finding("VPN-CRYPTO-BANNED", "gw", "legacy", "critical", "child SA x: 3des is banned",
                child="x", expected="encryption not one of: 3des", actual="3DES_CBC (3des)"),
    ]
    xml = parse(vpn_junit(fleet, findings), tmp_path)
    found = cases(xml)
    broken = failure(found[("gw", "gw.legacy", "VPN-CRYPTO-BANNED")])
    assert broken.type == "critical"
    assert broken.message == "IKE SA DH group modp1024 is banned; child SA x: 3des is banned"
    for text in ("expected: DH group not one of: modp1024", "actual: MODP_1024 (modp1024)",
                 "child: x", "actual: 3DES_CBC (3des)", "severity: critical"):
        assert text in broken.text
    assert failure(found[("gw", "gw.legacy", "VPN-HEALTH-DOWN")]) is None
    assert failure(found[("gw", "gw.-", "VPN-COMM-ERROR")]) is None
    assert xml.failures == 1 and xml.tests == len(junit.HOST_RULES) + len(TUNNEL_RULES)


def test_a_host_without_facts_has_its_host_level_cases_and_the_error(tmp_path):
    hostvars = ex.hostvars({"gw1": ex.device("libreswan", 0), "gw2": None})
    errors = {"gw2": "ssh: <timed out> & gone"}
    findings = vpn_compliance(hostvars, errors=errors, hosts=["gw1", "gw2"])
    summary = fleet_summary(hostvars, findings, errors=errors, hosts=["gw1", "gw2"])
    xml = parse(vpn_junit(summary, findings), tmp_path)
    gw2 = [suite for suite in xml if suite.name == "gw2"][0]
    assert [(case.classname, case.name) for case in gw2] == [
        ("gw2.-", "VPN-COMM-ERROR"), ("gw2.-", "VPN-FACTS-ERROR")]
    comm = failure(list(gw2)[0])
    assert comm.type == "high"
    assert comm.message == "communication status Error: ssh: <timed out> & gone"
    assert gw2.failures == 1 and gw2.tests == 2


def test_waived_and_low_findings_pass_and_are_told_in_system_out(tmp_path):
    fleet = {"gw": ex.device("libreswan", 0, host="gw", tunnels=[ex.established("t")])}
    findings = [finding("VPN-IKE-VERSION", "gw", "t", "info", "IKEv1", waived="until the refresh"),
                finding("VPN-IDLE", "gw", "t", "low", "idle for 2 h")]
    found = cases(parse(vpn_junit(fleet, findings), tmp_path))
    waived = found[("gw", "gw.t", "VPN-IKE-VERSION")]
    assert failure(waived) is None
    out = list(waived.iterchildren(SystemOut))
    assert "waived: until the refresh" in out[0].text
    assert failure(found[("gw", "gw.t", "VPN-IDLE")]).type == "low"
    found = cases(parse(vpn_junit(fleet, findings, min_severity="medium"), tmp_path))
    assert failure(found[("gw", "gw.t", "VPN-IDLE")]) is None
    assert "below medium: idle for 2 h" in found[("gw", "gw.t", "VPN-IDLE")].system_out


def test_findings_without_a_case_get_their_own(tmp_path):
    fleet = {"f0": ex.device("fortinet", 0, host="f0"), "f1": ex.device("fortinet", 1, host="f1")}
    findings = [
        finding("VPN-TUNNEL-MISSING", "f0", "to-hq", message="expected tunnel to-hq is missing"),
        finding("VPN-REDUNDANCY-AT-RISK", "f0", None, "medium", "pair at risk",
                redundancy_set="pair"),
        finding("VPN-REDUNDANCY-DOWN", None, None, "critical", "set dc down", redundancy_set="dc"),
    ]
    xml = parse(vpn_junit(fleet, findings), tmp_path)
    found = cases(xml)
    assert failure(found[("f0", "f0.to-hq", "VPN-TUNNEL-MISSING")]).message == (
        "expected tunnel to-hq is missing")
    assert failure(found[("f0", "f0.pair", "VPN-REDUNDANCY-AT-RISK")]).type == "medium"
    assert failure(found[(junit.REDUNDANCY_SUITE, "redundancy.dc", "VPN-REDUNDANCY-DOWN")]).type \
        == "critical"
    assert list(xml)[-1].name == junit.REDUNDANCY_SUITE and xml.failures == 3


def test_the_real_redundancy_findings_of_the_emulated_fleet_are_in_the_xml(tmp_path):
    fleet = ex.fleet()
    findings = vpn_compliance(fleet)
    sets = [f for f in findings if f["rule"] in junit.SET_RULES and f["host"] is None]
    assert sets
    found = cases(parse(vpn_junit(fleet, findings), tmp_path))
    for item in sets:
        case = found[(junit.REDUNDANCY_SUITE, "redundancy.%s" % item["redundancy_set"],
                      item["rule"])]
        assert item["message"] in failure(case).message


# --- escaping -----------------------------------------------------------------------------

def test_names_and_messages_are_escaped(tmp_path):
    name = 'to <"hq"> & \'dc\''
    fleet = {"gw&1": ex.device("libreswan", 0, host="gw&1", tunnels=[ex.established(name)])}
    message = 'peer said "<no>" & left]]> \x00\x1b end'
    findings = [finding("VPN-HEALTH-DOWN", "gw&1", name, message=message, actual="a<b")]
    text = vpn_junit(fleet, findings, name="audit <nightly> & co")
    ET.fromstring(text.encode("utf-8"))  # well-formed
    xml = parse(text, tmp_path)
    assert xml.name == "audit <nightly> & co"
    case = cases(xml)[("gw&1", "gw&1.%s" % name, "VPN-HEALTH-DOWN")]
    assert failure(case).message == 'peer said "<no>" & left]]> \ufffd\ufffd end'
    assert "actual: a<b" in failure(case).text


# --- rules and arguments ------------------------------------------------------------------

def test_rules_and_the_policys_enabled_rules_choose_the_cases(tmp_path):
    fleet = {"gw": ex.device("libreswan", 0, host="gw", tunnels=[ex.established("t")])}
    xml = parse(vpn_junit(fleet, [], rules=["VPN-COMM-ERROR", "VPN-HEALTH-DOWN"]), tmp_path)
    assert sorted(cases(xml)) == [("gw", "gw.-", "VPN-COMM-ERROR"),
                                  ("gw", "gw.t", "VPN-HEALTH-DOWN")]
    policy = {"rules": {"VPN-IDLE": {"enabled": False}, "VPN-FACTS-ERROR": {"enabled": False}}}
    names = {key[2] for key in cases(parse(vpn_junit(fleet, policy=policy), tmp_path))}
    assert names == set(RULES) - {"VPN-IDLE", "VPN-FACTS-ERROR"} - set(junit.SET_RULES)
    as_text = vpn_junit(fleet, policy=yaml.safe_dump(policy))
    assert as_text == vpn_junit(fleet, policy=policy)


@pytest.mark.parametrize("args, kwargs, message", [
    ((), {"rules": ["VPN-NOPE"]}, "unknown rule id VPN-NOPE"),
    ((), {"colour": "red"}, "unknown argument"),
    ((), {"min_severity": "severe"}, "min_severity"),
    (([{"rule": "VPN-IDLE"}],), {}, "findings[0] is not a finding"),
    (([], []), {}, "at most 1 positional argument"),
    ((), {"policy": {"crypto": {"banned": {"cipher": []}}}}, "unknown key 'cipher'"),
])
def test_bad_arguments_are_filter_errors(args, kwargs, message):
    fleet = {"gw": ex.device("libreswan", 0, host="gw")}
    with pytest.raises(AnsibleFilterError) as error:
        vpn_junit(fleet, *args, **kwargs)
    assert message in str(error.value) and str(error.value).startswith("vpn_junit: ")


def test_bad_input_is_a_filter_error():
    with pytest.raises(AnsibleFilterError, match="vpn_junit: "):
        vpn_junit("not a fleet", [])
    with pytest.raises(AnsibleFilterError, match="vpn_junit: "):
        vpn_junit([{"tunnels": "nope"}], [])


def test_an_empty_fleet_is_an_empty_but_valid_report(tmp_path):
    xml = parse(vpn_junit([], []), tmp_path)
    assert (xml.tests, xml.failures, list(xml)) == (0, 0, [])


def test_documentation_is_valid_yaml_and_names_every_option():
    doc = yaml.safe_load(filter_module.DOCUMENTATION)
    assert doc["name"] == "vpn_junit"
    assert set(doc["options"]) == {"_input", "findings", "rules", "policy", "name", "hosts",
                                   "min_severity"}
    assert isinstance(yaml.safe_load(filter_module.EXAMPLES), list)
    assert yaml.safe_load(filter_module.RETURN)["_value"]["type"] == "str"

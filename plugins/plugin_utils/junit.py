# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Findings as JUnit XML, for CI servers (Jenkins, GitLab): one <testsuite> per device, one
<testcase classname="HOST.TUNNEL" name="RULE"> per device x tunnel x rule.

  - the tunnels of a device come from fleet_summary rows (or from the fleet itself); a host
    without facts has the single pseudo tunnel "-";
  - host-level rules (HOST_RULES: communication and gathering errors) are one case per device
    with tunnel "-"; tunnel-level rules one case per tunnel; the redundancy rules, which judge
    sets of tunnels, only appear where they have findings;
  - a case fails (<failure message=... type=SEVERITY>) when at least one finding of that
    (host, tunnel, rule) is not waived and reaches min_severity; its text lists every finding's
    message, expected and actual. Waived or lower findings pass and are told in <system-out>;
  - a finding that matches no generated case (a missing expected tunnel, a redundant set) gets
    a case of its own, so no finding is ever lost; findings without a host (sets spanning
    several hosts) go to a last suite named REDUNDANCY_SUITE.
The XML is built with xml.etree.ElementTree, so every text and attribute is escaped.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping

from ansible_collections.vpnops.tunnels.plugins.plugin_utils import inputs
from ansible_collections.vpnops.tunnels.plugins.plugin_utils.policy import (
    RULES,
    SEVERITIES,
    SEVERITY_RANK,
    Policy,
)

NO_TUNNEL = "-"
HOST_RULES = ("VPN-COMM-ERROR", "VPN-FACTS-ERROR")
SET_RULES = ("VPN-REDUNDANCY-AT-RISK", "VPN-REDUNDANCY-DOWN")
REDUNDANCY_SUITE = "redundancy sets"
DEFAULT_NAME = "vpnops.tunnels audit"
_ROW_KEYS = frozenset(("host", "name", "verdict"))
# characters XML 1.0 cannot carry at all, even escaped (device output may hold them)
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value):
    """str of value without the characters XML 1.0 forbids (ElementTree escapes the rest)."""
    return _INVALID_XML.sub("\ufffd", str(value))


def _is_rows(value):
    return isinstance(value, (list, tuple)) and bool(value) and all(
        isinstance(row, Mapping) and _ROW_KEYS <= set(row) for row in value)


def device_tunnels(data, hosts=None):
    """[(host, [tunnel names])] in input order, from fleet_summary's result or rows, or from
    a fleet (see inputs.devices). A host without facts has no tunnels."""
    if isinstance(data, Mapping) and "rows" in data and "totals" in data:
        data = data["rows"]
    if _is_rows(data) or (isinstance(data, (list, tuple)) and not data):
        order, tunnels = [], {}
        for row in data:
            host = str(row["host"])
            if host not in tunnels:
                order.append(host)
                tunnels[host] = []
            if row.get("name") is not None and row["name"] not in tunnels[host]:
                tunnels[host].append(row["name"])
        if hosts is not None:
            order = [str(host) for host in hosts]
        return [(host, tunnels.get(host, [])) for host in order]
    found = []
    for device in inputs.devices(data, hosts):
        names = []
        for tunnel in device.tunnels:
            if tunnel.get("name") not in names:
                names.append(tunnel.get("name"))
        found.append((device.host, names))
    return found


def enabled_rules(rules=None, policy=None):
    """Rule ids to report: the given ones (checked), else those the policy enables, else all."""
    if rules is not None:
        unknown = [rule for rule in rules if rule not in RULES]
        if unknown:
            raise inputs.InputError("unknown rule id%s %s (known: %s)" % (
                "" if len(unknown) == 1 else "s", ", ".join(map(str, unknown)), ", ".join(RULES)))
        return [rule for rule in RULES if rule in rules]
    if policy is not None:
        return [rule for rule in RULES if Policy(policy).enabled(rule)]
    return list(RULES)


def _check_findings(findings):
    for number, finding in enumerate(findings):
        if not isinstance(finding, Mapping) or finding.get("severity") not in SEVERITY_RANK \
                or not finding.get("rule"):
            raise inputs.InputError("findings[%d] is not a finding with a rule and a severity"
                                    " (one of %s)" % (number, ", ".join(SEVERITIES)))


def _case_key(finding):
    tunnel = finding.get("tunnel") or finding.get("redundancy_set") or NO_TUNNEL
    return finding.get("host"), str(tunnel), finding["rule"]


def _finding_text(finding):
    lines = [str(finding.get("message") or finding["rule"])]
    if finding.get("child"):
        lines.append("child: %s" % finding["child"])
    lines.append("expected: %s" % finding.get("expected"))
    lines.append("actual: %s" % finding.get("actual"))
    lines.append("severity: %s" % finding["severity"])
    return "\n".join(lines)


def build(data, findings=(), rules=None, policy=None, name=DEFAULT_NAME, hosts=None,
          min_severity="info"):
    """The JUnit XML text (str, with an XML declaration) of a fleet's findings."""
    findings = list(findings or ())
    _check_findings(findings)
    rule_ids = enabled_rules(rules, policy)
    host_rules = [rule for rule in rule_ids if rule in HOST_RULES]
    tunnel_rules = [rule for rule in rule_ids if rule not in HOST_RULES and rule not in SET_RULES]
    threshold = SEVERITY_RANK[min_severity]

    by_case = {}
    for finding in findings:
        by_case.setdefault(_case_key(finding), []).append(finding)

    # suite name -> ordered case keys
    suites = {}
    for host, tunnels in device_tunnels(data, hosts):
        keys = suites.setdefault(host, [])
        keys.extend((host, NO_TUNNEL, rule) for rule in host_rules)
        for tunnel in tunnels:
            keys.extend((host, str(tunnel), rule) for rule in tunnel_rules)
    known = {key for keys in suites.values() for key in keys}
    for key in by_case:  # findings without a generated case get one of their own
        if key not in known:
            host = key[0]
            suites.setdefault(REDUNDANCY_SUITE if host is None else str(host), []).append(key)
            known.add(key)
    if REDUNDANCY_SUITE in suites:  # findings of sets spanning hosts last
        suites[REDUNDANCY_SUITE] = suites.pop(REDUNDANCY_SUITE)

    root = ET.Element("testsuites", name=_text(name))
    total_tests = total_failures = 0
    for suite_name, keys in suites.items():
        suite = ET.SubElement(root, "testsuite", name=_text(suite_name))
        failures = 0
        for host, tunnel, rule in keys:
            classname = "%s.%s" % ("redundancy" if host is None else host, tunnel)
            case = ET.SubElement(suite, "testcase", classname=_text(classname), name=_text(rule))
            found = by_case.get((host, tunnel, rule), [])
            failing = [f for f in found
                       if not f.get("waived") and SEVERITY_RANK[f["severity"]] >= threshold]
            passing = [f for f in found if f not in failing]
            if failing:
                failures += 1
                worst = max(failing, key=lambda f: SEVERITY_RANK[f["severity"]])
                failure = ET.SubElement(case, "failure", message=_text("; ".join(
                    str(f.get("message") or f["rule"]) for f in failing)), type=worst["severity"])
                failure.text = _text("\n\n".join(_finding_text(f) for f in failing))
            if passing:
                out = ET.SubElement(case, "system-out")
                out.text = _text("\n\n".join(
                    ("waived: %s\n" % f["waived"] if f.get("waived") else
                     "below %s: " % min_severity) + _finding_text(f) for f in passing))
        suite.set("tests", str(len(keys)))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        total_tests += len(keys)
        total_failures += failures
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    root.set("errors", "0")
    if hasattr(ET, "indent"):
        ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

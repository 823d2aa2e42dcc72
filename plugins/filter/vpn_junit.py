# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vpn_junit filter: compliance findings as JUnit XML for CI servers."""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: vpn_junit
short_description: Compliance findings as JUnit XML, one test case per device, tunnel and rule
version_added: "0.1.0"
description:
  - Turns the findings of P(vpnops.tunnels.vpn_compliance#filter) into JUnit XML that Jenkins,
    GitLab and other CI servers read - one C(testsuite) per device, one
    C(testcase classname="HOST.TUNNEL" name="RULE") per device, tunnel and rule.
  - Host-level rules (C(VPN-COMM-ERROR), C(VPN-FACTS-ERROR)) are one case per device with
    tunnel C(-); a host without facts (unreachable, gathering failed) has only those.
    The redundancy rules judge sets of tunnels, so they appear only where they have findings,
    with the set's name as tunnel; sets spanning several hosts go to a last suite
    C(redundancy sets).
  - A case fails when at least one of its findings is not waived and reaches O(min_severity).
    The C(failure) carries the findings' messages as C(message), the worst severity as
    C(type), and each finding's message, expected and actual values as text. Waived findings
    (and those below O(min_severity)) pass, and are told in the case's C(system-out).
  - A finding that matches no case (an expected tunnel missing on the device, a redundant set)
    gets a case of its own, so the XML never drops a finding.
  - Suites and the root C(testsuites) carry C(tests) and C(failures) counts. The text is
    built with Python's ElementTree, so device output is escaped correctly; characters XML
    cannot hold at all are replaced.
author:
  - vpnops maintainers (@vpnops)
positional: findings
options:
  _input:
    description:
      - The devices and their tunnels - the result of P(vpnops.tunnels.fleet_summary#filter)
        or its C(rows), or a fleet as P(vpnops.tunnels.vpn_compliance#filter) takes it
        (C(hostvars), a dict of host to VPN facts, a list of VPN facts).
    type: raw
    required: true
  findings:
    description: Findings of P(vpnops.tunnels.vpn_compliance#filter).
    type: list
    elements: dict
    default: []
  rules:
    description:
      - Rule ids that get a test case for every device or tunnel (the enabled rules of the
        policy used). Omitted, the rules that O(policy) enables, else every rule.
    type: list
    elements: str
  policy:
    description:
      - The policy the findings were computed with (dict or YAML text, as for
        P(vpnops.tunnels.vpn_compliance#filter)); only used to know which rules are enabled
        when O(rules) is omitted.
    type: raw
  name:
    description: Name of the root C(testsuites) element.
    type: str
    default: vpnops.tunnels audit
  hosts:
    description:
      - Only these hosts, in this order (for example C(ansible_play_hosts_all)); a host
        listed without tunnels gets its host-level cases.
    type: list
    elements: str
  min_severity:
    description:
      - Findings below this severity do not fail their case (they are listed in
        C(system-out)).
    type: str
    choices: [info, low, medium, high, critical]
    default: info
"""

EXAMPLES = r"""
- name: Write the audit's findings as JUnit XML for the CI server
  vars:
    findings: "{{ hostvars | vpnops.tunnels.vpn_compliance(hosts=ansible_play_hosts_all) }}"
    summary: "{{ hostvars | vpnops.tunnels.fleet_summary(findings, hosts=ansible_play_hosts_all) }}"
  ansible.builtin.copy:
    content: "{{ summary | vpnops.tunnels.vpn_junit(findings, name='nightly VPN audit') }}"
    dest: reports/junit.xml
    mode: "0644"
  delegate_to: localhost
  run_once: true

- name: Only findings of medium severity or worse fail a case, with a policy's rules
  vars:
    policy: "{{ lookup('ansible.builtin.file', 'vpn-policy.yml') | from_yaml }}"
    findings: "{{ hostvars | vpnops.tunnels.vpn_compliance(policy, hosts=ansible_play_hosts_all) }}"
  ansible.builtin.copy:
    content: >-
      {{ hostvars | vpnops.tunnels.vpn_junit(findings, policy=policy, min_severity='medium',
                                             hosts=ansible_play_hosts_all) }}
    dest: reports/junit.xml
    mode: "0644"
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
_value:
  description: The JUnit XML document, with an XML declaration.
  type: str
  sample: |
    <?xml version="1.0" encoding="UTF-8"?>
    <testsuites name="vpnops.tunnels audit" tests="2" failures="1" errors="0">
      <testsuite name="gw1" tests="2" failures="1" errors="0" skipped="0">
        <testcase classname="gw1.legacy" name="VPN-CRYPTO-BANNED">
          <failure message="IKE SA DH group MODP_1024 (modp1024) is banned" type="high">...</failure>
        </testcase>
        <testcase classname="gw1.legacy" name="VPN-IKE-VERSION" />
      </testsuite>
    </testsuites>
"""

from ansible_collections.vpnops.tunnels.plugins.plugin_utils import inputs, junit


def vpn_junit(data, *args, **kwargs):
    with inputs.filter_errors("vpn_junit", "the input does not look like vpnops.tunnels facts or summary rows"):
        options = inputs.filter_options("vpn_junit", DOCUMENTATION, args, kwargs)
        return junit.build(data, options["findings"], rules=options["rules"],
                           policy=options["policy"], name=options["name"],
                           hosts=options["hosts"], min_severity=options["min_severity"])


class FilterModule:
    def filters(self):
        return {"vpn_junit": vpn_junit}

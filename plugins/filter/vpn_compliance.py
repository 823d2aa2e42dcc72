# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vpn_compliance filter: a fleet's VPN facts checked against a policy -> findings."""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: vpn_compliance
short_description: Check VPN facts against a policy and list the findings
version_added: "0.1.0"
description:
  - Checks every tunnel of a fleet against a policy - health, expected tunnels, crypto, IKE
    version, lifetimes, dead peer detection, idle child SAs, redundancy and connection
    counts - and returns one finding per problem, with its rule id, severity, host, tunnel,
    what was expected and what was found.
  - Hosts without VPN facts (unreachable, gathering failed) and the hosts of O(errors) are
    findings too (rule C(VPN-COMM-ERROR), "communication status Error"), never skipped.
  - The policy is merged over the defaults documented under O(policy) (dicts key by key,
    lists and values replaced, so a list given replaces the default list). Unknown keys and
    values of the wrong type are an error that names them.
  - Algorithm names are normalized before they are compared, in the policy and in the facts,
    so any vendor's spelling works (C(3DES_CBC), C(des3), C(esp-3des) are all C(3des);
    C(HMAC_SHA1_96), C(sha), C(esp-sha-hmac) are C(sha1); C(MODP_1024), C(group2), C(DH2),
    C(2) are C(modp1024)). Canonical names - encryption C(des), C(3des), C(aes-cbc),
    C(aes-gcm), C(aes-ccm), C(aes-ctr), C(chacha20-poly1305), C(null); integrity and PRF
    C(md5), C(sha1), C(sha256), C(sha384), C(sha512), C(aes-xcbc); DH groups by IANA name
    (C(modp768), C(modp1024), C(modp2048), C(ecp256), C(ecp384), C(curve25519), ...).
  - "Rules and default severities: C(VPN-COMM-ERROR) high, C(VPN-FACTS-ERROR) medium,
    C(VPN-HEALTH-DOWN) high, C(VPN-HEALTH-DEGRADED) medium, C(VPN-HEALTH-UNKNOWN) low,
    C(VPN-TUNNEL-MISSING) high, C(VPN-CRYPTO-BANNED) high, C(VPN-CRYPTO-NOT-ALLOWED) medium,
    C(VPN-CRYPTO-KEY-SIZE) high, C(VPN-IKE-VERSION) medium, C(VPN-LIFETIME-IKE) low,
    C(VPN-LIFETIME-CHILD) low, C(VPN-DPD-MISSING) medium, C(VPN-DPD-NOT-REPORTED) info,
    C(VPN-DPD-SETTINGS) low, C(VPN-IDLE) low, C(VPN-REDUNDANCY-AT-RISK) medium,
    C(VPN-REDUNDANCY-DOWN) critical, C(VPN-CONN-MAX) medium."
  - DPD is reported by strongswan, strongswan_legacy, libreswan and fortinet for configured
    tunnels, and by cisco_ios and cisco_asa for established IKEv2 SAs; a tunnel there without
    DPD is C(VPN-DPD-MISSING). Elsewhere it is C(VPN-DPD-NOT-REPORTED) (info).
  - From C(hostvars) the host variables C(group_names) (for O(policy.expected_tunnels.groups)),
    C(vpn_expected_tunnels) (a list of tunnel names this host must have) and
    C(vpn_redundancy) (tunnel name to redundant set name) are read too.
author:
  - vpnops maintainers (@vpnops)
positional: policy
extends_documentation_fragment:
  - vpnops.tunnels.fleet_input
options:
  policy:
    description:
      - The policy, as a dict or as YAML text (for example C(lookup('file', 'policy.yml'))).
        Omitted, the defaults below apply.
    type: raw
    suboptions:
      rules:
        description:
          - "Per rule id, C(severity) (V(info), V(low), V(medium), V(high), V(critical)) to
            override the default, and C(enabled) (bool) to turn the rule off, for example
            C({VPN-IDLE: {enabled: false}, VPN-IKE-VERSION: {severity: high}})."
        type: dict
        default: {}
      health:
        description: Thresholds of the health verdicts, as in P(vpnops.tunnels.tunnel_health#filter).
        type: dict
        suboptions:
          idle_seconds:
            description: One direction silent this long while the other flows is DEGRADED.
            type: int
            default: 300
          lifetime_min_seconds:
            description: A child SA with less hard lifetime left is DEGRADED.
            type: int
            default: 60
          rekey_grace_seconds:
            description: Slack after the rekey interval before a rekey is overdue.
            type: int
            default: 300
      expected_tunnels:
        description:
          - Tunnels that must exist (C(VPN-TUNNEL-MISSING) otherwise). Names may be glob
            patterns (C(wg0:*)).
        type: dict
        suboptions:
          hosts:
            description: Host name to the list of its tunnel names.
            type: dict
            default: {}
          groups:
            description:
              - Inventory group name to the list of tunnel names every host of the group must
                have; group C(all) applies to every host. Groups come from C(group_names) in
                C(hostvars) and from O(host_groups).
            type: dict
            default: {}
      crypto:
        description: Algorithm rules, for the IKE SA and every child SA.
        type: dict
        suboptions:
          banned:
            description: Algorithms that must not be used (C(VPN-CRYPTO-BANNED)), any spelling.
            type: dict
            suboptions:
              encryption:
                description: Banned encryption algorithms.
                type: list
                elements: raw
                default: [des, 3des, "null"]
              integrity:
                description: Banned integrity algorithms.
                type: list
                elements: raw
                default: [md5, sha1]
              prf:
                description: Banned pseudo-random functions.
                type: list
                elements: raw
                default: [md5]
              dh_group:
                description: Banned Diffie-Hellman groups (names or numbers).
                type: list
                elements: raw
                default: [modp768, modp1024]
          allowed:
            description:
              - When a list is not empty, only its algorithms are allowed
                (C(VPN-CRYPTO-NOT-ALLOWED)); empty lists allow anything not banned.
            type: dict
            suboptions:
              encryption:
                description: Allowed encryption algorithms.
                type: list
                elements: raw
                default: []
              integrity:
                description: Allowed integrity algorithms.
                type: list
                elements: raw
                default: []
              prf:
                description: Allowed pseudo-random functions.
                type: list
                elements: raw
                default: []
              dh_group:
                description: Allowed Diffie-Hellman groups.
                type: list
                elements: raw
                default: []
          min_key_size:
            description:
              - Smallest encryption key in bits (C(VPN-CRYPTO-KEY-SIZE)); null turns it off.
                The reported key size is used, else the one the name implies (C(aes256)).
            type: int
            default: 128
      ike:
        description: IKE rules.
        type: dict
        suboptions:
          versions_allowed:
            description: Allowed IKE versions (C(VPN-IKE-VERSION)).
            type: list
            elements: int
            default: [2]
      lifetimes:
        description:
          - Bounds of SA lifetimes in seconds (null - no bound). Checked - configured rekey and
            reauthentication intervals, and what is observed (an SA older than the maximum, a
            remaining lifetime or rekey countdown above it).
        type: dict
        suboptions:
          ike:
            description: IKE SA bounds (C(VPN-LIFETIME-IKE)).
            type: dict
            suboptions:
              min_seconds:
                description: Shortest allowed lifetime.
                type: int
                default: 3600
              max_seconds:
                description: Longest allowed lifetime.
                type: int
                default: 86400
          child:
            description: Child SA bounds (C(VPN-LIFETIME-CHILD)).
            type: dict
            suboptions:
              min_seconds:
                description: Shortest allowed lifetime.
                type: int
                default: 900
              max_seconds:
                description: Longest allowed lifetime.
                type: int
                default: 28800
      dpd:
        description:
          - Dead peer detection must be on (C(VPN-DPD-MISSING)) and at least this quick
            (C(VPN-DPD-SETTINGS)); null - no limit.
        type: dict
        suboptions:
          max_delay_seconds:
            description: Longest allowed interval between DPD probes.
            type: int
            default: 30
          max_timeout_seconds:
            description: Longest allowed time before a silent peer is declared dead.
            type: int
            default: 150
      idle_timeout_seconds:
        description:
          - A child SA idle in both directions for longer than this is a finding (C(VPN-IDLE)).
            Clamped to 300 to 3600 seconds.
        type: int
        default: 1200
      redundancy:
        description:
          - Redundant sets (C(VPN-REDUNDANCY-AT-RISK) with one member up, C(VPN-REDUNDANCY-DOWN)
            with none), as P(vpnops.tunnels.tunnel_redundancy#filter) finds them.
        type: dict
        suboptions:
          groups:
            description: Declared sets - name to members, each a C([host, tunnel]) pair or a C({host, tunnel}) dict.
            type: dict
            default: {}
          by_remote_network:
            description: Also group tunnels of any host that reach the same remote networks.
            type: bool
            default: true
      max_connections:
        description: Connection limits (C(VPN-CONN-MAX)); null - no limit.
        type: dict
        suboptions:
          ike_sas_per_tunnel:
            description: Established IKE SAs with the same tunnel name on one host.
            type: int
            default: 1
          openvpn_clients_per_server:
            description: Connected clients of one OpenVPN server.
            type: int
          openvpn_sessions_per_client:
            description: Connected sessions of one common name on one OpenVPN server.
            type: int
            default: 1
      waivers:
        description:
          - Accepted exceptions. A finding that matches a waiver is kept with severity V(info)
            and the waiver's reason in C(waived), so it never fails an audit but stays visible.
          - Each waiver has C(host) and C(tunnel) (glob patterns, default C(*)), C(rules) (rule
            ids or glob patterns, default all) and C(reason) (required).
        type: list
        elements: dict
        default: []
  host_groups:
    description:
      - Host to the list of its groups, for O(policy.expected_tunnels.groups), added to the
        C(group_names) read from C(hostvars) (the only source of groups when the input is
        not C(hostvars)).
    type: dict
    default: {}
  errors:
    description:
      - Host to error message, for hosts that could not be gathered (unreachable, failed). Each
        is a C(VPN-COMM-ERROR) finding with the message.
    type: dict
    default: {}
  hosts:
    description:
      - Only these hosts (for example C(ansible_play_hosts_all)), in this order. A host listed
        here without facts is a C(VPN-COMM-ERROR) finding. Use it when the input is
        C(hostvars), which holds every host of the inventory.
    type: list
    elements: str
"""

EXAMPLES = r"""
- name: Findings of the play's hosts with the default policy
  ansible.builtin.set_fact:
    vpn_findings: "{{ hostvars | vpnops.tunnels.vpn_compliance(hosts=ansible_play_hosts_all) }}"
  run_once: true

- name: With a policy file, and failing on high or critical findings
  vars:
    findings: >-
      {{ hostvars | vpnops.tunnels.vpn_compliance(lookup('ansible.builtin.file', 'vpn-policy.yml'),
                                                  hosts=ansible_play_hosts_all) }}
  ansible.builtin.assert:
    that: findings | selectattr('severity', 'in', ['high', 'critical']) | list | length == 0
    fail_msg: "{{ findings | selectattr('severity', 'in', ['high', 'critical']) | map(attribute='message') | list }}"
  run_once: true

# vpn-policy.yml
# expected_tunnels:
#   groups:
#     branches: [to-dc-a, to-dc-b]
# crypto:
#   allowed:
#     encryption: [aes-gcm, aes-cbc]
#   min_key_size: 256
# ike:
#   versions_allowed: [2]
# rules:
#   VPN-DPD-NOT-REPORTED: {enabled: false}
#   VPN-IKE-VERSION: {severity: high}
# redundancy:
#   groups:
#     dc-uplink: [[gw1, to-dc-a], [gw2, to-dc-b]]
# waivers:
#   - {host: legacy-*, rules: [VPN-IKE-VERSION], reason: "IKEv1 until the 2025 refresh"}
"""

RETURN = r"""
_value:
  description: The findings, host by host in input order, then those of redundant sets.
  type: list
  elements: dict
  contains:
    rule:
      description: Rule id, for example C(VPN-CRYPTO-BANNED).
      type: str
    severity:
      description: V(info), V(low), V(medium), V(high) or V(critical).
      type: str
    host:
      description: Inventory host; null for a redundant set that spans several hosts.
      type: str
    tunnel:
      description: Tunnel name; null for host-wide findings and redundant sets.
      type: str
    child:
      description: Child SA name when the finding is about one child SA.
      type: str
    redundancy_set:
      description: Name of the redundant set (C(VPN-REDUNDANCY-*) only).
      type: str
    expected:
      description: What the policy wants.
      type: str
    actual:
      description: What the device has.
      type: str
    message:
      description: One sentence with the numbers.
      type: str
    waived:
      description: Reason of the waiver that matched, else null.
      type: str
  sample:
    - rule: VPN-CRYPTO-BANNED
      severity: high
      host: gw1
      tunnel: dmvpn-NHRPVPN-tun100
      child: null
      redundancy_set: null
      expected: "DH group not one of: modp1024, modp768"
      actual: MODP_1024 (modp1024)
      message: IKE SA DH group MODP_1024 (modp1024) is banned
      waived: null
"""


from ansible_collections.vpnops.tunnels.plugins.plugin_utils import compliance, inputs


def vpn_compliance(data, *args, **kwargs):
    with inputs.filter_errors("vpn_compliance", "the input does not look like vpnops.tunnels facts"):
        options = inputs.filter_options("vpn_compliance", DOCUMENTATION, args, kwargs)
        return compliance.evaluate(data, options["policy"], host_groups=options["host_groups"],
                                   errors=options["errors"], hosts=options["hosts"]).findings


class FilterModule:
    def filters(self):
        return {"vpn_compliance": vpn_compliance}

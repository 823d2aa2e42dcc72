# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""report_rows filter: one report row per tunnel of a fleet, the input of the report renderers."""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: report_rows
short_description: One report row per VPN tunnel of a fleet, for the CSV, HTML and Markdown reports
version_added: "0.1.0"
description:
  - Turns the facts of a fleet into flat rows, one per tunnel, that
    P(vpnops.tunnels.report_csv#filter), P(vpnops.tunnels.report_html#filter) and
    P(vpnops.tunnels.report_markdown#filter) render.
  - A host with an error, without facts, or whose facts hold no tunnel gets one row with an
    empty tunnel name (C(name) V(null)), so no host is missing from a report.
  - C(comm_status) says how the host was read, the same on every row of the host -
    V(Ok) the facts were gathered and list no errors;
    V(Warning) the facts were gathered but list errors (a command failed or its output was
    not understood), they are in C(comm_message);
    V(Error) the host is in O(errors) (unreachable, gathering failed);
    V(Blocked) the host is in O(errors) and the message says the device refused us
    (authentication, host key, C(known_hosts), permission or become/sudo password);
    V(Pending) the host has no facts and is listed in O(pending) (gathering not run yet or
    skipped);
    V(Undefined) the host has no facts, no error and is not pending.
  - Health verdicts are those of P(vpnops.tunnels.tunnel_health#filter), with the O(health)
    thresholds.
author:
  - vpnops maintainers (@vpnops)
extends_documentation_fragment:
  - vpnops.tunnels.fleet_input
options:
  hosts:
    description:
      - Only these hosts (for example C(ansible_play_hosts_all)), in this order; a host
        listed that has no facts still gets its row.
    type: list
    elements: str
  errors:
    description:
      - Host to the message why it could not be gathered (a registered result's C(msg); a
        registered result itself works too). Such a host gets one row, C(Error) or C(Blocked),
        its facts (if any are left from before) are not shown.
    type: dict
    default: {}
  pending:
    description: Hosts whose gathering has not run yet or was skipped; without facts they are V(Pending).
    type: list
    elements: str
    default: []
  health:
    description: Thresholds for the health verdicts, as the options of P(vpnops.tunnels.tunnel_health#filter).
    type: dict
    default: {}
  rates:
    description:
      - Rows of the C(traffic_rates) filter (C(host), C(tunnel), C(child), C(bps_in),
        C(bps_out), C(pps_in), C(pps_out), C(counter_reset), C(note)). The row with C(child)
        V(null) fills the tunnel's rate columns; the others the rates of its child SAs.
    type: list
    elements: dict
    default: []
  flaps:
    description: Rows of the C(tunnel_flaps) filter (C(host), C(tunnel), C(flaps), C(last_change)).
    type: list
    elements: dict
    default: []
"""

EXAMPLES = r"""
- name: Build the report rows of the play's hosts
  run_once: true
  ansible.builtin.set_fact:
    report_rows: >-
      {{ hostvars | vpnops.tunnels.report_rows(hosts=ansible_play_hosts_all, errors=gather_errors,
                                               health={'idle_seconds': 600},
                                               rates=rates | default([]), flaps=flaps | default([])) }}

- name: Tunnels of hosts that could not be read
  ansible.builtin.debug:
    msg: "{{ report_rows | rejectattr('comm_status', 'equalto', 'Ok') | map(attribute='host') | unique }}"
  run_once: true
"""

RETURN = r"""
_value:
  description:
    - One row per tunnel, host by host in input order (the order of O(hosts) when given),
      tunnels in the order of the facts; one row with C(name) V(null) per host without a
      tunnel to show.
    - Keys, in this order (the CSV columns, with their titles) - C(host) (System name),
      C(comm_status) (System comm. status), C(name) (Name), C(type) (Type), C(state) (State),
      C(enabled) (Enabled), C(status_message) (Status message; the error for a host row),
      C(children) (Children), C(last_update) (Last update - the facts' C(collected_at)),
      C(platform) (Platform), C(peer) (Peer - IPsec remote address, OpenVPN client's server,
      WireGuard endpoint), C(local_address) (Local address), C(ike_version) (IKE version),
      C(ike_algorithms) (IKE algorithms), C(child_algorithms) (Child algorithms), C(nat_t)
      (NAT-T), C(spi_in) (SPIs in), C(spi_out) (SPIs out), C(bytes_in) (Bytes in),
      C(bytes_out) (Bytes out), C(packets_in) (Packets in), C(packets_out) (Packets out) - sums
      over the child SAs or OpenVPN clients, C(bps_in) (bps in), C(bps_out) (bps out),
      C(pps_in) (pps in), C(pps_out) (pps out), C(rate_note) (Rate note), C(flaps) (Flaps),
      C(last_flap) (Last flap), C(verdict) (Health), C(reasons) (Health reasons, a list),
      C(comm_message) (Comm. message - the error, or the facts' errors).
    - C(children) is a list of dicts, one per child SA (IPsec), the peer link (WireGuard) or
      client (OpenVPN server), each with C(name), C(state), C(rekey_seconds),
      C(lifetime_seconds), C(installed_seconds), C(mode), C(protocol), C(spi_in), C(spi_out),
      C(algorithms), C(bytes_in), C(bytes_out), C(packets_in), C(packets_out), C(local_ts),
      C(remote_ts), C(address), C(connected_since), C(bps_in), C(bps_out).
  type: list
  elements: dict
  sample:
    - host: gw1
      comm_status: Ok
      name: to-dc
      type: ipsec
      state: ESTABLISHED
      enabled: true
      status_message: null
      children:
        - {name: net, state: INSTALLED, rekey_seconds: 2000, lifetime_seconds: 3000}
      last_update: "2026-11-21T18:00:00Z"
      platform: strongswan
      peer: 192.0.2.1
      verdict: OPERATIONAL
      reasons: ["IKE SA ESTABLISHED, 1 of 1 child SA installed"]
"""


from ansible_collections.vpnops.tunnels.plugins.plugin_utils import health, inputs, report


def report_rows(data, *args, **kwargs):
    with inputs.filter_errors("report_rows", "the input does not look like vpnops.tunnels facts"):
        options = inputs.filter_options("report_rows", DOCUMENTATION, args, kwargs)
        return report.build_rows(data, hosts=options["hosts"], errors=options["errors"],
                                 pending=options["pending"],
                                 thresholds=health.thresholds(options["health"]),
                                 rates=options["rates"], flaps=options["flaps"])


class FilterModule:
    def filters(self):
        return {"report_rows": report_rows}

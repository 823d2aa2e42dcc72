# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""tunnel_events filter: what changed on the tunnels between two report snapshots."""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: tunnel_events
short_description: Tunnel state changes between two fleet report snapshots
version_added: "0.1.0"
description:
  - Compares the previous report snapshot (the input) with the current one and returns an
    event for each change of state. Nothing that stayed the same gives an event.
  - A snapshot is a dict C(schema) (V(vpnops.tunnels/snapshot/1)), C(taken_at) (UTC),
    C(hosts) (host to the facts M(vpnops.tunnels.vpn_facts) returns, or null) and C(errors)
    (host to why it could not be gathered).
  - "IPsec: V(phase1_up) / V(phase1_down) when the IKE SA became up (C(ESTABLISHED);
    C(REKEYING) and C(REKEYED) count as up, as in P(vpnops.tunnels.tunnel_health#filter)) or
    stopped being up (the message says where negotiation stopped, from C(ike.negotiation));
    V(phase2_up) / V(phase2_down) per child SA name, installed or not (or no longer listed)."
  - "OpenVPN: V(phase1_up) / V(phase1_down) when the server or client process is UP or not;
    V(phase2_up) / V(phase2_down) per client of a server (RV(_value.child) is the common
    name) when it connects or is no longer connected or listed. WireGuard: V(phase1_up) /
    V(phase1_down) when the peer's handshake becomes fresh or stale (its one child mirrors
    the peer, so no phase 2 events)."
  - V(health_ok) / V(health_failed) when the P(vpnops.tunnels.tunnel_health#filter) verdict
    moved to or away from OPERATIONAL (changes between DEGRADED, DOWN and UNKNOWN give none).
  - V(tunnel_appeared) / V(tunnel_vanished) when a tunnel name is new or gone on a host whose
    facts are in both snapshots; such a tunnel gets no other event.
  - V(connection_failed) when no tunnel of a connection is up any more (OPERATIONAL or
    DEGRADED), each being DOWN or gone, while at least one was up before. A connection is a
    host's tunnels that share a name once libreswan's instance suffix C([N]) is removed; any
    other tunnel is a connection of its own. A tunnel in state UNKNOWN is not counted failed.
  - Several SAs of one tunnel name on a host (an IKE SA being replaced, duplicates) are one
    tunnel with its best state and best verdict.
  - A previous snapshot that is null or empty (the first run) gives no events. A host whose
    facts are not in both snapshots gives no events at all - when it could not be gathered now
    (it is in C(errors)) we do not know what happened to its tunnels, so none is reported
    vanished. Pass the kept history (a list of snapshots, oldest first) as the input to compare
    each host with the last run that gathered it instead.
author:
  - vpnops maintainers (@vpnops)
positional: current
options:
  _input:
    description:
      - The previous snapshot; or a list of earlier snapshots, oldest first, in which case each
        host's baseline is the newest one that has its facts. Null or empty on the first run.
    type: raw
    required: true
  current:
    description: The current snapshot.
    type: dict
    required: true
  health:
    description:
      - Thresholds for the health verdicts, as the options of P(vpnops.tunnels.tunnel_health#filter)
        (C(idle_seconds), C(lifetime_min_seconds), C(rekey_grace_seconds)).
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: What changed since the last report run
  ansible.builtin.debug:
    msg: "{{ previous_snapshot | vpnops.tunnels.tunnel_events(current_snapshot) }}"

- name: Connections that failed since the last run, with stricter idle detection
  vars:
    changes: "{{ previous_snapshot | vpnops.tunnels.tunnel_events(current_snapshot, health={'idle_seconds': 120}) }}"
  ansible.builtin.debug:
    msg: "{{ changes | selectattr('event', 'equalto', 'connection_failed') | map(attribute='message') | list }}"

- name: Compare each host with the last run that reached it (history oldest first)
  ansible.builtin.debug:
    msg: "{{ kept_snapshots | vpnops.tunnels.tunnel_events(current_snapshot) }}"
"""

RETURN = r"""
_value:
  description: The events, ordered by host, then tunnel, then event kind and child.
  type: list
  elements: dict
  contains:
    time:
      description: When the change was seen - the current facts' C(collected_at), else the snapshot's C(taken_at).
      type: str
    host:
      description: The host.
      type: str
    tunnel:
      description: The tunnel name; for V(connection_failed) the connection name.
      type: str
    child:
      description: The child SA name or OpenVPN client common name of phase 2 events, else null.
      type: str
    event:
      description:
        - V(phase1_up), V(phase1_down), V(phase2_up), V(phase2_down), V(health_ok),
          V(health_failed), V(tunnel_appeared), V(tunnel_vanished) or V(connection_failed).
      type: str
    old_state:
      description:
        - The state before - the tunnel's or child's model state, the verdict for health and
          connection events; null when there was none.
      type: str
    new_state:
      description: The state now, likewise; null when the tunnel, child or client is gone.
      type: str
    message:
      description: One short sentence saying what happened, with the numbers.
      type: str
  sample:
    - time: "2026-11-21T18:00:03Z"
      host: gw1
      tunnel: to-dc
      child: null
      event: phase1_down
      old_state: ESTABLISHED
      new_state: CONNECTING
      message: "phase 1 no longer established: IKE SA CONNECTING (MM_WAIT_MSG2)"
    - time: "2026-11-21T18:00:03Z"
      host: gw1
      tunnel: to-dc
      child: net
      event: phase2_down
      old_state: INSTALLED
      new_state: DOWN
      message: "child SA net no longer installed: DOWN"
"""


from ansible_collections.vpnops.tunnels.plugins.module_utils import cyclic_gc
from ansible_collections.vpnops.tunnels.plugins.plugin_utils import events, health, inputs


def tunnel_events(data, *args, **kwargs):
    with inputs.filter_errors("tunnel_events", "the snapshots do not look like vpnops.tunnels snapshots"):
        snapshot, options = events.snapshot_argument("tunnel_events", DOCUMENTATION, args, kwargs)
        limits = health.thresholds(options["health"])
        with cyclic_gc.paused():
            current = events.read_snapshot(snapshot, "current")
            history = events.read_history(data, "previous")
            return events.fleet_events(history, current, limits)


class FilterModule:
    def filters(self):
        return {"tunnel_events": tunnel_events}

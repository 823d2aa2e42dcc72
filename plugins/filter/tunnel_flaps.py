# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""tunnel_flaps filter: how often each tunnel's health went away over the kept snapshots."""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: tunnel_flaps
short_description: How often each VPN tunnel stopped being OPERATIONAL over the kept report snapshots
version_added: "0.1.0"
description:
  - Walks a list of report snapshots, oldest first (a snapshot is described in
    P(vpnops.tunnels.tunnel_events#filter)), and counts, for each host and tunnel, how many
    times its P(vpnops.tunnels.tunnel_health#filter) verdict went from OPERATIONAL to
    anything else between one observation and the next.
  - A tunnel is observed in every snapshot whose facts of its host were gathered, from the
    first one it appears in. Missing from a host that was gathered, it counts as not
    OPERATIONAL (platforms that list only live SAs drop tunnels that are down); a snapshot in
    which its host was not gathered is no observation.
  - Several SAs of one tunnel name on a host are one tunnel, OPERATIONAL when any of them is.
author:
  - vpnops maintainers (@vpnops)
options:
  _input:
    description: The snapshots, oldest first. Null items (and an empty list) are skipped.
    type: list
    elements: dict
    required: true
  health:
    description:
      - Thresholds for the health verdicts, as the options of P(vpnops.tunnels.tunnel_health#filter)
        (C(idle_seconds), C(lifetime_min_seconds), C(rekey_grace_seconds)).
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Tunnels that flapped over the kept history
  ansible.builtin.debug:
    msg: "{{ kept_snapshots | vpnops.tunnels.tunnel_flaps | selectattr('flaps', 'gt', 0) | list }}"

- name: The worst five
  ansible.builtin.debug:
    msg: >-
      {{ (kept_snapshots + [current_snapshot]) | vpnops.tunnels.tunnel_flaps
         | sort(attribute='flaps', reverse=true) | first(5) }}
"""

RETURN = r"""
_value:
  description: One row per host and tunnel seen in any snapshot, ordered by host and tunnel.
  type: list
  elements: dict
  contains:
    host:
      description: The host.
      type: str
    tunnel:
      description: The tunnel name.
      type: str
    flaps:
      description: How many times the verdict went from OPERATIONAL to not OPERATIONAL.
      type: int
    snapshots:
      description: In how many snapshots the tunnel was observed (the flaps are counted over these).
      type: int
    last_change:
      description:
        - When its verdict last moved to or away from OPERATIONAL (the facts' C(collected_at),
          else the snapshot's C(taken_at)); null when it never changed.
      type: str
  sample:
    - {host: gw1, tunnel: to-dc, flaps: 2, snapshots: 48, last_change: "2026-11-21T14:00:02Z"}
"""


from ansible_collections.vpnops.tunnels.plugins.module_utils import cyclic_gc
from ansible_collections.vpnops.tunnels.plugins.plugin_utils import events, health, inputs


def tunnel_flaps(data, *args, **kwargs):
    with inputs.filter_errors("tunnel_flaps", "the snapshots do not look like vpnops.tunnels snapshots"):
        options = inputs.filter_options("tunnel_flaps", DOCUMENTATION, args, kwargs)
        limits = health.thresholds(options["health"])
        if isinstance(data, dict):
            raise inputs.InputError("expected a list of snapshots, oldest first, got one snapshot"
                                    " (a dict): wrap it in a list")
        with cyclic_gc.paused():
            return events.flaps(events.read_history(data, "snapshots"), limits)


class FilterModule:
    def filters(self):
        return {"tunnel_flaps": tunnel_flaps}

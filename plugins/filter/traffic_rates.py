# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""traffic_rates filter: bits and packets per second of each tunnel between two snapshots."""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: traffic_rates
short_description: Traffic rates of VPN tunnels from the counters of two report snapshots
version_added: "0.1.0"
description:
  - Bits and packets per second, in and out, of every tunnel of the current snapshot (the sum
    of its children) and of each of its child SAs or OpenVPN clients, from the change of their
    counters since the previous snapshot (the input). A snapshot is described in
    P(vpnops.tunnels.tunnel_events#filter).
  - The interval is the time between the two facts' C(collected_at) (each falls back to its
    snapshot's C(taken_at)). An interval of 0 s or less gives null rates with a note.
  - "Counter resets never give negative or absurd rates. A child SA is the same SA when its
    SPIs are (OpenVPN: the client's connection time; platforms that report neither, such as
    VyOS and WireGuard, go by the child name). A new SA (a rekey with new SPIs, a reconnected
    client, a new child) counts from its installation: its counter over its age
    (C(installed_seconds); for OpenVPN the time since C(connected_since)). A counter of the
    same SA that went lower was cleared: the new counter over min(interval, age). Both set
    RV(_value.counter_reset); when the age is not reported the rates are null with a note.
    An SA without SPIs installed less than the interval ago is a new SA too."
  - Null counters (the platform does not count, or no SA is installed) give null rates. A
    tunnel's total adds up its children with counters; it is null when the rate of one of them
    is unknown.
  - Only hosts with facts in both snapshots have rows. A null or empty previous snapshot (the
    first run) gives an empty list. With a list of snapshots as the input, each host is
    compared with the newest one that has its facts.
author:
  - vpnops maintainers (@vpnops)
positional: current
options:
  _input:
    description:
      - The previous snapshot; or a list of earlier snapshots, oldest first. Null or empty on
        the first run.
    type: raw
    required: true
  current:
    description: The current snapshot.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Rates since the last report run
  ansible.builtin.debug:
    msg: "{{ previous_snapshot | vpnops.tunnels.traffic_rates(current_snapshot) }}"

- name: The ten busiest tunnels
  ansible.builtin.debug:
    msg: >-
      {{ previous_snapshot | vpnops.tunnels.traffic_rates(current_snapshot)
         | selectattr('child', 'none') | rejectattr('bps_in', 'none')
         | sort(attribute='bps_in', reverse=true) | map(attribute='tunnel') | list | first(10) }}
"""

RETURN = r"""
_value:
  description:
    - One row per tunnel (RV(_value.child) null, the sum of its children) followed by one row
      per child SA or OpenVPN client; hosts sorted, tunnels by name, children in the facts' order.
  type: list
  elements: dict
  contains:
    host:
      description: The host.
      type: str
    tunnel:
      description: The tunnel name.
      type: str
    child:
      description: The child SA name or OpenVPN client common name; null for the tunnel's total.
      type: str
    seconds:
      description:
        - The time the rates are over - the interval, or the shorter age of an SA whose
          counters restarted; null when unknown.
      type: float
    bps_in:
      description: Bits per second received through the tunnel, or null.
      type: float
    bps_out:
      description: Bits per second sent, or null.
      type: float
    pps_in:
      description: Packets per second received, or null (OpenVPN counts no packets).
      type: float
    pps_out:
      description: Packets per second sent, or null.
      type: float
    counter_reset:
      description: The counters restarted during the interval (rekey, reconnect, cleared counters).
      type: bool
    note:
      description: Why a rate is null or how it was measured after a reset; null otherwise.
      type: str
  sample:
    - {host: gw1, tunnel: to-dc, child: null, seconds: 300.0, bps_in: 960.0, bps_out: 1920.0,
       pps_in: 1.0, pps_out: 1.5, counter_reset: false, note: null}
    - {host: gw1, tunnel: to-dc, child: net, seconds: 300.0, bps_in: 960.0, bps_out: 1920.0,
       pps_in: 1.0, pps_out: 1.5, counter_reset: false, note: null}
    - {host: gw2, tunnel: to-hq, child: lan, seconds: 36, bps_in: 8000.0, bps_out: 16000.0,
       pps_in: 1.1, pps_out: 1.7, counter_reset: true,
       note: "rekeyed: new SPI c5cd0d88: rate over the 36 s since it was installed"}
"""


from ansible_collections.vpnops.tunnels.plugins.module_utils import cyclic_gc
from ansible_collections.vpnops.tunnels.plugins.plugin_utils import events, inputs, rates


def traffic_rates(data, *args, **kwargs):
    with inputs.filter_errors("traffic_rates", "the snapshots do not look like vpnops.tunnels snapshots"):
        snapshot, _options = events.snapshot_argument("traffic_rates", DOCUMENTATION, args, kwargs)
        with cyclic_gc.paused():
            current = events.read_snapshot(snapshot, "current")
            history = events.read_history(data, "previous")
            return rates.fleet_rates(history, current)


class FilterModule:
    def filters(self):
        return {"traffic_rates": traffic_rates}

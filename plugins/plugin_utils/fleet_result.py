# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The result of a vpn_fleet_facts task that ran once for the play, which the fleet strategy
hands out host by host and the filters read. Kept apart from the gathering code so that the
strategy and the filters need neither netmiko nor the parsers."""

from __future__ import annotations

import json
from collections.abc import Mapping

from ansible_collections.vpnops.tunnels.plugins.module_utils import cyclic_gc

# the key of the result's part that the fleet strategy hands out
RESULT_KEY = "vpn_fleet"


def build(outcomes):
    """A once-for-the-play result from {host: fleet.gather_one() result}: RESULT_KEY holds the
    facts, failures and unreachable hosts for the fleet strategy to hand out.

    The facts travel as one JSON text (facts_json). Ansible checks every value of a task's
    result on its way from the worker to the strategy and again when it is registered, which
    took 1 s for 500 hosts' facts as a dict, against milliseconds for one string."""
    facts, failed, unreachable = {}, {}, {}
    for host, outcome in outcomes.items():
        if not outcome.get("failed"):
            facts[host] = outcome["ansible_facts"]["vpn"]
        elif outcome.get("vpn_unreachable"):
            unreachable[host] = outcome["msg"]
        else:
            failed[host] = outcome["msg"]
    return {"changed": False,
            RESULT_KEY: {"facts_json": json.dumps(facts, separators=(",", ":")),
                         "failed": failed, "unreachable": unreachable},
            "msg": "gathered %d of %d hosts; %d failed, %d unreachable" % (
                len(facts), len(outcomes), len(failed), len(unreachable))}


def is_result(value):
    """Whether value is what build() returns (a registered vpn_fleet_facts task that ran once)."""
    # `in` first: on hostvars, get() would look up a host of that name and template it
    return isinstance(value, Mapping) and RESULT_KEY in value \
        and isinstance(value[RESULT_KEY], Mapping) \
        and isinstance(value[RESULT_KEY].get("facts_json"), str)


def facts_of(fleet):
    """host -> facts, from the RESULT_KEY part of what build() returns."""
    with cyclic_gc.paused():  # decoding makes many containers and no cycles
        return json.loads(fleet.get("facts_json") or "{}")

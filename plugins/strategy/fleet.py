# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""fleet strategy: linear, plus one thing - the result of a vpn_fleet_facts task that ran once
for the whole play is handed out host by host (facts, failures, unreachable hosts)."""

from __future__ import annotations

DOCUMENTATION = r"""
name: fleet
short_description: Linear strategy that hands out the results of one fleet-wide gathering task per host
version_added: "0.1.0"
description:
  - Runs a play exactly as the C(linear) strategy does.
  - When a M(vpnops.tunnels.vpn_fleet_facts) task that ran once (C(run_once=true)) returns the
    whole fleet's results, this strategy gives every host its own C(ansible_facts.vpn), and
    fails (or marks unreachable) every host whose device could not be gathered, with its own
    message, as if each host had run M(vpnops.tunnels.vpn_facts) itself. The task's
    C(ignore_errors) and C(ignore_unreachable) apply to those hosts as usual.
  - This is what makes fleet mode cost about one plain thread pool, whatever the number of
    hosts - Ansible would otherwise need a task (a forked worker) or a loop item per host.
author:
  - vpnops maintainers (@vpnops)
"""

from ansible import constants as C
from ansible.plugins.strategy.linear import StrategyModule as LinearStrategyModule
from ansible.utils.display import Display

from ansible_collections.vpnops.tunnels.plugins.plugin_utils.fleet_result import RESULT_KEY, facts_of

display = Display()


class StrategyModule(LinearStrategyModule):

    def _process_pending_results(self, iterator, one_pass=False, max_passes=None):
        results = super()._process_pending_results(iterator, one_pass=one_pass, max_passes=max_passes)
        for result in results:
            data = getattr(result, "_return_data", None)
            if data is None:  # ansible-core before 2.19
                data = getattr(result, "_result", None) or {}
            fleet = data.get(RESULT_KEY) if isinstance(data, dict) else None
            if fleet:
                self._hand_out(iterator, result._task, fleet, result._host.name)
        return results

    def _hand_out(self, iterator, task, fleet, ran_on):
        """Each host's part of the fleet result: its facts, or its failure. A host that got
        its facts counts as ok in the recap, as if it had run the task itself."""
        for name, facts in facts_of(fleet).items():
            self._variable_manager.set_host_facts(name, {"vpn": facts})
            if name != ran_on:
                self._tqm._stats.increment("ok", name)
        for name, message in (fleet.get("unreachable") or {}).items():
            host = self._inventory.get_host(name)
            if host is None:
                continue
            if task.ignore_unreachable:
                display.display("unreachable: [%s]: %s ...ignoring" % (name, message), color=C.COLOR_SKIP)
                continue
            display.display("fatal: [%s]: UNREACHABLE! => %s" % (name, message), color=C.COLOR_UNREACHABLE)
            self._tqm._unreachable_hosts[name] = True
            iterator._play._removed_hosts.append(name)
            self._tqm._stats.increment("dark", name)
        for name, message in (fleet.get("failed") or {}).items():
            host = self._inventory.get_host(name)
            if host is None:
                continue
            if task.ignore_errors:
                display.display("failed: [%s]: %s ...ignoring" % (name, message), color=C.COLOR_SKIP)
                continue
            display.display("fatal: [%s]: FAILED! => %s" % (name, message), color=C.COLOR_ERROR)
            iterator.mark_host_failed(host)
            self._tqm._failed_hosts[name] = True
            self._tqm._stats.increment("failures", name)

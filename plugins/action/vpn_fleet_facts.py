# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vpn_fleet_facts: gather every host of the play from one task, concurrently (documented in
modules/).

Two ways to hand each host its facts:
- once (run_once, no loop) in a play with the vpnops.tunnels.fleet strategy, which hands the
  one result out host by host - the fast way;
- looping over the hosts with delegate_to/delegate_facts, with any strategy: Ansible puts
  each loop item's ansible_facts on its own host. The first item gathers the whole fleet;
  the others return what it gathered. Ansible runs a task's loop items one after the other
  in one worker process, so a per-task cache in this module is safe.
"""

from __future__ import annotations

from ansible_collections.vpnops.tunnels.plugins.plugin_utils import fleet, fleet_result
from ansible_collections.vpnops.tunnels.plugins.plugin_utils.device_action import DeviceAction
from ansible_collections.vpnops.tunnels.plugins.action.vpn_facts import ARGUMENT_SPEC as FACTS_SPEC


ARGUMENT_SPEC = dict(FACTS_SPEC, **{
    "hosts": {"type": "list", "elements": "str"},
    "pool_size": {"type": "int", "default": fleet.DEFAULT_POOL_SIZE},
    "processes": {"type": "int", "default": 0},
})
FLEET_OPTIONS = ("hosts", "pool_size", "processes")

# task uuid -> {host: outcome}; filled by the first loop item, emptied by the last
_GATHERED = {}


class ActionModule(DeviceAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC
    HOSTVAR_FALLBACK = frozenset(FACTS_SPEC)
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)
    _supports_check_mode = True  # gathering changes nothing
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        task_vars = task_vars or {}
        hosts = [str(host) for host in
                 self._task.args.get("hosts") or task_vars.get("ansible_play_hosts") or []]
        if not self._task.loop:
            return self._once(result, task_vars, hosts)
        target = self._task.delegate_to or task_vars.get("inventory_hostname")
        key = self._task._uuid
        if key not in _GATHERED:
            _GATHERED[key] = self._gather_fleet(task_vars, hosts or [target])
        outcomes = _GATHERED[key]
        outcome = outcomes.pop(target, None)
        if not outcomes:
            del _GATHERED[key]
        if outcome is None:
            outcome = {"failed": True, "msg": "%s: not among the hosts this task gathered" % target}
        if outcome.get("failed"):
            # A failed loop item would make Ansible drop every item's facts (a failed task's
            # facts are never set), so a device that fails is reported, not failed.
            outcome = dict(outcome, failed=False, vpn_failed=True, warnings=[outcome["msg"]])
        result.update(outcome)
        return result

    def _once(self, result, task_vars, hosts):
        """Run once for the play: the fleet strategy hands the result out host by host."""
        play = self._task.get_play()
        strategy = getattr(play, "strategy", None) if play is not None else None
        if strategy not in (fleet.STRATEGY, "fleet") or not self._task.run_once:
            result.update(failed=True, msg=(
                "vpn_fleet_facts without a loop must run once (run_once: true) in a play with"
                " strategy: %s, which gives each host its facts; with another strategy, loop"
                " over the hosts with delegate_to and delegate_facts (see the module's"
                " examples)" % fleet.STRATEGY))
            return result
        result.update(fleet_result.build(self._gather_fleet(task_vars, hosts)))
        return result

    def _gather_fleet(self, task_vars, hosts):
        """host -> the result its vpn_facts task would have given, gathered concurrently."""
        hostvars = task_vars.get("hostvars") or {}
        pool_size = self._task.args.get("pool_size") or fleet.DEFAULT_POOL_SIZE
        processes = self._task.args.get("processes") or 0
        return fleet.gather_all(hosts, lambda host: self._fleet_job(hostvars, host),
                                int(pool_size), int(processes))

    def _fleet_job(self, hostvars, host):
        """One host's job, from its own host variables. gather_all calls it in one thread of
        each process, one host after the other: Ansible's templating is not for threads."""
        self._vars = hostvars.get(host) or {}
        options = self._options()
        for name in FLEET_OPTIONS:
            options.pop(name)
        return self._gather_job(host, options)

"""recorded_facts: returns VPN facts recorded from a real gather instead of gathering.

fleet_speed.py runs the facts playbook's per-host play with this action in place of
vpnops.tunnels.vpn_facts: what is left is Ansible's own per-host work (a worker per host,
the facts handed back and stored, the table read from hostvars), the floor under per-host mode.
"""

import json

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    _VALID_ARGS = frozenset(("path",))

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        with open(self._task.args["path"], encoding="utf-8") as recorded:
            facts = json.load(recorded)
        facts["hostname"] = task_vars["inventory_hostname"]
        result.update(changed=False, ansible_facts={"vpn": facts})
        return result

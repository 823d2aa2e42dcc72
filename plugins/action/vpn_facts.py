# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vpn_facts: gather tunnel state from one device on the controller (documented in modules/)."""

from __future__ import annotations

from ansible_collections.vpnops.tunnels.plugins.module_utils import gather
from ansible_collections.vpnops.tunnels.plugins.module_utils.errors import VpnError
from ansible_collections.vpnops.tunnels.plugins.plugin_utils import fleet
from ansible_collections.vpnops.tunnels.plugins.plugin_utils.device_action import (
    GATHER_SPEC,
    DeviceAction,
)


ARGUMENT_SPEC = dict(GATHER_SPEC, **{
    "gather_subset": {"type": "list", "elements": "str", "choices": list(gather.SUBSETS)},
    "include_raw": {"type": "bool"},
})


class ActionModule(DeviceAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC
    HOSTVAR_FALLBACK = frozenset(ARGUMENT_SPEC)
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)
    _supports_check_mode = True  # gathering changes nothing, so check mode runs it as usual
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        self._vars = task_vars or {}
        host = self._var("inventory_hostname")
        try:
            job = self._gather_job(host, self._options())
        except VpnError as error:
            result.update(failed=True, msg="%s: %s" % (host, error))
            return result
        outcome = fleet.gather_one(job)  # the result fleet mode gives each host too
        if outcome.pop("vpn_unreachable", False):
            outcome.pop("failed")
            outcome["unreachable"] = True
        result.update(outcome)
        return result

# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vpn_facts: gather tunnel state from one device on the controller (documented in modules/)."""

from __future__ import annotations

from ansible_collections.vpnops.tunnels.plugins.module_utils import gather
from ansible_collections.vpnops.tunnels.plugins.module_utils.errors import (
    VpnError,
    VpnTransportError,
)
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
        try:
            options = gather.with_defaults(self._options())
            platform = self._platform(options)
            spec = self._connection_spec(platform, options["timeout"])
            hostname = self._var("inventory_hostname")
            device, outputs = gather.gather_device(spec, platform, options, hostname=hostname)
        except VpnTransportError as error:
            result.update(unreachable=True, msg="%s: %s" % (self._var("inventory_hostname"), error))
            return result
        except VpnError as error:
            result.update(failed=True, msg="%s: %s" % (self._var("inventory_hostname"), error))
            return result
        result.update(changed=False, ansible_facts={"vpn": device})
        if options["include_raw"]:
            result["raw_outputs"] = [{"command": c, "output": o} for c, o in outputs]
        return result

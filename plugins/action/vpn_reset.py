# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vpn_reset: reset tunnels of one device from the controller, safely (documented in modules/)."""

from __future__ import annotations

from ansible_collections.vpnops.tunnels.plugins.module_utils import reset
from ansible_collections.vpnops.tunnels.plugins.module_utils.errors import (
    VpnError,
    VpnTransportError,
)
from ansible_collections.vpnops.tunnels.plugins.plugin_utils import inputs
from ansible_collections.vpnops.tunnels.plugins.plugin_utils.device_action import (
    GATHER_SPEC,
    DeviceAction,
)
from ansible_collections.vpnops.tunnels.plugins.plugin_utils.reset_runner import ResetRun


RESET_SPEC = {
    "name": {"type": "list", "elements": "str"},
    "peer": {"type": "list", "elements": "str"},
    "sa_id": {"type": "str"},
    "all": {"type": "bool", "default": False},
    "scope": {"type": "str", "choices": list(reset.SCOPES), "default": "tunnel"},
    "child": {"type": "str"},
    "force": {"type": "bool", "default": False},
    "wait_timeout": {"type": "int", "default": 60},
    "poll_interval": {"type": "int", "default": 2},
    "maintenance_window": {"type": "dict", "options": {
        "start": {"type": "str", "required": True},
        "end": {"type": "str", "required": True},
        "timezone": {"type": "str", "default": "UTC"},
    }},
    "health": {"type": "dict", "default": {}},
    "redundancy": {"type": "dict", "default": {}, "options": {
        "groups": {"type": "dict", "default": {}},
        "by_remote_network": {"type": "bool", "default": True},
    }},
}
ARGUMENT_SPEC = dict(GATHER_SPEC, **RESET_SPEC)


class ActionModule(DeviceAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC
    # a device's maintenance window belongs in its inventory: vpn_maintenance_window
    HOSTVAR_FALLBACK = frozenset(GATHER_SPEC) | {"maintenance_window"}
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        self._vars = task_vars or {}
        host = self._var("inventory_hostname")
        try:
            options = self._options()
            window = options["maintenance_window"]
            if window is not None and window.get("timezone") is None:
                window = dict(window, timezone="UTC")  # from a host variable, unvalidated
            request = {name: options.pop(name) for name in RESET_SPEC}
            request["maintenance_window"] = window
            job = self._gather_job(host, options)
            fleet = inputs.devices(self._vars.get("hostvars") or {},
                                   self._vars.get("ansible_play_hosts_all") or [host])
            run = ResetRun(job.spec, job.platform, host, job.options, request, fleet=fleet,
                           check_mode=bool(self._task.check_mode))
            outcome = run.run()
        except VpnTransportError as error:
            result.update(unreachable=True, msg="%s: %s" % (host, error))
            return result
        except (VpnError, inputs.InputError) as error:
            result.update(failed=True, msg="%s: %s" % (host, error))
            return result
        result.update(outcome)
        return result

# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vpn_facts: gather tunnel state from one device on the controller (documented in modules/)."""

from __future__ import annotations

from ansible import constants as C
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase

from ansible_collections.vpnops.tunnels.plugins.module_utils import gather, platforms, transport
from ansible_collections.vpnops.tunnels.plugins.module_utils.errors import (
    VpnError,
    VpnTransportError,
)

try:
    # Imported at load time on purpose: Ansible loads the action class once and forked workers
    # inherit the import (importing inside run() made 500 hosts 2.4x slower).
    import netmiko  # noqa: F401  pylint: disable=unused-import
except ImportError:
    pass  # transport.Session reports the missing library per host with a clear message

ARGUMENT_SPEC = {
    "platform": {"type": "str"},
    "gather_subset": {"type": "list", "elements": "str", "choices": list(gather.SUBSETS)},
    "timeout": {"type": "int"},
    "include_raw": {"type": "bool"},
    "swanctl_path": {"type": "path"},
    "vici_socket": {"type": "path"},
    "openvpn_management": {"type": "str"},
    "openvpn_status_file": {"type": "path"},
    "openvpn_clients": {"type": "list", "elements": "str"},
    "ipsec_path": {"type": "path"},
    "wireguard_handshake_timeout": {"type": "int"},
    "cisco_ios_ikev2": {"type": "bool"},
    "vyos_wireguard_interfaces": {"type": "list", "elements": "str"},
}

# Each option falls back to the host variable vpn_<option>, so inventories can set it per host.
HOSTVAR_PREFIX = "vpn_"


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)
    _supports_check_mode = True  # gathering changes nothing, so check mode runs it as usual
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        self._vars = task_vars or {}
        try:
            options = self._options()
            platform = platforms.resolve_platform(
                options.pop("platform"), self._var("ansible_network_os"))
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

    def _var(self, name, default=None):
        """A host variable, templated ('{{ ... }}' in inventories is common)."""
        value = self._vars.get(name)
        if value is None:
            return default
        return self._templar.template(value)

    def _options(self):
        validation = ArgumentSpecValidator(ARGUMENT_SPEC).validate(self._task.args)
        if validation.error_messages:
            raise _OptionError("invalid options: %s" % "; ".join(validation.error_messages))
        options = {}
        for name in ARGUMENT_SPEC:
            value = self._task.args.get(name)
            if value is None:
                value = self._var(HOSTVAR_PREFIX + name)
            options[name] = value
        return gather.with_defaults(options)

    def _connection_spec(self, platform, timeout):
        """Inventory connection variables -> transport spec (secrets stay inside the spec)."""
        context = self._play_context
        become = self._var("ansible_become", context.become)
        return transport.connection_spec(
            host=self._var("ansible_host") or self._var("inventory_hostname"),
            port=self._var("ansible_port") or self._var("ansible_ssh_port") or 22,
            username=self._var("ansible_user") or self._var("ansible_ssh_user") or context.remote_user,
            password=self._first_secret("ansible_password", "ansible_ssh_pass") or context.password,
            private_key_file=self._var("ansible_ssh_private_key_file") or context.private_key_file,
            become=_truthy(become),
            become_password=(self._first_secret("ansible_become_password", "ansible_become_pass")
                             or context.become_pass),
            timeout=timeout,
            device_type=platforms.device_type(platform),
            host_key_checking=_truthy(self._var("ansible_host_key_checking", C.HOST_KEY_CHECKING)),
        )

    def _first_secret(self, *names):
        for name in names:
            value = self._var(name)
            if value:
                return str(value)
        return None


class _OptionError(VpnError):
    """Task options that fail validation: the host fails, the message names the option."""


def _truthy(value):
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)

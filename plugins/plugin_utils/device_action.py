# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the collection's device action plugins share: task options validated against an
argument spec with host-variable fallbacks, and the inventory's connection variables turned
into a transport spec (secrets stay inside the spec)."""

from __future__ import annotations

from ansible import constants as C
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase

from ansible_collections.vpnops.tunnels.plugins.module_utils import gather, parsers, platforms, transport
from ansible_collections.vpnops.tunnels.plugins.module_utils.errors import VpnError
from ansible_collections.vpnops.tunnels.plugins.plugin_utils import fleet

try:
    # Imported when Ansible loads the action class, on purpose: forked workers inherit the
    # import (importing netmiko inside run() made 500 hosts 2.4x slower).
    import netmiko  # noqa: F401  pylint: disable=unused-import
except ImportError:
    pass  # transport.Session reports the missing library per host with a clear message
parsers.load_all()  # the same for the parsers

# How a device is read: the options vpn_facts and vpn_reset share (defaults in gather.py).
GATHER_SPEC = {
    "platform": {"type": "str"},
    "timeout": {"type": "int"},
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


class OptionError(VpnError):
    """Task options that fail validation: the host fails, the message names the option."""


class DeviceAction(ActionBase):
    """Base of the action plugins that talk to one device from the controller."""

    TRANSFERS_FILES = False
    ARGUMENT_SPEC = GATHER_SPEC
    HOSTVAR_FALLBACK = frozenset(GATHER_SPEC)  # options that fall back to vpn_<option>
    _given = None  # the validated task arguments (_validated_args)

    def _var(self, name, default=None):
        """A host variable, templated ('{{ ... }}' in inventories is common)."""
        value = self._vars.get(name)
        if value is None:
            return default
        return self._templar.template(value)

    def _options(self):
        """The task's options, validated, unset ones from vpn_<option> host variables."""
        given = self._validated_args()
        options = {}
        for name in self.ARGUMENT_SPEC:
            value = given.get(name) if self._task.args.get(name) is not None else None
            if value is None and name in self.HOSTVAR_FALLBACK:
                value = self._var(HOSTVAR_PREFIX + name)
            if value is None:
                value = given.get(name)  # the spec's default, if it has one
            options[name] = value
        return options

    def _validated_args(self):
        """The task's arguments converted to their types, defaults set; validated once per
        task, because fleet mode reads the same arguments for every host."""
        if self._given is None:
            validation = ArgumentSpecValidator(self.ARGUMENT_SPEC).validate(self._task.args)
            if validation.error_messages:
                raise OptionError("invalid options: %s" % "; ".join(validation.error_messages))
            self._given = validation.validated_parameters
        return self._given

    def _gather_job(self, host, options):
        """What gathering this host needs (plugin_utils.fleet.Job): options are the validated
        gather options (_options() without the task's other options)."""
        options = gather.with_defaults(options)
        platform = self._platform(options)
        return fleet.Job(host, self._connection_spec(platform, options["timeout"]), platform, options)

    def _platform(self, options):
        return platforms.resolve_platform(options.get("platform"), self._var("ansible_network_os"))

    def _connection_spec(self, platform, timeout):
        """Inventory connection variables -> transport spec."""
        context = self._play_context
        become = self._var("ansible_become", context.become)
        return transport.connection_spec(
            host=self._var("ansible_host") or self._var("inventory_hostname"),
            port=self._var("ansible_port") or self._var("ansible_ssh_port") or 22,
            username=self._var("ansible_user") or self._var("ansible_ssh_user") or context.remote_user,
            password=self._first_secret("ansible_password", "ansible_ssh_pass") or context.password,
            private_key_file=self._var("ansible_ssh_private_key_file") or context.private_key_file,
            become=truthy(become),
            become_password=(self._first_secret("ansible_become_password", "ansible_become_pass")
                             or context.become_pass),
            timeout=timeout or gather.DEFAULT_OPTIONS["timeout"],
            device_type=platforms.device_type(platform),
            host_key_checking=truthy(self._var("ansible_host_key_checking", C.HOST_KEY_CHECKING)),
        )

    def _first_secret(self, *names):
        for name in names:
            value = self._var(name)
            if value:
                return str(value)
        return None


def truthy(value):
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)

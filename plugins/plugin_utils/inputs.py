# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the health filters receive: fleet inputs read one way, and filter arguments checked
against the filter's own DOCUMENTATION.

A fleet is any of:
  - hostvars (or any mapping host -> host variables): the facts are
    ``ansible_facts.vpn`` (or ``ansible_vpn`` when facts are injected as variables);
  - a mapping host -> device facts (``ansible_facts.vpn`` of each host);
  - a list of device facts (the host is each one's ``hostname``);
  - one device's facts;
  - the registered result of a vpn_fleet_facts task that ran once (its hosts that failed
    or were unreachable are hosts without facts).
A host whose variables hold no VPN facts is kept with ``facts`` None: the filters report it
(a compliance finding, a summary row), they never skip it silently.
"""

from __future__ import annotations

import contextlib
import copy
import functools
from collections.abc import Mapping

import yaml
from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import UnsupportedError

from ansible_collections.vpnops.tunnels.plugins.plugin_utils import fleet_result

# host variables read from hostvars besides the facts
HOSTVAR_GROUP_NAMES = "group_names"
HOSTVAR_EXPECTED_TUNNELS = "vpn_expected_tunnels"
HOSTVAR_REDUNDANCY = "vpn_redundancy"


class InputError(ValueError):
    """Input or argument the filters cannot use; the filter turns it into AnsibleFilterError."""


@contextlib.contextmanager
def filter_errors(name, what_is_wrong):
    """Every filter's error handling: its own ValueErrors (InputError, PolicyError) carry a
    message for the user; a TypeError, KeyError or AttributeError means the input is not what
    the filter reads, said as what_is_wrong ("the input does not look like ...")."""
    try:
        yield
    except AnsibleFilterError:
        raise
    except ValueError as error:
        raise AnsibleFilterError("%s: %s" % (name, error)) from None
    except (TypeError, KeyError, AttributeError) as error:
        raise AnsibleFilterError("%s: %s (%s: %s)" % (
            name, what_is_wrong, type(error).__name__, error)) from None


class Device:
    """One host of the fleet: its facts (or None) and, from hostvars, the variables we read."""

    __slots__ = ("host", "facts", "group_names", "expected_tunnels", "redundancy")

    def __init__(self, host, facts, group_names=(), expected_tunnels=(), redundancy=None):
        self.host = host
        self.facts = facts
        self.group_names = list(group_names or ())
        self.expected_tunnels = list(expected_tunnels or ())
        self.redundancy = dict(redundancy or {})

    @property
    def platform(self):
        return self.facts.get("platform") if self.facts is not None else None

    @property
    def tunnels(self):
        return self.facts.get("tunnels") or [] if self.facts is not None else []


def is_device_facts(value):
    return isinstance(value, Mapping) and "tunnels" in value and "type" not in value


def is_tunnel(value):
    return isinstance(value, Mapping) and "type" in value and "name" in value


def _check_facts(host, facts):
    tunnels = facts.get("tunnels")
    if not isinstance(tunnels, (list, tuple)):
        raise InputError("the VPN facts of %s have no list of tunnels" % host)
    for tunnel in tunnels:
        if not is_tunnel(tunnel):
            raise InputError("the VPN facts of %s hold a tunnel that is not a dict with name"
                             " and type: %r" % (host, _short(tunnel)))
    return facts


def _short(value):
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _host_entry(host, value):
    if value is None:
        return Device(host, None)
    if not isinstance(value, Mapping):
        raise InputError("host %s: expected its host variables or its VPN facts (a dict), got %s"
                         % (host, type(value).__name__))
    if is_device_facts(value):
        return Device(host, _check_facts(host, value))
    facts = None
    ansible_facts = value.get("ansible_facts")
    if isinstance(ansible_facts, Mapping) and ansible_facts.get("vpn") is not None:
        facts = ansible_facts.get("vpn")
    elif value.get("ansible_vpn") is not None:
        facts = value.get("ansible_vpn")
    elif is_device_facts(value.get("vpn")):
        facts = value.get("vpn")
    if facts is not None:
        if not is_device_facts(facts):
            raise InputError("host %s: its VPN facts are not a dict with tunnels" % host)
        _check_facts(host, facts)
    expected = value.get(HOSTVAR_EXPECTED_TUNNELS) or []
    if isinstance(expected, str) or not isinstance(expected, (list, tuple)):
        raise InputError("host %s: %s must be a list of tunnel names"
                         % (host, HOSTVAR_EXPECTED_TUNNELS))
    redundancy = value.get(HOSTVAR_REDUNDANCY) or {}
    if not isinstance(redundancy, Mapping):
        raise InputError("host %s: %s must be a dict of tunnel name to redundancy set name"
                         % (host, HOSTVAR_REDUNDANCY))
    return Device(host, facts, value.get(HOSTVAR_GROUP_NAMES) or (), expected, redundancy)


def devices(data, hosts=None):
    """The fleet as a list of Device, in input order (or in the order of ``hosts``)."""
    if is_device_facts(data):
        found = [Device(data.get("hostname") or "device0", _check_facts("the device", data))]
    elif fleet_result.is_result(data):
        gathered = data[fleet_result.RESULT_KEY]
        found = [Device(str(host), _check_facts(host, facts))
                 for host, facts in fleet_result.facts_of(gathered).items()]
        found += [Device(str(host), None) for host in list(gathered.get("failed") or ())
                  + list(gathered.get("unreachable") or ())]
    elif isinstance(data, Mapping):
        found = [_host_entry(str(host), data[host])
                 for host in (data if hosts is None else [h for h in hosts if h in data])]
    elif isinstance(data, (list, tuple)):
        found = []
        for index, item in enumerate(data):
            if not is_device_facts(item):
                raise InputError("list item %d is not a device's VPN facts (a dict with tunnels):"
                                 " %s" % (index, _short(item)))
            found.append(Device(item.get("hostname") or "device%d" % index,
                                _check_facts("list item %d" % index, item)))
    else:
        raise InputError("expected hostvars, a dict of host to VPN facts, a list of VPN facts,"
                         " one device's VPN facts or a vpn_fleet_facts result; got %s"
                         % type(data).__name__)
    if hosts is not None:
        by_host = {device.host: device for device in found}
        found = [by_host.get(str(host)) or Device(str(host), None) for host in hosts]
    return found


# --- filter arguments -----------------------------------------------------------------------

_SPEC_KEYS = ("type", "elements", "default", "choices", "required")


@functools.lru_cache(maxsize=None)
def _argument_spec(documentation):
    doc = yaml.safe_load(documentation)
    spec = {}
    for name, option in (doc.get("options") or {}).items():
        if name.startswith("_"):
            continue
        entry = {key: option[key] for key in _SPEC_KEYS if key in option}
        if entry.get("type") in (None, "any"):
            entry["type"] = "raw"
        spec[name] = entry
    positional = [name.strip() for name in str(doc.get("positional") or "").split(",")
                  if name.strip() and not name.strip().startswith("_")]
    return spec, tuple(positional)


def _defaults(documentation):
    """Validated defaults of a filter (a fresh copy: callers may change it)."""
    found = _DEFAULTS.get(documentation)
    if found is None:
        spec, _positional = _argument_spec(documentation)
        found = _DEFAULTS[documentation] = ArgumentSpecValidator(spec).validate(
            {}).validated_parameters
    return copy.deepcopy(found)


_DEFAULTS = {}


def _plain_strings(value):
    """A list of strings as a plain list of plain str, anything else as it is. Ansible hands
    a filter lazy lists of tagged strings, which the validator's deep copy rebuilds one by one
    (0.16 s for the 500 names of ansible_play_hosts_all)."""
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [str(item) for item in value]
    return value


def filter_options(name, documentation, args, kwargs):
    """Positional and keyword arguments of a filter, checked against its DOCUMENTATION:
    unknown or mistyped arguments raise InputError naming them; defaults are filled in."""
    spec, positional = _argument_spec(documentation)
    if not args and not kwargs:  # the common call, once per host: the defaults
        return _defaults(documentation)
    if len(args) > len(positional):
        raise InputError("%s takes at most %d positional argument%s (%s), got %d" % (
            name, len(positional), "" if len(positional) == 1 else "s",
            ", ".join(positional) or "none", len(args)))
    params = dict(kwargs)
    for option, value in zip(positional, args):
        if option in params:
            raise InputError("%s: %s given twice (by position and by name)" % (name, option))
        params[option] = value
    params = {option: _plain_strings(value) for option, value in params.items()}
    result = ArgumentSpecValidator(spec).validate(params)
    if result.error_messages:
        messages = [("unknown argument %s" % error.msg) if isinstance(error, UnsupportedError)
                    else error.msg for error in result.errors]
        raise InputError("invalid arguments: %s" % "; ".join(messages))
    return result.validated_parameters

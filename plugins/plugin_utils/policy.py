# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The compliance policy: its rules, schema and defaults, and how a user policy is read.

A user policy (YAML text or a dict) is checked against POLICY_SCHEMA, strictly: an unknown key
anywhere is an error naming it and where it is, so is a value of the wrong type. It is then
deep-merged over DEFAULT_POLICY (dicts merge key by key, lists and scalars replace), and
algorithm names are normalized (see crypto.py), so the user writes any vendor's spelling.

POLICY_SCHEMA is JSON Schema (draft 2020-12, the subset validate() implements); print it with
``python -c 'import json; from ...policy import POLICY_SCHEMA; print(json.dumps(POLICY_SCHEMA))'``
to check policy files with other tools.
"""

from __future__ import annotations

import copy
import fnmatch
from collections.abc import Mapping

import yaml

from ansible_collections.vpnops.tunnels.plugins.plugin_utils import crypto, health

SEVERITIES = ("info", "low", "medium", "high", "critical")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}

# rule id -> (default severity, what it checks)
RULES = {
    "VPN-COMM-ERROR": ("high", "the host could not be reached or its facts not gathered"),
    "VPN-FACTS-ERROR": ("medium", "the device answered, but some of its commands failed"),
    "VPN-HEALTH-DOWN": ("high", "a tunnel is DOWN (tunnel_health)"),
    "VPN-HEALTH-DEGRADED": ("medium", "a tunnel is DEGRADED (tunnel_health)"),
    "VPN-HEALTH-UNKNOWN": ("low", "a tunnel's state is not reported"),
    "VPN-TUNNEL-MISSING": ("high", "an expected tunnel is not on the device"),
    "VPN-CRYPTO-BANNED": ("high", "a banned algorithm is configured or negotiated"),
    "VPN-CRYPTO-NOT-ALLOWED": ("medium", "an algorithm outside the allowed lists"),
    "VPN-CRYPTO-KEY-SIZE": ("high", "an encryption key shorter than crypto.min_key_size"),
    "VPN-IKE-VERSION": ("medium", "an IKE version outside ike.versions_allowed"),
    "VPN-LIFETIME-IKE": ("low", "IKE SA lifetime outside lifetimes.ike"),
    "VPN-LIFETIME-CHILD": ("low", "child SA lifetime outside lifetimes.child"),
    "VPN-DPD-MISSING": ("medium", "dead peer detection off where the platform reports it"),
    "VPN-DPD-NOT-REPORTED": ("info", "the platform does not report DPD for this tunnel"),
    "VPN-DPD-SETTINGS": ("low", "DPD delay or timeout above the policy's maximum"),
    "VPN-IDLE": ("low", "a child SA idle in both directions longer than idle_timeout_seconds"),
    "VPN-REDUNDANCY-AT-RISK": ("medium", "a redundant set with one member up"),
    "VPN-REDUNDANCY-DOWN": ("critical", "a redundant set with no member up"),
    "VPN-CONN-MAX": ("medium", "more connections than max_connections allows"),
}

# idle_timeout_seconds is clamped into these bounds (5 min to 1 h)
IDLE_TIMEOUT_BOUNDS = (300, 3600)

DEFAULT_POLICY = {
    "rules": {},
    "health": dict(health.DEFAULT_THRESHOLDS),
    "expected_tunnels": {"hosts": {}, "groups": {}},
    "crypto": {
        "banned": {
            "encryption": ["des", "3des", "null"],
            "integrity": ["md5", "sha1"],
            "prf": ["md5"],
            "dh_group": ["modp768", "modp1024"],
        },
        "allowed": {"encryption": [], "integrity": [], "prf": [], "dh_group": []},
        "min_key_size": 128,
    },
    "ike": {"versions_allowed": [2]},
    "lifetimes": {
        "ike": {"min_seconds": 3600, "max_seconds": 86400},
        "child": {"min_seconds": 900, "max_seconds": 28800},
    },
    "dpd": {"max_delay_seconds": 30, "max_timeout_seconds": 150},
    "idle_timeout_seconds": 1200,
    "redundancy": {"groups": {}, "by_remote_network": True},
    "max_connections": {
        "ike_sas_per_tunnel": 1,
        "openvpn_clients_per_server": None,
        "openvpn_sessions_per_client": 1,
    },
    "waivers": [],
}

# --- schema ---------------------------------------------------------------------------------


def _closed(properties, required=()):
    return {"type": "object", "additionalProperties": False, "properties": properties,
            "required": list(required)}


_SECONDS = {"type": "integer", "minimum": 0}
_OPTIONAL_SECONDS = {"type": ["integer", "null"], "minimum": 0}
_OPTIONAL_COUNT = {"type": ["integer", "null"], "minimum": 1}
_NAMES = {"type": "array", "items": {"type": "string", "minLength": 1}}
_ALGORITHMS = {"type": "array", "items": {"type": ["string", "integer"]}}
_ALGORITHM_LISTS = _closed({field: _ALGORITHMS for field in crypto.FIELDS})
_BOUNDS = _closed({"min_seconds": _OPTIONAL_SECONDS, "max_seconds": _OPTIONAL_SECONDS})
_MEMBER = {"oneOf": [
    {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 2, "maxItems": 2},
    _closed({"host": {"type": "string", "minLength": 1},
             "tunnel": {"type": "string", "minLength": 1}}, required=("host", "tunnel")),
]}

POLICY_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://vpnops.invalid/schemas/vpn_policy/1",
    "title": "vpnops.tunnels compliance policy (vpn_compliance)",
    **_closed({
        "rules": {
            "type": "object",
            "propertyNames": {"enum": sorted(RULES)},
            "additionalProperties": _closed({
                "severity": {"enum": list(SEVERITIES)},
                "enabled": {"type": "boolean"},
            }),
        },
        "health": _closed({key: _SECONDS for key in health.DEFAULT_THRESHOLDS}),
        "expected_tunnels": _closed({
            "hosts": {"type": "object", "additionalProperties": _NAMES},
            "groups": {"type": "object", "additionalProperties": _NAMES},
        }),
        "crypto": _closed({
            "banned": _ALGORITHM_LISTS,
            "allowed": _ALGORITHM_LISTS,
            "min_key_size": {"type": ["integer", "null"], "minimum": 0},
        }),
        "ike": _closed({"versions_allowed": {"type": "array", "items": {"enum": [1, 2]}}}),
        "lifetimes": _closed({"ike": _BOUNDS, "child": _BOUNDS}),
        "dpd": _closed({"max_delay_seconds": _OPTIONAL_SECONDS,
                        "max_timeout_seconds": _OPTIONAL_SECONDS}),
        "idle_timeout_seconds": _SECONDS,
        "redundancy": _closed({
            "groups": {"type": "object", "additionalProperties": {
                "type": "array", "items": _MEMBER}},
            "by_remote_network": {"type": "boolean"},
        }),
        "max_connections": _closed({
            "ike_sas_per_tunnel": _OPTIONAL_COUNT,
            "openvpn_clients_per_server": _OPTIONAL_COUNT,
            "openvpn_sessions_per_client": _OPTIONAL_COUNT,
        }),
        "waivers": {"type": "array", "items": _closed({
            "host": {"type": "string", "minLength": 1},
            "tunnel": {"type": "string", "minLength": 1},
            "rules": {"type": "array", "items": {"type": "string", "minLength": 1}},
            "reason": {"type": "string", "minLength": 1},
        }, required=("reason",))},
    }),
}


class PolicyError(ValueError):
    """A policy that does not match POLICY_SCHEMA; the message names the key and the path."""


_JSON_TYPES = {
    "object": lambda value: isinstance(value, Mapping),
    "array": lambda value: isinstance(value, (list, tuple)),
    "string": lambda value: isinstance(value, str),
    "integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "number": lambda value: isinstance(value, (int, float)) and not isinstance(value, bool),
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
}


def _type_name(value):
    for name in ("null", "boolean", "integer", "number", "string", "array", "object"):
        if _JSON_TYPES[name](value):
            return name
    return type(value).__name__


def _errors(value, schema, path):
    """Every way value breaks schema (the JSON Schema subset POLICY_SCHEMA uses)."""
    if "oneOf" in schema:
        found = [_errors(value, option, path) for option in schema["oneOf"]]
        if any(not errors for errors in found):
            return []
        # the form of the value's own type tells best what is wrong with it
        for option, errors in zip(schema["oneOf"], found):
            types = option.get("type")
            if types and any(_JSON_TYPES[name](value) for name in (
                    [types] if isinstance(types, str) else types)):
                return errors
        return ["%s: %r does not match any allowed form" % (path, value)]
    if "enum" in schema:
        allowed = schema["enum"]
        if value not in allowed or isinstance(value, bool) and not any(
                isinstance(item, bool) for item in allowed):
            return ["%s: %r is not one of %s" % (path, value, ", ".join(
                "null" if item is None else str(item) for item in allowed))]
    types = schema.get("type")
    if types is not None:
        types = [types] if isinstance(types, str) else types
        if not any(_JSON_TYPES[name](value) for name in types):
            return ["%s: expected %s, got %s %r" % (
                path, " or ".join(types), _type_name(value), value)]
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, (int, float)) and "minimum" in schema and value < schema["minimum"]:
        return ["%s: %r is below the minimum %s" % (path, value, schema["minimum"])]
    if isinstance(value, str) and len(value) < schema.get("minLength", 0):
        return ["%s: must not be empty" % path]
    if isinstance(value, (list, tuple)):
        return _array_errors(value, schema, path)
    if isinstance(value, Mapping):
        return _object_errors(value, schema, path)
    return []


def _array_errors(value, schema, path):
    if len(value) < schema.get("minItems", 0) or len(value) > schema.get("maxItems", len(value)):
        return ["%s: expected %s items, got %d" % (
            path, schema.get("minItems") if schema.get("minItems") == schema.get("maxItems")
            else "at least %d" % schema.get("minItems", 0), len(value))]
    errors = []
    for index, item in enumerate(value):
        errors.extend(_errors(item, schema.get("items", {}), "%s[%d]" % (path, index)))
    return errors


def _object_errors(value, schema, path):
    errors = []
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    names = schema.get("propertyNames", {}).get("enum")
    for key in value:
        where = "%s.%s" % (path, key)
        if not isinstance(key, str):
            errors.append("%s: keys must be strings, got %r" % (path, key))
        elif names is not None and key not in names:
            errors.append("%s: unknown key %r (known: %s)" % (path, key, ", ".join(names)))
        elif key in properties:
            errors.extend(_errors(value[key], properties[key], where))
        elif extra is False:
            errors.append("%s: unknown key %r (allowed: %s)" % (
                path, key, ", ".join(sorted(properties))))
        elif isinstance(extra, Mapping):
            errors.extend(_errors(value[key], extra, where))
    for key in schema.get("required", ()):
        if key not in value:
            errors.append("%s: missing required key %r" % (path, key))
    return errors


def validate(policy):
    """Raise PolicyError listing every problem of a user policy (a dict)."""
    errors = _errors(policy, POLICY_SCHEMA, "policy")
    if errors:
        raise PolicyError("invalid policy: %s" % "; ".join(errors))


def merge(base, override):
    """override deep-merged over base: dicts key by key, anything else replaced."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(_plain(value))
    return merged


def _plain(value):
    """Plain dicts, lists and scalars (Ansible may hand over its own container types)."""
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def effective(policy=None):
    """The user policy (dict, YAML text or None) checked and merged over DEFAULT_POLICY."""
    if policy is None:
        policy = {}
    elif isinstance(policy, str):
        try:
            policy = yaml.safe_load(policy) or {}
        except yaml.YAMLError as error:
            raise PolicyError("the policy is not valid YAML: %s" % error) from None
    if not isinstance(policy, Mapping):
        raise PolicyError("the policy must be a dict (or YAML text of one), got %s"
                          % type(policy).__name__)
    validate(policy)
    return merge(DEFAULT_POLICY, _plain(policy))


class Policy:
    """An effective policy prepared for fast checking: normalized algorithm sets, severities,
    enabled rules, clamped idle timeout."""

    def __init__(self, policy=None):
        self.data = effective(policy)
        self.memo = {}  # results of checks that depend on the policy only, by their inputs
        data = self.data
        self.severity = {}
        for rule, (severity, _what) in RULES.items():
            override = data["rules"].get(rule, {})
            if override.get("enabled", True):
                self.severity[rule] = override.get("severity", severity)
        self.thresholds = health.thresholds(data["health"])
        self.banned = {field: frozenset(crypto.normalize(field, name)
                                        for name in data["crypto"]["banned"][field])
                       for field in crypto.FIELDS}
        self.allowed = {field: frozenset(crypto.normalize(field, name)
                                         for name in data["crypto"]["allowed"][field])
                        for field in crypto.FIELDS}
        self.min_key_size = data["crypto"]["min_key_size"]
        self.ike_versions = frozenset(data["ike"]["versions_allowed"])
        self.lifetimes = data["lifetimes"]
        self.dpd = data["dpd"]
        low, high = IDLE_TIMEOUT_BOUNDS
        self.idle_timeout = min(max(data["idle_timeout_seconds"], low), high)
        self.max_connections = data["max_connections"]
        self.expected_hosts = data["expected_tunnels"]["hosts"]
        self.expected_groups = data["expected_tunnels"]["groups"]
        self.redundancy_groups = {
            name: [_member(member) for member in members]
            for name, members in data["redundancy"]["groups"].items()}
        self.by_remote_network = data["redundancy"]["by_remote_network"]
        self.waivers = [{"host": w.get("host", "*"), "tunnel": w.get("tunnel", "*"),
                         "rules": w.get("rules") or ["*"], "reason": w["reason"]}
                        for w in data["waivers"]]
        for index, waiver in enumerate(self.waivers):
            for pattern in waiver["rules"]:
                if not any(fnmatch.fnmatchcase(rule, pattern) for rule in RULES):
                    raise PolicyError("invalid policy: policy.waivers[%d].rules: %r matches no"
                                      " rule id (known: %s)" % (index, pattern, ", ".join(RULES)))

    def enabled(self, rule):
        return rule in self.severity

    def waiver(self, rule, host, tunnel):
        """The reason of the first waiver that matches, else None."""
        for waiver in self.waivers:
            if fnmatch.fnmatchcase(host or "", waiver["host"]) \
                    and fnmatch.fnmatchcase(tunnel or "", waiver["tunnel"]) \
                    and any(fnmatch.fnmatchcase(rule, pattern) for pattern in waiver["rules"]):
                return waiver["reason"]
        return None


def _member(member):
    if isinstance(member, Mapping):
        return member["host"], member["tunnel"]
    return member[0], member[1]

# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""JSON Schema (draft 2020-12) of the facts every parser returns (ansible_facts.vpn).

It is the written contract of model.py: tests validate every parser's output against it,
and users can validate stored facts with any JSON Schema tool
(`python -c 'import json, ...; print(json.dumps(SCHEMA))'` prints it).
Objects are closed (additionalProperties: false) so a parser cannot drift silently.
"""

from __future__ import annotations

from ansible_collections.vpnops.tunnels.plugins.module_utils import model


def _nullable(json_type):
    return {"type": [json_type, "null"]}


def _enum(values):
    return {"enum": list(values)}


def _closed(properties):
    return {
        "type": "object",
        "additionalProperties": False,
        "required": sorted(properties),
        "properties": properties,
    }


_COUNT = {"type": ["integer", "null"], "minimum": 0}
_SECONDS = _COUNT
_STR = _nullable("string")
_STR_LIST = {"type": "array", "items": {"type": "string"}}

_ENDPOINT = _closed({"address": _STR, "port": {"type": ["integer", "null"]}, "id": _STR})

_ALGORITHMS = _closed({
    "encryption": _STR,
    "key_size": _COUNT,
    "integrity": _STR,
    "prf": _STR,
    "dh_group": _STR,
})

_DPD = {
    "oneOf": [
        {"type": "null"},
        _closed({"delay": _SECONDS, "timeout": _SECONDS, "action": _STR}),
    ]
}

_IKE = _closed({
    "version": {"enum": [1, 2, None]},
    "sa_id": _STR,
    "native_state": _STR,
    "local": _ENDPOINT,
    "remote": _ENDPOINT,
    "initiator": _nullable("boolean"),
    "initiator_spi": _STR,
    "responder_spi": _STR,
    "algorithms": _ALGORITHMS,
    "established_seconds": _SECONDS,
    "rekey_seconds": _SECONDS,
    "reauth_seconds": _SECONDS,
    "rekey_interval_seconds": _SECONDS,
    "reauth_interval_seconds": _SECONDS,
    "nat_t": _enum(list(model.NAT_T_VALUES) + [None]),
    "dpd": _DPD,
    "negotiation": {"oneOf": [
        {"type": "null"},
        _closed({"phase": {"enum": [1, 2, None]}, "step": _STR}),
    ]},
    "virtual_ips": _closed({"local": _STR_LIST, "remote": _STR_LIST}),
})

_CHILD = _closed({
    "name": {"type": "string"},
    "sa_id": _STR,
    "reqid": _STR,
    "state": _enum(model.CHILD_STATES),
    "native_state": _STR,
    "configured": {"type": "boolean"},
    "mode": _STR,
    "protocol": _STR,
    "encapsulation": _nullable("boolean"),
    "spi_in": _STR,
    "spi_out": _STR,
    "algorithms": _ALGORITHMS,
    "bytes_in": _COUNT,
    "bytes_out": _COUNT,
    "packets_in": _COUNT,
    "packets_out": _COUNT,
    "last_in_seconds": _SECONDS,
    "last_out_seconds": _SECONDS,
    "rekey_seconds": _SECONDS,
    "lifetime_seconds": _SECONDS,
    "installed_seconds": _SECONDS,
    "rekey_interval_seconds": _SECONDS,
    "local_ts": _STR_LIST,
    "remote_ts": _STR_LIST,
})

_OPENVPN_CLIENT = _closed({
    "common_name": {"type": "string"},
    "state": _enum(model.OPENVPN_CLIENT_STATES),
    "real_address": _STR,
    "real_port": {"type": ["integer", "null"]},
    "virtual_address": _STR,
    "virtual_ipv6_address": _STR,
    "bytes_in": _COUNT,
    "bytes_out": _COUNT,
    "connected_since": _STR,
    "username": _STR,
    "client_id": _STR,
    "peer_id": _STR,
    "cipher": _STR,
})

_OPENVPN_CLIENT_STATE = _closed({
    "state": _enum(model.OPENVPN_CLIENT_STATES),
    "native_state": _STR,
    "since": _STR,
    "detail": _STR,
    "local_address": _STR,
    "remote_address": _STR,
    "remote_port": {"type": ["integer", "null"]},
})

_OPENVPN = {
    "oneOf": [
        {"type": "null"},
        _closed({
            "role": _enum(["server", "client"]),
            "version": _STR,
            "updated_at": _STR,
            "clients": {"type": "array", "items": _OPENVPN_CLIENT},
            "client_state": {"oneOf": [{"type": "null"}, _OPENVPN_CLIENT_STATE]},
        }),
    ]
}

_TUNNEL = _closed({
    "name": {"type": "string", "minLength": 1},
    "type": _enum(model.TUNNEL_TYPES),
    "configured": {"type": "boolean"},
    "enabled": _nullable("boolean"),
    "native_state": _STR,
    "state": _enum(sorted(set(model.IKE_STATES) | set(model.LINK_STATES))),
    "status_message": {"type": "string"},
    "ike": {"oneOf": [{"type": "null"}, _IKE]},
    "children": {"type": "array", "items": _CHILD},
    "openvpn": _OPENVPN,
})

_ERROR = _closed({"command": _STR, "message": {"type": "string"}})

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://vpnops.invalid/schemas/vpn_facts/%d" % model.SCHEMA_VERSION,
    "title": "vpnops.tunnels device facts (ansible_facts.vpn)",
    "type": "object",
    "additionalProperties": False,
    "required": ["schema_version", "platform", "hostname", "collected_at", "commands",
                 "errors", "tunnels"],
    "properties": {
        "schema_version": {"const": model.SCHEMA_VERSION},
        "platform": {"type": "string"},
        "hostname": _STR,
        "collected_at": {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"},
        "commands": _STR_LIST,
        "errors": {"type": "array", "items": _ERROR},
        "tunnels": {"type": "array", "items": _TUNNEL},
    },
}

# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The normalized tunnel model: one shape for every platform.

Parsers build plain dicts with the constructors below, so every platform fills the same
keys (unknown values stay None) and the JSON Schema in model_schema.py can check them.
The model is data only: no behaviour lives here beyond building and normalizing it.
"""

from __future__ import annotations

import datetime

SCHEMA_VERSION = 1

TUNNEL_TYPES = ("ipsec", "openvpn", "wireguard")

# Normalized IKE SA states. DOWN: configured, no SA at all; UNDEFINED: not reported.
IKE_STATES = (
    "CREATED", "CONNECTING", "ESTABLISHED", "PASSIVE", "REKEYING", "REKEYED", "DELETING",
    "DESTROYING", "HALF_OPEN", "INIT", "DOWN", "UNDEFINED",
)
CHILD_STATES = (
    "CREATED", "ROUTED", "INSTALLING", "INSTALLED", "UPDATING", "REKEYING", "REKEYED",
    "RETRYING", "DELETING", "DELETED", "DESTROYING", "CONFLICTING", "DOWN", "UNDEFINED",
)
# OpenVPN and WireGuard tunnels are simply up or down; OpenVPN clients keep their own state.
LINK_STATES = ("UP", "DOWN", "UNDEFINED")
OPENVPN_CLIENT_STATES = (
    "CONNECTED", "CONNECTING", "RECONNECTING", "AUTH", "GET_CONFIG", "ASSIGN_IP", "ADD_ROUTES",
    "WAIT", "RESOLVE", "TCP_CONNECT", "AUTH_PENDING", "EXITING", "DOWN", "UNDEFINED",
)
NAT_T_VALUES = ("none", "local", "remote", "both")


def utc_now_iso():
    """The collection time stamp: UTC, ISO 8601, second precision, 'Z' suffix."""
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    return now.isoformat().replace("+00:00", "Z")


def epoch_to_iso(epoch):
    """A Unix time (int or numeric string) as UTC ISO 8601, or None."""
    if epoch in (None, ""):
        return None
    stamp = datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc)
    return stamp.isoformat().replace("+00:00", "Z")


def new_device(platform, hostname=None, collected_at=None):
    return {
        "schema_version": SCHEMA_VERSION,
        "platform": platform,
        "hostname": hostname,
        "collected_at": collected_at or utc_now_iso(),
        "commands": [],
        "errors": [],
        "tunnels": [],
    }


def new_endpoint(address=None, port=None, identity=None):
    return {"address": address, "port": port, "id": identity}


def new_algorithms(encryption=None, key_size=None, integrity=None, prf=None, dh_group=None):
    return {
        "encryption": encryption,
        "key_size": key_size,
        "integrity": integrity,
        "prf": prf,
        "dh_group": dh_group,
    }


def new_ike(version=None):
    return {
        "version": version,
        "sa_id": None,
        "native_state": None,
        "local": new_endpoint(),
        "remote": new_endpoint(),
        "initiator": None,
        "initiator_spi": None,
        "responder_spi": None,
        "algorithms": new_algorithms(),
        "established_seconds": None,
        "rekey_seconds": None,
        "reauth_seconds": None,
        "rekey_interval_seconds": None,
        "reauth_interval_seconds": None,
        "nat_t": None,
        "dpd": None,
        "negotiation": None,
        "virtual_ips": {"local": [], "remote": []},
    }


def new_negotiation(phase, step):
    """Where a tunnel that is not up stopped: IKE phase 1 or 2 and the device's step name
    (e.g. phase 1, 'MM_KEY_EXCH'; phase 2, 'QM_IDLE without IPsec SA')."""
    return {"phase": phase, "step": step}


def new_child(name, state="UNDEFINED", native_state=None):
    return {
        "name": name,
        "sa_id": None,
        "reqid": None,
        "state": state,
        "native_state": native_state,
        "configured": False,
        "mode": None,
        "protocol": None,
        "encapsulation": None,
        "spi_in": None,
        "spi_out": None,
        "algorithms": new_algorithms(),
        "bytes_in": None,
        "bytes_out": None,
        "packets_in": None,
        "packets_out": None,
        "last_in_seconds": None,
        "last_out_seconds": None,
        "rekey_seconds": None,
        "lifetime_seconds": None,
        "installed_seconds": None,
        "rekey_interval_seconds": None,
        "local_ts": [],
        "remote_ts": [],
    }


def new_tunnel(name, tunnel_type, state="UNDEFINED", native_state=None):
    if tunnel_type not in TUNNEL_TYPES:
        raise ValueError("unknown tunnel type %r" % (tunnel_type,))
    return {
        "name": name,
        "type": tunnel_type,
        "configured": False,
        "enabled": None,
        "native_state": native_state,
        "state": state,
        "status_message": "",
        "ike": new_ike() if tunnel_type == "ipsec" else None,
        "children": [],
        "openvpn": None,
    }


def new_openvpn(role):
    """OpenVPN detail: a server lists its clients, a client reports its own state."""
    return {
        "role": role,
        "version": None,
        "updated_at": None,
        "clients": [],
        "client_state": None,
    }


def new_openvpn_client(common_name, state="CONNECTED"):
    return {
        "common_name": common_name,
        "state": state,
        "real_address": None,
        "real_port": None,
        "virtual_address": None,
        "virtual_ipv6_address": None,
        "bytes_in": None,
        "bytes_out": None,
        "connected_since": None,
        "username": None,
        "client_id": None,
        "peer_id": None,
        "cipher": None,
    }


def new_openvpn_client_state(native_state, state):
    return {
        "state": state,
        "native_state": native_state,
        "since": None,
        "detail": None,
        "local_address": None,
        "remote_address": None,
        "remote_port": None,
    }

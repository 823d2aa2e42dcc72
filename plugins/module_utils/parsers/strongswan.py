# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""strongSwan (swanctl / VICI): `swanctl --list-sas` and `swanctl --list-conns`.

Three output forms are read: `--pretty` (one item per line; what vpn_facts gathers because
it is unambiguous), `--raw` (one VICI message per line) and the default text form.
`--list-conns` tells what is configured; merging it with `--list-sas` reports configured
tunnels and children that have no SA as DOWN instead of letting them vanish.
"""

from __future__ import annotations

import itertools
import re
import shlex

from ansible_collections.vpnops.tunnels.plugins.module_utils import model
from ansible_collections.vpnops.tunnels.plugins.module_utils.parsers.common import (
    configured_tunnel,
    fail,
    nat_side,
    nonempty_lines,
    normalize,
    to_int,
)

# seconds a reset's swanctl --terminate / --initiate waits before it detaches
SWANCTL_WAIT = 5
PLATFORM = "strongswan"
COMMANDS = ("swanctl --list-sas", "swanctl --list-conns")

# strongSwan's own state names (ike_sa_state_t, child_sa_state_t) are the model's names.
IKE_STATES = {name: name for name in (
    "CREATED", "CONNECTING", "ESTABLISHED", "PASSIVE", "REKEYING", "REKEYED", "DELETING",
    "DESTROYING",
)}
CHILD_STATES = {name: name for name in (
    "CREATED", "ROUTED", "INSTALLING", "INSTALLED", "UPDATING", "REKEYING", "REKEYED",
    "RETRYING", "DELETING", "DELETED", "DESTROYING",
)}

# Lines swanctl writes on stderr, which a terminal session mixes into the output.
_NOISE = re.compile(
    r"^(plugin '[^']*': failed to load"
    r"|opening directory '[^']*' failed"
    r"|loading '[^']*' failed"
    r"|no files found matching"
    r"|.*requires CAP_\w+ capabilit)"
)
# swanctl's own failures: the daemon is not reachable, so there is no state to report.
_SWANCTL_ERROR = re.compile(
    r"^(connecting to '[^']*' failed.*|.*request failed: .*|registering for \w+ failed.*"
    r"|parsing SA event failed.*|.*: command not found|sudo: .*)$"
)


def command_key(command):
    """swanctl's listing commands, whatever the binary's path (swanctl_path may rename it).

    Other swanctl commands are refused on purpose: `--stats` reports the daemon (threads,
    queues, plugins), not tunnels, so it has nothing to put in the tunnel model.
    """
    words = (command or "").split()
    is_swanctl = any(word.rsplit("/", 1)[-1] == "swanctl" for word in words)
    if "--list-sas" in words or is_swanctl and "-l" in words:
        return "swanctl --list-sas"
    if "--list-conns" in words or is_swanctl and "-L" in words:
        return "swanctl --list-conns"
    return None


def parse(key, text):
    lines = _meaningful_lines(key, text)
    first = next(lines, None)
    if first is None:
        return []
    lines = itertools.chain((first,), lines)
    if _VICI_HEADER.match(first[1].strip()):
        messages = _read_vici(key, first, lines)
        if key == "swanctl --list-sas":
            return [_sa_from_vici(name, sa) for name, sa in _events(messages, "list-sa event")]
        return [_conn_from_vici(name, conn) for name, conn in _events(messages, "list-conn event")]
    if key == "swanctl --list-sas":
        return _sas_from_text(key, lines)
    return _conns_from_text(key, lines)


def merge(parts):
    """Attach configuration (list-conns) to live SAs (list-sas); unmatched conns are DOWN."""
    conns, sas = {}, []
    for key, tunnels in parts:
        if key == "swanctl --list-conns":
            conns.update((tunnel["name"], tunnel) for tunnel in tunnels)
        else:
            sas.extend(tunnels)
    live_names = {sa["name"] for sa in sas}
    for sa in sas:
        conn = conns.get(sa["name"])
        if conn is not None:
            _apply_config(sa, conn)
    down = [conn for name, conn in conns.items() if name not in live_names]
    tunnels = sas + down
    for tunnel in tunnels:
        tunnel["status_message"] = _status_message(tunnel)
    return tunnels


# --- VICI dump (--raw and --pretty) -------------------------------------------------------

_VICI_HEADER = re.compile(r"^(list-sas?|list-conns?) (event|reply) \{")
# --raw: keys are lowercase VICI names; a value runs until the next key, section or brace.
# Values may hold spaces ("class=pre-shared key"), so the lookahead decides where they end.
_RAW_TOKEN = re.compile(
    r"\s*(?:"
    r"(?P<close>\})"
    r"|(?P<list>[a-z0-9_-]+)=\[(?P<items>[^\]]*)\]"
    r"|(?P<key>[a-z0-9_-]+)=(?P<value>.*?)(?=\s[a-z0-9_-]+=|\s[^\s{}=\[\]]+ \{|\s*\}|$)"
    r"|(?P<section>[^\s{}=\[\]]+) \{"
    r")"
)
_PRETTY_LINE = re.compile(
    r"^\s*(?:(?P<close>\})|(?P<list_end>\])|(?P<section>.+?) \{|(?P<list>[^=]+?) = \["
    r"|(?P<key>[^=]+?) = (?P<value>.*)|(?P<item>\S.*))$"
)


def _read_vici(key, first, lines):
    """Both dump forms, (message name, dict) one message at a time (a message is turned into
    tunnels before the next is read); lists become Python lists.

    --pretty puts the message header alone on its line; --raw puts a whole message on one.
    """
    if first[1].strip().endswith("{"):
        yield from _read_pretty(key, lines)
        return
    for number, line in lines:
        yield _read_raw_line(key, number, line)


def _read_raw_line(key, number, line):
    header = _VICI_HEADER.match(line.strip())
    if header is None:
        fail(PLATFORM, key, "one VICI message per line (--raw)", number, line)
    stack = [{}]
    position = header.end() + (len(line) - len(line.lstrip()))
    while position < len(line):
        match = _RAW_TOKEN.match(line, position)
        if match is None or match.end() == position:
            if not line[position:].strip():
                break
            fail(PLATFORM, key, "a VICI key=value, list or section", number, line)
        position = match.end()
        if match.group("close"):
            done = stack.pop()
            if not stack:
                return header.group(0)[:-2], done
        elif match.group("section"):
            section = {}
            stack[-1][match.group("section")] = section
            stack.append(section)
        elif match.group("list"):
            stack[-1][match.group("list")] = match.group("items").split()
        else:
            stack[-1][match.group("key")] = match.group("value")
    fail(PLATFORM, key, "a complete VICI message (unbalanced braces)", number, line)


def _read_pretty(key, lines):
    stack, current_list, message = [], None, None
    for number, line in lines:
        match = _PRETTY_LINE.match(line)
        if current_list is not None:
            if match.group("list_end"):
                current_list = None
            else:
                current_list.append(line.strip())
            continue
        if match.group("section"):
            section = {}
            if stack:
                stack[-1][match.group("section")] = section
            else:
                message = (match.group("section"), section)
            stack.append(section)
        elif match.group("close") and stack:
            stack.pop()
            if not stack:
                yield message
        elif match.group("list") and stack:
            current_list = stack[-1][match.group("list").strip()] = []
        elif match.group("key") and stack:
            stack[-1][match.group("key").strip()] = match.group("value").strip()
        else:
            fail(PLATFORM, key, "a VICI item inside a message (--pretty)", number, line)
    if stack or current_list is not None:
        fail(PLATFORM, key, "a complete VICI message (unbalanced braces)")


def _events(messages, event_name):
    for name, body in messages:
        if name == event_name:
            yield from body.items()


def _yes(value):
    return value == "yes"


def _algorithms(vici):
    integrity = vici.get("integ-alg")
    if integrity and vici.get("integ-keysize"):
        integrity = "%s-%s" % (integrity, vici["integ-keysize"])
    return model.new_algorithms(
        encryption=vici.get("encr-alg"),
        key_size=to_int(vici.get("encr-keysize")),
        integrity=integrity,
        prf=vici.get("prf-alg"),
        dh_group=vici.get("dh-group"),
    )


def _nat_t(vici):
    return nat_side(_yes(vici.get("nat-local")), _yes(vici.get("nat-remote")))


def _sa_from_vici(name, vici):
    native = vici.get("state")
    tunnel = model.new_tunnel(name, "ipsec", normalize(IKE_STATES, native), native)
    ike = tunnel["ike"]
    ike.update({
        "version": to_int(vici.get("version")),
        "sa_id": vici.get("uniqueid"),
        "native_state": native,
        "local": model.new_endpoint(vici.get("local-host"), to_int(vici.get("local-port")),
                                    vici.get("local-id")),
        "remote": model.new_endpoint(vici.get("remote-host"), to_int(vici.get("remote-port")),
                                     vici.get("remote-id")),
        "initiator": _yes(vici.get("initiator")),
        "initiator_spi": vici.get("initiator-spi"),
        "responder_spi": vici.get("responder-spi"),
        "algorithms": _algorithms(vici),
        "established_seconds": to_int(vici.get("established")),
        "rekey_seconds": to_int(vici.get("rekey-time")),
        "reauth_seconds": to_int(vici.get("reauth-time")),
        "nat_t": _nat_t(vici),
        "virtual_ips": {"local": list(vici.get("local-vips", [])),
                        "remote": list(vici.get("remote-vips", []))},
        "negotiation": _negotiation(native, vici.get("tasks-active") or []),
    })
    for child in (vici.get("child-sas") or {}).values():
        tunnel["children"].append(_child_from_vici(child))
    return tunnel


def _negotiation(native_state, active_tasks):
    """Where an IKE_SA that is not up yet stands: phase 1 and the exchange under way."""
    if native_state not in ("CREATED", "CONNECTING"):
        return None
    step = next((task for task in active_tasks if task in ("IKE_INIT", "IKE_AUTH")), None)
    return model.new_negotiation(1, step or native_state)


def _child_from_vici(vici):
    native = vici.get("state")
    child = model.new_child(vici.get("name"), normalize(CHILD_STATES, native), native)
    child.update({
        "sa_id": vici.get("uniqueid"),
        "reqid": vici.get("reqid"),
        "mode": vici.get("mode"),
        "protocol": vici.get("protocol"),
        "encapsulation": _yes(vici.get("encap")),
        "spi_in": vici.get("spi-in"),
        "spi_out": vici.get("spi-out"),
        "algorithms": _algorithms(vici),
        "bytes_in": to_int(vici.get("bytes-in")),
        "bytes_out": to_int(vici.get("bytes-out")),
        "packets_in": to_int(vici.get("packets-in")),
        "packets_out": to_int(vici.get("packets-out")),
        "last_in_seconds": to_int(vici.get("use-in")),
        "last_out_seconds": to_int(vici.get("use-out")),
        "rekey_seconds": to_int(vici.get("rekey-time")),
        "lifetime_seconds": to_int(vici.get("life-time")),
        "installed_seconds": to_int(vici.get("install-time")),
        "local_ts": list(vici.get("local-ts", [])),
        "remote_ts": list(vici.get("remote-ts", [])),
    })
    return child


def _auth_id(conn, side):
    for section_name, section in conn.items():
        if section_name.startswith(side + "-") and isinstance(section, dict) and "id" in section:
            return section["id"]
    return None


def _ike_version(text):
    return {"IKEv1": 1, "IKEv2": 2, "1": 1, "2": 2}.get(text)


def _conn_from_vici(name, vici):
    tunnel = configured_tunnel(name)
    ike = tunnel["ike"]
    ike["version"] = _ike_version(vici.get("version"))
    ike["local"]["address"] = ",".join(vici.get("local_addrs", [])) or None
    ike["remote"]["address"] = ",".join(vici.get("remote_addrs", [])) or None
    ike["local"]["id"] = _auth_id(vici, "local")
    ike["remote"]["id"] = _auth_id(vici, "remote")
    ike["rekey_interval_seconds"] = to_int(vici.get("rekey_time"))
    ike["reauth_interval_seconds"] = to_int(vici.get("reauth_time"))
    children = vici.get("children") or {}
    dpd_delay = to_int(vici.get("dpd_delay"))
    if dpd_delay:
        actions = [child.get("dpd_action") for child in children.values()]
        ike["dpd"] = {"delay": dpd_delay, "timeout": to_int(vici.get("dpd_timeout")),
                      "action": actions[0] if actions else None}
    for child_name, child in children.items():
        tunnel["children"].append(_configured_child(
            child_name, child.get("mode"), to_int(child.get("rekey_time")),
            child.get("local-ts", []), child.get("remote-ts", [])))
    return tunnel


def _configured_child(name, mode, rekey_interval, local_ts, remote_ts):
    child = model.new_child(name, "DOWN")
    child.update({"configured": True, "mode": mode, "rekey_interval_seconds": rekey_interval,
                  "local_ts": list(local_ts), "remote_ts": list(remote_ts)})
    return child


# --- default text form ----------------------------------------------------------------------

_SA_HEADER = re.compile(
    r"^(?P<name>\S+): #(?P<id>\d+), (?P<state>[A-Z_]+), IKEv(?P<version>\d)"
    r"(?:, (?P<ispi>[0-9a-f]+)_i(?P<i_star>\*?) (?P<rspi>[0-9a-f]+)_r\*?)?\s*$"
)
_SA_ENDPOINT = re.compile(
    r"^  (?P<side>local|remote)\s+'(?P<id>.*)' @ (?P<host>\S+)\[(?P<port>\d+)\]"
    r"(?P<rest>.*)$"
)
_SA_ACTIVE_TASKS = re.compile(r"^  active:\s+(?P<tasks>.*)$")
_SA_TIMES = re.compile(r"^  established (?P<established>\d+)s ago(?P<rest>.*)$")
_SA_ALGORITHMS = re.compile(r"^  (?P<algs>[A-Z0-9_]+(?:-\d+)?(?:/[A-Z0-9_]+(?:-\d+)?)+)\s*$")
_CHILD_HEADER = re.compile(
    r"^  (?P<name>\S+): #(?P<id>\d+), reqid (?P<reqid>\S+), (?P<state>[A-Z_]+), "
    r"(?P<mode>[A-Z_]+)(?P<udp>-in-UDP)?, (?P<proto>[A-Z]+):(?P<algs>\S*)\s*$"
)
_CHILD_TIMES = re.compile(r"^    installed (?P<installed>\S+?)s ago(?P<rest>.*)$")
_CHILD_TRAFFIC = re.compile(
    r"^    (?P<dir>in|out)\s+(?P<spi>[0-9a-f]+)(?:/\S+)?(?: \([^)]*\))?,\s+(?P<bytes>\S+) bytes,"
    r"\s+(?P<packets>\S+) packets(?:,\s+(?P<ago>\d+)s ago)?\s*$"
)
_CHILD_TS = re.compile(r"^    (?P<side>local|remote)\s+(?P<ts>.*)$")
_IN_SECONDS = re.compile(r"(rekeying|reauth|expires) in (\d+)s")
_VIPS = re.compile(r"\[(?P<vips>[^\]]*)\]\s*$")
_KEYED_ALG = re.compile(r"^(?P<name>[A-Z0-9_]+?)-(?P<size>\d+)$")


def _split_algorithms(text, with_prf):
    """'AES_CBC-128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/CURVE_25519' -> model algorithms."""
    parts = [part for part in text.split("/") if part and part != "ESN"]
    algorithms = model.new_algorithms()
    if not parts:
        return algorithms
    first = _KEYED_ALG.match(parts[0])
    algorithms["encryption"] = first.group("name") if first else parts[0]
    algorithms["key_size"] = int(first.group("size")) if first else None
    for part in parts[1:]:
        if part.startswith("PRF_") and with_prf:
            algorithms["prf"] = part
        elif part.startswith(("HMAC_", "AES_XCBC", "AES_CMAC", "AES_GMAC", "CAMELLIA_XCBC")):
            algorithms["integrity"] = part
        else:
            algorithms["dh_group"] = part
    return algorithms


def _countdowns(rest):
    found = dict(_IN_SECONDS.findall(rest))
    return (to_int(found.get("rekeying")), to_int(found.get("reauth")),
            to_int(found.get("expires")))


def _null_int(text):
    """The text form prints '(null)' where the daemon sent no value."""
    return None if text in (None, "(null)") else to_int(text)


def _sas_from_text(key, lines):
    tunnels, tunnel, child = [], None, None
    for number, line in lines:
        header = _SA_HEADER.match(line)
        if header:
            tunnel = _text_sa(header)
            tunnels.append(tunnel)
            child = None
            continue
        if tunnel is None or not line.startswith("  "):
            fail(PLATFORM, key, "'NAME: #ID, STATE, IKEvN, SPIs' starting an IKE_SA", number, line)
        child_header = _CHILD_HEADER.match(line)
        if child_header:
            child = _text_child(child_header)
            tunnel["children"].append(child)
        elif child is not None and line.startswith("    "):
            _text_child_detail(child, line)
        else:
            _text_sa_detail(tunnel, line)
    return tunnels


def _text_sa(header):
    native = header.group("state")
    tunnel = model.new_tunnel(header.group("name"), "ipsec", normalize(IKE_STATES, native), native)
    ike = tunnel["ike"]
    ike.update({
        "version": int(header.group("version")),
        "sa_id": header.group("id"),
        "native_state": native,
        "initiator_spi": header.group("ispi"),
        "responder_spi": header.group("rspi"),
        "initiator": bool(header.group("i_star")) if header.group("ispi") else None,
        "negotiation": _negotiation(native, []),
    })
    return tunnel


def _text_sa_detail(tunnel, line):
    """IKE_SA lines; lines this version does not know (task lists, new fields) are skipped."""
    ike = tunnel["ike"]
    endpoint = _SA_ENDPOINT.match(line)
    if endpoint:
        side = endpoint.group("side")
        ike[side] = model.new_endpoint(endpoint.group("host"), int(endpoint.group("port")),
                                       endpoint.group("id"))
        vips = _VIPS.search(endpoint.group("rest"))
        if vips:
            ike["virtual_ips"][side] = vips.group("vips").split()
        return
    times = _SA_TIMES.match(line)
    if times:
        ike["established_seconds"] = int(times.group("established"))
        ike["rekey_seconds"], ike["reauth_seconds"], _expires = _countdowns(times.group("rest"))
        return
    algorithms = _SA_ALGORITHMS.match(line)
    if algorithms:
        ike["algorithms"] = _split_algorithms(algorithms.group("algs"), with_prf=True)
        return
    active = _SA_ACTIVE_TASKS.match(line)
    if active:
        ike["negotiation"] = _negotiation(ike["native_state"], active.group("tasks").split())


def _text_child(header):
    native = header.group("state")
    child = model.new_child(header.group("name"), normalize(CHILD_STATES, native), native)
    child.update({
        "sa_id": header.group("id"),
        "reqid": header.group("reqid"),
        "mode": header.group("mode"),
        "protocol": header.group("proto"),
        "encapsulation": bool(header.group("udp")),
        "algorithms": _split_algorithms(header.group("algs"), with_prf=False),
    })
    return child


def _text_child_detail(child, line):
    times = _CHILD_TIMES.match(line)
    if times:
        child["installed_seconds"] = _null_int(times.group("installed"))
        child["rekey_seconds"], _reauth, child["lifetime_seconds"] = _countdowns(times.group("rest"))
        return
    traffic = _CHILD_TRAFFIC.match(line)
    if traffic:
        direction = traffic.group("dir")
        child["spi_" + direction] = traffic.group("spi")
        child["bytes_" + direction] = _null_int(traffic.group("bytes"))
        child["packets_" + direction] = _null_int(traffic.group("packets"))
        child["last_%s_seconds" % direction] = to_int(traffic.group("ago"))
        return
    selectors = _CHILD_TS.match(line)
    if selectors:
        child[selectors.group("side") + "_ts"] = selectors.group("ts").split()


_CONN_HEADER = re.compile(r"^(?P<name>\S+): IKEv(?P<version>[12/]+|\d)?(?P<rest>.*)$")
_CONN_ADDRS = re.compile(r"^  (?P<side>local|remote):\s+(?P<addrs>.*)$")
_CONN_AUTH = re.compile(r"^  (?P<side>local|remote) .*authentication:\s*$")
_CONN_AUTH_ID = re.compile(r"^    id: (?P<id>.*)$")
_CONN_CHILD = re.compile(r"^  (?P<name>\S+): (?P<mode>[A-Z_]+)(?P<rest>.*)$")
_CONN_CHILD_TS = re.compile(r"^    (?P<side>local|remote):\s+(?P<ts>.*)$")
_EVERY = re.compile(r"(rekeying|reauthentication) every (\d+)s")
_DPD_DELAY = re.compile(r"dpd delay (\d+)s")
_DPD_ACTION = re.compile(r"dpd action is (\w+)")


def _conns_from_text(key, lines):
    tunnels, tunnel, child, auth_side = [], None, None, None
    for number, line in lines:
        header = _CONN_HEADER.match(line)
        if header:
            tunnel = _text_conn(header)
            tunnels.append(tunnel)
            child = auth_side = None
            continue
        if tunnel is None or not line.startswith("  "):
            fail(PLATFORM, key, "'NAME: IKEvN, ...' starting a connection", number, line)
        ike = tunnel["ike"]
        if _CONN_AUTH.match(line):
            auth_side, child = _CONN_AUTH.match(line).group("side"), None
        elif _CONN_ADDRS.match(line) and not line.startswith("    "):
            found = _CONN_ADDRS.match(line)
            ike[found.group("side")]["address"] = ",".join(found.group("addrs").split())
        elif _CONN_CHILD.match(line):
            found = _CONN_CHILD.match(line)
            rekey = dict(_EVERY.findall(found.group("rest"))).get("rekeying")
            child = _configured_child(found.group("name"), found.group("mode"), to_int(rekey), [], [])
            tunnel["children"].append(child)
            action = _DPD_ACTION.search(found.group("rest"))
            if action and ike["dpd"] is not None and ike["dpd"]["action"] is None:
                ike["dpd"]["action"] = action.group(1)
            auth_side = None
        elif child is not None and _CONN_CHILD_TS.match(line):
            found = _CONN_CHILD_TS.match(line)
            child[found.group("side") + "_ts"] = found.group("ts").split()
        elif auth_side is not None and _CONN_AUTH_ID.match(line):
            ike[auth_side]["id"] = _CONN_AUTH_ID.match(line).group("id")
    return tunnels


def _text_conn(header):
    tunnel = configured_tunnel(header.group("name"))
    ike = tunnel["ike"]
    ike["version"] = _ike_version("IKEv%s" % header.group("version"))
    rest = header.group("rest")
    every = dict(_EVERY.findall(rest))
    ike["rekey_interval_seconds"] = to_int(every.get("rekeying")) or 0
    ike["reauth_interval_seconds"] = to_int(every.get("reauthentication")) or 0
    delay = _DPD_DELAY.search(rest)
    if delay:
        ike["dpd"] = {"delay": int(delay.group(1)), "timeout": None, "action": None}
    return tunnel


# --- shared steps ---------------------------------------------------------------------------

def _meaningful_lines(key, text):
    """Non-blank lines minus stderr noise; swanctl's own failures become parse errors."""
    for number, line in nonempty_lines(text):
        stripped = line.strip()
        if _NOISE.match(stripped):
            continue
        if _SWANCTL_ERROR.match(stripped):
            fail(PLATFORM, key, "swanctl output, but swanctl reported an error: %s" % stripped,
                 number, line)
        yield number, line


def _apply_config(sa, conn):
    sa["configured"], sa["enabled"] = True, True
    ike, configured = sa["ike"], conn["ike"]
    ike["dpd"] = ike["dpd"] or configured["dpd"]
    for field in ("rekey_interval_seconds", "reauth_interval_seconds"):
        if ike[field] is None:
            ike[field] = configured[field]
    live = {child["name"]: child for child in sa["children"]}
    missing = [wanted for wanted in conn["children"] if wanted["name"] not in live]
    if missing and sa["state"] == "ESTABLISHED":
        # phase 1 is up but these children never were: phase 2 is where it stopped
        ike["negotiation"] = model.new_negotiation(2, "CHILD_SA not installed: %s" % ", ".join(
            child["name"] for child in missing))
    for wanted in conn["children"]:
        child = live.get(wanted["name"])
        if child is None:
            sa["children"].append(dict(wanted, local_ts=list(wanted["local_ts"]),
                                       remote_ts=list(wanted["remote_ts"])))
        else:
            child["configured"] = True
            if child["rekey_interval_seconds"] is None:
                child["rekey_interval_seconds"] = wanted["rekey_interval_seconds"]


def _status_message(tunnel):
    if tunnel["state"] == "DOWN" and not tunnel["ike"]["sa_id"]:
        return "configured, no IKE_SA"
    installed = sum(1 for child in tunnel["children"] if child["state"] == "INSTALLED")
    message = "IKE_SA %s, %d of %d CHILD_SAs installed" % (
        tunnel["native_state"], installed, len(tunnel["children"]))
    missing = [child["name"] for child in tunnel["children"] if child["state"] == "DOWN"]
    if missing:
        message += "; not established: %s" % ", ".join(missing)
    return message


def gather_commands(options):
    """What vpn_facts runs: configuration first, then SAs, both in the unambiguous --pretty form."""
    swanctl = shlex.quote(options.get("swanctl_path") or "/usr/sbin/swanctl")
    uri = ""
    if options.get("vici_socket"):
        uri = " --uri %s" % shlex.quote("unix://" + options["vici_socket"])
    return ["%s --list-conns --pretty%s" % (swanctl, uri), "%s --list-sas --pretty%s" % (swanctl, uri)]


def reset_commands(target, options=None):
    """swanctl --terminate then --initiate for a validated reset target (reset.py).

    By name: --terminate --ike NAME (scope child: --terminate --child CHILD), then --initiate
    --child CHILD --ike NAME for each of the target's children (--initiate --ike NAME without
    them, which brings up the IKE SA alone). By sa_id: --terminate --ike-id N (scope child:
    --child-id N); only a name can be initiated, so the peer or start_action brings it back.
    swanctl selects by neither remote address nor "all": resolve those to names first.
    Each command waits at most SWANCTL_WAIT seconds (a stuck peer would hold --terminate and
    --initiate for minutes of retransmits); an IKE SA whose peer does not answer the delete
    is then removed anyway (--force), and the caller verifies the result by reading again.
    """
    from ansible_collections.vpnops.tunnels.plugins.module_utils.reset import unsupported

    options = options or {}
    swanctl = shlex.quote(options.get("swanctl_path") or "/usr/sbin/swanctl")
    tail = " --timeout %d" % SWANCTL_WAIT
    if options.get("vici_socket"):
        tail += " --uri %s" % shlex.quote("unix://" + options["vici_socket"])
    child_scope = target["scope"] == "child"
    if target["sa_id"]:
        if child_scope:
            return ["%s --terminate --child-id %s%s" % (swanctl, shlex.quote(target["sa_id"]), tail)]
        return ["%s --terminate --ike-id %s --force%s" % (swanctl, shlex.quote(target["sa_id"]), tail)]
    if not target["name"]:
        raise unsupported(PLATFORM, target, "swanctl terminates by connection name or SA id")
    name = shlex.quote(target["name"])
    if not child_scope:
        # --initiate --ike alone makes a childless IKE SA: each child is initiated instead
        initiate = ["%s --initiate --child %s --ike %s%s" % (swanctl, shlex.quote(child), name, tail)
                    for child in target["children"]] or ["%s --initiate --ike %s%s" % (swanctl, name, tail)]
        return ["%s --terminate --ike %s --force%s" % (swanctl, name, tail)] + initiate
    child = shlex.quote(target["child"] or target["name"])
    return ["%s --terminate --child %s%s" % (swanctl, child, tail),
            "%s --initiate --child %s --ike %s%s" % (swanctl, child, name, tail)]

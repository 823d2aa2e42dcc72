# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""libreswan (pluto, read through `ipsec whack`): status, showstates, trafficstatus, connectionstatus.

One tunnel per connection as pluto names it: `name`, or `name[N]` for an instance of a
template (road warriors, opportunistic encryption). A connection carries one IKE SA and one
IPsec/Child SA; while SAs are replaced pluto lists old and new ones side by side, and the
model keeps the one that is up, else the newest (highest serial number).

Three generations of output are read:
  3.x   `000 ` prefixes; STATE_MAIN_I4, STATE_PARENT_I3, STATE_V2_IPSEC_I ... with a story
  4.x   `000 ` prefixes; STATE_V2_ESTABLISHED_IKE_SA / _CHILD_SA (IKEv2 renamed)
  5.x   no prefixes, and state lines print only the story ("established IKE SA", "sent
        IKE_SA_INIT request"): STORIES maps those back to the state names of 5.x.
`ipsec status` (= `ipsec whack --status`, `ipsec auto --status`) lists the loaded connections,
so connections without SAs are reported DOWN. Templates and policy groups (the peer is
`%any`, `%group`, `%opportunistic...`, or instances of it are listed) are not tunnels of
their own and are left out; their instances are reported.
`ipsec trafficstatus` gives exact byte counters: `ipsec status` rounds them down to KB/MB.
"""

from __future__ import annotations

import re
import shlex
import time

from ansible_collections.vpnops.tunnels.plugins.module_utils import model
from ansible_collections.vpnops.tunnels.plugins.module_utils.parsers.common import (
    configured_tunnel,
    fail,
    fill_missing,
    numbered_lines,
    scaled_size,
)

PLATFORM = "libreswan"
COMMANDS = ("ipsec status", "ipsec showstates", "ipsec trafficstatus", "ipsec connectionstatus")

_IKE, _CHILD = "ike", "child"

# pluto state -> (SA kind, IKE version, normalized state, negotiation phase while not up).
# Names: programs/pluto/ikev1_states.c and ikev2_states.c (4.x), pluto_constants.c (3.x);
# `ipsec whack --globalstatus` enumerates every name a build knows. Roles: _I initiator,
# _R responder. "Established" categories (CAT_ESTABLISHED_IKE_SA / _CHILD_SA) are the
# model's ESTABLISHED / INSTALLED; every other IKE state is still negotiating.
STATES = {
    # IKEv1 Main and Aggressive Mode: phase 1
    "STATE_MAIN_R0": (_IKE, 1, "CONNECTING", 1),
    "STATE_MAIN_I1": (_IKE, 1, "CONNECTING", 1),
    "STATE_MAIN_R1": (_IKE, 1, "CONNECTING", 1),
    "STATE_MAIN_I2": (_IKE, 1, "CONNECTING", 1),
    "STATE_MAIN_R2": (_IKE, 1, "CONNECTING", 1),
    "STATE_MAIN_I3": (_IKE, 1, "CONNECTING", 1),
    "STATE_MAIN_R3": (_IKE, 1, "ESTABLISHED", None),
    "STATE_MAIN_I4": (_IKE, 1, "ESTABLISHED", None),
    "STATE_AGGR_R0": (_IKE, 1, "CONNECTING", 1),
    "STATE_AGGR_I1": (_IKE, 1, "CONNECTING", 1),
    "STATE_AGGR_R1": (_IKE, 1, "CONNECTING", 1),
    "STATE_AGGR_I2": (_IKE, 1, "ESTABLISHED", None),
    "STATE_AGGR_R2": (_IKE, 1, "ESTABLISHED", None),
    # IKEv1 XAUTH and ModeCfg run on an established ISAKMP SA (pluto counts them established)
    "STATE_XAUTH_R0": (_IKE, 1, "ESTABLISHED", None),
    "STATE_XAUTH_R1": (_IKE, 1, "ESTABLISHED", None),
    "STATE_XAUTH_I0": (_IKE, 1, "ESTABLISHED", None),
    "STATE_XAUTH_I1": (_IKE, 1, "ESTABLISHED", None),
    "STATE_MODE_CFG_R0": (_IKE, 1, "ESTABLISHED", None),
    "STATE_MODE_CFG_R1": (_IKE, 1, "ESTABLISHED", None),
    "STATE_MODE_CFG_R2": (_IKE, 1, "ESTABLISHED", None),
    "STATE_MODE_CFG_I1": (_IKE, 1, "ESTABLISHED", None),
    "STATE_MODE_CFG_SERVER_WAITING_FOR_ACK": (_IKE, 1, "ESTABLISHED", None),
    "STATE_MODE_CFG_CLIENT_RESPONDING": (_IKE, 1, "ESTABLISHED", None),
    # IKEv1 Quick Mode: phase 2
    "STATE_QUICK_R0": (_CHILD, 1, "CREATED", 2),
    "STATE_QUICK_I1": (_CHILD, 1, "CREATED", 2),
    "STATE_QUICK_R1": (_CHILD, 1, "INSTALLING", 2),
    "STATE_QUICK_I2": (_CHILD, 1, "INSTALLED", None),
    "STATE_QUICK_R2": (_CHILD, 1, "INSTALLED", None),
    # IKEv2 in 3.x
    "STATE_PARENT_I0": (_IKE, 2, "CONNECTING", 1),
    "STATE_PARENT_I1": (_IKE, 2, "CONNECTING", 1),
    "STATE_PARENT_I2": (_IKE, 2, "CONNECTING", 1),
    "STATE_PARENT_R0": (_IKE, 2, "CONNECTING", 1),
    "STATE_PARENT_R1": (_IKE, 2, "CONNECTING", 1),
    "STATE_PARENT_I3": (_IKE, 2, "ESTABLISHED", None),
    "STATE_PARENT_R2": (_IKE, 2, "ESTABLISHED", None),
    "STATE_V2_CREATE_I0": (_CHILD, 2, "CREATED", 2),
    "STATE_V2_CREATE_I": (_CHILD, 2, "CREATED", 2),
    "STATE_V2_CREATE_R": (_CHILD, 2, "CREATED", 2),
    "STATE_V2_REKEY_IKE_I": (_IKE, 2, "REKEYING", None),
    "STATE_V2_REKEY_IKE_R": (_IKE, 2, "REKEYING", None),
    "STATE_V2_REKEY_CHILD_I": (_CHILD, 2, "REKEYING", None),
    "STATE_V2_REKEY_CHILD_R": (_CHILD, 2, "REKEYING", None),
    "STATE_V2_IPSEC_I": (_CHILD, 2, "INSTALLED", None),
    "STATE_V2_IPSEC_R": (_CHILD, 2, "INSTALLED", None),
    "STATE_IKESA_DEL": (_IKE, 2, "DELETING", None),
    "STATE_CHILDSA_DEL": (_CHILD, 2, "DELETING", None),
    # IKEv2 in 4.x
    "STATE_V2_PARENT_I0": (_IKE, 2, "CONNECTING", 1),
    "STATE_V2_PARENT_I1": (_IKE, 2, "CONNECTING", 1),
    "STATE_V2_PARENT_I2": (_IKE, 2, "CONNECTING", 1),
    "STATE_V2_PARENT_R0": (_IKE, 2, "CONNECTING", 1),
    "STATE_V2_PARENT_R1": (_IKE, 2, "CONNECTING", 1),
    "STATE_V2_PARENT_R_EAP": (_IKE, 2, "CONNECTING", 1),
    "STATE_V2_IKE_AUTH_CHILD_I0": (_CHILD, 2, "CREATED", 2),
    "STATE_V2_IKE_AUTH_CHILD_R0": (_CHILD, 2, "CREATED", 2),
    "STATE_V2_NEW_CHILD_I0": (_CHILD, 2, "CREATED", 2),
    "STATE_V2_NEW_CHILD_I1": (_CHILD, 2, "CREATED", 2),
    "STATE_V2_NEW_CHILD_R0": (_CHILD, 2, "CREATED", 2),
    "STATE_V2_REKEY_CHILD_I0": (_CHILD, 2, "REKEYING", None),  # 3.x too
    "STATE_V2_REKEY_CHILD_I1": (_CHILD, 2, "REKEYING", None),
    "STATE_V2_REKEY_CHILD_R0": (_CHILD, 2, "REKEYING", None),
    "STATE_V2_REKEY_IKE_I0": (_IKE, 2, "REKEYING", None),  # 3.x too
    "STATE_V2_REKEY_IKE_I1": (_IKE, 2, "REKEYING", None),
    "STATE_V2_REKEY_IKE_R0": (_IKE, 2, "REKEYING", None),
    "STATE_V2_ESTABLISHED_IKE_SA": (_IKE, 2, "ESTABLISHED", None),
    "STATE_V2_ESTABLISHED_CHILD_SA": (_CHILD, 2, "INSTALLED", None),
    "STATE_V2_IKE_SA_DELETE": (_IKE, 2, "DELETING", None),
    "STATE_V2_CHILD_SA_DELETE": (_CHILD, 2, "DELETING", None),
    # IKEv2 in 5.x (names without STATE_V2_; the status shows only their stories)
    "IKE_SA_INIT_I0": (_IKE, 2, "CONNECTING", 1),
    "IKE_SA_INIT_I": (_IKE, 2, "CONNECTING", 1),
    "IKE_SA_INIT_IR": (_IKE, 2, "CONNECTING", 1),
    "IKE_SA_INIT_R0": (_IKE, 2, "CONNECTING", 1),
    "IKE_SA_INIT_R": (_IKE, 2, "CONNECTING", 1),
    "IKE_INTERMEDIATE_I": (_IKE, 2, "CONNECTING", 1),
    "IKE_INTERMEDIATE_IR": (_IKE, 2, "CONNECTING", 1),
    "IKE_INTERMEDIATE_R": (_IKE, 2, "CONNECTING", 1),
    "IKE_SESSION_RESUME_I0": (_IKE, 2, "CONNECTING", 1),
    "IKE_SESSION_RESUME_I": (_IKE, 2, "CONNECTING", 1),
    "IKE_SESSION_RESUME_IR": (_IKE, 2, "CONNECTING", 1),
    "IKE_SESSION_RESUME_R0": (_IKE, 2, "CONNECTING", 1),
    "IKE_SESSION_RESUME_R": (_IKE, 2, "CONNECTING", 1),
    "IKE_AUTH_EAP_R": (_IKE, 2, "CONNECTING", 1),
    "IKE_AUTH_I": (_IKE, 2, "CONNECTING", 1),
    "UNSECURED_R": (_IKE, 2, "CONNECTING", 1),
    "NEW_CHILD_I0": (_CHILD, 2, "CREATED", 2),
    "NEW_CHILD_I1": (_CHILD, 2, "CREATED", 2),
    "NEW_CHILD_R0": (_CHILD, 2, "CREATED", 2),
    "REKEY_CHILD_I0": (_CHILD, 2, "REKEYING", None),
    "REKEY_CHILD_I1": (_CHILD, 2, "REKEYING", None),
    "REKEY_CHILD_R0": (_CHILD, 2, "REKEYING", None),
    "REKEY_IKE_I0": (_IKE, 2, "REKEYING", None),
    "REKEY_IKE_I1": (_IKE, 2, "REKEYING", None),
    "REKEY_IKE_R0": (_IKE, 2, "REKEYING", None),
    "REKEY_IKE_FOLLOWUP_KE_I0": (_IKE, 2, "REKEYING", None),
    "REKEY_IKE_FOLLOWUP_KE_I1": (_IKE, 2, "REKEYING", None),
    "REKEY_IKE_FOLLOWUP_KE_R0": (_IKE, 2, "REKEYING", None),
    "ESTABLISHED_IKE_SA": (_IKE, 2, "ESTABLISHED", None),
    "ESTABLISHED_CHILD_SA": (_CHILD, 2, "INSTALLED", None),
    "IKE_SA_DELETE": (_IKE, 2, "DELETING", None),
    "CHILD_SA_DELETE": (_CHILD, 2, "DELETING", None),
    "ZOMBIE": (_IKE, 2, "DELETING", None),
}

# 5.x prints a state's story instead of its name. Stories: ikev1_states.c and ikev2_states.c
# (5.x), where several IKEv2 states print their 4.x name as story.
STORIES = {
    "expecting MI1": "STATE_MAIN_R0",
    "sent MI1, expecting MR1": "STATE_MAIN_I1",
    "sent MR1, expecting MI2": "STATE_MAIN_R1",
    "sent MI2, expecting MR2": "STATE_MAIN_I2",
    "sent MR2, expecting MI3": "STATE_MAIN_R2",
    "sent MI3, expecting MR3": "STATE_MAIN_I3",
    "sent MR3, ISAKMP SA established": "STATE_MAIN_R3",
    "ISAKMP SA established": "STATE_MAIN_I4",  # also STATE_AGGR_R2: same meaning
    "expecting AI1": "STATE_AGGR_R0",
    "sent AI1, expecting AR1": "STATE_AGGR_I1",
    "sent AR1, expecting AI2": "STATE_AGGR_R1",
    "sent AI2, ISAKMP SA established": "STATE_AGGR_I2",
    "XAUTH client - possibly awaiting CFG_request": "STATE_XAUTH_I0",
    "XAUTH client - possibly awaiting CFG_set": "STATE_XAUTH_I1",
    "XAUTH responder - optional CFG exchange": "STATE_XAUTH_R0",
    "XAUTH status sent, expecting Ack": "STATE_XAUTH_R1",
    "ModeCfg initiator - awaiting CFG_reply": "STATE_MODE_CFG_I1",
    "ModeCfg Set sent, expecting Ack": "STATE_MODE_CFG_R1",
    "ModeCfg R2": "STATE_MODE_CFG_R2",
    "ModeCfg Reply sent": "STATE_MODE_CFG_R0",
    "expecting QI1": "STATE_QUICK_R0",
    "sent QI1, expecting QR1": "STATE_QUICK_I1",
    "sent QR1, inbound IPsec SA installed, expecting QI2": "STATE_QUICK_R1",
    "sent QI2, IPsec SA established": "STATE_QUICK_I2",
    "IPsec SA established": "STATE_QUICK_R2",
    "waiting for KE to finish": "IKE_SA_INIT_I0",
    "established IKE SA": "ESTABLISHED_IKE_SA",
    "established Child SA": "ESTABLISHED_CHILD_SA",
    "sent CREATE_CHILD_SA request for new IPsec SA": "NEW_CHILD_I1",
    "sent CREATE_CHILD_SA request to rekey IPsec SA": "REKEY_CHILD_I1",
    "sent CREATE_CHILD_SA request to rekey IKE SA": "REKEY_IKE_I1",
    "STATE_IKESA_DEL": "IKE_SA_DELETE",
    "STATE_CHILDSA_DEL": "CHILD_SA_DELETE",
}
# The stories 5.x generates for the IKE_SA_INIT/IKE_INTERMEDIATE/IKE_AUTH/IKE_SESSION_RESUME
# exchanges ("sent IKE_SA_INIT request", "processed IKE_SA_INIT response, preparing ...").
_EXCHANGE_STORY = re.compile(
    r"^(?P<verb>sent|processed|processing) (?P<exchange>IKE_[A-Z_]+?)(?P<eap>\(EAP\))? "
    r"(?P<message>request|response)\b")
_EXCHANGE_SUFFIX = {("sent", "request"): "_I", ("processed", "response"): "_IR",
                    ("sent", "response"): "_R", ("processing", "request"): "_R0"}

# `ipsec whack` failures: pluto is not there to ask, so there is no state to report.
_IPSEC_ERROR = re.compile(
    r"^(whack: .*|connect\(pluto_ctl\) failed.*|.*: command not found|sudo: .*"
    r"|.*: Permission denied|ipsec: .*)$")


def command_key(command):
    """The whack listing commands as typed: `ipsec status`, `ipsec whack --status`, ...

    Refused on purpose: `globalstatus` (daemon-wide counters, no tunnel in it), `shuntstatus`
    (bare shunts are kernel policies left by failed opportunistic or %drop connections, not
    SAs) and `briefstatus` (SA totals only).
    """
    words = (command or "").split("|", 1)[0].split()
    tool = next((index for index, word in enumerate(words)
                 if word.rsplit("/", 1)[-1] in ("ipsec", "whack")), None)
    if tool is None:
        return None
    rest = words[tool + 1:]
    if rest[:1] in (["whack"], ["auto"]):
        rest = rest[1:]
    action = rest[0].lstrip("-") if rest else ""
    return _ACTIONS.get(action)


_ACTIONS = {
    "status": "ipsec status",
    "showstates": "ipsec showstates",
    "trafficstatus": "ipsec trafficstatus",
    "connectionstatus": "ipsec connectionstatus",
}


def parse(key, text, now=None):
    """`now` (Unix time) dates trafficstatus' add_time; default: this host's clock."""
    if key == "ipsec trafficstatus":
        return _traffic_tunnels(key, _lines(text), time.time() if now is None else now)
    return _tunnels(_read_listing(key, text))


# merge lays commands over each other in this order: configuration, states, exact counters
_MERGE_ORDER = ("ipsec connectionstatus", "ipsec status", "ipsec showstates", "ipsec trafficstatus")


def merge(parts):
    """One tunnel per connection: configuration, then states, then exact traffic counters."""
    tunnels = {}
    for _key, parsed in sorted(parts, key=lambda part: _MERGE_ORDER.index(part[0])):
        for tunnel in parsed:
            known = tunnels.get(tunnel["name"])
            tunnels[tunnel["name"]] = tunnel if known is None else _combine(known, tunnel)
    for tunnel in tunnels.values():
        _settle(tunnel)
    return list(tunnels.values())


def gather_commands(options):
    """`whack --status` lists connections, states and SPIs; `--trafficstatus` exact counters.

    `ipsec whack --...` rather than `ipsec status`/`ipsec trafficstatus`: the same in every
    version from 3.x to 5.x. ipsec_path moves the `ipsec` command.
    """
    ipsec = shlex.quote(options.get("ipsec_path") or "/usr/sbin/ipsec")
    return ["%s whack --status" % ipsec, "%s whack --trafficstatus" % ipsec]


# --- reading lines ----------------------------------------------------------------------------

def _lines(text):
    """(number, line) without whack's reply code (000, 006 before 5.x); readers skip blanks."""
    for number, line in numbered_lines(text):
        yield number, line[4:] if line[3:4] in ("", " ") and line[:3].isdigit() else line


def _not_understood(key, expected, number, line):
    """A line no reader knows: whack's own failure (no state to report), or unknown text."""
    if _IPSEC_ERROR.match(line.strip()):
        fail(PLATFORM, key, "ipsec output, but ipsec reported an error: %s" % line.strip(), number, line)
    fail(PLATFORM, key, expected, number, line)


_SECTION_LINE = re.compile(
    r"^(Connection list:|Total IPsec connections: .*|State Information: .*|State list:"
    r"|IKE SAs: .*|IPsec SAs: .*|(Bare )?Shunt list:)$")
_SHUNT_ENTRY = re.compile(r"^\S+ -\d+-> \S+ => ")   # 192.1.3.209/32:0 -0-> 192.1.3.46/32:0 => %drop


def _read_listing(key, text):
    """Connection and state lines of status, showstates and connectionstatus, in one pass.

    `ipsec status` opens with a configuration dump that differs in every version: its lines
    before the first connection, state or section line are skipped; everything after must be
    known. The 'Total IPsec connections' line marks a status that was not cut short.
    """
    listing = {"conns": {}, "states": {}, "traffic": {}, "pending": set()}
    is_status = key == "ipsec status"
    started, complete, conn, details = not is_status, not is_status, None, None
    for number, line in _lines(text):
        if details and line.startswith(details):
            if line.startswith(_DETAIL_KEYWORDS, len(details)):
                _read_conn_detail(conn, line, len(details))
            continue
        if not line or line.isspace():
            continue
        if line[0] == '"':
            conn = _read_conn_line(key, listing, number, line)
            details = conn["head"] + "   "   # the connection's detail lines start so
        elif line[0] == "#":
            _read_state_line(key, listing, number, line)
        else:
            section = _read_other_line(key, number, line, started)
            if section is None:
                continue   # the configuration dump before the listing, or a bare shunt
            complete = complete or section.startswith("Total IPsec connections")
        started = True
    if not complete:
        fail(PLATFORM, key, "a complete status, ending with its 'Total IPsec connections' line")
    return listing


def _read_other_line(key, number, line, started):
    """A section line (returned), a bare shunt or, before the listing, configuration."""
    stripped = line.strip()
    if _SECTION_LINE.match(stripped):
        return stripped
    if _IPSEC_ERROR.match(stripped) or started and not _SHUNT_ENTRY.match(stripped):
        _not_understood(key, "a connection, state or section line", number, line)
    return None


# --- connections ------------------------------------------------------------------------------

# "name"[instance] peer: rest. The peer (opportunistic instances) may be IPv6: it ends at ': '.
_CONN_LINE = re.compile(r'^"(?P<name>[^"]*)"(?P<instance>\[\d+\])?(?P<peer>[^"]*?): (?P<rest>.*)$')


def _read_conn_line(key, listing, number, line):
    """A connection's first line: '"name"[N]: TOPOLOGY; ...'.

    Its detail lines repeat that head, indented: _read_listing finds them by a prefix test
    rather than this regular expression, which matters with thousands of connections.
    """
    match = _CONN_LINE.match(line)
    if match is None:
        fail(PLATFORM, key, '"NAME"[N]: followed by the connection', number, line)
    if match.group("rest").startswith(" "):
        fail(PLATFORM, key, "connection details after the connection's first line", number, line)
    name = match.group("name") + (match.group("instance") or "")
    conn = _new_conn(name, match.group("name"), match.group("instance"), match.group("rest"))
    conn["head"] = line[:match.start("rest") - 1]
    listing["conns"][name] = conn
    return conn


def _new_conn(name, base, instance, rest):
    """The first line: TOPOLOGY; ROUTING; flags (eroute owner: #N, my_ip=...).

    The connection's tunnel (configured, DOWN until an SA says otherwise) is made here; the
    details and states fill it in.
    """
    topology, _sep, flags = rest.partition("; ")
    local, _sep, remote = topology.partition("...")
    tunnel = configured_tunnel(name)
    child = model.new_child(name, "DOWN")
    child["configured"] = True
    tunnel["children"].append(child)
    ike = tunnel["ike"]
    ike["local"]["address"], ike["local"]["id"], child["local_ts"] = _end(local, client_first=True)
    ike["remote"]["address"], ike["remote"]["id"], child["remote_ts"] = _end(remote, client_first=False)
    conn = {"name": name, "base": base, "instance": instance, "hints": {}, "tunnel": tunnel,
            "ike": ike, "child": child, "routing": flags.split(";", 1)[0].strip()}
    _read_hints(conn, flags)
    _read_own_addresses(conn, flags)
    return conn


# [ID,FLAGS]: pluto may append MS, +MC, +CAT, +XS, +XC and always then the sendcert policy
_ID_FLAGS = re.compile(r"^(?:MS)?(?:\+MC)?(?:\+CAT)?(?:\+XS)?(?:\+XC)?(?:\+S[-?=]C|\+UNKNOWN)$")


def _end(text, client_first):
    """(address, ID, [client subnet]) of one side: CLIENT===HOST<NAME>[ID]---NEXTHOP here,
    NEXTHOP---HOST<NAME>[ID]===CLIENT there."""
    if client_first:
        client, _sep, host = text.rpartition("===")
        host = host.split("---", 1)[0]
    else:
        host, _sep, client = text.partition("===")
        host = host.rsplit("---", 1)[-1]
    identity = None
    if host.endswith("]") and "[" in host:
        host, _sep, identity = host[:-1].partition("[")
        without, _sep, flags = identity.rpartition(",")
        if _ID_FLAGS.match(flags):
            identity = without or None
    host = host.split("<", 1)[0].strip()
    return host or None, identity, [client] if client else []


def _read_conn_detail(conn, line, start):
    """One 'keyword: ...' line of a connection; most keywords carry nothing for the model."""
    colon = line.find(":", start)
    reader = _DETAIL_READERS.get(line[start:colon].strip()) if colon > 0 else None
    if reader is not None:
        reader(conn, line[start:].strip())
    elif "oriented;" in line[start:start + 16]:   # 3.x/4.x keep my_ip= on this line
        _read_own_addresses(conn, line)


def _read_policy(conn, detail):
    """IKE version (IKEv2+... from 4.x, IKEV2_ALLOW in 3.x), tunnel mode, ESP or AH."""
    bits = set(detail.split(":", 1)[1].strip().rstrip(";").split("+"))
    versions = [version for version, marks in ((1, {"IKEv1", "IKEV1_ALLOW"}), (2, {"IKEv2", "IKEV2_ALLOW"}))
                if bits & marks]
    if len(versions) == 1:
        conn["ike"]["version"] = versions[0]
    conn["child"]["mode"] = "TUNNEL" if "TUNNEL" in bits else "TRANSPORT"
    conn["child"]["protocol"] = "AH" if "AUTHENTICATE" in bits and "ENCRYPT" not in bits else "ESP"


def _read_ids(conn, detail):
    """our idtype: T; our id=X; their idtype: T; their id=Y (IDs may hold ', ')."""
    ours, _sep, theirs = detail.partition("; their idtype:")
    ike = conn["ike"]
    ike["local"]["id"] = ours.partition("our id=")[2] or ike["local"]["id"]
    ike["remote"]["id"] = theirs.partition("their id=")[2] or ike["remote"]["id"]


_LIFETIMES = re.compile(r"^ike_life: (?P<ike>\d+)s; ipsec_life: (?P<ipsec>\d+)s;")


def _read_lifetimes(conn, detail):
    """ike_life / ipsec_life: how long an SA lives before pluto renegotiates it."""
    found = _LIFETIMES.match(detail)
    if found:
        conn["ike"]["rekey_interval_seconds"] = int(found.group("ike"))
        conn["child"]["rekey_interval_seconds"] = int(found.group("ipsec"))


_DPD_ACTIVE = re.compile(r"delay:[1-9]")


def _read_dpd(conn, detail):
    """dpd: action:hold; delay:0; timeout:0 (3.x/4.x), liveness: passive; dpdaction:hold;
    dpddelay:0s; retransmit-timeout:2s (4.x), liveness: active; dpddelay:3s;
    retransmit-timeout:10s (5.x). A delay of 0, the usual case, means no DPD."""
    if not _DPD_ACTIVE.search(detail):
        return
    values = {}
    for item in detail.split(":", 1)[1].split(";"):
        name, _sep, value = item.strip().partition(":")
        values[name] = value.strip().rstrip("s")
    conn["ike"]["dpd"] = {"delay": _whole(values.get("dpddelay") or values.get("delay")),
                          "timeout": _whole(values.get("retransmit-timeout") or values.get("timeout")),
                          "action": values.get("dpdaction") or values.get("action")}


def _whole(text):
    """A count of seconds, or None where absent or masked (XX)."""
    return int(text) if text and text.isdigit() else None


def _read_ike_algorithms(conn, detail):
    conn["ike"]["version"] = 2 if detail.startswith("IKEv2") else 1
    conn["ike"]["algorithms"] = _ike_algorithms(detail.split(":", 1)[1].strip())


def _read_child_algorithms(conn, detail):
    proposal, _sep, pfs = detail.split(":", 1)[1].partition("; pfsgroup=")
    algorithms = _child_algorithms(proposal.strip(), is_ah=detail.startswith("AH"))
    if pfs and not pfs.startswith("<"):   # <Phase1>: the IKE SA's group, <N/A>: no PFS
        algorithms["dh_group"] = pfs.strip()
    conn["child"]["algorithms"] = algorithms


def _read_reqid(conn, detail):
    reqid = detail.split(":", 1)[1].strip().rstrip(";")
    conn["child"]["reqid"] = reqid if reqid.isdigit() else None   # the test harness writes REQID


def _read_hints(conn, text):
    """What a connection says about its SAs; state lines, where listed, say more."""
    if "#" not in text:
        return
    for match in _HINT.finditer(text):
        if match.group("serial") != "0":
            kind, state = _HINT_KINDS[match.group("what")]
            conn["hints"][kind] = (match.group("serial"), state)


_DETAIL_READERS = {
    "policy": _read_policy,
    "our idtype": _read_ids,
    "ike_life": _read_lifetimes,
    "dpd": _read_dpd,
    "liveness": _read_dpd,
    "IKEv1 algorithm newest": _read_ike_algorithms,
    "IKEv2 algorithm newest": _read_ike_algorithms,
    "ESP algorithm newest": _read_child_algorithms,
    "AH algorithm newest": _read_child_algorithms,
    "reqid": _read_reqid,
    "host": _read_hints,
    "routing": _read_hints,
    "newest ISAKMP SA": _read_hints,
    "newest IKE SA": _read_hints,
}
# how the detail lines worth reading start, after the connection's head (one C-level test)
_DETAIL_KEYWORDS = tuple(keyword + ":" for keyword in _DETAIL_READERS) + ("  oriented;", "  unoriented;")

# 3.x/4.x: "eroute owner: #2", "newest ISAKMP SA: #1; newest IPsec SA: #2" (#0: none);
# 5.x: "established IKE SA: #3", "negotiating IKE SA: #3", "established Child SA: #2".
_HINT = re.compile(
    r"(?P<what>eroute owner|newest (?:ISAKMP|IKE|IPsec) SA|(?:established|negotiating) "
    r"(?:IKE|ISAKMP|Child|IPsec) SA): #(?P<serial>\d+)")
_HINT_KINDS = {
    "newest ISAKMP SA": (_IKE, "ESTABLISHED"), "newest IKE SA": (_IKE, "ESTABLISHED"),
    "established IKE SA": (_IKE, "ESTABLISHED"), "established ISAKMP SA": (_IKE, "ESTABLISHED"),
    "negotiating IKE SA": (_IKE, "CONNECTING"), "negotiating ISAKMP SA": (_IKE, "CONNECTING"),
    "eroute owner": (_CHILD, "INSTALLED"), "newest IPsec SA": (_CHILD, "INSTALLED"),
    "established Child SA": (_CHILD, "INSTALLED"), "established IPsec SA": (_CHILD, "INSTALLED"),
    "negotiating Child SA": (_CHILD, "CREATED"), "negotiating IPsec SA": (_CHILD, "CREATED"),
}

_OWN_ADDRESS = re.compile(r"\b(?P<side>my|their)_ip=(?P<address>[^;\s]+)")


def _read_own_addresses(conn, text):
    """my_ip / their_ip: addresses handed out by ModeCfg or an address pool (virtual IPs)."""
    if "my_ip=unset; their_ip=unset" in text:   # the usual case: none
        return
    for match in _OWN_ADDRESS.finditer(text):
        if match.group("address") != "unset":
            side = "local" if match.group("side") == "my" else "remote"
            conn["ike"]["virtual_ips"][side] = [match.group("address")]


# --- states -------------------------------------------------------------------------------------

_STATE_LINE = re.compile(r"^#(?P<serial>\d+): (?P<body>.*)$")
_PENDING = re.compile(r'^pending (?:CHILD SA|Phase 2|IPsec SA) for "(?P<name>[^"]*)"(?P<instance>\[\d+\])?')
_TRAFFIC = re.compile(r'^"(?P<name>[^"]*)"(?P<instance>\[\d+\])?(?P<rest>.* Traffic:.*)$')
# "name"[N] peer:port STATE (story); details   or, from 5.x,   "name"[N] peer:port story; details
_STATE_HEAD = re.compile(
    r'^"(?P<name>[^"]*)"(?P<instance>\[\d+\])?(?P<peer>[^";]*?):(?P<port>\d+)(?:\(tcp\))? '
    r"(?P<what>[^;]*)(?P<details>;.*)?$")


def _read_state_line(key, listing, number, line):
    """An SA (IKE or IPsec), the SPIs and traffic of an IPsec SA, or a pending IPsec SA."""
    match = _STATE_LINE.match(line)
    if match is None:
        fail(PLATFORM, key, "'#SERIAL: \"NAME\" ...' state line", number, line)
    serial, body = match.group("serial"), match.group("body")
    if body.startswith("pending "):
        found = _PENDING.match(body)
        if found:
            listing["pending"].add(found.group("name") + (found.group("instance") or ""))
            return
    elif " Traffic:" in body:
        found = _TRAFFIC.match(body)
        if found:
            listing["traffic"][serial] = _traffic_of(key, found.group("rest"), number, line)
            return
    else:
        found = _STATE_HEAD.match(body)
        if found:
            listing["states"][serial] = _new_state(serial, found)
            return
    fail(PLATFORM, key, "a state, traffic or pending line", number, line)


_PARENT = re.compile(r"(?:isakmp#|IKE SA #|ISAKMP SA #)(?P<serial>\d+)")
_STATE_WITH_STORY = re.compile(r"^(?P<name>[A-Z][A-Z0-9_]+) \((?P<story>.*)\)$")


def _new_state(serial, head):
    native, name = _state_name(head.group("what").strip())
    kind, version, state, phase = _classify(name, native)
    details = head.group("details") or ""
    parent = _PARENT.search(details)
    return {
        "serial": serial, "conn": head.group("name") + (head.group("instance") or ""),
        "peer": _peer_address(head.group("peer")), "port": int(head.group("port")),
        "native": native, "name": name, "kind": kind, "version": version, "state": state,
        "phase": phase, "initiator": _initiator(name) if native == name else None,
        "parent": parent.group("serial") if parent else None, "events": _events(details),
    }


def _state_name(what):
    """(what the device printed, the state name to look up): 'NAME (story)' or, 5.x, 'story'."""
    with_story = _STATE_WITH_STORY.match(what)
    if with_story:
        return with_story.group("name"), with_story.group("name")
    if what in STORIES:
        return what, STORIES[what]
    exchange = _EXCHANGE_STORY.match(what)
    if exchange:
        suffix = _EXCHANGE_SUFFIX.get((exchange.group("verb"), exchange.group("message")), "")
        return what, exchange.group("exchange") + ("_EAP" if exchange.group("eap") else "") + suffix
    return what, what


def _classify(name, native):
    """A state missing from the table stays UNDEFINED; its story tells IPsec SA from IKE SA."""
    if name in STATES:
        return STATES[name]
    is_child = any(word in native for word in ("Child SA", "IPsec SA", "CHILD", "QUICK"))
    return (_CHILD if is_child else _IKE), None, "UNDEFINED", None


def _initiator(name):
    """From the state name's role suffix: _I1, _I, _IR initiator; _R0, _R2 responder."""
    role = name.rstrip("0123456789").rsplit("_", 1)[-1]
    return {"I": True, "IR": True, "R": False}.get(role)


# EVENT_SA_REPLACE in 3326s (3.x), REKEY in 25883s (4.x+), masked as XXs by the test harness
_EVENT = re.compile(r"(?:EVENT_)?(?:v2_)?(?:SA_)?(?P<event>[A-Z_]+) in (?P<seconds>\d+|X+)s")


def _events(details):
    return {match.group("event"): _whole(match.group("seconds")) for match in _EVENT.finditer(details)}


def _peer_address(text):
    """The peer after a connection name: ' 192.1.2.23', ' ...192.1.2.23', ' 10.0.10.1/32=== ...x'."""
    words = (text or "").split()
    if not words:
        return None
    return words[-1].lstrip(".") or None


_SAID = re.compile(r"\b(?P<proto>esp|ah)\.(?P<spi>[0-9A-Za-z]+)@(?P<address>\S+)")
_COUNTER = re.compile(r"\b(?:ESP|AH|IPCOMP)(?P<direction>in|out)=(?P<amount>\d+)(?P<unit>B|KB|MB)")
_HEX = re.compile(r"^[0-9a-fA-F]+$")


def _traffic_of(key, text, number, line):
    """SPIs (pluto lists the outbound SA @peer first, then the inbound SA @us), mode, bytes.

    The status rounds byte counts down to whole KB or MB: they are kept as lower bounds and
    replaced by trafficstatus' exact counts in merge. SPIs masked by a test harness stay None.
    """
    saids = list(_SAID.finditer(text))
    if len(saids) < 2:
        fail(PLATFORM, key, "an outbound and an inbound SA (esp.SPI@ADDRESS)", number, line)
    traffic = {"protocol": saids[0].group("proto").upper(),
               "mode": "TUNNEL" if " tun." in text else "TRANSPORT",
               "spi_out": _spi(saids[0].group("spi")), "spi_in": _spi(saids[1].group("spi"))}
    for match in _COUNTER.finditer(text):
        traffic["bytes_" + match.group("direction")] = scaled_size(match.group("amount"), match.group("unit"))
    return traffic


def _spi(text):
    return text.lower() if _HEX.match(text) else None


# --- trafficstatus ------------------------------------------------------------------------------

_TRAFFIC_STATUS = re.compile(
    r'^#(?P<serial>\d+): "(?P<name>[^"]*)"(?P<instance>\[\d+\])?(?P<peer>[^,]*), (?P<fields>.*)$')
_FIELD = re.compile(r"(?P<key>\w+)=(?P<value>'[^']*'|[^,]*)")


def _traffic_tunnels(key, lines, now):
    """One line per established IPsec SA; a connection keeps its newest (highest serial)."""
    newest = {}
    for number, line in lines:
        if not line or line.isspace():
            continue
        match = _TRAFFIC_STATUS.match(line.strip())
        if match is None:
            _not_understood(key, "'#SERIAL: \"NAME\", type=..., inBytes=..., outBytes=...'", number, line)
        fields = {found.group("key"): found.group("value").strip("'")
                  for found in _FIELD.finditer(match.group("fields"))}
        if "inBytes" not in fields or "outBytes" not in fields:
            fail(PLATFORM, key, "inBytes= and outBytes= counters", number, line)
        name = match.group("name") + (match.group("instance") or "")
        serial = int(match.group("serial"))
        if name not in newest or newest[name]["serial"] < serial:
            newest[name] = {"serial": serial, "match": match, "fields": fields, "where": (number, line)}
    return [_traffic_tunnel(key, name, entry, now) for name, entry in newest.items()]


def _traffic_tunnel(key, name, entry, now):
    fields, peer = entry["fields"], entry["match"].group("peer")
    tunnel = model.new_tunnel(name, "ipsec", "UNDEFINED")
    ike = tunnel["ike"]
    ike["remote"] = model.new_endpoint(_peer_address(peer), None, fields.get("id"))
    lease = fields.get("lease")
    if lease:
        # ours when the instance shows it as our own client (client address translation),
        # else the peer's; merge corrects it when the status lists it as my_ip
        side = "local" if peer.strip().startswith(lease + "===") else "remote"
        ike["virtual_ips"][side] = [lease.split("/", 1)[0]]
    child = model.new_child(name, "INSTALLED")
    try:
        child.update(sa_id=str(entry["serial"]), protocol=fields.get("type"),
                     bytes_in=int(fields["inBytes"]), bytes_out=int(fields["outBytes"]),
                     installed_seconds=_seconds_since(fields.get("add_time"), now))
    except ValueError:
        fail(PLATFORM, key, "numbers in inBytes=, outBytes= and add_time=", *entry["where"])
    tunnel["children"].append(child)
    return tunnel


def _seconds_since(epoch_text, now):
    """Seconds from an epoch the device printed until now (this host's clock by default)."""
    if epoch_text is None:
        return None
    return max(0, int(now) - int(epoch_text))


# --- building tunnels ---------------------------------------------------------------------------

def _tunnels(listing):
    """Connections that are tunnels, then any connection only state lines name."""
    conns, states = listing["conns"], listing["states"]
    templates = {conn["base"] for conn in conns.values() if conn["instance"]}
    by_conn = {}
    for state in states.values():
        by_conn.setdefault(state["conn"], []).append(state)
    tunnels = [_tunnel(name, conn, by_conn.pop(name, []), listing)
               for name, conn in conns.items() if _is_tunnel(conn, templates)]
    tunnels.extend(_tunnel(name, None, own_states, listing) for name, own_states in by_conn.items())
    return tunnels


def _is_tunnel(conn, templates):
    """Not a policy group or template: its peer is concrete (not %any, %group,
    %opportunistic...) and no instance of it is listed."""
    is_template = not conn["instance"] and conn["base"] in templates
    return not is_template and not (conn["ike"]["remote"]["address"] or "").startswith("%")


def _tunnel(name, conn, own_states, listing):
    if conn is None:
        tunnel = model.new_tunnel(name, "ipsec", "UNDEFINED")
    else:
        tunnel = conn["tunnel"]
        _apply_conn(tunnel, conn)
    ike_state = _best([state for state in own_states if state["kind"] == _IKE], "ESTABLISHED")
    child_state = _best([state for state in own_states if state["kind"] == _CHILD], "INSTALLED")
    if ike_state is None and child_state is not None:
        ike_state = listing["states"].get(child_state["parent"])   # IKEv2: one IKE SA, many conns
    if ike_state is not None:
        _apply_ike_state(tunnel, ike_state)
    if child_state is not None:
        _apply_child_state(tunnel, name, child_state, listing["traffic"].get(child_state["serial"]))
    elif name in listing["pending"]:
        _mark_pending(tunnel, name)
    return tunnel


def _best(states, up_state):
    """The SA that is up, else the newest: pluto lists replaced SAs until they expire."""
    if not states:
        return None
    return max(states, key=lambda state: (state["state"] == up_state, int(state["serial"])))


def _apply_conn(tunnel, conn):
    """What the connection tells without state lines: its routing, and its SAs' numbers."""
    tunnel["status_message"] = "configured, no IKE SA (%s)" % conn["routing"]
    if _IKE in conn["hints"]:
        serial, state = conn["hints"][_IKE]
        tunnel["state"] = state
        conn["ike"]["sa_id"] = serial
        if state == "CONNECTING":
            conn["ike"]["negotiation"] = model.new_negotiation(1, "negotiating IKE SA")
    if _CHILD in conn["hints"]:
        serial, state = conn["hints"][_CHILD]
        conn["child"].update(sa_id=serial, state=state)


def _apply_ike_state(tunnel, state):
    ike = tunnel["ike"]
    tunnel["state"], tunnel["native_state"] = state["state"], state["native"]
    events = state["events"]
    ike.update({
        "sa_id": state["serial"], "native_state": state["native"],
        "version": state["version"] or ike["version"], "initiator": state["initiator"],
        "rekey_seconds": _first(events, "REKEY", "REPLACE", "REPLACE_IF_USED", "REPLACE_IF_USED_IKE"),
        "negotiation": model.new_negotiation(state["phase"], state["name"]) if state["phase"] else None,
    })
    ike["remote"] = model.new_endpoint(state["peer"] or ike["remote"]["address"], state["port"],
                                       ike["remote"]["id"])


def _apply_child_state(tunnel, name, state, traffic):
    if not tunnel["children"]:
        tunnel["children"].append(model.new_child(name))
    child = tunnel["children"][0]
    events = state["events"]
    child.update({
        "sa_id": state["serial"], "state": state["state"], "native_state": state["native"],
        "rekey_seconds": _first(events, "REKEY", "REPLACE", "REPLACE_IF_USED"),
        "lifetime_seconds": _first(events, "EXPIRE"),
    })
    child.update(traffic or {})
    if state["phase"] == 2 and tunnel["ike"]["negotiation"] is None:
        tunnel["ike"]["negotiation"] = model.new_negotiation(2, state["name"])


def _mark_pending(tunnel, name):
    """An IKE SA under way holds an IPsec SA for this connection until it is up."""
    if not tunnel["children"]:
        tunnel["children"].append(model.new_child(name))
    if tunnel["children"][0]["state"] in ("DOWN", "UNDEFINED"):
        tunnel["children"][0].update(state="CREATED", native_state="pending")


def _first(events, *names):
    return next((events[name] for name in names if events.get(name) is not None), None)


# --- algorithms ---------------------------------------------------------------------------------

_KEY_SIZE = re.compile(r"^(?P<name>.+?)_(?P<size>128|192|256)$")
_DH = re.compile(r"^(MODP|DH|ECP|CURVE|ML_KEM)")


def _cipher(text):
    sized = _KEY_SIZE.match(text)
    return (sized.group("name"), int(sized.group("size"))) if sized else (text, None)


def _ike_algorithms(text):
    """'AES_GCM_16_256-HMAC_SHA2_512-DH19': CIPHER_KEYSIZE-PRF[-INTEG]-DH."""
    parts = text.split("-")
    encryption, key_size = _cipher(parts[0])
    dh_group = parts.pop() if len(parts) > 1 and _DH.match(parts[-1]) else None
    middle = parts[1:]
    return model.new_algorithms(encryption, key_size, integrity=middle[1] if len(middle) > 1 else None,
                                prf=middle[0] if middle else None, dh_group=dh_group)


def _child_algorithms(text, is_ah):
    """'AES_GCM_16_256-NONE', 'AES_CBC_128-HMAC_SHA1_96'; AH: 'HMAC_SHA2_384_192'."""
    if is_ah:
        return model.new_algorithms(integrity=text)
    parts = text.split("-")
    encryption, key_size = _cipher(parts[0])
    integrity = parts[1] if len(parts) > 1 and parts[1] != "NONE" else None
    return model.new_algorithms(encryption, key_size, integrity=integrity)


# --- merging commands ---------------------------------------------------------------------------

# what belongs to one IKE SA: taken together from the command that lists that SA
_SA_FIELDS = ("sa_id", "native_state", "initiator", "rekey_seconds", "negotiation")
_EMPTY = (None, [], "")   # what a command leaves unsaid: a later one may fill it


def _combine(base, extra):
    """Lay a later command's view of a tunnel over an earlier one (same connection name)."""
    base["configured"] = base["configured"] or extra["configured"]
    if base["enabled"] is None:
        base["enabled"] = extra["enabled"]
    base["status_message"] = base["status_message"] or extra["status_message"]
    if extra["ike"]["sa_id"] is not None:
        base["state"], base["native_state"] = extra["state"], extra["native_state"]
        base["ike"].update({field: extra["ike"][field] for field in _SA_FIELDS})
    elif base["state"] == "UNDEFINED":
        base["state"], base["native_state"] = extra["state"], extra["native_state"]
    fill_missing(base["ike"], extra["ike"], _EMPTY, skip=_SA_FIELDS)
    own = {child["name"]: child for child in base["children"]}
    for child in extra["children"]:
        known = own.get(child["name"])
        if known is None:
            base["children"].append(child)
        elif known["sa_id"] in (None, child["sa_id"]):   # the same SA, or a slot for it
            _overlay_child(known, child)
    return base


def _overlay_child(known, child):
    """The later command wins where it says something: trafficstatus' exact counters."""
    for field, value in child.items():
        if field == "configured":
            known[field] = known[field] or value
        elif isinstance(value, dict):
            fill_missing(known[field], value, _EMPTY)
        elif value not in _EMPTY and not (field == "state" and value == "UNDEFINED"):
            known[field] = value


def _settle(tunnel):
    """Once every command is in: phase 2 progress, whose lease it is, the status message."""
    ike, children = tunnel["ike"], tunnel["children"]
    installed = sum(1 for child in children if child["state"] == "INSTALLED")
    if tunnel["state"] == "DOWN" and installed:
        tunnel["state"] = "UNDEFINED"   # DOWN is no SA at all; this IKE SA is just not listed
    if tunnel["state"] == "ESTABLISHED" and not installed and ike["negotiation"] is None:
        ike["negotiation"] = model.new_negotiation(2, "IPsec SA not established")
    vips = ike["virtual_ips"]
    vips["remote"] = [address for address in vips["remote"] if address not in vips["local"]]
    if ike["sa_id"] is not None:
        tunnel["status_message"] = "IKE SA #%s %s, %d of %d IPsec SAs installed" % (
            ike["sa_id"], tunnel["native_state"] or tunnel["state"], installed, len(children))
        if ike["negotiation"]:
            tunnel["status_message"] += "; negotiating phase %d: %s" % (
                ike["negotiation"]["phase"], ike["negotiation"]["step"])
    elif installed:
        tunnel["status_message"] = "IPsec SA installed, its IKE SA not listed"
    elif not tunnel["status_message"]:
        tunnel["status_message"] = "no IKE SA"


def reset_commands(target, options=None):
    """`ipsec down NAME` then `ipsec up NAME` for a validated reset target (reset.py). A
    libreswan connection is one IKE SA with one child, so scope child resets the connection
    named by child (or name). whack selects by connection name only."""
    from ansible_collections.vpnops.tunnels.plugins.module_utils.reset import unsupported

    if not target["name"]:
        raise unsupported(PLATFORM, target, "ipsec down/up take a connection name")
    ipsec = shlex.quote((options or {}).get("ipsec_path") or "ipsec")
    name = shlex.quote(target["child"] or target["name"])
    return ["%s down %s" % (ipsec, name), "%s up %s" % (ipsec, name)]

# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""strongSwan's legacy stroke interface (ipsec.conf / starter): `ipsec statusall` and
`ipsec status`.

Formats follow charon's stroke plugin (src/libcharon/plugins/stroke/stroke_list.c, 4.2
to 5.9) and, for strongSwan 4.x, the IKEv1 daemon pluto, whose `000 `-prefixed lines lead
the output of 4.x (src/pluto/connections.c, state.c, constants.c).

`statusall` lists every loaded connection ("Connections:") before the live SAs
("Security Associations"), so a connection without an IKE_SA is reported DOWN, and a
configured child that no IKE_SA carries is reported DOWN inside its tunnel. Children follow
their IKE_SA in the listing and are attached by position, not by name: stroke merges conns
with equal IKE settings into one IKE_SA whose children keep their own conn names.

Times: charon prints whole units, truncated (time_delta_printf_hook in
src/libstrongswan/utils/utils/time.c): seconds up to 120 s, minutes up to 120 min, hours up
to 48 h, then days. "5 minutes" means 300 to 359 s; the parser reports the lower bound
(300), so a value may be short by up to one unit. Sanitized samples mask numbers ("XX") and
SPIs ("SPISPI"): those become None.
"""

from __future__ import annotations

import copy
import functools
import re
import shlex

from ansible_collections.vpnops.tunnels.plugins.module_utils import model
from ansible_collections.vpnops.tunnels.plugins.module_utils.parsers import strongswan
from ansible_collections.vpnops.tunnels.plugins.module_utils.parsers.common import (
    configured_tunnel,
    fail,
    nonempty_lines,
    normalize,
    split_address_port,
    to_int,
)

PLATFORM = "strongswan_legacy"
STATUSALL = "ipsec statusall"
STATUS = "ipsec status"
COMMANDS = (STATUSALL, STATUS)

# charon's state names are the model's names: ike_sa_state_names (src/libcharon/sa/ike_sa.c)
# and child_sa_state_names (src/libcharon/sa/child_sa.c) of 5.9; older releases print a
# subset (4.2: CREATED, ROUTED, INSTALLED, REKEYING, DELETING for children). The same daemon
# prints the same names through stroke and VICI, so the swanctl parser's tables serve both.
IKE_STATES = strongswan.IKE_STATES
CHILD_STATES = strongswan.CHILD_STATES

# strongSwan 4.x pluto (IKEv1): state_names and state_story in src/pluto/constants.c.
# Phase 1 is Main or Aggressive Mode, then the optional XAUTH and ModeCfg exchanges; the
# story says "established" once the ISAKMP SA is usable.
PLUTO_PHASE1_STATES = {
    "STATE_MAIN_R0": "CONNECTING",       # expecting MI1
    "STATE_MAIN_I1": "CONNECTING",       # sent MI1, expecting MR1
    "STATE_MAIN_R1": "CONNECTING",       # sent MR1, expecting MI2
    "STATE_MAIN_I2": "CONNECTING",       # sent MI2, expecting MR2
    "STATE_MAIN_R2": "CONNECTING",       # sent MR2, expecting MI3
    "STATE_MAIN_I3": "CONNECTING",       # sent MI3, expecting MR3
    "STATE_MAIN_R3": "ESTABLISHED",      # sent MR3, ISAKMP SA established
    "STATE_MAIN_I4": "ESTABLISHED",      # ISAKMP SA established
    # Aggressive Mode: named as in pluto's FreeS/WAN relatives, absent from some 4.x lists
    "STATE_AGGR_R0": "CONNECTING",
    "STATE_AGGR_I1": "CONNECTING",
    "STATE_AGGR_R1": "CONNECTING",
    "STATE_AGGR_I2": "ESTABLISHED",
    "STATE_AGGR_R2": "ESTABLISHED",
    "STATE_XAUTH_I0": "CONNECTING",      # expecting XAUTH request
    "STATE_XAUTH_R1": "CONNECTING",      # sent XAUTH request, expecting reply
    "STATE_XAUTH_I1": "CONNECTING",      # sent XAUTH reply, expecting status
    "STATE_XAUTH_R2": "CONNECTING",      # sent XAUTH status, expecting ack
    "STATE_XAUTH_I2": "ESTABLISHED",     # sent XAUTH ack, established
    "STATE_XAUTH_R3": "ESTABLISHED",     # received XAUTH ack, established
    "STATE_MODE_CFG_R0": "CONNECTING",   # expecting ModeCfg request
    "STATE_MODE_CFG_I1": "CONNECTING",   # sent ModeCfg request, expecting reply
    "STATE_MODE_CFG_R1": "ESTABLISHED",  # sent ModeCfg reply, established
    "STATE_MODE_CFG_I2": "ESTABLISHED",  # received ModeCfg reply, established
    "STATE_MODE_CFG_I0": "CONNECTING",   # expecting ModeCfg set
    "STATE_MODE_CFG_R3": "CONNECTING",   # sent ModeCfg set, expecting ack
    "STATE_MODE_CFG_I3": "ESTABLISHED",  # sent ModeCfg ack, established
    "STATE_MODE_CFG_R4": "ESTABLISHED",  # received ModeCfg ack, established
}
# Phase 2 (Quick Mode): one IPsec SA per state.
PLUTO_PHASE2_STATES = {
    "STATE_QUICK_R0": "INSTALLING",      # expecting QI1
    "STATE_QUICK_I1": "INSTALLING",      # sent QI1, expecting QR1
    "STATE_QUICK_R1": "INSTALLING",      # sent QR1, inbound IPsec SA installed, expecting QI2
    "STATE_QUICK_I2": "INSTALLED",       # sent QI2, IPsec SA established
    "STATE_QUICK_R2": "INSTALLED",       # IPsec SA established
}

_UNIT_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
# Tasks that create a CHILD_SA: pending on an ESTABLISHED IKE_SA without children they mean
# the tunnel is stuck in phase 2 (IKEv1 QUICK_MODE, IKEv2 CHILD_CREATE).
_CHILD_CREATING_TASKS = {"QUICK_MODE", "CHILD_CREATE"}


# --- commands -------------------------------------------------------------------------------

# Binaries that speak stroke: `ipsec`, Fedora's renamed `strongswan`, and `stroke` itself.
_STROKE_BINARY = re.compile(r"ipsec|strongswan|stroke", re.IGNORECASE)
_KEY_OF_WORD = {"statusall": STATUSALL, "status": STATUS}


def command_key(command):
    """`ipsec statusall|status [conn]` as typed, whatever the binary's path (ipsec_path).

    Other stroke commands are refused on purpose: `listcounters` counts IKE messages per
    daemon or per conn (never per SA), `leases` lists virtual IP pools, `listall` and the
    `list*certs` family list credentials; none of them carries tunnel state.
    """
    words = str(command or "").split("|", 1)[0].split()
    for index in range(1, len(words)):
        binary = words[index - 1].rsplit("/", 1)[-1]
        if words[index] in _KEY_OF_WORD and _STROKE_BINARY.search(binary):
            return _KEY_OF_WORD[words[index]]
    return None


def gather_commands(options):
    """`statusall` alone: it holds the configuration and every SA (`status` is a subset)."""
    ipsec = shlex.quote(options.get("ipsec_path") or "/usr/sbin/ipsec")
    return ["%s statusall" % ipsec]


def parse(key, text):
    reader = _Reader(key)
    for number, line in nonempty_lines(text):
        reader.feed(number, line)
    return reader.tunnels()


def merge(parts):
    """One list from several outputs: an SA listed twice (status and statusall) is kept once,
    from statusall, which carries more; a configured-only entry yields to a live SA."""
    ordered = sorted(parts, key=lambda part: part[0] != STATUSALL)
    tunnels, seen = [], set()
    for _key, part in ordered:
        for tunnel in part:
            identity = (tunnel["name"], tunnel["ike"]["sa_id"])
            if identity not in seen:
                seen.add(identity)
                tunnels.append(tunnel)
    live = {tunnel["name"] for tunnel in tunnels if tunnel["ike"]["sa_id"] is not None}
    return [tunnel for tunnel in tunnels
            if tunnel["ike"]["sa_id"] is not None or tunnel["name"] not in live]


# --- values ---------------------------------------------------------------------------------

_DURATION = r"(?:\d+|X+) (?:second|minute|hour|day)s?"
_HEX = re.compile(r"^[0-9a-f]+$")
_KEYED_ALGORITHM = re.compile(r"^(?P<name>.+?)[_-](?P<size>\d+)$")
_INTEGRITY_PREFIXES = ("HMAC_", "AES_XCBC", "AES_CMAC", "CAMELLIA_XCBC", "AES_128_GMAC",
                       "AES_192_GMAC", "AES_256_GMAC")
_DH_PREFIXES = ("MODP_", "ECP_", "CURVE_", "NTRU_", "NEWHOPE_", "ML_KEM_")
_NOT_ALGORITHMS = ("", "ESN", "NO_EXT_SEQ")


def _count(text):
    """A number as printed, or None where a sanitized sample masks it ('XXX')."""
    if text is None or text.startswith("X"):
        return None
    return int(text)


def _seconds(duration):
    """'5 minutes' -> 300: the lower bound of charon's truncated value; None if absent."""
    if duration is None:
        return None
    count, unit = duration.split()
    value = _count(count)
    return None if value is None else value * _UNIT_SECONDS[unit.rstrip("s")]


def _spi(text):
    """SPIs as printed (lowercase hex, vendor width); masked ones ('SPISPI') -> None."""
    return text if text and _HEX.match(text) else None


def _identity(text):
    """charon prints %any until the peer is authenticated: no identity is known yet."""
    return None if text in (None, "", "%any") else text


def _algorithms(text):
    """'AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048' -> model algorithms."""
    return model.new_algorithms(*_algorithm_values(text))


@functools.lru_cache(maxsize=512)
def _algorithm_values(text):
    """(encryption, key_size, integrity, prf, dh_group); cached, as every SA repeats a few.

    Each part is classified by name (an AH child has no cipher, so the first part is not
    always the cipher). The cipher's key size follows '_' (4.2: '-'); sizes below 40 are
    part of the name (AES_GCM_16 names the ICV length).
    """
    encryption = key_size = integrity = prf = dh_group = None
    for part in text.split("/"):
        if part.startswith("PRF_"):
            prf = part
        elif part.startswith(_DH_PREFIXES):
            dh_group = part
        elif part.startswith(_INTEGRITY_PREFIXES):
            integrity = part
        elif part not in _NOT_ALGORITHMS and encryption is None:
            keyed = _KEYED_ALGORITHM.match(part)
            if keyed and int(keyed.group("size")) >= 40:
                encryption, key_size = keyed.group("name"), int(keyed.group("size"))
            else:
                encryption = part
    return encryption, key_size, integrity, prf, dh_group


# --- configuration as read, before it meets the live SAs --------------------------------------

class _Conn:
    """A loaded connection. Kept light: most connections have a live SA, and only those
    without one become tunnels of their own (DOWN)."""

    __slots__ = ("name", "version", "local", "remote", "dpd", "children")

    def __init__(self, name, version, local, remote, dpd=None):
        self.name, self.version, self.dpd = name, version, dpd
        self.local, self.remote = local, remote   # (address, port, id)
        self.children = []                         # _ChildConfig

    def child(self, name):
        for config in self.children:   # one to a few: a scan beats building a dict
            if config.name == name:
                return config
        return None


class _ChildConfig:
    """A configured child; its selectors stay text ('10.1.0.0/24 10.2.0.0/24') until used."""

    __slots__ = ("name", "mode", "local_ts", "remote_ts")

    def __init__(self, name, mode, local_ts, remote_ts):
        self.name, self.mode, self.local_ts, self.remote_ts = name, mode, local_ts, remote_ts


# --- the line reader ------------------------------------------------------------------------

# Lines a terminal session may add around the output.
_NOISE = re.compile(
    r"^(?:-+ ?More ?-+|Last login: .*"
    r"|(?:\w{3} ){1,2}\s?\d{1,2} \d\d:\d\d:\d\d(?: \w+)? \d{4}"
    r"|\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d\S*)$"
)
# The daemon (or the shell) failed: there is no state to report.
_IPSEC_ERROR = re.compile(
    r"^(?:connecting to '[^']*' failed.*|failed to connect to stroke socket.*"
    r"|.*: command not found|.*: No such file or directory|sudo: .*|.*[Pp]ermission denied.*)$"
)
_SECTION_OF_HEADER = {
    "Performance:": "daemon",            # 4.2's daemon header
    "Virtual IP pools (size/online/offline):": "pools",
    "Listening IP addresses:": "addresses",
    "Connections:": "connections",
    "Shunted Connections:": "shunts",
    "Routed Connections:": "routed",
    "Security Associations:": "sas",     # 4.x: no counts
}
_DAEMON_HEADER = re.compile(r"^Status of IKE(?:v2)? charon daemon \(.*\):$")
_SAS_HEADER = re.compile(r"^Security Associations \(\d+ up, \d+ connecting\):$")
_FIRST_SECTION = "a section header such as 'Security Associations (N up, M connecting):'"

_KEY_VALUE = re.compile(r"^[A-Za-z][\w ]*: ")
_POOL = re.compile(r"^\S+: \d+/\d+/\d+$")
_ADDRESS = re.compile(r"^[0-9A-Fa-f:.]+(?:%\S+)?$")
_SHUNT = re.compile(r"^.+?:\s+.*===.*$")
_NO_SAS = ("none", "no match")

_CONN_HEADER = re.compile(
    r"^(?P<local>[^\s\[]+?)(?:\[(?P<local_id>[^\]]*)\])?\.\.\."
    r"(?P<remote>[^\s\[]+?)(?:\[(?P<remote_id>[^\]]*)\])?"
    r"(?P<ike>\s+IKE(?:v(?P<version>[12]))?)?(?: Aggressive)?(?:, dpddelay=(?P<dpd>\d+)s)?$"
)
_CONN_CHILD = re.compile(
    r"^(?:child:\s+)?(?P<local>[^=]*?) ?=== ?(?P<remote>.*?)(?: (?P<mode>[A-Z_]+))?"
    r"(?:, dpdaction=(?P<action>\w+))?$"
)
_CONN_AUTH = re.compile(r"^(?P<side>local|remote):\s+(?:\[(?P<id>.*?)\] )?uses ")
_DPD_DELAY = re.compile(r"dpddelay=(\d+)s")

_IKE_HEADER = re.compile(
    r"^(?P<state>[A-Z_]+)(?: (?P<ago>%s) ago)?, "
    r"(?P<local>[^\s\[]+)\[(?P<local_id>.*?)\]\.\.\.(?P<remote>[^\s\[]+)\[(?P<remote_id>.*)\]$"
    % _DURATION
)
_IKE_SPIS = re.compile(
    r"^IKE(?:v(?P<version>[12]))? SPIs: (?P<ispi>\w+?)_i(?P<i_star>\*?) "
    r"(?P<rspi>\w+?)_r\*?(?P<rest>(?:, .*)?)$"
)
_IKE_TASKS = re.compile(r"^Tasks (?P<queue>queued|active|passive): (?P<tasks>.*)$")
_REKEY_IN = re.compile(r"rekeying in (%s)" % _DURATION)
_REAUTH_IN = re.compile(r"reauthentication in (%s)" % _DURATION)

_CHILD_HEADER = re.compile(
    r"^(?P<state>[A-Z]+(?:_[A-Z]+)*), (?P<mode>[A-Z]+(?:_[A-Z]+)*)(?:, reqid (?P<reqid>\d+))?"
    r"(?:, (?P<protocol>[A-Z]+)(?P<udp> in UDP)? SPIs: (?P<spi_in>\w+?)_i (?P<spi_out>\w+?)_o)?"
    r"(?:, IPCOMP CPIs: \w+_i \w+_o)?(?:, expires in (?P<expires>%s))?$" % _DURATION
)
# The usage line: algorithms, traffic per direction (4.5+; packets since 5.0), the rekey
# time, and 4.2's last use instead of traffic.
_TRAFFIC = (r"(?P<bytes_%(d)s>\d+|X+) bytes_%(d).1s"
            r"(?: \((?:(?P<packets_%(d)s>\d+|X+) pkts?, )?(?P<ago_%(d)s>\d+|X+)s ago\))?")
_CHILD_USAGE = re.compile(
    r"^(?P<algorithms>[^,]*)(?:, %s)?(?:, %s)?"
    r", rekeying (?:in (?P<rekey>%s)|(?P<rekey_word>active|disabled))"
    r"(?P<last_use>, last use: (?:(?P<last_in>\d+)s_i|no_i) (?:(?P<last_out>\d+)s_o|no_o))?$"
    % (_TRAFFIC % {"d": "in"}, _TRAFFIC % {"d": "out"}, _DURATION)
)


class _Reader:
    """Reads one output line by line; the section decides what a line may be.

    Each section's handler returns None for a line it took, else what it expected there;
    only then is the line checked for terminal noise or an error of the ipsec command, so
    ordinary lines cost one pattern match or two.
    """

    def __init__(self, key):
        self.key = key
        self.section = None
        self.saw_sas = False
        self.conns = []        # _Conn: what "Connections:" lists
        self.conn = None       # the connection whose lines are being read
        self.traps = []        # routed CHILD_SAs: configured, installed as policy only
        self.sas = []          # live IKE_SAs as tunnels, in listing order
        self.tasks = {}        # (name, IKE_SA id) -> {queue: [task, ...]}
        self.sa_key = None     # (name, id) of the IKE_SA whose lines are being read
        self.child = None
        self.child_key = None
        self.pluto = _PlutoReader()
        self._handlers = {
            "daemon": self._daemon_line,
            "pools": self._pattern_line(_POOL, "a pool 'NAME: SIZE/ONLINE/OFFLINE'"),
            "addresses": self._pattern_line(_ADDRESS, "an IP address"),
            "connections": self._connection_line,
            "shunts": self._pattern_line(_SHUNT, "a shunt 'NAME: TS === TS MODE'"),
            "routed": self._routed_line,
            "sas": self._sa_line,
        }

    def feed(self, number, line):
        line = line.rstrip()
        if line.startswith("000"):
            self.pluto.feed(line)
            return
        section = self._section_of(line)
        if section is not None:
            self.section, self.conn, self.sa_key, self.child = section, None, None, None
            self.saw_sas = self.saw_sas or section == "sas"
            return
        handler = self._handlers.get(self.section)
        expected = handler(line) if handler else _FIRST_SECTION
        if expected is not None:
            self._unexpected(number, line, expected)

    def _unexpected(self, number, line, expected):
        stripped = line.strip()
        if _NOISE.match(stripped):
            return
        if _IPSEC_ERROR.match(stripped):
            expected = "ipsec output, but it reported an error: %s" % stripped
        fail(PLATFORM, self.key, expected, number, line)

    def tunnels(self):
        if not self.saw_sas and not self.pluto.seen:
            fail(PLATFORM, self.key, "a 'Security Associations' section (truncated output, or "
                 "empty: ipsec prints nothing when the IKE daemon is not running)")
        for sa in self.sas:
            _set_negotiation(sa, self.tasks.get((sa["name"], sa["ike"]["sa_id"]), {}))
        conns, sas = self.conns + self.pluto.conns, self.sas + self.pluto.tunnels()
        tunnels = _combine(conns, self.traps, sas)
        for tunnel in tunnels:
            tunnel["status_message"] = _status_message(tunnel)
        return tunnels

    @staticmethod
    def _section_of(line):
        if not line.endswith(":") or line[:1].isspace():
            return None
        if line.startswith("Status of "):
            return "daemon" if _DAEMON_HEADER.match(line) else None
        if line.startswith("Security Associations ("):
            return "sas" if _SAS_HEADER.match(line) else None
        return _SECTION_OF_HEADER.get(line)

    # --- sections without tunnels ---------------------------------------------------------

    @staticmethod
    def _daemon_line(line):
        # uptime, malloc, worker threads, plugins: indented 'key: value' lines
        if line[:1].isspace() or _KEY_VALUE.match(line):
            return None
        return "a daemon status line such as '  uptime: ...'"

    @staticmethod
    def _pattern_line(pattern, expected):
        return lambda line: None if pattern.match(line.strip()) else expected

    # --- Connections: ---------------------------------------------------------------------

    def _connection_line(self, line):
        name, body = _named_parts(line)
        if name is None:
            return "a connection line 'NAME:  ...'"
        detail = body.lstrip()
        if len(body) - len(detail) == 1:     # "NAME:  LOCAL...REMOTE": a conn header
            header = _CONN_HEADER.match(detail)
            if header is not None:
                self.conn = _configured_conn(name, header)
                self.conns.append(self.conn)
                return None
        if self.conn is None:
            return "a connection header 'NAME:  LOCAL...REMOTE  IKEvN'"
        return self._connection_detail(name, detail)

    def _connection_detail(self, name, detail):
        conn = self.conn
        if "===" in detail:
            child = _CONN_CHILD.match(detail)
            if child is None:
                return "a configured child 'NAME:   child:  TS === TS MODE'"
            local, mode, remote, action = child.group("local", "mode", "remote", "action")
            conn.children.append(_ChildConfig(name, mode, local, remote))
            if action and conn.dpd is not None:
                conn.dpd["action"] = conn.dpd["action"] or action
            return None
        auth = _CONN_AUTH.match(detail)
        if auth is not None:
            side, identity = auth.group("side", "id")
            address, port, known = getattr(conn, side)
            setattr(conn, side, (address, port, known or identity))
            return None
        dpd = _DPD_DELAY.search(detail)
        if dpd is not None:   # 4.2 prints dpddelay on its authentication line
            conn.dpd = _dpd(dpd.group(1))
        # ca/cert/ocsp/crl/group lines describe credentials, not tunnels
        return None

    # --- Routed Connections: and Security Associations ------------------------------------

    def _routed_line(self, line):
        parts = _sa_parts(line)
        if parts is None or parts[1] != "}":
            return "a routed CHILD_SA line 'NAME{N}:  ROUTED, ...'"
        name, _kind, number, body = parts
        return self._child_line((name, number), body, self.traps)

    def _sa_line(self, line):
        parts = _sa_parts(line)
        if parts is None:
            return None if line.strip() in _NO_SAS else "an SA line 'NAME[N]: ...' or 'NAME{N}: ...'"
        name, kind, number, body = parts
        if kind == "]":
            return self._ike_line((name, number), body)
        if not self.sas:
            return "an IKE_SA line 'NAME[N]: STATE, ...' before its CHILD_SAs"
        return self._child_line((name, number), body, self.sas[-1]["children"])

    def _ike_line(self, key, body):
        if key == self.sa_key and self._ike_detail(key, body):
            return None
        header = _IKE_HEADER.match(body)
        if header is None:
            return "'NAME[N]: STATE, LOCAL[ID]...REMOTE[ID]' starting IKE_SA %s[%s]" % key
        self.sas.append(_live_sa(key, header))
        self.sa_key, self.child = key, None
        return None

    def _ike_detail(self, key, body):
        """The lines after an IKE_SA's first; False if `body` is none of them."""
        ike = self.sas[-1]["ike"]
        if body.startswith("IKE proposal: "):
            ike["algorithms"] = _algorithms(body[len("IKE proposal: "):])
        elif body.startswith("IKE") and " SPIs: " in body:
            spis = _IKE_SPIS.match(body)
            if spis is None:
                return False
            _apply_spis(ike, spis)
        elif body.startswith("Tasks "):
            tasks = _IKE_TASKS.match(body)
            if tasks is None:
                return False
            self.tasks.setdefault(key, {})[tasks.group("queue")] = tasks.group("tasks").split()
        elif _IKE_HEADER.match(body):
            return False   # a second IKE_SA with the same name and id: a new SA
        # other lines (Remote EAP/XAuth identity, newer additions) add nothing to the model
        return True

    def _child_line(self, key, body, children):
        if key == self.child_key and self._child_detail(body):
            return None
        header = _CHILD_HEADER.match(body)
        if header is None and key == self.child_key:
            return "a CHILD_SA line with algorithms, bytes_i/bytes_o, rekeying or selectors"
        if header is None:
            return "'NAME{N}:  STATE, MODE, ...' starting CHILD_SA %s{%s}" % key
        self.child, self.child_key = _child(key, header), key
        children.append(self.child)
        return None

    def _child_detail(self, body):
        """The lines after a CHILD_SA's first; False if `body` is none of them."""
        if "===" in body:
            local, _arrows, remote = body.partition("===")
            self.child["local_ts"], self.child["remote_ts"] = local.split(), remote.split()
            return True
        return _apply_child_usage(self.child, body)


def _named_parts(line):
    """'  NAME:  body' -> ('NAME', ' body'); (None, None) if the line has no name.
    Names may end in ':' themselves ('LEVIKOM::  10.6.2.2...')."""
    head, separator, body = line.partition(": ")
    name = head.strip()
    if not separator or not name or " " in name:
        return None, None
    return name, body


def _sa_parts(line):
    """'  NAME[3]: body' -> ('NAME', ']', '3', 'body'), '{3}' for a CHILD_SA; None if the
    line names no SA."""
    head, separator, body = line.partition(": ")
    head = head.lstrip()
    kind = head[-1:]
    if not separator or kind not in ("]", "}"):
        return None
    start = head.rfind("[" if kind == "]" else "{")
    number = head[start + 1:-1]
    if start < 1 or not number.isdigit() or " " in head:
        return None
    return head[:start], kind, number, body.strip()


# --- building tunnels from charon's lines ---------------------------------------------------

def _dpd(delay):
    return {"delay": int(delay), "timeout": None, "action": None}


def _configured_conn(name, header):
    local, local_id, remote, remote_id, dpd = header.group(
        "local", "local_id", "remote", "remote_id", "dpd")
    return _Conn(name, _configured_version(header), (local, None, local_id),
                 (remote, None, remote_id), _dpd(dpd) if dpd else None)


def _configured_version(header):
    """IKEv1/IKEv2; bare "IKE" (either) -> None; 4.x charon prints none and speaks IKEv2."""
    if header.group("ike") is None:
        return 2
    return int(header.group("version")) if header.group("version") else None


def _live_sa(key, header):
    name, sa_id = key
    native, ago, local, local_id, remote, remote_id = header.group(
        "state", "ago", "local", "local_id", "remote", "remote_id")
    tunnel = model.new_tunnel(name, "ipsec", normalize(IKE_STATES, native), native)
    ike = tunnel["ike"]
    ike["sa_id"], ike["native_state"], ike["established_seconds"] = sa_id, native, _seconds(ago)
    ike["local"]["address"], ike["local"]["id"] = local, _identity(local_id)
    ike["remote"]["address"], ike["remote"]["id"] = remote, _identity(remote_id)
    return tunnel


def _apply_spis(ike, spis):
    """`_i*` marks this host as the IKE_SA's original initiator, `_r*` as its responder
    (stroke_list.c prints the star after the SPI of the role id->is_initiator() names)."""
    ike["version"] = int(spis.group("version") or 2)   # 4.x: "IKE SPIs", IKEv2 only
    ike["initiator_spi"] = _spi(spis.group("ispi"))
    ike["responder_spi"] = _spi(spis.group("rspi"))
    ike["initiator"] = bool(spis.group("i_star"))
    rest = spis.group("rest")
    rekey, reauth = _REKEY_IN.search(rest), _REAUTH_IN.search(rest)
    ike["rekey_seconds"] = _seconds(rekey.group(1)) if rekey else None
    ike["reauth_seconds"] = _seconds(reauth.group(1)) if reauth else None


def _child(key, header):
    name, number = key
    native, mode, reqid, protocol, udp, spi_in, spi_out, expires = header.group(
        "state", "mode", "reqid", "protocol", "udp", "spi_in", "spi_out", "expires")
    child = model.new_child(name, normalize(CHILD_STATES, native), native)
    # 4.x prints the reqid in braces and no unique id
    child["sa_id"], child["reqid"] = (number, reqid) if reqid else (None, number)
    child["mode"], child["protocol"] = mode, protocol
    child["encapsulation"] = bool(udp) if protocol else None   # known once installed
    child["spi_in"], child["spi_out"] = _spi(spi_in), _spi(spi_out)
    child["lifetime_seconds"] = _seconds(expires)
    return child


def _apply_child_usage(child, body):
    """The second CHILD_SA line; False if `body` is not one.

    Packets and last use are printed only once a direction saw traffic: zero bytes mean
    zero packets, a non-zero count without them leaves packets unknown (4.x never prints
    packets).
    """
    usage = _CHILD_USAGE.match(body)
    if usage is None:
        return False
    if usage.group("algorithms"):
        child["algorithms"] = _algorithms(usage.group("algorithms"))
    for direction in ("in", "out"):
        count, packets, ago = usage.group("bytes_" + direction, "packets_" + direction,
                                          "ago_" + direction)
        if count is not None:
            count = _count(count)
            child["bytes_" + direction] = count
            child["packets_" + direction] = 0 if packets is None and count == 0 else _count(packets)
            child["last_%s_seconds" % direction] = _count(ago)
    # "active": the rekey time has passed and rekeying is under way
    child["rekey_seconds"] = 0 if usage.group("rekey_word") == "active" else _seconds(
        usage.group("rekey"))
    if usage.group("last_use"):
        child["last_in_seconds"] = to_int(usage.group("last_in"))
        child["last_out_seconds"] = to_int(usage.group("last_out"))
    return True


def _set_negotiation(sa, tasks):
    """Where a tunnel that is not up stands: phase 1 while the IKE_SA is not established,
    phase 2 when it is but only a child-creating task (QUICK_MODE, CHILD_CREATE) is pending.
    The step is the pending task list as charon prints it ('active: MAIN_MODE ...')."""
    queue = "active" if tasks.get("active") else "queued" if tasks.get("queued") else None
    step = "%s: %s" % (queue, " ".join(tasks[queue])) if queue else sa["native_state"]
    if sa["state"] in ("CREATED", "CONNECTING"):
        sa["ike"]["negotiation"] = model.new_negotiation(1, step)
    elif (sa["state"] == "ESTABLISHED" and queue
          and _CHILD_CREATING_TASKS & set(tasks[queue])
          and not any(child["state"] == "INSTALLED" for child in sa["children"])):
        sa["ike"]["negotiation"] = model.new_negotiation(2, step)


# --- strongSwan 4.x pluto (IKEv1) -----------------------------------------------------------

_PLUTO_CONN = re.compile(
    r'^000 "(?P<name>[^"]+)"(?P<instance>\[\d+\])?: (?P<topology>\S.*?); '
    r"(?P<routing>[a-z][a-z ,]*); eroute owner: #\d+$"
)
_PLUTO_POLICY = re.compile(r'^000 "(?P<name>[^"]+)":\s+policy: (?P<policy>\S+);')
_PLUTO_STATE = re.compile(
    r'^000 #(?P<serial>\d+): "(?P<name>[^"]+)"(?P<instance>\[\d+\])?(?: (?P<peer>\S+))? '
    r"(?P<state>STATE_\w+) \((?P<story>[^)]*)\); (?P<event>EVENT_\w+) in (?P<due>-?\d+)s"
    r"(?P<flags>.*)$"
)
_PLUTO_SAIDS = re.compile(
    r'^000 #(?P<serial>\d+): "(?P<name>[^"]+)"(?P<instance>\[\d+\])?(?: \S+)? '
    r"(?P<saids>(?:esp|ah|comp)\..*)$"
)
_PLUTO_SAID = re.compile(
    r"(?P<protocol>esp|ah|comp)\.(?P<spi>[0-9a-f]+)@\S+?"
    r"(?: \((?P<bytes>[\d,]+) bytes(?:, (?P<ago>\d+)s ago)?\))?(?=[ ;]|$)"
)
# client===host[id]---hop...hop---host[id]===client (format_end in connections.c)
_PLUTO_LEFT = re.compile(
    r"^(?:(?P<client>[^=\[\]]+?)===)?(?P<host>[^\[\]=]+?)(?:\[(?P<id>[^\]]*)\])?(?:---\S+?)?$"
)
_PLUTO_RIGHT = re.compile(
    r"^(?:\S+?---)?(?P<host>[^\[\]=]+?)(?:\[(?P<id>[^\]]*)\])?(?:===(?P<client>\S+))?$"
)
_REPLACE_EVENTS = ("EVENT_SA_REPLACE", "EVENT_SA_REPLACE_IF_USED")


class _PlutoReader:
    """pluto's `000` lines: connections, then ISAKMP (phase 1) and IPsec (phase 2) states.

    States are grouped by connection (and instance), since pluto sorts them by connection
    only; the tunnel's IKE SA is the ISAKMP state marked 'newest ISAKMP', else the last.
    """

    def __init__(self):
        self.seen = False
        self.conns = []
        self.groups = {}       # (name, instance) -> {"phase1": [...], "children": {...}}

    def feed(self, line):
        self.seen = True
        for pattern, handler in ((_PLUTO_STATE, self._state), (_PLUTO_SAIDS, self._saids),
                                 (_PLUTO_CONN, self._conn), (_PLUTO_POLICY, self._policy)):
            match = pattern.match(line)
            if match is not None:
                handler(match)
                return
        # interfaces, algorithms, policies, per-conn details: no tunnel state

    def _group(self, match):
        key = (match.group("name"), match.group("instance") or "")
        return self.groups.setdefault(key, {"phase1": [], "children": {}, "peer": None})

    def _conn(self, match):
        if match.group("instance"):
            return   # an instance of a template conn: its states say all there is to say
        name = match.group("name")
        left, _dots, right = match.group("topology").partition("...")
        local, local_client = _pluto_end(_PLUTO_LEFT, left)
        remote, remote_client = _pluto_end(_PLUTO_RIGHT, right)
        conn = _Conn(name, 1, local, remote)
        conn.children.append(_ChildConfig(name, None, local_client, remote_client))
        self.conns.append(conn)

    def _policy(self, match):
        """'PSK+ENCRYPT+TUNNEL+PFS+UP': the conn's mode (pluto names no mode elsewhere)."""
        if self.conns and self.conns[-1].name == match.group("name"):
            tunnel = "TUNNEL" in match.group("policy").split("+")
            self.conns[-1].children[0].mode = "TUNNEL" if tunnel else "TRANSPORT"

    def _state(self, match):
        group = self._group(match)
        group["peer"] = group["peer"] or match.group("peer")
        state = match.group("state")
        if state in PLUTO_PHASE2_STATES:
            child = model.new_child(match.group("name"), PLUTO_PHASE2_STATES[state], state)
            child["sa_id"] = "#" + match.group("serial")
            child["rekey_seconds"] = _due(match)
            group["children"][match.group("serial")] = child
        elif state in PLUTO_PHASE1_STATES:
            group["phase1"].append(match)
        # STATE_INFO*: an informational exchange, no SA

    def _saids(self, match):
        child = self._group(match)["children"].get(match.group("serial"))
        if child is None:
            return
        saids = list(_PLUTO_SAID.finditer(match.group("saids")))
        # outbound first (SPI at the peer's address), then inbound (SPI at ours)
        for direction, said in zip(("out", "in"), [s for s in saids if s.group("protocol") != "comp"]):
            child["protocol"] = said.group("protocol").upper()
            child["spi_" + direction] = said.group("spi")
            child["bytes_" + direction] = to_int(said.group("bytes"))
            child["last_%s_seconds" % direction] = to_int(said.group("ago"))
        if match.group("saids").endswith(("; tunnel", "; transport")):
            child["mode"] = match.group("saids").rsplit("; ", 1)[1].upper()

    def tunnels(self):
        return [self._tunnel(name, group) for (name, _instance), group in self.groups.items()]

    def _tunnel(self, name, group):
        phase1 = _newest_isakmp(group["phase1"])
        children = list(group["children"].values())
        if phase1 is None:
            # IPsec SAs outlive their ISAKMP SA in IKEv1: tunnel state unknown, SAs kept
            tunnel = model.new_tunnel(name, "ipsec")
        else:
            native = phase1.group("state")
            tunnel = model.new_tunnel(name, "ipsec", PLUTO_PHASE1_STATES[native], native)
            tunnel["ike"].update(sa_id="#" + phase1.group("serial"), native_state=native,
                                 rekey_seconds=_due(phase1))
            if tunnel["state"] != "ESTABLISHED":
                tunnel["ike"]["negotiation"] = model.new_negotiation(1, native)
            elif children and not any(c["state"] == "INSTALLED" for c in children):
                tunnel["ike"]["negotiation"] = model.new_negotiation(2, children[-1]["native_state"])
        tunnel["ike"]["version"] = 1
        if group["peer"]:
            tunnel["ike"]["remote"]["address"] = group["peer"]
        tunnel["children"] = children
        return tunnel


def _pluto_end(pattern, text):
    """'client===host[id]' -> ((address, port, id), client); a layout not understood (a
    %group or %opportunistic end) leaves the end unknown."""
    end = pattern.match(text)
    if end is None:
        return (None, None, None), ""
    address, port = split_address_port(end.group("host"))
    return (address, port, _identity(end.group("id"))), end.group("client") or ""


def _newest_isakmp(states):
    newest = [state for state in states if "newest ISAKMP" in state.group("flags")]
    return (newest or states or [None])[-1]


def _due(match):
    """Seconds until pluto replaces the SA (its EVENT_SA_REPLACE timer)."""
    if match.group("event") in _REPLACE_EVENTS:
        return max(0, int(match.group("due")))
    return None


# --- configuration + live state -------------------------------------------------------------

def _combine(conns, traps, sas):
    """Live SAs with their configuration; connections without an SA become DOWN tunnels.

    A configured child that no SA of its connection carries is added, DOWN (or ROUTED when
    a trap policy is installed), to the connection's newest SA (highest unique id), so a
    reauthenticated connection whose children moved to the new SA is not reported degraded.
    Traps whose connection is unknown (`ipsec status` lists none) become tunnels of their own.
    """
    by_name = {conn.name: conn for conn in conns}
    configured = {child.name for conn in conns for child in conn.children}
    trap_of = {trap["name"]: trap for trap in traps if trap["name"] in configured}
    orphans = [_trap_tunnel(trap) for trap in traps if trap["name"] not in configured]
    live = {}
    for sa in sas:
        conn = by_name.get(sa["name"])
        if conn is not None:
            _apply_config(sa, conn)
            live.setdefault(sa["name"], []).append(sa)
    for name, name_sas in live.items():
        carried = {child["name"] for sa in name_sas for child in sa["children"]}
        newest = max(name_sas, key=_unique_id)
        newest["children"].extend(_configured_child(wanted, trap_of)
                                  for wanted in by_name[name].children
                                  if wanted.name not in carried)
    down = [_down_tunnel(conn, trap_of) for conn in conns if conn.name not in live]
    return sas + down + orphans


def _configured_child(wanted, trap_of):
    trap = trap_of.get(wanted.name)
    child = copy.deepcopy(trap) if trap else model.new_child(wanted.name, "DOWN")
    child["configured"] = True
    _fill_from_config(child, wanted)
    return child


def _fill_from_config(child, wanted):
    """pluto's IPsec SA lines name neither selectors nor (without KLIPS) the mode."""
    child["mode"] = child["mode"] or wanted.mode
    if not child["local_ts"] and not child["remote_ts"]:
        child["local_ts"], child["remote_ts"] = wanted.local_ts.split(), wanted.remote_ts.split()


def _down_tunnel(conn, trap_of):
    tunnel = configured_tunnel(conn.name)
    ike = tunnel["ike"]
    ike["version"] = conn.version
    ike["local"], ike["remote"] = model.new_endpoint(*conn.local), model.new_endpoint(*conn.remote)
    ike["dpd"] = dict(conn.dpd) if conn.dpd else None
    tunnel["children"] = [_configured_child(wanted, trap_of) for wanted in conn.children]
    return tunnel


def _trap_tunnel(trap):
    tunnel = configured_tunnel(trap["name"])
    trap["configured"] = True
    tunnel["children"].append(trap)
    return tunnel


def _apply_config(sa, conn):
    sa["configured"], sa["enabled"] = True, True
    ike = sa["ike"]
    ike["dpd"] = ike["dpd"] or (dict(conn.dpd) if conn.dpd else None)
    ike["version"] = ike["version"] or conn.version
    for side, (address, port, identity) in (("local", conn.local), ("remote", conn.remote)):
        endpoint = ike[side]
        endpoint["address"] = endpoint["address"] or address
        endpoint["port"] = endpoint["port"] or port
        endpoint["id"] = endpoint["id"] or identity
    for child in sa["children"]:
        config = conn.child(child["name"])
        child["configured"] = config is not None
        if config is not None:
            _fill_from_config(child, config)


def _unique_id(sa):
    return int(sa["ike"]["sa_id"].lstrip("#")) if sa["ike"]["sa_id"] else -1


def _status_message(tunnel):
    children = tunnel["children"]
    has_ike_sa = tunnel["ike"]["sa_id"] is not None
    if not has_ike_sa and not any(child["state"] == "INSTALLED" for child in children):
        if any(child["state"] == "ROUTED" for child in children):
            return "configured, trap policy installed (ROUTED), no IKE_SA"
        return "configured, no IKE_SA"
    installed = sum(1 for child in children if child["state"] == "INSTALLED")
    message = "%s, %d of %d CHILD_SAs installed" % (
        "IKE_SA %s" % tunnel["native_state"] if has_ike_sa else "no ISAKMP SA",
        installed, len(children))
    missing = [child["name"] for child in children if child["state"] in ("DOWN", "ROUTED")]
    if missing:
        message += "; not established: %s" % ", ".join(missing)
    return message


def reset_commands(target, options=None):
    """`ipsec down NAME` then `ipsec up NAME` for a validated reset target (reset.py); scope
    child: `ipsec down CHILD{*}` (the conn's CHILD_SAs only) then `ipsec up CHILD`.
    stroke selects by conn name only (an SA id needs its conn name too)."""
    from ansible_collections.vpnops.tunnels.plugins.module_utils.reset import unsupported

    if not target["name"]:
        raise unsupported(PLATFORM, target, "ipsec down/up take a connection name")
    ipsec = shlex.quote((options or {}).get("ipsec_path") or "ipsec")
    if target["scope"] == "child":
        child = target["child"] or target["name"]
        return ["%s down %s" % (ipsec, shlex.quote(child + "{*}")),
                "%s up %s" % (ipsec, shlex.quote(child))]
    name = shlex.quote(target["name"])
    return ["%s down %s" % (ipsec, name), "%s up %s" % (ipsec, name)]

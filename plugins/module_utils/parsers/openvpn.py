# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""OpenVPN: status files (versions 1, 2, 3 and the client statistics file) and the
management interface's `status` and `state` answers, as the normalized tunnel model.

A server is one tunnel named "server" that lists its clients; a client process is one
tunnel named "client" that carries its own connection state.
"""

from __future__ import annotations

import datetime
import re
import shlex

from ansible_collections.vpnops.tunnels.plugins.module_utils import model
from ansible_collections.vpnops.tunnels.plugins.module_utils.errors import VpnConfigError
from ansible_collections.vpnops.tunnels.plugins.module_utils.parsers.common import (
    fail,
    nonempty_lines,
    normalize,
    split_address_port,
    to_int,
)

PLATFORM = "openvpn"

# Native states of the management `state` command -> model.OPENVPN_CLIENT_STATES.
# Check against doc/management-notes.txt ("COMMAND -- state"); unknown names -> UNDEFINED.
STATE_TABLE = {
    "CONNECTING": "CONNECTING",      # initial state
    "WAIT": "WAIT",                  # (client only) waiting for initial response from server
    "AUTH": "AUTH",                  # (client only) authenticating with server
    "GET_CONFIG": "GET_CONFIG",      # (client only) downloading configuration options
    "ASSIGN_IP": "ASSIGN_IP",        # assigning IP address to virtual network interface
    "ADD_ROUTES": "ADD_ROUTES",      # adding routes to system
    "CONNECTED": "CONNECTED",        # initialization sequence completed
    "RECONNECTING": "RECONNECTING",  # a restart has occurred
    "EXITING": "EXITING",            # a graceful exit is in progress
    "RESOLVE": "RESOLVE",            # (client only) DNS lookup
    "TCP_CONNECT": "TCP_CONNECT",    # (client only) connecting to TCP server
    "AUTH_PENDING": "AUTH_PENDING",  # (client only) authentication pending (2.5+)
}

STATUS = "status"            # a status file read with `cat <path>` (any version)
MGMT_STATUS = "mgmt status"  # management `status [1|2|3]`
MGMT_STATE = "mgmt state"    # management `state`
COMMANDS = (STATUS, MGMT_STATUS, MGMT_STATE)
# Debian's openvpn-server@.service writes its status here (--status %t/openvpn-server/status-%i.log)
DEFAULT_STATUS_FILE = "/run/openvpn-server/status-server.log"

# Whole commands as typed at the management console (or our keys themselves). Bare `status`
# is the management command (v1 format): a status file is always read with `cat`.
_BARE = {
    "status": MGMT_STATUS, "status 1": MGMT_STATUS, "status 2": MGMT_STATUS,
    "status 3": MGMT_STATUS, "state": MGMT_STATE, MGMT_STATUS: MGMT_STATUS,
    MGMT_STATE: MGMT_STATE,
    # `version` answers "OpenVPN Version: ... / Management Version: ..." and nothing about
    # any tunnel, so it is refused here and the entry point reports it as unsupported.
    "version": None,
}
_CAT_ONE_FILE = re.compile(r"^(?:sudo\s+(?:-\S+\s+)*)?cat\s+[^\s|;&<>]+$")
_MGMT_STATUS_IN = re.compile(r"\bstatus\s+[123]\b")
_MGMT_STATE_IN = re.compile(r"\bstate\b")
_MGMT_STATUS_WORD = re.compile(r"\bstatus\b")


def command_key(command):
    """The key of a command as typed, or None (unsupported or ambiguous).

    `cat <one path>` is a status file; a shell one-liner feeding the management socket is
    recognised by the management command inside it: `status 1|2|3`, or the word `state`
    when `status` does not occur (a one-liner sending both would be ambiguous).
    """
    # printf/echo -e escapes (`'state\nquit\n'`) glue words together: read them as spaces
    text = " ".join(re.sub(r"\\[nrt]", " ", str(command or "")).split())
    if text.lower() in _BARE:
        return _BARE[text.lower()]
    if _CAT_ONE_FILE.match(text):
        return STATUS
    if _MGMT_STATUS_IN.search(text):
        return MGMT_STATUS if not _MGMT_STATE_IN.search(text) else None
    if _MGMT_STATE_IN.search(text) and not _MGMT_STATUS_WORD.search(text):
        return MGMT_STATE
    return None


def parse(key, text):
    if key == MGMT_STATE:
        return [_parse_state(key, text)]
    if key not in (STATUS, MGMT_STATUS):
        fail(PLATFORM, key, "one of the supported commands: %s" % ", ".join(COMMANDS))
    lines = list(nonempty_lines(text))
    if key == MGMT_STATUS:
        lines = _without_chatter(key, lines)
    if not lines:
        fail(PLATFORM, key, "non-empty status output")
    number, first = lines[0]
    if first == "OpenVPN CLIENT LIST":
        return [_parse_v1(key, lines)]
    if first == "OpenVPN STATISTICS":
        return [_parse_client_statistics(key, lines)]
    match = re.match(r"^(?:TITLE|TIME|HEADER)([,\t])", first)
    if match:
        return [_parse_v2(key, lines, match.group(1))]
    fail(PLATFORM, key, "an OpenVPN status (version 1, 2 or 3) or statistics file", number, first)


def merge(parts):
    """All tunnels in order, with one daemon reported once.

    - A server seen both in a file and on the management socket is one server; the
      management answer is the fresher one, so the file's is dropped.
    - vpn_facts asks one management socket for both `status 3` and `state`: when the daemon
      is a server its `state` says nothing about a client, and when it is a client its
      status is only statistics, so the `state` tunnel replaces the statistics one.
    """
    mgmt_has_server = any(
        key == MGMT_STATUS and _is_server(tunnel) for key, tunnels in parts for tunnel in tunnels
    )
    has_state = any(key == MGMT_STATE and tunnels for key, tunnels in parts)
    kept = []
    for key, tunnels in parts:
        for tunnel in tunnels:
            if mgmt_has_server and (key == STATUS and _is_server(tunnel) or key == MGMT_STATE):
                continue
            if has_state and key == MGMT_STATUS and not _is_server(tunnel):
                continue
            kept.append(tunnel)
    return kept


# Ask one question, read the answer up to its last line, and only then say quit: OpenVPN
# closes the socket on quit before it answers a request still queued.
_MANAGEMENT_SCRIPT = (
    'exec 3<>/dev/tcp/%(host)s/%(port)s && printf "%(request)s\\n" >&3 && '
    'while IFS= read -r -t %(timeout)d line <&3; do printf "%%s\\n" "$line"; '
    'case "$line" in END*|SUCCESS:*|ERROR:*) break;; esac; done; printf "quit\\n" >&3'
)


def apply_options(tunnels, options):
    """A server only lists connected clients; expected ones (openvpn_clients) that are
    absent are added as DOWN, so a missing client is seen."""
    expected = options.get("openvpn_clients") or []
    for tunnel in tunnels:
        detail = tunnel.get("openvpn") or {}
        if not expected or detail.get("role") != "server":
            continue
        present = {client["common_name"] for client in detail["clients"]}
        missing = [name for name in expected if name not in present]
        for name in missing:
            detail["clients"].append(model.new_openvpn_client(name, state="DOWN"))
        if missing:
            tunnel["status_message"] = "%s; expected clients not connected: %s" % (
                tunnel["status_message"], ", ".join(missing))
    return tunnels


def gather_commands(options):
    """What vpn_facts runs: the management interface when given, else the status file.

    The management socket is reached with bash's /dev/tcp, so the device needs no extra tool.
    """
    commands = []
    management = options.get("openvpn_management")
    if management:
        commands += [_management_command(request, options) for request in ("status 3", "state")]
    if options.get("openvpn_status_file") or not management:
        path = options.get("openvpn_status_file") or DEFAULT_STATUS_FILE
        commands.append("cat %s" % shlex.quote(path))
    return commands


# --- status version 1 ("OpenVPN CLIENT LIST" / "ROUTING TABLE" / "GLOBAL STATS") ----------

def _parse_v1(key, lines):
    """Sections by their title lines; each table's first line is its column header.

    v1 has no virtual address in the client list. A client's virtual address is taken from
    the ROUTING TABLE rows with the same Common Name and Real Address: the first IPv4 host
    address; a MAC address (TAP mode) only when there is no IPv4 one; the first IPv6 host
    address as virtual IPv6. Rows with the 'C' suffix (cached source routes) and networks
    with a '/prefix' (iroutes behind the client) are not the client's own address.
    """
    tunnel = server_tunnel()
    clients = []  # (client, (common name, real address text)) in row order
    routes = {}   # (common name, real address text) -> {"ipv4": .., "ipv6": .., "mac": ..}
    seen = set()
    section, header = None, None
    ended = False
    for number, line in lines:
        if ended:
            fail(PLATFORM, key, "nothing after END", number, line)
        if line in ("OpenVPN CLIENT LIST", "ROUTING TABLE", "GLOBAL STATS"):
            section, header = line, None
            continue
        if line == "END":
            ended = True
            continue
        fields = line.split(",")
        if section == "OpenVPN CLIENT LIST" and fields[0] == "Updated" and header is None:
            tunnel["openvpn"]["updated_at"] = _date_to_iso(key, ",".join(fields[1:]), number, line)
        elif section in ("OpenVPN CLIENT LIST", "ROUTING TABLE") and header is None:
            header = _header(key, section, fields, number, line)
        elif section == "OpenVPN CLIENT LIST":
            if line not in seen:  # the same row printed twice is one connection
                seen.add(line)
                row = _row(key, header, fields, number, line)
                client = _client(key, row, number, line)
                clients.append((client, (row["Common Name"], row["Real Address"])))
        elif section == "ROUTING TABLE":
            row = _row(key, header, fields, number, line)
            _learn_route(routes, row)
        elif section == "GLOBAL STATS" and len(fields) == 2:
            pass  # "Max bcast/mcast queue length": not part of the model
        else:
            fail(PLATFORM, key, "a status version 1 line", number, line)
    if not ended:
        fail(PLATFORM, key, "the END line (the status output looks truncated)")
    for client, route_key in clients:
        found = routes.get(route_key, {})
        client["virtual_address"] = found.get("ipv4") or found.get("mac")
        client["virtual_ipv6_address"] = found.get("ipv6")
        tunnel["openvpn"]["clients"].append(client)
    return server_done(tunnel)


_IPV4 = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
_MAC = re.compile(r"^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}$")


def _learn_route(routes, row):
    address = row["Virtual Address"]
    if address.endswith("C") or "/" in address:
        return
    if _IPV4.match(address):
        kind = "ipv4"
    elif _MAC.match(address):
        kind = "mac"
    elif ":" in address:
        kind = "ipv6"
    else:
        return
    routes.setdefault((row["Common Name"], row["Real Address"]), {}).setdefault(kind, address)


# --- status versions 2 and 3 (comma / tab separated, typed rows with HEADER rows) ---------

def _parse_v2(key, lines, separator):
    tunnel = server_tunnel()
    headers = {}
    seen = set()
    ended = False
    for number, line in lines:
        if ended:
            fail(PLATFORM, key, "nothing after END", number, line)
        fields = line.split(separator)
        kind = fields[0]
        if kind == "TITLE":
            tunnel["openvpn"]["version"] = _version(separator.join(fields[1:]))
        elif kind == "TIME" and len(fields) >= 2:
            epoch = fields[2] if len(fields) > 2 else ""
            tunnel["openvpn"]["updated_at"] = (
                _epoch_to_iso(key, epoch, number, line) if epoch
                else _date_to_iso(key, fields[1], number, line)
            )
        elif kind == "HEADER" and len(fields) > 2:
            headers[fields[1]] = _header(key, fields[1], fields[2:], number, line)
        elif kind == "CLIENT_LIST":
            if "CLIENT_LIST" not in headers:
                fail(PLATFORM, key, "a HEADER row for CLIENT_LIST before its rows", number, line)
            if line not in seen:  # the same row printed twice is one connection
                seen.add(line)
                row = _row(key, headers["CLIENT_LIST"], fields[1:], number, line)
                tunnel["openvpn"]["clients"].append(_client(key, row, number, line))
        elif kind in ("ROUTING_TABLE", "GLOBAL_STATS"):
            pass  # the client list already carries virtual addresses
        elif kind == "END":
            ended = True
        else:
            fail(PLATFORM, key, "a status version 2/3 row (TITLE, TIME, HEADER, CLIENT_LIST, "
                 "ROUTING_TABLE, GLOBAL_STATS or END)", number, line)
    if not ended:
        fail(PLATFORM, key, "the END line (the status output looks truncated)")
    return server_done(tunnel)


# --- client statistics file ("OpenVPN STATISTICS") -----------------------------------------

def _parse_client_statistics(key, lines):
    """A client's --status file only proves the process writes statistics, not that its
    tunnel is connected, so the tunnel state stays UNDEFINED."""
    tunnel = model.new_tunnel("client", "openvpn")
    tunnel["configured"] = True
    tunnel["status_message"] = (
        "client statistics file: it shows counters, not whether the tunnel is connected"
    )
    tunnel["openvpn"] = model.new_openvpn("client")
    ended = False
    for number, line in lines[1:]:
        fields = line.split(",")
        if ended:
            fail(PLATFORM, key, "nothing after END", number, line)
        elif line == "END":
            ended = True
        elif fields[0] == "Updated":
            tunnel["openvpn"]["updated_at"] = _date_to_iso(key, ",".join(fields[1:]), number, line)
        elif len(fields) == 2:
            _count(key, fields[1], number, line)  # counters are not in the model; check them
        else:
            fail(PLATFORM, key, "'name,number' statistics lines", number, line)
    if not ended:
        fail(PLATFORM, key, "the END line (the statistics output looks truncated)")
    return tunnel


# --- management `state` ---------------------------------------------------------------------

def _parse_state(key, text):
    """unix_time,STATE,detail,local_ip,remote_ip[,remote_port,local_addr,local_port,local_ipv6]

    `state all` prints the history, oldest first: the last line is the current state.
    """
    current = None
    for number, line in _without_chatter(key, list(nonempty_lines(text))):
        if line == "END":
            continue
        fields = line.split(",")
        if len(fields) < 2 or not re.match(r"^[0-9]+$", fields[0]) \
                or not re.match(r"^[A-Z_]+$", fields[1]):
            fail(PLATFORM, key, "'unix_time,STATE,...' state lines", number, line)
        current = (number, line, fields + [""] * (9 - len(fields)))
    if current is None:
        fail(PLATFORM, key, "a 'unix_time,STATE,...' state line")
    number, line, fields = current
    native = fields[1]
    tunnel = model.new_tunnel(
        "client", "openvpn", state="UP" if native == "CONNECTED" else "DOWN", native_state=native
    )
    tunnel["configured"] = True
    tunnel["enabled"] = True  # the process answered on its management interface
    tunnel["openvpn"] = model.new_openvpn("client")
    client_state = model.new_openvpn_client_state(native, normalize(STATE_TABLE, native))
    client_state["since"] = _epoch_to_iso(key, fields[0], number, line)
    client_state["detail"] = fields[2] or None
    client_state["local_address"] = fields[3] or None
    client_state["remote_address"] = fields[4] or None
    client_state["remote_port"] = _count(key, fields[5], number, line)
    tunnel["openvpn"]["client_state"] = client_state
    tunnel["status_message"] = "%s%s since %s" % (
        native, " (%s)" % fields[2] if fields[2] else "", client_state["since"]
    )
    return tunnel


# --- shared pieces ----------------------------------------------------------------------------

def _without_chatter(key, lines):
    """Drop what the management socket says besides the answer: '>' notifications (the
    >INFO banner, >CLIENT:, >STATE: ...) and 'SUCCESS:' acknowledgements. 'ERROR:' is an
    answer (e.g. unknown command) and fails loudly."""
    kept = []
    for number, line in lines:
        if line.startswith("ERROR:"):
            fail(PLATFORM, key, "an answer, the management interface said", number, line)
        if not line.startswith((">", "SUCCESS:")):
            kept.append((number, line))
    return kept


_REQUIRED_COLUMNS = {
    "OpenVPN CLIENT LIST": ("Common Name", "Real Address", "Bytes Received", "Bytes Sent"),
    "CLIENT_LIST": ("Common Name", "Real Address", "Bytes Received", "Bytes Sent"),
    "ROUTING TABLE": ("Virtual Address", "Common Name", "Real Address"),
}


def _header(key, table, names, number, line):
    missing = [name for name in _REQUIRED_COLUMNS.get(table, ()) if name not in names]
    if missing:
        fail(PLATFORM, key, "a %s header with columns %s" % (table, ", ".join(missing)),
             number, line)
    return names


def _row(key, names, values, number, line):
    if len(values) != len(names):
        fail(PLATFORM, key, "%d fields as named in the header" % len(names), number, line)
    return dict(zip(names, values))


def _client(key, row, number, line):
    """One CLIENT_LIST row (columns by header name) as a model client."""
    client = model.new_openvpn_client(row["Common Name"])
    try:
        client["real_address"], client["real_port"] = split_address_port(row["Real Address"])
    except (AttributeError, ValueError):  # no regex match / bad port
        fail(PLATFORM, key, "an address[:port] in Real Address", number, line)
    client["virtual_address"] = row.get("Virtual Address") or None
    client["virtual_ipv6_address"] = row.get("Virtual IPv6 Address") or None
    for field, column in (("bytes_in", "Bytes Received"), ("bytes_out", "Bytes Sent")):
        client[field] = _count(key, row[column], number, line, required=True)
    if row.get("Connected Since (time_t)"):
        client["connected_since"] = _epoch_to_iso(key, row["Connected Since (time_t)"],
                                                  number, line)
    elif row.get("Connected Since"):
        client["connected_since"] = _date_to_iso(key, row["Connected Since"], number, line)
    username = row.get("Username")
    client["username"] = None if username in (None, "", "UNDEF") else username
    client["client_id"] = row.get("Client ID") or None
    client["peer_id"] = row.get("Peer ID") or None
    client["cipher"] = row.get("Data Channel Cipher") or None
    return client


def server_tunnel(name="server"):
    """A running OpenVPN server (UP: it answered), before its clients are added. VyOS, whose
    `show openvpn server` prints OpenVPN's status, names each server by its interface."""
    tunnel = model.new_tunnel(name, "openvpn", state="UP")
    tunnel["configured"] = True
    tunnel["enabled"] = True
    tunnel["openvpn"] = model.new_openvpn("server")
    return tunnel


def server_done(tunnel):
    """The server's status message, once its clients are in."""
    count = len(tunnel["openvpn"]["clients"])
    tunnel["status_message"] = "%d client%s connected" % (count, "" if count == 1 else "s")
    return tunnel


def _is_server(tunnel):
    return (tunnel.get("openvpn") or {}).get("role") == "server"


def _version(title):
    """'OpenVPN 2.4.4 x86_64-pc-linux-gnu [SSL ...] built on ...' -> '2.4.4'."""
    match = re.match(r"^OpenVPN (\S+)", title.strip())
    return match.group(1) if match else (title.strip() or None)


def _count(key, text, number, line, required=False):
    """A non-negative integer, None when empty (unless required)."""
    try:
        value = to_int(text)
    except ValueError:
        value = -1
    if (value is None and required) or (value is not None and value < 0):
        fail(PLATFORM, key, "a non-negative number, got %r" % (text,), number, line)
    return value


def _epoch_to_iso(key, text, number, line):
    try:
        if not re.match(r"^[0-9]+$", text):
            raise ValueError(text)
        return model.epoch_to_iso(int(text))
    except (ValueError, OverflowError, OSError):
        fail(PLATFORM, key, "a Unix time, got %r" % (text,), number, line)


_MONTHS = {name: index for index, name in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}
_CTIME = re.compile(r"^[A-Z][a-z]{2} ([A-Z][a-z]{2}) (\d{1,2}) (\d\d):(\d\d):(\d\d) (\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)$")


def _date_to_iso(key, text, number, line):
    """A status date as UTC ISO 8601.

    OpenVPN prints these in the server's local time without a zone ('Thu Jun 18 08:12:15
    2015'; 2.5+ prints '2021-12-16 16:13:52'), so they are taken as UTC: exact on servers
    running in UTC, off by the server's offset elsewhere. Versions 2 and 3 also print
    time_t, which is used instead when present. Month names are matched here, not with
    strptime, so the controller's locale does not matter.
    """
    text = " ".join(text.split())
    try:
        match = _CTIME.match(text)
        if match and match.group(1) in _MONTHS:
            month, day, hour, minute, second, year = match.groups()
            parts = (year, _MONTHS[month], day, hour, minute, second)
        else:
            parts = _ISO_DATE.match(text).groups()
        stamp = datetime.datetime(*map(int, parts), tzinfo=datetime.timezone.utc)
    except (AttributeError, ValueError):
        fail(PLATFORM, key, "a date like 'Thu Jun 18 08:12:15 2015', got %r" % (text,),
             number, line)
    return stamp.isoformat().replace("+00:00", "Z")


def unit_reset_commands(unit, options=None):
    """The reset of an OpenVPN *client* tunnel (the client's own side): `signal SIGUSR1` on
    its management interface, OpenVPN's soft restart, which reconnects to the server. None
    for anything else (a server's clients are reset by reset_commands' `kill CN`)."""
    if unit.get("type") != "openvpn" or (unit.get("openvpn") or {}).get("role") != "client":
        return None
    return [_management_command("signal SIGUSR1", options or {})]


def _management_command(request, options):
    """One request to the management interface (openvpn_management), sent as gather_commands
    sends its own. request is ours or validated: printf gets no % and no quotes from it."""
    management = options.get("openvpn_management")
    if not management:
        raise VpnConfigError("this needs openvpn_management (HOST:PORT of the management interface)")
    host, _sep, port = management.rpartition(":")
    if not host or not port.isdigit() or not re.match(r"[A-Za-z0-9_.:\[\]-]+\Z", host):
        raise VpnConfigError("openvpn_management must be HOST:PORT, got %r" % management)
    return "bash -c %s" % shlex.quote(_MANAGEMENT_SCRIPT % {
        "host": host, "port": port, "request": request,
        "timeout": int(options.get("timeout") or 30)})


def reset_commands(target, options=None):
    """The management interface's `kill CN` for a validated reset target (reset.py): the
    client is disconnected and reconnects. Sent as gather_commands sends its requests (bash
    /dev/tcp), so it needs openvpn_management. A client is named by its common name."""
    from ansible_collections.vpnops.tunnels.plugins.module_utils.reset import unsupported

    if not target["name"]:
        raise unsupported(PLATFORM, target, "the management kill command takes a common name")
    return [_management_command("kill %s" % target["name"], options or {})]

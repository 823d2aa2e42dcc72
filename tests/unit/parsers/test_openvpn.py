# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The OpenVPN parser against the real-output corpus and hand-written samples."""

from __future__ import annotations

import datetime

import pytest

from corpus import corpus_cases, corpus_text, read_expected, require_corpus
from parser_checks import (
    assert_names_platform_and_command, assert_refused_command, check_corpus_file, parse_error,
    parsed, valid
)
from ansible_collections.vpnops.tunnels.plugins.module_utils import model
from ansible_collections.vpnops.tunnels.plugins.module_utils.errors import (
    VpnConfigError,
    VpnParseError,
)
from ansible_collections.vpnops.tunnels.plugins.module_utils.parsers import openvpn, parse_outputs

PLATFORM = "openvpn"

# The commands vpn_facts sends, so the tests exercise command_key on them too.
STATUS_FILE = "cat /run/openvpn-server/status-server.log"
MGMT_STATUS, MGMT_STATE = openvpn.gather_commands({"openvpn_management": "127.0.0.1:7505"})

# The command that produced each corpus folder, as the collection would type it.
COMMAND_FOR_SLUG = {
    "status_v1": STATUS_FILE,
    "status_v2": STATUS_FILE,
    "status_v3": STATUS_FILE,
    "status_client_statistics": "cat /run/openvpn-client/status-client.log",
    "mgmt_status_3": MGMT_STATUS,
    "mgmt_state": MGMT_STATE,
    "mgmt_version": "version",
}
REFUSED_SLUGS = {"mgmt_version": "one of the supported commands"}  # not a tunnel state command


def _sample(relative):
    return corpus_text(PLATFORM, relative)


def _device(command, text):
    return parsed(PLATFORM, command, text)


def _only(command, text):
    tunnels = _device(command, text)["tunnels"]
    assert len(tunnels) == 1
    return tunnels[0]


def _clients(relative, command=STATUS_FILE):
    return _only(command, _sample(relative))["openvpn"]["clients"]


def _epoch(iso):
    return int(datetime.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp())


# --- every corpus file parses and validates, or is refused by design ------------------------

@pytest.mark.parametrize("path", corpus_cases(PLATFORM))
def test_corpus_file_parses_or_is_refused(path):
    check_corpus_file(PLATFORM, path, COMMAND_FOR_SLUG, refused=REFUSED_SLUGS)


@pytest.mark.parametrize("path", corpus_cases(PLATFORM, files="*.expected.json"))
def test_values_agree_with_jc_parse(path):
    """jc's parse beside the raw file: same names, addresses, ports, byte counts, times.

    jc keeps duplicate rows, we keep one of each, so rows are compared as sets. jc turned
    the zone-less v1 dates into epochs in its test machine's local time, we read them as
    UTC: the epochs must differ by one constant whole-quarter-hour offset for every row
    (it is 7 hours in this sample, US Pacific summer time).
    """
    require_corpus(path)
    expected = read_expected(path)
    raw = path.with_name(path.name.replace(".expected.json", ".txt"))
    tunnel = _only(COMMAND_FOR_SLUG[path.parent.name], raw.read_text(encoding="utf-8"))
    ours = {
        (c["common_name"], c["real_address"], c["real_port"], c["bytes_in"], c["bytes_out"])
        for c in tunnel["openvpn"]["clients"]
    }
    theirs = {
        (c["common_name"], c["real_address"], c["real_address_port"], c["bytes_received"],
         c["bytes_sent"])
        for c in expected["clients"]
    }
    assert ours == theirs
    offsets = {
        jc["connected_since_epoch"] - _epoch(c["connected_since"])
        for jc in expected["clients"]
        for c in tunnel["openvpn"]["clients"]
        if (c["common_name"], c["real_address"], c["real_port"])
        == (jc["common_name"], jc["real_address"], jc["real_address_port"])
    }
    offsets |= {
        jc["updated_epoch"] - _epoch(tunnel["openvpn"]["updated_at"]) for jc in expected["clients"]
    }
    assert len(offsets) == 1
    offset = offsets.pop()
    assert offset % 900 == 0 and abs(offset) <= 14 * 3600


# --- each real sample, by hand -------------------------------------------------------------

def test_status_v1_jc_sample():
    tunnel = _only(STATUS_FILE, _sample("status_v1/1.txt"))
    assert (tunnel["name"], tunnel["type"], tunnel["state"]) == ("server", "openvpn", "UP")
    assert tunnel["configured"] is True and tunnel["enabled"] is True
    assert tunnel["native_state"] is None
    assert tunnel["status_message"] == "6 clients connected"
    ovpn = tunnel["openvpn"]
    assert ovpn["role"] == "server" and ovpn["version"] is None
    assert ovpn["updated_at"] == "2015-06-18T08:12:15Z"  # zone-less v1 date read as UTC
    clients = ovpn["clients"]
    assert len(clients) == 6  # two foo and two baz connections are distinct, none dropped
    baz_rows = [c for c in clients if c["common_name"] == "baz@example.com"]
    # first plain IPv4 route of that CN + real address; the /16 and IPv6 /124 are iroutes
    assert [(c["real_port"], c["virtual_address"]) for c in baz_rows] == [
        (63414, "192.168.255.118"), (None, "192.168.255.1")]
    bar_client = next(c for c in clients if c["common_name"] == "bar@example.com")
    assert bar_client["virtual_address"] == "192.168.255.126"  # the 'C' cached routes are ignored
    tap = next(c for c in clients if c["common_name"] == "tap@example.com")
    assert tap["virtual_address"] == "22:1d:63:bf:62:38"  # TAP: only a MAC route exists
    assert tap["connected_since"] == "2017-10-19T20:14:19Z"
    assert bar_client["bytes_out"] == 28981224
    assert all(c["username"] is None and c["state"] == "CONNECTED" for c in clients)


def test_status_v1_duplicate_row_and_mapped_ipv6_without_port():
    clients = _clients("status_v1/2.txt")
    assert len(clients) == 4  # 5 rows, bar_bar printed twice
    assert [c["common_name"] for c in clients] == ["foo_foo", "bar_bar", "UNDEF", "UNDEF"]
    foo_client = clients[0]
    assert (foo_client["real_address"], foo_client["real_port"]) == ("::ffff:1.1.1.1", None)
    assert foo_client["virtual_address"] is None  # no ROUTING TABLE section in this sample
    assert foo_client["connected_since"] == "2020-06-04T08:50:24Z"  # 'Thu Jun  4' (two spaces)
    assert clients[3]["bytes_out"] == 8830


def test_status_v1_without_routing_table():
    tunnel = _only(STATUS_FILE, _sample("status_v1/3.txt"))
    assert len(tunnel["openvpn"]["clients"]) == 4
    assert tunnel["openvpn"]["updated_at"] == "2020-06-05T09:03:05Z"


def test_status_v1_routing_table_is_matched_on_name_and_real_address():
    clients = {c["common_name"]: c for c in _clients("status_v1/4.txt")}
    assert len(clients) == 4
    assert clients["user4"]["virtual_address"] == "10.240.1.222"
    assert clients["user3@test.de"]["virtual_address"] == "10.240.37.214"
    assert clients["user3@test.de"]["bytes_in"] == 19602844
    # This sample's routing table swaps user1's and user2's ports: no row matches them, and
    # guessing from the common name alone could give a wrong address.
    assert clients["user1"]["virtual_address"] is None
    assert clients["user2"]["virtual_address"] is None


def test_status_v1_no_clients_is_up():
    tunnel = _only(STATUS_FILE, _sample("status_v1/5.txt"))
    assert tunnel["state"] == "UP"
    assert tunnel["openvpn"]["clients"] == []
    assert tunnel["status_message"] == "0 clients connected"


def test_status_v2_duplicate_row_big_counters_and_time():
    tunnel = _only(STATUS_FILE, _sample("status_v2/1.txt"))
    ovpn = tunnel["openvpn"]
    assert ovpn["version"] == "2.3.2"
    assert ovpn["updated_at"] == "2017-03-21T09:39:14Z"  # from TIME's epoch 1490089154
    clients = ovpn["clients"]
    assert len(clients) == 5  # 6 rows, redacted1 printed twice
    big = next(c for c in clients if c["common_name"] == "redacted4")
    assert (big["bytes_in"], big["bytes_out"]) == (24289622392, 70914674697)
    first = clients[0]
    assert (first["real_address"], first["real_port"]) == ("0.0.0.0", 19021)
    assert first["connected_since"] == model.epoch_to_iso(1489680543)
    assert first["username"] is None  # UNDEF


def test_status_v2_virtual_ipv6_client_and_peer_id_columns():
    tunnel = _only(STATUS_FILE, _sample("status_v2/2.txt"))
    assert tunnel["openvpn"]["version"] == "2.4.4"
    assert tunnel["openvpn"]["updated_at"] == "2020-04-30T13:55:44Z"
    first, second = tunnel["openvpn"]["clients"]
    # the empty Virtual IPv6 Address column keeps the later columns in place
    assert first["virtual_ipv6_address"] is None
    assert first["virtual_address"] == "10.80.0.65"
    assert (first["bytes_in"], first["bytes_out"]) == (3860, 3688)
    assert first["username"] == "test@localhost"
    assert (second["client_id"], second["peer_id"]) == ("1", "1")
    assert first["cipher"] is None  # no Data Channel Cipher column before 2.5


def test_status_v3_matches_its_v2_twin():
    v3 = _only(STATUS_FILE, _sample("status_v3/1.txt"))
    v2 = _only(STATUS_FILE, _sample("status_v2/1.txt"))
    assert v3 == v2  # same server, same moment, tab instead of comma


def test_status_v3_no_clients():
    tunnel = _only(STATUS_FILE, _sample("status_v3/3.txt"))
    assert tunnel["openvpn"]["clients"] == [] and tunnel["state"] == "UP"
    assert tunnel["openvpn"]["version"] == "2.4.4"


def test_mgmt_status_3_crlf_and_ipv6_real_addresses():
    tunnel = _only(MGMT_STATUS, _sample("mgmt_status_3/1.txt"))
    ovpn = tunnel["openvpn"]
    assert ovpn["version"] == "2.3.10"
    assert ovpn["updated_at"] == "2016-03-23T10:42:22Z"
    clients = ovpn["clients"]
    assert [c["common_name"] for c in clients] == ["furlongm"] * 3
    assert [(c["real_address"], c["real_port"]) for c in clients] == [
        ("::ffff:59.167.120.210", None),
        ("59.167.120.211", 12345),
        ("2001:4860:4801:3::20", None),
    ]
    assert [c["virtual_address"] for c in clients] == ["10.10.10.6", "10.10.10.7", "10.10.10.8"]
    assert clients[0]["bytes_out"] == 1216150
    assert clients[0]["username"] == "furlongm"


def test_mgmt_state_connected_is_up():
    tunnel = _only(MGMT_STATE, _sample("mgmt_state/1.txt"))
    assert (tunnel["name"], tunnel["state"], tunnel["native_state"]) == (
        "client", "UP", "CONNECTED")
    state = tunnel["openvpn"]["client_state"]
    assert tunnel["openvpn"]["role"] == "client"
    assert state["state"] == "CONNECTED" and state["detail"] == "SUCCESS"
    assert state["since"] == model.epoch_to_iso(1457583275)
    assert state["local_address"] == "10.10.10.1"
    assert state["remote_address"] is None and state["remote_port"] is None


def test_client_statistics_file_is_undefined():
    tunnel = _only("cat /run/openvpn-client/status.log", _sample("status_client_statistics/1.txt"))
    assert (tunnel["name"], tunnel["state"], tunnel["native_state"]) == (
        "client", "UNDEFINED", None)
    assert "not whether the tunnel is connected" in tunnel["status_message"]
    assert tunnel["openvpn"]["updated_at"] == "2017-03-21T10:39:09Z"
    assert tunnel["openvpn"]["client_state"] is None


def test_mgmt_version_is_refused():
    assert_refused_command(PLATFORM, "version", _sample("mgmt_version/1.txt"))


# --- hand-written samples --------------------------------------------------------------------

STATUS_26 = "\n".join([
    "TITLE,OpenVPN 2.6.9 x86_64-pc-linux-gnu [SSL (OpenSSL)] [LZO] [LZ4] [EPOLL] [MH/PKTINFO]"
    " [AEAD] [DCO]",
    "TIME,2024-05-02 10:00:00,1714644000",
    "HEADER,CLIENT_LIST,Common Name,Real Address,Virtual Address,Virtual IPv6 Address,"
    "Bytes Received,Bytes Sent,Connected Since,Connected Since (time_t),Username,Client ID,"
    "Peer ID,Data Channel Cipher",
    "CLIENT_LIST,alice,203.0.113.7:41822,10.8.0.2,fd00:8::1000,5120,9216,2024-05-02 09:58:20,"
    "1714643900,alice,4,4,AES-256-GCM",
    "CLIENT_LIST,bob,2001:db8::77,10.8.0.3,,100,200,2024-05-02 09:59:00,1714643940,UNDEF,5,5,"
    "CHACHA20-POLY1305",
    "HEADER,ROUTING_TABLE,Virtual Address,Common Name,Real Address,Last Ref,Last Ref (time_t)",
    "ROUTING_TABLE,10.8.0.2,alice,203.0.113.7:41822,2024-05-02 09:59:59,1714643999",
    "GLOBAL_STATS,Max bcast/mcast queue length,0",
    "GLOBAL_STATS,dco_enabled,1",
    "END",
    "",
])


def test_status_26_data_channel_cipher():
    tunnel = _only(STATUS_FILE, STATUS_26)
    ovpn = tunnel["openvpn"]
    assert ovpn["version"] == "2.6.9"
    assert ovpn["updated_at"] == "2024-05-02T10:00:00Z"
    alice, bob = ovpn["clients"]
    assert alice["cipher"] == "AES-256-GCM" and bob["cipher"] == "CHACHA20-POLY1305"
    assert alice["virtual_ipv6_address"] == "fd00:8::1000"
    assert (alice["client_id"], alice["peer_id"]) == ("4", "4")
    assert alice["connected_since"] == "2024-05-02T09:58:20Z"
    assert (bob["real_address"], bob["real_port"], bob["username"]) == (
        "2001:db8::77", None, None)
    assert tunnel["status_message"] == "2 clients connected"


def test_status_26_as_v3_over_management_with_chatter():
    text = "\r\n".join(
        [">INFO:OpenVPN Management Interface Version 5 -- type 'help' for more info"]
        + [line.replace(",", "\t") for line in STATUS_26.splitlines()[:4]]
        + [">CLIENT:ESTABLISHED,7", ">CLIENT:ENV,common_name=carol", ">CLIENT:ENV,END"]
        + [line.replace(",", "\t") for line in STATUS_26.splitlines()[4:]]
    )
    tunnel = _only(MGMT_STATUS, text)
    assert [c["common_name"] for c in tunnel["openvpn"]["clients"]] == ["alice", "bob"]
    assert tunnel["openvpn"]["clients"][0]["cipher"] == "AES-256-GCM"


def test_v1_dates_of_openvpn_25_and_ipv6_host_route():
    text = "\n".join([
        "OpenVPN CLIENT LIST",
        "Updated,2024-05-02 10:00:00",
        "Common Name,Real Address,Bytes Received,Bytes Sent,Connected Since",
        "carol,198.51.100.9:1194,10,20,2024-05-02 09:00:00",
        "ROUTING TABLE",
        "Virtual Address,Common Name,Real Address,Last Ref",
        "fd00:8::2,carol,198.51.100.9:1194,2024-05-02 09:59:00",
        "10.8.0.9,carol,198.51.100.9:1194,2024-05-02 09:59:00",
        "GLOBAL STATS",
        "Max bcast/mcast queue length,0",
        "END",
    ])
    (carol,) = _only(STATUS_FILE, text)["openvpn"]["clients"]
    assert carol["connected_since"] == "2024-05-02T09:00:00Z"
    assert (carol["virtual_address"], carol["virtual_ipv6_address"]) == ("10.8.0.9", "fd00:8::2")


def test_state_reconnecting_is_down():
    text = "1714644000,RECONNECTING,ping-restart,,,,,,\r\nEND\r\n"
    tunnel = _only(MGMT_STATE, text)
    assert (tunnel["state"], tunnel["native_state"]) == ("DOWN", "RECONNECTING")
    state = tunnel["openvpn"]["client_state"]
    assert (state["state"], state["detail"]) == ("RECONNECTING", "ping-restart")
    assert state["since"] == "2024-05-02T10:00:00Z"


def test_state_with_banner_full_fields_and_history():
    text = "\r\n".join([
        ">INFO:OpenVPN Management Interface Version 5 -- type 'help' for more info",
        "1714643990,RESOLVE,,,,,,,",
        "1714644000,CONNECTED,SUCCESS,10.8.0.6,203.0.113.1,1194,192.0.2.10,51000,fd00:8::6",
        "END",
        "",
    ])
    tunnel = _only(MGMT_STATE, text)
    assert tunnel["state"] == "UP"
    state = tunnel["openvpn"]["client_state"]
    assert (state["remote_address"], state["remote_port"]) == ("203.0.113.1", 1194)
    assert state["local_address"] == "10.8.0.6"


def test_state_unknown_name_is_undefined_and_down():
    tunnel = _only(MGMT_STATE, "1714644000,SOMETHING_NEW,,,\nEND\n")
    assert tunnel["state"] == "DOWN"
    assert tunnel["openvpn"]["client_state"]["state"] == "UNDEFINED"


def test_state_table_targets_are_model_states():
    assert set(openvpn.STATE_TABLE.values()) <= set(model.OPENVPN_CLIENT_STATES)


@pytest.mark.parametrize("command, key", [
    (STATUS_FILE, "status"),
    ("sudo cat /etc/openvpn/openvpn-status.log", "status"),
    (MGMT_STATUS, "mgmt status"),
    ("echo 'status 2' | socat - UNIX-CONNECT:/run/openvpn/server.sock", "mgmt status"),
    ("status 3", "mgmt status"),
    ("status", "mgmt status"),
    ("mgmt status", "mgmt status"),
    (MGMT_STATE, "mgmt state"),
    ("state", "mgmt state"),
    ("mgmt state", "mgmt state"),
    ("version", None),
    ("printf 'version\\n' | nc -q 1 127.0.0.1 7505", None),
    ("printf 'state\\nstatus 3\\n' | nc 127.0.0.1 7505", None),  # ambiguous
    ("printf 'quit\\nstatus 3\\n' | nc 127.0.0.1 7505", "mgmt status"),  # escapes split words
    ("echo -e 'log off\\nstate\\n' | nc 127.0.0.1 7505", "mgmt state"),
    ("cat /run/openvpn/status.log | grep CLIENT_LIST", None),   # filtered: not the file
    ("show openvpn server", None),
    ("", None),
])
def test_command_key(command, key):
    assert openvpn.command_key(command) == key


def test_command_keys_are_listed():
    assert set(openvpn.COMMANDS) == {"status", "mgmt status", "mgmt state"}
    assert openvpn.PLATFORM == "openvpn"


def test_merge_prefers_management_server_and_drops_its_own_state():
    file_text = STATUS_26
    mgmt_text = STATUS_26.replace(",", "\t").replace("AES-256-GCM", "AES-128-GCM")
    device = parse_outputs(PLATFORM, [
        (STATUS_FILE, file_text),
        (MGMT_STATUS, mgmt_text),
        (MGMT_STATE, "1714644000,CONNECTED,SUCCESS,10.9.0.2,203.0.113.1\nEND\n"),
    ])
    valid(device)
    # status 3 and state came from one management socket: a server's `state` is no client
    assert [t["name"] for t in device["tunnels"]] == ["server"]
    assert device["tunnels"][0]["openvpn"]["clients"][0]["cipher"] == "AES-128-GCM"


def test_merge_client_daemon_state_replaces_its_statistics():
    statistics = "OpenVPN STATISTICS\nUpdated,Tue Mar 21 10:39:09 2017\nTUN/TAP read bytes,1\nEND\n"
    device = parse_outputs(PLATFORM, [
        (MGMT_STATUS, statistics),
        (MGMT_STATE, "1714644000,RECONNECTING,ping-restart,,\nEND\n"),
    ])
    valid(device)
    assert [(t["name"], t["state"]) for t in device["tunnels"]] == [("client", "DOWN")]
    assert device["tunnels"][0]["openvpn"]["client_state"]["native_state"] == "RECONNECTING"


def test_gather_commands_use_management_else_status_file():
    commands = openvpn.gather_commands({"openvpn_management": "127.0.0.1:7505"})
    assert [openvpn.command_key(c) for c in commands] == ["mgmt status", "mgmt state"]
    assert "/dev/tcp/127.0.0.1/7505" in commands[0]
    assert openvpn.gather_commands({}) == ["cat /run/openvpn-server/status-server.log"]
    with_file = openvpn.gather_commands({"openvpn_management": "127.0.0.1:7505",
                                         "openvpn_status_file": "/run/a b.log"})
    assert with_file[-1] == "cat '/run/a b.log'"
    with pytest.raises(VpnConfigError):
        openvpn.gather_commands({"openvpn_management": "7505"})


def test_merge_without_management_keeps_everything():
    parts = [("status", [{"name": "server", "openvpn": {"role": "server"}}]),
             ("mgmt state", [{"name": "client", "openvpn": {"role": "client"}}])]
    assert [t["name"] for t in openvpn.merge(parts)] == ["server", "client"]


# --- errors: always VpnParseError naming the platform and the command ------------------------

V2_HEAD = "TITLE,OpenVPN 2.4.4\nTIME,Thu Apr 30 13:55:44 2020,1588254944\n"
V2_HEADER = ("HEADER,CLIENT_LIST,Common Name,Real Address,Virtual Address,Bytes Received,"
             "Bytes Sent,Connected Since,Connected Since (time_t),Username\n")
V2_ROW = "CLIENT_LIST,a,1.2.3.4:5,10.8.0.2,1,2,Thu Apr 30 13:55:38 2020,1588254938,UNDEF\n"


@pytest.mark.parametrize("key, text, expected", [
    ("status", "", "non-empty status output"),
    ("status", "  \n\r\n", "non-empty status output"),
    ("status", "ls: cannot access '/run/openvpn': No such file", "status (version 1, 2 or 3)"),
    ("status", "<!DOCTYPE html>\n<html><body>502 Bad Gateway</body></html>\n", "status"),
    ("status", V2_HEAD + V2_ROW + "END\n", "HEADER row for CLIENT_LIST"),
    ("status", V2_HEAD + V2_HEADER + V2_ROW, "END line"),
    ("status", V2_HEAD + V2_HEADER + V2_ROW.replace(",1,2,", ",1,2x,") + "END\n",
     "non-negative number"),
    ("status", V2_HEAD + V2_HEADER + V2_ROW.replace(",1,2,", ",-1,2,") + "END\n",
     "non-negative number"),
    ("status", V2_HEAD + V2_HEADER + V2_ROW.replace(",1588254938,", ",soon,") + "END\n",
     "Unix time"),
    ("status", V2_HEAD + V2_HEADER + V2_ROW.replace(",UNDEF", "") + "END\n", "8 fields"),
    ("status", V2_HEAD + V2_HEADER + "FOO,bar\nEND\n", "status version 2/3 row"),
    ("status", V2_HEAD + V2_HEADER + "END\nCLIENT_LIST,late\n", "nothing after END"),
    ("status", V2_HEAD + "HEADER,CLIENT_LIST,Name,Address\nEND\n", "columns Common Name"),
    ("status", "OpenVPN CLIENT LIST\nUpdated,yesterday\n", "date like"),
    ("status", "OpenVPN CLIENT LIST\nUpdated,Thu Jun 18 08:12:15 2015\n"
     "Common Name,Real Address,Bytes Received,Bytes Sent,Connected Since\n"
     "a,1.2.3.4:5,1,lots,Thu Jun 18 04:23:03 2015\nEND\n", "non-negative number"),
    ("status", "OpenVPN CLIENT LIST\nUpdated,Thu Jun 18 08:12:15 2015\n"
     "Common Name,Real Address,Bytes Received,Bytes Sent,Connected Since\n"
     "a,1.2.3.4:5,1,2,Thu Jun 18 04:23:03 2015\n", "END line"),
    ("status", "OpenVPN STATISTICS\nUpdated,Tue Mar 21 10:39:09 2017\nTUN/TAP read bytes,x\n"
     "END\n", "non-negative number"),
    ("status", ">INFO:OpenVPN Management Interface Version 5\n" + V2_HEAD + V2_HEADER
     + "END\n", "status (version 1, 2 or 3)"),  # chatter is not expected in a file
    ("mgmt status", ">INFO:OpenVPN Management Interface Version 5\r\n", "non-empty status"),
    ("mgmt status", "ERROR: unknown command [statu], enter 'help' for more options\r\n",
     "management interface said"),
    ("mgmt state", "", "state line"),
    ("mgmt state", "END\r\n", "state line"),
    ("mgmt state", "<html>oops</html>", "state lines"),
    ("mgmt state", "yesterday,CONNECTED,SUCCESS,,\nEND\n", "state lines"),
    ("mgmt state", "1714644000,CONNECTED,SUCCESS,10.8.0.6,203.0.113.1,port\nEND\n",
     "non-negative number"),
    ("mgmt state", "99999999999999999999,CONNECTED,,,\nEND\n", "Unix time"),
])
def test_parse_errors(key, text, expected):
    with pytest.raises(VpnParseError) as caught:
        openvpn.parse(key, text)
    assert_names_platform_and_command(caught.value, PLATFORM, key, expected)


def test_errors_through_the_entry_point_name_the_command():
    for command, text in (("version", "OpenVPN Version: OpenVPN 2.6.9\r\nEND\r\n"),
                          (STATUS_FILE, "garbage\n"),
                          (MGMT_STATE, "")):
        error = parse_error(PLATFORM, command, text)
        assert "openvpn" in str(error)
        assert error.command in (command, openvpn.command_key(command))

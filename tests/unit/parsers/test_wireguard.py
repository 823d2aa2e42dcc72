"""WireGuard parser: real `wg show` / `wg show all dump` outputs, jc's parse, timeouts, round trip."""

import time

import pytest

from corpus import corpus_cases, corpus_expected, corpus_text
from parser_checks import (
    assert_parse_error, assert_refused_command, assert_round_trip, by_name, check_corpus_file,
    example_device, grows, lab_vendor, near, valid
)
from ansible_collections.vpnops.tunnels.plugins.module_utils.parsers import (
    parse_output,
    parse_outputs,
    wireguard,
)

PLATFORM = "wireguard"
emulated = lab_vendor(PLATFORM)
DUMP = "wg show all dump"

# corpus folder -> the command as typed
CORPUS_COMMANDS = {
    "wg_show": "wg show",
    "wg_show_all_dump": DUMP,
}


def sample(relative):
    return corpus_text(PLATFORM, relative)


def peer_line(key="PEERKEY=", endpoint="198.51.100.7:51820", handshake=0, rx=10, tx=20, interface="wg0"):
    return "\t".join((interface, key, "(none)", endpoint, "198.18.0.2/32", str(handshake), str(rx), str(tx), "off"))


# --- every real output --------------------------------------------------------------------------

@pytest.mark.parametrize("path", corpus_cases(PLATFORM))
def test_every_real_output_parses_and_validates(path):
    device = check_corpus_file(PLATFORM, path, CORPUS_COMMANDS)
    for tunnel in device["tunnels"]:
        child = tunnel["children"][0]
        assert (tunnel["type"], tunnel["ike"], tunnel["configured"]) == ("wireguard", None, True)
        assert (tunnel["state"] == "UP") == (child["state"] == "INSTALLED")


def test_dump_agrees_with_jc_row_by_row():
    """jc's parse of the same dump: peers, endpoints, handshakes, counters, allowed-ips."""
    expected = corpus_expected(PLATFORM, "wg_show_all_dump/3.expected.json")
    now = 1829439260   # the sample's handshakes lie in 2027: judge them from just after
    tunnels = wireguard.parse(DUMP, sample("wg_show_all_dump/3.txt"), now=now)
    assert len(tunnels) == sum(len(device["peers"]) for device in expected)
    found = by_name(tunnels)
    for device in expected:
        for peer in device["peers"]:
            tunnel = found["%s:%s" % (device["device"], peer["public_key"])]
            child = tunnel["children"][0]
            assert (child["bytes_in"], child["bytes_out"]) == (peer["transfer_rx"], peer["transfer_sx"])
            assert child["remote_ts"] == peer["allowed_ips"]
            handshake = peer["latest_handshake"]
            assert child["last_in_seconds"] == (now - handshake if handshake else None)
            assert tunnel["state"] == ("UP" if handshake and now - handshake < 180 else "DOWN")
            assert tunnel["status_message"].startswith("endpoint %s;" % (peer["endpoint"] or "none"))


# --- hand-checked values --------------------------------------------------------------------------

def test_real_dump_with_peers_of_interfaces_without_interface_line():
    tunnels = by_name(wireguard.parse(DUMP, sample("wg_show_all_dump/1.txt"), now=1555771458 + 30))
    assert len(tunnels) == 7
    up = tunnels["wg0:2S7mA0vEMethCNQrJpJKE81/JmhgtB+tHHLYQhgM6kk="]
    child = up["children"][0]
    assert (up["state"], child["state"], child["name"], child["last_in_seconds"]) == ("UP", "INSTALLED", "wg0", 30)
    assert (child["bytes_in"], child["bytes_out"], child["remote_ts"]) == (
        10288508, 139524160, ["10.70.0.2/32", "10.70.0.66/32"])
    assert up["status_message"] == "endpoint 37.159.76.245:29159; latest handshake 30 s ago"
    never = tunnels["pollo:YdVOIPKt9K2MPsO2NlWQbOnFJcL/qX80mmhQwsUlA="]   # no interface line for pollo
    assert (never["state"], never["children"][0]["last_in_seconds"]) == ("DOWN", None)
    assert never["status_message"] == "endpoint none; no handshake yet"
    stale = tunnels["wg0:928vO9Lf4+Mo84cWu4k1oRyzf0AR7FTGoPKHGoTMSHk="]   # 426563 s before the other
    assert (stale["state"], stale["children"][0]["last_in_seconds"]) == ("DOWN", 426563)


def test_real_human_form():
    tunnels = by_name(parse_output(PLATFORM, "wg show", sample("wg_show/2.txt"))["tunnels"])
    days = tunnels["rehtt:222"]["children"][0]
    assert days["last_in_seconds"] == 86400 + 14 * 3600 + 5 * 60 + 46
    assert (days["bytes_in"], days["bytes_out"]) == (round(36.05 * 2 ** 20), round(2.18 * 2 ** 30))   # wg rounds
    assert tunnels["rehtt:222"]["state"] == "DOWN"
    six = by_name(parse_output(PLATFORM, "wg show", sample("wg_show/1.txt"))["tunnels"])
    fresh = six["wg0:eqBvqFkdKlR55/XVwp4o8mYnJN9Gnp0jAn0="]
    assert (fresh["state"], fresh["children"][0]["last_in_seconds"]) == ("UP", 24)
    assert fresh["children"][0]["remote_ts"] == ["192.168.99.3/32", "172.22.0.0/16"]
    assert [t["state"] for name, t in six.items() if t is not fresh] == ["DOWN"] * 5
    assert six["wg0:fc1N/s3c/jDsx+ACYfrC2WOUVs="]["children"][0]["bytes_in"] == 0   # no transfer line: 0


def test_real_boringtun_handshake_of_55_years_and_ipv6_endpoint():
    tunnels = parse_output(PLATFORM, "wg show", sample("wg_show/3.txt"))["tunnels"]
    assert [tunnel["name"] for tunnel in tunnels] == ["wg0:REDACTED1=", "wg0:REDACTED2="]   # same 8-char prefix
    assert tunnels[0]["state"] == "DOWN" and tunnels[0]["children"][0]["last_in_seconds"] > 55 * 365 * 86400
    assert tunnels[0]["status_message"].startswith("endpoint [2600:REDACTED]:56309;")


@pytest.mark.parametrize("handshake, state", [("Now", "UP"), ("2 minutes, 59 seconds ago", "UP"),
                                              ("3 minutes ago", "DOWN"),
                                              ("(System clock wound backward; connection problems may ensue.)", "UP")])
def test_human_handshakes_and_colours(handshake, state):
    text = ("\x1b[0m\x1b[32;1minterface\x1b[0m: \x1b[32mwg0\x1b[0m\n\n"
            "\x1b[33;1mpeer\x1b[0m: \x1b[33mKEY=\x1b[0m\n  \x1b[1mallowed ips\x1b[0m: 198.18.0.2\x1b[36m/\x1b[0m32\n"
            "  \x1b[1mlatest handshake\x1b[0m: %s\n" % handshake)
    tunnel = parse_output(PLATFORM, "wg show", text)["tunnels"][0]
    assert (tunnel["name"], tunnel["state"], tunnel["children"][0]["remote_ts"]) == ("wg0:KEY=", state, ["198.18.0.2/32"])


def test_handshake_timeout_is_180_seconds_and_a_future_handshake_is_now():
    now = 2000000000
    text = "\n".join([peer_line("A=", handshake=now - 179), peer_line("B=", handshake=now - 180),
                      peer_line("C=", handshake=now + 50)])
    states = {t["name"]: (t["state"], t["children"][0]["last_in_seconds"]) for t in wireguard.parse(DUMP, text, now=now)}
    assert states == {"wg0:A=": ("UP", 179), "wg0:B=": ("DOWN", 180), "wg0:C=": ("UP", 0)}


def test_apply_options_judges_by_the_tasks_timeout():
    now = 2000000000
    tunnels = wireguard.parse(DUMP, peer_line("A=", handshake=now - 100), now=now)
    assert tunnels[0]["state"] == "UP"
    wireguard.apply_options(tunnels, {"wireguard_handshake_timeout": 60})
    assert (tunnels[0]["state"], tunnels[0]["children"][0]["state"]) == ("DOWN", "DOWN")
    wireguard.apply_options(tunnels, {"wireguard_handshake_timeout": None})   # the default, 180
    assert tunnels[0]["state"] == "UP"


def test_dump_is_read_with_this_hosts_clock_by_default():
    tunnel = parse_output(PLATFORM, DUMP, peer_line(handshake=int(time.time()) - 5))["tunnels"][0]
    assert tunnel["state"] == "UP" and 5 <= tunnel["children"][0]["last_in_seconds"] <= 7


# --- merge ----------------------------------------------------------------------------------------

def test_merge_prefers_the_dumps_exact_numbers():
    human = "interface: wg0\n\npeer: PEERKEY=\n  allowed ips: 198.18.0.2/32\n  transfer: 1.00 KiB received, 2.00 KiB sent\n"
    dump = peer_line(rx=1030, tx=2050)
    for order in ([("wg show", human), (DUMP, dump)], [(DUMP, dump), ("wg show", human)]):
        tunnels = valid(parse_outputs(PLATFORM, order))["tunnels"]
        assert [(t["name"], t["children"][0]["bytes_in"]) for t in tunnels] == [("wg0:PEERKEY=", 1030)]


# --- errors -------------------------------------------------------------------------------------

@pytest.mark.parametrize("command, text, expected", [
    (DUMP, "hello world\n", "tab-separated interface (5 fields) or peer (9 fields)"),
    (DUMP, "wg0\tKEY=\t(none)\t(none)\n", "tab-separated"),
    (DUMP, peer_line(handshake="yesterday"), "the latest handshake as a Unix time"),
    (DUMP, peer_line(rx="-1"), "received bytes"),
    (DUMP, "wg0\tPRIV\tPUB\tport\toff\n", "a listen port"),
    (DUMP, "Unable to access interface wg0: Operation not permitted\n", "wg reported an error"),
    (DUMP, "-bash: wg: command not found\n", "wg reported an error"),
    ("wg show", "peer: KEY=\n  allowed ips: (none)\n", "'interface: NAME' before its peers"),
    ("wg show", "interface: wg0\n<html>\n", "'interface:', 'peer:' or an indented"),
    ("wg show", "interface: wg0\npeer: K=\n  latest handshake: a while\n", "'N units, ... ago'"),
    ("wg show", "interface: wg0\npeer: K=\n  latest handshake: 3 fortnights ago\n", "years|days"),
    ("wg show", "interface: wg0\npeer: K=\n  transfer: lots\n", "AMOUNT UNIT received"),
])
def test_unknown_text_raises_parse_error_naming_platform_and_command(command, text, expected):
    error = assert_parse_error(PLATFORM, command, text, expected)
    assert error.command == command


@pytest.mark.parametrize("command", ["wg show wg0 dump", "wg show all latest-handshakes", "wg showconf wg0",
                                     "wg show interfaces", "wg-quick up wg0", "ip link"])
def test_unsupported_commands_are_refused(command):
    assert_refused_command(PLATFORM, command)


def test_command_forms_and_gather():
    key = wireguard.command_key
    assert key("wg show all dump") == key("/usr/bin/wg show all dump | cat") == DUMP
    assert key("wg") == key("wg show") == key("sudo wg show wg0") == key("wg show all") == "wg show"
    assert wireguard.gather_commands({}) == ["wg show all dump | " + wireguard.HIDE_SECRETS]
    assert key(wireguard.gather_commands({})[0]) == DUMP


def test_gathered_dump_carries_no_secret():
    device = example_device(emulated, 0)
    private_key = emulated.render(device, DUMP).split("\t")[1]
    gathered = emulated.render(device, wireguard.gather_commands({})[0])
    assert private_key not in gathered and gathered.split("\t")[1] == "(hidden)"
    hidden = "wg0\t(hidden)\tPUB=\t51820\toff\n" + peer_line().replace("(none)", "(hidden)", 1)
    assert valid(parse_output(PLATFORM, DUMP, hidden))["tunnels"][0]["name"] == "wg0:PEERKEY="


def test_empty_outputs_are_no_tunnels():
    assert parse_output(PLATFORM, DUMP, "")["tunnels"] == []
    assert parse_output(PLATFORM, "wg show", "interface: wg0\n  listening port: 51820\n")["tunnels"] == []


# --- round trip through the emulated device --------------------------------------------------------

@pytest.mark.parametrize("command", [DUMP, "wg show"])
@pytest.mark.parametrize("index", [0, 1, 2])
def test_round_trip_reports_what_the_device_holds(index, command):
    # counters grow between reading and comparing; the human form also rounds them to 3
    # significant digits; handshake ages are read off the clock
    counters = grows() if command == DUMP else near(1, 0.01)
    assert_round_trip(emulated, index, None if command == DUMP else [command], in_order=False,
                      bounds={"bytes_in": counters, "bytes_out": counters, "last_in_seconds": near(2)},
                      also={"child": ("last_in_seconds",)})


def test_emulated_device_has_each_kind_of_peer():
    tunnels = emulated.example_tunnels(0)
    assert [(t["state"], t["children"][0]["last_in_seconds"]) for t in tunnels] == [
        ("UP", 35), ("UP", 70), ("DOWN", 900), ("DOWN", None), ("UP", 10)]
    assert all(len(t["name"].split(":", 1)[1]) == 44 for t in tunnels)   # real key length


def test_reset_renews_the_peers_session():
    device = example_device(emulated, 0, reset_delay=0.2)
    name = device.state()[0]["name"]
    interface, key = name.split(":", 1)
    command = emulated.RESET_COMMAND.format(interface=interface, public_key=key)
    assert emulated.reset(device, command) == ""

    def peer():
        return by_name(parse_output(PLATFORM, DUMP, emulated.render(device, DUMP))["tunnels"])[name]

    assert (peer()["state"], peer()["children"][0]["bytes_in"]) == ("DOWN", 0)
    time.sleep(0.3)
    assert peer()["state"] == "UP"
    assert device.reset_log == [(command, [name])]
    assert emulated.reset(device, emulated.RESET_COMMAND.format(interface="wg9", public_key=key)).startswith("Unable")
    assert emulated.reset(device, "wg set wg0 peer %s endpoint 198.51.100.1:51820" % key) is None

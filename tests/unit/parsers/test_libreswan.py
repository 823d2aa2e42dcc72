"""libreswan parser: real 3.x/4.x/5.x outputs from ../shared, merge, errors, emulator round trip."""

import time

import pytest

from corpus import corpus_cases, corpus_expected, corpus_text
from parser_checks import (
    assert_parse_error, assert_refused_command, assert_round_trip, check_corpus_file,
    example_device, gathered, grows, lab_vendor, near, only, parsed, shrinks, valid
)
from ansible_collections.vpnops.tunnels.plugins.module_utils.parsers import (
    libreswan,
    parse_output,
    parse_outputs,
)

PLATFORM = "libreswan"
emulated = lab_vendor(PLATFORM)
STATUS, TRAFFIC = libreswan.gather_commands({})

# corpus folder -> the command as typed; None: not tunnel state, refused by design
CORPUS_COMMANDS = {
    "ipsec_status": "ipsec status",
    "ipsec_showstates": "ipsec showstates",
    "ipsec_trafficstatus": "ipsec whack --trafficstatus",
    "ipsec_connectionstatus": "ipsec whack --connectionstatus",
    "ipsec_globalstatus": None,   # daemon-wide counters and state totals, no tunnel
    "ipsec_shuntstatus": None,    # bare shunts: kernel policies without SAs
}
# files of a supported folder that must fail: the device reported an error, not a state
ERRORS_BY_DESIGN = {
    "ipsec_status/10.txt": "Pluto is not running",
}
# tunnel name -> state in every `ipsec status` of the corpus (templates and groups left out)
STATUS_TUNNELS = {
    "3": {"west": "ESTABLISHED"},
    "4": {},   # opportunistic encryption groups and clear/block policies only
    "6": {},
    "8": {"westnet-eastnet-ikev2": "ESTABLISHED"},
    "9": {},
    "11": {"northnet-westnet-ipv4-psk": "ESTABLISHED"},
    "12": {"road-east-x509-ipv4[1]": "ESTABLISHED"},
    "13": {"road-east-x509-ipv4[1]": "ESTABLISHED"},
    "14": {"northnet-westnet-ipv4-psk": "ESTABLISHED"},
    "15": {"westnet-eastnet-ah": "ESTABLISHED"},
    "16": {"road-east-x509-ipv4[1]": "ESTABLISHED"},
    "17": {"host-host": "DOWN"},
}


def sample(relative):
    return corpus_text(PLATFORM, relative)


# --- every real output --------------------------------------------------------------------------

@pytest.mark.parametrize("path", corpus_cases(PLATFORM))
def test_every_real_output_parses_and_validates_or_is_refused(path):
    check_corpus_file(PLATFORM, path, CORPUS_COMMANDS, refused=ERRORS_BY_DESIGN, may_be_empty=True)


@pytest.mark.parametrize("number", sorted(STATUS_TUNNELS))
def test_real_status_reports_every_tunnel_and_no_template(number):
    device = parse_output(PLATFORM, "ipsec status", sample("ipsec_status/%s.txt" % number))
    assert {tunnel["name"]: tunnel["state"] for tunnel in device["tunnels"]} == STATUS_TUNNELS[number]


# --- the ipsec_exporter's golden metrics for the same text ---------------------------------------

def exporter_id(identity):
    """The exporter strips '@' and keeps pluto's ID flags: compare IDs that way."""
    return identity.lstrip("@")


@pytest.mark.parametrize("number", ["15", "16", "17"])
def test_real_status_agrees_with_the_exporters_metrics(number):
    device = parsed(PLATFORM, "ipsec status", sample("ipsec_status/%s.txt" % number))
    rows = corpus_expected(PLATFORM, "ipsec_status/%s.expected.prom" % number)
    ike_sas = [value for metric, _labels, value in rows if metric == "ipsec_ike_sas"]
    assert ike_sas == [sum(1 for tunnel in device["tunnels"] if tunnel["ike"]["sa_id"])]
    for metric, labels, value in rows:
        if metric == "ipsec_ike_sa_state":   # the value is the exporter's own state number
            ike = only(device, labels["name"])["ike"]
            assert (ike["sa_id"], ike["version"]) == (labels["uid"], int(labels["version"]))
            assert (ike["local"]["address"], ike["remote"]["address"]) == (labels["local_host"], labels["remote_host"])
            assert labels["local_id"].startswith(exporter_id(ike["local"]["id"]))
            assert exporter_id(ike["remote"]["id"]) == labels["remote_id"]
        elif metric.startswith("ipsec_child_sa_bytes_"):
            child = only(device, labels["name"])["children"][0]
            assert (child["sa_id"], child["protocol"], child["mode"]) == (labels["uid"], labels["protocol"], labels["mode"])
            assert (child["local_ts"], child["remote_ts"]) == ([labels["local_ts"]], [labels["remote_ts"]])
            assert child["bytes_" + metric.rsplit("_", 1)[1]] == value


# --- hand-checked values --------------------------------------------------------------------------

def test_real_3x_ikev1_ah_tunnel():
    tunnel = only(parse_output(PLATFORM, "ipsec auto --status", sample("ipsec_status/15.txt")),
                  "westnet-eastnet-ah")
    ike, child = tunnel["ike"], tunnel["children"][0]
    assert (tunnel["state"], tunnel["native_state"], tunnel["configured"]) == ("ESTABLISHED", "STATE_MAIN_R3", True)
    assert (ike["version"], ike["sa_id"], ike["initiator"], ike["rekey_seconds"]) == (1, "1", False, 3326)
    assert ike["local"] == {"address": "192.1.2.23", "port": None, "id": "@east"}
    assert ike["remote"] == {"address": "192.1.2.45", "port": 500, "id": "@west"}
    assert ike["algorithms"] == {"encryption": "AES_CBC", "key_size": 256, "integrity": None,
                                 "prf": "HMAC_SHA2_256", "dh_group": "MODP2048"}
    assert (ike["rekey_interval_seconds"], ike["dpd"]) == (3600, None)
    assert (child["state"], child["native_state"], child["sa_id"]) == ("INSTALLED", "STATE_QUICK_R2", "2")
    assert (child["protocol"], child["mode"], child["spi_in"], child["spi_out"]) == ("AH", "TUNNEL", "e6f33a08", "b129f1f7")
    assert (child["bytes_in"], child["bytes_out"], child["rekey_seconds"]) == (336, 336, 28526)
    assert child["algorithms"]["integrity"] == "HMAC_SHA2_384_192"
    assert (child["local_ts"], child["remote_ts"], child["rekey_interval_seconds"]) == (
        ["192.0.2.0/24"], ["192.0.1.0/24"], 28800)


def test_real_5x_status_reads_stories_and_hides_the_template():
    device = parse_output(PLATFORM, "ipsec status", sample("ipsec_status/12.txt"))
    assert [tunnel["name"] for tunnel in device["tunnels"]] == ["road-east-x509-ipv4[1]"]
    tunnel = device["tunnels"][0]
    ike, child = tunnel["ike"], tunnel["children"][0]
    assert (tunnel["native_state"], ike["sa_id"], ike["version"]) == ("established IKE SA", "3", 2)
    assert (child["native_state"], child["sa_id"], child["state"]) == ("established Child SA", "2", "INSTALLED")
    assert ike["local"]["id"].startswith("C=CA, ST=Ontario") and ike["local"]["id"].endswith("@testing.libreswan.org")
    assert ike["virtual_ips"] == {"local": ["192.0.2.100"], "remote": []}
    assert (child["spi_in"], child["spi_out"]) == (None, None)   # the test harness masks SPIs
    assert ike["dpd"] is None and ike["algorithms"]["encryption"] == "AES_GCM_16"


def test_real_configured_connection_without_sa_is_down():
    tunnel = only(parse_output(PLATFORM, "ipsec status", sample("ipsec_status/17.txt")), "host-host")
    assert (tunnel["state"], tunnel["configured"], tunnel["ike"]["sa_id"]) == ("DOWN", True, None)
    assert tunnel["status_message"] == "configured, no IKE SA (unrouted)"
    assert [(child["name"], child["state"], child["configured"]) for child in tunnel["children"]] == [
        ("host-host", "DOWN", True)]


def test_real_negotiation_in_progress():
    tunnel = only(parse_output(PLATFORM, "ipsec showstates", sample("ipsec_showstates/8.txt")),
                  "private-or-clear#192.1.2.23/32[1]")
    assert (tunnel["state"], tunnel["ike"]["initiator"]) == ("CONNECTING", True)
    assert tunnel["ike"]["negotiation"] == {"phase": 1, "step": "STATE_V2_PARENT_I1"}
    assert [(child["state"], child["native_state"]) for child in tunnel["children"]] == [("CREATED", "pending")]


def test_real_5x_showstates_prefer_the_established_sas():
    tunnel = only(parse_output(PLATFORM, "ipsec showstates", sample("ipsec_showstates/2.txt")),
                  "private#192.1.2.0/24[1]")
    assert (tunnel["state"], tunnel["ike"]["sa_id"], tunnel["ike"]["negotiation"]) == ("ESTABLISHED", "2", None)
    replaced = only(parse_output(PLATFORM, "ipsec showstates", sample("ipsec_showstates/6.txt")),
                    "roadnet-eastnet-ipv4-psk-ikev2[1]")
    assert (replaced["ike"]["sa_id"], replaced["ike"]["remote"]["port"]) == ("7", 4500)
    assert replaced["children"][0]["bytes_in"] == 84


@pytest.mark.parametrize("what, native, state, step", [
    ("sent IKE_AUTH request", "sent IKE_AUTH request", "CONNECTING", "IKE_AUTH_I"),
    ("processed IKE_SA_INIT response, preparing IKE_INTERMEDIATE or IKE_AUTH request",
     "processed IKE_SA_INIT response, preparing IKE_INTERMEDIATE or IKE_AUTH request", "CONNECTING", "IKE_SA_INIT_IR"),
    ("sent IKE_AUTH(EAP) response, waiting for IKE_AUTH(EAP) request",
     "sent IKE_AUTH(EAP) response, waiting for IKE_AUTH(EAP) request", "CONNECTING", "IKE_AUTH_EAP_R"),
    ("sent MI2, expecting MR2", "sent MI2, expecting MR2", "CONNECTING", "STATE_MAIN_I2"),
    ("STATE_V2_PARENT_I2 (sent IKE_AUTH request)", "STATE_V2_PARENT_I2", "CONNECTING", "STATE_V2_PARENT_I2"),
    ("STATE_V2_REKEY_IKE_I1 (sent CREATE_CHILD_SA request to rekey IKE SA)", "STATE_V2_REKEY_IKE_I1", "REKEYING", None),
    ("STATE_FROM_THE_FUTURE (something new)", "STATE_FROM_THE_FUTURE", "UNDEFINED", None),
])
def test_stories_and_state_names_of_an_ike_sa_under_way(what, native, state, step):
    """5.x prints stories only, and generates them for the IKE_* exchanges; older names stay."""
    tunnel = only(parse_output(PLATFORM, "ipsec showstates", '#4: "a":500 %s; RETRANSMIT in 2s; idle;\n' % what), "a")
    assert (tunnel["state"], tunnel["native_state"]) == (state, native)
    assert tunnel["ike"]["negotiation"] == ({"phase": 1, "step": step} if step else None)


def test_real_ike_sa_without_ipsec_sa_waits_in_phase_2():
    tunnel = only(parse_output(PLATFORM, "ipsec whack --showstates", sample("ipsec_showstates/5.txt")),
                  "west-east-delete1")
    assert tunnel["state"] == "ESTABLISHED"
    assert tunnel["ike"]["negotiation"] == {"phase": 2, "step": "IPsec SA not established"}


def test_real_connectionstatus_tells_state_from_the_connection():
    device = parsed(PLATFORM, "ipsec connectionstatus", sample("ipsec_connectionstatus/2.txt"))
    shared = only(device, "b")   # its Child SA #4 rides on connection a's IKE SA #3
    assert (shared["state"], shared["children"][0]["state"], shared["children"][0]["sa_id"]) == (
        "UNDEFINED", "INSTALLED", "4")
    assert (only(device, "a")["state"], only(device, "a")["ike"]["sa_id"]) == ("ESTABLISHED", "3")
    connecting = only(parse_output(PLATFORM, "ipsec connectionstatus westnet-eastnet-ikev2",
                                   sample("ipsec_connectionstatus/4.txt")), "westnet-eastnet-ikev2")
    assert connecting["state"] == "CONNECTING"
    assert connecting["ike"]["negotiation"] == {"phase": 1, "step": "negotiating IKE SA"}
    assert connecting["ike"]["dpd"] == {"delay": 3, "timeout": 10, "action": None}


def test_real_trafficstatus_counters_ids_and_leases():
    device = parse_output(PLATFORM, "ipsec trafficstatus", sample("ipsec_trafficstatus/11.txt"))
    roads = {tunnel["name"]: tunnel for tunnel in device["tunnels"]}
    assert sorted(roads) == ["east-any[2]", "east-any[3]"]
    first = roads["east-any[2]"]
    assert first["ike"]["remote"]["address"] == "192.1.2.254"
    assert first["ike"]["virtual_ips"] == {"local": [], "remote": ["192.0.2.101"]}
    assert [(c["sa_id"], c["state"], c["protocol"], c["bytes_in"], c["bytes_out"]) for c in first["children"]] == [
        ("2", "INSTALLED", "ESP", 252, 252)]
    assert first["state"] == "UNDEFINED"   # trafficstatus shows IPsec SAs only
    client = only(parse_output(PLATFORM, "ipsec whack --trafficstatus", sample("ipsec_trafficstatus/13.txt")),
                  "private-or-clear#192.1.2.0/24[1]")
    assert client["ike"]["virtual_ips"] == {"local": ["10.0.10.1"], "remote": []}   # our own client address
    newest = only(parse_output(PLATFORM, "ipsec trafficstatus", sample("ipsec_trafficstatus/8.txt")), "east[1]")
    assert newest["children"][0]["sa_id"] == "3"   # #2 is the IPsec SA it replaces
    ipv6 = parse_output(PLATFORM, "ipsec trafficstatus", sample("ipsec_trafficstatus/9.txt"))["tunnels"][0]
    assert ipv6["ike"]["remote"] == {"address": "2001:db8:1:2::23", "port": None, "id": "ID_NULL"}


def test_trafficstatus_install_time_is_counted_from_now():
    tunnels = libreswan.parse("ipsec trafficstatus", sample("ipsec_trafficstatus/7.txt"), now=1234568490)
    assert tunnels[0]["children"][0]["installed_seconds"] == 600   # add_time=1234567890


def test_empty_outputs_are_no_tunnels():
    assert parse_output(PLATFORM, "ipsec trafficstatus", sample("ipsec_trafficstatus/3.txt"))["tunnels"] == []
    assert parse_output(PLATFORM, "ipsec showstates", "\n")["tunnels"] == []


# --- merge ----------------------------------------------------------------------------------------

def test_merge_takes_exact_counters_from_trafficstatus():
    status = sample("ipsec_status/12.txt").replace("ESPin=168B ESPout=168B", "ESPin=119KB ESPout=2MB")
    traffic = ("#2: \"road-east-x509-ipv4\"[1] 192.1.2.23, type=ESP, add_time=1234567890, inBytes=122333,"
               " outBytes=2200000, maxBytes=2^63B, id='@east', lease=192.0.2.100/32\n")
    alone = only(parse_output(PLATFORM, "ipsec status", status), "road-east-x509-ipv4[1]")["children"][0]
    assert (alone["bytes_in"], alone["bytes_out"]) == (119 * 1024, 2 * 1024 * 1024)   # rounded down
    device = valid(parse_outputs(PLATFORM, [(TRAFFIC, traffic), (STATUS, status)]))
    tunnel = only(device, "road-east-x509-ipv4[1]")
    child = tunnel["children"][0]
    assert (child["bytes_in"], child["bytes_out"], child["native_state"]) == (122333, 2200000, "established Child SA")
    assert (tunnel["state"], tunnel["configured"]) == ("ESTABLISHED", True)
    assert tunnel["ike"]["virtual_ips"] == {"local": ["192.0.2.100"], "remote": []}   # my_ip: our lease


def test_merge_keeps_configured_tunnels_without_sa_as_down():
    status = sample("ipsec_status/17.txt")
    device = valid(parse_outputs(PLATFORM, [(STATUS, status), (TRAFFIC, "")]))
    assert [(t["name"], t["state"], t["configured"]) for t in device["tunnels"]] == [("host-host", "DOWN", True)]


def test_merge_lays_states_over_connections():
    connections = sample("ipsec_connectionstatus/3.txt")
    states = ('#1: "westnet-eastnet-compress":500 ISAKMP SA established; REPLACE in 2000s; newest; idle;\n'
              '#2: "westnet-eastnet-compress":500 sent QI1, expecting QR1; RETRANSMIT in 2s; idle;\n')
    tunnel = only(valid(parse_outputs(PLATFORM, [("ipsec showstates", states),
                                                 ("ipsec connectionstatus", connections)])),
                  "westnet-eastnet-compress")
    assert (tunnel["state"], tunnel["configured"], tunnel["ike"]["version"], tunnel["ike"]["rekey_seconds"]) == (
        "ESTABLISHED", True, 1, 2000)
    assert tunnel["ike"]["negotiation"] == {"phase": 2, "step": "STATE_QUICK_I1"}
    assert [(c["state"], c["native_state"], c["configured"]) for c in tunnel["children"]] == [
        ("CREATED", "sent QI1, expecting QR1", True)]


# --- errors -------------------------------------------------------------------------------------

@pytest.mark.parametrize("command, text, expected", [
    ("ipsec status", "hello world\n", "a complete status"),
    ("ipsec status", "000 Connection list:\n000 \n000 \"a\": 192.0.2.1...", "a complete status"),
    ("ipsec status", "000 Connection list:\n000 <html>502</html>\n000 Total IPsec connections: loaded 0, active 0",
     "a connection, state or section line"),
    ("ipsec showstates", '000 #2: "westnet-eas', "a state, traffic or pending line"),
    ("ipsec showstates", "#1 established IKE SA\n", "state line"),
    ("ipsec showstates", '#2: "a" esp.1234 Traffic: ESPin=0B', "an outbound and an inbound SA"),
    ("ipsec status", 'whack: Pluto is not running (no "/run/pluto/pluto.ctl")', "ipsec reported an error"),
    ("ipsec whack --status", "sudo: a password is required\n", "ipsec reported an error"),
    ("ipsec trafficstatus", "006 #2: westnet, type=ESP\n", "'#SERIAL"),
    ("ipsec trafficstatus", '#2: "a", type=ESP, add_time=1, inBytes=12\n', "inBytes= and outBytes="),
    ("ipsec trafficstatus", '#2: "a", type=ESP, add_time=x, inBytes=1, outBytes=2\n', "numbers in"),
    ("ipsec connectionstatus", '"a":   policy: IKEv2+PSK;\n', "connection details after"),
])
def test_unknown_text_raises_parse_error_naming_platform_and_command(command, text, expected):
    error = assert_parse_error(PLATFORM, command, text, expected)
    assert error.command == libreswan.command_key(command)


@pytest.mark.parametrize("command", ["ipsec globalstatus", "ipsec whack --shuntstatus", "ipsec briefstatus",
                                     "ipsec version", "swanctl --list-sas"])
def test_unsupported_commands_are_refused(command):
    assert_refused_command(PLATFORM, command)


def test_command_forms_are_recognized():
    key = libreswan.command_key
    assert key("/usr/sbin/ipsec whack --status") == key("ipsec auto --status") == "ipsec status"
    assert key("sudo ipsec status | grep -v algorithm") == "ipsec status"
    assert key("ipsec whack --showstates") == key("/usr/libexec/ipsec/whack --showstates") == "ipsec showstates"
    assert key("ipsec trafficstatus") == "ipsec trafficstatus"
    assert key("ipsec whack --connectionstatus --name x") == "ipsec connectionstatus"
    assert key("ipsec statusall") is None and key("ls -l") is None


def test_gather_commands_use_the_ipsec_path():
    assert libreswan.gather_commands({}) == ["/usr/sbin/ipsec whack --status", "/usr/sbin/ipsec whack --trafficstatus"]
    assert libreswan.gather_commands({"ipsec_path": "/opt/libre swan/ipsec"})[0] == "'/opt/libre swan/ipsec' whack --status"


# --- round trip through the emulated device --------------------------------------------------------

# Counters grow and countdowns shrink between reading and comparing; an install time read
# off the clock may be a second or two off; the rest is equal.
MOVING = {"bytes_in": grows(), "bytes_out": grows(), "rekey_seconds": shrinks(), "installed_seconds": near(2)}


@pytest.mark.parametrize("index", [0, 1, 2])
def test_round_trip_reports_what_the_device_holds(index):
    facts, truth = assert_round_trip(emulated, index, in_order=False, bounds=MOVING,
                                     also={"child": ("installed_seconds",)})
    assert all(len(tunnel["children"]) == 1 for tunnel in facts + truth)


def test_emulated_device_has_each_kind_of_tunnel():
    states = {tunnel["name"]: (tunnel["state"], tunnel["children"][0]["state"]) for tunnel in emulated.example_tunnels(1)}
    assert states == {"dc1-hq": ("ESTABLISHED", "INSTALLED"), "dc1-legacy": ("ESTABLISHED", "INSTALLED"),
                      "dc1-backup": ("ESTABLISHED", "DOWN"), "dc1-branch": ("DOWN", "DOWN"),
                      "dc1-dr": ("CONNECTING", "CREATED")}


def test_emulated_showstates_and_connectionstatus_agree_with_the_status():
    device = example_device(emulated, 0)
    by_status = {t["name"]: t["state"] for t in parse_output(PLATFORM, "ipsec status",
                                                             emulated.render(device, "ipsec status"))["tunnels"]}
    by_states = {t["name"]: t["state"] for t in parse_output(PLATFORM, "ipsec showstates",
                                                             emulated.render(device, "ipsec showstates"))["tunnels"]}
    by_conns = {t["name"]: t["state"] for t in parse_output(PLATFORM, "ipsec connectionstatus",
                                                            emulated.render(device, "ipsec connectionstatus"))["tunnels"]}
    # a connection names its IKE SA only once it is established: negotiating reads DOWN there
    assert by_conns == {name: "DOWN" if state == "CONNECTING" else state for name, state in by_status.items()}
    assert by_states == {name: state for name, state in by_status.items() if state != "DOWN"}


@pytest.mark.parametrize("command", ["ipsec down dc0-hq", "ipsec auto --up dc0-hq",
                                     "/usr/sbin/ipsec whack --name dc0-hq --terminate"])
def test_reset_takes_the_connection_down_and_it_comes_back_renegotiated(command):
    device = example_device(emulated, 0, reset_delay=0.2)
    before = only(gathered(emulated, device), "dc0-hq")
    assert emulated.reset(device, command).startswith('002 "dc0-hq"')
    down = only(gathered(emulated, device), "dc0-hq")
    assert (down["state"], down["children"][0]["state"], down["ike"]["sa_id"]) == ("DOWN", "DOWN", None)
    time.sleep(0.3)
    after = only(gathered(emulated, device), "dc0-hq")
    assert after["state"] == "ESTABLISHED" and after["children"][0]["state"] == "INSTALLED"
    assert after["ike"]["sa_id"] != before["ike"]["sa_id"]
    assert after["children"][0]["spi_in"] != before["children"][0]["spi_in"]
    assert device.reset_log == [(command, ["dc0-hq"])]


def test_reset_of_an_unknown_connection_and_other_commands():
    device = example_device(emulated, 0)
    assert emulated.reset(device, "ipsec down nosuch") == '021 no connection named "nosuch"\n'
    assert emulated.reset(device, "ipsec status") is None
    assert emulated.render(device, "ipsec globalstatus") is None
    assert emulated.render(device, "uptime") is None

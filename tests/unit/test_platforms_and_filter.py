"""Platform mapping, the vpn_parse filter's inputs, and transport error wording."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.vpnops.tunnels.plugins.filter.vpn_parse import FilterModule
from ansible_collections.vpnops.tunnels.plugins.module_utils import platforms, transport
from ansible_collections.vpnops.tunnels.plugins.module_utils.errors import VpnConfigError, VpnParseError
from ansible_collections.vpnops.tunnels.plugins.module_utils.gather import wanted_types
from ansible_collections.vpnops.tunnels.plugins.module_utils.parsers import openvpn
from ansible_collections.vpnops.tunnels.plugins.module_utils.parsers import parse_output

vpn_parse = FilterModule().filters()["vpn_parse"]
SA = ("list-sa event {gw {uniqueid=7 version=2 state=ESTABLISHED child-sas {net-7 {name=net "
      "uniqueid=9 state=INSTALLED spi-in=c1 spi-out=c2 bytes-in=10}}}}\n")
CONN = ("list-conn event {gw {version=IKEv2 children {net {mode=TUNNEL}}}}\n"
        "list-conn event {idle {version=IKEv2 children {}}}\n")


@pytest.mark.parametrize("vpn_platform, network_os, expected", [
    ("strongswan", None, "strongswan"),
    ("openvpn", "strongswan", "openvpn"),  # vpn_platform wins
    (None, "strongswan", "strongswan"),
    (None, "OpenVPN", "openvpn"),
])
def test_platform_resolution(vpn_platform, network_os, expected):
    assert platforms.resolve_platform(vpn_platform, network_os) == expected
    assert platforms.device_type(expected) == "linux"


@pytest.mark.parametrize("vpn_platform, network_os, message", [
    ("strongswam", None, "unknown vpn_platform .strongswam.; supported: cisco_asa"),
    (None, "cisco.nxos.nxos", "is not a VPN platform this collection knows; set vpn_platform"),
    (None, None, "no platform: set vpn_platform"),
])
def test_platform_resolution_errors(vpn_platform, network_os, message):
    with pytest.raises(VpnConfigError, match=message):
        platforms.resolve_platform(vpn_platform, network_os)


def test_gather_subset_filters_tunnel_types():
    assert wanted_types("strongswan", ["all"]) == ["ipsec"]
    assert wanted_types("strongswan", ["openvpn"]) == []
    assert wanted_types("openvpn", ["openvpn", "ipsec"]) == ["openvpn"]


def test_filter_accepts_text_dict_and_raw_outputs_list():
    single = vpn_parse(SA, "strongswan", "swanctl --list-sas --raw", hostname="gw1")
    assert single["hostname"] == "gw1" and single["tunnels"][0]["children"][0]["spi_in"] == "c1"
    merged = vpn_parse({"swanctl --list-conns --raw": CONN, "swanctl --list-sas --raw": SA},
                       "strongswan")
    states = [(t["name"], t["state"]) for t in merged["tunnels"]]
    assert states == [("gw", "ESTABLISHED"), ("idle", "DOWN")]
    listed = vpn_parse([{"command": "swanctl -L --raw", "output": CONN},
                        {"command": "swanctl -l --raw", "output": SA}], "strongswan")
    assert listed["tunnels"] == merged["tunnels"]
    assert listed["commands"] == ["swanctl -L --raw", "swanctl -l --raw"]


@pytest.mark.parametrize("data, args, message", [
    ("garbage", ("strongswan", "swanctl --list-sas"), "vpn_parse: cannot parse strongswan output"),
    (SA, ("strongswan",), "a single text needs its command"),
    (42, ("strongswan",), "input must be text"),
    ([{"output": SA}], ("strongswan",), "dicts with 'command' and 'output'"),
    (SA, ("cisco_xr", "show crypto"), "unknown platform 'cisco_xr'"),
])
def test_filter_errors_are_filter_errors(data, args, message):
    with pytest.raises(AnsibleFilterError, match=message):
        vpn_parse(data, *args)


def test_expected_openvpn_clients_that_are_absent_are_down():
    status = ("TITLE,OpenVPN 2.6.14\nTIME,Thu Apr 30 13:55:44 2020,1588254944\n"
              "HEADER,CLIENT_LIST,Common Name,Real Address,Virtual Address,Bytes Received,"
              "Bytes Sent,Connected Since,Connected Since (time_t),Username\n"
              "CLIENT_LIST,client1,192.0.2.11:1194,10.8.0.2,1,2,Thu Apr 30 13:55:38 2020,"
              "1588254938,UNDEF\nGLOBAL_STATS,Max bcast/mcast queue length,0\nEND\n")
    device = parse_output("openvpn", "cat /run/s.log", status)
    openvpn.apply_options(device["tunnels"], {"openvpn_clients": ["client1", "client2"]})
    clients = device["tunnels"][0]["openvpn"]["clients"]
    assert [(c["common_name"], c["state"]) for c in clients] == [("client1", "CONNECTED"),
                                                                 ("client2", "DOWN")]
    assert device["tunnels"][0]["status_message"].endswith("expected clients not connected: client2")


@pytest.mark.parametrize("netmiko_text, expected", [
    ("Server '[192.0.2.1]:22' not found in known_hosts", "host key of u@192.0.2.1:22 is not in"),
    ("TCP connection to device failed.\n\nCommon causes...", "TCP connection failed"),
    ("Connection to device timed-out: linux 192.0.2.1:22", "connection timed out after 5s"),
    ("Error reading SSH protocol banner", "cannot open an SSH session to u@192.0.2.1:22: Error"),
])
def test_connect_failures_are_told_apart_and_carry_no_secret(netmiko_text, expected):
    spec = transport.connection_spec("192.0.2.1", "linux", username="u", password="s3cret",
                                     become_password="s3cret", timeout=5)
    message = transport._connect_failure(spec, Exception(netmiko_text))
    assert expected in message and "s3cret" not in message


def documented_options(module_docs):
    """A module's options with those of its doc fragments (only the collection's own)."""
    import importlib
    import yaml
    return documented(module_docs)["options"]


def documented(module_docs):
    """A module's documentation merged with its doc fragments (only the collection's own)."""
    import importlib
    import yaml
    doc = yaml.safe_load(module_docs.DOCUMENTATION)
    for fragment in doc.get("extends_documentation_fragment") or ():
        if fragment.startswith("vpnops.tunnels."):
            found = importlib.import_module("ansible_collections.vpnops.tunnels.plugins."
                                            "doc_fragments." + fragment.split(".")[-1])
            extra = yaml.safe_load(found.ModuleDocFragment.DOCUMENTATION)
            for key in ("options", "attributes"):
                doc[key] = dict(doc.get(key) or {}, **extra.get(key, {}))
    return doc


def test_documented_platforms_and_options_match_the_code():
    """ansible-doc must list exactly the platforms the registry knows, and every option."""
    import yaml
    from ansible_collections.vpnops.tunnels.plugins.action.vpn_facts import ARGUMENT_SPEC
    from ansible_collections.vpnops.tunnels.plugins.filter import vpn_parse as filter_module
    from ansible_collections.vpnops.tunnels.plugins.modules import vpn_facts as module_docs
    module = documented(module_docs)
    options = documented_options(module_docs)
    assert sorted(options["platform"]["choices"]) == sorted(platforms.PLATFORMS)
    assert sorted(module["attributes"]["platform"]["platforms"]) == sorted(platforms.PLATFORMS)
    assert sorted(options) == sorted(ARGUMENT_SPEC)
    filter_doc = yaml.safe_load(filter_module.DOCUMENTATION)
    assert sorted(filter_doc["options"]["platform"]["choices"]) == sorted(platforms.PLATFORMS)


def test_vpn_reset_documents_exactly_its_options_and_defaults():
    import yaml
    from ansible_collections.vpnops.tunnels.plugins.action.vpn_reset import ARGUMENT_SPEC
    from ansible_collections.vpnops.tunnels.plugins.modules import vpn_reset as module_docs
    options = documented_options(module_docs)
    assert sorted(options) == sorted(ARGUMENT_SPEC)
    from ansible_collections.vpnops.tunnels.plugins.module_utils.gather import DEFAULT_OPTIONS
    for name, spec in ARGUMENT_SPEC.items():  # device options take their defaults from gather.py
        assert options[name].get("default") == spec.get("default", DEFAULT_OPTIONS.get(name)), name
        assert options[name]["type"] == spec["type"], name
        assert sorted(options[name].get("suboptions") or ()) == sorted(spec.get("options") or ()), name
    module = documented(module_docs)
    assert sorted(module["attributes"]["platform"]["platforms"]) == sorted(platforms.PLATFORMS)


def test_documented_defaults_are_the_defaults_used():
    import yaml
    from ansible_collections.vpnops.tunnels.plugins.module_utils.gather import DEFAULT_OPTIONS
    from ansible_collections.vpnops.tunnels.plugins.modules import vpn_facts as module_docs
    options = documented_options(module_docs)
    documented = {name: spec["default"] for name, spec in options.items() if "default" in spec}
    assert documented == {name: DEFAULT_OPTIONS[name] for name in documented}
    assert set(DEFAULT_OPTIONS) <= set(options)


@pytest.mark.parametrize("enabled_before", [True, False])
@pytest.mark.parametrize("text", [SA, "garbage"])
def test_parsing_leaves_the_cyclic_collector_as_it_found_it(enabled_before, text):
    import gc
    (gc.enable if enabled_before else gc.disable)()
    try:
        try:
            parse_output("strongswan", "swanctl --list-sas --raw", text)
        except VpnParseError:
            pass
        assert gc.isenabled() is enabled_before
    finally:
        gc.enable()


def test_vpn_fleet_facts_documents_exactly_its_options_and_defaults():
    from ansible_collections.vpnops.tunnels.plugins.action.vpn_fleet_facts import ARGUMENT_SPEC
    from ansible_collections.vpnops.tunnels.plugins.module_utils.gather import DEFAULT_OPTIONS
    from ansible_collections.vpnops.tunnels.plugins.modules import vpn_fleet_facts as module_docs
    options = documented_options(module_docs)
    assert sorted(options) == sorted(ARGUMENT_SPEC)
    for name, spec in ARGUMENT_SPEC.items():
        assert options[name].get("default") == spec.get("default", DEFAULT_OPTIONS.get(name)), name

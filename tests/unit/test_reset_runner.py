"""The reset runner's pure parts: targets from the module's options, the commands each
platform gets for a tunnel named the way its facts name it, and OpenVPN client units."""

import pytest

from ansible_collections.vpnops.tunnels.plugins.module_utils import model, reset_plan
from ansible_collections.vpnops.tunnels.plugins.module_utils.errors import VpnConfigError
from ansible_collections.vpnops.tunnels.plugins.plugin_utils import reset_runner

REQUEST = dict(reset_runner.DEFAULT_REQUEST)


def request(**changes):
    return dict(REQUEST, **changes)


def ipsec_tunnel(name, peer="198.51.100.7", sa_id="4", children=("lan",)):
    tunnel = model.new_tunnel(name, "ipsec", state="ESTABLISHED")
    tunnel["ike"]["remote"]["address"] = peer
    tunnel["ike"]["sa_id"] = sa_id
    tunnel["children"] = [model.new_child(child, state="INSTALLED") for child in children]
    return tunnel


def test_targets_combine_names_and_peers_and_refuse_all_with_others():
    targets = reset_runner.targets_of(request(name=["a", "b"], peer=["192.0.2.1"]))
    assert [(t["name"], t["peer"]) for t in targets] == [("a", None), ("b", None), (None, "192.0.2.1")]
    with pytest.raises(VpnConfigError, match="do not combine"):
        reset_runner.targets_of(request(name=["a"], all=True))
    with pytest.raises(VpnConfigError, match="nothing to reset"):
        reset_runner.targets_of(request())
    with pytest.raises(VpnConfigError, match="invalid reset target peer"):
        reset_runner.targets_of(request(peer=["192.0.2.1; reboot"]))


@pytest.mark.parametrize("platform,expected", [
    ("strongswan", ["/usr/sbin/swanctl --terminate --ike hq --force --timeout 5",
                    "/usr/sbin/swanctl --initiate --child lan --ike hq --timeout 5"]),
    ("cisco_ios", ["clear crypto session remote 198.51.100.7"]),  # IOS selects by peer
    ("juniper_srx", ["clear security ike security-associations 198.51.100.7"]),
    ("cisco_asa", ["vpn-sessiondb logoff ipaddress 198.51.100.7 noconfirm"]),
    ("libreswan", ["ipsec down hq", "ipsec up hq"]),
])
def test_each_platform_gets_the_selector_its_cli_takes(platform, expected):
    unit = ipsec_tunnel("hq")
    assert reset_runner.unit_commands(platform, unit, request(), {}) == expected


def test_child_names_that_are_traffic_selectors_are_not_passed_on():
    unit = ipsec_tunnel("hq", children=("lan", "10.0.0.0/24===10.1.0.0/24"))
    commands = reset_runner.unit_commands("strongswan", unit, request(), {})
    assert commands[1:] == ["/usr/sbin/swanctl --initiate --child lan --ike hq --timeout 5"]


def test_panos_resets_the_tunnels_gateway():
    unit = ipsec_tunnel("hq")
    unit["status_message"] = "tunnel.1, monitor off; gateway hq-gw, no IPsec SA"
    assert reset_runner.unit_commands("paloalto_panos", unit, request(), {}) == [
        "clear vpn ike-sa gateway hq-gw", "test vpn ike-sa gateway hq-gw"]
    assert reset_runner.unit_commands("paloalto_panos", unit, request(scope="child"), {}) == [
        "clear vpn ipsec-sa tunnel hq", "test vpn ipsec-sa tunnel hq"]


def test_a_tunnel_with_no_usable_selector_is_a_clear_error():
    unit = ipsec_tunnel("hq", peer=None, sa_id=None)
    with pytest.raises(VpnConfigError, match="cannot reset hq on cisco_ios: .*peer address"):
        reset_runner.unit_commands("cisco_ios", unit, request(), {})


def test_openvpn_server_clients_are_units_with_their_own_verdicts():
    server = model.new_tunnel("server", "openvpn", state="UP")
    server["openvpn"] = model.new_openvpn("server")
    up, gone = model.new_openvpn_client("client1"), model.new_openvpn_client("client3", "DOWN")
    up["real_address"] = "192.0.2.40"
    server["openvpn"]["clients"] = [up, gone]
    facts = dict(model.new_device("openvpn"), tunnels=[server])
    verdicts = reset_runner.unit_verdicts(facts, reset_runner.health.thresholds(), "gw")
    assert verdicts["client1"]["verdict"] == "OPERATIONAL" and verdicts["client3"]["verdict"] == "DOWN"
    assert verdicts["server"]["verdict"] == "DEGRADED"
    # the server's name selects its clients; a peer address selects the client there
    assert [u["name"] for u in reset_plan.select_tunnels(facts, {"name": "server"})] == [
        "client1", "client3"]
    assert [u["name"] for u in reset_plan.select_tunnels(facts, {"peer": "192.0.2.40"})] == ["client1"]
    plan = reset_plan.plan_resets("gw", facts, {"name": "server"}, verdicts, [])
    assert plan["reset"] == ["client3"] and plan["healthy_untouched"] == ["client1"]
    options = {"openvpn_management": "127.0.0.1:7505"}
    (command,) = reset_runner.unit_commands("openvpn", reset_plan.reset_units(facts)[1], request(), options)
    assert "kill client3" in command


def test_an_openvpn_client_tunnel_restarts_itself_with_sigusr1():
    client = model.new_tunnel("client", "openvpn", state="DOWN")
    client["openvpn"] = model.new_openvpn("client")
    options = {"openvpn_management": "127.0.0.1:7506"}
    (command,) = reset_runner.unit_commands("openvpn", client, request(), options)
    assert "signal SIGUSR1" in command and "kill" not in command
    with pytest.raises(VpnConfigError, match="openvpn_management"):
        reset_runner.unit_commands("openvpn", client, request(), {})


def test_a_device_that_cannot_be_read_after_the_reset_fails_with_a_message(monkeypatch):
    """The reset is sent, then every read fails: the host fails and says so (no traceback)."""
    from ansible_collections.vpnops.tunnels.plugins.module_utils.errors import VpnTransportError

    down = ipsec_tunnel("hq")
    down["state"] = "DOWN"
    down["children"][0]["state"] = "DOWN"
    facts = dict(model.new_device("strongswan"), tunnels=[down])
    reads, sent = [facts], []

    class FakeSession:
        broken, connection = False, object()

        def __init__(self, spec):
            self.spec = spec

        def __enter__(self):
            return self

        def __exit__(self, *exc_info):
            return False

        def run(self, command):
            sent.append(command)
            return ""

        def reopen(self):
            raise VpnTransportError("cannot reach gw")

    def read_device(session, platform, options, hostname=None):
        if reads:
            return reads.pop(), []
        raise VpnTransportError("cannot reach gw")

    monkeypatch.setattr(reset_runner, "Session", FakeSession)
    monkeypatch.setattr(reset_runner.gather, "read_device", read_device)
    clock = iter(range(0, 1000))
    run = reset_runner.ResetRun({}, "strongswan", "gw", {}, {"name": ["hq"], "wait_timeout": 5},
                                clock=lambda: next(clock), sleep=lambda seconds: None)
    result = run.run()
    assert sent and sent[0].startswith("/usr/sbin/swanctl --terminate --ike hq")
    assert result["failed"] is True
    assert "hq could not be read again" in result["msg"]
    assert result["tunnels"][0]["back"] is False and result["tunnels"][0]["after"] is None

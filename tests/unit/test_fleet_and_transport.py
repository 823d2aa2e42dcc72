"""Fleet mode's pure parts, and how a session sends a command: the result every device's
vpn_facts task would have given, and the prompt handling per device type."""

import pytest

from ansible_collections.vpnops.tunnels.plugins.module_utils import transport
from ansible_collections.vpnops.tunnels.plugins.module_utils.errors import (
    VpnParseError,
    VpnTransportError,
)
from ansible_collections.vpnops.tunnels.plugins.plugin_utils import fleet


def job(host):
    return fleet.Job(host, transport.connection_spec(host="192.0.2.1", device_type="cisco_ios"),
                     "cisco_ios", {"include_raw": True})


@pytest.mark.parametrize("raised,expected", [
    (VpnTransportError("authentication failed for a@192.0.2.1:22"),
     {"failed": True, "vpn_unreachable": True, "msg": "gw1: authentication failed for a@192.0.2.1:22"}),
    (VpnParseError("cisco_ios", "show crypto session detail", "a session", 3, "junk"), None),
    (RuntimeError("boom"), {"failed": True, "msg": "gw1: unexpected RuntimeError: boom"}),
])
def test_a_device_that_fails_is_a_result_never_an_exception(monkeypatch, raised, expected):
    def gather_device(*_args, **_kwargs):
        raise raised
    monkeypatch.setattr(fleet.gather, "gather_device", gather_device)
    result = fleet.gather_one(job("gw1"))
    if expected is None:
        assert result["failed"] is True and "vpn_unreachable" not in result
        assert result["msg"].startswith("gw1: ") and "cisco_ios" in result["msg"]
    else:
        assert result == expected


def test_the_fleet_result_sorts_hosts_by_outcome(monkeypatch):
    outcomes = {"ok1": {"changed": False, "ansible_facts": {"vpn": {"hostname": "ok1"}}},
                "down": {"failed": True, "vpn_unreachable": True, "msg": "down: cannot reach"},
                "bad": {"failed": True, "msg": "bad: cannot parse"}}
    result = fleet.fleet_result(outcomes)
    assert result[fleet.RESULT_KEY] == {"facts": {"ok1": {"hostname": "ok1"}},
                                        "failed": {"bad": "bad: cannot parse"},
                                        "unreachable": {"down": "down: cannot reach"}}
    assert result["msg"] == "gathered 1 of 3 hosts; 1 failed, 1 unreachable"


def test_gather_all_keeps_every_host_and_its_own_result(monkeypatch):
    def gather_device(spec, platform, options, hostname=None):
        if hostname == "bad":
            raise VpnTransportError("cannot reach")
        return {"hostname": hostname}, [("show x", "text of %s" % hostname)]
    monkeypatch.setattr(fleet.gather, "gather_device", gather_device)
    results = fleet.gather_all([job(name) for name in ("a", "bad", "c")], pool_size=2)
    assert list(results) == ["a", "bad", "c"]
    assert results["a"]["ansible_facts"]["vpn"] == {"hostname": "a"}
    assert results["c"]["raw_outputs"] == [{"command": "show x", "output": "text of c"}]
    assert results["bad"]["vpn_unreachable"] is True
    assert fleet.gather_all([], 50) == {}


class FakeConnection:
    def __init__(self):
        self.calls = []

    def send_command(self, command, **kwargs):
        self.calls.append(kwargs)
        return "output of " + command


@pytest.mark.parametrize("device_type,asks", [("cisco_ios", False), ("linux", False),
                                              ("mikrotik_routeros", True)])
def test_the_prompt_is_asked_for_only_where_netmiko_needs_it(device_type, asks):
    session = transport.Session.__new__(transport.Session)
    session.spec = transport.connection_spec(host="192.0.2.1", device_type=device_type)
    session.connection = FakeConnection()
    assert session.run("show x") == "output of show x"
    assert session.connection.calls[0]["auto_find_prompt"] is asks

"""Fleet mode's parts that need no device, and how a session sends a command: the result every device's
vpn_facts task would have given, and the prompt handling per device type."""

import os
import socket
import threading
import time

import netmiko
import pytest
from netmiko.channel import SSHChannel

from ansible_collections.vpnops.tunnels.plugins.module_utils import transport
from ansible_collections.vpnops.tunnels.plugins.module_utils.errors import (
    VpnConfigError,
    VpnParseError,
    VpnTransportError,
)
from ansible_collections.vpnops.tunnels.plugins.plugin_utils import fleet, fleet_result


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


def test_the_fleet_result_sorts_hosts_by_outcome():
    outcomes = {"ok1": {"changed": False, "ansible_facts": {"vpn": {"hostname": "ok1"}}},
                "down": {"failed": True, "vpn_unreachable": True, "msg": "down: cannot reach"},
                "bad": {"failed": True, "msg": "bad: cannot parse"}}
    result = fleet_result.build(outcomes)
    part = result[fleet_result.RESULT_KEY]
    assert isinstance(part["facts_json"], str)  # one value for Ansible to move, not thousands
    assert fleet_result.facts_of(part) == {"ok1": {"hostname": "ok1"}}
    assert part["failed"] == {"bad": "bad: cannot parse"}
    assert part["unreachable"] == {"down": "down: cannot reach"}
    assert result["msg"] == "gathered 1 of 3 hosts; 1 failed, 1 unreachable"
    assert fleet_result.is_result(result)
    assert not fleet_result.is_result({"vpn_fleet": {"facts": {}}})
    assert not fleet_result.is_result(part)


def test_gather_all_keeps_every_host_and_its_own_result(monkeypatch):
    def gather_device(spec, platform, options, hostname=None):
        if hostname == "bad":
            raise VpnTransportError("cannot reach")
        return {"hostname": hostname}, [("show x", "text of %s" % hostname)]
    monkeypatch.setattr(fleet.gather, "gather_device", gather_device)
    results = fleet.gather_all(("a", "bad", "c"), job, pool_size=2)
    assert list(results) == ["a", "bad", "c"]
    assert results["a"]["ansible_facts"]["vpn"] == {"hostname": "a"}
    assert results["c"]["raw_outputs"] == [{"command": "show x", "output": "text of c"}]
    assert results["bad"]["vpn_unreachable"] is True
    assert fleet.gather_all([], job, 50) == {}


def test_a_host_whose_options_are_wrong_fails_alone_and_jobs_are_made_as_queued(monkeypatch):
    """job_of runs in the gathering process's main thread, host after host, while the pool
    already gathers the first hosts."""
    monkeypatch.setattr(fleet.gather, "gather_device", fake_gather)
    made = []

    def job_of(host):
        made.append((host, threading.current_thread() is threading.main_thread()))
        if host == "typo":
            raise VpnConfigError("unknown platform 'ciscoo'")
        return job(host)
    results = fleet.gather_all(("a", "typo", "b"), job_of, pool_size=2)
    assert made == [("a", True), ("typo", True), ("b", True)]
    assert results["typo"] == {"failed": True, "msg": "typo: unknown platform 'ciscoo'"}
    assert results["a"]["ansible_facts"]["vpn"]["hostname"] == "a"
    assert results["b"]["ansible_facts"]["vpn"]["hostname"] == "b"


def fake_gather(spec, platform, options, hostname=None):
    """Facts that say which process gathered them."""
    if hostname.startswith("bad"):
        raise VpnTransportError("cannot reach")
    return {"hostname": hostname, "pid": os.getpid()}, []


@pytest.mark.parametrize("processes", [2, 3])
def test_forked_processes_gather_their_share_and_the_results_come_back_in_order(
        monkeypatch, processes):
    monkeypatch.setattr(fleet.gather, "gather_device", fake_gather)
    names = ["gw%02d" % number for number in range(12)] + ["bad1"]
    results = fleet.gather_all(names, job, pool_size=6, processes=processes)
    assert list(results) == names
    assert results["bad1"] == {"failed": True, "vpn_unreachable": True, "msg": "bad1: cannot reach"}
    pids = {results[name]["ansible_facts"]["vpn"]["pid"] for name in names[:-1]}
    assert len(pids) == processes and os.getpid() in pids
    single = fleet.gather_all(names, job, pool_size=6, processes=1)
    assert {name: result.get("ansible_facts", {}).get("vpn", {}).get("hostname")
            for name, result in results.items()} == {
        name: result.get("ansible_facts", {}).get("vpn", {}).get("hostname")
        for name, result in single.items()}


def test_a_process_that_dies_fails_its_own_devices_only(monkeypatch):
    parent = os.getpid()

    def dying_gather(spec, platform, options, hostname=None):
        if os.getpid() != parent:
            os._exit(3)  # the child dies as a crash would end it
        return {"hostname": hostname}, []
    monkeypatch.setattr(fleet.gather, "gather_device", dying_gather)
    names = ["gw%d" % number for number in range(6)]
    results = fleet.gather_all(names, job, pool_size=2, processes=2)
    assert [name for name in names if not results[name].get("failed")] == names[0::2]
    for name in names[1::2]:
        assert results[name] == {"failed": True, "msg": "%s: the process gathering it ended"
                                 " unexpectedly (exit status 3)" % name}


@pytest.mark.parametrize("jobs,processes,expected", [
    (10, 0, 1),     # a small fleet stays in one process
    (500, 0, 2),    # one per CPU (two here) from 50 devices each
    (120, 0, 2),
    (5, 8, 5),      # never more than one per device
    (500, 100, 50),  # nor more than the pool has threads
])
def test_how_many_processes(monkeypatch, jobs, processes, expected):
    started = []
    monkeypatch.setattr(fleet, "usable_cpus", lambda: 2)
    monkeypatch.setattr(fleet, "_fork_gather",
                        lambda share, _job_of, size: started.append(size) or share)
    monkeypatch.setattr(fleet, "_collect", lambda share, _hosts: {host: {} for host in share})
    monkeypatch.setattr(fleet, "_gather_threads", lambda share, _job_of, size: started.append(
        size) or {host: {} for host in share})
    fleet.gather_all(["gw%d" % n for n in range(jobs)], job, pool_size=50, processes=processes)
    assert len(started) == expected
    assert sum(started) == 50  # the pool is shared out, not multiplied


class ScriptedChannel:
    """A paramiko channel that receives the given chunks one per recv(), then nothing (or an
    end of stream); what the session sends is kept."""

    def __init__(self, chunks, closes=False):
        self.chunks = list(chunks)
        self.closes = closes
        self.closed = False
        self.eof_received = False
        self.sent = b""
        self.timeout = None

    def sendall(self, data):
        self.sent += data

    def recv_ready(self):  # netmiko's non-blocking read finds nothing: the read must wait
        return False

    def settimeout(self, timeout):
        self.timeout = timeout

    def recv(self, _size):
        if self.chunks:
            return self.chunks.pop(0)
        if self.closes:
            return b""
        time.sleep(min(self.timeout, 0.05))
        raise socket.timeout()


def session_over(chunks, device_type="cisco_ios", closes=False, timeout=5):
    """A Session whose netmiko connection is real but reads from a ScriptedChannel."""
    connection = netmiko.ConnectHandler(device_type=device_type, host="192.0.2.1",
                                        auto_connect=False)
    channel = ScriptedChannel(chunks, closes)
    connection.remote_conn = channel
    connection.channel = SSHChannel(channel, connection.encoding)
    connection.base_prompt = "edge-rtr1"
    session = transport.Session.__new__(transport.Session)
    session.spec = transport.connection_spec(host="192.0.2.1", device_type=device_type,
                                             timeout=timeout)
    session.connection, session.broken = connection, False
    return session, channel


def test_a_command_reads_past_its_echo_up_to_the_prompt_split_over_reads():
    session, channel = session_over([
        b"edge-rtr1#\r\n",  # a prompt left from before the echo must not end the read
        b"show crypto session\r\nCrypto session current status\r\n\r\nPeer: 19",
        b"8.51.100.7 port 500\r\n  Session status: UP-ACTIVE\r\nedge-rt",
        b"r1#"])
    assert session.run("show crypto session") == (
        "Crypto session current status\n\nPeer: 198.51.100.7 port 500\n"
        "  Session status: UP-ACTIVE")
    assert channel.sent == b"show crypto session\n"


def test_a_long_output_in_many_reads_comes_back_whole():
    lines = ["interface Tunnel%d, peer 203.0.113.%d" % (n, n % 250) for n in range(20000)]
    text = ("show x\r\n" + "\r\n".join(lines) + "\r\nedge-rtr1#").encode()
    session, _channel = session_over([text[i:i + 1000] for i in range(0, len(text), 1000)])
    assert session.run("show x").splitlines() == lines


def test_a_device_that_never_shows_its_prompt_times_out_and_is_not_logged_out():
    session, _channel = session_over([b"show x\r\nstill thinking\r\n"], timeout=1)
    started = time.monotonic()
    with pytest.raises(VpnTransportError, match="did not finish 'show x' within 1s"):
        session.run("show x")
    assert 0.9 <= time.monotonic() - started < 3 and session.broken


def test_a_device_that_closes_the_session_mid_command_is_a_transport_error():
    session, _channel = session_over([b"show x\r\npart"], closes=True)
    with pytest.raises(VpnTransportError, match="closed the session while running .show x."):
        session.run("show x")
    assert session.broken


class FakeConnection:
    def __init__(self):
        self.calls = []

    def send_command(self, command, **kwargs):
        self.calls.append(kwargs)
        return "output of " + command


def test_routeros_asks_for_the_prompt_before_each_command():
    # netmiko's RouterOS driver keeps its prompt without " >" and matches it only this way
    session = transport.Session.__new__(transport.Session)
    session.spec = transport.connection_spec(host="192.0.2.1", device_type="mikrotik_routeros")
    session.connection = FakeConnection()
    assert session.run("/ip ipsec active-peers print") == "output of /ip ipsec active-peers print"
    assert session.connection.calls[0].get("auto_find_prompt", True) is True

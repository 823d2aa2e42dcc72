"""The emulated devices over real SSH: netmiko sessions of every device type, the pager,
faults, resets, a 100-device fleet, and vpn_facts against every vendor module that exists.

Needs no root: fleets run in this process on 127.0.0.1. Most tests use StubVendor below,
so they do not wait for the real vendor modules (tests/lab/emulator/vendors/).
"""

import copy
import time
from multiprocessing.pool import ThreadPool

import pytest
import yaml
from netmiko.exceptions import NetmikoAuthenticationException, ReadException, ReadTimeout

from ansible_run import REPO, host_results, run_ansible
from emulated_fleet import (
    PROFILES,
    Fleet,
    RawShell,
    build_devices,
    connect,
    demo_inventory,
    load_vendor,
    new_device,
    reported_differences,
    vendor_platforms,
    wait_for,
)
from ansible_collections.vpnops.tunnels.plugins.module_utils import model

# netmiko's FortiOS driver insists on finite-field Diffie-Hellman, which cryptography deprecates.
pytestmark = pytest.mark.filterwarnings("ignore:Diffie-Hellman over finite fields")

DEVICE_TYPES = sorted(PROFILES)
GATHER_TASK = "Gather tunnel state from the device"  # in playbooks/facts.yml
LONG_LINES = 60  # more than two pages of cli_profiles.PAGE_LINES


class StubVendor:
    """A vendor module in miniature for one netmiko device type: two tunnels, a state
    command, a long command for the pager and a reset command."""

    TUNNELS = "show stub tunnels"
    LONG = "show stub long"
    RESET = "clear stub tunnel "
    REPORTED = {"tunnel": ("name", "state"), "child": ("name", "state", "spi_in", "spi_out")}

    def __init__(self, device_type):
        self.PLATFORM = "stub_" + device_type
        self.NETMIKO_DEVICE_TYPE = device_type

    def render(self, device, command):
        if command == self.TUNNELS:
            return "".join("%s %s %s\n" % (tunnel["name"], tunnel["state"], " ".join(
                "%s:%s:%s/%s" % (c["name"], c["state"], c["spi_in"], c["spi_out"])
                for c in tunnel["children"])) for tunnel in device.state())
        if command == self.LONG:
            return "".join("line %03d\n" % number for number in range(LONG_LINES))
        return None

    def reset(self, device, command):
        if not command.startswith(self.RESET):
            return None
        name = command[len(self.RESET):]
        names = device.take_down(command, lambda tunnel: tunnel["name"] == name)
        return "cleared %d tunnel(s)" % len(names)

    def example_tunnels(self, index):
        return [_stub_tunnel("vpn-%d-a" % index, "c0a80%03d" % index),
                _stub_tunnel("vpn-%d-b" % index, "c0a81%03d" % index)]


def _stub_tunnel(name, spi):
    tunnel = model.new_tunnel(name, "ipsec", state="ESTABLISHED", native_state="ESTABLISHED")
    child = model.new_child("net", state="INSTALLED", native_state="INSTALLED")
    child.update(sa_id="1", spi_in=spi, spi_out=spi[::-1], bytes_in=0, bytes_out=0,
                 packets_in=0, packets_out=0, installed_seconds=0)
    tunnel["children"].append(child)
    return tunnel


STUBS = {stub.PLATFORM: stub for stub in map(StubVendor, DEVICE_TYPES)}
IOS = "stub_cisco_ios"


def stub_device(name, platform=IOS, index=0, **settings):
    device = new_device(name, platform, index, STUBS[platform])
    for key, value in settings.items():
        setattr(device, key, value)
    return device


@pytest.fixture(scope="module")
def fleet():
    """One stub device per device type, and IOS devices with each fault, in one fleet."""
    devices = [stub_device("emu-%s" % STUBS[p].NETMIKO_DEVICE_TYPE.replace("_", "-"), p)
               for p in STUBS]
    devices += [stub_device("emu-" + fault.replace("_", "-"), faults={fault}, slow_seconds=1.0)
                for fault in ("hang", "drop", "garbage", "slow", "wrong_password")]
    devices.append(stub_device("emu-reset", reset_delay=0.5))
    with Fleet(devices, vendors=STUBS) as running:
        yield running


def by_type(fleet, device_type):
    return fleet.device("emu-" + device_type.replace("_", "-"))


def expected(fleet, device, command):
    """What netmiko returns for a command: the vendor's text without its last line end."""
    return fleet.vendor(device).render(device, command).rstrip("\n")


# --------------------------------------------------------------------------------------------
# netmiko sessions
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("device_type", DEVICE_TYPES)
def test_netmiko_prepares_a_session_and_reads_commands_exactly(fleet, device_type):
    device = by_type(fleet, device_type)
    with connect(fleet, device) as session:
        assert device.hostname in session.find_prompt()
        assert session.send_command(StubVendor.TUNNELS) == expected(fleet, device, StubVendor.TUNNELS)
        # netmiko turned paging off: a long output comes whole, with no pager text
        assert session.send_command(StubVendor.LONG) == expected(fleet, device, StubVendor.LONG)
        unknown = PROFILES[device_type].unknown_reply("frobnicate now", "").strip().splitlines()[-1]
        assert unknown in session.send_command("frobnicate now")


def test_linux_become_is_sudo_with_the_users_password(fleet):
    device = by_type(fleet, "linux")
    with connect(fleet, device, secret=device.password) as session:
        session.enable()
        assert session.find_prompt() == "root@%s:~#" % device.hostname
        assert session.send_command(StubVendor.TUNNELS) == expected(fleet, device, StubVendor.TUNNELS)
        session.exit_enable_mode()
        assert session.find_prompt().endswith("$")


@pytest.mark.parametrize("with_secret", [False, True], ids=["login-command", "enable-password"])
def test_asa_reaches_privileged_mode_with_or_without_an_enable_secret(fleet, with_secret):
    device = by_type(fleet, "cisco_asa")
    with connect(fleet, device, secret=device.password if with_secret else "") as session:
        assert session.find_prompt() == device.hostname + "#"
        assert "Current privilege level : 15" in session.send_command("show curpriv")


# --------------------------------------------------------------------------------------------
# The pager, seen from a raw shell that never turns it off
# --------------------------------------------------------------------------------------------
PAGED_TYPES = [t for t in DEVICE_TYPES if PROFILES[t].pager is not None]


@pytest.mark.parametrize("device_type", PAGED_TYPES)
def test_pager_shows_a_page_per_key_until_the_end(fleet, device_type):
    device = by_type(fleet, device_type)
    profile = PROFILES[device_type]
    prompt = profile.prompt(profile.start_mode, device.hostname, device.username)
    pager_start = profile.pager.split("{")[0]
    with RawShell(fleet, device) as shell:
        shell.read_until(prompt)
        shell.send(StubVendor.LONG + "\r")
        first = shell.read_until(pager_start)
        assert "line 023" in first and "line 024" not in first
        shell.send(" ")
        second = shell.read_until(pager_start)
        assert "line 047" in second and "line 048" not in second
        shell.send(" ")
        rest = shell.read_until(prompt)
        assert "line %03d" % (LONG_LINES - 1) in rest
        # each page starts by blanking the pager text: "\r<spaces>\r"
        lines = [line.rsplit("\r", 1)[-1] for line in (first + second + rest).split("\r\n")]
        lines = [line for line in lines if line.startswith("line ")]
        assert lines == ["line %03d" % n for n in range(LONG_LINES)]


def test_q_leaves_the_pager_and_routeros_login_options_turn_it_off(fleet):
    device = by_type(fleet, "cisco_ios")
    with RawShell(fleet, device) as shell:
        shell.read_until("#")
        shell.send(StubVendor.LONG + "\n")
        shell.read_until("--More--")
        shell.send("q")
        assert "line 024" not in shell.read_until(device.hostname + "#")
    routeros = by_type(fleet, "mikrotik_routeros")
    with RawShell(fleet, routeros, username=routeros.username + "+ct511w4098h") as shell:
        prompt = "[%s@%s] > " % (routeros.username, routeros.hostname)
        shell.read_until(prompt)
        shell.send(StubVendor.LONG + "\r\n")
        output = shell.read_until(prompt)
        assert "line %03d" % (LONG_LINES - 1) in output and "[Q quit" not in output


# --------------------------------------------------------------------------------------------
# Faults
# --------------------------------------------------------------------------------------------
def abandon(session):
    """Close a session without netmiko's logout, which would wait 10 s for a hung CLI."""
    session.paramiko_cleanup()


def test_hang_logs_in_but_never_answers_a_command(fleet):
    session = connect(fleet, fleet.device("emu-hang"))
    try:
        started = time.monotonic()
        with pytest.raises(ReadTimeout):
            session.send_command(StubVendor.TUNNELS, read_timeout=1)
        assert time.monotonic() - started < 5
    finally:
        abandon(session)


def test_drop_closes_the_channel_halfway_through_an_output(fleet):
    device = fleet.device("emu-drop")
    with RawShell(fleet, device) as shell:
        shell.read_until("#")
        shell.send(StubVendor.LONG + "\n")
        received = shell.read_to_eof()
    assert "line 000" in received and "line %03d" % (LONG_LINES - 1) not in received
    wait_for("the channel to close", lambda: shell.channel.closed, timeout=2)
    with connect(fleet, device) as session:
        with pytest.raises((ReadTimeout, ReadException, OSError)):
            session.send_command(StubVendor.TUNNELS, read_timeout=2)


def test_garbage_answers_state_commands_with_random_text(fleet):
    device = fleet.device("emu-garbage")
    with connect(fleet, device) as session:
        output = session.send_command(StubVendor.TUNNELS)
    assert output.strip() and output != expected(fleet, device, StubVendor.TUNNELS)
    assert "ESTABLISHED" not in output and "vpn-0-a" not in output


def test_slow_answers_correctly_after_its_delay(fleet):
    device = fleet.device("emu-slow")
    with connect(fleet, device) as session:
        started = time.monotonic()
        output = session.send_command(StubVendor.TUNNELS, read_timeout=10)
        elapsed = time.monotonic() - started
    assert output == expected(fleet, device, StubVendor.TUNNELS)
    assert elapsed >= device.slow_seconds


def test_wrong_password_refuses_even_the_right_password(fleet):
    with pytest.raises(NetmikoAuthenticationException):
        connect(fleet, fleet.device("emu-wrong-password"))


def test_a_healthy_device_works_while_its_neighbour_hangs(fleet):
    healthy = by_type(fleet, "cisco_ios")
    hung = connect(fleet, fleet.device("emu-hang"))
    try:
        with pytest.raises(ReadTimeout):
            hung.send_command(StubVendor.TUNNELS, read_timeout=0.5)
        with connect(fleet, healthy) as session:
            assert session.send_command(StubVendor.TUNNELS) == expected(
                fleet, healthy, StubVendor.TUNNELS)
    finally:
        abandon(hung)


# --------------------------------------------------------------------------------------------
# Resets
# --------------------------------------------------------------------------------------------
def test_a_reset_takes_the_tunnel_down_and_it_returns_with_new_spis(fleet):
    device = fleet.device("emu-reset")
    before = copy.deepcopy(device.tunnel("vpn-0-a"))
    with connect(fleet, device) as session:
        assert session.send_command(StubVendor.RESET + "vpn-0-a") == "cleared 1 tunnel(s)"
        assert "vpn-0-a DOWN" in session.send_command(StubVendor.TUNNELS)
    assert device.reset_log[-1] == (StubVendor.RESET + "vpn-0-a", ["vpn-0-a"])
    assert device.tunnel("vpn-0-b")["state"] == "ESTABLISHED"  # the other tunnel stays up
    wait_for("vpn-0-a to renegotiate", lambda: device.tunnel("vpn-0-a")["state"] == "ESTABLISHED",
             timeout=device.reset_delay + 5)
    after = device.tunnel("vpn-0-a")["children"][0]
    old = before["children"][0]
    assert after["state"] == "INSTALLED"
    assert after["spi_in"] != old["spi_in"] and after["spi_out"] != old["spi_out"]


# --------------------------------------------------------------------------------------------
# A fleet under load
# --------------------------------------------------------------------------------------------
def answers_correctly(fleet, device):
    with connect(fleet, device) as session:
        return session.send_command(StubVendor.TUNNELS) == expected(fleet, device, StubVendor.TUNNELS)


def test_a_hundred_devices_with_fifty_workers_all_answer():
    devices = [stub_device("emu-load-%d" % number, index=number) for number in range(100)]
    with Fleet(devices, vendors=STUBS) as load:
        started = time.monotonic()
        with ThreadPool(50) as pool:
            answers = pool.starmap(answers_correctly, [(load, device) for device in devices])
        elapsed = time.monotonic() - started
    print("\n100 devices, ThreadPool(50), netmiko connect + command: %.2f s" % elapsed)
    assert answers == [True] * len(devices)


# --------------------------------------------------------------------------------------------
# vpn_facts against the real vendor modules
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("platform", vendor_platforms())
def test_vpn_facts_equal_the_devices_own_state(platform, ansible_env, tmp_path):
    vendor = load_vendor(platform)
    devices = build_devices([platform], per_platform=2)
    inventory = tmp_path / "emulated.yml"
    with Fleet(devices) as fleet:
        fleet.write_inventory(inventory)
        done, records = run_ansible(ansible_env, "ansible-playbook", "vpnops.tunnels.facts",
                                    "-i", inventory)
        truth = {device.name: copy.deepcopy(device.state()) for device in devices}
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = host_results(records, task=GATHER_TASK)
    assert sorted(results) == sorted(truth), done.stdout[-3000:] + done.stderr[-3000:]
    for name, result in results.items():
        assert result["status"] == "ok", result.get("msg")
        gathered = result["ansible_facts"]["vpn"]["tunnels"]
        assert reported_differences(gathered, truth[name], vendor.REPORTED) == [], name


FAULT_MESSAGES = {
    "hang": "did not finish",
    "drop": "closed the session while running",
    "garbage": "cannot parse cisco_ios output",
    "wrong_password": "authentication failed for admin@127.0.0.1",
}


def test_each_faulty_device_fails_alone_with_a_clear_message(ansible_env, tmp_path):
    """One fleet, one device per fault and two healthy ones: the facts playbook gathers the
    healthy and the slow ones, fails every other host with its own reason, and stops nothing."""
    devices = build_devices(["cisco_ios"], per_platform=2)
    for index, fault in enumerate(sorted(FAULT_MESSAGES) + ["slow"]):
        faulty = build_devices(["cisco_ios"], per_platform=1)[0]
        faulty.name = "emu-%s-%d" % (fault.replace("_", "-"), index)
        faulty.faults, faulty.slow_seconds = {fault}, 1.0
        devices.append(faulty)
    inventory = tmp_path / "faults.yml"
    with Fleet(devices) as fleet:
        fleet.write_inventory(inventory)
        done, records = run_ansible(ansible_env, "ansible-playbook", "vpnops.tunnels.facts",
                                    "-i", inventory, "-e", "vpn_timeout=4")
    results = host_results(records, task=GATHER_TASK)
    assert sorted(results) == sorted(device.name for device in devices)
    for device in devices:
        result, fault = results[device.name], next(iter(device.faults), None)
        if fault in FAULT_MESSAGES:
            assert result["status"] in ("failed", "unreachable"), device.name
            assert FAULT_MESSAGES[fault] in result["msg"], (device.name, result["msg"])
            assert device.name in result["msg"]
        else:
            assert result["status"] == "ok", (device.name, result.get("msg"))
    assert "Print the fleet's tunnels" in done.stdout  # the play went on after the failures


def test_the_committed_demo_inventory_matches_the_fleet_plan():
    committed = (REPO / "tests" / "lab" / "emulated.yml").read_text()
    assert committed == demo_inventory(), (
        "regenerate it: python3 tests/lab/emulator/fleet.py inventory > tests/lab/emulated.yml")


# --------------------------------------------------------------------------------------------
# The lab's emulated fleet (lab.py up): reachable as tests/lab/emulated.yml says
# --------------------------------------------------------------------------------------------
@pytest.mark.lab
def test_the_lab_serves_its_emulated_devices_as_the_static_inventory_says(lab, ansible_env):
    inventory = REPO / "tests" / "lab" / "emulated.yml"
    groups = yaml.safe_load(inventory.read_text())["emulated"]["children"]
    planned = {name: dict(values, vpn_platform=group["vars"]["vpn_platform"])
               for group in groups.values() for name, values in group["hosts"].items()}
    status = lab.emulated_status()
    started = status["devices"]
    assert set(started) <= set(planned)
    assert {planned[name]["vpn_platform"] for name in set(planned) - set(started)} == set(
        status["not_started"])
    for name, device in started.items():
        assert (device["address"], device["port"]) == (planned[name]["ansible_host"],
                                                       planned[name]["ansible_port"])
    assert status["not_started"] == {}, status["not_started"]
    done, records = run_ansible(ansible_env, "ansible", "-i", inventory, ",".join(sorted(started)),
                                "-m", "vpnops.tunnels.vpn_facts")
    results = host_results(records)
    assert sorted(results) == sorted(started), done.stdout[-3000:] + done.stderr[-3000:]
    for name, result in results.items():
        assert result["status"] == "ok", (name, result.get("msg"))

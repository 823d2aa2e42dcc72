"""Helpers for tests of the emulated devices (tests/lab/emulator): import it, reach its
devices with netmiko or a raw shell, and compare gathered facts with a device's own state."""

import sys
import time

import netmiko
import paramiko

from ansible_run import REPO

LAB = REPO / "tests" / "lab"
if str(LAB) not in sys.path:
    sys.path.insert(0, str(LAB))  # the emulator is the package `emulator` inside tests/lab

from emulator.cli_profiles import PROFILES  # noqa: E402  (needs the path above)
from emulator.fleet import Fleet, build_devices, demo_inventory, new_device  # noqa: E402
from emulator.server import load_vendor  # noqa: E402

__all__ = ["PROFILES", "Fleet", "build_devices", "demo_inventory", "new_device", "load_vendor",
           "vendor_platforms", "connect", "netmiko_params", "RawShell", "wait_for",
           "reported_differences"]

VENDOR_DIR = LAB / "emulator" / "vendors"

# Model fields that move between two reads: counters grow, countdowns shrink.
GROWING = frozenset(("bytes_in", "bytes_out", "packets_in", "packets_out",
                     "established_seconds", "installed_seconds"))
SHRINKING = frozenset(("rekey_seconds", "reauth_seconds", "lifetime_seconds"))


def vendor_platforms():
    """Platforms that have a vendor module on disk right now (tests parametrize on this)."""
    return sorted(path.stem for path in VENDOR_DIR.glob("*.py") if path.stem != "__init__")


# --------------------------------------------------------------------------------------------
# Sessions
# --------------------------------------------------------------------------------------------
def netmiko_params(fleet, device, **overrides):
    """ConnectHandler arguments as the collection's transport builds them."""
    host, port = fleet.endpoint(device)
    params = {"device_type": fleet.vendor(device).NETMIKO_DEVICE_TYPE, "host": host,
              "port": port, "username": device.username, "password": device.password,
              "fast_cli": True, "use_keys": False, "allow_agent": False,
              "conn_timeout": 20, "auth_timeout": 20, "banner_timeout": 20}
    params.update(overrides)
    return params


def connect(fleet, device, **overrides):
    return netmiko.ConnectHandler(**netmiko_params(fleet, device, **overrides))


class RawShell:
    """An interactive shell with nothing done for us (no paging disabled, no prompt handling),
    to see exactly what the device sends."""

    def __init__(self, fleet, device, username=None, timeout=5.0):
        host, port = fleet.endpoint(device)
        self.timeout = timeout
        self.client = paramiko.SSHClient()
        self.client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        self.client.connect(host, port, username=username or device.username,
                            password=device.password, look_for_keys=False, allow_agent=False,
                            timeout=timeout)
        self.channel = self.client.invoke_shell(width=200, height=24)
        self.channel.settimeout(timeout)
        self.received = ""

    def send(self, text):
        self.channel.sendall(text.encode())

    def read_until(self, *endings):
        """Everything received up to and including the first of `endings`; what follows is kept
        for the next read. Raises TimeoutError with what came so far."""
        deadline = time.monotonic() + self.timeout
        while True:
            found = [(self.received.find(e), e) for e in endings if e in self.received]
            if found:
                index, ending = min(found)
                cut = index + len(ending)
                text, self.received = self.received[:cut], self.received[cut:]
                return text
            if time.monotonic() > deadline:
                raise TimeoutError("none of %r in %r" % (endings, self.received[-500:]))
            data = self.channel.recv(65536)
            if not data:
                raise EOFError("channel closed; received %r" % self.received[-500:])
            self.received += data.decode()

    def read_to_eof(self):
        """Everything until the device closes the channel."""
        chunks = [self.received]
        self.received = ""
        while True:
            data = self.channel.recv(65536)
            if not data:
                return "".join(chunks)
            chunks.append(data.decode())

    def close(self):
        self.client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def wait_for(what, condition, timeout, interval=0.05):
    """Poll condition() until it is true (the device's clock moves in real time: nothing to
    wait on but the clock)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %ss waiting for %s" % (timeout, what))
        time.sleep(interval)


# --------------------------------------------------------------------------------------------
# Facts versus device state
# --------------------------------------------------------------------------------------------
def field(record, path):
    """record['a']['b'] for path 'a.b' (None when a level is missing)."""
    for key in path.split("."):
        if record is None:
            return None
        record = record.get(key)
    return record


def field_difference(where, path, gathered, truth):
    """None if the gathered value agrees with the device's truth read after gathering."""
    leaf = path.rsplit(".", 1)[-1]
    if gathered is not None and truth is not None:
        if leaf in GROWING and gathered <= truth:
            return None
        if leaf in SHRINKING and gathered >= truth:
            return None
    if gathered == truth:
        return None
    return "%s %s: facts %r, device %r" % (where, path, gathered, truth)


def reported_differences(facts_tunnels, truth_tunnels, reported):
    """Every REPORTED field that differs between facts and the device's state."""
    differences = []
    facts_by_name = {tunnel["name"]: tunnel for tunnel in facts_tunnels}
    truth_by_name = {tunnel["name"]: tunnel for tunnel in truth_tunnels}
    if set(facts_by_name) != set(truth_by_name):
        differences.append("tunnels: facts %s, device %s" % (
            sorted(facts_by_name), sorted(truth_by_name)))
    for name in sorted(set(facts_by_name) & set(truth_by_name)):
        differences += _tunnel_differences(name, facts_by_name[name], truth_by_name[name],
                                           reported)
    return differences


def _tunnel_differences(name, gathered, truth, reported):
    differences = []
    for section, paths in reported.items():
        if section == "child":
            differences += _children_differences(name, gathered["children"], truth["children"],
                                                 paths)
            continue
        part_gathered = gathered if section == "tunnel" else gathered.get(section)
        part_truth = truth if section == "tunnel" else truth.get(section)
        for path in paths:
            differences.append(field_difference("%s %s" % (name, section), path,
                                                field(part_gathered, path), field(part_truth, path)))
    return [d for d in differences if d]


def _children_differences(name, gathered, truth, paths):
    gathered_by_name = {child["name"]: child for child in gathered}
    truth_by_name = {child["name"]: child for child in truth}
    if set(gathered_by_name) != set(truth_by_name):
        return ["%s children: facts %s, device %s" % (name, sorted(gathered_by_name),
                                                      sorted(truth_by_name))]
    differences = [
        field_difference("%s child %s" % (name, child), path, field(gathered_by_name[child], path),
                         field(truth_by_name[child], path))
        for child in sorted(truth_by_name) for path in paths]
    return [d for d in differences if d]

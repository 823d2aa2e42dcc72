"""A fleet of emulated devices: build it, serve it from a background thread, describe it.

In-process (tests, benchmarks), with tests/lab on sys.path:

    from emulator.fleet import Fleet, build_devices
    with Fleet(build_devices(["cisco_ios"], per_platform=2)) as fleet:   # free ports on 127.0.0.1
        fleet.write_inventory(path)

As a background process (lab.py), until SIGTERM or SIGINT:

    python3 tests/lab/emulator/fleet.py serve --platforms all --per-platform 2 --inventory FILE
    python3 tests/lab/emulator/fleet.py serve --platforms cisco_ios --count 500 --base-port 30000
    python3 tests/lab/emulator/fleet.py inventory > tests/lab/emulated.yml  # the demo inventory

A platform whose vendor module (vendors/<platform>.py) does not exist yet is logged and left
out; its devices keep their names and addresses, so the static inventory never changes.
"""

if __name__ == "__main__" and not __package__:
    # Run as a script: import this file again as emulator.fleet, inside its package.
    import sys
    from pathlib import Path

    sys.path[0] = str(Path(__file__).resolve().parents[1])
    from emulator.fleet import main

    sys.exit(main())

import argparse
import asyncio
import ipaddress
import json
import logging
import os
import signal
import sys
import threading
import zlib
from pathlib import Path

from .device import EmulatedDevice
from .server import EmulatorServer, VendorMissing, load_vendor, vendor_profile
from .cli_profiles import profile_for

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[3]

# The demo fleet of `lab.py up` and tests/lab/emulated.yml, in address order.
DEMO_PLATFORMS = ("cisco_ios", "cisco_asa", "juniper_srx", "fortinet", "paloalto_panos",
                  "mikrotik_routeros", "vyos", "libreswan", "strongswan_legacy", "wireguard")
SHORT_NAMES = {"cisco_ios": "ios", "cisco_asa": "asa", "juniper_srx": "srx", "fortinet": "fortigate",
               "paloalto_panos": "panos", "mikrotik_routeros": "routeros", "vyos": "vyos",
               "libreswan": "libreswan", "strongswan_legacy": "swan-legacy", "wireguard": "wireguard"}
DEMO_FIRST_ADDRESS = "198.18.1.11"  # lab.py puts 198.18.1.0/24 behind its management bridge
DEMO_PER_PLATFORM = 2
START_TIMEOUT = 30.0


# --------------------------------------------------------------------------------------------
# Building devices
# --------------------------------------------------------------------------------------------
def device_name(platform, number):
    """emu-ios-1, emu-ios-2, ...: short, since IOS shortens long prompts."""
    return "emu-%s-%d" % (SHORT_NAMES.get(platform, platform.replace("_", "-")), number)


def plan(platforms, per_platform):
    """[(name, platform, index)] in slot order: slot i gets the i-th address or port."""
    return [(device_name(platform, index + 1), platform, index)
            for platform in platforms for index in range(per_platform)]


def new_device(name, platform, index, vendor):
    profile = vendor_profile(vendor)
    return EmulatedDevice(name=name, platform=platform, hostname=name,
                          tunnels=vendor.example_tunnels(index), username=profile.default_user,
                          password=profile.default_user, seed=zlib.crc32(name.encode()))


def load_vendors(platforms):
    """({platform: vendor module}, {platform: why it is left out})."""
    vendors, missing = {}, {}
    for platform in platforms:
        try:
            vendors[platform] = load_vendor(platform)
        except VendorMissing as error:
            missing[platform] = str(error)
        except Exception as error:  # being written right now: a broken module is skipped too
            missing[platform] = "vendors/%s.py does not import: %s: %s" % (
                platform, type(error).__name__, error)
    for platform, reason in missing.items():
        log.warning("%s: devices not started: %s", platform, reason)
    return vendors, missing


def build_devices(platforms, per_platform=2, vendors=None):
    """EmulatedDevices, per_platform of each platform whose vendor module exists."""
    if vendors is None:
        vendors, _missing = load_vendors(platforms)
    return [new_device(name, platform, index, vendors[platform])
            for name, platform, index in plan(platforms, per_platform) if platform in vendors]


# --------------------------------------------------------------------------------------------
# Serving
# --------------------------------------------------------------------------------------------
class Fleet:
    """Devices served by one asyncio loop in a background thread.

    Every device on `host` with ports base_port, base_port+1, ... (base_port 0: free ports
    the system picks), or, with `addresses`, device i on addresses[i]:port.
    vendors: {platform: vendor module}; by default vendors/<platform>.py of each device.
    """

    def __init__(self, devices, host="127.0.0.1", base_port=0, addresses=None, port=22,
                 vendors=None):
        self.devices = list(devices)
        if addresses is not None and len(addresses) < len(self.devices):
            raise ValueError("%d addresses for %d devices" % (len(addresses), len(self.devices)))
        self._wanted = [(addresses[i], port) if addresses is not None
                        else (host, base_port + i if base_port else 0)
                        for i in range(len(self.devices))]
        self._vendors = dict(vendors or {})
        for device in self.devices:
            if device.platform not in self._vendors:
                self._vendors[device.platform] = load_vendor(device.platform)
        self._endpoints = {}
        self._loop = None
        self._thread = None
        self._server = None

    # --- life cycle ------------------------------------------------------------------------
    def start(self, timeout=START_TIMEOUT):
        """Returns once every device listens; raises what kept one from listening."""
        ready = threading.Event()
        failure = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, args=(ready, failure),
                                        name="emulated-fleet", daemon=True)
        self._thread.start()
        if not ready.wait(timeout):
            raise TimeoutError("the emulated fleet did not listen within %ss" % timeout)
        if failure:
            self._thread.join()
            raise failure[0]
        return self

    def stop(self):
        """Cut every connection and stop listening; returns when the thread has ended."""
        if self._thread is None:
            return
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def _run(self, ready, failure):
        asyncio.set_event_loop(self._loop)
        self._server = EmulatorServer()
        try:
            self._loop.run_until_complete(self._listen_all())
        except Exception as error:
            failure.append(error)
        ready.set()
        if not failure:
            self._loop.run_forever()
        self._loop.run_until_complete(self._server.close())
        self._cancel_sessions()
        self._loop.close()

    async def _listen_all(self):
        for device, (host, port) in zip(self.devices, self._wanted):
            bound = await self._server.listen(device, self._vendors[device.platform], host, port)
            self._endpoints[device.name] = (host, bound)

    def _cancel_sessions(self):
        tasks = asyncio.all_tasks(self._loop)
        for task in tasks:
            task.cancel()
        self._loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))

    # --- description -----------------------------------------------------------------------
    def endpoint(self, device):
        """(address, port) a device listens on, once started."""
        return self._endpoints[device.name]

    def vendor(self, device):
        return self._vendors[device.platform]

    def profile(self, device):
        return vendor_profile(self.vendor(device))

    def device(self, name):
        return next(device for device in self.devices if device.name == name)

    def inventory_hosts(self):
        """[(name, platform, device type, host vars)] of every device, as served."""
        return [(d.name, d.platform, self.vendor(d).NETMIKO_DEVICE_TYPE,
                 host_vars(self.profile(d), *self.endpoint(d), d.username, d.password))
                for d in self.devices]

    def write_inventory(self, path, group="emulated"):
        write_text_atomically(Path(path), inventory_yaml(self.inventory_hosts(), group))


# --------------------------------------------------------------------------------------------
# Ansible inventory (YAML written by hand: no PyYAML needed, comments kept)
# --------------------------------------------------------------------------------------------
def host_vars(profile, host, port, username, password):
    values = {"ansible_host": host, "ansible_port": port, "ansible_user": username,
              "ansible_password": password}
    if profile.become:
        values.update(ansible_become=True, ansible_become_password=password)
    return values


def inventory_yaml(hosts, group="emulated", header=None):
    """An inventory: `group` with one child group per platform (vpn_platform set there)."""
    lines = list(header or [
        "# Emulated vendor devices served by tests/lab/emulator/fleet.py (see its README.md).",
        "# vpn_facts runs on the controller and SSHes to ansible_host:ansible_port itself."])
    lines += ["%s:" % group, "  vars:", "    ansible_connection: local",
              '    ansible_python_interpreter: "{{ ansible_playbook_python }}"',
              "    # every fleet start makes a new host key",
              "    ansible_host_key_checking: false", "  children:"]
    platforms = list(dict.fromkeys(platform for _name, platform, _type, _vars in hosts))
    for platform in platforms:
        lines += ["    %s_%s:" % (group, platform), "      vars:",
                  "        vpn_platform: %s" % platform, "      hosts:"]
        for name, host_platform, _type, values in hosts:
            if host_platform == platform:
                lines.append("        %s:" % name)
                lines += ["          %s: %s" % (key, _yaml_scalar(value))
                          for key, value in values.items()]
    return "\n".join(lines) + "\n"


def _yaml_scalar(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value))  # a JSON string is a valid YAML scalar


def demo_inventory():
    """The committed tests/lab/emulated.yml: every demo device, whether its vendor exists yet."""
    hosts = []
    slots = plan(DEMO_PLATFORMS, DEMO_PER_PLATFORM)
    for (name, platform, _index), address in zip(slots, addresses_from(DEMO_FIRST_ADDRESS,
                                                                       len(slots))):
        profile = profile_for(collection_device_type(platform))
        hosts.append((name, platform, profile.device_type,
                      host_vars(profile, address, 22, profile.default_user, profile.default_user)))
    header = [
        "# Emulated vendor devices of the lab: `lab.py up` serves them from the namespace vl-emu",
        "# behind the management bridge (198.18.1.0/24). A platform without a vendor module in",
        "# tests/lab/emulator/vendors/ is not started yet: its hosts are unreachable.",
        "# Generated by: python3 tests/lab/emulator/fleet.py inventory > tests/lab/emulated.yml"]
    return inventory_yaml(hosts, header=header)


def collection_device_type(platform):
    """The netmiko device type the collection uses for a platform (its platform registry)."""
    ensure_collection_importable()
    from ansible_collections.vpnops.tunnels.plugins.module_utils import platforms
    return platforms.device_type(platform)


def addresses_from(first, count):
    start = ipaddress.ip_address(first)
    return [str(start + offset) for offset in range(count)]


def write_text_atomically(path, text):
    """Readers (lab.py waits for the file) never see half a file."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


def ensure_collection_importable():
    """Vendor modules build tunnels with the collection's model: make it importable as
    ansible_collections.vpnops.tunnels, through the same link tests/conftest.py makes."""
    try:
        import ansible_collections.vpnops.tunnels.plugins  # noqa: F401
        return
    except ImportError:
        pass
    source = REPO / ".build" / "src"
    link = source / "ansible_collections" / "vpnops" / "tunnels"
    if not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(REPO, link)
    sys.path.insert(0, str(source))


# --------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------
def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve a fleet until SIGTERM")
    serve.add_argument("--platforms", default="all",
                       help="comma separated collection platforms; all: %s" % ",".join(DEMO_PLATFORMS))
    serve.add_argument("--per-platform", type=int, default=DEMO_PER_PLATFORM)
    serve.add_argument("--count", type=int, help="devices of the one platform given (benchmarks)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--base-port", type=int, default=0, help="0: any free ports")
    serve.add_argument("--first-address", help="device i listens on FIRST+i:--port instead")
    serve.add_argument("--port", type=int, default=22)
    serve.add_argument("--inventory", help="write an Ansible inventory here once listening")
    serve.add_argument("--status", help="write a JSON status (devices, platforms left out) here")
    sub.add_parser("inventory", help="print the demo fleet's static inventory (emulated.yml)")
    args = parser.parse_args(argv)
    if args.command == "serve":
        args.platforms = DEMO_PLATFORMS if args.platforms == "all" else tuple(
            p.strip() for p in args.platforms.split(",") if p.strip())
        if args.count is not None:
            if len(args.platforms) != 1:
                parser.error("--count needs exactly one platform")
            args.per_platform = args.count
    return args


def serve(args):
    ensure_collection_importable()
    vendors, missing = load_vendors(args.platforms)
    slots = plan(args.platforms, args.per_platform)
    addresses = addresses_from(args.first_address, len(slots)) if args.first_address else None
    served = buildable_slots(slots, vendors, missing)
    devices = [device for _slot, device in served]
    fleet = Fleet(devices, host=args.host, base_port=args.base_port, port=args.port,
                  addresses=[addresses[slot] for slot, _device in served] if addresses else None,
                  vendors=vendors)
    # Block the stop signals before the loop thread starts, so only sigwait() sees them.
    stop_signals = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    fleet.start()
    try:
        if args.status:
            write_text_atomically(Path(args.status), status_json(fleet, missing))
        if args.inventory:
            fleet.write_inventory(args.inventory)
        log.info("serving %d devices; not started: %s", len(devices),
                 ", ".join(sorted(missing)) or "none")
        signal.sigwait(stop_signals)
    finally:
        fleet.stop()
    log.info("stopped")
    return 0


def buildable_slots(slots, vendors, missing):
    """[(slot number, device)] of the platforms whose example_tunnels() work; a platform whose
    vendor module fails here (it is being written) joins `missing` instead of stopping all."""
    served = []
    for platform in list(vendors):
        try:
            served += [(number, new_device(name, platform, index, vendors[platform]))
                       for number, (name, slot_platform, index) in enumerate(slots)
                       if slot_platform == platform]
        except Exception as error:
            missing[platform] = "vendors/%s.py cannot build its devices: %s: %s" % (
                platform, type(error).__name__, error)
            log.warning("%s: devices not started: %s", platform, missing[platform])
            del vendors[platform]
            served = [(number, device) for number, device in served if device.platform != platform]
    return sorted(served, key=lambda item: item[0])


def status_json(fleet, missing):
    return json.dumps({"pid": os.getpid(), "not_started": missing, "devices": {
        device.name: dict(zip(("address", "port"), fleet.endpoint(device)), platform=device.platform)
        for device in fleet.devices}}, indent=2)


def main(argv=None):
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("asyncssh").setLevel(logging.WARNING)
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.command == "inventory":
        sys.stdout.write(demo_inventory())
        return 0
    return serve(args)


if __name__ == "__main__":
    sys.exit(main())

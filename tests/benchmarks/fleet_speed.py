"""Fleet gathering speed: the emulated SSH gateways (tests/lab/emulator, served by a separate
process on 127.0.0.1), gathered three ways in one run, with the ratios printed:

  baseline   a plain netmiko ThreadPoolExecutor(50): connect, one command, disconnect
  fleet      ansible-playbook vpnops.tunnels.facts -e vpn_fleet_mode=true (vpn_fleet_facts)
  per-host   ansible-playbook vpnops.tunnels.facts -f 50 (vpn_facts, one task per host)

Targets (issue 7): fleet within 1.3x of the baseline, per-host within 2.2x.
Not a test: it prints a table.

    .venv/bin/python tests/benchmarks/fleet_speed.py [--sizes 100 500] [--platform cisco_ios]
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import netmiko
import yaml

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
FLEET = REPO / "tests" / "lab" / "emulator" / "fleet.py"
sys.path.insert(0, str(REPO / "tests" / "lab"))

from emulator.fleet import ensure_collection_importable, load_vendors  # noqa: E402  (the path above)

ensure_collection_importable()
from ansible_collections.vpnops.tunnels.plugins.module_utils import platforms  # noqa: E402


def serve(platform, count, workdir):
    """Start the emulator for count devices; returns (process, inventory path)."""
    inventory, status = workdir / "inventory.yml", workdir / "status.json"
    process = subprocess.Popen([sys.executable, str(FLEET), "serve", "--platforms", platform,
                                "--count", str(count), "--inventory", str(inventory),
                                "--status", str(status)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not inventory.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise SystemExit("the emulator did not start")
        time.sleep(0.1)
    return process, inventory


def hosts_of(inventory):
    """[(name, host vars with the group's vars), ...] of the inventory the emulator wrote."""
    data = yaml.safe_load(inventory.read_text())
    found = []

    def walk(group, inherited):
        variables = dict(inherited, **(group.get("vars") or {}))
        for name, host_vars in (group.get("hosts") or {}).items():
            found.append((name, dict(variables, **(host_vars or {}))))
        for child in (group.get("children") or {}).values():
            walk(child or {}, variables)

    for group in data.values():
        walk(group, {})
    return found


def baseline(hosts, platform, command):
    """A plain netmiko thread pool: connect, one command, disconnect."""
    device_type = platforms.device_type(platform)

    def one(host_vars):
        connection = netmiko.ConnectHandler(
            device_type=device_type, host=host_vars["ansible_host"],
            port=int(host_vars["ansible_port"]), username=host_vars["ansible_user"],
            password=host_vars["ansible_password"], fast_cli=True, use_keys=False,
            allow_agent=False)
        try:
            return bool(connection.send_command(command))
        finally:
            connection.disconnect()

    started = time.monotonic()
    with ThreadPoolExecutor(50) as pool:
        answers = list(pool.map(one, [h for _n, h in hosts]))
    return time.monotonic() - started, sum(answers)


def playbook(inventory, *extra):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(REPO / ".build" / "collections"),
               ANSIBLE_CONFIG=str(REPO / "tests" / "lab" / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    started = time.monotonic()
    done = subprocess.run([str(BIN / "ansible-playbook"), "vpnops.tunnels.facts", "-i",
                           str(inventory), *extra], env=env, capture_output=True, text=True,
                          check=False)
    elapsed = time.monotonic() - started
    # the recap has a line per host in both modes (the fleet strategy counts each host ok)
    recap = [line for line in done.stdout.splitlines() if re.search(r" : ok=\d+ ", line)]
    gathered = sum(1 for line in recap if re.search(r"unreachable=0 +failed=0 ", line))
    failed = len(recap) - gathered
    return elapsed, done.returncode, gathered, failed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500])
    parser.add_argument("--platform", default="cisco_ios",
                        help="an emulated platform whose gather commands include COMMAND")
    parser.add_argument("--command", default="show crypto session detail",
                        help="the one command of the baseline")
    args = parser.parse_args()
    if not (REPO / ".build" / "collections" / "ansible_collections" / "vpnops").exists():
        raise SystemExit("build the collection first: make collection")
    vendor = load_vendors([args.platform])[0][args.platform]
    tunnels = len(vendor.example_tunnels(0))
    command = args.command
    print("platform %s, %d tunnels per device; emulator in its own process; %d CPUs"
          % (args.platform, tunnels, os.cpu_count()))
    print("%-6s %-10s %9s %7s  %s" % ("hosts", "mode", "seconds", "ratio", "notes"))
    for size in args.sizes:
        workdir = Path(tempfile.mkdtemp(prefix="vpnops-fleet-"))
        process, inventory = serve(args.platform, size, workdir)
        try:
            hosts = hosts_of(inventory)
            base, answered = baseline(hosts, args.platform, command)
            print("%-6d %-10s %9.2f %7s  %d/%d answered"
                  % (size, "baseline", base, "1.00", answered, size))
            for mode, extra in (("fleet", ("-e", "vpn_fleet_mode=true")),
                                ("per-host", ("-f", "50"))):
                elapsed, code, gathered, failed = playbook(inventory, *extra)
                print("%-6d %-10s %9.2f %7.2f  rc=%d, %d gathered, %d failed"
                      % (size, mode, elapsed, elapsed / base, code, gathered, failed))
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

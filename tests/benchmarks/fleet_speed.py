"""Fleet gathering speed: the emulated SSH gateways (tests/lab/emulator, served by a separate
process on 127.0.0.1), gathered three ways in one run, with the ratios printed:

  baseline   a plain netmiko ThreadPoolExecutor(50): connect, one command, disconnect
  fleet      ansible-playbook vpnops.tunnels.facts -e vpn_fleet_mode=true (vpn_fleet_facts)
  per-host   ansible-playbook vpnops.tunnels.facts -f 50 (vpn_facts, one task per host)
  floor      the per-host play with vpn_facts replaced by an action that returns facts
             recorded from one real gather (floor/action_plugins): Ansible's own share

Targets (issue 7): fleet within 1.3x of the baseline, per-host within 2.2x. The last line
per size is a lower bound for per-host mode: it must do the floor's work and at least the
baseline's SSH work (client and emulator), on the same CPUs.
Not a test: it prints a table.

    .venv/bin/python tests/benchmarks/fleet_speed.py [--sizes 100 500] [--platform cisco_ios]
"""

import argparse
import copy
import json
import os
import re
import shutil
import resource
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
from ansible_collections.vpnops.tunnels.plugins.module_utils import (  # noqa: E402
    gather,
    platforms,
    transport,
)
from ansible_collections.vpnops.tunnels.plugins.plugin_utils.fleet import usable_cpus  # noqa: E402

FLOOR_ACTIONS = Path(__file__).resolve().parent / "floor" / "action_plugins"


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

    started, cpu = time.monotonic(), time.process_time()
    with ThreadPoolExecutor(50) as pool:
        answers = list(pool.map(one, [h for _n, h in hosts]))
    return time.monotonic() - started, time.process_time() - cpu, sum(answers)


def process_cpu(pid):
    """CPU seconds a running process has used so far (Linux /proc), or 0 elsewhere."""
    try:
        fields = Path("/proc/%d/stat" % pid).read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def floor_playbook(workdir, host_vars, platform):
    """The facts playbook's per-host play with vpn_facts replaced by recorded_facts, which
    returns what one real gather of the first device returned."""
    spec = transport.connection_spec(
        host_vars["ansible_host"], platforms.device_type(platform), host_vars["ansible_port"],
        host_vars["ansible_user"], host_vars["ansible_password"], host_key_checking=False)
    device, _outputs = gather.gather_device(spec, platform, gather.with_defaults({}))
    recorded = workdir / "recorded_facts.json"
    recorded.write_text(json.dumps(device))
    play = copy.deepcopy(yaml.safe_load((REPO / "playbooks" / "facts.yml").read_text())[0])
    play["hosts"] = "all"
    gather_task = play["tasks"][0]
    del gather_task["vpnops.tunnels.vpn_facts"]
    gather_task["recorded_facts"] = {"path": str(recorded)}
    path = workdir / "floor.yml"
    path.write_text(yaml.safe_dump([play], sort_keys=False))
    return path


def playbook(inventory, *extra, path="vpnops.tunnels.facts", **settings):
    """Run a playbook: (seconds, CPU seconds of ansible-playbook and its workers, rc,
    hosts gathered, hosts failed); settings are more environment variables."""
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(REPO / ".build" / "collections"),
               ANSIBLE_CONFIG=str(REPO / "tests" / "lab" / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               **settings)
    started, cpu = time.monotonic(), children_cpu()
    done = subprocess.run([str(BIN / "ansible-playbook"), str(path), "-i",
                           str(inventory), *extra], env=env, capture_output=True, text=True,
                          check=False)
    elapsed, cpu = time.monotonic() - started, children_cpu() - cpu
    # the recap has a line per host in both modes (the fleet strategy counts each host ok)
    recap = [line for line in done.stdout.splitlines() if re.search(r" : ok=\d+ ", line)]
    gathered = sum(1 for line in recap if re.search(r"unreachable=0 +failed=0 ", line))
    failed = len(recap) - gathered
    return elapsed, cpu, done.returncode, gathered, failed


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
    cpus = usable_cpus()
    print("platform %s, %d tunnels per device; emulator in its own process; %d CPUs"
          % (args.platform, tunnels, cpus))
    print("%-6s %-10s %9s %7s  %s" % ("hosts", "mode", "seconds", "ratio", "notes"))
    for size in args.sizes:
        workdir = Path(tempfile.mkdtemp(prefix="vpnops-fleet-"))
        process, inventory = serve(args.platform, size, workdir)
        try:
            hosts = hosts_of(inventory)
            emulator_cpu = process_cpu(process.pid)
            base, base_cpu, answered = baseline(hosts, args.platform, command)
            emulator_cpu = process_cpu(process.pid) - emulator_cpu
            print("%-6d %-10s %9.2f %7s  %d/%d answered"
                  % (size, "baseline", base, "1.00", answered, size))
            floor = floor_playbook(workdir, hosts[0][1], args.platform)
            runs = (("fleet", ("-e", "vpn_fleet_mode=true"), {}),
                    ("per-host", ("-f", "50"), {}),
                    ("floor", ("-f", "50"),
                     {"path": floor, "ANSIBLE_ACTION_PLUGINS": str(FLOOR_ACTIONS)}))
            cpu_of = {}
            for mode, extra, settings in runs:
                elapsed, cpu_of[mode], code, gathered, failed = playbook(
                    inventory, *extra, **settings)
                print("%-6d %-10s %9.2f %7.2f  rc=%d, %d gathered, %d failed"
                      % (size, mode, elapsed, elapsed / base, code, gathered, failed))
            bound = (cpu_of["floor"] + base_cpu + emulator_cpu) / cpus
            print("%-6d per-host >= (floor %.1f + pool %.1f + emulator %.1f CPU s) / %d CPUs"
                  " = %.2f s (%.2fx)" % (size, cpu_of["floor"], base_cpu, emulator_cpu, cpus,
                                         bound, bound / base))
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

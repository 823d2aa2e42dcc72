"""Health, compliance, redundancy and summary over a large generated fleet.

Tunnels are copies of the emulator vendors' example tunnels (healthy, degraded and down,
ten platforms), 100 per host. Prints best-of-3 wall and CPU times; a measurement, not a test.

    .venv/bin/python tests/benchmarks/health_speed.py [--tunnels 100000] [--healthy]
"""

import argparse
import copy
import importlib
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "lab"))
from emulator.fleet import ensure_collection_importable  # noqa: E402

ensure_collection_importable()
from ansible_collections.vpnops.tunnels.plugins.filter.fleet_summary import fleet_summary  # noqa: E402
from ansible_collections.vpnops.tunnels.plugins.filter.tunnel_health import tunnel_health  # noqa: E402
from ansible_collections.vpnops.tunnels.plugins.filter.tunnel_redundancy import tunnel_redundancy  # noqa: E402
from ansible_collections.vpnops.tunnels.plugins.filter.vpn_compliance import vpn_compliance  # noqa: E402
from ansible_collections.vpnops.tunnels.plugins.module_utils import model  # noqa: E402
from ansible_collections.vpnops.tunnels.plugins.plugin_utils import compliance, health  # noqa: E402

VENDORS = ("cisco_asa", "cisco_ios", "fortinet", "juniper_srx", "libreswan",
           "mikrotik_routeros", "paloalto_panos", "strongswan_legacy", "vyos", "wireguard")
TUNNELS_PER_HOST = 100


def example_tunnels(healthy_only):
    examples = []
    for platform in VENDORS:
        vendor = importlib.import_module("emulator.vendors." + platform)
        for tunnel in vendor.example_tunnels(0) + vendor.example_tunnels(1):
            if not healthy_only or health.tunnel_verdict(tunnel)["verdict"] == "OPERATIONAL":
                examples.append((platform, tunnel))
    return examples


def build_fleet(count, healthy_only):
    """{host: facts}; every third tunnel keeps its remote network so redundancy sets form."""
    examples, fleet = example_tunnels(healthy_only), {}
    for index in range(count):
        platform, tunnel = examples[index % len(examples)]
        host = "h%05d-%s" % (index // TUNNELS_PER_HOST, platform)
        device = fleet.setdefault(host, model.new_device(platform, host))
        tunnel = copy.deepcopy(tunnel)
        tunnel["name"] = "%s-%d" % (tunnel["name"], index)
        if index % 3:
            for child in tunnel["children"]:
                child["remote_ts"] = ["198.18.%d.%d/32" % (index // 256 % 256, index % 256)]
        device["tunnels"].append(tunnel)
    return fleet


def timed(label, work, repeat=3):
    best_wall = best_cpu = float("inf")
    result = None
    for _attempt in range(repeat):
        result = None  # the previous run's result is freed before this run, not during it
        wall, cpu = time.perf_counter(), time.process_time()
        result = work()
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    print("%-46s wall %6.3f s   cpu %6.3f s" % (label, best_wall, best_cpu))
    return result


def main():
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--tunnels", type=int, default=100000)
    cli.add_argument("--healthy", action="store_true", help="only OPERATIONAL example tunnels")
    args = cli.parse_args()
    fleet = build_fleet(args.tunnels, args.healthy)
    print("%d tunnels on %d hosts" % (sum(len(d["tunnels"]) for d in fleet.values()), len(fleet)))
    timed("tunnel_health filter, every host", lambda: [tunnel_health(d) for d in fleet.values()])
    timed("health + compliance (compliance.evaluate)", lambda: compliance.evaluate(fleet))
    findings = timed("vpn_compliance filter, default policy", lambda: vpn_compliance(fleet))
    timed("tunnel_redundancy filter", lambda: tunnel_redundancy(fleet))
    timed("fleet_summary filter with findings", lambda: fleet_summary(fleet, findings))
    print("%d findings" % len(findings))


if __name__ == "__main__":
    main()

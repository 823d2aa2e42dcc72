"""tunnel_events, traffic_rates, rate_alerts and tunnel_flaps over two snapshots of a large
generated fleet (health_speed.build_fleet), the second one 5 minutes later with counters grown,
2 % of child SAs rekeyed (new SPIs, fresh counters) and 1 % of IPsec tunnels down. Prints
best-of-N wall and CPU times; a measurement, not a test.

    .venv/bin/python tests/benchmarks/history_speed.py [--tunnels 100000] [--healthy]
"""

import argparse
import copy
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import health_speed as hs  # noqa: E402
from ansible_collections.vpnops.tunnels.plugins.filter.rate_alerts import rate_alerts  # noqa: E402
from ansible_collections.vpnops.tunnels.plugins.filter.traffic_rates import traffic_rates  # noqa: E402
from ansible_collections.vpnops.tunnels.plugins.filter.tunnel_events import tunnel_events  # noqa: E402
from ansible_collections.vpnops.tunnels.plugins.filter.tunnel_flaps import tunnel_flaps  # noqa: E402

COUNTERS = ("bytes_in", "bytes_out", "packets_in", "packets_out")
RULES = [{"name": "one-way", "kind": "inbound_below_while_outbound", "bps": 1},
         {"name": "busy", "kind": "bandwidth_above", "bps": 1000000, "hosts": "h0*"},
         {"name": "storm", "kind": "packets_above", "pps": 100, "tunnels": ["hub-*", "dc*"]}]


def snapshots(count, healthy):
    fleet = hs.build_fleet(count, healthy)
    for facts in fleet.values():
        facts["collected_at"] = "2026-11-21T18:00:00Z"
    previous = {"schema": "vpnops.tunnels/snapshot/1", "taken_at": "2026-11-21T18:00:00Z",
                "hosts": fleet, "errors": {}}
    current = copy.deepcopy(previous)
    current["taken_at"] = "2026-11-21T18:05:00Z"
    number = 0
    for facts in current["hosts"].values():
        facts["collected_at"] = "2026-11-21T18:05:01Z"
        for tunnel in facts["tunnels"]:
            number += 1
            for child in tunnel["children"]:
                rekeyed = number % 50 == 0 and child["spi_in"]
                if rekeyed:
                    child.update(spi_in="c0ffee%02x" % (number % 256), spi_out="beef%04x" % (number % 65536),
                                 installed_seconds=40)
                for key in COUNTERS:
                    if child[key] is not None:
                        child[key] = 4000 if rekeyed else child[key] + 30000
            if number % 100 == 0 and tunnel["type"] == "ipsec":
                tunnel["state"] = "CONNECTING"
                for child in tunnel["children"]:
                    child["state"] = "DOWN"
    return previous, current


def main():
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--tunnels", type=int, default=100000)
    cli.add_argument("--healthy", action="store_true", help="only OPERATIONAL example tunnels")
    args = cli.parse_args()
    previous, current = snapshots(args.tunnels, args.healthy)
    print("%d tunnels on %d hosts, in two snapshots" % (
        sum(len(f["tunnels"]) for f in current["hosts"].values()), len(current["hosts"])))
    events = hs.timed("tunnel_events", lambda: tunnel_events(previous, current))
    rows = hs.timed("traffic_rates", lambda: traffic_rates(previous, current))
    alerts = hs.timed("rate_alerts, 3 rules", lambda: rate_alerts(rows, RULES))
    flaps = hs.timed("tunnel_flaps, 2 snapshots", lambda: tunnel_flaps([previous, current]))
    print("%d events, %d rate rows, %d alerts, %d flap rows" % (len(events), len(rows), len(alerts), len(flaps)))


if __name__ == "__main__":
    main()

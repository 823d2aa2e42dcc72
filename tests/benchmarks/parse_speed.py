"""Parser throughput per platform on generated outputs of 1k, 10k and 50k tunnels.

Each platform's output is produced by its emulator renderer (tests/lab/emulator/vendors), in
the vendor's real format, from that vendor's example tunnels copied with unique names and
peer addresses. Prints a table; it is a measurement, not a test.

    .venv/bin/python tests/benchmarks/parse_speed.py [--sizes 1000 10000 50000] [PLATFORM ...]
"""

import argparse
import copy
import importlib
import sys
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "lab"))
from emulator.device import EmulatedDevice  # noqa: E402
from emulator.fleet import ensure_collection_importable  # noqa: E402

ensure_collection_importable()
from ansible_collections.vpnops.tunnels.plugins.module_utils import gather, parsers  # noqa: E402


def vendor_platforms():
    folder = REPO / "tests" / "lab" / "emulator" / "vendors"
    return sorted(path.stem for path in folder.glob("*.py") if not path.stem.startswith("_"))


def address(index):
    """A distinct peer address per tunnel, inside 198.18.0.0/15."""
    return "198.%d.%d.%d" % (18 + index // 65536, index // 256 % 256, index % 256)


def scaled_tunnels(vendor, count):
    base = [t for t in vendor.example_tunnels(0) if t["state"] in ("ESTABLISHED", "UP")] \
        or vendor.example_tunnels(0)
    tunnels = []
    for index in range(count):
        tunnel = copy.deepcopy(base[index % len(base)])
        tunnel["name"] = "%s-%d" % (tunnel["name"], index)
        if tunnel.get("ike"):
            tunnel["ike"]["remote"]["address"] = address(index)
        tunnels.append(tunnel)
    return tunnels


def measure(platform, count):
    vendor = importlib.import_module("emulator.vendors.%s" % platform)
    parser = parsers.parser_for(platform)
    device = EmulatedDevice("bench", platform, "bench", scaled_tunnels(vendor, count))
    outputs = [(command, vendor.render(device, command))
               for command in parser.gather_commands(dict(gather.DEFAULT_OPTIONS))]
    size = sum(len(text or "") for _command, text in outputs)
    started = time.perf_counter()
    result = parsers.parse_outputs(platform, outputs)
    seconds = time.perf_counter() - started
    # memory in a second run: tracemalloc slows Python down several times over
    tracemalloc.start()
    parsers.parse_outputs(platform, outputs)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"bytes": size, "seconds": seconds, "peak": peak, "tunnels": len(result["tunnels"])}


def main():
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("platforms", nargs="*")
    cli.add_argument("--sizes", nargs="+", type=int, default=[1000, 10000, 50000])
    args = cli.parse_args()
    platforms = args.platforms or vendor_platforms()
    print("%-18s %7s %9s %9s %9s %10s %8s" % (
        "platform", "tunnels", "MB", "seconds", "s/1k", "peak MB", "parsed"))
    for platform in platforms:
        per_thousand = []
        for size in args.sizes:
            row = measure(platform, size)
            per_thousand.append(row["seconds"] / size * 1000)
            print("%-18s %7d %9.1f %9.3f %9.4f %10.1f %8d" % (
                platform, size, row["bytes"] / 1e6, row["seconds"], per_thousand[-1],
                row["peak"] / 1e6, row["tunnels"]))
        print("%-18s linearity (s/1k at largest / smallest): %.2f" % (
            platform, per_thousand[-1] / per_thousand[0]))


if __name__ == "__main__":
    main()

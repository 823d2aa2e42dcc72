# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parse throughput per platform, and against TextFSM, on outputs of 1k to 50k tunnels.

A measurement that prints tables, not a test (tests/benchmarks/README.md has the targets):
1. Every platform: all of its gather commands, in the vendor's format (generate.py), parsed
   and merged by parse_outputs as vpn_facts does: MB of text, CPU seconds, ms per 1k
   tunnels, peak memory (a child process per case), tunnels parsed; then the linearity, the
   time per 1k tunnels at the largest size over that at the smallest (target <= 1.1).
2. Every gather command that ntc-templates has a template for: our parse_output of that one
   command, bare TextFSM (textfsm.TextFSM(template).ParseText) and ntc-templates'
   parse_output on the same text (target: ours >= 3x bare TextFSM on cisco_ios
   `show crypto session detail` at 10k tunnels).

Times are CPU seconds (user and system) of this process, the best of three runs at every
size alike (a single run of the largest size against the best of several small ones would
count the machine's noise against the largest): every parse is single-threaded, and CPU time
is not stretched by other work on the machine. The
system part, mostly the kernel's first touch of fresh memory, is also shown apart, and the
linearity is given on user time as well: what the parser's own algorithm does.

    .venv/bin/python tests/benchmarks/parse_speed.py [--sizes 1000 10000 50000]
        [--platforms cisco_ios openvpn ...] [--no-memory] [--textfsm-only | --no-textfsm]
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import subprocess
import sys
import tempfile
import tracemalloc
from pathlib import Path

import ntc_templates
import textfsm
from ntc_templates.parse import parse_output as ntc_parse_output
from textfsm import clitable

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.vpnops.tunnels.plugins.module_utils import parsers, platforms  # noqa: E402  pylint: disable=wrong-import-position

LINEARITY_TARGET = 1.1      # ms per 1k tunnels at the largest size / at the smallest
TEXTFSM_TARGET = 3.0        # bare TextFSM's time / ours
TEXTFSM_TARGET_CASE = ("cisco_ios", "show crypto session detail", 10000)
REPEATS = 3                 # runs of every measurement, the fastest counts
NTC_TEMPLATE_DIR = Path(ntc_templates.__file__).parent / "templates"


# --- measuring -------------------------------------------------------------------------------

def cpu_seconds(work):
    """(CPU seconds, of which system, result) of the fastest of REPEATS runs of work().
    System time is mostly the kernel handing out fresh memory pages, which a repeated small
    run gets back from its previous run for free."""
    best, result = (float("inf"), 0.0), None
    for _run in range(REPEATS):
        result = None  # the previous result is freed before the next run, not during it
        gc.collect()
        started = resource.getrusage(resource.RUSAGE_SELF)
        result = work()
        ended = resource.getrusage(resource.RUSAGE_SELF)
        user, system = ended.ru_utime - started.ru_utime, ended.ru_stime - started.ru_stime
        best = min(best, (user + system, system))
    return best[0], best[1], result


def peak_memory(platform, outputs):
    """Bytes the parse of outputs adds at its peak, measured in a child process that holds
    nothing but the text (see report_peak_memory)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8") as handle:
        json.dump([platform, outputs], handle)
        handle.flush()
        child = subprocess.run([sys.executable, __file__, "--peak-memory-of", handle.name],
                               capture_output=True, text=True, check=True)
    return json.loads(child.stdout)["peak_bytes"]


def report_peak_memory(path):
    """Child process: parse the outputs in path once, print the peak memory it added.

    Linux: the peak resident size is reset (/proc/self/clear_refs) once the text is loaded,
    and read back (VmHWM) after the parse. Elsewhere tracemalloc's peak, which counts Python
    allocations only. The text itself is not counted; the parsed model is.
    """
    with open(path, encoding="utf-8") as handle:
        platform, outputs = json.load(handle)
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear_refs:
            clear_refs.write("5")  # 5: reset the peak resident set size to the current size
        before = _proc_status_kib("VmRSS")
        parsers.parse_outputs(platform, outputs)
        peak = (_proc_status_kib("VmHWM") - before) * 1024
    except OSError:
        tracemalloc.start()
        parsers.parse_outputs(platform, outputs)
        peak = tracemalloc.get_traced_memory()[1]
    print(json.dumps({"peak_bytes": peak}))


def _proc_status_kib(field):
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise OSError("no %s in /proc/self/status" % field)


def parsed_count(device):
    """Tunnels parsed; an OpenVPN server counts its clients (each one a tunnel of its own)."""
    return sum(len(tunnel["openvpn"]["clients"]) if tunnel.get("openvpn") else 1
               for tunnel in device["tunnels"])


def children_count(device):
    return sum(len(tunnel["children"]) for tunnel in device["tunnels"])


# --- 1. every platform, every gather command, parsed and merged ------------------------------

def platform_row(platform, count, memory):
    outputs = generate.outputs(platform, count)
    row = {"platform": platform, "tunnels": count,
           "mb": sum(len(text or "") for _command, text in outputs) / 1e6}
    row["seconds"], row["system"], device = cpu_seconds(lambda: parsers.parse_outputs(platform, outputs))
    row["parsed"] = parsed_count(device)
    device = None
    row["peak_mb"] = peak_memory(platform, outputs) / 1e6 if memory else None
    return row


def print_platform_table(platform_names, sizes, memory):
    print("1. parse_outputs: every gather command of a device, parsed and merged")
    print("%-18s %7s %8s %8s %7s %8s %8s %8s" % (
        "platform", "tunnels", "MB", "CPU s", "sys s", "ms/1k", "peak MB", "parsed"))
    linearity = {}
    for platform in platform_names:
        rows = []
        for count in sizes:
            rows.append(platform_row(platform, count, memory))
            print(_platform_line(rows[-1]), flush=True)
        linearity[platform] = _growth(rows[0], rows[-1], "seconds"), _growth(rows[0], rows[-1], "user")
        line = "%-18s linearity %d/%d: %.2f, user time only: %.2f" % (
            (platform, sizes[-1], sizes[0]) + linearity[platform])
        if len(rows) > 2:  # beyond the CPU caches, algorithmic growth shows between the largest
            line += "; %d/%d: %.2f" % (sizes[-1], sizes[-2], _growth(rows[-2], rows[-1], "seconds"))
        print(line)
    return linearity


def _platform_line(row):
    return "%-18s %7d %8.1f %8.3f %7.3f %8.1f %8s %8d" % (
        row["platform"], row["tunnels"], row["mb"], row["seconds"], row["system"],
        row["seconds"] / row["tunnels"] * 1e6,
        "-" if row["peak_mb"] is None else "%.1f" % row["peak_mb"], row["parsed"])


def _growth(smaller, larger, measure):
    """Time per tunnel at the larger size over that at the smaller; measure: 'seconds' (user
    and system) or 'user'."""
    def per_tunnel(row):
        seconds = row["seconds"] - row["system"] if measure == "user" else row["seconds"]
        return seconds / row["tunnels"]
    return per_tunnel(larger) / per_tunnel(smaller)


# --- 2. one command, the same text: ours against TextFSM -------------------------------------

def textfsm_cases(platform_names):
    """([(platform, command, template file)], [(platform, command)] without a template): the
    gather commands ntc-templates' index knows, for its platform name (netmiko's device type)."""
    index = clitable.CliTable("index", str(NTC_TEMPLATE_DIR))
    cases, without = [], []
    for platform in platform_names:
        for command in generate.gather_commands(platform):
            row = index.index.GetRowMatch({"Platform": platforms.device_type(platform),
                                           "Command": command})
            if row:
                cases.append((platform, command, index.index.index[row]["Template"]))
            else:
                without.append((platform, parsers.parser_for(platform).command_key(command)))
    return cases, without


def bare_textfsm(template, text):
    with open(NTC_TEMPLATE_DIR / template, encoding="utf-8") as handle:
        return textfsm.TextFSM(handle).ParseText(text)


def textfsm_row(platform, command, template, count):
    text = generate.command_output(platform, command, count)
    row = {"mb": len(text) / 1e6}
    row["ours"], _system, device = cpu_seconds(lambda: parsers.parse_output(platform, command, text))
    row["parsed"] = "%d/%d" % (parsed_count(device), children_count(device))
    device = None
    try:
        row["textfsm"], _system, records = cpu_seconds(lambda: bare_textfsm(template, text))
        row["records"] = len(records)
        row["ntc"], _system, _rows = cpu_seconds(lambda: ntc_parse_output(
            platform=platforms.device_type(platform), command=command, data=text))
    except textfsm.TextFSMError as error:
        row["error"] = str(error).splitlines()[0]
    return row


def print_textfsm_table(platform_names, sizes):
    cases, without = textfsm_cases(platform_names)
    print("\n2. one command, same text: ours (parse_output) vs bare TextFSM and ntc-templates'"
          " parse_output, with ntc-templates' template")
    print("%-10s %-30s %7s %7s %8s %9s %8s %8s %8s %11s %8s" % (
        "platform", "command", "tunnels", "MB", "ours s", "textfsm s", "ntc s", "tfsm/us",
        "ntc/us", "tun/child", "records"))
    ratios = {}
    for platform, command, template in cases:
        for count in sizes:
            row = textfsm_row(platform, command, template, count)
            print(_textfsm_line(platform, command, count, row), flush=True)
            if row.get("records"):
                ratios[(platform, command, count)] = row["textfsm"] / row["ours"]
    print("(tun/child: tunnels and child SAs we parse; records: the template's rows)")
    print("no ntc-templates template: %s" % (
        "; ".join("%s %s" % pair for pair in without) or "-"))
    return ratios


def _textfsm_line(platform, command, count, row):
    start = "%-10s %-30s %7d %7.1f %8.3f" % (platform, command[:30], count, row["mb"], row["ours"])
    if "error" in row:
        return "%s  TextFSM rejects this text: %s" % (start, row["error"])
    if not row["records"]:
        return "%s  the template reads nothing from this layout (we parse %s)" % (
            start, row["parsed"])
    return "%s %9.3f %8.3f %8.1f %8.1f %11s %8d" % (
        start, row["textfsm"], row["ntc"], row["textfsm"] / row["ours"], row["ntc"] / row["ours"],
        row["parsed"], row["records"])


# --- targets -----------------------------------------------------------------------------------

def print_targets(linearity, ratios):
    print("\ntargets")
    for platform, (total, user) in sorted((linearity or {}).items()):
        print("  %-18s linearity %.2f, user time %.2f  %s (<= %.1f)" % (
            platform, total, user, "met" if round(total, 2) <= LINEARITY_TARGET else "MISSED", LINEARITY_TARGET))
    if TEXTFSM_TARGET_CASE in (ratios or {}):
        platform, command, count = TEXTFSM_TARGET_CASE
        value = ratios[TEXTFSM_TARGET_CASE]
        print("  %s %s at %d: %.2fx faster than bare TextFSM  %s (>= %.0fx)" % (
            platform, command, count, value, "met" if value >= TEXTFSM_TARGET else "MISSED",
            TEXTFSM_TARGET))


def main():
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--sizes", nargs="+", type=int, default=[1000, 10000, 50000],
                     help="tunnels per device (default: 1000 10000 50000)")
    cli.add_argument("--platforms", nargs="+", choices=generate.platforms(), metavar="PLATFORM",
                     default=generate.platforms(), help="default: all %d" % len(generate.platforms()))
    cli.add_argument("--no-memory", action="store_true", help="skip the peak-memory runs")
    cli.add_argument("--textfsm-only", action="store_true", help="only the TextFSM comparison")
    cli.add_argument("--no-textfsm", action="store_true", help="skip the TextFSM comparison")
    cli.add_argument("--peak-memory-of", help=argparse.SUPPRESS)  # the child process's input
    args = cli.parse_args()
    if args.peak_memory_of:
        report_peak_memory(args.peak_memory_of)
        return
    sizes = sorted(args.sizes)
    linearity = None
    if not args.textfsm_only:
        linearity = print_platform_table(args.platforms, sizes, not args.no_memory)
    ratios = None if args.no_textfsm else print_textfsm_table(args.platforms, sizes)
    print_targets(linearity, ratios)


if __name__ == "__main__":
    main()

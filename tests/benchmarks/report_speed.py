# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Report renderers over a large generated fleet: rows, CSV and HTML render times in Python,
and, when Chromium and chromedriver are installed, the filter time per keystroke in the page.

Tunnels are copies of the emulator vendors' example tunnels (health_speed.build_fleet), with
a traffic_rates row and a tunnel_flaps row for each. Targets: CSV + HTML <= 2 s at 10,000
tunnels; < 100 ms per filter keystroke on 10,000 rows. A measurement, not a test.

    .venv/bin/python tests/benchmarks/report_speed.py [--sizes 1000 10000] [--no-browser]

In the browser each keystroke sets a filter box and calls the page's own filter function
(window.vpnReport.applyFilters) between two performance.now() calls; "with layout" also
reads the table's height, which forces the style and layout work the keystroke causes.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from health_speed import build_fleet  # noqa: E402  (also makes the collection importable)

from ansible_collections.vpnops.tunnels.plugins.filter.report_csv import report_csv  # noqa: E402
from ansible_collections.vpnops.tunnels.plugins.filter.report_html import report_html  # noqa: E402
from ansible_collections.vpnops.tunnels.plugins.filter.report_rows import report_rows  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
GENERATED_AT = None  # now: build_fleet stamps the facts with the current time
# (filter box, text typed one character at a time)
KEYSTROKES = (("name", "hub-1"), ("state", "establ"), ("host", "h0004"), (None, "203.0.113"))
ROW_TARGET_SECONDS = 2.0
KEYSTROKE_TARGET_MS = 100.0


def side_inputs(fleet):
    """A traffic_rates row and a tunnel_flaps row per tunnel, with plausible numbers."""
    rates, flaps = [], []
    for number, (host, facts) in enumerate(sorted(fleet.items())):
        for index, tunnel in enumerate(facts["tunnels"]):
            seed = number * 131 + index
            rates.append({"host": host, "tunnel": tunnel["name"], "child": None, "seconds": 300.0,
                          "bps_in": seed * 17.5, "bps_out": seed * 9.25, "pps_in": seed / 4.0,
                          "pps_out": seed / 8.0, "counter_reset": seed % 97 == 0, "note": None})
            flaps.append({"host": host, "tunnel": tunnel["name"], "flaps": seed % 5,
                          "snapshots": 12, "last_change": "2026-01-01T00:0%d:00Z" % (seed % 6)})
    return rates, flaps


def best_of(work, repeat=3):
    best, result = float("inf"), None
    for _attempt in range(repeat):
        start = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - start)
    return best, result


def python_times(count):
    fleet = build_fleet(count, False)
    rates, flaps = side_inputs(fleet)
    rows_s, rows = best_of(lambda: report_rows(fleet, rates=rates, flaps=flaps))
    csv_s, _csv = best_of(lambda: report_csv(rows))
    html_s, html = best_of(lambda: report_html(rows, title="VPN tunnels",
                                               generated_at=GENERATED_AT))
    return {"tunnels": len(rows), "rows": rows_s, "csv": csv_s, "html": html_s,
            "csv_html": csv_s + html_s, "mb": len(html.encode("utf-8")) / 1e6}, html


def browser_missing():
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.path.exists(path)]
    if missing:
        return "not installed: %s (apt-get install chromium chromium-driver)" % ", ".join(missing)
    if importlib.util.find_spec("selenium") is None:
        return "the Python package selenium is missing (pip install selenium)"
    return None


def new_driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--window-size=1600,1000"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


# One call per keystroke; the page's state (other boxes) is as the previous keystrokes left it.
_KEYSTROKE_JS = """
var box = arguments[0] === null ? document.getElementById('filter-all')
  : document.querySelector('#tunnels thead input[data-col="' + arguments[0] + '"]');
box.value = arguments[1];
var start = performance.now();
var shown = window.vpnReport.applyFilters();
var filtered = performance.now();
var height = document.getElementById('tunnels').offsetHeight;
var laidOut = performance.now();
return [filtered - start, laidOut - start, shown, height];
"""


def browser_times(html):
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "report.html"
        page.write_text(html, encoding="utf-8")
        driver = new_driver()
        try:
            start = time.perf_counter()
            driver.get(page.as_uri())
            driver.execute_script("return document.getElementById('tunnels').offsetHeight")
            load_s = time.perf_counter() - start
            keys = driver.execute_script("return window.vpnReport.keys")
            filter_ms, layout_ms = [], []
            for key, text in KEYSTROKES:
                column = None if key is None else keys.index(key)
                for end in list(range(1, len(text) + 1)) + [0]:  # type it, then clear it
                    spent, with_layout, _shown, _height = driver.execute_script(
                        _KEYSTROKE_JS, column, text[:end])
                    filter_ms.append(spent)
                    layout_ms.append(with_layout)
            sort_ms = driver.execute_script(
                "var start = performance.now(); window.vpnReport.sortBy(arguments[0], 'descending');"
                " document.getElementById('tunnels').offsetHeight;"
                " return performance.now() - start;", keys.index("bytes_in"))
        finally:
            driver.quit()
    return {"load_s": load_s, "filter_ms": filter_ms, "layout_ms": layout_ms, "sort_ms": sort_ms}


def main():
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    cli.add_argument("--no-browser", action="store_true")
    args = cli.parse_args()
    print("%8s %9s %9s %9s %11s %9s  %s" % ("tunnels", "rows s", "CSV s", "HTML s", "CSV+HTML s",
                                            "HTML MB", "target CSV+HTML <= %.0f s" % ROW_TARGET_SECONDS))
    pages = {}
    for count in args.sizes:
        found, pages[count] = python_times(count)
        print("%8d %9.3f %9.3f %9.3f %11.3f %9.1f  %s" % (
            found["tunnels"], found["rows"], found["csv"], found["html"], found["csv_html"],
            found["mb"], "ok" if found["csv_html"] <= ROW_TARGET_SECONDS else "OVER"))
    missing = browser_missing() if not args.no_browser else "--no-browser"
    if missing:
        print("\nbrowser timing skipped: %s" % missing)
        return
    print("\nIn Chromium (%s), per filter keystroke (%d keystrokes):" % (
        shutil.which("chromium") or CHROMIUM, sum(len(text) + 1 for _key, text in KEYSTROKES)))
    print("%8s %8s %13s %13s %17s %17s %9s  %s" % (
        "rows", "load s", "filter med ms", "filter max ms", "+layout med ms", "+layout max ms",
        "sort ms", "target < %.0f ms" % KEYSTROKE_TARGET_MS))
    for count in args.sizes:
        found = browser_times(pages[count])
        print("%8d %8.2f %13.1f %13.1f %17.1f %17.1f %9.1f  %s" % (
            count, found["load_s"], statistics.median(found["filter_ms"]), max(found["filter_ms"]),
            statistics.median(found["layout_ms"]), max(found["layout_ms"]), found["sort_ms"],
            "ok" if max(found["filter_ms"]) < KEYSTROKE_TARGET_MS else "OVER"))


if __name__ == "__main__":
    main()

# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""report_html in a real browser: headless Chromium (Debian's chromium and chromium-driver,
driven by selenium) opens the page made from the emulated vendors' facts, and a person's
actions - typing in filter boxes, clicking column titles, opening child SA details - do
what they should. A screenshot is kept in tests/output/.

Without Chromium the test skips, saying what is missing; under CI (CI set) it fails instead.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "unit" / "filters"))
import filter_examples as ex  # noqa: E402

from ansible_collections.vpnops.tunnels.plugins.filter.report_html import report_html  # noqa: E402
from ansible_collections.vpnops.tunnels.plugins.filter.report_rows import report_rows  # noqa: E402
from ansible_collections.vpnops.tunnels.plugins.plugin_utils import report  # noqa: E402

OUTPUT = REPO / "tests" / "output"
GENERATED = "2026-01-01T00:05:00Z"
HOSTILE = "<script>alert('x')</script>"
WAIT_SECONDS = 10


def browser_missing():
    """What is missing to drive Chromium, or None."""
    missing = [name for name in ("chromium", "chromedriver") if not shutil.which(name)]
    if importlib.util.find_spec("selenium") is None:
        missing.append("the Python package selenium")
    if missing:
        return ("needs %s (apt-get install chromium chromium-driver; pip install selenium)"
                % ", ".join(missing))
    return None


@pytest.fixture(scope="module")
def browser():
    missing = browser_missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser test: " + missing)
        pytest.skip(missing)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--window-size=1800,1100", "--disable-gpu"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def rows():
    """The emulated fleet (two devices per vendor), a host that could not be reached, and a
    tunnel with a hostile name: more rows than one page holds."""
    fleet = ex.fleet()
    hostile = ex.established(HOSTILE)
    fleet["evil"] = ex.device("strongswan", host="evil", tunnels=[hostile])
    hostvars = ex.hostvars(dict(fleet, gone=None))
    return report_rows(hostvars, hosts=list(fleet) + ["gone"],
                       errors={"gone": "gone: cannot reach netops@192.0.2.99:22"})


@pytest.fixture(scope="module")
def page(browser, rows):
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / "report_browser.html"
    path.write_text(report_html(rows, title="Browser test", generated_at=GENERATED), encoding="utf-8")
    browser.get(path.as_uri())
    return browser


def shown_rows(driver):
    """The cells' text of the rows on screen, in screen order."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#tunnels tbody tr'))"
        ".filter(function (tr) { return tr.offsetParent !== null; })"
        ".map(function (tr) { return Array.from(tr.cells).map(function (td) {"
        " return td.textContent; }); });")


def counter(driver):
    return driver.find_element("id", "shown").text


def wait_for_counter(driver, text):
    """Until the row counter says text (or matches it, when it is a compiled pattern)."""
    from selenium.webdriver.support.ui import WebDriverWait

    def says(found):
        now = counter(found)
        return text.fullmatch(now) if isinstance(text, re.Pattern) else now == text

    WebDriverWait(driver, WAIT_SECONDS).until(says, "the row counter never said %r" % (text,))


def column(key):
    return report.COLUMN_KEYS.index(key)


def filter_box(driver, key):
    return driver.find_element("css selector", '#tunnels thead input[data-col="%d"]' % column(key))


def show_all(driver, rows):
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element("id", "page-size")).select_by_visible_text("all")
    wait_for_counter(driver, "%d rows" % len(rows))


def clear(driver, rows):
    driver.find_element("id", "clear").click()
    wait_for_counter(driver, re.compile(r"%d rows(, showing \d+-\d+)?" % len(rows)))


def test_the_table_renders_every_row(page, rows):
    assert len(rows) > 100  # more than the first page
    assert counter(page) == "%d rows, showing 1-100" % len(rows)
    assert len(shown_rows(page)) == 100
    show_all(page, rows)
    shown = shown_rows(page)
    assert [(cells[column("host")], cells[column("name")]) for cells in shown] == [
        (row["host"], row["name"] or "") for row in rows]
    hostile = [cells for cells in shown if cells[column("name")] == HOSTILE]
    assert len(hostile) == 1  # shown as text, not run
    assert page.execute_script("return document.querySelectorAll('script').length") == 2
    errors = [entry for entry in page.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == [], errors  # no script error, no blocked inline script or style


def test_typing_in_a_filter_narrows_the_rows(page, rows):
    show_all(page, rows)
    box = filter_box(page, "state")
    box.send_keys("down")
    expected = [(row["host"], row["name"]) for row in rows if "down" in (row["state"] or "").lower()]
    wait_for_counter(page, "%d of %d rows match" % (len(expected), len(rows)))
    assert [(c[column("host")], c[column("name")]) for c in shown_rows(page)] == expected
    peer = filter_box(page, "peer")
    peer.send_keys("203.0.113.1")
    expected = [(row["host"], row["name"]) for row in rows if "down" in (row["state"] or "").lower()
                and "203.0.113.1" in (row["peer"] or "")]
    assert 0 < len(expected) < 10
    wait_for_counter(page, "%d of %d rows match" % (len(expected), len(rows)))
    assert [(c[column("host")], c[column("name")]) for c in shown_rows(page)] == expected
    clear(page, rows)
    page.find_element("id", "filter-all").send_keys("!ESTABLISHED")
    expected = [row for row in rows if not any(
        "established" in report.cell_text(row, key).lower() for key in report.COLUMN_KEYS)]
    wait_for_counter(page, "%d of %d rows match" % (len(expected), len(rows)))
    assert len(shown_rows(page)) == len(expected)
    clear(page, rows)
    filter_box(page, "bytes_in").send_keys(">1000000000")
    expected = [row["name"] for row in rows if (row["bytes_in"] or 0) > 1000000000]
    wait_for_counter(page, "%d of %d rows match" % (len(expected), len(rows)))
    assert [c[column("name")] for c in shown_rows(page)] == expected
    clear(page, rows)


def natural(text):
    """Text order, lowercase, where a run of digits counts as its number."""
    return re.sub(r"\d+", lambda digits: digits.group().zfill(20), text.lower())


def test_clicking_a_title_sorts(page, rows):
    show_all(page, rows)
    title = page.find_element("css selector", 'th[data-key="bytes_in"] button')
    title.click()
    shown = shown_rows(page)
    values = [int(c[column("bytes_in")].replace(",", "")) for c in shown if c[column("bytes_in")]]
    assert values == sorted(row["bytes_in"] for row in rows if row["bytes_in"] is not None)
    assert all(not c[column("bytes_in")] for c in shown[len(values):])  # empty cells last
    title.click()
    values = [int(c[column("bytes_in")].replace(",", "")) for c in shown_rows(page) if c[column("bytes_in")]]
    assert values == sorted(values, reverse=True) and len(values) > 50
    assert page.find_element("css selector", 'th[data-key="bytes_in"]').get_attribute("aria-sort") == "descending"
    page.find_element("css selector", 'th[data-key="name"] button').click()
    names = [c[column("name")] for c in shown_rows(page) if c[column("name")]]
    assert names == sorted(names, key=natural), " ".join(names)
    assert names.index("203.0.113.2") < names.index("203.0.113.10")  # numbers in natural order
    filter_box(page, "host").send_keys("cisco_asa-0")
    wait_for_counter(page, "4 of %d rows match" % len(rows))
    assert [c[column("name")] for c in shown_rows(page)] == ["203.0.113.2", "203.0.113.3",
                                                             "203.0.113.4", "hub-0"]
    clear(page, rows)


def test_pages_keep_the_sort_order_while_filtering(page, rows):
    from selenium.webdriver.support.ui import Select

    Select(page.find_element("id", "page-size")).select_by_visible_text("100")
    page.find_element("css selector", 'th[data-key="host"] button').click()  # rows in page order
    page.find_element("css selector", 'th[data-key="name"] button').click()
    order = sorted(range(len(rows)), key=lambda index: (
        rows[index]["name"] is None, natural(rows[index]["name"] or ""), index))
    names = [rows[index]["name"] or "" for index in order]
    wait_for_counter(page, "%d rows, showing 1-100" % len(rows))
    assert [c[column("name")] for c in shown_rows(page)] == names[:100]
    page.find_element("id", "next").click()
    wait_for_counter(page, "%d rows, showing 101-%d" % (len(rows), len(rows)))
    assert [c[column("name")] for c in shown_rows(page)] == names[100:]
    page.find_element("id", "prev").click()
    # narrowing keeps rows on the page in place and brings later matches in between
    filter_box(page, "name").send_keys("-")
    expected = [name for name in names if "-" in name]
    wait_for_counter(page, "%d of %d rows match" % (len(expected), len(rows)))
    assert [c[column("name")] for c in shown_rows(page)] == expected
    filter_box(page, "name").send_keys("1")
    expected = [name for name in names if "-1" in name]
    wait_for_counter(page, "%d of %d rows match" % (len(expected), len(rows)))
    assert [c[column("name")] for c in shown_rows(page)] == expected
    clear(page, rows)
    assert [c[column("name")] for c in shown_rows(page)] == names[:100]


def test_child_details_open_on_a_click_and_a_screenshot_is_kept(page, rows):
    show_all(page, rows)
    filter_box(page, "host").send_keys("cisco_asa-0")
    wait_for_counter(page, "4 of %d rows match" % len(rows))
    hub = [row for row in rows if row["host"] == "cisco_asa-0" and row["name"] == "hub-0"][0]
    cell = page.find_element("xpath", "//tbody/tr[td[%d]='hub-0' and not(@hidden)]//span[@class='kids']"
                             % (column("name") + 1))
    assert cell.text == "2/2 up"
    cell.click()
    items = page.find_elements("css selector", "ul.kids-list li")
    assert [item.text.split(" · ")[0] for item in items] == [report.child_text(c) for c in hub["children"]]
    page.find_element("id", "details").click()  # the detail columns too
    assert filter_box(page, "spi_in").is_displayed()
    screenshot = OUTPUT / "report_html_browser.png"
    page.save_screenshot(str(screenshot))
    print("screenshot: %s" % screenshot)
    assert screenshot.stat().st_size > 10000

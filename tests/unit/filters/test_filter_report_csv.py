# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""report_csv: the CSV read back with csv.DictReader holds the facts (names, states, peers,
counters, child SAs), survives commas, quotes and line breaks, and defuses formulas."""

from __future__ import annotations

import csv
import io
import re

import pytest
from ansible.errors import AnsibleFilterError

import filter_examples as ex
from ansible_collections.vpnops.tunnels.plugins.filter.report_csv import FilterModule as CsvFilters
from ansible_collections.vpnops.tunnels.plugins.filter.report_rows import FilterModule as RowFilters
from ansible_collections.vpnops.tunnels.plugins.plugin_utils.report_csv import unguard_formula

report_csv = CsvFilters().filters()["report_csv"]
report_rows = RowFilters().filters()["report_rows"]

FIRST_HEADERS = ["System name", "System comm. status", "Name", "Type", "State", "Enabled",
                 "Status message", "Children", "Last update"]
_DURATION = re.compile(r"(\d+)([dhms])")
_CHILD = re.compile(r"^(?P<name>.+) (?P<state>[A-Z_]+)(?: rekey (?P<rekey>\S+))?(?: life (?P<life>\S+))?$")


def read_back(text):
    return list(csv.DictReader(io.StringIO(text, newline="")))


def seconds(text):
    """'1h51m35s' -> 6695: the inverse of the report's compact durations."""
    if text is None:
        return None
    units = {"d": 86400, "h": 3600, "m": 60, "s": 1}
    assert _DURATION.sub("", text) == "", text
    return sum(int(amount) * units[unit] for amount, unit in _DURATION.findall(text))


def children_of(cell):
    found = []
    for part in cell.split(" | ") if cell else ():
        match = _CHILD.match(part)
        assert match, part
        found.append((match["name"], match["state"], seconds(match["rekey"]), seconds(match["life"])))
    return found


def number(text):
    return int(text) if text else None


def expected_children(tunnel):
    if tunnel["type"] == "openvpn":
        return [(c["common_name"], c["state"], None, None) for c in tunnel["openvpn"]["clients"]]
    return [(c["name"], c["state"], c["rekey_seconds"], c["lifetime_seconds"]) for c in tunnel["children"]]


def test_the_csv_holds_the_facts_of_the_emulated_fleet():
    fleet = ex.fleet()
    hostvars = ex.hostvars(dict(fleet, gone=None))
    errors = {"gone": "gone: cannot reach netops@192.0.2.99:22: connection timed out after 10s"}
    text = report_csv(report_rows(hostvars, errors=errors, hosts=list(fleet) + ["gone"]))
    assert text.startswith(",".join(FIRST_HEADERS) + ",")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    lines = read_back(text)
    facts = [(host, tunnel) for host, device in fleet.items() for tunnel in device["tunnels"]]
    assert len(lines) == len(facts) + 1
    for line, (host, tunnel) in zip(lines, facts):
        assert (line["System name"], line["Name"], line["Type"], line["State"]) == (
            host, tunnel["name"], tunnel["type"], tunnel["state"])
        assert line["System comm. status"] == "Ok"
        assert line["Last update"] == fleet[host]["collected_at"]
        assert line["Enabled"] == {True: "yes", False: "no", None: ""}[tunnel["enabled"]]
        assert line["Status message"] == tunnel["status_message"]
        assert children_of(line["Children"]) == expected_children(tunnel)
        if tunnel["type"] == "ipsec":
            remote = tunnel["ike"]["remote"]
            assert line["Peer"] == (remote["address"] or remote["id"] or "")
            for key, title in (("bytes_in", "Bytes in"), ("bytes_out", "Bytes out"),
                               ("packets_in", "Packets in"), ("packets_out", "Packets out")):
                values = [child[key] for child in tunnel["children"] if child[key] is not None]
                assert number(line[title]) == (sum(values) if values else None), (title, line)
        assert line["Health"] in ("OPERATIONAL", "DEGRADED", "DOWN", "UNKNOWN")
    gone = lines[-1]
    assert (gone["System name"], gone["System comm. status"], gone["Name"], gone["Children"]) == (
        "gone", "Error", "", "")
    assert gone["Status message"] == errors["gone"]


def test_real_swanctl_output_round_trips(corpus):
    facts = ex.corpus_device(corpus, "strongswan", "strongswan_swanctl/swanctl_--list-sas/8.txt",
                             "swanctl --list-sas --raw", host="hub")
    lines = {line["Name"]: line for line in read_back(report_csv(report_rows([facts])))}
    assert len(lines) == len(facts["tunnels"])
    for tunnel in facts["tunnels"]:
        line = lines[tunnel["name"]]
        assert line["State"] == tunnel["state"]
        assert line["Peer"] == (tunnel["ike"]["remote"]["address"] or "")
        assert children_of(line["Children"]) == expected_children(tunnel)
        spis = [c["spi_in"] for c in tunnel["children"] if c["spi_in"]]
        assert all(spi in line["SPIs in"] for spi in spis)
    assert lines["dmvpn-NHRPVPN-tun100"]["Health"] == "OPERATIONAL"
    assert lines["peer_10-0-5-2"]["Health"] == "DOWN"


def test_commas_quotes_and_line_breaks_survive():
    tunnel = ex.established("to, \"the\" dc")
    tunnel["status_message"] = "line one, with a comma\nline two \"quoted\"\r\nthree"
    tunnel["children"][0]["name"] = "net \"a\", b"
    rows = report_rows({"gw": ex.device("strongswan", host="gw", tunnels=[tunnel])})
    line = read_back(report_csv(rows))[0]
    assert line["Name"] == "to, \"the\" dc"
    assert line["Status message"] == tunnel["status_message"]
    assert children_of(line["Children"]) == [("net \"a\", b", "INSTALLED", 2000, 3000)]
    assert line["IKE algorithms"] == "AES_GCM_16-256/PRF_HMAC_SHA2_256/CURVE_25519"


@pytest.mark.parametrize("name", ["=HYPERLINK(\"http://x.invalid\",\"y\")", "+1+1", "-2+3",
                                  "@SUM(A1)", "\tx", "\r=1"])
def test_formulas_are_defused(name):
    tunnel = ex.established(name)
    tunnel["status_message"] = "=1+1"
    rows = report_rows({"gw": ex.device("strongswan", host="gw", tunnels=[tunnel])})
    line = read_back(report_csv(rows))[0]
    assert line["Name"] == "'" + name and line["Status message"] == "'=1+1"
    assert unguard_formula(line["Name"]) == name
    assert line["Bytes in"] == "1000"  # numbers are untouched
    plain = read_back(report_csv(rows, formula_guard=False))[0]
    assert plain["Name"] == name


def test_text_that_only_looks_guarded_is_left_alone():
    assert unguard_formula("'quoted'") == "'quoted'"
    assert unguard_formula("'") == "'"
    tunnel = ex.established("'=already")
    line = read_back(report_csv(report_rows({"gw": ex.device("strongswan", host="gw",
                                                             tunnels=[tunnel])})))[0]
    assert line["Name"] == "'=already"


def test_columns_and_bom():
    rows = report_rows({"gw": ex.device("vyos", 0, host="gw")})
    text = report_csv(rows, columns=["name", "host", "verdict"], bom=True)
    assert text.startswith("\ufeffName,System name,Health\r\n")
    lines = read_back(text.lstrip("\ufeff"))
    assert [line["Name"] for line in lines] == [row["name"] for row in rows]


@pytest.mark.parametrize("data, kwargs, message", [
    ("text", {}, "expected the rows of vpnops.tunnels.report_rows"),
    ([{"name": "x"}], {}, "row 0 is not a report_rows row"),
    ([], {"columns": ["host", "nope"]}, "unknown column nope"),
    ([], {"formula": True}, "unknown argument formula"),
])
def test_bad_input_is_a_filter_error(data, kwargs, message):
    with pytest.raises(AnsibleFilterError, match="report_csv: .*" + message):
        report_csv(data, **kwargs)


def test_no_rows_is_a_header():
    assert read_back(report_csv([])) == []
    assert report_csv([]).startswith("System name,")

# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""tunnel_table: one line per tunnel with the right units and peer, hosts in order, a line for
a host without facts, and a clear error for input that is not facts."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible.vars.hostvars import HostVars
from ansible.vars.manager import VariableManager

import filter_examples as ex
from ansible_collections.vpnops.tunnels.plugins.filter.tunnel_table import DOCUMENTATION, FilterModule
from ansible_collections.vpnops.tunnels.plugins.module_utils import model
from ansible_collections.vpnops.tunnels.plugins.plugin_utils import fleet_result, inputs

tunnel_table = FilterModule().filters()["tunnel_table"]


def columns(line):
    """A table line split at its fixed column widths (the status may contain spaces)."""
    widths = (18, 16, 8, 12, 7, 16)
    found, start = [], 0
    for width in widths:
        found.append(line[start:start + width].strip())
        start += width + 1
    found.append(line[start:])
    return found


def openvpn_host():
    server = model.new_tunnel("server", "openvpn", "UP", "CONNECTED")
    server["openvpn"] = model.new_openvpn("server")
    server["openvpn"]["clients"] = [model.new_openvpn_client("c1"),
                                    model.new_openvpn_client("c2", state="DISCONNECTED"),
                                    model.new_openvpn_client("c3")]
    client = model.new_tunnel("uplink", "openvpn", "DOWN", "RECONNECTING")
    client["openvpn"] = model.new_openvpn("client")
    client["openvpn"]["client_state"] = model.new_openvpn_client_state("RECONNECTING", "DOWN")
    client["openvpn"]["client_state"]["remote_address"] = "203.0.113.9"
    return ex.device("strongswan", host="ovpn", tunnels=[server, client])


def test_every_tunnel_gets_a_line_with_its_units_and_peer():
    fleet = {"b-ios": ex.device("cisco_ios", host="b-ios"), "a-ovpn": openvpn_host()}
    lines = tunnel_table(ex.hostvars(fleet)).splitlines()
    assert columns(lines[0]) == ["HOST", "TUNNEL", "TYPE", "STATE", "UP/ALL", "PEER", "STATUS"]
    rows = [columns(line) for line in lines[1:]]
    ios = fleet["b-ios"]["tunnels"]
    assert len(rows) == 2 + len(ios)
    # hosts in name order, each host's tunnels in the device's order
    assert [row[0] for row in rows] == ["a-ovpn"] * 2 + ["b-ios"] * len(ios)
    assert rows[0][:6] == ["a-ovpn", "server", "openvpn", "UP", "2/3", "3 clients"]
    assert rows[1][:6] == ["a-ovpn", "uplink", "openvpn", "DOWN", "0/1", "203.0.113.9"]
    for row, tunnel in zip(rows[2:], ios):
        installed = sum(1 for child in tunnel["children"] if child["state"] == "INSTALLED")
        assert row[1:5] == [tunnel["name"], "ipsec", tunnel["state"],
                            "%d/%d" % (installed, len(tunnel["children"]))]
        assert row[5] == (tunnel["ike"]["remote"]["address"] or "-")
        assert row[6] == tunnel["status_message"]
    assert any(row[4].startswith("0/") for row in rows[2:])  # the examples hold a down tunnel


def test_a_host_without_facts_is_not_missing():
    fleet = {"gw1": ex.device("vyos", host="gw1")}
    text = tunnel_table(fleet, hosts=["gw1", "gone"])
    gone = [columns(line) for line in text.splitlines() if line.startswith("gone")]
    assert gone == [["gone", "-", "-", "NO FACTS", "-", "-", "gathering failed or host unreachable"]]
    assert tunnel_table(fleet, hosts=["gw1"]).count("\n") == len(fleet["gw1"]["tunnels"])


def test_input_that_is_not_facts_is_a_clear_error():
    with pytest.raises(AnsibleFilterError, match="tunnel_table: expected hostvars"):
        tunnel_table("not facts")
    with pytest.raises(AnsibleFilterError, match="tunnel_table: host gw: expected its host"):
        tunnel_table({"gw": "show crypto session"})


def test_a_registered_fleet_result_reads_like_its_facts():
    """The fleet play prints from vpn_fleet_facts' registered result: its facts arrive as
    one JSON text; hosts that failed or were unreachable get their NO FACTS line."""
    fleet = {"gw1": ex.device("vyos", host="gw1"), "ios": ex.device("cisco_ios", host="ios")}
    outcomes = {host: {"changed": False, "ansible_facts": {"vpn": facts}}
                for host, facts in fleet.items()}
    outcomes["down"] = {"failed": True, "vpn_unreachable": True, "msg": "down: cannot reach"}
    outcomes["bad"] = {"failed": True, "msg": "bad: cannot parse"}
    registered = fleet_result.build(outcomes)
    text = tunnel_table(registered)
    assert text == tunnel_table(dict(fleet, down=None, bad=None))
    no_facts = sorted(line.split()[0] for line in text.splitlines() if "NO FACTS" in line)
    assert no_facts == ["bad", "down"]
    assert tunnel_table(registered, hosts=["ios"]) == tunnel_table(fleet, hosts=["ios"])


def test_ansible_hostvars_are_read_outside_a_template():
    """vpn_reset reads the fleet from Ansible's own HostVars object in plain Python, where
    looking up a host that does not exist must not be tried (it needs a template context)."""
    loader = DataLoader()
    inventory = InventoryManager(loader=loader, sources="gw1,gw2,")
    variables = VariableManager(loader=loader, inventory=inventory)
    variables.set_host_facts("gw1", {"vpn": ex.device("vyos", host="gw1")})
    hostvars = HostVars(inventory=inventory, variable_manager=variables, loader=loader)
    devices = inputs.devices(hostvars, ["gw1", "gw2"])
    assert [(d.host, d.platform) for d in devices] == [("gw1", "vyos"), ("gw2", None)]


def test_host_lists_reach_the_validator_as_plain_strings():
    """ansible-core 2.19 tags the strings it hands a filter; the validator's deep copy would
    rebuild each (0.16 s for 500 host names), so lists of strings are made plain first."""
    tags = pytest.importorskip("ansible._internal._datatag._tags")  # ansible-core >= 2.19
    hosts = [tags.Origin(description="inventory").tag("gw%d" % index) for index in range(3)]
    assert type(hosts[0]) is not str  # pylint: disable=unidiomatic-typecheck
    options = inputs.filter_options("tunnel_table", DOCUMENTATION, (), {"hosts": hosts})
    assert options["hosts"] == ["gw0", "gw1", "gw2"]
    assert all(type(host) is str for host in options["hosts"])  # pylint: disable=unidiomatic-typecheck

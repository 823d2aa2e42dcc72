"""vpn_facts against the real lab: facts must equal what the daemons themselves report."""

import re

import jsonschema
import pytest

from ansible_run import INVENTORY, host_results, run_ansible
from ansible_collections.vpnops.tunnels.plugins.module_utils.model_schema import SCHEMA

pytestmark = pytest.mark.lab

LAB_PASSWORD = "vpnlab-pass"


def gather(ansible_env, pattern="lab", *extra):
    done, records = run_ansible(ansible_env, "ansible", "-i", INVENTORY, pattern, "-m",
                                "vpnops.tunnels.vpn_facts", *extra)
    assert records, done.stdout + done.stderr
    return done, host_results(records)


def facts(result):
    assert result["status"] == "ok", result.get("msg")
    return result["ansible_facts"]["vpn"]


def tunnel(vpn, name):
    found = [t for t in vpn["tunnels"] if t["name"] == name]
    assert len(found) == 1, [t["name"] for t in vpn["tunnels"]]
    return found[0]


def children(tun):
    return {child["name"]: child for child in tun["children"]}


def daemon_children(lab, gateway):
    """(IKE name, child name) -> {state, spi-in, spi-out, bytes-in} read from the daemon's --raw."""
    raw = lab.exec_in(gateway, ["swanctl", "--list-sas", "--raw"]).stdout
    found = {}
    for line in raw.splitlines():
        ike = re.match(r"list-sa event \{(\S+) \{", line)
        if not ike:
            continue
        for body in re.findall(r"\S+ \{(name=[^{}]*)\}", line):
            values = dict(re.findall(r"([a-z-]+)=(\S+)", body))
            found[(ike.group(1), values["name"])] = values
    return found


@pytest.fixture(scope="module")
def first_gather(lab, ansible_env):
    lab.traffic()
    done, results = gather(ansible_env)
    return done, results


def test_every_lab_host_gathers_and_validates(first_gather):
    done, results = first_gather
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert sorted(results) == ["lab-hub", "lab-ovpn", "lab-ovpn-c1", "lab-ovpn-c3",
                               "lab-spoke1", "lab-spoke2"]
    for host, result in results.items():
        vpn = facts(result)
        jsonschema.validate(vpn, SCHEMA)
        assert vpn["hostname"] == host
        assert result["changed"] is False


def test_strongswan_facts_equal_the_daemons_sas(lab, first_gather):
    _done, results = first_gather
    for host, gateway in (("lab-hub", "hub"), ("lab-spoke1", "spoke1"), ("lab-spoke2", "spoke2")):
        truth = daemon_children(lab, gateway)
        gathered = {(t["name"], c["name"]): c for t in facts(results[host])["tunnels"]
                    for c in t["children"] if c["sa_id"]}
        assert set(gathered) == set(truth), host
        for key, child in gathered.items():
            # SPIs and states do not change between the two reads; counters only grow
            assert child["native_state"] == truth[key]["state"], (host, key)
            assert (child["spi_in"], child["spi_out"]) == (truth[key]["spi-in"], truth[key]["spi-out"])
            assert child["bytes_in"] <= int(truth[key]["bytes-in"])


def test_lab_scenarios_are_reported(first_gather):
    _done, results = first_gather
    hub = facts(results["lab-hub"])
    spoke1 = tunnel(hub, "spoke1")
    assert spoke1["state"] == "ESTABLISHED" and spoke1["configured"] is True
    assert {n: c["state"] for n, c in children(spoke1).items()} == {"lan": "INSTALLED",
                                                                    "voice": "INSTALLED"}
    assert spoke1["ike"]["dpd"]["delay"] == 30
    spoke2 = tunnel(hub, "spoke2")
    assert children(spoke2)["lan"]["state"] == "INSTALLED"
    backup = tunnel(hub, "backup")  # IKE up, its only child never installed
    assert backup["state"] == "ESTABLISHED"
    assert [(c["name"], c["state"]) for c in backup["children"]] == [("backup-net", "DOWN")]
    assert backup["ike"]["negotiation"] == {"phase": 2,
                                            "step": "CHILD_SA not installed: backup-net"}
    branch9 = tunnel(hub, "branch9")  # configured, no SA at all: must not vanish
    assert (branch9["state"], branch9["configured"], branch9["ike"]["sa_id"]) == ("DOWN", True, None)
    remote = facts(results["lab-spoke2"])
    dmz = children(tunnel(remote, "hub"))["dmz"]
    assert (dmz["state"], dmz["configured"]) == ("DOWN", True)
    dc2 = tunnel(facts(results["lab-spoke1"]), "dc2")  # peer gone
    assert dc2["state"] == "CONNECTING"
    assert dc2["ike"]["negotiation"]["phase"] == 1
    legacy = tunnel(hub, "legacy")
    assert legacy["ike"]["algorithms"]["integrity"].startswith("HMAC_SHA1")


def test_openvpn_facts_equal_the_server_client_list(lab, first_gather):
    _done, results = first_gather
    server = tunnel(facts(results["lab-ovpn"]), "server")
    connected = sorted(lab.openvpn_connected_clients())
    assert connected == ["client1", "client2"]
    states = {c["common_name"]: c["state"] for c in server["openvpn"]["clients"]}
    assert states == {"client1": "CONNECTED", "client2": "CONNECTED", "client3": "DOWN"}
    assert server["state"] == "UP" and "client3" in server["status_message"]
    client1 = next(c for c in server["openvpn"]["clients"] if c["common_name"] == "client1")
    assert client1["virtual_address"] and client1["bytes_in"] > 0
    own = tunnel(facts(results["lab-ovpn-c1"]), "client")
    assert (own["state"], own["openvpn"]["client_state"]["native_state"]) == ("UP", "CONNECTED")
    missing = tunnel(facts(results["lab-ovpn-c3"]), "client")
    assert missing["state"] == "DOWN"
    assert missing["openvpn"]["client_state"]["native_state"] != "CONNECTED"


def test_counters_grow_after_traffic(lab, ansible_env, first_gather):
    _done, before = first_gather
    lab.traffic(count=5)
    _done, after = gather(ansible_env, "lab-hub,lab-ovpn")
    lan_before = children(tunnel(facts(before["lab-hub"]), "spoke1"))["lan"]
    lan_after = children(tunnel(facts(after["lab-hub"]), "spoke1"))["lan"]
    assert lan_after["spi_in"] == lan_before["spi_in"]
    assert lan_after["packets_in"] >= lan_before["packets_in"] + 5
    assert lan_after["bytes_out"] > lan_before["bytes_out"]
    ovpn_before = tunnel(facts(before["lab-ovpn"]), "server")["openvpn"]["clients"]
    ovpn_after = tunnel(facts(after["lab-ovpn"]), "server")["openvpn"]["clients"]
    received = {c["common_name"]: c["bytes_in"] for c in ovpn_before if c["state"] == "CONNECTED"}
    assert all(c["bytes_in"] > received[c["common_name"]] for c in ovpn_after
               if c["common_name"] in received)


@pytest.mark.parametrize("mode", ["per-host", "fleet"])
def test_facts_playbook_prints_the_fleet_table(lab, ansible_env, mode):
    """Per host the table is printed from hostvars; in fleet mode from the one task's
    registered result, whose facts travel as one JSON text."""
    done, _records = run_ansible(ansible_env, "ansible-playbook", "vpnops.tunnels.facts", "-i",
                                 INVENTORY, "-e", "vpn_fleet_mode=%s" % (mode == "fleet"))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    rows = re.findall(r"(lab-[\w-]+) +(\S+) +(?:ipsec|openvpn|wireguard) ", done.stdout)
    assert re.search(r"lab-hub\s+spoke1\s+ipsec\s+ESTABLISHED\s+2/2\s+192\.0\.2\.2", done.stdout)
    assert re.search(r"lab-hub\s+branch9\s+ipsec\s+DOWN\s+0/\d", done.stdout)
    assert re.search(r"lab-ovpn\s+server\s+openvpn\s+UP\s+2/3", done.stdout)
    assert len(rows) >= 10 and len(set(rows)) == len(rows)  # each tunnel once
    recap = set(re.findall(r"^(lab-[\w-]+) +: ok=", done.stdout, re.MULTILINE))
    assert {host for host, _tunnel in rows} == recap  # every host of the play has its rows


def test_check_mode_gathers_normally(lab, ansible_env):
    done, results = gather(ansible_env, "lab-spoke1", "--check")
    assert done.returncode == 0
    assert tunnel(facts(results["lab-spoke1"]), "hub")["state"] == "ESTABLISHED"


def test_include_raw_returns_the_commands_output(lab, ansible_env):
    _done, results = gather(ansible_env, "lab-spoke1", "-a", "include_raw=true")
    raw = results["lab-spoke1"]["raw_outputs"]
    assert [r["command"] for r in raw] == facts(results["lab-spoke1"])["commands"]
    assert "list-sa event" in raw[1]["output"]


def test_bad_hosts_fail_alone_with_clear_messages(lab, ansible_env):
    """A wrong password, a dead address and unparseable output: each host says why, the
    healthy host still gathers, and no secret is printed even at -vvvv."""
    wrong_password = "not-the-" + LAB_PASSWORD
    done, results = gather(
        ansible_env, "lab-spoke1,lab-spoke2,lab-ovpn-c1,lab-hub", "-vvvv",
        "-e", '{"ansible_password": "%s"}' % wrong_password, "--limit", "lab-spoke2")
    assert results["lab-spoke2"]["status"] == "unreachable"
    assert "authentication failed for vpnlab@198.18.0.13:22" in results["lab-spoke2"]["msg"]
    assert wrong_password not in done.stdout + done.stderr

    done, results = gather(ansible_env, "lab-spoke1,lab-ovpn-c1", "-vvvv")
    assert LAB_PASSWORD not in done.stdout + done.stderr
    assert facts(results["lab-spoke1"])["tunnels"]

    inventory_args = ("-e", "ansible_host=198.18.0.250", "-a", "timeout=3")
    done, results = gather(ansible_env, "lab-spoke1", *inventory_args)
    assert results["lab-spoke1"]["status"] == "unreachable"
    assert "cannot reach vpnlab@198.18.0.250:22" in results["lab-spoke1"]["msg"]

    done, results = gather(ansible_env, "lab-spoke1,lab-spoke2", "-a", "swanctl_path=/bin/echo",
                           "--limit", "lab-spoke1")
    assert results["lab-spoke1"]["status"] == "failed"
    assert "cannot parse strongswan output" in results["lab-spoke1"]["msg"]


def test_one_broken_host_does_not_stop_the_others(lab, ansible_env, tmp_path):
    inventory = tmp_path / "broken.yml"
    inventory.write_text(INVENTORY.read_text().replace(
        "ansible_host: 198.18.0.13", "ansible_host: 198.18.0.13\n          ansible_password: wrong"))
    done, records = run_ansible(ansible_env, "ansible", "-i", inventory, "strongswan", "-m",
                                "vpnops.tunnels.vpn_facts")
    results = host_results(records)
    assert results["lab-spoke2"]["status"] == "unreachable"
    assert facts(results["lab-hub"])["tunnels"] and facts(results["lab-spoke1"])["tunnels"]
    assert done.returncode != 0


def test_wrong_become_password_is_a_clear_error(lab, ansible_env):
    _done, results = gather(ansible_env, "lab-hub", "-e", "ansible_become_password=wrong")
    assert results["lab-hub"]["status"] == "unreachable"
    assert "become (sudo) failed on vpnlab@198.18.0.11:22" in results["lab-hub"]["msg"]


def test_without_become_the_hub_socket_refuses_and_the_host_fails(lab, ansible_env):
    _done, results = gather(ansible_env, "lab-hub", "-e", "ansible_become=false")
    assert results["lab-hub"]["status"] == "failed"
    assert "swanctl reported an error" in results["lab-hub"]["msg"]


def test_host_key_checking_refuses_unknown_keys(lab, ansible_env, tmp_path):
    env = dict(ansible_env, HOME=str(tmp_path))  # an empty ~/.ssh/known_hosts
    _done, records = run_ansible(env, "ansible", "-i", INVENTORY, "lab-spoke1", "-m",
                                 "vpnops.tunnels.vpn_facts", "-e", "ansible_host_key_checking=true")
    result = host_results(records)["lab-spoke1"]
    assert result["status"] == "unreachable"
    assert "host key of vpnlab@198.18.0.12:22 is not in %s/.ssh/known_hosts" % tmp_path in result["msg"]

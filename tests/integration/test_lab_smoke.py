"""Smoke test of the lab in tests/lab: build it, check every intended tunnel state against
ground truth read inside the gateways (swanctl, OpenVPN management, SSH as the login user),
then tear it down and check nothing is left behind.

Needs root, strongSwan (swanctl, charon, kernel-libipsec) and OpenVPN; skipped otherwise.
Run: /tmp/venv/bin/pytest tests/integration/test_lab_smoke.py
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from labtools import load_lab_module

LAB_PY = Path(__file__).resolve().parents[1] / "lab" / "lab.py"
INVENTORY = LAB_PY.parent / "inventory.yml"


lab = load_lab_module()

_can_run_lab = (os.geteuid() == 0 and Path("/usr/sbin/swanctl").exists()
                and bool(shutil.which("openvpn") or Path("/usr/sbin/openvpn").exists()))


def requires_lab(test):
    """Mark a test as needing the real lab; skip it unless root with strongSwan and OpenVPN."""
    skip = pytest.mark.skipif(not _can_run_lab,
                              reason="the lab needs root, strongSwan (swanctl) and OpenVPN")
    return pytest.mark.lab(skip(test))


@pytest.fixture(scope="session")
def running_lab(request):
    """The session's lab from conftest (one lab for every integration test)."""
    return request.getfixturevalue("lab")


def _sa(gateway: str, name: str) -> dict:
    matches = [sa for sa in lab.list_sas(gateway) if sa["name"] == name]
    assert len(matches) == 1, f"{gateway}: want one IKE_SA {name}, got {len(matches)}"
    return matches[0]


def _children(sa: dict) -> dict[str, str]:
    return {child["name"]: child["state"] for child in sa.get("child-sas", {}).values()}


def _ssh(gateway: str):
    netmiko = pytest.importorskip("netmiko")
    return netmiko.ConnectHandler(device_type="linux", host=lab.GW[gateway].mgmt,
                                  username=lab.LAB_USER, password=lab.LAB_PASSWORD,
                                  secret=lab.LAB_PASSWORD)


def test_inventory_matches_lab():
    yaml = pytest.importorskip("yaml")
    groups = yaml.safe_load(INVENTORY.read_text())["lab"]["children"]
    platform_of_role = {"strongswan": "strongswan", "openvpn-server": "openvpn",
                        "openvpn-client": "openvpn"}
    hosts = {}
    for group, body in groups.items():
        for host, hostvars in body["hosts"].items():
            gateway = lab.GW[hostvars["vpn_lab_gateway"]]
            assert hostvars["ansible_host"] == gateway.mgmt, host
            assert gateway.sshd, f"{host}: gateway {gateway.name} runs no sshd"
            assert body["vars"]["vpn_platform"] == platform_of_role[gateway.role] == group
            hosts[host] = gateway.name
    assert sorted(hosts.values()) == ["hub", "ovpn", "ovpn-c1", "ovpn-c3", "spoke1", "spoke2"]
    server = groups["openvpn"]["hosts"]["lab-ovpn"]
    assert server["vpn_openvpn_status_file"] == lab.OVPN_STATUS_FILE
    assert server["vpn_openvpn_clients"] == sorted(lab.OVPN_CLIENTS)


@requires_lab
def test_hub_sees_every_intended_state(running_lab):
    assert _children(_sa("hub", "spoke1")) == {"lan": "INSTALLED", "voice": "INSTALLED"}
    spoke2 = _sa("hub", "spoke2")
    assert spoke2["state"] == "ESTABLISHED"
    assert _children(spoke2) == {"lan": "INSTALLED"}, "dmz must be missing (degraded)"
    backup = _sa("hub", "backup")
    assert backup["state"] == "ESTABLISHED" and _children(backup) == {}
    legacy = _sa("hub", "legacy")
    assert (legacy["encr-alg"], legacy["integ-alg"], legacy["dh-group"]) == \
        ("AES_CBC", "HMAC_SHA1_96", "MODP_1024")
    (legacy_child,) = legacy["child-sas"].values()
    assert (legacy_child["name"], legacy_child["state"], legacy_child["encr-alg"]) == \
        ("legacy-net", "INSTALLED", "3DES_CBC")
    assert "branch9" not in {sa["name"] for sa in lab.list_sas("hub")}


@requires_lab
def test_raw_ground_truth_from_exec(running_lab):
    raw = lab.exec_in("hub", ["swanctl", "--list-sas", "--raw"]).stdout
    assert "spoke1 {" in raw and "state=ESTABLISHED" in raw
    assert not lab.strongswan_mismatches("hub", settled=False)


@requires_lab
def test_spokes(running_lab):
    dc2 = [sa for sa in lab.list_sas("spoke1") if sa["name"] == "dc2"]
    assert dc2 and all(sa["state"] == "CONNECTING" for sa in dc2), dc2
    assert _children(_sa("spoke1", "hub")) == {"lan": "INSTALLED", "voice": "INSTALLED"}
    assert _children(_sa("spoke2", "hub")) == {"lan": "INSTALLED"}
    assert _children(_sa("spoke2", "backup")) == {}


@requires_lab
def test_configured_only_tunnels_show_in_list_conns(running_lab):
    conns = lab.list_conns("hub")
    assert set(conns) == {"spoke1", "legacy", "spoke2", "backup", "branch9"}
    assert "branch9-net" in conns["branch9"]["children"]
    assert conns["branch9"]["remote_addrs"] == ["192.0.2.97"]
    assert conns["spoke1"]["local-1"]["class"] == "pre-shared key"
    assert conns["spoke1"]["dpd_delay"] == "30"
    assert lab.list_conns("spoke1")["dc2"]["remote_addrs"] == ["192.0.2.99"]


def _child_counters() -> dict[tuple[str, str], tuple[int, int]]:
    return {(sa["name"], child["name"]): (int(child["bytes-in"]), int(child["bytes-out"]))
            for sa in lab.list_sas("hub") for child in sa.get("child-sas", {}).values()}


def _openvpn_bytes() -> dict[str, tuple[int, int]]:
    rows = [line.split("\t") for line in lab.openvpn_management("ovpn", "status 3").splitlines()]
    return {row[1]: (int(row[5]), int(row[6])) for row in rows if row[0] == "CLIENT_LIST"}


@requires_lab
def test_counters_grow_after_traffic(running_lab):
    children_before, ovpn_before = _child_counters(), _openvpn_bytes()
    results = lab.traffic(3)
    assert all(r["received"] == r["sent"] for r in results), results
    children_after, ovpn_after = _child_counters(), _openvpn_bytes()
    assert set(children_after) == {("spoke1", "lan"), ("spoke1", "voice"),
                                   ("legacy", "legacy-net"), ("spoke2", "lan")}
    for key, (bytes_in, bytes_out) in children_after.items():
        assert bytes_in > children_before[key][0] and bytes_out > children_before[key][1], key
    for cn in ("client1", "client2"):
        assert ovpn_after[cn][0] > ovpn_before[cn][0] and ovpn_after[cn][1] > ovpn_before[cn][1]


@requires_lab
def test_openvpn_clients(running_lab):
    status = lab.openvpn_management("ovpn", "status 3")
    connected = [line.split("\t")[1] for line in status.splitlines()
                 if line.startswith("CLIENT_LIST\t")]
    assert sorted(connected) == ["client1", "client2"], status
    assert lab.openvpn_client_state("ovpn-c1") == "CONNECTED"
    assert lab.openvpn_client_state("ovpn-c3") != "CONNECTED"
    ccd = lab.exec_in("ovpn", ["ls", str(lab.LAB_DIR / "gw" / "ovpn" / "ccd")]).stdout.split()
    assert sorted(ccd) == ["client1", "client2", "client3"]


@requires_lab
def test_ssh_spoke_reads_vici_without_sudo(running_lab):
    conn = _ssh("spoke1")
    try:
        assert conn.send_command("id -u").strip() != "0"
        out = conn.send_command("/usr/sbin/swanctl --list-sas --raw; echo rc=$?")
    finally:
        conn.disconnect()
    assert out.rstrip().endswith("rc=0"), out
    assert "hub {" in out and "state=ESTABLISHED" in out


@requires_lab
def test_ssh_hub_needs_sudo(running_lab):
    conn = _ssh("hub")
    try:
        denied = conn.send_command("/usr/sbin/swanctl --list-sas --raw; echo rc=$?")
        conn.enable()  # sudo -s with the login password, as Ansible become would
        allowed = conn.send_command("/usr/sbin/swanctl --list-sas --raw; echo rc=$?")
        conn.exit_enable_mode()
    finally:
        conn.disconnect()
    assert "Permission denied" in denied and not denied.rstrip().endswith("rc=0"), denied
    assert allowed.rstrip().endswith("rc=0") and "spoke1 {" in allowed, allowed


@requires_lab
def test_ssh_openvpn_status_file_and_management(running_lab):
    conn = _ssh("ovpn")
    try:
        status_file = conn.send_command(f"cat {lab.OVPN_STATUS_FILE}")
        # bash's /dev/tcp: send `status 3`, read up to END, then quit
        management = conn.send_command(
            "exec 3<>/dev/tcp/127.0.0.1/7505 && printf 'status 3\\n' >&3 && "
            "while read -r -t 5 line <&3; do echo \"$line\"; "
            "case $line in END*) break;; esac; done; printf 'quit\\n' >&3; exec 3<&-",
            read_timeout=15)
    finally:
        conn.disconnect()
    assert "CLIENT_LIST,client1," in status_file and "client3" not in status_file, status_file
    assert "CLIENT_LIST\tclient2\t" in management, management

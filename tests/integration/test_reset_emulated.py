"""vpn_reset against every emulated vendor: the platform's own reset command reaches the
device (its reset log), the tunnel goes down and comes back with new SPIs, and the module
waits for it and says so. Runs in this process on 127.0.0.1 (no root needed)."""

import copy
import json

import pytest
import yaml

from ansible_run import host_results, run_ansible
from emulated_fleet import Fleet, build_devices, vendor_platforms
from ansible_collections.vpnops.tunnels.plugins.plugin_utils import health

pytestmark = pytest.mark.filterwarnings("ignore:Diffie-Hellman over finite fields")


def first_operational(device):
    """The name of the device's first OPERATIONAL tunnel (the one the test resets)."""
    for tunnel in device.state():
        if health.tunnel_verdict(tunnel)["verdict"] == health.OPERATIONAL:
            return tunnel["name"]
    raise AssertionError("%s has no OPERATIONAL tunnel to reset" % device.name)


def spis(tunnels, name):
    return sorted((c.get("spi_in"), c.get("spi_out")) for t in tunnels if t["name"] == name
                  for c in t.get("children") or () if c.get("spi_in"))


def test_each_platform_resets_a_tunnel_and_it_comes_back(ansible_env, tmp_path):
    devices = build_devices(vendor_platforms(), per_platform=1)
    for device in devices:
        device.reset_delay = 1.0
    chosen = {device.name: first_operational(device) for device in devices}
    before = {device.name: copy.deepcopy(device.state()) for device in devices}
    inventory, targets = tmp_path / "fleet.yml", tmp_path / "targets.yml"
    targets.write_text(yaml.safe_dump({"emulated": {"hosts": {
        name: {"reset_name": tunnel} for name, tunnel in chosen.items()}}}))
    args = {"name": ["{{ reset_name }}"], "force": True, "wait_timeout": 30, "poll_interval": 1}
    with Fleet(devices) as fleet:
        fleet.write_inventory(inventory)
        done, records = run_ansible(ansible_env, "ansible", "emulated", "-i", inventory,
                                    "-i", targets, "-f", "10", "-m", "vpnops.tunnels.vpn_reset",
                                    "-a", json.dumps(args))
        after = {device.name: copy.deepcopy(device.state()) for device in devices}
    results = host_results(records)
    assert sorted(results) == sorted(chosen), done.stdout[-3000:] + done.stderr[-3000:]
    for device in devices:
        name, result = chosen[device.name], results[device.name]
        assert result["status"] == "ok", (device.platform, result.get("msg"))
        assert result["changed"] is True and result["reset"] == [name]
        sent = [entry["command"] for entry in result["sent"]]
        assert sent == result["commands"][0]["commands"]
        # the device received exactly those commands, and each took the chosen tunnel down
        logged = [command for command, names in device.reset_log if name in names]
        assert logged and set(logged) <= set(sent), (device.platform, device.reset_log, sent)
        (tunnel,) = result["tunnels"]
        assert tunnel["back"] is True, (device.platform, tunnel)
        assert tunnel["after"]["verdict"] == "OPERATIONAL"
        if spis(before[device.name], name):  # platforms that print SPIs show new ones
            assert spis(after[device.name], name) != spis(before[device.name], name), device.platform

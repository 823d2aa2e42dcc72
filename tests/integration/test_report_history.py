"""The report role's history: one snapshot per run, the newest vpn_history_keep kept, none
added in check mode, and a device that cannot be read is an Error row, not a stopped run.
Emulated devices in this process on 127.0.0.1 (no root needed)."""

import csv
import io
import json
import time

import pytest

from ansible_run import run_ansible
from emulated_fleet import Fleet, build_devices

pytestmark = pytest.mark.filterwarnings("ignore:Diffie-Hellman over finite fields")


def report(env, inventory, out, *extra):
    done, _records = run_ansible(env, "ansible-playbook", "vpnops.tunnels.report", "-i", inventory,
                                 "-e", "vpn_output_dir=%s" % out, "-e", "vpn_history_keep=2", *extra)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return sorted(path.name for path in (out / "history").glob("snapshot-*.json"))


def test_history_keeps_the_newest_snapshots_and_check_mode_adds_none(ansible_env, tmp_path):
    devices = build_devices(["cisco_ios"], per_platform=2)
    broken = build_devices(["cisco_ios"], per_platform=1)[0]
    broken.name, broken.faults = "emu-locked", {"wrong_password"}
    inventory, out = tmp_path / "fleet.yml", tmp_path / "reports"
    with Fleet(devices + [broken]) as fleet:
        fleet.write_inventory(inventory)
        seen = []
        for _run in range(3):
            seen.append(report(ansible_env, inventory, out))
            time.sleep(1.1)  # snapshot names carry the second they were taken
        checked = report(ansible_env, inventory, out, "--check")
    assert [len(names) for names in seen] == [1, 2, 2]
    assert seen[2][0] == seen[1][1]  # the oldest went, the newer one stayed
    assert checked == seen[2]  # check mode writes the reports but keeps the history
    latest = json.loads((out / "history" / seen[2][1]).read_text())
    assert latest["errors"].keys() == {"emu-locked"} and latest["hosts"]["emu-locked"] is None
    rows = list(csv.DictReader(io.StringIO((out / "tunnels.csv").read_text(encoding="utf-8-sig"))))
    locked = [row for row in rows if row["System name"] == "emu-locked"]
    assert len(locked) == 1 and locked[0]["System comm. status"] == "Blocked"
    assert {row["System comm. status"] for row in rows if row["System name"] != "emu-locked"} == {"Ok"}

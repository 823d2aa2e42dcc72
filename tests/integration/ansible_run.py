"""Run ansible CLIs against the lab and read their json-callback results."""

import json
import subprocess
import tempfile
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
INVENTORY = REPO / "tests" / "lab" / "inventory.yml"
BIN = Path(sys.executable).parent


CALLBACKS = Path(__file__).resolve().parent / "callback_plugins"


def run_ansible(env, tool, *args, timeout=300):
    """Run an ansible CLI in the repo; returns (CompletedProcess, host result records).

    Records come from the test-only result_log callback: {host, task, status, result}.
    """
    with tempfile.NamedTemporaryFile("r", suffix=".jsonl") as log:
        env = dict(env, VPNOPS_RESULT_LOG=log.name, ANSIBLE_CALLBACK_PLUGINS=str(CALLBACKS),
                   ANSIBLE_CALLBACKS_ENABLED="result_log", ANSIBLE_LOAD_CALLBACK_PLUGINS="1")
        done = subprocess.run([str(BIN / tool)] + [str(a) for a in args], env=env, cwd=str(REPO),
                              capture_output=True, text=True, timeout=timeout, check=False)
        records = [json.loads(line) for line in log.read().splitlines() if line.strip()]
    return done, records


def host_results(records, task=None):
    """{host: result, with 'status' added} of one task (the only task of an ad-hoc run)."""
    results = {}
    for record in records:
        if task is None or record["task"] == task:
            results[record["host"]] = dict(record["result"], status=record["status"])
    return results

"""Run ansible CLIs against the lab and read their json-callback results."""

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
INVENTORY = REPO / "tests" / "lab" / "inventory.yml"
BIN = Path(sys.executable).parent


def run_ansible(env, tool, *args, json_output=False, timeout=300):
    """Run an ansible CLI; with json_output the json callback's document is returned too."""
    env = dict(env)
    if json_output:
        env.update(ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json", ANSIBLE_LOAD_CALLBACK_PLUGINS="1")
    done = subprocess.run([str(BIN / tool)] + [str(a) for a in args], env=env, cwd=str(REPO),
                          capture_output=True, text=True, timeout=timeout)
    document = None
    if json_output:
        start = done.stdout.find("{")
        document = json.loads(done.stdout[start:]) if start >= 0 else None
    return done, document


def host_results(document):
    """{host: result} of the first (only) task in a json-callback document."""
    return document["plays"][0]["tasks"][0]["hosts"]

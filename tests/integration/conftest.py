"""Integration fixtures: the real lab (strongSwan, OpenVPN, sshd in namespaces) and the
collection built and installed exactly as a user installs it."""

import os
import subprocess

import pytest

from ansible_run import BIN, REPO
from labtools import lab_missing, load_lab_module


@pytest.fixture(scope="session")
def lab():
    """The lab, up for the whole session and always torn down afterwards."""
    missing = lab_missing()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the lab tests: " + missing)
        pytest.skip(missing)
    module = load_lab_module()
    try:
        module.up()
        yield module
    finally:
        module.down()
        left = module.leftovers()
        assert not left, "lab.down() left things behind: %s" % left


@pytest.fixture(scope="session")
def ansible_env(tmp_path_factory):
    """Environment for ansible commands, with the collection built and installed from source."""
    root = tmp_path_factory.mktemp("collections")
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([str(BIN / "ansible-galaxy"), "collection", "build", "--output-path", str(dist),
                    str(REPO)], check=True, capture_output=True)
    tarball = next(dist.glob("vpnops-tunnels-*.tar.gz"))
    subprocess.run([str(BIN / "ansible-galaxy"), "collection", "install", "-p", str(root),
                    str(tarball)], check=True, capture_output=True)
    env = dict(os.environ)
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": str(root),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "PATH": "%s:%s" % (BIN, env.get("PATH", "")),
    })
    env.pop("ANSIBLE_CONFIG", None)
    return env

"""Loading the lab script (tests/lab/lab.py) and telling whether it can run here."""

import importlib.util
import os
import shutil
import sys
from pathlib import Path

from ansible_run import REPO


def load_lab_module():
    """tests/lab/lab.py, loaded once under one name (it is not a package)."""
    if "vpnops_lab" not in sys.modules:
        spec = importlib.util.spec_from_file_location("vpnops_lab", REPO / "tests" / "lab" / "lab.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up here
        spec.loader.exec_module(module)
    return sys.modules["vpnops_lab"]


def lab_missing():
    if os.geteuid() != 0:
        return "the lab needs root (network namespaces)"
    for binary in ("swanctl", "openvpn", "ip", "openssl"):
        if shutil.which(binary) is None and not Path("/usr/sbin", binary).exists():
            return "%s is not installed (make deps installs it)" % binary
    return None

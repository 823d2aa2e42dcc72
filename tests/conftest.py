"""Test setup shared by every test: make the collection importable by its FQCN.

The repository is the collection root, but Python imports it as
ansible_collections.vpnops.tunnels, so a link under .build/src gives it that path.
"""

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
_SRC = REPO / ".build" / "src"
_LINK = _SRC / "ansible_collections" / "vpnops" / "tunnels"
if not _LINK.exists():
    _LINK.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(REPO, _LINK)
sys.path.insert(0, str(_SRC))


def corpus_root():
    """The real device outputs beside the project (never copied into it)."""
    return Path(os.environ.get("VPNOPS_CORPUS", REPO.parent / "shared" / "fixtures" / "real-outputs"))


@pytest.fixture(scope="session")
def corpus():
    root = corpus_root()
    if not root.is_dir():
        if os.environ.get("VPNOPS_REQUIRE_CORPUS") == "1":
            pytest.fail("real-output corpus missing at %s and VPNOPS_REQUIRE_CORPUS=1" % root)
        pytest.skip("real-output corpus not found at %s (set VPNOPS_CORPUS)" % root)
    return root


def corpus_cases(platform, pattern="*"):
    """Raw files of one platform in the corpus, for parametrize (a placeholder when absent)."""
    folder = corpus_root() / platform
    files = sorted(folder.glob(pattern + "/*.txt")) if folder.is_dir() else []
    return files or [pytest.param(None, id="corpus-missing")]


def require_corpus(path):
    if path is None:
        if os.environ.get("VPNOPS_REQUIRE_CORPUS") == "1":
            pytest.fail("real-output corpus missing at %s and VPNOPS_REQUIRE_CORPUS=1" % corpus_root())
        pytest.skip("real-output corpus not found at %s (set VPNOPS_CORPUS)" % corpus_root())

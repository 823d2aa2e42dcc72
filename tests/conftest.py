"""Test setup shared by every test: make the collection importable by its FQCN.

The repository is the collection root, but Python imports it as
ansible_collections.vpnops.tunnels, so a link under .build/src gives it that path.
"""

import os
import sys
from pathlib import Path

import pytest

from corpus import corpus_root, require_corpus

REPO = Path(__file__).resolve().parents[1]
_SRC = REPO / ".build" / "src"
_LINK = _SRC / "ansible_collections" / "vpnops" / "tunnels"
if not _LINK.exists():
    _LINK.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(REPO, _LINK)
sys.path.insert(0, str(_SRC))


@pytest.fixture(scope="session")
def corpus():
    root = corpus_root()
    require_corpus(root if root.is_dir() else None)
    return root

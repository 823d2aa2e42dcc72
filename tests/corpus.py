"""Where the real-output corpus lives, and how tests skip or fail without it.

The corpus (../shared/fixtures/real-outputs beside the project) is read in place, never copied.
"""

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def corpus_root():
    """The real device outputs beside the project (never copied into it)."""
    return Path(os.environ.get("VPNOPS_CORPUS", REPO.parent / "shared" / "fixtures" / "real-outputs"))


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

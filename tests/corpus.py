"""Where the real-output corpus lives, how tests read it, and how they skip or fail without it.

The corpus (../shared/fixtures/real-outputs beside the project) is read in place, never copied.
It holds one folder per platform, one folder per command in it, raw outputs N.txt and, for
some, the parse another project published for the same text (N.expected.py|yml|json|prom).

Without the corpus its tests skip; with VPNOPS_REQUIRE_CORPUS=1 they fail instead.
"""

import ast
import json
import os
import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]

_PROMETHEUS_LINE = re.compile(r"^(\w+)(?:\{(.*)\})? (\S+)$")
_PROMETHEUS_LABEL = re.compile(r'(\w+)="([^"]*)"')


def corpus_root():
    """The real device outputs beside the project (never copied into it)."""
    return Path(os.environ.get("VPNOPS_CORPUS", REPO.parent / "shared" / "fixtures" / "real-outputs"))


def corpus_cases(platform, pattern="*", files="*.txt"):
    """Files of one platform's corpus folder, for parametrize, with ids like
    'show_crypto_ipsec_sa/1.txt' (a single placeholder, None, when there are none).

    pattern: which command folders; files: which files in them (raw outputs by default).
    """
    folder = corpus_root() / platform
    found = sorted(folder.glob("%s/%s" % (pattern, files))) if folder.is_dir() else []
    return [pytest.param(path, id="%s/%s" % (path.parent.name, path.name)) for path in found] or [
        pytest.param(None, id="corpus-missing")]


def require_corpus(path):
    """Skip the test when path is None (the corpus is absent), or fail it when
    VPNOPS_REQUIRE_CORPUS=1 says the corpus must be there."""
    if path is None:
        if os.environ.get("VPNOPS_REQUIRE_CORPUS") == "1":
            pytest.fail("real-output corpus missing at %s and VPNOPS_REQUIRE_CORPUS=1" % corpus_root())
        pytest.skip("real-output corpus not found at %s (set VPNOPS_CORPUS)" % corpus_root())


def corpus_path(platform, relative):
    """A file of the corpus, after require_corpus() on the corpus itself: without the corpus
    the test skips (or fails); a file missing from a corpus that is there is an error."""
    root = corpus_root()
    require_corpus(root if root.is_dir() else None)
    return root / platform / relative


def corpus_text(platform, relative):
    """The text of a corpus file, e.g. corpus_text("vyos", "show_vpn_ike_sa/2.txt")."""
    return corpus_path(platform, relative).read_text(encoding="utf-8")


def prometheus_rows(text):
    """[(metric, {label: value}, value)] of a Prometheus exposition text (comments left out)."""
    rows = []
    for line in text.splitlines():
        match = _PROMETHEUS_LINE.match(line)
        if match and not line.startswith("#"):
            rows.append((match.group(1), dict(_PROMETHEUS_LABEL.findall(match.group(2) or "")),
                         float(match.group(3))))
    return rows


def read_expected(path):
    """A published parse by its file's suffix: .expected.py a Genie dict literal (`name = {...}`),
    .expected.yml TextFSM's parsed_sample rows, .expected.json jc's JSON, .expected.prom an
    exporter's metrics as prometheus_rows()."""
    text = path.read_text(encoding="utf-8")
    if path.name.endswith(".py"):
        return ast.literal_eval(text.split("=", 1)[1].strip())
    if path.name.endswith(".yml"):
        return yaml.safe_load(text)["parsed_sample"]
    if path.name.endswith(".json"):
        return json.loads(text)
    if path.name.endswith(".prom"):
        return prometheus_rows(text)
    raise ValueError("no reader for the expected parse %s" % path)


def corpus_expected(platform, relative):
    """The published parse beside a raw output: relative names the expected file itself
    ('show_crypto_ipsec_sa/1.expected.yml') or the raw file ('show_crypto_ipsec_sa/1.txt'),
    whose one expected file is then read, whatever its suffix."""
    path = corpus_path(platform, relative)
    if ".expected." in path.name:
        return read_expected(path)
    stem = path.name[:-len(path.suffix)]
    found = sorted(path.parent.glob(stem + ".expected.*"))
    assert len(found) == 1, "want one expected parse beside %s, found %s" % (path, found)
    return read_expected(found[0])

"""numbered_lines: the same (number, line) pairs as enumerate(text.splitlines(), 1), whatever
the chunk size, for every line ending Python splits on."""

import itertools

import pytest

from ansible_collections.vpnops.tunnels.plugins.module_utils.errors import VpnParseError
from ansible_collections.vpnops.tunnels.plugins.module_utils.parsers import strongswan
from ansible_collections.vpnops.tunnels.plugins.module_utils.parsers.common import numbered_lines

PIECES = ("a", "bc", "", " ", "\n", "\r\n", "\r", "\n\n", "\x0c", "\x1e", "\x85", "\u2028")


def _texts():
    yield ""
    yield "\n"
    yield "one line, no ending"
    yield "ends\n\n\n"
    for combination in itertools.product(PIECES, repeat=4):
        yield "".join(combination)


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 1 << 16])
def test_numbered_lines_equals_splitlines(chunk):
    for text in _texts():
        assert list(numbered_lines(text, chunk)) == list(enumerate(text.splitlines(), 1)), repr(text)


def test_numbered_lines_of_a_large_text_in_many_chunks():
    text = "".join("line %d%s" % (index, "\r\n" if index % 3 else "\n\n")
                   for index in range(200000))
    got = list(numbered_lines(text))
    assert got == list(enumerate(text.splitlines(), 1))
    assert got[-1][0] > 2 * (1 << 16)  # more lines than one chunk holds, so it was split


PRETTY_SA = """list-sa event {{
  gw-{index} {{
    uniqueid = {index}
    version = 2
    state = ESTABLISHED
    child-sas {{
      net-{index} {{
        name = net
        state = INSTALLED
      }}
    }}
  }}
}}
"""


def test_strongswan_reads_pretty_messages_one_after_another():
    text = "".join(PRETTY_SA.format(index=index) for index in range(1, 4))
    tunnels = strongswan.parse("swanctl --list-sas", text)
    assert [t["name"] for t in tunnels] == ["gw-1", "gw-2", "gw-3"]
    assert [c["name"] for t in tunnels for c in t["children"]] == ["net", "net", "net"]


def test_strongswan_unbalanced_message_after_complete_ones_is_a_parse_error():
    text = PRETTY_SA.format(index=1) + "list-sa event {\n  gw-2 {\n    version = 2\n"
    with pytest.raises(VpnParseError, match="unbalanced braces"):
        strongswan.parse("swanctl --list-sas", text)

"""cyclic_gc.paused: the collector is off inside and back on after, and pausing it again and
again (a fleet parses hundreds of outputs in threads) never keeps it from collecting the
reference cycles other code leaves behind."""

import gc
import weakref

import pytest

from ansible_collections.vpnops.tunnels.plugins.module_utils import cyclic_gc


class Node:
    """A reference cycle, as SSH sessions leave behind (transport <-> channel)."""

    def __init__(self):
        self.me = self


@pytest.fixture
def collector_on():
    was_enabled = gc.isenabled()
    gc.enable()
    yield
    if not was_enabled:
        gc.disable()


def test_paused_turns_collection_off_and_back_on(collector_on):
    with cyclic_gc.paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_paused_leaves_a_disabled_collector_alone(collector_on):
    gc.disable()
    with cyclic_gc.paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_cycles_left_between_paused_work_are_still_collected(collector_on):
    gc.collect()
    cycle = Node()
    alive = weakref.ref(cycle)
    del cycle
    results = []  # the fleet keeps every device's facts
    for _round in range(3000):  # small parses, with other work between them
        with cyclic_gc.paused():
            facts = [{"children": [index]} for index in range(20)]
        results.append(facts)
        results.append([[index] for index in range(20)])
        if alive() is None:
            break
    assert alive() is None  # collected by the collector's own schedule, no gc.collect()

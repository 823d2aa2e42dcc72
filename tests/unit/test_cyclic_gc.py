"""cyclic_gc.paused: the collector is off inside, back on after, and what the work kept is
moved to the oldest generation so the next young collection does not walk all of it."""

import gc

import pytest

from ansible_collections.vpnops.tunnels.plugins.module_utils import cyclic_gc


def _generation_of(obj):
    for generation in range(3):
        if any(found is obj for found in gc.get_objects(generation=generation)):
            return generation
    return None


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
        kept = [{"children": [index]} for index in range(1000)]
    assert gc.isenabled()
    assert _generation_of(kept) == 2
    assert _generation_of(kept[-1]) == 2


def test_paused_leaves_a_disabled_collector_alone(collector_on):
    gc.disable()
    with cyclic_gc.paused():
        kept = [{}]
    assert not gc.isenabled()
    assert _generation_of(kept) == 0  # nothing promoted: the caller owns the collector


def test_paused_keeps_objects_frozen_by_the_process(collector_on):
    frozen = [{"pre-fork": True}]
    gc.freeze()
    try:
        with cyclic_gc.paused():
            kept = [{}]
        assert gc.get_freeze_count() > 0  # not unfrozen behind the process's back
        assert _generation_of(frozen) is None
        assert _generation_of(kept) == 0
    finally:
        gc.unfreeze()

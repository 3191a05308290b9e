"""``settle_heap``: what a server process does to its collector before it takes traffic."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from app.heap import GC_THRESHOLDS, settle_heap


@pytest.fixture
def restored_gc() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


@pytest.mark.usefixtures("restored_gc")
def test_settling_freezes_what_is_loaded_and_raises_the_thresholds() -> None:
    frozen = settle_heap(warm_detector=False)
    assert frozen > 10_000  # at least the imported modules and their functions
    assert gc.get_freeze_count() == frozen
    assert gc.get_threshold() == GC_THRESHOLDS
    # What is created afterwards is still collected: a cycle made now is found.
    cycle: list[object] = []
    cycle.append(cycle)
    del cycle
    assert gc.collect() >= 1

"""The garbage collector's thresholds while an import runs (``cxdash.gctune``)."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from cxdash.gctune import GEN0_THRESHOLD, collect_less


@pytest.fixture(autouse=True)
def thresholds() -> Iterator[tuple[int, int, int]]:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield gc.get_threshold()
    gc.set_threshold(*before)


def test_the_youngest_generation_is_collected_less_often_inside_and_as_before_after() -> None:
    with collect_less():
        assert gc.get_threshold() == (GEN0_THRESHOLD, 10, 10)
    assert gc.get_threshold() == (700, 10, 10)


def test_a_failure_inside_restores_the_thresholds() -> None:
    with pytest.raises(RuntimeError), collect_less():
        raise RuntimeError("the import failed")
    assert gc.get_threshold() == (700, 10, 10)


def test_a_process_setting_above_it_and_a_collector_turned_off_are_left_alone() -> None:
    gc.set_threshold(200_000, 5, 5)
    with collect_less():
        assert gc.get_threshold() == (200_000, 5, 5)
    gc.set_threshold(0, 10, 10)
    with collect_less():
        assert gc.get_threshold()[0] == 0
    assert gc.get_threshold() == (0, 10, 10)


def test_overlapping_imports_in_two_threads_restore_the_thresholds_once_both_end() -> None:
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: list[int] = []

    def first() -> None:
        with collect_less():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second() -> None:
        first_in.wait(5)
        with collect_less():
            second_in.set()
            first_out.wait(5)
            seen.append(gc.get_threshold()[0])  # the first import ended: still raised for this one

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen == [GEN0_THRESHOLD]
    assert gc.get_threshold() == (700, 10, 10)

"""split_run: a forked helper shares the work; the result equals one process's."""

from __future__ import annotations

import os

import pytest

from faircollect.adapters.parallel import HelperFailed, can_fork, split_run

pytestmark = pytest.mark.skipif(not can_fork(), reason="needs fork and two cores")


def test_the_parts_join_in_index_order_the_helper_doing_a_prefix() -> None:
    parent = os.getpid()

    def task(start: int, stop: int) -> list[tuple[int, bool]]:
        return [(i * i, os.getpid() == parent) for i in range(start, stop)]

    result = split_run(task, 10_000, chunk=7, minimum=10)
    assert [square for square, _ in result] == [i * i for i in range(10_000)]
    here = [mine for _, mine in result]
    assert here == sorted(here)  # the helper's chunks first, then this process's


def test_small_counts_stay_in_this_process() -> None:
    parent = os.getpid()
    result = split_run(lambda a, b: [os.getpid() == parent for _ in range(a, b)], 5, minimum=10)
    assert result == [True] * 5


def test_an_error_in_the_helper_reaches_the_caller() -> None:
    parent = os.getpid()

    def task(start: int, stop: int) -> list[int]:
        if os.getpid() != parent:
            raise ValueError("helper failed")
        return list(range(start, stop))

    with pytest.raises(HelperFailed, match="ValueError: helper failed"):
        split_run(task, 100_000, chunk=10, minimum=10)


def test_an_error_here_kills_the_helper_and_reaches_the_caller() -> None:
    def task(start: int, stop: int) -> list[int]:
        if start >= 50:
            raise KeyError("here")
        return list(range(start, stop))

    with pytest.raises(KeyError):
        split_run(task, 100, chunk=10, minimum=10)

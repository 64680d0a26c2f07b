"""split_run: a forked helper computes the first part; the result equals one process's."""

from __future__ import annotations

import os

import pytest

from faircollect.services.forked import HelperFailed, can_fork, split_run

pytestmark = pytest.mark.skipif(not can_fork(), reason="needs fork and two cores")


def test_the_parts_join_in_index_order_and_the_helper_is_another_process() -> None:
    parent = os.getpid()

    def task(start: int, stop: int) -> list[tuple[int, bool]]:
        return [(i * i, os.getpid() == parent) for i in range(start, stop)]

    result = split_run(task, 1_000, minimum=10)
    assert [square for square, _ in result] == [i * i for i in range(1_000)]
    assert [here for _, here in result] == [False] * 500 + [True] * 500


def test_small_counts_stay_in_this_process() -> None:
    parent = os.getpid()
    result = split_run(lambda a, b: [os.getpid() == parent for _ in range(a, b)], 5, minimum=10)
    assert result == [True] * 5


def test_an_error_in_the_helper_reaches_the_caller() -> None:
    def task(start: int, stop: int) -> list[int]:
        if start == 0:
            raise ValueError("helper failed")
        return list(range(start, stop))

    with pytest.raises(HelperFailed, match="ValueError: helper failed"):
        split_run(task, 100, minimum=10)


def test_an_error_here_kills_the_helper_and_reaches_the_caller() -> None:
    def task(start: int, stop: int) -> list[int]:
        if start > 0:
            raise KeyError("here")
        return list(range(start, stop))

    with pytest.raises(KeyError):
        split_run(task, 100, minimum=10)

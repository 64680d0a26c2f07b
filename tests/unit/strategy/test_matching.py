"""Segment matching, criterion by criterion."""

from __future__ import annotations

from typing import Any

import pytest

from faircollect.domain.strategy import IntRange, SegmentMatch
from faircollect.domain.strategy.matching import matches

ACCOUNT: dict[str, Any] = dict(
    bucket="M1", product="cash", balance=500_000, risk_score=650, first_time=True
)


@pytest.mark.parametrize(
    ("criteria", "account", "expected"),
    [
        (SegmentMatch(), {}, True),
        (SegmentMatch(buckets=frozenset({"M1", "M2"})), {}, True),
        (SegmentMatch(buckets=frozenset({"M2"})), {}, False),
        (SegmentMatch(products=frozenset({"cash"})), {}, True),
        (SegmentMatch(products=frozenset({"card"})), {}, False),
        (SegmentMatch(balance=IntRange(500_000, None)), {}, True),  # low bound inclusive
        (SegmentMatch(balance=IntRange(None, 500_000)), {}, False),  # high bound exclusive
        (SegmentMatch(balance=IntRange(100, 500_001)), {}, True),
        (SegmentMatch(risk=IntRange(600, 700)), {}, True),
        (SegmentMatch(risk=IntRange(700, None)), {}, False),
        (SegmentMatch(risk=IntRange(0, None)), {"risk_score": None}, False),
        (SegmentMatch(first_time=True), {}, True),
        (SegmentMatch(first_time=False), {}, False),
        (SegmentMatch(first_time=False), {"first_time": False}, True),
        (
            SegmentMatch(buckets=frozenset({"M1"}), products=frozenset({"card"})),
            {},
            False,
        ),
    ],
)
def test_segment_criteria(criteria: SegmentMatch, account: dict[str, Any], expected: bool) -> None:
    assert matches(criteria, **{**ACCOUNT, **account}) is expected

"""The first-time / repeat delinquency rule (domain.strategy.delinquency)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from faircollect.domain.ledger.state import Stage
from faircollect.domain.strategy.delinquency import (
    DelinquencyHistory,
    begins_episode,
    ends_episode,
    first_time_delinquent,
)

C, P, E, IN, L = Stage.CURRENT, Stage.PRE_DUE, Stage.EARLY, Stage.INTENSIVE, Stage.LEGAL
NIGHT = date(2026, 5, 1)


@pytest.mark.parametrize(
    ("stage", "previous", "begins", "ends"),
    [
        (E, None, True, False),  # overdue when first recorded
        (C, None, False, False),
        (E, P, True, False),
        (L, C, True, False),  # a payment reversal can jump stages
        (IN, E, False, False),  # deeper into the same episode
        (L, IN, False, False),
        (C, E, False, True),
        (P, L, False, True),
        (P, C, False, False),  # the twice-monthly churn of a loan that pays
    ],
)
def test_episode_boundaries(stage: Stage, previous: Stage | None, begins: bool, ends: bool) -> None:
    assert begins_episode(stage, previous) is begins
    assert ends_episode(stage, previous) is ends


def test_the_reference_day_is_the_start_of_the_current_episode() -> None:
    cure = date(2026, 3, 1)
    assert first_time_delinquent(None, date(2026, 4, 1), NIGHT)
    assert not first_time_delinquent(cure, date(2026, 4, 1), NIGHT)
    assert not first_time_delinquent(cure, cure, NIGHT)  # cured and overdue again the same day
    assert first_time_delinquent(cure, date(2026, 2, 1), NIGHT)  # cured during this episode
    assert not first_time_delinquent(cure, None, NIGHT)  # not overdue tonight: the night


def test_history_cured_then_overdue_again_is_repeat_on_every_loan_of_the_borrower() -> None:
    history = DelinquencyHistory()
    history.add("B", "L1", date(2026, 2, 1), E, P)
    history.add("B", "L1", date(2026, 2, 10), C, E)
    history.add("B", "L1", date(2026, 3, 1), E, P)
    history.add("B", "L2", date(2026, 3, 5), E, C)
    history.add("X", "L3", date(2026, 3, 5), E, None)
    assert not history.first_time("B", "L1", E, NIGHT)
    assert not history.first_time("B", "L2", IN, NIGHT)
    assert not history.first_time("B", "L9", P, NIGHT)  # a loan not overdue tonight
    assert history.first_time("X", "L3", E, NIGHT)


ROWS = st.lists(
    st.tuples(
        st.sampled_from(["B1", "B2"]),
        st.sampled_from(["L1", "L2", "L3"]),
        st.integers(0, 60).map(lambda n: NIGHT - timedelta(days=n)),
        st.sampled_from(list(Stage)),
        st.sampled_from([None, *Stage]),
    ),
    max_size=20,
)


@given(ROWS, st.randoms())
def test_the_labels_do_not_depend_on_the_order_rows_arrive_in(rows, rnd) -> None:  # type: ignore[no-untyped-def]
    """The loader reads rows in no particular order; the labels must not care."""
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    a, b = DelinquencyHistory(), DelinquencyHistory()
    for row in rows:
        a.add(*row)
    for row in shuffled:
        b.add(*row)
    for borrower in ("B1", "B2"):
        for loan in ("L1", "L2", "L3"):
            for stage in Stage:
                assert a.first_time(borrower, loan, stage, NIGHT) == b.first_time(
                    borrower, loan, stage, NIGHT
                )

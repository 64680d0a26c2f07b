"""Vectorised due dates equal ``add_months`` (month-end clamping, leap years, row → loan)."""

from __future__ import annotations

from datetime import date

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from faircollect.domain.dates import add_months
from faircollect.portfolio import day_number, from_day_number
from faircollect.portfolio.schedules import due_days

DAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))


@given(st.lists(st.tuples(DAYS, st.integers(0, 480)), min_size=1, max_size=60))
def test_due_days_row_by_row_equal_add_months(cases: list[tuple[date, int]]) -> None:
    disbursed = np.asarray([day_number(d) for d, _ in cases], dtype=np.int64)
    months = np.asarray([m for _, m in cases], dtype=np.int64)
    got = [from_day_number(int(x)) for x in due_days(disbursed, months)]
    assert got == [add_months(d, m) for d, m in cases]


@given(
    st.lists(DAYS, min_size=1, max_size=20),
    st.lists(st.tuples(st.integers(0, 19), st.integers(1, 36)), min_size=1, max_size=80),
)
def test_due_days_per_loan_equal_add_months(loans: list[date], rows: list[tuple[int, int]]) -> None:
    rows = [(i % len(loans), m) for i, m in rows]
    disbursed = np.asarray([day_number(d) for d in loans], dtype=np.int64)
    loan = np.asarray([i for i, _ in rows], dtype=np.int64)
    months = np.asarray([m for _, m in rows], dtype=np.int64)
    got = [from_day_number(int(x)) for x in due_days(disbursed, months, loan)]
    assert got == [add_months(loans[i], m) for i, m in rows]


def test_month_end_is_clamped() -> None:
    jan31 = np.asarray([day_number(date(2024, 1, 31))], dtype=np.int64)
    got = due_days(jan31, np.asarray([1], dtype=np.int64))
    assert from_day_number(int(got[0])) == date(2024, 2, 29)

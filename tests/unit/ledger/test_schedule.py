"""Schedules against hand-computed figures (the conventions of issue 2, section 2)."""

from datetime import date
from decimal import Decimal

import pytest

from faircollect.domain.dates import add_months
from faircollect.domain.ledger.schedule import build_schedule
from faircollect.domain.ledger.terms import LoanTerms, Method


def terms(
    method: Method,
    principal: int,
    rate: str,
    months: int,
    fee: int = 0,
    disbursed: date = date(2026, 1, 31),
) -> LoanTerms:
    return LoanTerms(
        loan_id="L",
        principal=principal,
        received=principal,
        annual_rate=Decimal(rate),
        term_months=months,
        method=method,
        disbursed_on=disbursed,
        penalty_rate_daily=Decimal("0.0005"),
        grace_days=0,
        periodic_fee=fee,
    )


@pytest.mark.parametrize(
    ("start", "months", "due"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 1, 31), 2, date(2026, 3, 31)),
        (date(2026, 1, 31), 3, date(2026, 4, 30)),
        (date(2026, 11, 15), 3, date(2027, 2, 15)),
        (date(2026, 5, 5), 12, date(2027, 5, 5)),
    ],
)
def test_due_dates_keep_the_day_and_clamp_to_month_end(start: date, months: int, due: date) -> None:
    assert add_months(start, months) == due


def test_equal_installment_10000_at_18_percent_pays_916_80_a_month() -> None:
    # The textbook figure: 10,000 at 1.5 % a month over 12 months is 916.80 a month.
    rows = build_schedule(terms(Method.EQUAL_INSTALLMENT, 1_000_000, "0.18", 12))
    assert [r.principal + r.interest for r in rows[:-1]] == [91_680] * 11
    assert rows[0].interest == 15_000  # round(1,000,000 fen x 1.5 %)
    assert rows[1].interest == round((1_000_000 - 76_680) * 0.015)  # 13,849.8 -> 13,850
    assert sum(r.principal for r in rows) == 1_000_000
    assert [r.due_on for r in rows[:3]] == [date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]


def test_equal_installment_at_zero_rate_splits_principal_last_takes_remainder() -> None:
    rows = build_schedule(terms(Method.EQUAL_INSTALLMENT, 100_000, "0", 3))
    assert [(r.principal, r.interest) for r in rows] == [(33_333, 0), (33_333, 0), (33_334, 0)]


def test_equal_principal_interest_on_declining_balance() -> None:
    rows = build_schedule(terms(Method.EQUAL_PRINCIPAL, 1_200_000, "0.12", 12))
    assert [r.principal for r in rows] == [100_000] * 12
    # 1 % a month on 12,000.00, 11,000.00, ... 1,000.00
    assert [r.interest for r in rows] == [12_000 - 1_000 * k for k in range(12)]


def test_equal_principal_last_installment_takes_the_rounding_remainder() -> None:
    rows = build_schedule(terms(Method.EQUAL_PRINCIPAL, 100_001, "0.06", 3))
    assert [r.principal for r in rows] == [33_334, 33_334, 33_333]


def test_interest_only_pays_all_principal_at_the_end() -> None:
    rows = build_schedule(terms(Method.INTEREST_ONLY, 1_000_000, "0.12", 3, fee=500))
    assert [(r.principal, r.interest, r.fee) for r in rows] == [
        (0, 10_000, 500),
        (0, 10_000, 500),
        (1_000_000, 10_000, 500),
    ]


def test_bullet_is_one_installment_at_month_n() -> None:
    rows = build_schedule(terms(Method.BULLET, 1_000_000, "0.12", 6, fee=300))
    assert len(rows) == 1
    assert (rows[0].principal, rows[0].interest, rows[0].fee) == (1_000_000, 60_000, 300)
    assert rows[0].due_on == date(2026, 7, 31)


def test_interest_rounds_half_up_to_the_fen() -> None:
    # 1,050 fen at 12 %/12 = 10.5 fen -> 11
    rows = build_schedule(terms(Method.INTEREST_ONLY, 1_050, "0.12", 1))
    assert rows[0].interest == 11


@pytest.mark.parametrize("method", [Method.EQUAL_INSTALLMENT, Method.EQUAL_PRINCIPAL])
def test_tiny_loans_never_schedule_negative_principal(method: Method) -> None:
    # 1.00 over 22 months: round(100/22) = 5 fen, and 21 x 5 > 100.
    rows = build_schedule(terms(method, 100, "0", 22))
    assert min(r.principal for r in rows) == 0
    assert sum(r.principal for r in rows) == 100
    assert [r.principal for r in rows[:20]] == [5] * 20

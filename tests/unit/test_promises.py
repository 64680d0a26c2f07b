"""Promises to pay settled against payments: kept, partly kept, broken, open."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from faircollect.domain.ledger.terms import Payment
from faircollect.domain.promises import Promise, PromiseStatus, settle

MADE = date(2026, 12, 1)
DUE = date(2026, 12, 5)
PROMISE = Promise("P1", "L1", amount=100_000, made_on=MADE, due_on=DUE)


def pay(day: date, fen: int, loan: str = "L1") -> Payment:
    return Payment(f"{loan}-{day}-{fen}", loan, day, fen)


@pytest.mark.parametrize(
    ("story", "payments", "as_of", "status", "paid"),
    [
        ("nothing paid, due passed", [], DUE, PromiseStatus.BROKEN, 0),
        ("paid in full on the due date", [pay(DUE, 100_000)], DUE, PromiseStatus.KEPT, 100_000),
        (
            "paid in two parts",
            [pay(MADE + timedelta(1), 40_000), pay(DUE, 60_000)],
            DUE,
            PromiseStatus.KEPT,
            100_000,
        ),
        ("overpaid", [pay(DUE, 150_000)], DUE, PromiseStatus.KEPT, 150_000),
        ("short by a fen", [pay(DUE, 99_999)], DUE, PromiseStatus.PARTLY_KEPT, 99_999),
        (
            "paid on the day the promise was made: does not count",
            [pay(MADE, 100_000)],
            DUE,
            PromiseStatus.BROKEN,
            0,
        ),
        (
            "paid the day after the due date: too late",
            [pay(DUE + timedelta(1), 100_000)],
            DUE + timedelta(1),
            PromiseStatus.BROKEN,
            0,
        ),
        (
            "another loan's payment does not count",
            [pay(DUE, 100_000, "L2")],
            DUE,
            PromiseStatus.BROKEN,
            0,
        ),
        ("not due yet, nothing paid", [], DUE - timedelta(1), PromiseStatus.OPEN, 0),
        (
            "not due yet, paid in full: still open until due",
            [pay(DUE - timedelta(2), 100_000)],
            DUE - timedelta(1),
            PromiseStatus.OPEN,
            100_000,
        ),
        (
            "payment after as_of is not seen",
            [pay(DUE, 100_000)],
            DUE - timedelta(1),
            PromiseStatus.OPEN,
            0,
        ),
    ],
)
def test_settle(
    story: str, payments: list[Payment], as_of: date, status: PromiseStatus, paid: int
) -> None:
    (outcome,) = settle([PROMISE], payments, as_of)
    assert (outcome.status, outcome.paid) == (status, paid), story
    assert outcome.shortfall == max(PROMISE.amount - paid, 0)


def test_outcomes_keep_input_order_and_ids() -> None:
    other = Promise("P2", "L2", 5_000, MADE, DUE)
    outcomes = settle([other, PROMISE], [pay(DUE, 5_000, "L2")], DUE)
    assert [(o.promise_id, o.status) for o in outcomes] == [
        ("P2", PromiseStatus.KEPT),
        ("P1", PromiseStatus.BROKEN),
    ]


@given(st.lists(st.integers(min_value=1, max_value=200_000), max_size=5))
def test_status_follows_the_amount_paid(amounts: list[int]) -> None:
    payments = [pay(MADE + timedelta(days=1 + i % 4), fen) for i, fen in enumerate(amounts)]
    (outcome,) = settle([PROMISE], payments, DUE)
    total = sum(amounts)
    assert outcome.paid == total
    expected = (
        PromiseStatus.KEPT
        if total >= PROMISE.amount
        else PromiseStatus.PARTLY_KEPT
        if total
        else PromiseStatus.BROKEN
    )
    assert outcome.status is expected

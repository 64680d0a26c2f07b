"""Promises to pay (承诺还款, PTP) and how the nightly run settles them.

A promise is kept when payments on its loan dated after the day it was made and on or
before its due date cover the promised amount; partly kept when they cover some of it;
broken when nothing was paid. Until its due date has arrived a promise stays open, so an
account is never escalated for a promise that can still be kept.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from faircollect.domain.ledger.terms import Payment


class PromiseStatus(StrEnum):
    OPEN = "open"
    KEPT = "kept"
    PARTLY_KEPT = "partly_kept"
    BROKEN = "broken"


@dataclass(frozen=True, slots=True)
class Promise:
    """A borrower's promise to pay ``amount`` fen on ``loan_id`` by ``due_on``."""

    promise_id: str
    loan_id: str
    amount: int
    made_on: date
    due_on: date


@dataclass(frozen=True, slots=True)
class PromiseOutcome:
    """A promise's status as of a date, with what was paid towards it (fen)."""

    promise_id: str
    loan_id: str
    status: PromiseStatus
    paid: int
    amount: int

    @property
    def shortfall(self) -> int:
        return max(self.amount - self.paid, 0)


def paid_towards(promise: Promise, payments: Iterable[Payment]) -> int:
    """Fen paid on the promise's loan after it was made and on or before its due date."""
    return sum(
        p.amount
        for p in payments
        if p.loan_id == promise.loan_id and promise.made_on < p.paid_on <= promise.due_on
    )


def status_of(promise: Promise, paid: int, as_of: date) -> PromiseStatus:
    """Open until the due date has arrived; then kept, partly kept or broken."""
    if promise.due_on > as_of:
        return PromiseStatus.OPEN
    if paid >= promise.amount:
        return PromiseStatus.KEPT
    return PromiseStatus.PARTLY_KEPT if paid > 0 else PromiseStatus.BROKEN


def settle(
    promises: Iterable[Promise], payments: Iterable[Payment], as_of: date
) -> list[PromiseOutcome]:
    """Every promise's outcome as of ``as_of``, in input order.

    Payments count for each promise on their loan independently: two promises on one loan
    whose windows overlap may both count the same payment (a later promise usually
    replaces an earlier one; casework decides which is current).
    """
    by_loan: dict[str, list[Payment]] = defaultdict(list)
    for payment in payments:
        if payment.paid_on <= as_of:
            by_loan[payment.loan_id].append(payment)
    outcomes = []
    for promise in promises:
        paid = paid_towards(promise, by_loan.get(promise.loan_id, ()))
        outcomes.append(
            PromiseOutcome(
                promise.promise_id,
                promise.loan_id,
                status_of(promise, paid, as_of),
                paid,
                promise.amount,
            )
        )
    return outcomes

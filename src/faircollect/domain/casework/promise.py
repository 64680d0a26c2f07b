"""A promise to pay (承诺还款, PTP) as the call produces it, before it is stored.

Whether a promise was kept is decided in one place, ``domain/promises.py`` (the nightly
run's ``settle``); this module only adds what a call knows (the case) and asks that rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from faircollect.domain.casework.errors import CaseworkError
from faircollect.domain.ledger.terms import Payment
from faircollect.domain.messages import Message
from faircollect.domain.promises import Promise, PromiseStatus, paid_towards, status_of

MAX_PROMISE_DAYS = 366
"""A promise falls due within a year of the day it is made; paying later than that is an
instalment plan (分期), which a supervisor decides."""


@dataclass(frozen=True, slots=True)
class PromiseToPay:
    """The borrower promised ``amount`` fen on ``loan_id`` by ``due``, said on ``made_on``."""

    case_id: str
    loan_id: str
    amount: int
    due: date
    made_on: date

    def __post_init__(self) -> None:
        if self.amount <= 0:
            raise CaseworkError(Message("promise.amount_not_positive", loan_id=self.loan_id))
        if self.due < self.made_on:
            raise CaseworkError(
                Message(
                    "promise.due_before_made",
                    loan_id=self.loan_id,
                    due=self.due,
                    made_on=self.made_on,
                )
            )
        if (self.due - self.made_on).days > MAX_PROMISE_DAYS:
            raise CaseworkError(
                Message(
                    "promise.due_too_far",
                    loan_id=self.loan_id,
                    due=self.due,
                    days=MAX_PROMISE_DAYS,
                    made_on=self.made_on,
                )
            )

    def as_promise(self, promise_id: str = "") -> Promise:
        """The same promise in the nightly run's terms."""
        return Promise(promise_id, self.loan_id, self.amount, self.made_on, self.due)


class PromiseKind(StrEnum):
    ONCE = "once"  # 一次性还款
    INSTALMENTS = "instalments"  # 分期: the first of several payments


@dataclass(frozen=True, slots=True)
class PromiseLimits:
    """What a sane promise on one account respects (PTP-1): at least ``floor`` fen (the
    pack's minimum, or all that is lawfully overdue when that is less), at most
    ``ceiling`` fen (all that is lawfully owed), due within ``horizon_days``."""

    floor: int
    ceiling: int
    horizon_days: int


def promise_problems(promise: PromiseToPay, limits: PromiseLimits) -> list[Message]:
    """Why the promise is refused under PTP-1 (empty when it is sane)."""
    problems = []
    if promise.amount < limits.floor:
        problems.append(Message("promise.below_minimum", amount=promise.amount, floor=limits.floor))
    if promise.amount > limits.ceiling:
        problems.append(
            Message("promise.above_owed", amount=promise.amount, ceiling=limits.ceiling)
        )
    last = promise.made_on + timedelta(days=limits.horizon_days)
    if promise.due > last:
        problems.append(
            Message(
                "promise.due_beyond_horizon",
                due=promise.due,
                days=limits.horizon_days,
                made_on=promise.made_on,
                latest=last,
            )
        )
    return problems


@dataclass(frozen=True, slots=True)
class PastPromise:
    """A promise in the account's history and how it ended (None: not yet due)."""

    amount: int
    due: date
    kept: bool | None


def promise_kept(
    promise: PromiseToPay, paid: Iterable[tuple[date, int]], as_of: date
) -> bool | None:
    """True once kept, False once broken or only partly kept, None while still open.

    The rule is ``domain.promises``: payments dated after the day the promise was made and
    on or before its due date must cover the amount; it is judged when the due date arrives.
    """
    payments = [Payment("", promise.loan_id, on, amount) for on, amount in paid]
    ptp = promise.as_promise()
    status = status_of(ptp, paid_towards(ptp, payments), as_of)
    if status is PromiseStatus.OPEN:
        return None
    return status is PromiseStatus.KEPT

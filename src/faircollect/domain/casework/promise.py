"""A minimal promise to pay (承诺还款, PTP) as the call produces it.

The nightly run owns promises (``domain/promises.py``, built on another branch, with
``settle(promises, payments, as_of)``). This is the smallest shape the casework needs;
the lead unifies the two after merging.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from faircollect.domain.casework.errors import CaseworkError


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
            raise CaseworkError(f"promise on {self.loan_id}: amount must be positive")
        if self.due < self.made_on:
            raise CaseworkError(
                f"promise on {self.loan_id}: due {self.due} is before it was made {self.made_on}"
            )


@dataclass(frozen=True, slots=True)
class PastPromise:
    """A promise in the account's history and how it ended (None: not yet due)."""

    amount: int
    due: date
    kept: bool | None


def promise_kept(
    promise: PromiseToPay, paid: Iterable[tuple[date, int]], as_of: date
) -> bool | None:
    """Kept when payments dated from the day the promise was made through its due date
    cover the amount (a same-day payment counts: "I'll pay today" must be keepable);
    broken once ``as_of`` is past the due date without that; None while still open.
    The nightly run's ``settle`` (domain/promises.py) is the full version (partly kept,
    several promises); this is the minimum the case lifecycle needs.
    """
    last = min(promise.due, as_of)
    covered = sum(amount for on, amount in paid if promise.made_on <= on <= last)
    if covered >= promise.amount:
        return True
    return False if as_of > promise.due else None

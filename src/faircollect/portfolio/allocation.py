"""The payment waterfall for a whole portfolio, one payment round at a time.

Round j applies the j-th payment day of every loan at once. A loan's payments on one day
are merged first: the waterfall fills the same components in the same order whether the
money comes as one amount or several, so the state is the same.

Penalty is accrued lazily: an installment's penalty depends only on its own unpaid
principal + interest, which only changes when a payment touches it, so accrual is brought
up to date when the waterfall reaches the installment and once more at the as-of date.
Accrued penalty is an int64 in units of fen × 10^-8 (rate numerator over 10^8).

Every installment before a loan's pointer has principal, interest and fee paid, and its
penalty is then either waived (paid within grace) or paid (penalty goes first): it can
never absorb money again, so each round starts at the pointer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from faircollect.portfolio.columns import I64, PENALTY_SCALE, LoanColumns, PaymentColumns
from faircollect.portfolio.schedules import Schedules

_HALF = PENALTY_SCALE // 2


@dataclass(slots=True)
class Books:
    """The running account of every installment (flat, like ``Schedules``)."""

    unpaid_principal: I64
    unpaid_interest: I64
    unpaid_fee: I64
    penalty_paid: I64
    accrued: I64
    accrued_through: I64
    grace_end: I64
    waived: np.ndarray
    pointer: I64
    """Per loan: the first installment (0-based) that may still absorb money."""
    credit: I64
    """Per loan: money beyond the whole loan, kept."""

    @classmethod
    def open(cls, loans: LoanColumns, schedules: Schedules) -> Books:
        size = len(schedules.due)
        return cls(
            unpaid_principal=schedules.principal.copy(),
            unpaid_interest=schedules.interest.copy(),
            unpaid_fee=schedules.fee.copy(),
            penalty_paid=np.zeros(size, dtype=np.int64),
            accrued=np.zeros(size, dtype=np.int64),
            accrued_through=schedules.due.copy(),
            grace_end=schedules.due + loans.grace[schedules.loan],
            waived=np.zeros(size, dtype=bool),
            pointer=np.zeros(len(loans), dtype=np.int64),
            credit=np.zeros(len(loans), dtype=np.int64),
        )

    def accrue(self, rows: I64, day: I64, rate: I64) -> None:
        """Bring penalty of ``rows`` up to ``day`` (inclusive) at ``rate`` per 10^8 per day."""
        days = day - self.accrued_through[rows]
        later = days > 0
        base = self.unpaid_principal[rows] + self.unpaid_interest[rows]
        self.accrued[rows] += np.where(later, base * days * rate, 0)
        self.accrued_through[rows] = np.where(later, day, self.accrued_through[rows])

    def payable(self, rows: I64, day: I64) -> I64:
        """Penalty payable on ``day``: zero within grace or once waived."""
        owed = (self.accrued[rows] + _HALF) // PENALTY_SCALE - self.penalty_paid[rows]
        hidden = self.waived[rows] | (day <= self.grace_end[rows])
        return np.where(hidden, 0, owed)


def merge_same_day(payments: PaymentColumns, as_of: int) -> PaymentColumns:
    """Payments up to ``as_of`` sorted by (loan, day), one per loan and day."""
    keep = payments.day <= as_of
    loan, day, amount = payments.loan[keep], payments.day[keep], payments.amount[keep]
    if len(loan) == 0:
        return PaymentColumns(loan, day, amount)
    key = (loan << 32) | (day - day.min())  # one int64 sort key; days span < 2^32
    if not bool(np.all(key[1:] >= key[:-1])):
        order = np.argsort(key, kind="stable")
        key, loan, day, amount = key[order], loan[order], day[order], amount[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    return PaymentColumns(loan[starts], day[starts], np.add.reduceat(amount, starts))


def apply_payments(
    books: Books, schedules: Schedules, loans: LoanColumns, payments: PaymentColumns
) -> None:
    """Apply merged payments (sorted by loan, day) round by round."""
    if len(payments) == 0:
        return
    loan = payments.loan
    first = np.r_[True, loan[1:] != loan[:-1]]
    starts = np.flatnonzero(first)
    rank = np.arange(len(loan)) - np.repeat(starts, np.diff(np.r_[starts, len(loan)]))
    small = rank.max() < np.iinfo(np.int16).max  # radix sort for small keys
    order = np.argsort(rank.astype(np.int16) if small else rank, kind="stable")
    bounds = np.searchsorted(rank[order], np.arange(int(rank.max()) + 2))
    for j in range(len(bounds) - 1):
        pick = order[bounds[j] : bounds[j + 1]]
        _apply_round(books, schedules, loans, loan[pick], payments.day[pick], payments.amount[pick])


def _apply_round(
    books: Books, schedules: Schedules, loans: LoanColumns, loan: I64, day: I64, left: I64
) -> None:
    """One payment per loan: walk installments from each loan's pointer while money is left."""
    left = left.copy()
    count = np.diff(schedules.offsets)
    while len(loan):
        pointer = books.pointer[loan]
        beyond = pointer >= count[loan]
        if beyond.any():
            np.add.at(books.credit, loan[beyond], left[beyond])
            keep = ~beyond
            loan, day, left, pointer = loan[keep], day[keep], left[keep], pointer[keep]
            if not len(loan):
                return
        rows = schedules.offsets[loan] + pointer
        books.accrue(rows, day, loans.penalty_num[loan])
        share = np.minimum(left, books.payable(rows, day))
        books.penalty_paid[rows] += share
        left -= share
        for unpaid in (books.unpaid_fee, books.unpaid_interest, books.unpaid_principal):
            share = np.minimum(left, unpaid[rows])
            unpaid[rows] -= share
            left -= share
        settled = (
            books.unpaid_principal[rows] + books.unpaid_interest[rows] + books.unpaid_fee[rows]
        ) == 0
        books.waived[rows] |= settled & (day <= books.grace_end[rows])
        books.pointer[loan] = pointer + settled
        go_on = left > 0
        loan, day, left = loan[go_on], day[go_on], left[go_on]

"""The state of every loan of a portfolio as of a date, equal to the reference replay.

``compute_states`` is pure (no I/O, no clock): columns in, columns out. Each output field
equals ``replay(terms, payments, as_of).state`` for that loan; tests check this on random
portfolios. Loans whose numbers could overflow int64 are replayed by the book instead.

Overflow bounds (int64 max ≈ 9.22e18, checked against 2^62 ≈ 4.6e18 with float64):
- interest: 2 · P · r_num · n + r_den (schedules.py);
- penalty: (largest installment principal + interest) · (days from the first due date to
  the as-of date + 1) · penalty numerator over 10^8. With P ≤ 10^8 fen (1 million yuan),
  a rate ≤ 0.01 a day and 30 years this is 1.1e17, far inside the bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from faircollect.domain.ledger.replay import replay
from faircollect.domain.ledger.state import (
    DEFAULT_THRESHOLDS,
    AccountState,
    Stage,
    StageThresholds,
)
from faircollect.portfolio.allocation import Books, apply_payments, merge_same_day
from faircollect.portfolio.columns import (
    I64,
    PENALTY_SCALE,
    LoanColumns,
    PaymentColumns,
    day_number,
    from_day_number,
)
from faircollect.portfolio.schedules import SAFE, Schedules, build

NO_DATE = np.iinfo(np.int64).max
"""Day number standing for "no date" (no next due date, no next event)."""

STAGES: tuple[Stage, ...] = tuple(Stage)
"""Stage codes: the position of a stage in this tuple."""
BUCKETS: tuple[str, ...] = ("M0", "M1", "M2", "M3", "M4", "M5", "M6", "M6+")
ROLL_DAYS = 3650
"""At most this many days are carried forward from one engine computation."""
ROLL_LIMIT = 2**62
"""Accrued numerators are carried forward only while below this (int64 holds 9.2e18)."""
BUCKET_UPPER: tuple[int, ...] = (0, 30, 60, 90, 120, 150, 180)
"""Bucket i holds DPD up to ``BUCKET_UPPER[i]``; the last bucket everything above."""
_BUCKET_UPPER = np.asarray(BUCKET_UPPER, dtype=np.int64)
_HALF = PENALTY_SCALE // 2


@dataclass(frozen=True, slots=True)
class Accruals:
    """The installments whose penalty is still accruing as of the states' date.

    One element per installment past due with principal or interest unpaid (only those
    accrue). With them stored, a loan whose days until D bring no event can be carried
    forward without its payments: each installment's numerator is then
    ``accrued + (D − as_of) · daily``, and the payable penalty the sum, over installments
    past ``grace_end``, of round(numerator / 10^8). ``accrued`` is net of the penalty
    paid (paid × 10^8), so it rounds to exactly what the engine shows.
    """

    loan: I64
    """Index of the loan in the states."""
    installment: I64
    """1-based installment number."""
    grace_end: I64
    """Day number; the penalty is payable on the days after it."""
    accrued: I64
    """Penalty accrued through the states' date minus penalty paid, fen × 10^-8."""
    daily: I64
    """What one more day adds: (unpaid principal + interest) × penalty numerator."""

    def __len__(self) -> int:
        return len(self.loan)

    def where(self, keep: np.ndarray) -> Accruals:
        return Accruals(*(getattr(self, name)[keep] for name in Accruals.__slots__))


@dataclass(frozen=True, slots=True)
class PortfolioStates:
    """One element per loan; amounts in fen, dates as day numbers (``NO_DATE`` for none)."""

    as_of: int
    dpd: I64
    bucket: I64
    """Code into ``BUCKETS``."""
    stage: I64
    """Code into ``STAGES``."""
    overdue_principal: I64
    overdue_interest: I64
    overdue_fee: I64
    penalty: I64
    outstanding_principal: I64
    credit: I64
    paid_total: I64
    next_due_on: I64
    next_event_on: I64
    """Earliest day after ``as_of`` on which the state can change without a new payment."""
    replayed: np.ndarray
    """True where the loan was computed by the reference replay (overflow guard)."""
    roll_until: I64
    """Last day to which the state may be carried forward from ``accruals`` alone (see
    ``_roll_until``); ``NO_DATE``: never."""
    accruals: Accruals
    """Accruing installments of the loans not replayed."""

    def __len__(self) -> int:
        return len(self.dpd)

    def state(self, i: int, loan_id: str) -> AccountState:
        """Loan ``i`` as an ``AccountState`` (for comparison with ``replay``)."""

        def day(value: np.int64) -> date | None:
            return None if value == NO_DATE else from_day_number(int(value))

        return AccountState(
            loan_id=loan_id,
            as_of=from_day_number(self.as_of),
            dpd=int(self.dpd[i]),
            bucket=BUCKETS[int(self.bucket[i])],
            stage=STAGES[int(self.stage[i])],
            overdue_principal=int(self.overdue_principal[i]),
            overdue_interest=int(self.overdue_interest[i]),
            overdue_fee=int(self.overdue_fee[i]),
            penalty=int(self.penalty[i]),
            outstanding_principal=int(self.outstanding_principal[i]),
            credit=int(self.credit[i]),
            paid_total=int(self.paid_total[i]),
            next_due_on=day(self.next_due_on[i]),
        )

    def next_event(self, i: int) -> date | None:
        value = self.next_event_on[i]
        return None if value == NO_DATE else from_day_number(int(value))


def concat_states(parts: list[PortfolioStates]) -> PortfolioStates:
    """States of several slices of one portfolio, as of the same date, end to end."""
    first = parts[0]
    arrays = {
        name: np.concatenate([getattr(p, name) for p in parts])
        for name in PortfolioStates.__slots__
        if name not in ("as_of", "accruals")
    }
    starts = np.cumsum([0] + [len(p) for p in parts[:-1]])
    accruals = Accruals(
        *(
            np.concatenate(
                [
                    getattr(p.accruals, name) + (start if name == "loan" else 0)
                    for p, start in zip(parts, starts, strict=True)
                ]
            )
            for name in Accruals.__slots__
        )
    )
    return PortfolioStates(as_of=first.as_of, accruals=accruals, **arrays)


def compute_states(
    loans: LoanColumns,
    payments: PaymentColumns,
    as_of: date,
    thresholds: StageThresholds = DEFAULT_THRESHOLDS,
) -> PortfolioStates:
    """Every loan's state as of ``as_of`` (payments dated later are ignored for the state
    but bring ``next_event_on`` forward to their date)."""
    today = day_number(as_of)
    schedules = build(loans)
    merged = merge_same_day(payments, today)
    replayed = ~schedules.exact_ok | ~_penalty_fits(loans, schedules, today)
    books = Books.open(loans, schedules)
    apply_payments(books, schedules, loans, merged)
    columns, accruals = _assemble(loans, schedules, books, merged, today, thresholds)
    for i in np.flatnonzero(replayed):
        _overwrite_with_replay(columns, loans, payments, int(i), as_of, thresholds)
    _finish(columns, payments, today, thresholds)
    accruals = accruals.where(~replayed[accruals.loan])
    columns["roll_until"] = _roll_until(columns, accruals, replayed, payments, today)
    return PortfolioStates(as_of=today, replayed=replayed, accruals=accruals, **columns)


def _roll_until(
    columns: dict[str, I64],
    accruals: Accruals,
    replayed: np.ndarray,
    payments: PaymentColumns,
    today: int,
) -> I64:
    """The last day up to which an overdue loan's days bring no event but one more day:
    its next due date (that installment is past due the day after), the day before its
    first payment known to be dated later, and while every accrual stays below 2^62.
    ``NO_DATE`` for loans not overdue or replayed (the engine computes those)."""
    until = np.minimum(columns["next_due_on"], _first_later(payments, today, len(replayed)) - 1)
    until = np.minimum(until, today + _roll_days(accruals, len(replayed)))
    return np.where(replayed | (columns["dpd"] == 0), NO_DATE, until)


def _first_later(payments: PaymentColumns, today: int, count: int) -> I64:
    """Per loan, the first payment day after ``today`` (``NO_DATE`` for none)."""
    first = np.full(count, NO_DATE, dtype=np.int64)
    later = payments.day > today
    np.minimum.at(first, payments.loan[later], payments.day[later])
    return first


def _roll_days(accruals: Accruals, count: int) -> I64:
    """Per loan, how many more days every accrual can grow by ``daily`` below 2^62."""
    days = np.full(count, ROLL_DAYS, dtype=np.int64)
    growing = accruals.daily > 0
    room = (ROLL_LIMIT - 1 - accruals.accrued[growing]) // accruals.daily[growing]
    np.minimum.at(days, accruals.loan[growing], room)
    return days


def _penalty_fits(loans: LoanColumns, schedules: Schedules, today: int) -> np.ndarray:
    size = (schedules.principal + schedules.interest).astype(float)
    largest = np.maximum.reduceat(size, schedules.offsets[:-1])
    days = np.maximum(today - schedules.due[schedules.offsets[:-1]] + 1, 0).astype(float)
    fits: np.ndarray = largest * days * loans.penalty_num.astype(float) < SAFE
    return fits


def _per_loan(values: I64, schedules: Schedules) -> I64:
    return np.add.reduceat(values, schedules.offsets[:-1])


def _assemble(
    loans: LoanColumns,
    schedules: Schedules,
    books: Books,
    merged: PaymentColumns,
    today: int,
    thresholds: StageThresholds,
) -> tuple[dict[str, I64], Accruals]:
    due, starts = schedules.due, schedules.offsets[:-1]
    past = due < today
    unpaid = books.unpaid_principal + books.unpaid_interest + books.unpaid_fee
    oldest = np.minimum.reduceat(np.where(past & (unpaid > 0), due, NO_DATE), starts)
    dpd = np.where(oldest == NO_DATE, 0, today - oldest)
    paid_total = np.zeros(len(loans), dtype=np.int64)
    np.add.at(paid_total, merged.loan, merged.amount)
    penalty, accruals = _penalty_at(loans, schedules, books, today)
    columns = {
        "dpd": dpd,
        "overdue_principal": _per_loan(np.where(past, books.unpaid_principal, 0), schedules),
        "overdue_interest": _per_loan(np.where(past, books.unpaid_interest, 0), schedules),
        "overdue_fee": _per_loan(np.where(past, books.unpaid_fee, 0), schedules),
        "penalty": penalty,
        "outstanding_principal": loans.principal
        - _per_loan(schedules.principal - books.unpaid_principal, schedules),
        "credit": books.credit,
        "paid_total": paid_total,
        "next_due_on": np.minimum.reduceat(np.where(~past & (unpaid > 0), due, NO_DATE), starts),
    }
    return columns, accruals


def _penalty_at(
    loans: LoanColumns, schedules: Schedules, books: Books, today: int
) -> tuple[I64, Accruals]:
    """Payable penalty per loan as of ``today``, and the installments still accruing.

    Only an installment past due with principal or interest unpaid can owe penalty: once
    both are paid its penalty was paid first (or waived), so the others are skipped.
    """
    base = books.unpaid_principal + books.unpaid_interest
    rows = np.flatnonzero((base > 0) & (schedules.due < today))
    loan = schedules.loan[rows]
    rate = loans.penalty_num[loan]
    on = np.full(len(rows), today, dtype=np.int64)
    books.accrue(rows, on, rate)
    penalty = np.zeros(len(loans), dtype=np.int64)
    np.add.at(penalty, loan, books.payable(rows, on))
    accruals = Accruals(
        loan=loan,
        installment=rows - schedules.offsets[loan] + 1,
        grace_end=books.grace_end[rows],
        accrued=books.accrued[rows] - books.penalty_paid[rows] * PENALTY_SCALE,
        daily=base[rows] * rate,
    )
    return penalty, accruals


def _overwrite_with_replay(
    columns: dict[str, I64],
    loans: LoanColumns,
    payments: PaymentColumns,
    i: int,
    as_of: date,
    thresholds: StageThresholds,
) -> None:
    """Loan ``i`` by the book (its numbers might overflow int64)."""
    state = replay(loans.terms(i), payments.of_loan(i), as_of, thresholds).state
    put_replayed(columns, i, state)


REPLAYED_FIELDS = (
    "dpd",
    "overdue_principal",
    "overdue_interest",
    "overdue_fee",
    "penalty",
    "outstanding_principal",
    "credit",
    "paid_total",
)
"""The state fields copied as they are from a replayed ``AccountState`` into the columns."""


def put_replayed(columns: dict[str, Any], i: int, state: AccountState) -> None:
    """Row ``i`` of the state columns from a reference replay's state (amounts, DPD and
    next due date; bucket, stage and next event are derived from those afterwards)."""
    for name in REPLAYED_FIELDS:
        columns[name][i] = getattr(state, name)
    nxt = state.next_due_on
    columns["next_due_on"][i] = NO_DATE if nxt is None else day_number(nxt)


def _finish(
    columns: dict[str, I64], payments: PaymentColumns, today: int, thresholds: StageThresholds
) -> None:
    """Bucket, stage and next event, from dpd and the next due date."""
    dpd, next_due = columns["dpd"], columns["next_due_on"]
    due_soon = next_due <= today + thresholds.pre_due_days
    stage = np.select(
        [dpd > thresholds.intensive_max_dpd, dpd > thresholds.early_max_dpd, dpd > 0, due_soon],
        [
            STAGES.index(Stage.LEGAL),
            STAGES.index(Stage.INTENSIVE),
            STAGES.index(Stage.EARLY),
            STAGES.index(Stage.PRE_DUE),
        ],
        STAGES.index(Stage.CURRENT),
    )
    window = next_due - thresholds.pre_due_days
    upcoming = np.where(
        next_due == NO_DATE, NO_DATE, np.where(window > today, window, next_due + 1)
    )
    event = np.minimum(
        np.where(dpd > 0, today + 1, upcoming), _first_later(payments, today, len(dpd))
    )
    columns["bucket"] = np.searchsorted(_BUCKET_UPPER, dpd, side="left").astype(np.int64)
    columns["stage"] = stage.astype(np.int64)
    columns["next_event_on"] = event.astype(np.int64)

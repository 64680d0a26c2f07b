"""The lawful amounts of many loans at once, equal to ``domain.lawful.lawful_amounts``.

The night asks, for every loan it writes to whose contract may exceed the law, what the
loan lawfully owes (KANTOU-1, RATE-1, RATE-2). The reference answers one loan at a time in
Fractions: the lawful view (``true_cost.lawful_view``), then a replay of the payments under
the lawful terms. Here the same figures come from the portfolio engine:

- The lawful terms: principal = received, rate = min(contract rate, cap), and the fee
  ``true_cost.lawful_fee`` keeps. Its test (the lawful installments plus the fee, discounted
  at cap/12 a month, worth no more than what was received) is evaluated in integers: with
  the monthly discount factor v/u in lowest terms and N the last period, every term is
  multiplied by u^N, so the floor is one integer division and exactly the reference's.
  The installments it discounts are the columnar schedule's (``portfolio.schedules``),
  which equals ``build_schedule`` and does not depend on the fee.
- The state: ``compute_states`` on the lawful terms with the loans' payments as columns.
- The installment due next: the columnar schedule's row due on the state's next due date.

A loan the engine does not model is left to the reference: one with adjustments
(restructures and waivers are replayed by the book only), a penalty rate the columns
cannot hold, a payment that is not positive, or numbers the engine cannot hold exactly in
int64 (``exact_ok`` false, or replayed by the engine itself).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import cache
from typing import Protocol

import numpy as np

from faircollect.domain.lawful import LawfulAmounts, lawful_amounts, may_exceed
from faircollect.domain.ledger.adjustments import Adjustment
from faircollect.domain.ledger.terms import LoanTerms, Payment
from faircollect.domain.rates import RateCap
from faircollect.domain.true_cost import MONTHS_PER_YEAR, installment_periods
from faircollect.portfolio.columns import (
    I64,
    ColumnsError,
    LoanColumns,
    PaymentColumns,
    day_number,
    loan_columns,
    penalty_numerator,
)
from faircollect.portfolio.engine import NO_DATE, compute_states
from faircollect.portfolio.schedules import Schedules, build

LIMIT = 2**62
"""Amounts and rates at or beyond this are left to the reference (int64 holds 9.2e18)."""


class StoredLedger(Protocol):
    """What the reference replays for one loan (``repository.StoredLoan`` is one)."""

    @property
    def terms(self) -> LoanTerms: ...

    @property
    def payments(self) -> Sequence[Payment]: ...

    @property
    def adjustments(self) -> Sequence[Adjustment]: ...


CapOf = Callable[[LoanTerms], RateCap]
"""The cap a loan is measured against (the night's: by its disbursement date)."""


@dataclass(frozen=True, slots=True)
class _Fair:
    """A loan the engine computes: its index in the input, its contract, its cap and its
    lawful rate (its lawful fee needs the lawful schedule first)."""

    index: int
    contract: LoanTerms
    cap: RateCap
    rate: Decimal


def lawful_amounts_of(
    loans: Sequence[StoredLedger], as_of: date, cap_of: CapOf
) -> list[LawfulAmounts | None]:
    """``domain.lawful.lawful_amounts`` of every loan as of ``as_of``, in input order: its
    lawful amounts, or None when its contract asks for no more than the law supports."""
    found: list[LawfulAmounts | None] = [None] * len(loans)
    fair: list[_Fair] = []
    by_reference: list[int] = []
    for index, loan in enumerate(loans):
        cap = cap_of(loan.terms)
        if not may_exceed(loan.terms, cap):
            continue
        if _modelled(loan):
            fair.append(_Fair(index, loan.terms, cap, min(loan.terms.annual_rate, cap.rate)))
        else:
            by_reference.append(index)
    by_reference.extend(_by_engine(loans, fair, as_of, found))
    for index in sorted(by_reference):
        loan = loans[index]
        found[index] = lawful_amounts(
            loan.terms, loan.payments, as_of, cap_of(loan.terms), loan.adjustments
        )
    return found


def _modelled(loan: StoredLedger) -> bool:
    """Whether the engine models the loan: no adjustments (the book replays restructures
    and waivers), at least one installment, numbers int64 holds, a penalty rate the columns
    hold, and positive payments (the reference allocates nothing of one that is not)."""
    terms = loan.terms
    return (
        not loan.adjustments
        and terms.term_months >= 1
        and 0 <= terms.received < LIMIT
        and 0 <= terms.grace_days < LIMIT
        and _penalty_fits(terms.penalty_rate_daily)
        and all(0 < payment.amount < LIMIT for payment in loan.payments)
    )


def _penalty_fits(rate: Decimal) -> bool:
    try:
        return 0 <= penalty_numerator(rate) < LIMIT
    except ColumnsError:
        return False


def _lawful_columns(fair: list[_Fair]) -> LoanColumns:
    """``domain.lawful.lawful_terms`` as columns, but for the fee (zero here; the lawful
    fee needs the lawful schedule first): principal = received, rate = min(contract
    rate, cap)."""
    return loan_columns(
        [
            replace(
                item.contract,
                principal=item.contract.received,
                annual_rate=item.rate,
                periodic_fee=0,
            )
            for item in fair
        ]
    )


def _by_engine(
    loans: Sequence[StoredLedger],
    fair: list[_Fair],
    as_of: date,
    found: list[LawfulAmounts | None],
) -> list[int]:
    """Fill ``found`` for the loans of ``fair`` the engine computes exactly; returns the
    indices of the others, for the reference."""
    if not fair:
        return []
    columns = _lawful_columns(fair)
    schedules = build(columns)
    exact = schedules.exact_ok.tolist()
    dues = (schedules.principal + schedules.interest).tolist()
    offsets = schedules.offsets.tolist()
    owing: list[int] = []
    fees: list[int] = []
    for row, item in enumerate(fair):
        if not exact[row]:
            continue
        fee = _lawful_fee(item, dues[offsets[row] : offsets[row + 1]])
        if _has_excess(item, fee):
            owing.append(row)
            fees.append(fee)
    lawful = replace(
        columns.take(np.asarray(owing, dtype=np.int64)), fee=np.asarray(fees, dtype=np.int64)
    )
    refused = [item.index for item, ok in zip(fair, exact, strict=True) if not ok]
    return refused + _states(loans, [fair[row] for row in owing], lawful, as_of, found)


def _has_excess(item: _Fair, fee: int) -> bool:
    """``domain.lawful.has_excess`` of the lawful terms with ``fee``."""
    contract = item.contract
    return (
        contract.received != contract.principal
        or item.rate != contract.annual_rate
        or fee != contract.periodic_fee
    )


def _lawful_fee(item: _Fair, dues: list[int]) -> int:
    """``true_cost.lawful_fee`` in integers: the largest fee per installment, at most the
    contract's, keeping the lawful installments plus fees worth no more than what was
    received when discounted at the cap (see the module docstring)."""
    contract = item.contract
    if contract.periodic_fee <= 0:
        return 0  # the reference's max(0, min(fee, room)) whatever the room
    periods = tuple(installment_periods(contract.method, contract.term_months))
    weights, scale = _discount_weights(item.cap.rate, periods)
    present = sum(amount * weight for amount, weight in zip(dues, weights, strict=True))
    room = (contract.received * scale - present) // sum(weights)
    return max(0, min(contract.periodic_fee, room))


@cache
def _discount_weights(cap: Decimal, periods: tuple[int, ...]) -> tuple[tuple[int, ...], int]:
    """With the monthly discount factor 1 / (1 + cap/12) = v/u and N the last period:
    v^p · u^(N−p) for each period p, and u^N (every discount factor times u^N, in
    integers). Few distinct caps and terms: computed once each."""
    discount = 1 / (1 + Fraction(cap) / MONTHS_PER_YEAR)
    v, u = discount.numerator, discount.denominator
    last = max(periods)
    return tuple(v**p * u ** (last - p) for p in periods), u**last


def _states(
    loans: Sequence[StoredLedger],
    owing: list[_Fair],
    columns: LoanColumns,
    as_of: date,
    found: list[LawfulAmounts | None],
) -> list[int]:
    """Fill ``found`` with the state and next installment of the loans of ``owing`` under
    their lawful terms (``columns``); returns the indices of those the engine replayed by
    the book."""
    if not owing:
        return []
    states = compute_states(columns, _payments(loans, owing), as_of)
    next_due = _next_due_amounts(build(columns), states.next_due_on)
    replayed = states.replayed.tolist()
    for row, item in enumerate(owing):
        if not replayed[row]:
            state = states.state(row, item.contract.loan_id)
            found[item.index] = LawfulAmounts(state, next_due[row])
    return [item.index for item, again in zip(owing, replayed, strict=True) if again]


def _payments(loans: Sequence[StoredLedger], owing: list[_Fair]) -> PaymentColumns:
    """The payments of ``owing`` as columns, each under its loan's row."""
    rows: list[int] = []
    days: list[int] = []
    amounts: list[int] = []
    for row, item in enumerate(owing):
        for payment in loans[item.index].payments:
            rows.append(row)
            days.append(day_number(payment.paid_on))
            amounts.append(payment.amount)
    return PaymentColumns(
        np.asarray(rows, dtype=np.int64),
        np.asarray(days, dtype=np.int64),
        np.asarray(amounts, dtype=np.int64),
    )


def _next_due_amounts(schedules: Schedules, next_due_on: I64) -> list[int | None]:
    """Per loan, the total of its installment due on ``next_due_on`` (None for no date)."""
    hit = schedules.due == next_due_on[schedules.loan]
    hit &= next_due_on[schedules.loan] != NO_DATE
    totals = schedules.principal + schedules.interest + schedules.fee
    amounts: list[int | None] = [None] * len(next_due_on)
    for row, total in zip(schedules.loan[hit].tolist(), totals[hit].tolist(), strict=True):
        amounts[row] = total
    return amounts

"""Repayment schedules, computed exactly (Fraction) and rounded half up to the fen.

One reading beyond the written conventions: an installment's principal never exceeds the
balance still outstanding. It matters only for tiny loans over many months, where
(n − 1) · round(P/n) > P would otherwise leave the last installment a negative principal;
there the later installments carry no principal instead.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

from faircollect.domain.dates import add_months
from faircollect.domain.ledger.terms import Installment, LoanTerms, Method
from faircollect.domain.money import round_half_up

Rows = list[tuple[int, int]]
"""(principal, interest) per installment, before dates and fees are attached."""


def monthly_rate(annual_rate: Decimal) -> Fraction:
    """r = annual_rate / 12, kept exact so rounding happens only where the rules say."""
    return Fraction(annual_rate) / 12


def level_payment(principal: int, rate: Fraction, months: int) -> int:
    """等额本息 payment A = round(P·r·(1+r)^n / ((1+r)^n − 1)), or round(P/n) when r = 0."""
    if rate == 0:
        return round_half_up(Fraction(principal, months))
    growth = (1 + rate) ** months
    return round_half_up(principal * rate * growth / (growth - 1))


def _equal_installment(principal: int, rate: Fraction, months: int) -> Rows:
    payment = level_payment(principal, rate, months)
    rows: Rows = []
    balance = principal
    for k in range(1, months + 1):
        interest = round_half_up(balance * rate)
        part = balance if k == months else min(payment - interest, balance)
        rows.append((part, interest))
        balance -= part
    return rows


def _equal_principal(principal: int, rate: Fraction, months: int) -> Rows:
    part = round_half_up(Fraction(principal, months))
    rows: Rows = []
    balance = principal
    for k in range(1, months + 1):
        interest = round_half_up(balance * rate)
        this_part = balance if k == months else min(part, balance)
        rows.append((this_part, interest))
        balance -= this_part
    return rows


def _interest_only(principal: int, rate: Fraction, months: int) -> Rows:
    interest = round_half_up(principal * rate)
    return [(principal if k == months else 0, interest) for k in range(1, months + 1)]


def _bullet(principal: int, rate: Fraction, months: int) -> Rows:
    return [(principal, round_half_up(principal * rate * months))]


_ROWS: dict[Method, Callable[[int, Fraction, int], Rows]] = {
    Method.EQUAL_INSTALLMENT: _equal_installment,
    Method.EQUAL_PRINCIPAL: _equal_principal,
    Method.INTEREST_ONLY: _interest_only,
    Method.BULLET: _bullet,
}


def schedule_rows(method: Method, principal: int, annual_rate: Decimal, months: int) -> Rows:
    """(principal, interest) per installment for a method; shared by the true-cost view."""
    return _ROWS[method](principal, monthly_rate(annual_rate), months)


def build_schedule(terms: LoanTerms) -> tuple[Installment, ...]:
    """The contract schedule: installment k due on disbursement + k months.

    A bullet loan has one installment, due at month n.
    """
    rows = schedule_rows(terms.method, terms.principal, terms.annual_rate, terms.term_months)
    first_month = terms.term_months if terms.method is Method.BULLET else 1
    return tuple(
        Installment(
            number=index + 1,
            due_on=add_months(terms.disbursed_on, first_month + index),
            principal=principal,
            interest=interest,
            fee=terms.periodic_fee,
        )
        for index, (principal, interest) in enumerate(rows)
    )

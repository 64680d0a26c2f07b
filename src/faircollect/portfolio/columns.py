"""A portfolio as columns: one numpy array per loan attribute, one per payment attribute.

The portfolio engine works on these instead of ``LoanTerms`` objects so a million loans
fit in a few arrays. Dates are day numbers (days since 1970-01-01) and money is int64 fen.
Rates stay exact: annual rates are indices into a small table of ``Decimal`` values, and
the daily penalty rate is an integer numerator over 10^8 (import allows at most 8 decimals).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from faircollect.domain.ledger.terms import LoanTerms, Method, Payment

I64 = npt.NDArray[np.int64]

EPOCH = date(1970, 1, 1)
PENALTY_SCALE = 10**8
"""The daily penalty rate is ``penalty_num / PENALTY_SCALE``."""

METHODS: tuple[Method, ...] = (
    Method.EQUAL_INSTALLMENT,
    Method.EQUAL_PRINCIPAL,
    Method.INTEREST_ONLY,
    Method.BULLET,
)
"""Method codes: the position of a method in this tuple."""
METHOD_CODE = {method: code for code, method in enumerate(METHODS)}


class ColumnsError(ValueError):
    """A loan whose numbers the columnar form cannot hold exactly."""


def day_number(day: date) -> int:
    """Days since 1970-01-01 (the unit every date column of the engine uses)."""
    return (day - EPOCH).days


def from_day_number(number: int) -> date:
    return EPOCH + timedelta(days=int(number))


def penalty_numerator(rate: Decimal) -> int:
    """The daily penalty rate as an integer over 10^8; refuses more than 8 decimals."""
    scaled = rate * PENALTY_SCALE
    if scaled != scaled.to_integral_value():
        raise ColumnsError(f"penalty rate {rate} has more than 8 decimals")
    return int(scaled)


@dataclass(frozen=True, slots=True)
class LoanColumns:
    """The contract terms of many loans, one array element per loan."""

    principal: I64
    rate_index: I64
    """Index into ``rates``: the annual rate of each loan."""
    rates: tuple[Decimal, ...]
    term: I64
    method: I64
    """Code into ``METHODS``."""
    disbursed: I64
    """Day number of disbursement."""
    penalty_num: I64
    grace: I64
    fee: I64

    def __len__(self) -> int:
        return len(self.principal)

    def take(self, index: I64) -> LoanColumns:
        """The loans at ``index`` (same rate table)."""
        return LoanColumns(
            principal=self.principal[index],
            rate_index=self.rate_index[index],
            rates=self.rates,
            term=self.term[index],
            method=self.method[index],
            disbursed=self.disbursed[index],
            penalty_num=self.penalty_num[index],
            grace=self.grace[index],
            fee=self.fee[index],
        )

    def terms(self, i: int, loan_id: str = "") -> LoanTerms:
        """Loan ``i`` as ``LoanTerms`` (for the reference replay)."""
        return LoanTerms(
            loan_id=loan_id or str(i),
            principal=int(self.principal[i]),
            received=int(self.principal[i]),
            annual_rate=self.rates[int(self.rate_index[i])],
            term_months=int(self.term[i]),
            method=METHODS[int(self.method[i])],
            disbursed_on=from_day_number(int(self.disbursed[i])),
            penalty_rate_daily=Decimal(int(self.penalty_num[i])) / PENALTY_SCALE,
            grace_days=int(self.grace[i]),
            periodic_fee=int(self.fee[i]),
        )


@dataclass(frozen=True, slots=True)
class PaymentColumns:
    """Payments of a portfolio in any order: loan index, day number, amount in fen.

    Payments of one loan on the same day may come in any order: the state does not
    depend on it (the waterfall fills the same amounts in the same order either way).
    """

    loan: I64
    day: I64
    amount: I64

    def __len__(self) -> int:
        return len(self.loan)

    @classmethod
    def empty(cls) -> PaymentColumns:
        nothing = np.zeros(0, dtype=np.int64)
        return cls(nothing, nothing.copy(), nothing.copy())

    def of_loan(self, i: int) -> list[Payment]:
        """Loan ``i``'s payments as ``Payment`` objects (ids keep their given order)."""
        where = np.flatnonzero(self.loan == i)
        return [
            Payment(f"{n:08d}", str(i), from_day_number(int(self.day[j])), int(self.amount[j]))
            for n, j in enumerate(where)
        ]


def loan_columns(terms: Sequence[LoanTerms]) -> LoanColumns:
    """Columns from ``LoanTerms`` (tests and small portfolios; the database has its own path)."""
    rates = tuple(sorted({t.annual_rate for t in terms}))
    rate_at = {rate: i for i, rate in enumerate(rates)}

    def column(values: list[int]) -> I64:
        return np.asarray(values, dtype=np.int64)

    return LoanColumns(
        principal=column([t.principal for t in terms]),
        rate_index=column([rate_at[t.annual_rate] for t in terms]),
        rates=rates,
        term=column([t.term_months for t in terms]),
        method=column([METHOD_CODE[t.method] for t in terms]),
        disbursed=column([day_number(t.disbursed_on) for t in terms]),
        penalty_num=column([penalty_numerator(t.penalty_rate_daily) for t in terms]),
        grace=column([t.grace_days for t in terms]),
        fee=column([t.periodic_fee for t in terms]),
    )


def payment_columns(payments: Sequence[Payment], loan_index: dict[str, int]) -> PaymentColumns:
    """Columns from ``Payment`` objects; ``loan_index`` maps loan id to its row."""
    return PaymentColumns(
        loan=np.asarray([loan_index[p.loan_id] for p in payments], dtype=np.int64),
        day=np.asarray([day_number(p.paid_on) for p in payments], dtype=np.int64),
        amount=np.asarray([p.amount for p in payments], dtype=np.int64),
    )

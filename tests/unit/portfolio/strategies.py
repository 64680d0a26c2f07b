"""Hypothesis strategies: random loans and payment histories for ledger properties."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from faircollect.domain.ledger.terms import LoanTerms, Method, Payment

START = date(2024, 1, 1)

rates = st.sampled_from(
    [Decimal(x) for x in ("0", "0.1799", "0.18", "0.24", "0.36", "0.0435", "0.12345678")]
)
penalty_rates = st.sampled_from(
    [Decimal(x) for x in ("0", "0.0005", "0.00051234", "0.001", "0.00000001", "0.01")]
)


@st.composite
def loans(draw: st.DrawFn, loan_id: str = "L1") -> LoanTerms:
    """A loan of any method; rates include 0 and odd ones; fees, grace and 砍头息."""
    principal = draw(st.integers(1_000, 50_000_000))
    return LoanTerms(
        loan_id=loan_id,
        principal=principal,
        received=principal - draw(st.integers(0, principal // 10)),
        annual_rate=draw(rates),
        term_months=draw(st.integers(1, 36)),
        method=draw(st.sampled_from(list(Method))),
        disbursed_on=START + timedelta(days=draw(st.integers(0, 400))),
        penalty_rate_daily=draw(penalty_rates),
        grace_days=draw(st.integers(0, 5)),
        periodic_fee=draw(st.sampled_from([0, 0, 100, 2_500, 99_99])),
    )


@st.composite
def payments(draw: st.DrawFn, terms: LoanTerms, prefix: str = "P") -> list[Payment]:
    """None, on-time, late, partial, same-day duplicates, over- and pre-payments."""
    count = draw(st.integers(0, 8))
    horizon = 31 * (terms.term_months + 3)
    result: list[Payment] = []
    for n in range(count):
        offset = draw(st.integers(-5, horizon))
        amount = draw(
            st.one_of(
                st.integers(1, 500_000),
                st.integers(1, 60_000_000),
                st.sampled_from([terms.principal // max(terms.term_months, 1), 1, 0]),
            )
        )
        day = terms.disbursed_on + timedelta(days=offset)
        result.append(Payment(f"{prefix}{n:03d}", terms.loan_id, day, amount))
        if draw(st.booleans()) and n % 3 == 0:
            result.append(Payment(f"{prefix}{n:03d}b", terms.loan_id, day, amount // 2))
    return result


@st.composite
def portfolios(draw: st.DrawFn, size: int = 6) -> list[tuple[LoanTerms, list[Payment]]]:
    count = draw(st.integers(1, size))
    result = []
    for i in range(count):
        terms = draw(loans(loan_id=f"L{i}"))
        result.append((terms, draw(payments(terms, prefix=f"L{i}P"))))
    return result


def as_of_dates(terms: LoanTerms) -> st.SearchStrategy[date]:
    """Before disbursement, during the schedule and well after it."""
    return st.integers(-40, 31 * (terms.term_months + 6)).map(
        lambda d: terms.disbursed_on + timedelta(days=d)
    )

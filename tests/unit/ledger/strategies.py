"""Hypothesis strategies for random loans and payment histories (shared by ledger tests)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from faircollect.domain.ledger.terms import LoanTerms, Method, Payment

RATES = [Decimal(r) for r in ("0", "0.06", "0.1799", "0.18", "0.24", "0.36", "0.1")]
PENALTY_RATES = [Decimal(r) for r in ("0", "0.0005", "0.00033333", "0.001")]


@st.composite
def loans(draw: st.DrawFn, loan_id: str = "L") -> LoanTerms:
    principal = draw(st.integers(min_value=100, max_value=5_000_000))
    return LoanTerms(
        loan_id=loan_id,
        principal=principal,
        received=draw(st.integers(min_value=principal // 2, max_value=principal)),
        annual_rate=draw(st.sampled_from(RATES)),
        term_months=draw(st.integers(min_value=1, max_value=24)),
        method=draw(st.sampled_from(list(Method))),
        disbursed_on=date(2025, 1, 1) + timedelta(days=draw(st.integers(0, 400))),
        penalty_rate_daily=draw(st.sampled_from(PENALTY_RATES)),
        grace_days=draw(st.integers(min_value=0, max_value=5)),
        periodic_fee=draw(st.sampled_from([0, 0, 500, 1_999])),
    )


@st.composite
def histories(draw: st.DrawFn, terms: LoanTerms) -> list[Payment]:
    count = draw(st.integers(min_value=0, max_value=12))
    days = draw(
        st.lists(st.integers(0, 30 * terms.term_months + 120), min_size=count, max_size=count)
    )
    amounts = draw(
        st.lists(st.integers(1, terms.principal // 2 + 1000), min_size=count, max_size=count)
    )
    return [
        Payment(f"P{i:03d}", terms.loan_id, terms.disbursed_on + timedelta(days=d), amount)
        for i, (d, amount) in enumerate(zip(days, amounts, strict=True))
    ]

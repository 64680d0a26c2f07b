"""The float64 level payment (with its half-fen guard) equals the exact Fraction one."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from faircollect.domain.ledger.schedule import level_payment, monthly_rate
from faircollect.portfolio.schedules import _level_payments

annual = st.decimals(min_value=Decimal("0.00000001"), max_value=Decimal("3"), places=8)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 10**11), annual, st.integers(1, 480)), min_size=1, max_size=30
    )
)
def test_float_level_payment_equals_the_exact_one(loans) -> None:  # type: ignore[no-untyped-def]
    rates = [monthly_rate(a) for _, a, _ in loans]
    got = _level_payments(
        np.asarray([p for p, _, _ in loans], dtype=np.int64),
        np.asarray([r.numerator for r in rates], dtype=np.int64),
        np.asarray([r.denominator for r in rates], dtype=np.int64),
        np.asarray([n for _, _, n in loans], dtype=np.int64),
    )
    want = [level_payment(p, r, n) for (p, _, n), r in zip(loans, rates, strict=True)]
    assert got.tolist() == want

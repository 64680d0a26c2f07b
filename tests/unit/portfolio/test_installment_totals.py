"""The night's reminder amounts (columnar schedules) equal the domain's contract schedule."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from faircollect.domain.ledger.schedule import build_schedule
from faircollect.domain.ledger.terms import LoanTerms, Method
from faircollect.services.nightly_load import installment_totals
from tests.unit.portfolio.strategies import START, loans


@settings(max_examples=150, deadline=None)
@given(data=st.data(), count=st.integers(1, 8))
def test_the_total_due_on_a_day_is_the_domain_schedules(data: st.DataObject, count: int) -> None:
    terms = [data.draw(loans(f"L{i}")) for i in range(count)]
    days = []
    for loan in terms:
        installments = build_schedule(loan)
        on_a_due_date = st.sampled_from([i.due_on for i in installments])
        any_day = st.integers(0, 1_500).map(lambda n: START + timedelta(days=n))
        days.append(data.draw(st.one_of(on_a_due_date, any_day)))
    expected = [
        {i.due_on: i.total for i in build_schedule(loan)}.get(day)
        for loan, day in zip(terms, days, strict=True)
    ]
    assert installment_totals(terms, days) == expected


def test_a_loan_too_big_for_int64_is_built_by_the_domain() -> None:
    huge = LoanTerms(
        "L1",
        10**17,
        10**17,
        Decimal("0.36"),
        12,
        Method.EQUAL_INSTALLMENT,
        START,
        Decimal(0),
        0,
        0,
    )
    first = build_schedule(huge)[0]
    assert installment_totals([huge], [first.due_on]) == [first.total]
    assert installment_totals([], []) == []

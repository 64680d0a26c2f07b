"""The portfolio engine gives, for every loan and date, exactly the reference replay's state."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from faircollect.domain.ledger.replay import replay
from faircollect.domain.ledger.terms import LoanTerms, Payment
from faircollect.portfolio import compute_states, loan_columns, payment_columns
from tests.unit.portfolio.strategies import START, portfolios


def _engine(portfolio: list[tuple[LoanTerms, list[Payment]]], as_of: date):  # type: ignore[no-untyped-def]
    terms = [t for t, _ in portfolio]
    index = {t.loan_id: i for i, t in enumerate(terms)}
    flat = [p for _, ps in portfolio for p in ps]
    return compute_states(loan_columns(terms), payment_columns(flat, index), as_of)


@settings(max_examples=300, deadline=None)
@given(portfolios(), st.lists(st.integers(-60, 1_400), min_size=1, max_size=4))
def test_every_field_equals_replay(portfolio, offsets) -> None:  # type: ignore[no-untyped-def]
    for offset in offsets:
        as_of = START + timedelta(days=offset)
        states = _engine(portfolio, as_of)
        for i, (terms, pays) in enumerate(portfolio):
            assert states.state(i, terms.loan_id) == replay(terms, pays, as_of).state

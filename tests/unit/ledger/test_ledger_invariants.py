"""Ledger invariants, on random loans and payment histories (hypothesis)."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from faircollect.domain.ledger.replay import replay
from faircollect.domain.ledger.terms import LoanTerms, Payment
from tests.unit.ledger.strategies import histories, loans


@st.composite
def cases(draw: st.DrawFn) -> tuple[LoanTerms, list[Payment], date]:
    terms = draw(loans())
    payments = draw(histories(terms))
    as_of = terms.disbursed_on + timedelta(days=draw(st.integers(-5, 30 * terms.term_months + 150)))
    return terms, payments, as_of


@settings(max_examples=300, deadline=None)
@given(cases())
def test_money_in_equals_money_allocated(case: tuple[LoanTerms, list[Payment], date]) -> None:
    terms, payments, as_of = case
    ledger = replay(terms, payments, as_of)
    paid = sum(p.amount for p in payments if p.paid_on <= as_of)
    assert sum(a.amount for a in ledger.allocations) == paid
    assert ledger.state.paid_total == paid


@settings(max_examples=300, deadline=None)
@given(cases())
def test_no_component_is_ever_negative(case: tuple[LoanTerms, list[Payment], date]) -> None:
    terms, payments, as_of = case
    ledger = replay(terms, payments, as_of)
    assert all(a.amount > 0 for a in ledger.allocations)
    for position in ledger.positions:
        due = position.installment
        assert 0 <= position.principal_paid <= due.principal
        assert 0 <= position.interest_paid <= due.interest
        assert 0 <= position.fee_paid <= due.fee
        assert position.penalty_payable >= 0
        assert position.penalty_paid >= 0
    state = ledger.state
    amounts = (
        state.overdue_principal,
        state.overdue_interest,
        state.overdue_fee,
        state.penalty,
        state.outstanding_principal,
        state.credit,
        state.dpd,
    )
    assert min(amounts) >= 0


@settings(max_examples=200, deadline=None)
@given(cases(), st.randoms())
def test_replay_is_a_pure_function_of_loan_payments_and_date(
    case: tuple[LoanTerms, list[Payment], date], rnd: object
) -> None:
    terms, payments, as_of = case
    shuffled = list(payments)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert replay(terms, payments, as_of) == replay(terms, shuffled, as_of)


@settings(max_examples=200, deadline=None)
@given(cases())
def test_credit_only_once_the_whole_loan_is_paid(
    case: tuple[LoanTerms, list[Payment], date],
) -> None:
    terms, payments, as_of = case
    ledger = replay(terms, payments, as_of)
    if ledger.state.credit > 0:
        assert all(p.unpaid_scheduled == 0 for p in ledger.positions)
        assert ledger.state.outstanding_principal == 0

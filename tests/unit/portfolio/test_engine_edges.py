"""Edge cases of the portfolio engine, stated as examples."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from faircollect.domain.ledger.replay import replay
from faircollect.domain.ledger.state import Stage
from faircollect.domain.ledger.terms import LoanTerms, Method, Payment
from faircollect.portfolio import compute_states, loan_columns, payment_columns

LOAN = LoanTerms(
    loan_id="L1",
    principal=1_200_000,
    received=1_080_000,
    annual_rate=Decimal("0.1799"),
    term_months=12,
    method=Method.EQUAL_INSTALLMENT,
    disbursed_on=date(2026, 1, 31),
    penalty_rate_daily=Decimal("0.0005"),
    grace_days=3,
    periodic_fee=1_000,
)


def _one(terms: LoanTerms, pays: list[Payment], as_of: date):  # type: ignore[no-untyped-def]
    return compute_states(loan_columns([terms]), payment_columns(pays, {terms.loan_id: 0}), as_of)


def test_before_disbursement_the_loan_is_current_with_nothing_overdue() -> None:
    """Decision: before disbursement the contract exists, nothing is due, nothing accrues."""
    as_of = LOAN.disbursed_on - timedelta(days=10)
    state = _one(LOAN, [], as_of).state(0, "L1")
    assert state == replay(LOAN, [], as_of).state
    assert (state.dpd, state.stage, state.total_overdue) == (0, Stage.CURRENT, 0)
    assert state.outstanding_principal == LOAN.principal
    assert state.next_due_on == date(2026, 2, 28)
    assert _one(LOAN, [], as_of).next_event(0) == date(2026, 2, 21)


def test_next_event_is_tomorrow_while_overdue_and_none_once_settled() -> None:
    overdue = _one(LOAN, [], date(2026, 3, 5))
    assert overdue.dpd[0] == 5 and overdue.next_event(0) == date(2026, 3, 6)
    settled = _one(LOAN, [Payment("P", "L1", date(2026, 2, 1), 5_000_000)], date(2026, 3, 5))
    assert settled.next_event(0) is None and settled.credit[0] > 0


def test_a_future_payment_already_on_file_brings_the_next_event_forward() -> None:
    pays = [Payment("P", "L1", date(2026, 2, 10), 1_000)]
    assert _one(LOAN, pays, date(2026, 2, 1)).next_event(0) == date(2026, 2, 10)


def test_numbers_that_could_overflow_int64_are_replayed_by_the_book() -> None:
    huge = LoanTerms(
        **{
            **{f: getattr(LOAN, f) for f in LOAN.__slots__},
            "principal": 9 * 10**15,
            "received": 9 * 10**15,
        }
    )
    pays = [Payment("P", "L1", date(2026, 4, 1), 10**14)]
    as_of = date(2027, 6, 1)
    states = _one(huge, pays, as_of)
    assert bool(states.replayed[0])
    assert states.state(0, "L1") == replay(huge, pays, as_of).state


def test_a_rate_whose_fraction_does_not_fit_int64_is_replayed_by_the_book() -> None:
    odd = LoanTerms(
        **{
            **{f: getattr(LOAN, f) for f in LOAN.__slots__},
            "annual_rate": Decimal("0.123456789012345678901234567"),
        }
    )
    pays = [Payment("P", "L1", date(2026, 3, 20), 50_000)]
    states = _one(odd, pays, date(2026, 6, 1))
    assert bool(states.replayed[0])
    assert states.state(0, "L1") == replay(odd, pays, date(2026, 6, 1)).state

"""The engine's penalty accruals: they give its penalty, and one quiet day adds ``daily``."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import event, given, settings
from hypothesis import strategies as st

from faircollect.domain.ledger.terms import LoanTerms, Payment
from faircollect.portfolio import (
    NO_DATE,
    compute_states,
    day_number,
    loan_columns,
    payment_columns,
)
from faircollect.portfolio.columns import PENALTY_SCALE
from faircollect.portfolio.engine import ROLL_DAYS, ROLL_LIMIT, PortfolioStates
from tests.unit.portfolio.strategies import START, portfolios


def _states(portfolio: list[tuple[LoanTerms, list[Payment]]], offset: int) -> PortfolioStates:
    terms = [t for t, _ in portfolio]
    index = {t.loan_id: i for i, t in enumerate(terms)}
    flat = [p for _, ps in portfolio for p in ps]
    return compute_states(
        loan_columns(terms), payment_columns(flat, index), START + timedelta(days=offset)
    )


def _accrued(states: PortfolioStates) -> dict[tuple[int, int], tuple[int, int, int]]:
    a = states.accruals
    return {
        (int(loan), int(k)): (int(end), int(accrued), int(daily))
        for loan, k, end, accrued, daily in zip(
            a.loan, a.installment, a.grace_end, a.accrued, a.daily, strict=True
        )
    }


@settings(max_examples=300, deadline=None)
@given(portfolios(), st.integers(-60, 1_400))
def test_accruals_give_the_payable_penalty(portfolio, offset) -> None:  # type: ignore[no-untyped-def]
    states = _states(portfolio, offset)
    expected = [0] * len(portfolio)
    for (loan, _), (grace_end, accrued, _) in _accrued(states).items():
        if grace_end < states.as_of:
            expected[loan] += (accrued + PENALTY_SCALE // 2) // PENALTY_SCALE
    for i in range(len(portfolio)):
        if not states.replayed[i]:
            assert int(states.penalty[i]) == expected[i]
            assert (int(states.dpd[i]) > 0) or not any(k[0] == i for k in _accrued(states))


@settings(max_examples=300, deadline=None)
@given(portfolios(), st.integers(-60, 1_400), st.integers(1, 40))
def test_until_roll_until_the_state_is_its_accruals_carried_forward(  # type: ignore[no-untyped-def]
    portfolio, offset, days
) -> None:
    today, later = _states(portfolio, offset), _states(portfolio, offset + days)
    before, after = _accrued(today), _accrued(later)
    for i in range(len(portfolio)):
        rolls = bool(today.roll_until[i] != NO_DATE and today.roll_until[i] >= later.as_of)
        event("carried forward" if rolls else "not carried forward")
        if not rolls:
            continue
        mine = {k: v for k, v in before.items() if k[0] == i}
        assert {k: v for k, v in after.items() if k[0] == i} == {
            k: (end, accrued + days * daily, daily) for k, (end, accrued, daily) in mine.items()
        }
        assert int(later.penalty[i]) == sum(
            (accrued + days * daily + PENALTY_SCALE // 2) // PENALTY_SCALE
            for end, accrued, daily in mine.values()
            if end < later.as_of
        )
        assert later.dpd[i] == today.dpd[i] + days
        assert later.next_event_on[i] == later.as_of + 1
        for field in (
            "overdue_principal",
            "overdue_interest",
            "overdue_fee",
            "outstanding_principal",
            "credit",
            "paid_total",
            "next_due_on",
        ):
            assert getattr(later, field)[i] == getattr(today, field)[i], field


@settings(max_examples=300, deadline=None)
@given(portfolios(), st.integers(-60, 1_400))
def test_an_overdue_loan_with_no_event_tomorrow_may_be_carried_forward(  # type: ignore[no-untyped-def]
    portfolio, offset
) -> None:
    today = _states(portfolio, offset)
    tomorrow = today.as_of + 1
    for i, (_, pays) in enumerate(portfolio):
        quiet = (
            today.dpd[i] > 0
            and today.next_due_on[i] >= tomorrow
            and all(day_number(p.paid_on) != tomorrow for p in pays)
            and not today.replayed[i]
        )
        assert (today.roll_until[i] >= tomorrow and today.roll_until[i] != NO_DATE) == quiet


@settings(max_examples=200, deadline=None)
@given(portfolios(), st.integers(-60, 1_400))
def test_roll_until_keeps_every_numerator_inside_int64(portfolio, offset) -> None:  # type: ignore[no-untyped-def]
    states = _states(portfolio, offset)
    for (loan, _), (_, accrued, daily) in _accrued(states).items():
        days = int(states.roll_until[loan]) - states.as_of
        assert 0 <= days <= ROLL_DAYS
        assert accrued + days * daily < ROLL_LIMIT
    assert all(states.roll_until[states.replayed] == NO_DATE)

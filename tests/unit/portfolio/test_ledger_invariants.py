"""Ledger invariants, as properties over random loans and payment histories."""

from __future__ import annotations

import dataclasses
import random
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from faircollect.domain.ledger.replay import Component, replay
from faircollect.domain.money import round_half_up
from faircollect.portfolio import compute_states, loan_columns, payment_columns
from tests.unit.portfolio.strategies import as_of_dates, loans, payments

loan_histories = loans().flatmap(lambda t: st.tuples(st.just(t), payments(t)))


@settings(max_examples=200, deadline=None)
@given(loan_histories, st.data())
def test_money_in_equals_money_allocated(history, data) -> None:  # type: ignore[no-untyped-def]
    terms, pays = history
    as_of = data.draw(as_of_dates(terms))
    ledger = replay(terms, pays, as_of)
    paid = sum(p.amount for p in pays if p.paid_on <= as_of)
    assert sum(a.amount for a in ledger.allocations) == paid == ledger.state.paid_total
    for payment in pays:
        if payment.paid_on <= as_of:
            shares = [a.amount for a in ledger.allocations if a.payment_id == payment.payment_id]
            assert sum(shares) == payment.amount


@settings(max_examples=200, deadline=None)
@given(loan_histories, st.data())
def test_no_component_is_ever_negative(history, data) -> None:  # type: ignore[no-untyped-def]
    terms, pays = history
    ledger = replay(terms, pays, data.draw(as_of_dates(terms)))
    assert all(a.amount > 0 for a in ledger.allocations)
    for pos in ledger.positions:
        due = pos.installment
        assert 0 <= pos.principal_paid <= due.principal
        assert 0 <= pos.interest_paid <= due.interest
        assert 0 <= pos.fee_paid <= due.fee
        assert 0 <= pos.penalty_paid <= round_half_up(pos.penalty_accrued)
        assert pos.penalty_payable >= 0 and pos.penalty_accrued >= 0
    state = ledger.state
    amounts = (
        state.dpd,
        state.overdue_principal,
        state.overdue_interest,
        state.overdue_fee,
        state.penalty,
        state.outstanding_principal,
        state.credit,
        state.paid_total,
    )
    assert all(x >= 0 for x in amounts)
    credit = sum(a.amount for a in ledger.allocations if a.component is Component.CREDIT)
    assert credit == state.credit
    if state.credit:
        assert state.outstanding_principal == 0 and state.total_overdue == 0


@settings(max_examples=150, deadline=None)
@given(loan_histories, st.data(), st.randoms(use_true_random=False))
def test_replay_is_a_pure_function_of_its_inputs(history, data, rnd: random.Random) -> None:  # type: ignore[no-untyped-def]
    terms, pays = history
    as_of = data.draw(as_of_dates(terms))
    shuffled = list(pays)
    rnd.shuffle(shuffled)
    first = replay(terms, pays, as_of)
    assert replay(terms, pays, as_of) == first
    assert replay(terms, shuffled, as_of).state == first.state


@settings(max_examples=200, deadline=None)
@given(loan_histories, st.data())
def test_nothing_changes_before_next_event_on(history, data) -> None:  # type: ignore[no-untyped-def]
    """What makes the incremental nightly run equal a full replay: a loan whose next event
    is after D (and that has no new payment) has the same state on D as on the day before."""
    terms, pays = history
    start = data.draw(as_of_dates(terms))
    states = compute_states(loan_columns([terms]), payment_columns(pays, {terms.loan_id: 0}), start)
    event = states.next_event(0)
    before = replay(terms, pays, start).state
    last = event - timedelta(days=1) if event else start + timedelta(days=400)
    for n in range(1, min((last - start).days, 120) + 1):
        day = start + timedelta(days=n)
        assert replay(terms, pays, day).state == dataclasses.replace(before, as_of=day)
    if event is None:
        assert before.outstanding_principal == 0 and before.next_due_on is None
    else:
        assert event > start

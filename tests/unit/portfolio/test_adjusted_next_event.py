"""``ledger_adjusted.next_event_on`` (for loans the replay computes) follows the engine's
rule: on loans without adjustments both give the same next event for every date."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from faircollect.domain.ledger.replay import replay
from faircollect.domain.ledger.state import StageThresholds
from faircollect.portfolio import compute_states, loan_columns, payment_columns
from faircollect.services.ledger_adjusted import next_event_on
from tests.unit.portfolio.strategies import START, loans, payments


@settings(max_examples=300, deadline=None)
@given(st.data(), st.integers(-60, 1_400), st.integers(1, 10))
def test_next_event_equals_the_engines(data: st.DataObject, offset: int, pre_due: int) -> None:
    terms = data.draw(loans())
    paid = data.draw(payments(terms))
    as_of = START + timedelta(days=offset)
    thresholds = StageThresholds(pre_due_days=pre_due)
    engine = compute_states(
        loan_columns([terms]), payment_columns(paid, {terms.loan_id: 0}), as_of, thresholds
    )
    state = replay(terms, paid, as_of, thresholds).state
    assert next_event_on(state, [p.paid_on for p in paid], thresholds) == engine.next_event(0)

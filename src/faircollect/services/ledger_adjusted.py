"""Loans with approved adjustments (restructures, waivers) in portfolio-wide computations.

The numpy engine knows contract schedules only. Adjusted loans are rare, so instead of
teaching it restructures, the nightly run and ``export accounts`` compute them with the
reference replay (which applies adjustments) and put those states over the engine's:
``restate`` is the one step they add after ``compute_states``.

Incremental runs recompute a loan only when its ``next_event_on`` has come. So approval
calls ``adapters.db.ledger_runs.recompute_from`` (the loan's stored next event is brought
forward to the effective date), and ``next_event_on`` of an adjusted loan also counts
adjustments dated after the run, by the same rule as the engine's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import Connection

from faircollect.adapters.db import repository
from faircollect.adapters.db.ledger_runs import adjusted_loan_ids
from faircollect.domain.ledger.replay import replay
from faircollect.domain.ledger.state import DEFAULT_THRESHOLDS, AccountState, StageThresholds
from faircollect.portfolio import BUCKETS, NO_DATE, STAGES, PortfolioStates, day_number
from faircollect.portfolio.engine import put_replayed


def next_event_on(
    state: AccountState, later: Sequence[date], thresholds: StageThresholds
) -> date | None:
    """Earliest day after ``state.as_of`` on which the state can change with no new
    payment or adjustment (the engine's rule), or the first of ``later`` (payments and
    adjustments dated after the run) if sooner."""
    today = state.as_of.toordinal()
    event: int | None
    if state.dpd > 0:
        event = today + 1
    elif state.next_due_on is None:
        event = None
    else:
        due = state.next_due_on.toordinal()
        window = due - thresholds.pre_due_days
        event = window if window > today else due + 1
    candidates = [d.toordinal() for d in later if d > state.as_of]
    if event is not None:
        candidates.append(event)
    return date.fromordinal(min(candidates)) if candidates else None


def restate(
    conn: Connection,
    loan_ids: list[str],
    states: PortfolioStates,
    as_of: date,
    thresholds: StageThresholds = DEFAULT_THRESHOLDS,
) -> PortfolioStates:
    """``states`` (the engine's, one per ``loan_ids``) with every adjusted loan's state
    replaced by the reference replay's."""
    adjusted = adjusted_loan_ids(conn)
    rows = [i for i, loan_id in enumerate(loan_ids) if loan_id in adjusted]
    if not rows:
        return states
    columns: dict[str, Any] = {
        name: np.array(getattr(states, name), copy=True)
        for name in PortfolioStates.__slots__
        if name not in ("as_of", "accruals")
    }
    for i in rows:
        _put(columns, i, conn, loan_ids[i], as_of, thresholds)
    # The engine's accruals follow the contract schedule, not the adjusted one: drop them
    # so nothing can carry such a loan forward from them (the SQL carry-forward skips
    # adjusted loans anyway; ``roll_until`` says the same).
    columns["roll_until"][rows] = NO_DATE
    keep = ~np.isin(states.accruals.loan, np.asarray(rows, dtype=np.int64))
    return replace(states, accruals=states.accruals.where(keep), **columns)


def _put(
    columns: dict[str, Any],
    i: int,
    conn: Connection,
    loan_id: str,
    as_of: date,
    thresholds: StageThresholds,
) -> None:
    loan = repository.load_stored_loan(conn, loan_id)
    assert loan is not None, loan_id
    state = replay(loan.terms, loan.payments, as_of, thresholds, loan.adjustments).state
    later = [p.paid_on for p in loan.payments] + [a.effective_on for a in loan.adjustments]
    put_replayed(columns, i, state)
    columns["bucket"][i] = BUCKETS.index(state.bucket)
    columns["stage"][i] = STAGES.index(state.stage)
    columns["next_event_on"][i] = _day(next_event_on(state, later, thresholds))
    columns["replayed"][i] = True


def _day(value: date | None) -> int:
    return NO_DATE if value is None else day_number(value)

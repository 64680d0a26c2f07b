"""First-time vs repeat delinquency, read by the night's loader from hand-written
``stage_history`` rows (SQLite and PostgreSQL).

Every loan is overdue tonight (the replayed states of unpaid loans); only the stage
history tells them apart. The expected labels follow the definition in
``domain.strategy.delinquency``: a borrower whose earlier episode, on any loan, ended on
or before the current episode began is a repeat delinquent.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from sqlalchemy import Engine

from faircollect.adapters.db import tables as t
from faircollect.adapters.db.repository import loan_row
from faircollect.adapters.strategy_file import default_strategy_path, load_strategy
from faircollect.domain.strategy import planning_filter
from faircollect.services.nightly_load import load_views
from tests.scenarios.portfolio import FIRST_DUE, SHANGHAI, seed, terms, write_states

NIGHT = FIRST_DUE + timedelta(days=61)  # the first installment is 61 days overdue: intensive
"""Tonight every loan below is overdue."""


def day(n: int) -> date:
    return date(2026, 1, 13) + timedelta(days=n)


HISTORY = [
    # L1: current, then overdue once and still overdue: first-time.
    ("L1", day(0), "current", None),
    ("L1", day(24), "pre_due", "current"),
    ("L1", day(32), "early", "pre_due"),
    ("L1", day(62), "intensive", "early"),
    # L2: overdue, cured, overdue again: repeat.
    ("L2", day(0), "current", None),
    ("L2", day(32), "early", "pre_due"),
    ("L2", day(40), "current", "early"),
    ("L2", day(63), "early", "pre_due"),
    # L3: first-time itself, but its borrower's other loan L3B was overdue and cured before.
    ("L3", day(0), "current", None),
    ("L3", day(50), "early", "current"),
    ("L3B", day(0), "early", None),  # overdue when first recorded: an episode begins
    ("L3B", day(20), "current", "early"),
    ("L3B", day(50), "early", "current"),
    # L4: cured after tonight only (a later night's row): first-time tonight.
    ("L4", day(0), "current", None),
    ("L4", day(32), "early", "pre_due"),
    ("L4", NIGHT + timedelta(days=1), "current", "early"),
    # L5: its borrower's other loan L5B was cured while L5 was already overdue: L5's
    # episode began before any cure, so it stays first-time for the whole episode.
    ("L5", day(30), "early", "current"),
    ("L5B", day(10), "early", None),
    ("L5B", day(40), "current", "early"),
    ("L5B", day(45), "early", "current"),
]

EXPECTED_REPEAT = {"L2", "L3", "L3B", "L5B"}


def _seed(engine: Engine) -> None:
    seed(engine, ["L1", "L2", "L3", "L4", "L5"])
    with engine.begin() as conn:
        for loan_id, borrower_id in (("L3B", "B-L3"), ("L5B", "B-L5")):
            conn.execute(
                t.loans.insert(), loan_row(replace(terms(loan_id), borrower_id=borrower_id))
            )
        conn.execute(
            t.stage_history.insert(),
            [
                {"loan_id": loan, "entered_on": on, "stage": stage, "previous_stage": previous}
                for loan, on, stage, previous in HISTORY
            ],
        )
    write_states(engine, NIGHT)  # may add early -> intensive rows: the same episodes


def test_the_loader_labels_first_time_and_repeat_delinquents(db_engine: Engine) -> None:
    _seed(db_engine)
    with db_engine.connect() as conn:
        views = load_views(conn, NIGHT, SHANGHAI)
    assert {v.state.stage.value for v in views} == {"intensive"}
    repeat = {v.loan_id for v in views if not v.first_time_delinquent}
    assert repeat == EXPECTED_REPEAT


def test_the_chosen_accounts_get_the_same_labels(db_engine: Engine) -> None:
    """The fast path (only the accounts planning can act on, borrowers in a temporary
    table) labels them exactly as the full read does, and can run twice on a connection."""
    _seed(db_engine)
    wanted = planning_filter(load_strategy(default_strategy_path()), NIGHT)
    with db_engine.connect() as conn:
        full = {v.loan_id: v.first_time_delinquent for v in load_views(conn, NIGHT, SHANGHAI)}
        for _ in range(2):
            chosen = load_views(conn, NIGHT, SHANGHAI, wanted=lambda dpd, due: True)
            assert {v.loan_id: v.first_time_delinquent for v in chosen} == full
        narrowed = load_views(conn, NIGHT, SHANGHAI, wanted=wanted)
    assert narrowed  # DPD 61: the intensive call (every 2 days from DPD 31) fires
    assert {v.loan_id: v.first_time_delinquent for v in narrowed} == {
        k: full[k] for k in (v.loan_id for v in narrowed)
    }

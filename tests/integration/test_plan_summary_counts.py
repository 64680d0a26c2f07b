"""The night's plan summary (printed by ``run-day``, ``plan``, the overview page) is counted
by the database, never read a row per action.

At 2M loans reading the night's 381,316 actions back as rows and dicts to count them took
the run-day process from 0.65 to 1.32 GiB after the night was stored (and ≈ 2.4 GiB at
5M): the summary's memory grew with the night. Now the database groups the actions and
the summary reads a few groups. The counts are the readable reference's (each action
counted from ``action_rows``), on SQLite and PostgreSQL, and the summary never calls the
per-action read.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, update

from faircollect.adapters.db import reports
from faircollect.adapters.db import tables as t
from faircollect.services.night import run_night
from faircollect.services.nightly_report import PlanSummary, action_rows, plan_summary
from faircollect.services.quickstart import build_demo

DAY = date(2026, 11, 20)


def _reference(engine: Engine, day: date) -> PlanSummary:
    """The summary as it was computed before: every action's row, counted in Python."""
    summary = PlanSummary(day)
    for row in action_rows(engine, day):
        summary.total += 1
        summary.by_stage[row["stage"]] += 1
        summary.by_channel[row["channel"] or row["kind"]] += 1
        summary.by_status[row["status"]] += 1
        if row["assignee"]:
            summary.by_assignee[row["assignee"]] += 1
        if row["status"] == "denied":
            summary.denied_by_rule.update(row["rules"].split(";"))
    return summary


def test_plan_summary_counts_in_the_database_what_the_rows_count(
    db_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_demo(db_engine, 300, 5, DAY, datetime(2026, 11, 19, tzinfo=UTC))
    run_night(db_engine, DAY)
    with db_engine.begin() as conn:  # denials naming two rules, as the gate writes them
        pa = t.planned_actions
        first = select(pa.c.action_id).where(pa.c.run_date == DAY).order_by(pa.c.action_id)
        some = list(conn.execute(first.limit(3)).scalars())
        conn.execute(
            update(pa)
            .where(pa.c.action_id.in_(some))
            .values(status="denied", allowed=False, rules="CN-FREQ-1;CN-TIME-1")
        )
    expected = _reference(db_engine, DAY)
    assert expected.total > 20
    assert expected.by_assignee and expected.denied_by_rule

    def per_action(*args: object, **kwargs: object) -> object:
        raise AssertionError("the plan summary must not read the night's actions one by one")

    monkeypatch.setattr(reports, "night_actions", per_action)
    assert plan_summary(db_engine, DAY) == expected
    assert plan_summary(db_engine, DAY + timedelta(days=1)) == PlanSummary(DAY + timedelta(days=1))

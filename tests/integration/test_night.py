"""The night as one use case (``services.night.run_night``) and the demo build
(``services.quickstart``), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Engine, func, select

from faircollect.adapters.db import tables as t
from faircollect.services.night import NightStep, run_night
from faircollect.services.quickstart import quickstart
from tests.scenarios.portfolio import FIRST_DUE, seed

D1 = FIRST_DUE + timedelta(days=1)
LOANS = ["L1", "L2", "L3"]


def _planned_days(engine: Engine) -> list[date]:
    pa = t.planned_actions
    with engine.connect() as conn:
        query = select(pa.c.run_date).distinct().order_by(pa.c.run_date)
        return list(conn.execute(query).scalars())


def _count(engine: Engine, table: t.Table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_a_night_plans_every_day_its_ledger_step_caught_up(db_engine: Engine) -> None:
    seed(db_engine, LOANS)
    first = run_night(db_engine, D1)
    assert [d.run_date for d in first.ledger.days] == [D1]
    assert [s.run_date for s in first.plans] == [D1] and first.plans[0].new_rows > 0

    later = D1 + timedelta(days=3)
    caught_up = run_night(db_engine, later)
    days = [D1 + timedelta(days=n) for n in (1, 2, 3)]
    assert [d.run_date for d in caught_up.ledger.days] == days
    assert [s.run_date for s in caught_up.plans] == days
    acted = [s.run_date for s in caught_up.plans if s.planned]
    assert acted and _planned_days(db_engine) == [D1, *acted]


def test_ledger_only_plans_nothing_and_a_night_run_again_adds_nothing(db_engine: Engine) -> None:
    seed(db_engine, LOANS)
    ledger_only = run_night(db_engine, D1, plan=False)
    assert ledger_only.ledger.days[0].loans_computed == 3
    assert ledger_only.plans == [] and _count(db_engine, t.planned_actions) == 0

    planned = run_night(db_engine, D1)
    assert planned.ledger.days[0].loans_computed == 0  # the states were already as of D1
    rows, queued = _count(db_engine, t.planned_actions), _count(db_engine, t.outbox)
    assert planned.plans[0].new_rows == rows > 0 and queued > 0

    again = run_night(db_engine, D1)
    assert again.plans[0].new_rows == 0 and again.plans[0].sent == 0
    assert (_count(db_engine, t.planned_actions), _count(db_engine, t.outbox)) == (rows, queued)


def test_a_night_past_the_stored_states_changes_nothing(db_engine: Engine) -> None:
    seed(db_engine, LOANS)
    run_night(db_engine, D1 + timedelta(days=1))
    rows = _count(db_engine, t.planned_actions)
    earlier = run_night(db_engine, D1)
    assert earlier.ledger.days == [] and earlier.plans == []
    assert "already as of" in earlier.ledger.note
    assert _count(db_engine, t.planned_actions) == rows


def test_progress_names_the_ledger_steps_then_each_days_planning(db_engine: Engine) -> None:
    seed(db_engine, LOANS)
    run_night(db_engine, D1)
    steps: list[NightStep] = []
    run_night(db_engine, D1 + timedelta(days=2), progress=steps.append)
    phases = [s.phase for s in steps]
    assert phases == sorted(phases, key=["ledger", "plan"].index)  # the ledger step first
    assert any("loading" in s.name for s in steps if s.phase == "ledger")
    planning = [(s.day, s.name) for s in steps if s.phase == "plan" and s.done >= s.total]
    for day in (D1 + timedelta(days=1), D1 + timedelta(days=2)):
        names = [name for d, name in planning if d == day]
        assert names[:3] == ["settle", "load", "plan"] and "queue" in names
    assert [d for d, _ in planning] == sorted(d for d, _ in planning)  # day by day


def test_quickstart_builds_the_demo_once_and_runs_the_night(db_engine: Engine) -> None:
    today = date(2026, 11, 20)
    steps: list[NightStep] = []
    first = quickstart(db_engine, today, accounts=120, seed=5, progress=steps.append)
    assert first.demo is not None and first.demo.accounts == 120
    assert steps[0].phase == "demo" and "120 loans" in steps[0].name
    assert [d.run_date for d in first.night.ledger.days] == [today]
    assert [s.run_date for s in first.night.plans] == [today]
    assert first.summary.as_of == today and first.summary.accounts == 120
    assert _count(db_engine, t.users) == first.demo.organisation.users > 0
    rows = _count(db_engine, t.planned_actions)
    assert rows == first.night.plans[0].new_rows > 0

    second = quickstart(db_engine, today, accounts=120, seed=5)
    assert second.demo is None  # the loans are there: nothing generated or imported
    assert _count(db_engine, t.loans) == 120
    assert second.night.plans[0].new_rows == 0 and _count(db_engine, t.planned_actions) == rows

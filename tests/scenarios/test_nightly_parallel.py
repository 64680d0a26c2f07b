"""The night's gate step split over two processes gives exactly the one-process night,
and survives a crash in the middle like the one-process run does."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine

from faircollect.adapters import parallel
from faircollect.adapters.db import tables as t
from tests.scenarios.portfolio import FIRST_DUE, SHANGHAI, night, record_attempt, seed, snapshot
from tests.scenarios.test_nightly_month import Crash, crash_at

pytestmark = pytest.mark.skipif(not parallel.can_fork(), reason="needs fork and two cores")

DAY = FIRST_DUE + timedelta(days=7)  # a reminder SMS and a follow-up call per loan
LOANS = [f"L{i:02d}" for i in range(12)]


def _seeded(engine: Engine) -> None:
    seed(engine, LOANS)
    for loan_id in LOANS[::3]:  # unreachable borrowers: relay requests to emergency contacts
        for n in (1, 2, 3):
            record_attempt(engine, loan_id, datetime(2026, 2, 13 + n, 10, 0, tzinfo=SHANGHAI))


def _forget_the_night(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in (t.outbox, t.loan_placements, t.planned_actions):
            conn.execute(table.delete())


def test_two_processes_plan_exactly_the_one_process_night(
    db_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seeded(db_engine)
    serial = night(db_engine, DAY)
    one_process = snapshot(db_engine)
    assert serial.planned > 10 and one_process["outbox"]
    _forget_the_night(db_engine)
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 2)
    monkeypatch.setattr(parallel, "CHUNK", 3)
    two_processes = night(db_engine, DAY)
    assert snapshot(db_engine) == one_process
    assert two_processes.by_status == serial.by_status


def test_a_crash_during_the_split_gate_step_leaves_nothing_behind(
    db_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seeded(db_engine)
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 2)
    monkeypatch.setattr(parallel, "CHUNK", 3)
    with pytest.raises(Crash):
        night(db_engine, DAY, progress=crash_at("gate"))
    assert snapshot(db_engine)["planned_actions"] == []
    night(db_engine, DAY)
    after_crash = snapshot(db_engine)
    _forget_the_night(db_engine)
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 10**9)
    night(db_engine, DAY)
    assert snapshot(db_engine) == after_crash

"""A full run that dies while refilling the states leaves the previous night intact.

On PostgreSQL a full refill truncates the state tables and drops their secondary indexes
and foreign keys for the COPY (``pg_bulk.refilling``); all of it is inside the run's
transaction, so a run that fails half-way must leave the states, the indexes and the
constraints as they were, and the rerun must store what an uninterrupted run stores.
A ``run-day`` process killed (SIGKILL) while its worker processes compute partitions, after
some were written, reruns to what an uninterrupted run stores: the crash unit is the day
(one transaction), not the partition. Runs on both backends.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, select

from faircollect.adapters.db import tables
from faircollect.adapters.db.portfolio_store import Store
from faircollect.services.nightly_ledger import run_day
from tests.integration.ledger_db import insert_portfolio, random_portfolio

D = date(2026, 6, 15)


def _schema(engine: Engine) -> dict[str, object]:
    """The indexes and foreign keys of the state tables."""
    found: dict[str, object] = {}
    inspector = inspect(engine)
    for table in ("account_states", "penalty_accruals"):
        found[f"{table} indexes"] = sorted(i["name"] or "" for i in inspector.get_indexes(table))
        found[f"{table} foreign keys"] = sorted(
            fk["name"] or "" for fk in inspector.get_foreign_keys(table)
        )
    return found


def _ledger(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    with engine.connect() as conn:
        return {
            table.name: [
                tuple(row)
                for row in conn.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in (tables.account_states, tables.penalty_accruals, tables.stage_history)
        }


def test_a_full_run_killed_mid_refill_keeps_the_previous_night(
    db_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    loans, payments = random_portfolio(seed=3, size=120, until=D + timedelta(days=1))
    insert_portfolio(db_engine, loans, payments)
    run_day(db_engine, D)
    before, schema = _ledger(db_engine), _schema(db_engine)
    assert len(before["account_states"]) == 120
    assert schema["account_states foreign keys"]

    written = Store.insert_states

    def dies_after_writing(self: Store, *args: object) -> None:
        written(self, *args)  # type: ignore[arg-type]
        raise RuntimeError("killed half-way through the refill")

    monkeypatch.setattr(Store, "insert_states", dies_after_writing)
    with pytest.raises(RuntimeError, match="killed half-way"):
        run_day(db_engine, D + timedelta(days=1), recompute_all=True)
    assert _ledger(db_engine) == before
    assert _schema(db_engine) == schema

    monkeypatch.setattr(Store, "insert_states", written)
    report = run_day(db_engine, D + timedelta(days=1), recompute_all=True)
    assert [(d.run_date, d.full, d.loans_computed) for d in report.days] == [
        (D + timedelta(days=1), True, 120)
    ]
    after = _ledger(db_engine)
    assert {row[1] for row in after["account_states"]} == {D + timedelta(days=1)}
    assert _schema(db_engine) == schema


KILLED_AFTER_TWO_PARTITIONS = """
import multiprocessing, sys, time
from faircollect.adapters.db.portfolio_store import Store

written = Store.insert_states
count = []

def insert_then_stall(self, *args):
    written(self, *args)
    count.append(1)
    if len(count) == 2:  # two partitions written, the day not committed: report, wait to be killed
        pids = [str(child.pid) for child in multiprocessing.active_children()]
        print("WRITTEN", *pids, flush=True)
        time.sleep(600)

Store.insert_states = insert_then_stall
sys.argv = ["faircollect", *sys.argv[1:]]
from faircollect.cli.app import main
main()
"""


def _gone(pid: int) -> bool:
    """Whether process ``pid`` has ended (exited, or a zombie waiting to be reaped)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


def test_run_day_killed_mid_partition_reruns_to_the_same_night(
    db_engine: Engine, database_url: str, tmp_path: Path
) -> None:
    """SIGKILL of a ``run-day --full --workers 3`` process after two of its partitions were
    written, before the day committed: the previous night is intact, the workers are gone,
    and the rerun stores what an uninterrupted run stores; the audit trail verifies."""
    from typer.testing import CliRunner

    from faircollect.cli.app import app
    from tests.integration.test_ledger_workers import fresh_engine, ledger_rows

    loans, payments = random_portfolio(seed=5, size=40, until=D + timedelta(days=1))
    insert_portfolio(db_engine, loans, payments)
    run_day(db_engine, D)
    before = _ledger(db_engine)
    night = ["run-day", "--date", str(D + timedelta(days=1)), "--full", "--ledger-only"]
    sharing = ["--workers", "3", "--partition-size", "6"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    command = [sys.executable, "-c", KILLED_AFTER_TWO_PARTITIONS, *night, *sharing]
    with subprocess.Popen(
        [*command, "--database-url", database_url],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    ) as child:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.startswith("WRITTEN"), line
        workers = [int(pid) for pid in line.split()[1:]]
        assert len(workers) == 3
        child.send_signal(signal.SIGKILL)
    assert child.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 30
    while not all(map(_gone, workers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert all(map(_gone, workers)), "a worker outlived the killed run"

    assert _ledger(db_engine) == before
    with db_engine.connect() as conn:
        assert conn.execute(select(tables.runs.c.run_date)).scalars().all() == [D]
    runner = CliRunner()
    again = runner.invoke(app, [*night, *sharing, "--database-url", database_url])
    assert again.exit_code == 0, again.output
    assert "40 loans computed (full)" in again.stdout
    verified = runner.invoke(app, ["audit", "verify", "--database-url", database_url])
    assert verified.exit_code == 0, verified.output

    with fresh_engine(db_engine.dialect.name, tmp_path / "uninterrupted.db") as other:
        insert_portfolio(other, loans, payments)
        run_day(other, D)
        run_day(other, D + timedelta(days=1), recompute_all=True, workers=1)
        assert ledger_rows(db_engine, D + timedelta(days=1)) == ledger_rows(
            other, D + timedelta(days=1)
        )

"""A full run killed mid-way leaves the previous night intact, and its rerun computes only
the partitions it had not staged.

A full run stages each computed partition in a transaction of its own
(``adapters.db.ledger_staging``), then moves them into the live tables in the day's
transaction. On PostgreSQL that move truncates the state tables and drops their secondary
indexes and foreign keys for the refill (``pg_bulk.refilling``), inside the day's
transaction, so a run that fails there must leave the states, the indexes and the
constraints as they were. A ``run-day`` process killed (SIGKILL) while its worker processes
compute partitions, after some were staged, leaves the live states as they were; the rerun
keeps the staged partitions, computes the others, and stores what an uninterrupted run
stores. Staged partitions are kept only for the same inputs. Runs on both backends.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, select

from faircollect.adapters.db import ledger_staging, tables
from faircollect.services import nightly_ledger
from faircollect.services.nightly_ledger import run_day
from tests.integration.ledger_db import import_payments, insert_portfolio, random_portfolio
from tests.integration.processes import all_gone

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


def _staged(engine: Engine) -> list[tuple[object, ...]]:
    """(part_no, loans) of every staged partition."""
    parts = tables.ledger_staged_parts
    with engine.connect() as conn:
        query = select(parts.c.part_no, parts.c.loans).order_by(parts.c.part_no)
        return [tuple(row) for row in conn.execute(query)]


def test_a_full_run_killed_mid_refill_keeps_the_previous_night(
    db_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    loans, payments = random_portfolio(seed=3, size=120, until=D + timedelta(days=1))
    insert_portfolio(db_engine, loans, payments)
    run_day(db_engine, D)
    before, schema = _ledger(db_engine), _schema(db_engine)
    assert len(before["account_states"]) == 120
    assert schema["account_states foreign keys"]
    assert _staged(db_engine) == []  # a completed day leaves nothing staged

    moved = ledger_staging.publish

    def dies_after_moving(store: object) -> None:
        moved(store)  # type: ignore[arg-type]
        raise RuntimeError("killed half-way through the refill")

    monkeypatch.setattr(ledger_staging, "publish", dies_after_moving)
    with pytest.raises(RuntimeError, match="killed half-way"):
        run_day(db_engine, D + timedelta(days=1), recompute_all=True, partition_loans=50)
    assert _ledger(db_engine) == before
    assert _schema(db_engine) == schema
    assert _staged(db_engine) == [(0, 50), (1, 50), (2, 20)]

    monkeypatch.setattr(ledger_staging, "publish", moved)
    report = run_day(db_engine, D + timedelta(days=1), recompute_all=True, partition_loans=50)
    assert [(d.run_date, d.full, d.loans_computed, d.kept) for d in report.days] == [
        (D + timedelta(days=1), True, 120, 120)
    ]
    after = _ledger(db_engine)
    assert {row[1] for row in after["account_states"]} == {D + timedelta(days=1)}
    assert _schema(db_engine) == schema
    assert _staged(db_engine) == []


def test_a_rerun_computes_only_the_partitions_not_staged_from_the_same_inputs(
    db_engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Killed after two of five partitions were staged: the rerun computes the other three
    and stores what an uninterrupted run stores. Staged under other inputs (another
    partition size, a new loan), nothing is kept."""
    from tests.integration.test_ledger_workers import fresh_engine, ledger_rows

    loans, payments = random_portfolio(seed=7, size=50, until=D + timedelta(days=1))
    held = [p for p in payments if p.loan_id == loans[49].loan_id]
    assert held
    insert_portfolio(db_engine, loans, [p for p in payments if p not in held])
    computed: list[tuple[str | None, str | None]] = []
    compute = nightly_ledger.compute_partition

    def counted(conn: object, bounds: tuple[str | None, str | None], *args: object) -> object:
        computed.append(bounds)
        if len(computed) == 3 and dying:
            raise RuntimeError("killed while computing the third partition")
        return compute(conn, bounds, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(nightly_ledger, "compute_partition", counted)
    dying = True
    with pytest.raises(RuntimeError, match="third partition"):
        run_day(db_engine, D, partition_loans=10, workers=1)
    assert _staged(db_engine) == [(0, 10), (1, 10)]
    assert _ledger(db_engine)["account_states"] == []

    dying, computed[:] = False, []
    with (
        pytest.raises(RuntimeError, match="stop before the move"),
        monkeypatch.context() as patched,
    ):
        patched.setattr(ledger_staging, "publish", _stop)
        run_day(db_engine, D, partition_loans=10, workers=1)
    assert len(computed) == 3  # the partitions 2, 3 and 4 of 50 loans
    assert _staged(db_engine) == [(0, 10), (1, 10), (2, 10), (3, 10), (4, 10)]

    computed[:] = []
    with (
        pytest.raises(RuntimeError, match="stop before the move"),
        monkeypatch.context() as patched,
    ):
        patched.setattr(ledger_staging, "publish", _stop)
        run_day(db_engine, D, partition_loans=25, workers=1)
    assert len(computed) == 2  # another partition size: another key, nothing kept
    assert _staged(db_engine) == [(0, 25), (1, 25)]

    import_payments(db_engine, held)
    computed[:] = []
    report = run_day(db_engine, D, partition_loans=25, workers=1)
    assert len(computed) == 2  # a new import batch: nothing kept
    assert [(d.loans_computed, d.kept) for d in report.days] == [(50, 0)]
    assert _staged(db_engine) == []

    with fresh_engine(db_engine.dialect.name, tmp_path / "uninterrupted.db") as other:
        insert_portfolio(other, loans, payments)
        run_day(other, D, workers=1)
        assert ledger_rows(db_engine, D) == ledger_rows(other, D)


def _stop(store: object) -> None:
    raise RuntimeError("stop before the move")


def test_an_approval_while_partitions_are_computed_stages_the_day_again(
    db_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An adjustment approved after the partitions were staged makes them stale: the day
    stages them again (under the new key) before it moves them into place."""
    loans, payments = random_portfolio(seed=9, size=30, until=D + timedelta(days=1))
    insert_portfolio(db_engine, loans, payments)
    counts = iter([0, 1, 1, 1])
    monkeypatch.setattr(nightly_ledger, "adjustments_count", lambda conn: next(counts))
    said: list[str] = []
    report = run_day(db_engine, D, partition_loans=10, workers=1, progress=said.append)
    assert [(d.loans_computed, d.kept) for d in report.days] == [(30, 0)]
    assert f"{D}: adjustments approved meanwhile, staging again" in said
    assert _staged(db_engine) == []


KILLED_AFTER_TWO_PARTITIONS = """
import multiprocessing, sys, time
from faircollect.adapters.db import ledger_staging

staged = ledger_staging.stage_partition
count = []

def stall_then_stage(*args):
    count.append(1)
    if len(count) == 3:  # two partitions staged and committed: report, wait to be killed
        pids = [str(child.pid) for child in multiprocessing.active_children()]
        print("WRITTEN", *pids, flush=True)
        time.sleep(600)
    staged(*args)

ledger_staging.stage_partition = stall_then_stage
sys.argv = ["faircollect", *sys.argv[1:]]
from faircollect.cli.app import main
main()
"""


def test_run_day_killed_mid_partition_reruns_to_the_same_night(
    db_engine: Engine, database_url: str, tmp_path: Path
) -> None:
    """SIGKILL of a ``run-day --full --workers 3`` process after two of its partitions were
    staged, before the day committed: the previous night is intact, the workers are gone,
    and the rerun keeps the two partitions (12 loans), computes the other five and stores
    what an uninterrupted run stores; the audit trail verifies."""
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
    assert all_gone(workers), "a worker outlived the killed run"

    assert _ledger(db_engine) == before
    assert [loans for _, loans in _staged(db_engine)] == [6, 6]
    with db_engine.connect() as conn:
        assert conn.execute(select(tables.runs.c.run_date)).scalars().all() == [D]
    runner = CliRunner()
    again = runner.invoke(app, [*night, *sharing, "--database-url", database_url])
    assert again.exit_code == 0, again.output
    assert "40 loans computed (full, 12 staged by an interrupted run and kept)" in again.stdout
    assert _staged(db_engine) == []
    verified = runner.invoke(app, ["audit", "verify", "--database-url", database_url])
    assert verified.exit_code == 0, verified.output

    with fresh_engine(db_engine.dialect.name, tmp_path / "uninterrupted.db") as other:
        insert_portfolio(other, loans, payments)
        run_day(other, D)
        run_day(other, D + timedelta(days=1), recompute_all=True, workers=1)
        assert ledger_rows(db_engine, D + timedelta(days=1)) == ledger_rows(
            other, D + timedelta(days=1)
        )

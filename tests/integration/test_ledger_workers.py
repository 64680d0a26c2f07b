"""The ledger step's partitions and worker processes do not change what it stores.

The same portfolio is run in three databases of one backend (SQLite and PostgreSQL): one
piece computed by the run's own process; partitions of 7 loans computed by 3 worker
processes (written in the order they finish); partitions of 7 loans computed by the run's
own process in reverse order. A first night, a later ``--full`` catch-up over three days
(stage transitions against the previous night) and an incremental night must leave every
stored row of the ledger identical. ``run-day`` refuses bad ``--workers`` and
``--partition-size`` values before touching the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from faircollect.adapters.db import tables
from faircollect.adapters.db.engine import create_schema, make_engine
from faircollect.adapters.db.ledger_pool import PartitionPool
from faircollect.adapters.db.portfolio_store import Store
from faircollect.cli.app import app
from faircollect.domain.ledger.terms import Payment
from faircollect.services.account_export import account_rows
from faircollect.services.nightly_ledger import run_day
from tests.conftest import BACKENDS, throwaway_postgres_database
from tests.integration.ledger_db import import_payments, insert_portfolio, random_portfolio

D = date(2026, 6, 15)
LEDGER = (
    tables.account_states,
    tables.penalty_accruals,
    tables.stage_history,
    tables.account_state_history,
)


@contextmanager
def fresh_engine(backend: str, path: Path) -> Iterator[Engine]:
    """An engine on a new database of ``backend`` at the schema head (a SQLite file at
    ``path``), dropped on leaving."""
    with ExitStack() as stack:
        url = f"sqlite:///{path}"
        if backend == "postgresql":
            url = stack.enter_context(throwaway_postgres_database("fc_workers"))
        engine = make_engine(url)
        stack.callback(engine.dispose)
        create_schema(engine)
        yield engine


@pytest.fixture(params=BACKENDS)
def three(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[Engine]]:
    """Three fresh databases of one backend."""
    with ExitStack() as stack:
        yield [
            stack.enter_context(fresh_engine(request.param, tmp_path / f"db{n}.db"))
            for n in range(3)
        ]


def ledger_rows(engine: Engine, day: date) -> dict[str, object]:
    """Every stored row of the ledger's tables, ordered by key, and the export."""
    found: dict[str, object] = {}
    with engine.connect() as conn:
        for table in LEDGER:
            query = select(table).order_by(*table.primary_key.columns)
            found[table.name] = [tuple(row) for row in conn.execute(query)]
    found["export"] = account_rows(engine, day)
    return found


def test_workers_and_partition_order_store_the_same_ledger(
    three: list[Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    loans, payments = random_portfolio(seed=44, size=60, until=D + timedelta(days=9))
    early = [p for p in payments if p.paid_on <= D]
    middle = [p for p in payments if D < p.paid_on <= D + timedelta(days=3)]
    late = [p for p in payments if p.paid_on > D + timedelta(days=3)]
    back = [
        Payment(f"back-{n}", terms.loan_id, D - timedelta(days=2), 23_456)
        for n, terms in enumerate(loans[::5])
    ]
    pools: list[int] = []
    start = PartitionPool.start

    def counted(engine: Engine, workers: int) -> PartitionPool:
        pools.append(workers)
        return start(engine, workers)

    monkeypatch.setattr(PartitionPool, "start", counted)
    bounds = Store.partition_bounds
    ways = [
        {"workers": 1, "partition_loans": 1_000, "reverse": False},
        {"workers": 3, "partition_loans": 7, "reverse": False},
        {"workers": 1, "partition_loans": 7, "reverse": True},
    ]
    results = []
    for engine, way in zip(three, ways, strict=True):
        reverse = bool(way["reverse"])
        monkeypatch.setattr(
            Store,
            "partition_bounds",
            lambda self, *a, _r=reverse, **k: bounds(self, *a, **k)[:: -1 if _r else 1],
        )
        insert_portfolio(engine, loans, early)
        workers, size = int(way["workers"]), int(way["partition_loans"])
        nights = [run_day(engine, D, workers=workers, partition_loans=size)]
        import_payments(engine, middle)
        nights.append(
            run_day(
                engine, D + timedelta(3), recompute_all=True, workers=workers, partition_loans=size
            )
        )
        import_payments(engine, late + back)
        nights.append(run_day(engine, D + timedelta(9), workers=workers, partition_loans=size))
        days = [
            (d.run_date, d.full, d.loans_computed, d.rolled, d.transitions)
            for n in nights
            for d in n.days
        ]
        results.append((days, ledger_rows(engine, D + timedelta(9))))
    assert pools == [3, 3], "a pool for each run_day of the 3-worker way with full days"
    (one_days, one_rows), *others = results
    assert [full for _, full, *_ in one_days] == [True] * 4 + [False] * 6
    assert len(one_rows["account_states"]) == 60  # type: ignore[arg-type]
    assert sum(d[-1] for d in one_days[1:]) > 0, "later nights move some loans between stages"
    for days, rows in others:
        assert days == one_days
        for name in one_rows:
            assert rows[name] == one_rows[name], name


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("--workers", "0", "--workers"),
        ("--workers", "-2", "--workers"),
        ("--workers", "two", "--workers"),
        ("--workers", "1.5", "--workers"),
        ("--partition-size", "0", "--partition-size"),
    ],
)
def test_run_day_refuses_bad_workers_and_partition_sizes(
    db_engine: Engine, database_url: str, option: str, value: str, says: str
) -> None:
    loans, payments = random_portfolio(seed=45, size=5, until=D)
    insert_portfolio(db_engine, loans, payments)
    args = ["run-day", "--date", D.isoformat(), "--database-url", database_url, option, value]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert says in result.output
    with db_engine.connect() as conn:
        for table in (tables.runs, tables.account_states, tables.stage_history):
            assert conn.execute(select(func.count()).select_from(table)).scalar_one() == 0


def test_run_day_with_workers_on_the_command_line(db_engine: Engine, database_url: str) -> None:
    loans, payments = random_portfolio(seed=46, size=30, until=D)
    insert_portfolio(db_engine, loans, payments)
    args = ["run-day", "--date", D.isoformat(), "--database-url", database_url, "--ledger-only"]
    result = CliRunner().invoke(app, [*args, "--workers", "2", "--partition-size", "4"])
    assert result.exit_code == 0, result.output
    assert f"{D}: 30 loans computed (full), 30 stage transitions" in result.stdout


def test_an_import_committed_while_workers_read_is_left_to_the_next_run(
    db_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import committed after a full run's partitions started, before its workers read:
    the run records the newest batch it started from, so the next run takes the import up
    whatever the workers saw. On PostgreSQL the workers read the run's exported snapshot
    and do not see it at all; on SQLite (no snapshot to share) a partition read after the
    commit sees it."""
    from faircollect.adapters.db import ledger_pool
    from faircollect.services import nightly_ledger
    from tests.integration.test_run_day import _expected, _stored

    loans, payments = random_portfolio(seed=47, size=40, until=D)
    insert_portfolio(db_engine, loans, payments)
    meanwhile = [
        Payment(f"mid-{n}", terms.loan_id, D - timedelta(days=1), 40_000)
        for n, terms in enumerate(loans[::4])
    ]
    exported = ledger_pool.export_snapshot
    tried: list[int] = []

    def import_after_export(conn: object) -> str | None:
        snapshot = exported(conn)  # type: ignore[arg-type]
        tried.append(import_payments(db_engine, meanwhile))
        return snapshot

    monkeypatch.setattr(nightly_ledger, "export_snapshot", import_after_export)
    run_day(db_engine, D, workers=2, partition_loans=6)
    assert len(tried) == 1
    with db_engine.connect() as conn:
        recorded = conn.execute(select(tables.runs.c.last_batch_id)).scalar_one()
    assert recorded < tried[0]
    if db_engine.dialect.name == "postgresql":
        assert _stored(db_engine) == _expected(loans, payments, D)
    again = run_day(db_engine, D, workers=2, partition_loans=6)
    assert again.days[0].loans_computed == len(meanwhile)
    assert _stored(db_engine) == _expected(loans, payments + meanwhile, D)

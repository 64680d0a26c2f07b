"""SQLite and PostgreSQL store the same ledger for the same portfolio.

The two backends take different bulk paths (SQLite: grouped reads and multi-row INSERTs;
PostgreSQL: COPY in and out, a staging table for upserts), so the same portfolio is run
on both, night after night with a back-dated import in between, and every stored figure
is compared: account states, penalty accruals, stage history, the night's copy of the
states and the ``export accounts`` rows. Skipped when PostgreSQL is not reachable.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, select, text

from faircollect.adapters.db import tables
from faircollect.adapters.db.engine import create_schema, make_engine
from faircollect.domain.ledger.terms import Payment
from faircollect.services.account_export import account_rows
from faircollect.services.nightly_ledger import run_day
from tests.conftest import BACKENDS, PG_ADMIN_URL
from tests.integration.ledger_db import import_payments, insert_portfolio, random_portfolio

pytestmark = pytest.mark.skipif(
    "postgresql" not in BACKENDS, reason="PostgreSQL is not reachable on 127.0.0.1:5432"
)

D = date(2026, 6, 15)


@pytest.fixture
def engines(tmp_path: Path) -> Iterator[tuple[Engine, Engine]]:
    """A fresh SQLite file and a fresh PostgreSQL database, both at the schema head."""
    name = f"fc_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    lite = make_engine(f"sqlite:///{tmp_path / 'lite.db'}")
    pg = make_engine(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}")
    try:
        for engine in (lite, pg):
            create_schema(engine)
        yield lite, pg
    finally:
        lite.dispose()
        pg.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _everything(engine: Engine, day: date) -> dict[str, object]:
    """Every stored figure of the ledger, as Python values ordered by key."""
    found: dict[str, object] = {}
    with engine.connect() as conn:
        for table in (
            tables.account_states,
            tables.penalty_accruals,
            tables.stage_history,
            tables.account_state_history,
        ):
            query = select(table).order_by(*table.primary_key.columns)
            found[table.name] = [tuple(row) for row in conn.execute(query)]
    found["export"] = account_rows(engine, day)
    return found


def test_sqlite_and_postgresql_store_the_same_ledger(engines: tuple[Engine, Engine]) -> None:
    lite, pg = engines
    loans, payments = random_portfolio(seed=16, size=300, until=D)
    late = [
        Payment(f"late-{n}", terms.loan_id, D - timedelta(days=3), 12_345)
        for n, terms in enumerate(loans[::7])
    ]
    on_time = [
        Payment(f"next-{n}", terms.loan_id, D + timedelta(days=1), 50_000)
        for n, terms in enumerate(loans[3::11])
    ]
    results = []
    for engine in (lite, pg):
        insert_portfolio(engine, loans, payments)
        first = run_day(engine, D).days[-1]
        import_payments(engine, late + on_time)
        second = run_day(engine, D + timedelta(days=2)).days
        results.append(
            (
                (first.loans_computed, first.transitions),
                [(d.run_date, d.loans_computed, d.rolled, d.transitions) for d in second],
                _everything(engine, D + timedelta(days=2)),
            )
        )
    (lite_first, lite_next, lite_rows), (pg_first, pg_next, pg_rows) = results
    assert lite_first == pg_first == (300, 300)
    assert lite_next == pg_next
    assert [day for day, *_ in lite_next] == [D + timedelta(days=1), D + timedelta(days=2)]
    assert len(lite_rows["account_states"]) == 300  # type: ignore[arg-type]
    for name in lite_rows:
        assert lite_rows[name] == pg_rows[name], name


def test_a_full_run_in_partitions_stores_what_one_piece_stores(
    engines: tuple[Engine, Engine],
) -> None:
    """A full run reads, computes and writes partitions of consecutive loans; with
    partitions of 37 loans (300 loans: 9 partitions, the last one short) computed by two
    worker processes, the first night and a later ``--full`` night on PostgreSQL store
    exactly what SQLite's single piece in one process stores, stage transitions included."""
    lite, pg = engines
    loans, payments = random_portfolio(seed=61, size=300, until=D + timedelta(days=20))
    early = [p for p in payments if p.paid_on <= D]
    later = [p for p in payments if p.paid_on > D]
    results = []
    for engine in (lite, pg):
        insert_portfolio(engine, loans, early)
        sharing = {"workers": 1} if engine is lite else {"workers": 2, "partition_loans": 37}
        first = run_day(engine, D, **sharing).days[-1]
        import_payments(engine, later)
        again = run_day(engine, D + timedelta(days=20), recompute_all=True, **sharing).days
        results.append(
            (
                (first.loans_computed, first.transitions, first.full),
                [(d.run_date, d.loans_computed, d.transitions, d.full) for d in again],
                _everything(engine, D + timedelta(days=20)),
            )
        )
    (lite_first, lite_again, lite_rows), (pg_first, pg_again, pg_rows) = results
    assert lite_first == pg_first == (300, 300, True)
    assert lite_again == pg_again
    assert all(full for *_, full in pg_again)
    assert sum(moves for _, _, moves, _ in pg_again) > 0
    for name in lite_rows:
        assert lite_rows[name] == pg_rows[name], name

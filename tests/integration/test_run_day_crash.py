"""A full run that dies while refilling the states leaves the previous night intact.

On PostgreSQL a full refill truncates the state tables and drops their secondary indexes
and foreign keys for the COPY (``pg_bulk.refilling``); all of it is inside the run's
transaction, so a run that fails half-way must leave the states, the indexes and the
constraints as they were, and the rerun must store what an uninterrupted run stores.
Runs on both backends.
"""

from __future__ import annotations

from datetime import date, timedelta

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

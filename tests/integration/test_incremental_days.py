"""Night after night, incremental run-day stores exactly what a full recompute gives.

Payments arrive in import batches on random later nights (on their date, late, or as
back-dated corrections), while the nights cross due dates and grace ends; after every
night each stored state must equal the reference replay over the payments imported so
far, and ``next_event_on`` the engine's full recompute. Most overdue loans are carried
forward in SQL (``adapters.db.roll_forward``), so this is what proves that path exact.
"""

from __future__ import annotations

import random
import shutil
import tempfile
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from faircollect.adapters.db.engine import create_schema, make_engine
from faircollect.domain.ledger.replay import replay
from faircollect.domain.ledger.state import STATE_VALUES
from faircollect.domain.ledger.terms import LoanTerms, Payment
from faircollect.portfolio import compute_states, loan_columns, payment_columns
from faircollect.services.nightly_ledger import run_day
from tests.integration.ledger_db import (
    import_payments,
    insert_portfolio,
    random_portfolio,
    stored_states,
)
from tests.unit.portfolio.strategies import START, portfolios

LAGS = (0, 0, 0, 1, 2, 5, 12, 40)
"""Nights between a payment's date (or the first night) and its import."""


def _check_night(
    engine: Engine, loans: list[LoanTerms], imported: list[Payment], night: date
) -> None:
    stored = stored_states(engine)
    index = {t.loan_id: i for i, t in enumerate(loans)}
    full = compute_states(loan_columns(loans), payment_columns(imported, index), night)
    for t in loans:
        row = stored[t.loan_id]
        state = replay(t, [p for p in imported if p.loan_id == t.loan_id], night).state
        got = {f: (row[f].value if hasattr(row[f], "value") else row[f]) for f in STATE_VALUES}
        assert got == {f: getattr(state, f) for f in STATE_VALUES}, (t.loan_id, night)
        assert row["as_of"] <= night
        assert row["next_event_on"] == full.next_event(index[t.loan_id]), (t.loan_id, night)


def _run_nights(
    engine: Engine,
    loans: list[LoanTerms],
    payments: list[Payment],
    imported_on: list[date],
    first: date,
    nights: int,
) -> int:
    """Import each night's batch, run the night, check it; the loans carried forward."""
    imported = [p for p, on in zip(payments, imported_on, strict=True) if on <= first]
    insert_portfolio(engine, loans, imported)
    run_day(engine, first)
    _check_night(engine, loans, imported, first)
    carried = 0
    for n in range(1, nights + 1):
        night = first + timedelta(days=n)
        batch = [p for p, on in zip(payments, imported_on, strict=True) if on == night]
        if batch:
            import_payments(engine, batch)
        imported += batch
        (day,) = run_day(engine, night).days
        assert not day.full
        carried += day.rolled
        _check_night(engine, loans, imported, night)
    return carried


@pytest.fixture(scope="module")
def migrated_file() -> Iterator[Path]:
    """One migrated SQLite file, copied for each example (migrating is the slow part)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "template.db"
        engine = make_engine(f"sqlite:///{path}")
        create_schema(engine)
        engine.dispose()
        yield path


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    portfolio=portfolios(size=5),
    first_offset=st.integers(20, 900),
    nights=st.integers(1, 35),
    lags=st.lists(st.sampled_from(LAGS), min_size=60, max_size=60),
)
def test_incremental_nights_equal_a_full_recompute(
    migrated_file: Path,
    portfolio: list[tuple[LoanTerms, list[Payment]]],
    first_offset: int,
    nights: int,
    lags: list[int],
) -> None:
    loans = [t for t, _ in portfolio]
    payments = [p for _, ps in portfolio for p in ps]
    first = START + timedelta(days=first_offset)
    imported_on = [
        max(p.paid_on, first) + timedelta(days=lags[n % len(lags)]) for n, p in enumerate(payments)
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "night.db"
        shutil.copyfile(migrated_file, path)
        engine = make_engine(f"sqlite:///{path}")
        try:
            _run_nights(engine, loans, payments, imported_on, first, nights)
        finally:
            engine.dispose()


def test_a_month_of_nights_on_each_backend(db_engine: Engine) -> None:
    """A fixed portfolio on SQLite and PostgreSQL: most overdue loans are carried
    forward, and every night equals the replay."""
    first = date(2026, 5, 20)
    loans, payments = random_portfolio(seed=21, size=40, until=first + timedelta(days=30))
    rng = random.Random(21)
    imported_on = [max(p.paid_on, first) + timedelta(days=rng.choice(LAGS)) for p in payments]
    carried = _run_nights(db_engine, loans, payments, imported_on, first, nights=30)
    assert carried > 30  # the SQL path really ran, night after night


def test_a_loan_with_an_approved_adjustment_is_not_carried_forward(db_engine: Engine) -> None:
    """Restructured or waived loans are the reference replay's: never rolled in SQL."""
    from sqlalchemy import insert

    from faircollect.adapters.db import tables

    first = date(2026, 5, 20)
    loans, payments = random_portfolio(seed=22, size=30, until=first)
    insert_portfolio(db_engine, loans, payments)
    run_day(db_engine, first)
    states = stored_states(db_engine).items()
    overdue = [i for i, row in states if row["roll_until"] and row["roll_until"] > first]
    adjusted = overdue[0]
    with db_engine.begin() as conn:
        borrower = next(t.borrower_id for t in loans if t.loan_id == adjusted)
        conn.execute(
            insert(tables.cases).values(
                case_id="C1",
                borrower_id=borrower,
                status="open",
                owner_kind="team",
                owner_id="t1",
                opened_on=first,
            )
        )
        conn.execute(
            insert(tables.proposals).values(
                proposal_id="P1",
                case_id="C1",
                loan_id=adjusted,
                kind="waiver",
                submitted_by="u1",
                submitted_on=first,
                status="approved",
            )
        )
        conn.execute(
            insert(tables.loan_adjustments).values(
                proposal_id="P1",
                loan_id=adjusted,
                kind="waiver",
                effective_on=first,
                approved_by="u2",
                reason="test",
                component="penalty",
                amount=1,
            )
        )
    (day,) = run_day(db_engine, first + timedelta(days=1)).days
    assert day.rolled == len(overdue) - 1
    stored = stored_states(db_engine)[adjusted]
    assert stored["as_of"] == first + timedelta(days=1)
    assert stored["roll_until"] is None  # the replay's loan: never carried forward

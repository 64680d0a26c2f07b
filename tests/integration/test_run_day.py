"""run-day stores every account's state as of D, equal to the reference replay."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, select

from faircollect.adapters.db import tables
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

D = date(2026, 6, 15)
STATE_FIELDS = STATE_VALUES  # every field but loan_id and as_of


def _expected(loans: list[LoanTerms], payments: list[Payment], as_of: date) -> dict[str, dict]:
    by_loan: dict[str, list[Payment]] = {t.loan_id: [] for t in loans}
    for p in payments:
        by_loan[p.loan_id].append(p)
    result = {}
    for t in loans:
        state = replay(t, by_loan[t.loan_id], as_of).state
        result[t.loan_id] = {f: getattr(state, f) for f in STATE_FIELDS}
    return result


def _stored(engine: Engine) -> dict[str, dict]:
    return {
        loan_id: {f: (row[f].value if hasattr(row[f], "value") else row[f]) for f in STATE_FIELDS}
        for loan_id, row in stored_states(engine).items()
    }


def _snapshot(engine: Engine) -> tuple[list, list, list]:
    with engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            sorted(map(tuple, conn.execute(select(t)).all()), key=str)
            for t in (tables.account_states, tables.stage_history, tables.runs)
        )


def test_run_day_stores_the_replay_state_of_every_loan(db_engine: Engine) -> None:
    loans, payments = random_portfolio(seed=1, size=60, until=D + timedelta(days=10))
    insert_portfolio(db_engine, loans, payments)
    report = run_day(db_engine, D)
    assert [d.run_date for d in report.days] == [D]
    assert report.days[0].loans_computed == 60
    assert _stored(db_engine) == _expected(loans, payments, D)
    assert {r["as_of"] for r in stored_states(db_engine).values()} == {D}


def test_running_the_same_day_again_changes_nothing(db_engine: Engine) -> None:
    loans, payments = random_portfolio(seed=2, size=40, until=D)
    insert_portfolio(db_engine, loans, payments)
    run_day(db_engine, D)
    before = _snapshot(db_engine)
    again = run_day(db_engine, D)
    assert [d.loans_computed for d in again.days] == [0]
    assert _snapshot(db_engine) == before


def test_an_earlier_date_than_the_last_run_changes_nothing(db_engine: Engine) -> None:
    loans, payments = random_portfolio(seed=3, size=10, until=D)
    insert_portfolio(db_engine, loans, payments)
    run_day(db_engine, D)
    before = _snapshot(db_engine)
    report = run_day(db_engine, D - timedelta(days=3))
    assert report.days == [] and "already" in report.note
    assert _snapshot(db_engine) == before


def test_catch_up_records_each_transition_on_its_true_date(db_engine: Engine) -> None:
    loans, payments = random_portfolio(seed=4, size=40, until=D + timedelta(days=60))
    insert_portfolio(db_engine, loans, payments)
    start, end = D, D + timedelta(days=45)
    run_day(db_engine, start)
    report = run_day(db_engine, end)
    assert [d.run_date for d in report.days] == [start + timedelta(days=n) for n in range(1, 46)]
    expected = set()
    for t in loans:
        mine = [p for p in payments if p.loan_id == t.loan_id]
        stages = [replay(t, mine, start + timedelta(days=n)).state.stage for n in range(46)]
        expected.add((t.loan_id, start, stages[0].value, None))
        for n in range(1, 46):
            if stages[n] != stages[n - 1]:
                expected.add(
                    (t.loan_id, start + timedelta(days=n), stages[n].value, stages[n - 1].value)
                )
    with db_engine.connect() as conn:
        history = set(map(tuple, conn.execute(select(tables.stage_history)).all()))
        run_dates = conn.execute(select(tables.runs.c.run_date)).scalars().all()
    assert history == expected
    assert len(expected) > len(loans)  # some loans really moved
    assert sorted(run_dates) == [start + timedelta(days=n) for n in range(46)]
    assert _stored(db_engine) == _expected(loans, payments, end)


def test_incremental_next_day_equals_a_full_recompute(db_engine: Engine) -> None:
    loans, payments = random_portfolio(seed=5, size=80, until=D)
    insert_portfolio(db_engine, loans, payments)
    run_day(db_engine, D)
    late = [
        Payment(f"X{n}", t.loan_id, D + timedelta(days=1) - timedelta(days=n % 40), 150_000)
        for n, t in enumerate(loans[::3])
    ]
    import_payments(db_engine, late)
    report = run_day(db_engine, D + timedelta(days=1))
    assert not report.days[0].full and report.days[0].loans_computed < len(loans)
    everything = payments + late
    assert _stored(db_engine) == _expected(loans, everything, D + timedelta(days=1))
    index = {t.loan_id: i for i, t in enumerate(loans)}
    full = compute_states(
        loan_columns(loans), payment_columns(everything, index), D + timedelta(days=1)
    )
    stored = stored_states(db_engine)
    for t in loans:
        assert stored[t.loan_id]["next_event_on"] == full.next_event(index[t.loan_id])


def test_a_back_dated_payment_in_a_new_batch_is_picked_up(db_engine: Engine) -> None:
    loans, payments = random_portfolio(seed=6, size=20, until=D)
    insert_portfolio(db_engine, loans, payments)
    run_day(db_engine, D)
    target = max(loans, key=lambda t: _expected(loans, payments, D)[t.loan_id]["dpd"])
    back = [Payment("BACK-1", target.loan_id, D - timedelta(days=30), 10_000_000)]
    import_payments(db_engine, back)
    run_day(db_engine, D + timedelta(days=1))
    after = _stored(db_engine)[target.loan_id]
    assert after == _expected(loans, payments + back, D + timedelta(days=1))[target.loan_id]
    assert after["paid_total"] >= 10_000_000


def test_the_command_runs_the_day_and_reports_it(db_engine: Engine, database_url: str) -> None:
    from typer.testing import CliRunner

    from faircollect.cli.app import app

    loans, payments = random_portfolio(seed=7, size=12, until=D)
    insert_portfolio(db_engine, loans, payments)
    args = ["run-day", "--date", D.isoformat(), "--database-url", database_url]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert f"{D}: 12 loans computed (full)" in first.stdout
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0 and f"{D}: 0 loans computed" in again.stdout
    assert _stored(db_engine) == _expected(loans, payments, D)


def test_a_full_run_over_worker_processes_stores_the_same_states(db_engine: Engine) -> None:
    """Three workers computing partitions of 7 loans (8 partitions) store the replay's
    states, and count every loan and first stage once."""
    loans, payments = random_portfolio(seed=8, size=50, until=D)
    insert_portfolio(db_engine, loans, payments)
    report = run_day(db_engine, D, workers=3, partition_loans=7)
    assert report.days[0].loans_computed == 50 and report.days[0].transitions == 50
    assert _stored(db_engine) == _expected(loans, payments, D)


def test_full_recomputes_what_the_incremental_run_cannot_see(db_engine: Engine) -> None:
    """A payment written without an import batch is invisible to incremental runs."""
    from sqlalchemy import insert

    loans, payments = random_portfolio(seed=9, size=15, until=D)
    insert_portfolio(db_engine, loans, payments)
    run_day(db_engine, D)
    extra = Payment("NOBATCH", loans[0].loan_id, D - timedelta(days=2), 77_777)
    with db_engine.begin() as conn:
        conn.execute(
            insert(tables.payments).values(
                payment_id=extra.payment_id,
                loan_id=extra.loan_id,
                paid_on=extra.paid_on,
                amount=extra.amount,
            )
        )
    assert run_day(db_engine, D).days[0].loans_computed == 0
    report = run_day(db_engine, D, recompute_all=True)
    assert report.days[0].full and report.days[0].loans_computed == 15
    assert _stored(db_engine) == _expected(loans, [*payments, extra], D)


def test_an_empty_portfolio_runs_and_exports_a_header(db_engine: Engine, database_url: str) -> None:
    from typer.testing import CliRunner

    from faircollect.cli.app import app

    assert run_day(db_engine, D).days[0].loans_computed == 0
    result = CliRunner().invoke(
        app, ["export", "accounts", "--date", D.isoformat(), "--database-url", database_url]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "loan_id,borrower_id,dpd,bucket,stage,overdue_principal,overdue_interest,"
        "overdue_fee,penalty,total_overdue,outstanding_principal"
    ]


def test_states_written_many_rows_a_statement_cut_anywhere_are_the_same(
    db_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Full statements plus a shorter last one, for the full replace and the incremental
    upsert, store exactly the replay states and leave the foreign-key setting as it was."""
    from faircollect.adapters.db import portfolio_store

    monkeypatch.setattr(portfolio_store, "ROWS_PER_STATEMENT", 7)
    loans, payments = random_portfolio(seed=11, size=45, until=D + timedelta(days=3))
    early = [p for p in payments if p.paid_on <= D]
    insert_portfolio(db_engine, loans, early)
    run_day(db_engine, D)
    assert _stored(db_engine) == _expected(loans, early, D)
    import_payments(db_engine, [p for p in payments if p.paid_on > D])
    report = run_day(db_engine, D + timedelta(days=3))
    assert not report.days[-1].full
    assert _stored(db_engine) == _expected(loans, payments, D + timedelta(days=3))
    if db_engine.dialect.name == "sqlite":
        with db_engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1

"""export accounts: exactly the published columns, amounts equal to the replay to the fen."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from faircollect.cli.app import app
from faircollect.domain.ledger.replay import replay
from faircollect.domain.ledger.terms import LoanTerms, Payment
from faircollect.domain.money import format_yuan
from faircollect.services.nightly_ledger import run_day
from tests.integration.ledger_db import insert_portfolio, random_portfolio

D = date(2026, 6, 15)
COLUMNS = [
    "loan_id",
    "borrower_id",
    "dpd",
    "bucket",
    "stage",
    "overdue_principal",
    "overdue_interest",
    "overdue_fee",
    "penalty",
    "total_overdue",
    "outstanding_principal",
]


def _expected(loans: list[LoanTerms], payments: list[Payment], as_of: date) -> list[list[str]]:
    rows = []
    for t in sorted(loans, key=lambda t: t.loan_id):
        s = replay(t, [p for p in payments if p.loan_id == t.loan_id], as_of).state
        amounts = [
            s.overdue_principal,
            s.overdue_interest,
            s.overdue_fee,
            s.penalty,
            s.total_overdue,
            s.outstanding_principal,
        ]
        rows.append(
            [
                t.loan_id,
                t.borrower_id,
                str(s.dpd),
                s.bucket,
                s.stage.value,
                *map(format_yuan, amounts),
            ]
        )
    return rows


def _export(url: str, as_of: date, fmt: str) -> str:
    result = CliRunner().invoke(
        app,
        ["export", "accounts", "--date", as_of.isoformat(), "--format", fmt, "--database-url", url],
    )
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("with_run", [True, False], ids=["stored-run", "no-run"])
def test_csv_export_matches_replay_to_the_fen(
    db_engine: Engine, database_url: str, with_run: bool
) -> None:
    loans, payments = random_portfolio(seed=11, size=50, until=D + timedelta(days=20))
    insert_portfolio(db_engine, loans, payments)
    if with_run:
        run_day(db_engine, D)
    rows = list(csv.reader(io.StringIO(_export(database_url, D, "csv"))))
    assert rows[0] == COLUMNS
    assert rows[1:] == _expected(loans, payments, D)
    assert any(r[2] != "0" for r in rows[1:]) and any(r[8] != "0.00" for r in rows[1:])


def test_a_date_other_than_the_run_is_computed_not_read(
    db_engine: Engine, database_url: str
) -> None:
    loans, payments = random_portfolio(seed=12, size=30, until=D + timedelta(days=40))
    insert_portfolio(db_engine, loans, payments)
    run_day(db_engine, D)
    other = D + timedelta(days=33)
    rows = list(csv.reader(io.StringIO(_export(database_url, other, "csv"))))
    assert rows[1:] == _expected(loans, payments, other)


def test_json_export_has_the_columns_in_order_and_keeps_chinese(
    db_engine: Engine, database_url: str
) -> None:
    loans, payments = random_portfolio(seed=13, size=15, until=D)
    loans = [
        LoanTerms(**{**{f: getattr(t, f) for f in t.__slots__}, "borrower_id": "借款人甲"})
        for t in loans
    ]
    insert_portfolio(db_engine, loans, payments)
    text = _export(database_url, D, "json")
    assert "借款人甲" in text
    records = json.loads(text)
    assert [list(r) for r in records] == [COLUMNS] * len(loans)
    assert [[str(v) for v in r.values()] for r in records] == _expected(loans, payments, D)
    assert all(isinstance(r["dpd"], int) for r in records)


def test_a_bad_date_is_refused_with_the_option_named(database_url: str) -> None:
    result = CliRunner().invoke(
        app, ["export", "accounts", "--date", "2026-13-01", "--database-url", database_url]
    )
    assert result.exit_code != 0
    assert "--date" in result.output


def test_the_stored_run_is_read_until_a_newer_import_arrives(
    db_engine: Engine, database_url: str
) -> None:
    from sqlalchemy import update

    from faircollect.adapters.db import tables
    from tests.integration.ledger_db import import_payments

    loans, payments = random_portfolio(seed=14, size=5, until=D)
    insert_portfolio(db_engine, loans, payments)
    run_day(db_engine, D)
    with db_engine.begin() as conn:  # a marker only the stored rows carry
        conn.execute(update(tables.account_states).values(penalty=123_456))
    stored = list(csv.reader(io.StringIO(_export(database_url, D, "csv"))))
    assert {r[8] for r in stored[1:]} == {"1234.56"}
    import_payments(db_engine, [])
    computed = list(csv.reader(io.StringIO(_export(database_url, D, "csv"))))
    assert computed[1:] == _expected(loans, payments, D)

"""``ptp add`` and ``ptp list``: yuan in, fen stored, statuses after the night settles them."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import Engine, select
from typer.testing import CliRunner

from faircollect.adapters.db import tables as t
from faircollect.cli.app import app
from tests.scenarios.portfolio import FIRST_DUE, night, seed

runner = CliRunner()


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_add_then_list_and_settle(db_engine: Engine) -> None:
    seed(db_engine, ["L1"])
    url = _url(db_engine)
    made, due = FIRST_DUE + timedelta(days=1), FIRST_DUE + timedelta(days=3)
    args = ["ptp", "add", "--as", "S001", "--loan", "L1", "--amount", "500.5"]
    args += ["--due", due.isoformat()]
    result = runner.invoke(app, [*args, "--on", made.isoformat(), "--database-url", url])
    assert result.exit_code == 0, result.output
    with db_engine.connect() as conn:
        assert conn.execute(select(t.promises.c.amount)).scalar_one() == 50_050
    listed = runner.invoke(app, ["ptp", "list", "--as", "S001", "--json", "--database-url", url])
    (row,) = json.loads(listed.output)
    assert row["loan_id"] == "L1" and row["amount"] == "500.50" and row["status"] == "open"
    assert row["due"] == due.isoformat() and row["paid"] == "0.00" and row["ptp_id"]
    night(db_engine, due)
    listed = runner.invoke(
        app, ["ptp", "list", "--as", "K001", "--loan", "L1", "--json", "--database-url", url]
    )
    assert json.loads(listed.output)[0]["status"] == "broken"  # compliance reads everything


def test_unknown_or_unseen_loan_and_bad_amount_are_refused_and_store_nothing(
    db_engine: Engine,
) -> None:
    seed(db_engine, ["L1"])
    url = _url(db_engine)
    for user, loan, amount, code, message in (
        ("S001", "NOPE", "10", 1, "not found: no loan 'NOPE'"),
        ("C101", "L1", "10", 1, "not found: no loan 'L1'"),  # in no case of C101's
        ("Q001", "L1", "10", 3, "permission denied"),  # QA records no promises
        ("S001", "L1", "10.555", 2, "--amount"),
        ("S001", "L1", "abc", 2, "--amount"),
    ):
        result = runner.invoke(
            app,
            [
                "ptp",
                "add",
                "--as",
                user,
                "--loan",
                loan,
                "--amount",
                amount,
                "--due",
                "2026-03-01",
                "--on",
                "2026-02-20",
                "--database-url",
                url,
            ],
        )
        assert result.exit_code == code, (loan, amount, result.output)
        assert message in result.output
    with db_engine.connect() as conn:
        assert conn.execute(select(t.promises)).all() == []

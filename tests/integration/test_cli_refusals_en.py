"""The CLI says refusals in English, word for word as before the message catalogue: the
catalogue's first wording is ``str()`` of every message (the web says the second)."""

from __future__ import annotations

from sqlalchemy import Engine
from typer.testing import CliRunner

from faircollect.cli.app import app
from tests.scenarios.portfolio import seed

runner = CliRunner()


def _ptp(engine: Engine, user: str, amount: str) -> str:
    url = engine.url.render_as_string(hide_password=False)
    args = ["ptp", "add", "--as", user, "--loan", "L1", "--amount", amount]
    args += ["--due", "2026-03-01", "--on", "2026-02-20", "--database-url", url]
    result = runner.invoke(app, args)
    assert result.exit_code != 0, result.output
    return result.output


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_a_refused_promise_stays_english(db_engine: Engine) -> None:
    seed(db_engine, ["L1"])
    said = _ptp(db_engine, "S001", "99999.00")
    assert "refused:\n  - PTP-1: 99999.00 yuan is more than the" in said
    assert "yuan lawfully owed" in said and not _chinese(said)


def test_a_role_that_may_not_stays_english(db_engine: Engine) -> None:
    seed(db_engine, ["L1"])
    said = _ptp(db_engine, "Q001", "10")
    assert "Q001 (qa) may not record contact" in said and not _chinese(said)


def test_a_loan_not_found_stays_english(db_engine: Engine) -> None:
    seed(db_engine, ["L1"])
    url = db_engine.url.render_as_string(hide_password=False)
    args = ["ptp", "add", "--as", "S001", "--loan", "NOPE", "--amount", "10"]
    args += ["--due", "2026-03-01", "--on", "2026-02-20", "--database-url", url]
    said = runner.invoke(app, args).output
    assert "no loan 'NOPE'" in said and not _chinese(said)

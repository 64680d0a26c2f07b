"""``make run``'s job: demo portfolio into an empty database, tonight's run, the summary."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from faircollect.adapters.db.engine import make_engine
from faircollect.adapters.db.tables import agencies, outbox, planned_actions, users
from faircollect.cli.app import app
from faircollect.services.account_export import account_rows
from faircollect.services.portfolio_summary import summarize


def test_quickstart_builds_runs_and_summarises_then_is_idempotent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fc.db'}"
    runner = CliRunner()
    first = runner.invoke(app, ["quickstart", "--accounts", "300", "--database-url", url])
    assert first.exit_code == 0, first.output
    assert "300 loans generated and imported" in first.output
    assert "example team: 14 users in 3 teams, 2 agencies" in first.output
    assert "no commission terms" not in first.output  # placements can reach casework
    assert "300 loans computed" in first.output
    second = runner.invoke(app, ["quickstart", "--accounts", "300", "--database-url", url])
    assert second.exit_code == 0, second.output
    assert "generated" not in second.output  # the portfolio is there already
    assert "Plan for" in first.output and "Plan for" in second.output

    engine = make_engine(url)
    summary = summarize(engine)
    assert summary.as_of is not None
    rows = account_rows(engine, summary.as_of)
    with engine.connect() as conn:
        planned = conn.execute(select(func.count()).select_from(planned_actions)).scalar()
        queued = conn.execute(select(func.count()).select_from(outbox)).scalar()
        team = set(conn.execute(select(users.c.user_id)).scalars())
        firms = set(conn.execute(select(agencies.c.agency_id)).scalars())
    engine.dispose()
    assert {"C101", "S001"} <= team and "AG01" in firms  # the example team, as in teams.yaml
    assert planned and queued  # the night was planned and messages queued ...
    assert f"Plan for {summary.as_of}: {planned} actions" in second.output  # ... once

    assert summary.accounts == len(rows) == 300
    # rows: loan_id, borrower_id, dpd, bucket, stage, overdue p/i/f, penalty (fen), ...
    assert summary.total_overdue == sum(sum(row[5:9]) for row in rows)
    assert sum(g.accounts for g in summary.by_stage) == 300
    assert {g.name for g in summary.by_bucket} <= {"M0", "M1", "M2", "M3", "M4", "M5", "M6", "M6+"}


def test_run_day_plans_the_night_once_and_ledger_only_plans_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fc.db'}"
    runner = CliRunner()
    demo = tmp_path / "demo"
    assert (
        runner.invoke(
            app, ["demo", "--accounts", "200", "--out", str(demo), "--as-of", "2026-11-20"]
        ).exit_code
        == 0
    )
    assert runner.invoke(app, ["init", "--database-url", url]).exit_code == 0
    assert (
        runner.invoke(app, ["import", str(demo), "--quiet", "--database-url", url]).exit_code == 0
    )
    ledger = runner.invoke(
        app, ["run-day", "--date", "2026-11-19", "--ledger-only", "--database-url", url]
    )
    assert ledger.exit_code == 0, ledger.output

    engine = make_engine(url)

    def planned() -> int:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(planned_actions)).scalar())

    assert planned() == 0
    first = runner.invoke(app, ["run-day", "--date", "2026-11-20", "--database-url", url])
    assert first.exit_code == 0, first.output
    after_first = planned()
    assert after_first > 0
    again = runner.invoke(app, ["run-day", "--date", "2026-11-20", "--database-url", url])
    assert again.exit_code == 0, again.output
    assert planned() == after_first
    engine.dispose()

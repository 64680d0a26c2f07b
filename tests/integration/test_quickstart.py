"""``make run``'s job: demo portfolio into an empty database, tonight's run, the summary."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from faircollect.adapters.db.engine import make_engine
from faircollect.cli.app import app
from faircollect.services.account_export import account_rows
from faircollect.services.portfolio_summary import summarize


def test_quickstart_builds_runs_and_summarises_then_is_idempotent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fc.db'}"
    runner = CliRunner()
    first = runner.invoke(app, ["quickstart", "--accounts", "300", "--database-url", url])
    assert first.exit_code == 0, first.output
    assert "300 loans generated and imported" in first.output
    assert "300 loans computed" in first.output
    second = runner.invoke(app, ["quickstart", "--accounts", "300", "--database-url", url])
    assert second.exit_code == 0, second.output
    assert "generated" not in second.output  # the portfolio is there already

    engine = make_engine(url)
    summary = summarize(engine)
    assert summary.as_of is not None
    rows = account_rows(engine, summary.as_of)
    engine.dispose()
    assert summary.accounts == len(rows) == 300
    # rows: loan_id, borrower_id, dpd, bucket, stage, overdue p/i/f, penalty (fen), ...
    assert summary.total_overdue == sum(sum(row[5:9]) for row in rows)
    assert sum(g.accounts for g in summary.by_stage) == 300
    assert {g.name for g in summary.by_bucket} <= {"M0", "M1", "M2", "M3", "M4", "M5", "M6", "M6+"}

"""``plan``, ``export actions`` and ``compliance report`` driven in-process on a real night."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta

from sqlalchemy import Engine, insert
from typer.testing import CliRunner

from faircollect.adapters.db import tables as t
from faircollect.cli.app import app
from faircollect.services.casework.open_cases import open_cases
from tests.scenarios.portfolio import FIRST_DUE, SHANGHAI, night, seed

runner = CliRunner()
DAY1 = FIRST_DUE + timedelta(days=1)


def _run(url: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--database-url", url])
    return result.exit_code, result.output


def _night(db_engine: Engine) -> str:
    seed(db_engine, ["L1", "L2"])
    night(db_engine, DAY1)
    return db_engine.url.render_as_string(hide_password=False)


def test_export_actions_csv_has_every_field_and_aware_times(db_engine: Engine) -> None:
    url = _night(db_engine)
    code, out = _run(url, "export", "actions", "--date", DAY1.isoformat())
    assert code == 0, out
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 4  # first call and day-1 SMS for each loan
    for field in ("action_id", "loan_id", "borrower_id", "stage", "channel", "party"):
        assert all(r[field] for r in rows), field
    assert {r["status"] for r in rows} == {"planned", "queued"}
    calls = [r for r in rows if r["channel"] == "call"]
    assert {r["scheduled_at"] for r in calls} == {"2026-02-14T09:30:00+08:00"}
    assert all(r["assignee"] for r in calls) and all(r["arm"] == "champion" for r in rows)


def test_export_actions_json_matches_csv(db_engine: Engine) -> None:
    url = _night(db_engine)
    _, as_csv = _run(url, "export", "actions", "--date", DAY1.isoformat())
    code, as_json = _run(url, "export", "actions", "--date", DAY1.isoformat(), "--format", "json")
    assert code == 0
    assert json.loads(as_json) == list(csv.DictReader(io.StringIO(as_csv)))


def test_plan_shows_counts_by_stage_channel_and_collector(db_engine: Engine) -> None:
    url = _night(db_engine)
    code, out = _run(url, "plan", "--date", DAY1.isoformat())
    assert code == 0, out
    assert "4 actions" in out and "early" in out and "call" in out and "sms" in out
    assert "C10" in out  # a collector from the example teams


def test_plan_compute_plans_the_night_from_stored_states(db_engine: Engine) -> None:
    seed(db_engine, ["L1"])
    from tests.scenarios.portfolio import write_states

    write_states(db_engine, DAY1)
    url = db_engine.url.render_as_string(hide_password=False)
    code, out = _run(url, "plan", "--date", DAY1.isoformat(), "--compute")
    assert code == 0, out
    assert "2 actions" in out


def test_compliance_report_passes_then_fails_loudly_on_a_forged_message(db_engine: Engine) -> None:
    url = _night(db_engine)
    code, out = _run(url, "compliance", "report", "--date", DAY1.isoformat())
    assert code == 0, out
    assert "all 2 outbox messages have an allowing gate decision" in out
    code, out = _run(url, "compliance", "report", "--date", DAY1.isoformat(), "--format", "json")
    report = json.loads(out)
    assert report["every_outbound_contact_allowed"] is True
    assert {c["status"] for c in report["contacts"]} == {"planned", "queued"}
    with db_engine.begin() as conn:
        conn.execute(
            insert(t.outbox),
            {
                "message_id": "forged",
                "run_date": DAY1,
                "channel": "sms",
                "recipient": "13800000000",
                "subject": "",
                "body": "催收",
                "queued_at": datetime(2026, 2, 14, 10, tzinfo=SHANGHAI),
                "status": "sent",
            },
        )
    code, out = _run(url, "compliance", "report", "--date", DAY1.isoformat())
    assert code == 1
    assert "CHECK FAILED: 1 of 3" in out and "forged" in out


def test_plan_compute_places_with_the_agency_casework_knows_and_says_why_not(
    db_engine: Engine,
) -> None:
    """One organisation: the agency 分案 chooses is one casework has terms for, so the
    night's placement reaches casework at once; a case another agency holds stays there,
    and the night says so."""
    from faircollect.adapters.db.uow import UnitOfWork
    from faircollect.services.casework.agencies import place_case
    from faircollect.services.organisation import actor_for
    from tests.scenarios.portfolio import write_states

    seed(db_engine, ["L1", "L2"])
    day = FIRST_DUE + timedelta(days=91)  # the default strategy places at DPD 91
    write_states(db_engine, day)
    url = db_engine.url.render_as_string(hide_password=False)
    with UnitOfWork(db_engine) as uow:
        (case,) = open_cases(uow, day, "C201", {"B-L2"})
        place_case(uow, actor_for(uow, "ADMIN"), case, "AG02", day)
    code, out = _run(url, "plan", "--date", day.isoformat(), "--compute")
    assert code == 0, out
    # 分案 picks the agency with most room (AG01) for both loans; L1's case is opened
    # and placed with it, L2's case stays with AG02, which a person placed it with.
    assert "1 case(s) opened, 1 placed with an agency" in out
    assert f"1 loan(s) not placed: case {case} stays with AG02, which holds it (L2)" in out

"""The casework CLI in-process (CliRunner), on SQLite and PostgreSQL: the call from an
answers file and interactively, the agency statement, and permission errors."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, select
from typer.testing import CliRunner

from faircollect.adapters.db.tables import contact_records, promises
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.cli.app import app
from faircollect.services.casework.agencies import place_case
from faircollect.services.organisation import actor_for
from tests.scenarios.casework_world import at, build, pay, sent_action

runner = CliRunner()

ANSWERS = """\
confirm_identity: borrower
state_identity: ok
ask_payment_today: cannot_today
learn_reason: forgot
explain_consequences: [penalty, right_to_sue]
obtain_promise: {amount: "500.00", due: "2026-03-04"}
update_file: 客户忘记还款日，承诺3月4日前先还500元
"""


def invoke(url: str, *args: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, [*args, "--db", url], input=input)
    return result.exit_code, result.stdout, result.stderr


def test_call_with_answers_file_stores_record_and_promise(
    db_engine: Engine, database_url: str, tmp_path: Path
) -> None:
    case_id = build(db_engine)
    answers = tmp_path / "answers.yaml"
    answers.write_text(ANSWERS, encoding="utf-8")
    code, out, err = invoke(
        database_url,
        "call",
        case_id,
        "--as",
        "C101",
        "--answers",
        str(answers),
        "--at",
        "2026-03-02T10:15",
    )
    assert code == 0, err
    assert "承诺" in out and "500.00 元，2026-03-04 前" in out
    with db_engine.connect() as conn:
        record = conn.execute(select(contact_records)).one()
        promise = conn.execute(select(promises)).one()
    assert (record.outcome, record.reason) == ("promise", "forgot")
    assert (promise.amount, promise.due_on, promise.made_by) == (50_000, date(2026, 3, 4), "C101")


def test_call_with_a_bad_answers_file_names_the_line_and_stores_nothing(
    db_engine: Engine, database_url: str, tmp_path: Path
) -> None:
    case_id = build(db_engine)
    answers = tmp_path / "answers.yaml"
    answers.write_text(ANSWERS.replace("learn_reason", "learn_reasons"), encoding="utf-8")
    code, _, err = invoke(
        database_url,
        "call",
        case_id,
        "--as",
        "C101",
        "--answers",
        str(answers),
        "--at",
        "2026-03-02T10:15",
    )
    assert code == 1
    assert f"{answers}:4: learn_reasons: unknown step" in err
    with db_engine.connect() as conn:
        assert conn.execute(select(contact_records)).all() == []


def test_interactive_call_drives_the_same_flow(db_engine: Engine, database_url: str) -> None:
    case_id = build(db_engine)
    typed = "\n".join(
        ["", "borrower", "", "cannot_today", "illness", "all", "refusal", "生病住院，暂无能力还款"]
    )
    code, out, err = invoke(
        database_url,
        "call",
        case_id,
        "--as",
        "C101",
        "--at",
        "2026-03-02T10:15",
        input=typed + "\n",
    )
    assert code == 0, out + err
    assert "refusal" in out
    with db_engine.connect() as conn:
        record = conn.execute(select(contact_records)).one()
    assert (record.outcome, record.reason, record.note) == (
        "refusal",
        "illness",
        "生病住院，暂无能力还款",
    )


def test_agency_statement_prints_yuan_to_the_fen(db_engine: Engine, database_url: str) -> None:
    """AG01 at 12%: 1,234.56 + 333.33 = 1,567.89 repaid; × 0.12 = 188.1468 -> 188.15."""
    case_id = build(db_engine)
    with UnitOfWork(db_engine) as uow:
        place_case(uow, actor_for(uow, "S001"), case_id, "AG01", date(2026, 3, 3))
    pay(db_engine, "y1", "L1", date(2026, 3, 10), 123_456)
    pay(db_engine, "y2", "L1", date(2026, 3, 20), 33_333)
    pay(db_engine, "y3", "L1", date(2026, 4, 1), 10_000)  # next month
    code, out, err = invoke(
        database_url, "agency", "statement", "AG01", "--month", "2026-03", "--as", "S001", "--json"
    )
    assert code == 0, err
    data = json.loads(out)
    assert (data["total_repaid"], data["total_commission"]) == ("1567.89", "188.15")
    assert data["lines"][0]["payment_ids"] == ["y1", "y2"]


def test_permission_errors_are_clear_and_exit_3(db_engine: Engine, database_url: str) -> None:
    case_id = build(db_engine)
    code, _, err = invoke(database_url, "agency", "place", case_id, "AG01", "--as", "C101")
    assert code == 3
    assert "permission denied: C101 (collector) may not place case" in err
    code, _, err = invoke(database_url, "case", "show", case_id, "--as", "A101")
    assert code == 1  # not placed with AG01: for A101 the case does not exist
    assert f"not found: no case '{case_id}'" in err
    code, _, err = invoke(database_url, "case", "list", "--as", "nobody")
    assert code == 3
    assert "unknown user 'nobody'" in err


def test_contact_the_gate_would_deny_exits_1_with_the_rule(
    db_engine: Engine, database_url: str
) -> None:
    case_id = build(db_engine)
    code, _, err = invoke(
        database_url,
        "contact",
        "add",
        case_id,
        "--as",
        "C101",
        "--channel",
        "call",
        "--party",
        "borrower",
        "--number",
        "13800000001",
        "--outcome",
        "no_answer",
        "--at",
        "2026-03-02T22:30",
    )
    assert code == 1
    assert "CN-TIME-1" in err


def test_a_call_ended_early_names_the_missing_core_tasks(
    db_engine: Engine, database_url: str, tmp_path: Path
) -> None:
    case_id = build(db_engine)
    answers = tmp_path / "hangup.yaml"
    answers.write_text(
        "confirm_identity: borrower\nstate_identity: ok\nask_payment_today: end_call\n"
        "update_file: 客户挂断\n",
        encoding="utf-8",
    )
    code, out, err = invoke(
        database_url,
        "call",
        case_id,
        "--as",
        "C101",
        "--answers",
        str(answers),
        "--at",
        "2026-03-02T10:15",
    )
    assert code == 0, err
    assert (
        "未完成的核心任务: ask_payment_today, learn_reason, explain_consequences, obtain_promise"
        in out
    )
    assert "跟进: call_again on 2026-03-03" in out


def test_visit_plan_finds_the_notice_letter_on_record(db_engine: Engine, database_url: str) -> None:
    """No visit notice on record: refused with CN-VISIT-1; once the night sent one, planned."""
    case_id = build(db_engine)
    visit = (
        *("visit", "plan", case_id, "--as", "C101", "--type", "confirm"),
        *("--address", "北京市东城区示例路1号", "--staff", "V301,V302"),
        *("--at", "2026-03-05T10:00"),
    )
    code, _, err = invoke(database_url, *visit)
    assert code == 1
    assert "CN-VISIT-1" in err and "notice" in err
    sent_action(db_engine, "N1", at(date(2026, 3, 2), 9), "上门通知函", "visit_notice", "letter")
    code, out, err = invoke(database_url, *visit)
    assert (code, err) == (0, "")
    assert "planned" in out and "2026-03-05" in out

"""Retention as a story, on SQLite and PostgreSQL: what a run on 1 Feb 2026 and then on
1 Jun 2026 deletes or anonymises, and what it keeps.

The book (all dates Shanghai):
- B1 paid and their case C1 closed on 2021-03-01; nothing owed. Two emergency contacts, a
  contact (R1, 2021-02-10) with a note and QA evidence, a planned SMS (A1, 2021-02-09) and
  its outbox copy, a visit (V1, 2021-02-20), a closed complaint, a proposal note, contact
  preferences, portal sessions, a sign-in code (2026-05-20) and its message (2026-05-28).
- B2's case closed written off on 2021-03-01 with a balance still owed; one contact (R2,
  2021-02-15).
- B3's case is open since 2020-12-20: an old contact (R3, 2021-01-05, QA evidence), its
  planned SMS (A3, 2021-01-04) delivered, a visit (V3, 2021-01-20); a recent contact (R3b,
  2026-01-10); a first call started on the web on 2025-12-15.
- B4's case closed on 2024-01-01.
- B5's case closed on 2021-01-01 but their complaint is still open.
- Workbench sessions expired 2025-12-01 and 2026-01-20; failed sign-ins on 2025-07-01 and
  2025-09-01; a sign-in code asked on 2025-06-01; sign-in messages.

Default periods: identity 5 years after the last case closed, contact records and
recordings 5 years (RET-1), outbox copies 90 days, sessions 30 days, sign-in records 6
months. Expected counts are worked out by hand from the book above.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from faircollect.adapters.data_keys import lookup_hash
from faircollect.adapters.db import tables as t
from faircollect.cli.app import app

SHANGHAI = timezone(timedelta(hours=8))
runner = CliRunner()


def at(day: str, hour: int = 10) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), SHANGHAI).replace(
        hour=hour
    )


def d(day: str) -> date:
    return date.fromisoformat(day)


BORROWERS = {
    "B1": ("张三", "13900000001", "110101199001011234"),
    "B2": ("李四", "13900000002", "110101199002021234"),
    "B3": ("王五", "13900000003", "110101199003031234"),
    "B4": ("赵六", "13900000004", "110101199004041234"),
    "B5": ("孙七", "13900000005", "110101199005051234"),
}
CASES = {  # case: borrower, status, opened_on, closed_on
    "C1": ("B1", "closed_paid", "2020-12-01", "2021-03-01"),
    "C2": ("B2", "closed_written_off", "2020-12-01", "2021-03-01"),
    "C3": ("B3", "open", "2020-12-20", None),
    "C4": ("B4", "closed_paid", "2023-10-01", "2024-01-01"),
    "C5": ("B5", "closed_paid", "2020-11-01", "2021-01-01"),
}


def _action(action_id: str, borrower: str, run_date: str) -> dict[str, Any]:
    return {
        "action_id": action_id,
        "run_date": d(run_date),
        "loan_id": f"L{borrower[1:]}",
        "borrower_id": borrower,
        "stage": "early",
        "segment": "early",
        "arm": "champion",
        "action_key": "sms_reminder",
        "kind": "message",
        "channel": "sms",
        "party": "borrower",
        "purpose": "collect",
        "target": BORROWERS[borrower][1],
        "template": "early_sms",
        "priority": 1,
        "scheduled_at": at(run_date),
        "tz": "Asia/Shanghai",
        "status": "sent",
        "allowed": True,
        "rules": "",
        "decision": "{}",
        "rendered": f"{BORROWERS[borrower][0]}您好，您的借款已逾期，请尽快还款。",
    }


def _message(message_id: str, run_date: str, status: str, recipient: str) -> dict[str, Any]:
    return {
        "message_id": message_id,
        "run_date": d(run_date),
        "channel": "sms",
        "recipient": recipient,
        "subject": "",
        "body": f"message {message_id}",
        "queued_at": at(run_date),
        "status": status,
    }


def _record(record_id: str, borrower: str, when: str, note: str) -> dict[str, Any]:
    return {
        "record_id": record_id,
        "borrower_id": borrower,
        "loan_id": f"L{borrower[1:]}",
        "case_id": f"C{borrower[1:]}",
        "at": at(when),
        "channel": "call",
        "party": "borrower",
        "phone": BORROWERS[borrower][1],
        "actor": "C101",
        "outcome": "answered",
        "note": note,
    }


def build_book(engine: Engine) -> None:
    rows: list[tuple[Any, list[dict[str, Any]]]] = [
        (
            t.borrowers,
            [
                {"borrower_id": b, "name": n, "phone": p, "id_number": i, "city": "上海"}
                | {"email": f"{b.lower()}@example.com"}
                for b, (n, p, i) in BORROWERS.items()
            ],
        ),
        (
            t.loans,
            [
                {
                    "loan_id": f"L{b[1:]}",
                    "borrower_id": b,
                    "product": "cash",
                    "contract_principal": 1_000_000,
                    "received_amount": 1_000_000,
                    "annual_rate": Decimal("0.18"),
                    "term_months": 12,
                    "method": "equal_installment",
                    "disbursed_on": d("2020-01-15"),
                    "penalty_rate_daily": Decimal("0.0005"),
                    "grace_days": 3,
                    "periodic_fee": 0,
                }
                for b in BORROWERS
            ],
        ),
        (
            t.payments,
            [{"payment_id": "P1", "loan_id": "L1", "paid_on": d("2021-02-28"), "amount": 5000}],
        ),
        (
            t.account_states,
            [
                {
                    "loan_id": f"L{b[1:]}",
                    "as_of": d("2026-01-31"),
                    "dpd": 0 if b != "B3" else 400,
                    "bucket": "M0",
                    "stage": "pre_due",
                    "overdue_principal": 0,
                    "overdue_interest": 0,
                    "overdue_fee": 0,
                    "penalty": 0,
                    # B2's debt was written off, not paid: it is still owed.
                    "outstanding_principal": 300_000 if b in ("B2", "B3") else 0,
                    "credit": 0,
                    "paid_total": 0,
                }
                for b in BORROWERS
            ],
        ),
        (
            t.cases,
            [
                {
                    "case_id": c,
                    "borrower_id": b,
                    "status": status,
                    "owner_kind": "collector",
                    "owner_id": "C101",
                    "opened_on": d(opened),
                }
                for c, (b, status, opened, _) in CASES.items()
            ],
        ),
        (t.case_loans, [{"case_id": c, "loan_id": f"L{c[1:]}"} for c in CASES]),
        (
            t.case_events,
            [
                {
                    "case_id": c,
                    "happened_on": d(closed),
                    "kind": "status",
                    "from_value": "open",
                    "to_value": status,
                    "actor": "S001",
                    "reason": "",
                }
                for c, (_, status, _, closed) in CASES.items()
                if closed is not None
            ],
        ),
        (
            t.contacts,
            [
                {"borrower_id": "B1", "name": "张母", "phone": "13700000001"}
                | {"relation": "母亲", "is_emergency": True},
                {"borrower_id": "B1", "name": "张兄", "phone": "13700000002"}
                | {"relation": "兄弟", "is_emergency": True},
                {"borrower_id": "B3", "name": "王妻", "phone": "13700000003"}
                | {"relation": "配偶", "is_emergency": True},
            ],
        ),
        (
            t.contact_records,
            [
                _record("R1", "B1", "2021-02-10", "客户说下周发工资后还款，电话13900000001"),
                _record("R2", "B2", "2021-02-15", "客户失业"),
                _record("R3", "B3", "2021-01-05", "客户说月底还"),
                _record("R3b", "B3", "2026-01-10", "客户承诺还款"),
            ],
        ),
        (
            t.qa_findings,
            [
                {"source": f"contact:{r}", "actor": "C101", "at": at(when), "rule": "CN-PROH-1"}
                | {"label": "threat", "evidence": "不还就上门"}
                for r, when in (("R1", "2021-02-10"), ("R3", "2021-01-05"))
            ],
        ),
        (t.planned_actions, [_action("A1", "B1", "2021-02-09"), _action("A3", "B3", "2021-01-04")]),
        (
            t.outbox,
            [
                _message("A1", "2021-02-09", "sent", "13900000001"),
                _message("A3", "2021-01-04", "delivered", "13900000003"),
                _message("Q9", "2021-01-04", "queued", "13900000003"),  # never answered: kept
                _message("SIGNIN-1", "2025-10-01", "sent", "13900000004"),
                _message("M-B2", "2026-02-01", "delivered", "13900000002"),
                _message("M-B4", "2026-05-25", "sent", "13900000004"),
                _message("SIGNIN-B1", "2026-05-28", "sent", "13900000001"),  # B1's code
            ],
        ),
        (
            t.visits,
            [
                {
                    "visit_id": v,
                    "case_id": c,
                    "visit_type": "home",
                    "planned_on": d(on),
                    "address": "上海市浦东新区某路1号",
                    "staff": "V01,V02",
                    "notice_letter_sent_on": d(on) - timedelta(days=5),
                    "planned_by": "S001",
                    "recording_ref": f"rec/{v}.mp3",
                    "note": "见到本人",
                }
                for v, c, on in (("V1", "C1", "2021-02-20"), ("V3", "C3", "2021-01-20"))
            ],
        ),
        (
            t.complaints,
            [
                {
                    "complaint_id": "K1",
                    "borrower_id": "B1",
                    "text": "催收员态度不好",
                    "evidence_text": "",
                    "opened_at": at("2021-01-10"),
                    "answer_by": d("2021-01-25"),
                    "status": "closed",
                    "closed_at": at("2021-01-20"),
                    "closed_by": "K001",
                    "answer": "已处理",
                },
                {
                    "complaint_id": "K5",
                    "borrower_id": "B5",
                    "text": "重复催收",
                    "evidence_text": "",
                    "opened_at": at("2020-12-10"),
                    "answer_by": d("2020-12-25"),
                    "status": "open",
                },
            ],
        ),
        (
            t.proposals,
            [
                {
                    "proposal_id": "PR1",
                    "case_id": "C1",
                    "loan_id": "L1",
                    "kind": "waiver",
                    "submitted_by": "C101",
                    "submitted_on": d("2021-02-12"),
                    "note": "客户家中有病人",
                    "status": "approved",
                    "decision_reason": "",
                }
            ],
        ),
        (
            t.borrower_preferences,
            [
                {
                    "borrower_id": "B1",
                    "contact_slots": '[["18:00", "20:00"]]',
                    "channels_off": "[]",
                    "updated_at": at("2021-01-01"),
                }
            ],
        ),
        (
            t.sessions,
            [
                {"token_hash": h, "user_id": "C101", "csrf_token": "x"}
                | {"created_at": at(exp) - timedelta(hours=8), "expires_at": at(exp)}
                for h, exp in (("S-OLD", "2025-12-01"), ("S-NEW", "2026-01-20"))
            ],
        ),
        (
            t.borrower_sessions,
            [
                {"token_hash": h, "borrower_id": "B1", "csrf_token": "x"}
                | {"created_at": at(exp) - timedelta(hours=1), "expires_at": at(exp)}
                for h, exp in (("BS-OLD", "2025-11-01"), ("BS-NEW", "2026-05-20"))
            ],
        ),
        (
            t.call_sessions,
            [
                {"call_id": "CALL1", "case_id": "C3", "loan_id": "L3", "user_id": "C101"}
                | {"started_at": at("2025-12-15"), "answers": '["yes"]'}
            ],
        ),
        (
            t.login_failures,
            [{"user_id": "C101", "at": at(day)} for day in ("2025-07-01", "2025-09-01")],
        ),
        (
            t.borrower_codes,
            [
                {"phone_hash": lookup_hash(p), "code_hash": "h", "created_at": at(day)}
                | {"expires_at": at(day) + timedelta(minutes=5)}
                for p, day in (("13900000004", "2025-06-01"), ("13900000001", "2026-05-20"))
            ],
        ),
    ]
    with engine.begin() as conn:
        for table, values in rows:
            for value in values:  # one by one: rows leave different optional columns out
                conn.execute(table.insert(), value)


@pytest.fixture
def book(db_engine: Engine) -> str:
    build_book(db_engine)
    return db_engine.url.render_as_string(hide_password=False)


def run(url: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["retention", "run", *args, "--database-url", url])
    return result.exit_code, result.output


def pairs(conn: Any, query: Any) -> dict[Any, Any]:
    return {k: v for k, v in conn.execute(query)}


def everything(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted: to show a dry run changed nothing."""
    with engine.connect() as conn:
        return {
            name: sorted((tuple(map(str, r)) for r in conn.execute(select(table))), key=str)
            for name, table in t.metadata.tables.items()
        }


def audit_actions(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        query = select(t.audit_log.c.action, t.audit_log.c.subject).order_by(t.audit_log.c.id)
        return [tuple(r) for r in conn.execute(query)]  # type: ignore[misc]


def test_a_dry_run_lists_per_category_and_changes_nothing(book: str, db_engine: Engine) -> None:
    before = everything(db_engine)
    code, out = run(book, "--date", "2026-02-01", "--dry-run")
    assert code == 0, out
    assert out.splitlines() == [
        "retention as of 2026-02-01, policy cn-2026.1 (dry run, nothing changed)",
        "closed_cases     anonymise keep 5y   before 2021-02-01: nothing to do",
        "contact_records  anonymise keep 5y   before 2021-02-01: would anonymise 3 rows"
        " (contact_records 1, qa_findings 1, planned_actions 1)",
        "recordings       anonymise keep 5y   before 2021-02-01: would anonymise 1 rows (visits 1)",
        "outbox_bodies    anonymise keep 90d  before 2025-11-03: would anonymise 3 rows (outbox 3)",
        "sessions         delete    keep 30d  before 2026-01-02: would delete 3 rows"
        " (sessions 1, borrower_sessions 1, call_sessions 1)",
        "sign_in_records  delete    keep 6m   before 2025-08-01: would delete 2 rows"
        " (login_failures 1, borrower_codes 1)",
        "kept regardless: ledger (loans, payments, approved adjustments, account states and"
        " their history); audit trail (audit_log (who did what, when, before and after;"
        " personal numbers masked)); gate decisions and case history (planned actions"
        " (status, gate decision, rules), case events, promises, proposals, placements)",
    ]
    assert everything(db_engine) == before


def test_the_story_of_two_runs(book: str, db_engine: Engine) -> None:
    # 1 Feb 2026: B1's case closed on 2021-03-01, less than five years ago: B1 stays whole.
    code, out = run(book, "--date", "2026-02-01")
    assert code == 0, out
    assert "nothing changed" not in out
    with db_engine.connect() as conn:
        notes = pairs(conn, (select(t.contact_records.c.record_id, t.contact_records.c.note)))
        assert notes == {
            "R1": "客户说下周发工资后还款，电话13900000001",
            "R2": "客户失业",
            "R3": "",  # 2021-01-05: past five years, though B3's case is still open
            "R3b": "客户承诺还款",
        }
        phones = pairs(conn, (select(t.contact_records.c.record_id, t.contact_records.c.phone)))
        assert phones["R3"] is None and phones["R1"] == "13900000001"
        bodies = pairs(conn, (select(t.outbox.c.message_id, t.outbox.c.body)))
        assert bodies == {
            "A1": "",
            "A3": "",
            "Q9": "message Q9",  # still queued: the sender needs it
            "SIGNIN-1": "",
            "M-B2": "message M-B2",
            "M-B4": "message M-B4",
            "SIGNIN-B1": "message SIGNIN-B1",
        }
        assert set(conn.execute(select(t.sessions.c.token_hash)).scalars()) == {"S-NEW"}
        assert conn.execute(select(func.count()).select_from(t.call_sessions)).scalar() == 0
        visit = conn.execute(
            select(t.visits.c.recording_ref, t.visits.c.address, t.visits.c.note).where(
                t.visits.c.visit_id == "V3"
            )
        ).one()
        assert tuple(visit) == (None, "", "")
        assert (
            conn.execute(
                select(t.borrowers.c.name).where(t.borrowers.c.borrower_id == "B1")
            ).scalar()
            == "张三"
        )
    assert audit_actions(db_engine) == [
        ("retention.applied", f"retention:{c}")
        for c in ("contact_records", "recordings", "outbox_bodies", "sessions", "sign_in_records")
    ]

    # 1 Jun 2026: B1's five years are up. B2 still owes, B3's case is open, B4 closed in
    # 2024, B5's complaint is open: they stay.
    code, out = run(book, "--date", "2026-06-01")
    assert code == 0, out
    assert out.splitlines()[1] == (
        "closed_cases     anonymise keep 5y   before 2021-06-01: did anonymise 1 borrowers,"
        " 13 rows (borrowers 1, contacts 2, borrower_preferences 1, borrower_sessions 1,"
        " borrower_codes 1, contact_records 1, qa_findings 1, planned_actions 1, outbox 1,"
        " visits 1, complaints 1, proposals 1)"
    )
    assert out.splitlines()[2].endswith("did anonymise 1 rows (contact_records 1)")  # R2
    with db_engine.connect() as conn:
        people = {
            r.borrower_id: (r.name, r.phone, r.id_number, r.email, r.city, r.anonymised_on)
            for r in conn.execute(select(t.borrowers))
        }
        assert people["B1"] == ("已匿名", "", "", None, "上海", d("2026-06-01"))
        for b in ("B2", "B3", "B4", "B5"):
            assert people[b][:3] == BORROWERS[b] and people[b][5] is None
        assert set(conn.execute(select(t.contacts.c.borrower_id)).scalars()) == {"B3"}
        assert conn.execute(select(func.count()).select_from(t.borrower_preferences)).scalar() == 0
        assert set(conn.execute(select(t.borrower_codes.c.phone_hash)).scalars()) == set()
        complaint = conn.execute(
            select(t.complaints.c.text, t.complaints.c.answer, t.complaints.c.status).where(
                t.complaints.c.complaint_id == "K1"
            )
        ).one()
        assert tuple(complaint) == ("", None, "closed")  # the fact stays, the words go
        assert (
            conn.execute(
                select(t.planned_actions.c.rendered).where(t.planned_actions.c.action_id == "A1")
            ).scalar()
            is None
        )
        # The ledger is kept: B1's loan and payment are there, under B1's id.
        assert (
            conn.execute(select(t.loans.c.borrower_id).where(t.loans.c.loan_id == "L1")).scalar()
            == "B1"
        )
        assert list(conn.execute(select(t.payments.c.payment_id, t.payments.c.amount))) == [
            ("P1", 5000)
        ]
        assert conn.execute(select(func.count()).select_from(t.case_events)).scalar() == 4
    assert audit_actions(db_engine)[5:] == [
        ("personal_data.anonymised", "B1"),
        ("retention.applied", "retention:closed_cases"),
        ("retention.applied", "retention:contact_records"),
        ("retention.applied", "retention:outbox_bodies"),  # M-B2, queued 2026-02-01
        ("retention.applied", "retention:sessions"),  # S-NEW
        ("retention.applied", "retention:sign_in_records"),  # the 2025-09-01 failure
    ]

    # The same run again finds nothing, changes nothing and appends nothing.
    before = everything(db_engine)
    code, out = run(book, "--date", "2026-06-01")
    assert code == 0, out
    assert all(line.endswith("nothing to do") for line in out.splitlines()[1:7]), out
    assert everything(db_engine) == before

    # Every change is in the audit trail, and the trail is intact.
    verified = runner.invoke(app, ["audit", "verify", "--database-url", book])
    assert verified.exit_code == 0, verified.output
    assert verified.output.startswith("audit trail intact: 11 entries checked")


def test_an_entry_holds_counts_and_digests_never_the_personal_data(
    book: str, db_engine: Engine
) -> None:
    import hashlib
    import json

    code, out = run(book, "--date", "2026-06-01")
    assert code == 0, out
    with db_engine.connect() as conn:
        entries = {
            (r.action, r.subject): json.loads(r.after)
            for r in conn.execute(
                select(t.audit_log.c.action, t.audit_log.c.subject, t.audit_log.c.after)
            )
        }
    person = entries[("personal_data.anonymised", "B1")]
    assert person == {
        "anonymised_on": "2026-06-01",
        "category": "closed_cases",
        "keep": "5y",
        "last_case_closed_on": "2021-03-01",
        "policy": "cn-2026.1",
    }
    sessions = entries[("retention.applied", "retention:sessions")]
    # B1's portal sessions went with B1's identity (closed_cases runs first).
    assert sessions["rows"] == {"sessions": 2, "call_sessions": 1}
    assert sessions["cutoff"] == "2026-05-02" and sessions["treatment"] == "delete"
    expected = hashlib.sha256(b"S-NEW\nS-OLD").hexdigest()
    assert sessions["keys_sha256"]["sessions"].replace("-", "") == expected
    text = json.dumps(list(entries.values()), ensure_ascii=False)
    for name, phone, id_number in BORROWERS.values():
        assert name not in text and phone not in text and id_number not in text


def test_a_period_below_its_floor_is_refused_naming_it(book: str, tmp_path: Path) -> None:
    override = tmp_path / "retention.yaml"
    override.write_text(
        "name: acme\ncategories:\n  contact_records:\n    keep: 3y\n"
        "  sign_in_records:\n    keep: 90d\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app,
        [
            "retention",
            "run",
            "--date",
            "2026-06-01",
            "--retention",
            str(override),
            "--database-url",
            book,
        ],
    )
    assert result.exit_code == 2, result.output
    assert "contact_records.keep: 3y is shorter than 5y (RET-1 in the rule pack)" in result.output
    assert "sign_in_records.keep: 90d is shorter than 6m (its minimum)" in result.output


def test_a_lender_may_keep_longer(book: str, db_engine: Engine, tmp_path: Path) -> None:
    override = tmp_path / "retention.yaml"
    override.write_text("name: acme\ncategories:\n  closed_cases:\n    keep: 7y\n", "utf-8")
    code, out = run(book, "--date", "2026-06-01", "--retention", str(override))
    assert code == 0, out
    assert out.splitlines()[0] == "retention as of 2026-06-01, policy cn-2026.1+acme (applied)"
    assert out.splitlines()[1].endswith("before 2019-06-01: nothing to do")


def test_a_dry_run_as_json(book: str) -> None:
    import json

    code, out = run(book, "--date", "2026-02-01", "--dry-run", "--json")
    assert code == 0, out
    found = json.loads(out)
    assert found["dry_run"] is True and found["policy"] == "cn-2026.1"
    assert {c["category"]: c["rows"] for c in found["categories"]} == {
        "closed_cases": {},
        "contact_records": {"contact_records": 1, "qa_findings": 1, "planned_actions": 1},
        "recordings": {"visits": 1},
        "outbox_bodies": {"outbox": 3},
        "sessions": {"sessions": 1, "borrower_sessions": 1, "call_sessions": 1},
        "sign_in_records": {"login_failures": 1, "borrower_codes": 1},
    }

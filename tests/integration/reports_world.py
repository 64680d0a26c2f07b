"""A tiny book for the managers' reports, written row by row, so every expected figure in
``test_manager_reports.py`` can be counted by hand from this file.

Two stored nights, D1 = 2026-10-31 and D2 = 2026-11-30 (``account_state_history``):

| loan | disbursed | D1: bucket dpd overdue-principal overdue-total outstanding | D2 |
|---|---|---|---|
| L1 | 06-01 | M0 0 0 0 1000.00 (current) | M0 current |
| L2 | 06-01 | M0 0 0 0 2000.00 (pre_due) | M1 dpd 5 |
| L3 | 06-01 | M1 10 100.00 120.00 900.00 | M2 dpd 40 |
| L4 | 06-01 | M1 25 200.00 230.00 800.00 | M0 (cured) |
| L5 | 06-01 | M1 5 50.00 55.00 500.00 | paid off |
| L6 | 06-01 | M2 40 300.00 360.00 700.00 | M3 dpd 70 |
| L7 | 06-01 | M3 75 400.00 500.00 600.00 | M4 dpd 105 |
| L8 | 06-01 | paid off at D1 (not counted) | paid off |
| L9 | 06-01 | M6+ 200 1000.00 1500.00 1000.00 | M6+ dpd 230 |
| L10 | 11-15 | M0 3000.00 (not yet disbursed at D1: not counted) | M0 |

People: c1, c2 (collectors, team t1), c3 (collector, team t2), sup (supervisor, t1),
comp (compliance), col-x (collector of team t1 with no work). Promises, contact records,
cases, payments and QA findings of November 2026 are listed in ``build`` below.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, insert

from faircollect.adapters.db import tables as t

D1 = date(2026, 10, 31)
D2 = date(2026, 11, 30)
SH = ZoneInfo("Asia/Shanghai")


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def _state(
    night: date,
    loan: str,
    bucket: str,
    dpd: int,
    stage: str,
    op: int,
    ot: int,
    out: int,
) -> dict[str, Any]:
    return {
        "night": night,
        "loan_id": loan,
        "dpd": dpd,
        "bucket": bucket,
        "stage": stage,
        "overdue_principal": op,
        "overdue_total": ot,
        "outstanding_principal": out,
        "paid_total": 0,
    }


STATES = [
    _state(D1, "L1", "M0", 0, "current", 0, 0, 100_000),
    _state(D1, "L2", "M0", 0, "pre_due", 0, 0, 200_000),
    _state(D1, "L3", "M1", 10, "early", 10_000, 12_000, 90_000),
    _state(D1, "L4", "M1", 25, "early", 20_000, 23_000, 80_000),
    _state(D1, "L5", "M1", 5, "early", 5_000, 5_500, 50_000),
    _state(D1, "L6", "M2", 40, "intensive", 30_000, 36_000, 70_000),
    _state(D1, "L7", "M3", 75, "intensive", 40_000, 50_000, 60_000),
    _state(D1, "L8", "M0", 0, "current", 0, 0, 0),
    _state(D1, "L9", "M6+", 200, "legal", 100_000, 150_000, 100_000),
    _state(D1, "L10", "M0", 0, "current", 0, 0, 300_000),
    _state(D2, "L1", "M0", 0, "current", 0, 0, 95_000),
    _state(D2, "L2", "M1", 5, "early", 10_000, 10_100, 190_000),
    _state(D2, "L3", "M2", 40, "intensive", 30_000, 40_000, 90_000),
    _state(D2, "L4", "M0", 0, "current", 0, 0, 70_000),
    _state(D2, "L5", "M0", 0, "current", 0, 0, 0),
    _state(D2, "L6", "M3", 70, "intensive", 50_000, 60_000, 70_000),
    _state(D2, "L7", "M4", 105, "legal", 60_000, 80_000, 60_000),
    _state(D2, "L8", "M0", 0, "current", 0, 0, 0),
    _state(D2, "L9", "M6+", 230, "legal", 100_000, 160_000, 100_000),
    _state(D2, "L10", "M0", 0, "current", 0, 0, 300_000),
]


def _loan(loan: str, disbursed: date) -> dict[str, Any]:
    return {
        "loan_id": loan,
        "borrower_id": f"B{loan}",
        "product": "消费贷",
        "contract_principal": 300_000,
        "received_amount": 300_000,
        "annual_rate": Decimal("0.18"),
        "term_months": 12,
        "method": "equal_installment",
        "disbursed_on": disbursed,
        "penalty_rate_daily": Decimal("0.0005"),
        "grace_days": 0,
        "periodic_fee": 0,
    }


def _record(
    n: int, who: str, loan: str, at: str, channel: str, party: str, outcome: str
) -> dict[str, Any]:
    return {
        "record_id": f"R{n}",
        "borrower_id": f"B{loan}",
        "loan_id": loan,
        "at": _at(at),
        "channel": channel,
        "party": party,
        "actor": who,
        "outcome": outcome,
        "note": "",
    }


def _promise(n: int, who: str, made: date, amount: int, status: str, paid: int) -> dict[str, Any]:
    return {
        "promise_id": f"P{n}",
        "loan_id": "L3",
        "amount": amount,
        "made_on": made,
        "due_on": date(2026, 12, 31),
        "status": status,
        "paid": paid,
        "made_by": who,
    }


def build(engine: Engine) -> None:
    loans = [_loan(f"L{n}", date(2026, 6, 1)) for n in range(1, 10)]
    loans.append(_loan("L10", date(2026, 11, 15)))
    with engine.begin() as conn:
        conn.execute(
            insert(t.borrowers),
            [
                {
                    "borrower_id": lo["borrower_id"],
                    "name": "张三",
                    "phone": "13800000000",
                    "id_number": "110101199001011234",
                    "city": "北京",
                }
                for lo in loans
            ],
        )
        conn.execute(insert(t.loans), loans)
        conn.execute(insert(t.account_state_history), STATES)
        conn.execute(
            insert(t.teams),
            [{"team_id": "t1", "name": "前期组"}, {"team_id": "t2", "name": "外访组"}],
        )
        conn.execute(
            insert(t.users),
            [
                {"user_id": "c1", "name": "李一", "role": "collector", "team_id": "t1"},
                {"user_id": "c2", "name": "王二", "role": "collector", "team_id": "t1"},
                {"user_id": "c3", "name": "赵三", "role": "collector", "team_id": "t2"},
                {"user_id": "col-x", "name": "钱四", "role": "collector", "team_id": "t1"},
                {"user_id": "sup", "name": "孙主管", "role": "supervisor", "team_id": "t1"},
                {"user_id": "comp", "name": "周合规", "role": "compliance", "team_id": None},
            ],
        )
        conn.execute(
            insert(t.promises),
            [
                _promise(1, "c1", date(2026, 11, 2), 10_000, "kept", 10_000),
                _promise(2, "c1", date(2026, 11, 5), 20_000, "partly_kept", 5_000),
                _promise(3, "c1", date(2026, 11, 10), 30_000, "broken", 0),
                _promise(4, "c2", date(2026, 11, 20), 15_000, "kept", 15_000),
                _promise(5, "c3", date(2026, 11, 28), 5_000, "open", 0),
                _promise(6, "c3", date(2026, 10, 30), 99_900, "kept", 99_900),  # October
            ],
        )
        conn.execute(
            insert(t.contact_records),
            [
                _record(1, "c1", "L3", "2026-11-01T00:30", "call", "borrower", "no_answer"),
                _record(2, "c1", "L3", "2026-11-03T10:00", "call", "borrower", "borrower_reached"),
                _record(
                    3,
                    "c1",
                    "L3",
                    "2026-11-04T10:00",
                    "call",
                    "emergency_contact",
                    "third_party_reached",
                ),
                _record(4, "c2", "L7", "2026-11-30T23:59", "call", "borrower", "promise"),
                _record(5, "c2", "L7", "2026-11-15T10:00", "call", "borrower", "wrong_number"),
                _record(
                    6, "c2", "L7", "2026-11-16T10:00", "call", "borrower", "third_party_answered"
                ),
                _record(7, "c1", "L3", "2026-10-31T23:30", "call", "borrower", "no_answer"),
                _record(8, "c3", "L9", "2026-12-01T00:10", "visit", "borrower", "refusal"),
                _record(9, "c3", "L9", "2026-11-20T10:00", "visit", "borrower", "refusal"),
            ],
        )
        conn.execute(
            insert(t.cases),
            [
                _case("C1", "BL3", "collector", "c1", date(2026, 10, 20)),
                _case("C2", "BL6", "collector", "c1", date(2026, 11, 10)),
                _case("C3", "BL7", "collector", "c2", date(2026, 10, 1)),
                _case("C4", "BL9", "agency", "A1", date(2026, 10, 1)),
            ],
        )
        conn.execute(
            insert(t.case_loans),
            [
                {"case_id": "C1", "loan_id": "L3"},
                {"case_id": "C1", "loan_id": "L4"},
                {"case_id": "C2", "loan_id": "L6"},
                {"case_id": "C3", "loan_id": "L7"},
                {"case_id": "C4", "loan_id": "L9"},
            ],
        )
        conn.execute(
            insert(t.payments),
            [
                _pay("Y1", "L4", date(2026, 11, 5), 20_000),
                _pay("Y2", "L3", date(2026, 10, 25), 5_000),  # before the period
                _pay("Y3", "L6", date(2026, 11, 8), 7_000),  # before case C2 opened
                _pay("Y4", "L6", date(2026, 11, 12), 3_000),
                _pay("Y5", "L7", date(2026, 12, 1), 9_000),  # after the period
                _pay("Y6", "L7", date(2026, 11, 30), 1_000),
                _pay("Y7", "L9", date(2026, 11, 11), 50_000),  # an agency's case
            ],
        )
        conn.execute(
            insert(t.planned_actions),
            [
                _action(1, date(2026, 11, 2), True, ""),
                _action(2, date(2026, 11, 2), True, ""),
                _action(3, date(2026, 11, 2), False, "CN-TIME-1"),
                _action(4, date(2026, 11, 3), False, "CN-TIME-1;CN-FREQ-1"),
                _action(5, date(2026, 11, 3), True, ""),
                _action(6, date(2026, 10, 30), False, "CN-3P-1"),  # October
            ],
        )
        # Complaints (COMP-1, 15 days), in event order: C1's October complaint and answer,
        # then C1 (answered in 8 days), C2 (in 22), C3 (open 25 days at 11-30), C4 (open
        # 10 days at 11-30; answered only in December).
        for case, on, before, after in [
            ("C1", date(2026, 10, 28), "open", "complaint"),
            ("C1", date(2026, 10, 29), "complaint", "contacted"),
            ("C1", date(2026, 11, 2), "contacted", "complaint"),
            ("C2", date(2026, 11, 3), "open", "complaint"),
            ("C3", date(2026, 11, 5), "open", "complaint"),
            ("C1", date(2026, 11, 10), "complaint", "contacted"),
            ("C4", date(2026, 11, 20), "open", "complaint"),
            ("C2", date(2026, 11, 25), "complaint", "contacted"),
            ("C4", date(2026, 12, 2), "complaint", "contacted"),
        ]:
            conn.execute(insert(t.case_events), [_event(case, on, before, after)])
        conn.execute(
            insert(t.qa_findings),
            [
                _finding("c1", "2026-11-03T11:00"),
                _finding("c1", "2026-11-03T12:00"),
                _finding("c2", "2026-10-31T10:00"),  # before the period
            ],
        )


def _action(n: int, night: date, allowed: bool, rules: str) -> dict[str, Any]:
    return {
        "action_id": f"A{n}",
        "run_date": night,
        "loan_id": "L3",
        "borrower_id": "BL3",
        "stage": "early",
        "segment": "early",
        "arm": "champion",
        "action_key": "call_early",
        "kind": "contact",
        "channel": "call",
        "party": "borrower",
        "purpose": "collect",
        "target": "13800000000",
        "template": "",
        "priority": 80,
        "scheduled_at": datetime.combine(night, datetime.min.time(), SH).replace(hour=10),
        "tz": "Asia/Shanghai",
        "status": "planned" if allowed else "denied",
        "allowed": allowed,
        "rules": rules,
        "decision": "{}",
    }


def _event(case: str, on: date, before: str, after: str) -> dict[str, Any]:
    return {
        "case_id": case,
        "happened_on": on,
        "kind": "status",
        "from_value": before,
        "to_value": after,
        "actor": "comp",
        "reason": "",
    }


def _case(case: str, borrower: str, kind: str, owner: str, opened: date) -> dict[str, Any]:
    return {
        "case_id": case,
        "borrower_id": borrower,
        "status": "open",
        "owner_kind": kind,
        "owner_id": owner,
        "opened_on": opened,
    }


def _pay(pid: str, loan: str, on: date, amount: int) -> dict[str, Any]:
    return {"payment_id": pid, "loan_id": loan, "paid_on": on, "amount": amount}


def _finding(who: str, at: str) -> dict[str, Any]:
    return {
        "source": f"note:{who}",
        "actor": who,
        "at": _at(at),
        "rule": "CN-PROH-1",
        "label": "threat",
        "evidence": "…",
    }

"""The night's fast row insert stores exactly what a SQLAlchemy insert stores."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select, text

from faircollect.adapters.data_keys import keyring
from faircollect.adapters.db import tables as t
from faircollect.adapters.db.night_store import insert_actions
from tests.scenarios.portfolio import seed

DAY = date(2026, 2, 14)


def _row(action_id: str) -> dict[str, object]:
    return {
        "action_id": action_id,
        "run_date": DAY,
        "loan_id": "L1",
        "borrower_id": "B-L1",
        "stage": "early",
        "segment": "early_default",
        "arm": "champion",
        "action_key": "sms_day1",
        "kind": "contact",
        "channel": "sms",
        "party": "borrower",
        "purpose": "notify",
        "target": "13800000001",
        "template": "sms_overdue_day1",
        "priority": 60,
        "scheduled_at": datetime(2026, 2, 14, 22, 30, 15, 123, tzinfo=ZoneInfo("Asia/Shanghai")),
        "tz": "Asia/Shanghai",
        "status": "rescheduled",
        "allowed": True,
        "rules": "CN-HOURS-1",
        "decision": '{"allowed": false}',
        "rendered": "【示例】张三您好",
        "assignee": None,
        "assignee_kind": None,
        "_placement": ("never", "stored"),
    }


def test_fast_insert_stores_the_same_values_as_sqlalchemy(db_engine: Engine) -> None:
    seed(db_engine, ["L1"])
    with db_engine.begin() as conn:
        fast = _row("A-fast")
        insert_actions(conn, [fast])
        plain = {k: v for k, v in _row("A-plain").items() if not k.startswith("_")}
        conn.execute(t.planned_actions.insert(), plain)
    with db_engine.connect() as conn:
        # raw storage (text on SQLite): what the database holds, not what SQLAlchemy reads back
        raw = conn.execute(text("SELECT * FROM planned_actions ORDER BY action_id")).all()
        typed = conn.execute(select(t.planned_actions).order_by(t.planned_actions.c.action_id))
        assert [r._mapping["scheduled_at"] for r in typed] == [plain["scheduled_at"]] * 2
    fast_raw, plain_raw = (dict(r._mapping) for r in raw)
    assert fast_raw.pop("action_id") == "A-fast" and plain_raw.pop("action_id") == "A-plain"
    # The target is sealed by both, each with a fresh nonce: the same number once opened.
    targets = [keyring().open(row.pop("target")) for row in (fast_raw, plain_raw)]
    assert targets == ["13800000001", "13800000001"]
    assert fast_raw == plain_raw

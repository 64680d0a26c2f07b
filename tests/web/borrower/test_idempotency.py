"""The borrower portal's creating POSTs (a payment, a complaint, a plan request) take an
``Idempotency-Key`` too: a retried request creates nothing new; keys are each borrower's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from faircollect.adapters.db import tables
from tests.web.borrower.support import LI, ZHANG, sign_in

Portal = Callable[[], TestClient]
KEY = "Idempotency-Key"

CREATING = [
    ("payment", "/api/v1/borrower/payments", {"loan_id": "L1", "amount": "100.00"}),
    ("complaint", "/api/v1/borrower/complaints", {"text": "催收员晚上十一点打电话"}),
    ("plan", "/api/v1/borrower/plan-requests", {"loan_id": "L1", "months": 6, "reason": "失业"}),
]
TABLES = {
    "payment": tables.payment_intents,
    "complaint": tables.complaints,
    "plan": tables.proposals,
}


def count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


@pytest.mark.parametrize(("name", "path", "body"), CREATING, ids=[c[0] for c in CREATING])
def test_a_retried_portal_post_creates_once(
    name: str, path: str, body: dict[str, Any], portal: Portal, db_engine: Engine
) -> None:
    zhang = sign_in(portal(), db_engine, ZHANG)
    table = TABLES[name]
    rows = count(db_engine, table)
    first = zhang.post(path, json=body, headers={KEY: f"zhang-{name}"})
    assert first.status_code == 201, first.text

    again = zhang.post(path, json=body, headers={KEY: f"zhang-{name}"})

    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert count(db_engine, table) == rows + 1
    changed = zhang.post(path, json={**body, "extra": 1}, headers={KEY: f"zhang-{name}"})
    assert changed.status_code == 422
    assert changed.json()["error"]["field"] == "Idempotency-Key"
    assert count(db_engine, table) == rows + 1


def test_a_borrowers_key_is_their_own(portal: Portal, db_engine: Engine) -> None:
    """李四 sending the key 张三 used gets a complaint of his own, not 张三's answer."""
    zhang = sign_in(portal(), db_engine, ZHANG)
    li = sign_in(portal(), db_engine, LI)
    body = {"text": "骚扰电话"}
    mine = zhang.post("/api/v1/borrower/complaints", json=body, headers={KEY: "same"})
    theirs = li.post("/api/v1/borrower/complaints", json=body, headers={KEY: "same"})
    assert mine.status_code == theirs.status_code == 201, theirs.text
    assert mine.json()["complaint_id"] != theirs.json()["complaint_id"]
    assert count(db_engine, tables.complaints) == 2

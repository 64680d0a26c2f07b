"""The portal's forms that create something (a complaint, a plan request, a payment start)
carry a key made when the page was rendered: the same rendering sent twice (a double
click, a resend) creates one row and the second answer leads where the first did; a new
rendering has a new key. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.sql.schema import Table

from faircollect.adapters.db.tables import complaints, payment_intents, proposals
from tests.web.borrower.test_pages import signed_in_page
from tests.web.pages_support import count
from tests.web.test_form_idempotency import form_of

Portal = Callable[[], TestClient]

FORMS = [
    ("complaint", "/my/complaints", "/my/complaints", {"text": "晚上十一点打电话"}, complaints),
    ("plan", "/my/loans/L1", "/my/loans/L1/plan", {"months": "6", "reason": "失业"}, proposals),
    ("pay", "/my/loans/L1", "/my/loans/L1/pay", {"amount": "100.00"}, payment_intents),
]
"""(name, the page, the form's action, what the borrower fills in, where a row lands)."""


@pytest.mark.parametrize(
    ("name", "page", "action", "data", "table"), FORMS, ids=[f[0] for f in FORMS]
)
def test_a_portal_form_sent_twice_creates_one_row(
    name: str,
    page: str,
    action: str,
    data: dict[str, Any],
    table: Table,
    portal: Portal,
    db_engine: Engine,
) -> None:
    client = portal()
    signed_in_page(client, db_engine)
    form = form_of(client, page, action)
    assert form.key != form_of(client, page, action).key
    before = count(db_engine, table)
    first = client.post(action, data={**form.fields, **data}, follow_redirects=False)
    assert first.status_code == 303, first.text
    second = client.post(action, data={**form.fields, **data}, follow_redirects=False)
    assert second.status_code == 303 and second.headers["Idempotent-Replayed"] == "true"
    assert second.headers["location"] == first.headers["location"]
    assert count(db_engine, table) == before + 1
    assert client.get(second.headers["location"]).status_code == 200

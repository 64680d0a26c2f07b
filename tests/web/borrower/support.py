"""The borrower portal's test helpers: a client of the app, signing in with the code
the outbox holds, a loan with 砍头息 and a 36 % rate for 张三."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from faircollect.adapters.db.repository import loan_row
from faircollect.adapters.db.tables import loans
from faircollect.domain.ledger.terms import LoanTerms, Method
from faircollect.services.outbox import list_messages

ZHANG = "13800000001"
"""张三 (B1): L1, 15 days past due on 2 Mar 2026, in case C-B1-20260302."""
LI = "13800000002"
"""李四 (B2): L2, current."""
KANTOU = "L9"
SECRET = b"test payment secret"


def kantou_terms(borrower_id: str) -> LoanTerms:
    """Loan L9: 10,000.00 on contract, 8,000.00 received (2,000.00 砍头息), 36 % a year over
    12 months from 15 Jan 2026, nothing paid yet (the first due 15 Feb)."""
    return LoanTerms(
        KANTOU,
        1_000_000,
        800_000,
        Decimal("0.36"),
        12,
        Method.EQUAL_INSTALLMENT,
        date(2026, 1, 15),
        Decimal("0.0005"),
        0,
        0,
        borrower_id=borrower_id,
        product="cash",
    )


def add_kantou_loan(engine: Engine) -> None:
    """张三's second loan (``kantou_terms``)."""
    with engine.begin() as conn:
        conn.execute(loans.insert().values(**loan_row(kantou_terms("B1"))))


def last_code(engine: Engine, phone: str) -> str | None:
    """The code in the latest SMS the outbox holds for ``phone``."""
    messages = [
        m for m in list_messages(engine, recipient=phone) if m["message_id"].startswith("otp-")
    ]
    if not messages:
        return None
    latest = max(messages, key=lambda m: m["queued_at"])
    found = re.search(r"验证码：(\d{6})", latest["body"])
    assert found, latest["body"]
    return found.group(1)


def sign_in(client: TestClient, engine: Engine, phone: str) -> TestClient:
    """Ask for a code, read it from the outbox, sign in; the CSRF header is set."""
    asked = client.post("/api/v1/borrower/otp", json={"phone": phone})
    assert asked.status_code == 202, asked.text
    code = last_code(engine, phone)
    assert code is not None
    answer = client.post("/api/v1/borrower/session", json={"phone": phone, "code": code})
    assert answer.status_code == 200, answer.text
    client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    return client

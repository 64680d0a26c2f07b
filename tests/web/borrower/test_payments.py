"""Paying from the portal: a payment intent on one's own loan, confirmed only by the
gateway's webhook signed with HMAC-SHA256 under the configured secret; the confirmed
payment enters the ledger as its own import batch, once per gateway payment id; a replayed
webhook and a bad signature change nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from faircollect.adapters.db.tables import import_batches, payment_intents, payments
from faircollect.services.payments import sign
from tests.web.borrower.support import LI, SECRET, ZHANG, sign_in

Portal = Callable[[], TestClient]


def counts(engine: Engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (payments, import_batches, payment_intents)
        )


def event(intent: dict[str, str], gateway_id: str = "G-1", amount: int = 110_016) -> bytes:
    return json.dumps(
        {
            "intent_id": intent["intent_id"],
            "gateway_payment_id": gateway_id,
            "status": "succeeded",
            "amount": amount,
            "paid_on": "2026-03-02",
        }
    ).encode()


def post_webhook(client: TestClient, body: bytes, signature: str) -> httpx.Response:
    return client.post(
        "/api/v1/payments/webhook",
        content=body,
        headers={"X-Signature": signature, "content-type": "application/json"},
    )


def test_a_signed_webhook_enters_the_payment_once(portal: Portal, db_engine: Engine) -> None:
    zhang = sign_in(portal(), db_engine, ZHANG)
    started = zhang.post("/api/v1/borrower/payments", json={"loan_id": "L1", "amount": "1100.16"})
    assert started.status_code == 201, started.text
    intent = started.json()
    assert intent["status"] == "pending" and intent["amount"] == "1100.16"
    before = counts(db_engine)

    gateway = portal()  # the gateway has no session
    body = event(intent)
    bad = gateway.post(
        "/api/v1/payments/webhook",
        content=body,
        headers={"X-Signature": sign(body, b"wrong secret")},
    )
    assert bad.status_code == 401 and counts(db_engine) == before
    unsigned = gateway.post("/api/v1/payments/webhook", content=body)
    assert unsigned.status_code == 401 and counts(db_engine) == before
    tampered = body.replace(b"110016", b"999999")
    forged = post_webhook(gateway, tampered, sign(body, SECRET))
    assert forged.status_code == 401 and counts(db_engine) == before

    ok = gateway.post(
        "/api/v1/payments/webhook", content=body, headers={"X-Signature": sign(body, SECRET)}
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["status"] == "confirmed" and ok.json()["replayed"] is False
    after = counts(db_engine)
    assert after == (before[0] + 1, before[1] + 1, before[2])
    with db_engine.connect() as conn:
        row = conn.execute(select(payments).where(payments.c.payment_id == "GW-G-1")).one()
        source = conn.execute(
            select(import_batches.c.source).where(import_batches.c.batch_id == row.batch_id)
        ).scalar_one()
    assert (row.loan_id, row.amount, str(row.paid_on)) == ("L1", 110_016, "2026-03-02")
    assert source == "gateway:fake:G-1"

    again = gateway.post(
        "/api/v1/payments/webhook", content=body, headers={"X-Signature": sign(body, SECRET)}
    )
    assert again.status_code == 200 and again.json()["replayed"] is True
    assert counts(db_engine) == after

    loan = zhang.get("/api/v1/borrower/loans/L1").json()
    paid = [p for p in loan["payments"] if p["payment_id"] == "GW-G-1"]
    assert paid and paid[0]["allocation"]  # the ledger allocated it
    assert Decimal(loan["overdue_contract"]) < Decimal("20.00")  # only some 罚息 is left


def test_the_development_gateway_confirms_through_the_webhook_path(
    portal: Portal, db_engine: Engine
) -> None:
    zhang = sign_in(portal(), db_engine, ZHANG)
    intent = zhang.post(
        "/api/v1/borrower/payments", json={"loan_id": "L1", "amount": "200.00"}
    ).json()
    assert intent["pay_url"].endswith("/fake-pay")
    paid = zhang.post(intent["pay_url"])
    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "confirmed" and paid.json()["pay_url"] is None
    assert zhang.post(intent["pay_url"]).json()["status"] == "confirmed"  # idempotent
    listed = zhang.get("/api/v1/borrower/payments").json()["items"]
    assert [(i["intent_id"], i["status"]) for i in listed] == [(intent["intent_id"], "confirmed")]
    li = sign_in(portal(), db_engine, LI)
    assert li.post(intent["pay_url"]).status_code == 404


def test_payments_only_on_ones_own_loan_and_sane_amounts(portal: Portal, db_engine: Engine) -> None:
    zhang = sign_in(portal(), db_engine, ZHANG)
    assert (
        zhang.post(
            "/api/v1/borrower/payments", json={"loan_id": "L2", "amount": "10.00"}
        ).status_code
        == 404
    )
    for amount, code in (("0.00", "refused"), ("99999999.00", "refused"), ("abc", "invalid")):
        answer = zhang.post("/api/v1/borrower/payments", json={"loan_id": "L1", "amount": amount})
        assert answer.status_code == 422, amount
        assert answer.json()["error"]["code"] == code
    assert (
        zhang.post("/api/v1/borrower/payments", json={"loan_id": "L1"}).json()["error"]["field"]
        == "amount"
    )


def test_a_webhook_must_match_its_payment(portal: Portal, db_engine: Engine) -> None:
    zhang = sign_in(portal(), db_engine, ZHANG)
    intent = zhang.post(
        "/api/v1/borrower/payments", json={"loan_id": "L1", "amount": "1100.16"}
    ).json()
    gateway = portal()
    before = counts(db_engine)
    for body in (
        event(intent, amount=1),
        event({"intent_id": "PI-nope"}),
        json.dumps({**json.loads(event(intent)), "status": "failed"}).encode(),
        b"not json",
    ):
        answer = gateway.post(
            "/api/v1/payments/webhook", content=body, headers={"X-Signature": sign(body, SECRET)}
        )
        assert answer.status_code in (404, 422), body
    assert counts(db_engine) == before

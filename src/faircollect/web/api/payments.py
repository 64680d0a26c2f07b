"""Paying from the portal: ``/api/v1/borrower/payments`` (the borrower) and the gateway's
signed webhook ``/api/v1/payments/webhook`` (no session: the signature is the proof)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from faircollect.adapters.db.repositories.payment_intents import PaymentIntent
from faircollect.domain.casework.errors import NotFound
from faircollect.domain.messages import Message
from faircollect.domain.money import format_yuan
from faircollect.services import payments
from faircollect.web.api.convert import fen
from faircollect.web.api.schemas import ErrorBody, Strict, Yuan
from faircollect.web.api.work import REFUSALS
from faircollect.web.context import CurrentBorrower, config, now, unit
from faircollect.web.errors import error_body
from faircollect.web.idempotency import BORROWER_IDEMPOTENT, IdempotentRoute

router = APIRouter(tags=["payments"], route_class=IdempotentRoute)

SIGNATURE_HEADER = "X-Signature"


class PaymentBody(Strict):
    loan_id: str = Field(min_length=1, max_length=64)
    amount: Yuan = Field(min_length=1, max_length=32)


def intent_json(intent: PaymentIntent) -> dict[str, Any]:
    return {
        "intent_id": intent.intent_id,
        "loan_id": intent.loan_id,
        "amount": format_yuan(intent.amount),
        "gateway": intent.gateway,
        "status": intent.status,
        "created_at": intent.created_at.isoformat(),
        "payment_id": intent.payment_id,
        "confirmed_at": intent.confirmed_at.isoformat() if intent.confirmed_at else None,
        "pay_url": f"/api/v1/borrower/payments/{intent.intent_id}/fake-pay"
        if intent.status == payments.PENDING and intent.gateway == payments.FakeGateway.name
        else None,
    }


@router.post(
    "/borrower/payments",
    status_code=201,
    responses=REFUSALS,
    dependencies=[BORROWER_IDEMPOTENT],
)
def start(body: PaymentBody, borrower: CurrentBorrower, request: Request) -> dict[str, Any]:
    """Start a payment on one's own loan: a pending intent with the gateway (the shipped
    development gateway is ``fake``: ``pay_url`` confirms it through the webhook path)."""
    amount = fen(body.amount, "amount")
    with unit(request) as uow:
        intent = payments.start_payment(
            uow, borrower.borrower_id, body.loan_id, amount, now(request), payments.FakeGateway.name
        )
    return intent_json(intent)


@router.get("/borrower/payments", responses=REFUSALS)
def mine(borrower: CurrentBorrower, request: Request) -> dict[str, Any]:
    with unit(request) as uow:
        found = uow.intents.of_borrower(borrower.borrower_id)
    return {"items": [intent_json(i) for i in found]}


@router.post("/borrower/payments/{intent_id}/fake-pay", responses=REFUSALS)
def fake_pay(intent_id: str, borrower: CurrentBorrower, request: Request) -> dict[str, Any]:
    """The development gateway's "pay" button: it signs the webhook a real gateway would
    send and hands it to the same code the webhook endpoint runs."""
    gateway = payments.FakeGateway(config(request).payment_secret)
    with unit(request) as uow:
        intent = uow.intents.get(intent_id)
        if intent is None or intent.borrower_id != borrower.borrower_id:
            raise NotFound(Message("payment.not_found", intent_id=intent_id))
        body, signature = gateway.webhook(intent, now(request).date())
        done = payments.receive_webhook(
            uow, body, signature, config(request).payment_secret, now(request)
        )
    return intent_json(done.intent)


@router.post(
    "/payments/webhook",
    responses={401: {"model": ErrorBody}, 404: {"model": ErrorBody}, 422: {"model": ErrorBody}},
)
async def webhook(request: Request) -> Response:
    """The gateway confirms a payment: the body signed with HMAC-SHA256 under the
    configured secret, hex in ``X-Signature``. A bad signature is 401 and changes nothing;
    a replayed webhook is 200 with ``replayed: true`` and changes nothing."""
    body = await request.body()
    if len(body) > payments.MAX_WEBHOOK_BYTES:
        return JSONResponse(error_body(413, "the webhook body is too large"), 413)
    signature = request.headers.get(SIGNATURE_HEADER, "")

    def run() -> payments.WebhookResult:
        with unit(request) as uow:
            return payments.receive_webhook(
                uow, body, signature, config(request).payment_secret, now(request)
            )

    try:
        done = await run_in_threadpool(run)
    except payments.BadSignature as bad:
        return JSONResponse(error_body(401, str(bad)), 401)
    return JSONResponse({**intent_json(done.intent), "replayed": done.replayed})

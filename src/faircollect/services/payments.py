"""Paying from the portal (issue 13): a payment intent, a gateway, a signed webhook.

``start_payment`` records what the borrower wants to pay on their own loan and asks the
gateway for a payment. The gateway confirms by a webhook (``POST
/api/v1/payments/webhook``) whose body is signed with HMAC-SHA256 under the secret the
lender configured (``FAIRCOLLECT_PAYMENT_SECRET``); ``receive_webhook`` checks the
signature before reading anything, then enters the confirmed payment into the ledger as
its own import batch (the night allocates it and settles promises), once per gateway
payment id: a replayed webhook changes nothing, a bad signature changes nothing.

``FakeGateway`` is the one shipped for development: its "payment page" confirms by
building and signing the same webhook a real gateway would send and handing it to
``receive_webhook``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from faircollect.adapters.db.repositories.payment_intents import PaymentIntent
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.domain.casework.errors import CaseworkError, NotFound, Refused
from faircollect.domain.messages import Message
from faircollect.services.borrower_portal import my_loan

SHANGHAI = ZoneInfo("Asia/Shanghai")
PENDING, CONFIRMED = "pending", "confirmed"
MAX_WEBHOOK_BYTES = 16_384


class BadSignature(CaseworkError):
    """A webhook whose signature does not match its body: nothing is read or changed."""


def sign(body: bytes, secret: bytes) -> str:
    """The hex HMAC-SHA256 of ``body`` under ``secret`` (what the gateway sends)."""
    return hmac.new(secret, body, hashlib.sha256).hexdigest()


def start_payment(
    uow: UnitOfWork, borrower_id: str, loan_id: str, amount: int, now: datetime, gateway: str
) -> PaymentIntent:
    """A pending payment on the borrower's own loan (NotFound otherwise), of at least
    0.01 and at most what the contract still asks for."""
    owed = my_loan(uow, borrower_id, loan_id, now.astimezone(SHANGHAI).date()).owed_contract
    if amount <= 0:
        raise Refused(Message("payment.refused"), [Message("payment.at_least_fen")])
    if amount > owed:
        raise Refused(Message("payment.refused"), [Message("payment.more_than_owed")])
    intent = PaymentIntent(
        f"PI-{secrets.token_hex(8)}", borrower_id, loan_id, amount, gateway, now, PENDING
    )
    uow.intents.add(intent)
    return intent


@dataclass(frozen=True, slots=True)
class WebhookResult:
    intent: PaymentIntent
    replayed: bool
    """True when this gateway payment was confirmed before: nothing changed."""


def receive_webhook(
    uow: UnitOfWork, body: bytes, signature: str, secret: bytes, now: datetime
) -> WebhookResult:
    """Confirm a payment from the gateway's signed webhook ``{"intent_id",
    "gateway_payment_id", "status": "succeeded", "amount" (fen), "paid_on"?}``."""
    if not hmac.compare_digest(sign(body, secret), signature.strip().lower()):
        raise BadSignature("the webhook's signature does not match its body")
    try:
        event = json.loads(body)
        intent_id, gateway_id = str(event["intent_id"]), str(event["gateway_payment_id"])
        status, amount = event["status"], event["amount"]
    except (ValueError, KeyError, TypeError) as err:
        raise Refused(
            Message("payment.webhook_refused"), [Message("payment.not_an_event", error=str(err))]
        ) from None
    if not 1 <= len(gateway_id) <= 48:
        raise Refused(Message("payment.webhook_refused"), [Message("payment.gateway_id_length")])
    intent = uow.intents.get(intent_id)
    if intent is None:
        raise NotFound(Message("payment.not_found", intent_id=intent_id))
    if intent.status == CONFIRMED:
        if intent.gateway_payment_id == gateway_id:
            return WebhookResult(intent, replayed=True)
        raise Refused(Message("payment.webhook_refused"), [Message("payment.paid_by_other")])
    if uow.intents.by_gateway_payment(gateway_id) is not None:
        raise Refused(Message("payment.webhook_refused"), [Message("payment.confirms_other")])
    if status != "succeeded":
        raise Refused(
            Message("payment.webhook_refused"), [Message("payment.status", status=status)]
        )
    if amount != intent.amount or isinstance(amount, bool):
        raise Refused(Message("payment.webhook_refused"), [Message("payment.other_amount")])
    paid_on = now.astimezone(SHANGHAI).date()
    if "paid_on" in event:
        try:
            paid_on = date.fromisoformat(str(event["paid_on"]))
        except ValueError:
            raise Refused(
                Message("payment.webhook_refused"), [Message("payment.paid_on")]
            ) from None
    uow.intents.confirm(intent, gateway_id, f"GW-{gateway_id}", paid_on, now)
    confirmed = uow.intents.get(intent_id)
    assert confirmed is not None
    return WebhookResult(confirmed, replayed=False)


class FakeGateway:
    """The development gateway: it takes every payment and confirms it through the real
    path, a webhook body signed with the configured secret."""

    name = "fake"

    def __init__(self, secret: bytes) -> None:
        self.secret = secret

    def webhook(self, intent: PaymentIntent, paid_on: date) -> tuple[bytes, str]:
        """The body and signature the gateway posts once the borrower paid."""
        body = json.dumps(
            {
                "intent_id": intent.intent_id,
                "gateway_payment_id": f"FAKE-{intent.intent_id}",
                "status": "succeeded",
                "amount": intent.amount,
                "paid_on": paid_on.isoformat(),
            },
            sort_keys=True,
        ).encode()
        return body, sign(body, self.secret)

"""Payments borrowers start in the portal, and their confirmed entry into the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, select, update

from faircollect.adapters.db.import_store import new_batch
from faircollect.adapters.db.tables import payment_intents, payments


@dataclass(frozen=True, slots=True)
class PaymentIntent:
    intent_id: str
    borrower_id: str
    loan_id: str
    amount: int
    gateway: str
    created_at: datetime
    status: str
    gateway_payment_id: str | None = None
    payment_id: str | None = None
    confirmed_at: datetime | None = None


class PaymentIntentRepository:
    """Payment intents of one unit of work."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, intent: PaymentIntent) -> None:
        self.conn.execute(
            payment_intents.insert().values(
                intent_id=intent.intent_id,
                borrower_id=intent.borrower_id,
                loan_id=intent.loan_id,
                amount=intent.amount,
                gateway=intent.gateway,
                created_at=intent.created_at,
                status=intent.status,
            )
        )

    def get(self, intent_id: str) -> PaymentIntent | None:
        p = payment_intents
        row = self.conn.execute(select(p).where(p.c.intent_id == intent_id)).first()
        return None if row is None else _intent(row)

    def by_gateway_payment(self, gateway_payment_id: str) -> PaymentIntent | None:
        p = payment_intents
        query = select(p).where(p.c.gateway_payment_id == gateway_payment_id)
        row = self.conn.execute(query).first()
        return None if row is None else _intent(row)

    def of_borrower(self, borrower_id: str) -> list[PaymentIntent]:
        p = payment_intents
        query = select(p).where(p.c.borrower_id == borrower_id).order_by(p.c.created_at.desc())
        return [_intent(r) for r in self.conn.execute(query)]

    def confirm(
        self,
        intent: PaymentIntent,
        gateway_payment_id: str,
        payment_id: str,
        paid_on: date,
        at: datetime,
    ) -> None:
        """The confirmed payment into the ledger as its own import batch (the night
        allocates it like any imported payment), and the intent confirmed."""
        batch = new_batch(self.conn, f"gateway:{intent.gateway}:{gateway_payment_id}", at)
        self.conn.execute(
            payments.insert().values(
                payment_id=payment_id,
                loan_id=intent.loan_id,
                paid_on=paid_on,
                amount=intent.amount,
                batch_id=batch,
            )
        )
        self.conn.execute(
            update(payment_intents)
            .where(payment_intents.c.intent_id == intent.intent_id)
            .values(
                status="confirmed",
                gateway_payment_id=gateway_payment_id,
                payment_id=payment_id,
                confirmed_at=at,
            )
        )


def _intent(row: Any) -> PaymentIntent:
    r = row._mapping
    return PaymentIntent(**{k: r[k] for k in FIELDS})


FIELDS = (
    "intent_id",
    "borrower_id",
    "loan_id",
    "amount",
    "gateway",
    "created_at",
    "status",
    "gateway_payment_id",
    "payment_id",
    "confirmed_at",
)

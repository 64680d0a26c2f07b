"""Recording and listing promises to pay (承诺还款) from the command line or casework.

The nightly run settles them (``nightly_plan.settle_promises``); here they are only made
and read. Amounts are fen; the CLI parses yuan with ``domain.money.parse_yuan``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, func, select

from faircollect.adapters.db import tables as t


class PromiseError(ValueError):
    """A promise that cannot be recorded (unknown loan, bad dates or amount)."""


@dataclass(frozen=True, slots=True)
class PromiseRow:
    ptp_id: str
    loan_id: str
    amount: int
    made_on: date
    due_on: date
    status: str
    paid: int
    settled_on: date | None


def add_promise(
    engine: Engine, loan_id: str, amount: int, due_on: date, made_on: date, made_by: str = "cli"
) -> PromiseRow:
    """Store an open promise; its id is the loan, the day made and a sequence number."""
    if amount <= 0:
        raise PromiseError(f"amount must be positive, got {amount} fen")
    if due_on < made_on:
        raise PromiseError(f"due {due_on.isoformat()} is before the day made {made_on.isoformat()}")
    p = t.promises
    with engine.begin() as conn:
        known = conn.execute(select(t.loans.c.loan_id).where(t.loans.c.loan_id == loan_id)).first()
        if known is None:
            raise PromiseError(f"unknown loan {loan_id!r}")
        count = conn.execute(
            select(func.count()).where(p.c.loan_id == loan_id, p.c.made_on == made_on)
        ).scalar_one()
        ptp_id = f"PTP-{loan_id}-{made_on:%Y%m%d}-{count + 1}"
        row = PromiseRow(ptp_id, loan_id, amount, made_on, due_on, "open", 0, None)
        conn.execute(
            p.insert(),
            {
                "promise_id": ptp_id,
                "loan_id": loan_id,
                "amount": amount,
                "made_on": made_on,
                "due_on": due_on,
                "status": "open",
                "paid": 0,
                "settled_on": None,
                "made_by": made_by,
            },
        )
    return row


def list_promises(engine: Engine, loan_id: str | None = None) -> list[PromiseRow]:
    p = t.promises
    query = select(p).order_by(p.c.due_on, p.c.promise_id)
    if loan_id is not None:
        query = query.where(p.c.loan_id == loan_id)
    with engine.connect() as conn:
        return [
            PromiseRow(
                r.promise_id,
                r.loan_id,
                r.amount,
                r.made_on,
                r.due_on,
                r.status,
                r.paid,
                r.settled_on,
            )
            for r in conn.execute(query)
        ]

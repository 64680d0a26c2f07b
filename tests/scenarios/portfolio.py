"""A small real portfolio for scenario tests: loans in the database, states from replay.

Each night writes the ``account_states`` rows that ``domain.ledger.replay`` computes for that
date (standing in for run-day's ledger step), then runs ``plan_night``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, delete, select

from faircollect.adapters.db import tables as t
from faircollect.adapters.db.repository import loan_row
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.adapters.org_file import example_org_text
from faircollect.domain.ledger.replay import replay
from faircollect.domain.ledger.terms import LoanTerms, Method, Payment
from faircollect.domain.records import loan_from_columns
from faircollect.services.nightly_plan import NightSummary, plan_night
from faircollect.services.organisation import load_organisation

SHANGHAI = ZoneInfo("Asia/Shanghai")
DISBURSED = date(2026, 1, 13)
"""Loans disbursed here fall due on the 13th; the first installment is due 2026-02-13."""
FIRST_DUE = date(2026, 2, 13)


def terms(loan_id: str) -> LoanTerms:
    return LoanTerms(
        loan_id=loan_id,
        principal=1_200_000,
        received=1_200_000,
        annual_rate=Decimal("0.18"),
        term_months=12,
        method=Method.EQUAL_INSTALLMENT,
        disbursed_on=DISBURSED,
        penalty_rate_daily=Decimal("0.0005"),
        grace_days=0,
        periodic_fee=0,
        borrower_id=f"B-{loan_id}",
        product="cash",
    )


def seed(engine: Engine, loan_ids: Iterable[str], *, emergency: bool = True) -> None:
    """The example organisation (the night's 分案 reads it), then borrowers, their
    emergency contacts and the loans, one borrower per loan."""
    with UnitOfWork(engine) as uow:
        load_organisation(uow, example_org_text(), "example.yaml")
    with engine.begin() as conn:
        for loan_id in loan_ids:
            loan = terms(loan_id)
            conn.execute(
                t.borrowers.insert(),
                {
                    "borrower_id": loan.borrower_id,
                    "name": f"张{loan_id}",
                    "phone": f"138{abs(hash(loan_id)) % 10**8:08d}",
                    "id_number": "110101199001011234",
                    "city": "北京",
                },
            )
            if emergency:
                conn.execute(
                    t.contacts.insert(),
                    {
                        "borrower_id": loan.borrower_id,
                        "name": "李四",
                        "phone": f"139{abs(hash(loan_id)) % 10**8:08d}",
                        "relation": "friend",
                        "is_emergency": True,
                    },
                )
            conn.execute(t.loans.insert(), loan_row(loan))


def pay(engine: Engine, loan_id: str, paid_on: date, amount: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            t.payments.insert(),
            {
                "payment_id": f"{loan_id}-{paid_on}",
                "loan_id": loan_id,
                "paid_on": paid_on,
                "amount": amount,
            },
        )


def write_states(engine: Engine, day: date) -> None:
    """Replace every loan's account_states row with its replayed state as of ``day``, and
    record its stage in ``stage_history`` when it differs from the last one recorded up to
    ``day`` (what run-day's ledger step writes)."""
    with engine.begin() as conn:
        stored = [
            loan_from_columns(row)
            for row in conn.execute(select(t.loans).order_by(t.loans.c.loan_id)).mappings()
        ]
        payments = [
            Payment(r.payment_id, r.loan_id, r.paid_on, r.amount)
            for r in conn.execute(select(t.payments))
        ]
        conn.execute(delete(t.account_states))
        for loan in stored:
            loan_id = loan.loan_id
            state = replay(loan, [p for p in payments if p.loan_id == loan_id], day).state
            _record_stage(conn, loan_id, day, state.stage.value)
            conn.execute(
                t.account_states.insert(),
                {
                    "loan_id": loan_id,
                    "as_of": day,
                    "dpd": state.dpd,
                    "bucket": state.bucket,
                    "stage": state.stage.value,
                    "overdue_principal": state.overdue_principal,
                    "overdue_interest": state.overdue_interest,
                    "overdue_fee": state.overdue_fee,
                    "penalty": state.penalty,
                    "outstanding_principal": state.outstanding_principal,
                    "credit": state.credit,
                    "paid_total": state.paid_total,
                    "next_due_on": state.next_due_on,
                    "next_event_on": None,
                },
            )


def _record_stage(conn: Connection, loan_id: str, day: date, stage: str) -> None:
    h = t.stage_history
    last = conn.execute(
        select(h.c.entered_on, h.c.stage)
        .where(h.c.loan_id == loan_id, h.c.entered_on <= day)
        .order_by(h.c.entered_on.desc())
        .limit(1)
    ).first()
    if last is None or (last.stage != stage and last.entered_on != day):
        previous = None if last is None else last.stage
        conn.execute(
            h.insert(),
            {"loan_id": loan_id, "entered_on": day, "stage": stage, "previous_stage": previous},
        )


def night(engine: Engine, day: date, **options: Any) -> NightSummary:
    """Run-day for ``day``: the ledger step (replay) then the nightly plan."""
    write_states(engine, day)
    return plan_night(engine, day, **options)


def record_attempt(
    engine: Engine, loan_id: str, at: datetime, outcome: str = "no_answer", channel: str = "call"
) -> None:
    """A contact record (催记) as the casework workbench would write it."""
    with engine.begin() as conn:
        n = len(conn.execute(select(t.contact_records.c.record_id)).all())
        conn.execute(
            t.contact_records.insert(),
            {
                "record_id": f"R{n + 1:05d}",
                "borrower_id": f"B-{loan_id}",
                "loan_id": loan_id,
                "at": at,
                "channel": channel,
                "party": "borrower",
                "phone": None,
                "actor": "C101",
                "outcome": outcome,
                "note": "",
            },
        )


def actions(engine: Engine, day: date, loan_id: str | None = None) -> dict[str, dict]:
    """The night's planned_actions rows keyed by action key (one loan) or action id."""
    pa = t.planned_actions
    query = select(pa).where(pa.c.run_date == day)
    if loan_id is not None:
        query = query.where(pa.c.loan_id == loan_id)
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    key = "action_key" if loan_id is not None else "action_id"
    return {r[key]: r for r in rows}


def snapshot(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of the tables the night writes, sorted: for comparing two runs."""
    out = {}
    with engine.connect() as conn:
        for table in (t.planned_actions, t.outbox, t.placements, t.promises):
            out[table.name] = sorted(tuple(r) for r in conn.execute(select(table)))
    return out

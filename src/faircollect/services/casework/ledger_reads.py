"""What casework reads from the ledger and the contact log, as domain values."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection, Row, select

from faircollect.adapters.db import repository
from faircollect.adapters.db.tables import borrowers, contact_records, promises
from faircollect.domain.casework.contacts import ContactRecord, Outcome, Reason
from faircollect.domain.casework.errors import CaseworkError
from faircollect.domain.casework.promise import PastPromise
from faircollect.domain.compliance.actions import Channel, Party
from faircollect.domain.ledger.replay import LoanLedger, replay


def ledger_as_of(conn: Connection, loan_id: str, as_of: date) -> LoanLedger:
    """The reference replay of one loan from its stored terms, payments and approved
    adjustments (restructures, waivers), as every ledger reader loads them."""
    loan = repository.load_stored_loan(conn, loan_id)
    if loan is None:
        raise CaseworkError(f"no loan '{loan_id}'")
    return replay(loan.terms, loan.payments, as_of, adjustments=loan.adjustments)


def borrower_name(conn: Connection, borrower_id: str) -> str:
    name = conn.execute(
        select(borrowers.c.name).where(borrowers.c.borrower_id == borrower_id)
    ).scalar_one_or_none()
    if name is None:
        raise CaseworkError(f"no borrower '{borrower_id}'")
    return str(name)


def _record(r: Row[tuple[object, ...]]) -> ContactRecord:
    return ContactRecord(
        r.record_id,
        r.case_id or "",
        r.at,
        Channel(r.channel),
        Party(r.party),
        r.phone or "",
        r.actor,
        Outcome(r.outcome),
        Reason(r.reason) if r.reason else None,
        r.note or "",
    )


_ORDER = (contact_records.c.at, contact_records.c.record_id)


def contact_history(conn: Connection, borrower_id: str) -> list[ContactRecord]:
    """Every 催记 on file for a borrower, oldest first (the gate's and the call's history)."""
    query = select(contact_records).where(contact_records.c.borrower_id == borrower_id)
    return [_record(r) for r in conn.execute(query.order_by(*_ORDER))]


def records_between(conn: Connection, start: datetime, end: datetime) -> list[ContactRecord]:
    """Every 催记 with ``start <= at < end``, oldest first."""
    query = select(contact_records).where(contact_records.c.at >= start, contact_records.c.at < end)
    return [_record(r) for r in conn.execute(query.order_by(*_ORDER))]


_KEPT = {"kept": True, "partly_kept": False, "broken": False}


def past_promises(conn: Connection, loan_id: str) -> tuple[PastPromise, ...]:
    """The loan's promises and how each ended (None while open), oldest first."""
    query = select(promises).where(promises.c.loan_id == loan_id).order_by(promises.c.made_on)
    return tuple(PastPromise(r.amount, r.due_on, _KEPT.get(r.status)) for r in conn.execute(query))

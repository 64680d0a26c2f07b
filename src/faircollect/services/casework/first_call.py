"""The guided first call (第一个催收电话), from the stored account to the stored 催记.

``start_call`` prepares the file (the loan's replay, its contact and promise history) and
returns a ``CallSession`` that the terminal, an answers file or a web page drives;
``finish_call`` stores its result in one transaction: the 催记 (through the gate, like any
contact), the promise row in ``promises`` (status open, made on the call date) and the
follow-up. ``run_call`` is both together for an answers mapping.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from faircollect.adapters.db.tables import account_states, borrowers, follow_ups, promises, users
from faircollect.data.scripts import first_call_text
from faircollect.domain.casework.agencies import require_case_access
from faircollect.domain.casework.call_file import snapshot_from_state
from faircollect.domain.casework.call_script import CallScript, load_script
from faircollect.domain.casework.call_session import Answer, CallResult, CallSession, run_answers
from faircollect.domain.casework.errors import CaseworkError
from faircollect.domain.casework.roles import Actor, Permission, require
from faircollect.domain.compliance.screener import screen
from faircollect.services.casework.case_store import load_case, load_placements, new_id
from faircollect.services.casework.contacts import ContactFacts, accept_and_store
from faircollect.services.casework.ledger_reads import (
    borrower_name,
    contact_history,
    ledger_as_of,
    past_promises,
)
from faircollect.services.casework.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class Lender:
    """Facts about the lender the call states (its name; whether it reports to 征信)."""

    name: str = "示例小贷"
    reports_to_credit_bureau: bool = True


def packaged_script() -> CallScript:
    """The shipped script, screened by the real screener as it loads."""
    return load_script(first_call_text(), screen, "faircollect/data/scripts/first_call.yaml")


def _call_loan(uow: UnitOfWork, loan_ids: tuple[str, ...], loan_id: str | None) -> str:
    """The loan named, else the case's loan with the most days past due."""
    if loan_id is not None:
        if loan_id not in loan_ids:
            raise CaseworkError(f"loan '{loan_id}' is not in this case ({', '.join(loan_ids)})")
        return loan_id
    rows = uow.conn.execute(
        select(account_states.c.loan_id, account_states.c.dpd).where(
            account_states.c.loan_id.in_(loan_ids)
        )
    ).all()
    dpd = {r.loan_id: r.dpd for r in rows}
    return max(loan_ids, key=lambda x: (dpd.get(x, 0), x))


def start_call(
    uow: UnitOfWork,
    actor: Actor,
    case_id: str,
    at: datetime,
    *,
    loan_id: str | None = None,
    number: str | None = None,
    lender: Lender = Lender(),
    script: CallScript | None = None,
) -> CallSession:
    """A session for the first call on a case, its file prepared as of the call date."""
    conn = uow.conn
    require(actor, Permission.RECORD_CONTACT)
    case = load_case(conn, case_id)
    require_case_access(actor, case_id, load_placements(conn, case_id), at.date())
    chosen = _call_loan(uow, case.loan_ids, loan_id)
    ledger = ledger_as_of(conn, chosen, at.date())
    snapshot = snapshot_from_state(
        ledger.state,
        case_id=case_id,
        borrower_name=borrower_name(conn, case.borrower_id),
        lender_name=lender.name,
        penalty_rate_daily=ledger.terms.penalty_rate_daily,
        reports_to_credit_bureau=lender.reports_to_credit_bureau,
        contacts=tuple(contact_history(conn, case.borrower_id)),
        promises=past_promises(conn, chosen),
    )
    phone = (
        number
        or conn.execute(
            select(borrowers.c.phone).where(borrowers.c.borrower_id == case.borrower_id)
        ).scalar_one()
    )
    return CallSession(
        script or packaged_script(),
        snapshot,
        new_id("R"),
        at,
        phone,
        actor.user_id,
        _display_name(uow, actor),
    )


def _display_name(uow: UnitOfWork, actor: Actor) -> str:
    """The name the collector gives on the call (the user's name, else the id)."""
    name = uow.conn.execute(
        select(users.c.name).where(users.c.user_id == actor.user_id)
    ).scalar_one_or_none()
    return str(name or actor.user_id)


@dataclass(frozen=True, slots=True)
class StoredCall:
    result: CallResult
    promise_id: str | None
    findings: int


def finish_call(
    uow: UnitOfWork, actor: Actor, session: CallSession, facts: ContactFacts = ContactFacts()
) -> StoredCall:
    """Store an ended call: 催记 (gate-checked), promise, follow-up; all or nothing."""
    conn = uow.conn
    result = session.result()
    accept_and_store(conn, result.record, actor, facts, session.snapshot.loan_id)
    promise_id = None
    if result.promise is not None:
        promise_id = new_id("P")
        p = result.promise
        conn.execute(
            promises.insert().values(
                promise_id=promise_id,
                loan_id=p.loan_id,
                amount=p.amount,
                made_on=p.made_on,
                due_on=p.due,
                status="open",
                paid=0,
                case_id=p.case_id,
                made_by=actor.user_id,
            )
        )
    conn.execute(
        follow_ups.insert().values(
            case_id=session.snapshot.case_id,
            record_id=result.record.record_id,
            action=result.follow_up.action.value,
            due_on=result.follow_up.on,
        )
    )
    findings = len(screen(result.record.note)) if result.record.note else 0
    return StoredCall(result, promise_id, findings)


def run_call(
    uow: UnitOfWork,
    actor: Actor,
    case_id: str,
    at: datetime,
    answers: Mapping[str, Answer],
    *,
    loan_id: str | None = None,
    lender: Lender = Lender(),
) -> StoredCall:
    """The whole call from an answers mapping (``--answers FILE``, tests, the web)."""
    session = start_call(uow, actor, case_id, at, loan_id=loan_id, lender=lender)
    run_answers(session, answers)
    return finish_call(uow, actor, session)

"""The guided first call (第一个催收电话), from the stored account to the stored 催记.

``start_call`` prepares the file (the loan's replay, its contact and promise history) and
returns a ``CallSession`` that the terminal, an answers file or a web page drives;
``finish_call`` stores its result in one transaction: the 催记 (through the gate, like any
contact), the promise (``make_promise``) and the follow-up. ``run_call`` is both together
for an answers mapping.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from faircollect.adapters.db.uow import UnitOfWork
from faircollect.data.scripts import first_call_text
from faircollect.domain.casework.call_file import snapshot_from_state
from faircollect.domain.casework.call_script import CallScript, load_script
from faircollect.domain.casework.call_session import Answer, CallResult, CallSession, run_answers
from faircollect.domain.casework.errors import CaseworkError
from faircollect.domain.casework.roles import Actor, Permission, require
from faircollect.domain.compliance.screener import screen
from faircollect.services.casework.cases import visible_case
from faircollect.services.casework.contacts import ContactFacts, accept_and_store
from faircollect.services.casework.ids import new_id
from faircollect.services.casework.ledger import ledger_as_of
from faircollect.services.casework.promises import make_promise


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
    dpd = {x: state["dpd"] for x, state in uow.loans.states(loan_ids).items()}
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
    require(actor, Permission.RECORD_CONTACT)
    case = visible_case(uow, actor, case_id, at.date())
    chosen = _call_loan(uow, case.loan_ids, loan_id)
    ledger = ledger_as_of(uow, chosen, at.date())
    borrower = uow.loans.borrower(case.borrower_id)
    if borrower is None:
        raise CaseworkError(f"no borrower '{case.borrower_id}'")
    snapshot = snapshot_from_state(
        ledger.state,
        case_id=case_id,
        borrower_name=borrower.name,
        lender_name=lender.name,
        penalty_rate_daily=ledger.terms.penalty_rate_daily,
        reports_to_credit_bureau=lender.reports_to_credit_bureau,
        contacts=tuple(uow.contacts.history(case.borrower_id)),
        promises=uow.promises.past(chosen),
    )
    person = uow.org.person(actor.user_id)
    return CallSession(
        script or packaged_script(),
        snapshot,
        new_id("R"),
        at,
        number or borrower.phone,
        actor.user_id,
        person.name if person else actor.user_id,
    )


@dataclass(frozen=True, slots=True)
class StoredCall:
    result: CallResult
    promise_id: str | None
    findings: int


def finish_call(
    uow: UnitOfWork, actor: Actor, session: CallSession, facts: ContactFacts = ContactFacts()
) -> StoredCall:
    """Store an ended call: 催记 (gate-checked), promise, follow-up; all or nothing."""
    result = session.result()
    case = visible_case(uow, actor, session.snapshot.case_id, result.record.at.date())
    accept_and_store(uow, case, result.record, actor, facts, session.snapshot.loan_id)
    promise_id = None
    if result.promise is not None:
        p = result.promise
        promise_id = make_promise(uow, actor, p.loan_id, p.amount, p.due, p.made_on).promise_id
    uow.cases.add_follow_up(
        session.snapshot.case_id,
        result.record.record_id,
        result.follow_up.action.value,
        result.follow_up.on,
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

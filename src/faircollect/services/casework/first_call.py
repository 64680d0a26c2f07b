"""The guided first call (第一个催收电话), from the stored account to the stored 催记.

``start_call`` asks the gate first: a call the gate would deny (23:00, the 7th unanswered
attempt of the day, a complaint open) is refused before a word is said, with the rules
and the moment it becomes lawful. It then prepares the file (the loan's replay, its
contact and promise history, the lender's configuration) and returns a ``CallSession``
that the terminal, an answers file or a web page drives. The call is tied to the night's
planned call it carries out. ``finish_call`` stores its result in one transaction: the
催记 (timed when the call started, so a lawful call that runs past 22:00 is not cut off),
the promise (``make_promise``), the follow-up, and the planned call marked done.
``run_call`` is both together for an answers mapping.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from faircollect.adapters.db.uow import UnitOfWork
from faircollect.adapters.lender_file import lender_profile
from faircollect.data.scripts import first_call_text
from faircollect.domain.casework.call_file import snapshot_from_state
from faircollect.domain.casework.call_script import CallScript, load_script
from faircollect.domain.casework.call_session import Answer, CallResult, CallSession, run_answers
from faircollect.domain.casework.cases import Case
from faircollect.domain.casework.contacts import ContactRecord, Outcome
from faircollect.domain.casework.errors import CaseworkError, GateDenied
from faircollect.domain.casework.roles import Actor, Permission, require
from faircollect.domain.compliance.actions import Channel, Party
from faircollect.domain.compliance.pack import default_pack
from faircollect.domain.compliance.screener import screen
from faircollect.domain.lender import LenderProfile
from faircollect.domain.messages import Message
from faircollect.services import audit
from faircollect.services.casework.cases import visible_case
from faircollect.services.casework.contacts import (
    ContactFacts,
    accept_and_store,
    gate_for,
    known_party,
)
from faircollect.services.casework.ids import new_id
from faircollect.services.casework.ledger import ledger_as_of
from faircollect.services.casework.promises import make_promise, promise_limits
from faircollect.services.loans import owed_now


def packaged_script() -> CallScript:
    """The shipped script, screened by the real screener as it loads."""
    return load_script(first_call_text(), screen, "faircollect/data/scripts/first_call.yaml")


def _call_loan(uow: UnitOfWork, loan_ids: tuple[str, ...], loan_id: str | None) -> str:
    """The loan named, else the case's loan with the most days past due."""
    if loan_id is not None:
        if loan_id not in loan_ids:
            raise CaseworkError(
                Message("case.loan_not_in_this_case", loan_id=loan_id, loan_ids=list(loan_ids))
            )
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
    lender: LenderProfile | None = None,
    script: CallScript | None = None,
    audited: bool = True,
) -> CallSession:
    """A session for the first call on a case, its file prepared as of the call date;
    GateDenied (nothing stored but the gate's decision) when the gate would not allow the
    call now. ``audited``: record the gate's decision (not when a stored session is only
    rebuilt between two web requests: the gate was asked when it started)."""
    require(actor, Permission.RECORD_CONTACT)
    case = visible_case(uow, actor, case_id, at.date())
    chosen = _call_loan(uow, case.loan_ids, loan_id)
    ledger = ledger_as_of(uow, chosen, at.date())
    due = owed_now(uow, chosen, at.date())
    borrower = uow.loans.borrower(case.borrower_id)
    if borrower is None:
        raise CaseworkError(Message("borrower.not_found", borrower_id=case.borrower_id))
    dialled = number or borrower.phone
    party = known_party(uow, case, Channel.CALL, dialled, None)
    _gate_before(uow, actor if audited else None, case, party, dialled, at)
    profile = lender or lender_profile()
    snapshot = snapshot_from_state(
        due.lawful,
        case_id=case_id,
        borrower_name=borrower.name,
        lender_name=profile.short_name,
        penalty_rate_daily=ledger.terms.penalty_rate_daily,
        reports_to_credit_bureau=profile.reports_to_credit_bureau(ledger.terms.product),
        contacts=tuple(uow.contacts.history(case.borrower_id)),
        promises=uow.promises.past(chosen),
        agency_name=_agency_name(uow, actor),
        contract_total_overdue=due.contract.total_overdue if due.excess else None,
        illegal=due.illegal,
        promise_limits=promise_limits(due, default_pack()),
    )
    person = uow.org.person(actor.user_id)
    return CallSession(
        script or packaged_script(),
        snapshot,
        new_id("R"),
        at,
        dialled,
        actor.user_id,
        person.name if person else actor.user_id,
        uow.actions.planned_call(case.loan_ids, at.date(), actor.user_id),
    )


def _gate_before(
    uow: UnitOfWork, actor: Actor | None, case: Case, party: Party, number: str, at: datetime
) -> None:
    """Ask the gate about the call before it is made: what it would say of the 催记
    (recorded in the audit trail as ``actor``'s, unless None)."""
    probe = ContactRecord(
        "(call)", case.case_id, at, Channel.CALL, party, number, "", Outcome.NO_ANSWER
    )
    checker = gate_for(uow, case, ContactFacts(), None)
    reasons = checker.check(probe)
    decision = checker.last
    if actor is not None and decision is not None:
        proposed = {
            "call": True,
            "at": at,
            "channel": Channel.CALL,
            "party": party,
            "number": number,
        }
        audit.gate_decided(uow, actor, case.case_id, decision, checker.gate.pack.version, proposed)
    if reasons and decision is not None:
        raise GateDenied(
            Message("call.refused", case_id=case.case_id),
            reasons,
            [(v.rule, v.reason) for v in decision.violations],
            decision.next_allowed_at,
        )


def _agency_name(uow: UnitOfWork, actor: Actor) -> str:
    if actor.agency_id is None:
        return ""
    agency = uow.org.agency(actor.agency_id)
    return agency.name if agency is not None else actor.agency_id


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
    accept_and_store(
        uow,
        case,
        result.record,
        actor,
        facts,
        session.snapshot.loan_id,
        action_id=session.action_id,
    )
    if session.action_id is not None:
        uow.actions.mark_done(session.action_id)
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
    audit.record(
        uow,
        actor,
        "call.finished",
        session.snapshot.case_id,
        None,
        {
            "record_id": result.record.record_id,
            "loan_id": session.snapshot.loan_id,
            "action_id": session.action_id,
            "outcome": result.record.outcome,
            "promise_id": promise_id,
            "follow_up": {"action": result.follow_up.action, "on": result.follow_up.on},
        },
    )
    return StoredCall(result, promise_id, findings)


def run_call(
    uow: UnitOfWork,
    actor: Actor,
    case_id: str,
    at: datetime,
    answers: Mapping[str, Answer],
    *,
    loan_id: str | None = None,
    lender: LenderProfile | None = None,
) -> StoredCall:
    """The whole call from an answers mapping (``--answers FILE``, tests, the web)."""
    session = start_call(uow, actor, case_id, at, loan_id=loan_id, lender=lender)
    run_answers(session, answers)
    return finish_call(uow, actor, session)

"""Proposals (分期 / 减免): collectors propose, supervisors decide.

The seed is plain that a collector has no authority to grant an instalment plan or a
discount; here that is a permission check, not a convention. Approval yields one
self-contained event (integer fen, full installments) that the ledger can replay without
looking anything up: ``LoanRestructured`` (the plan and its new installments) or
``WaiverGranted`` (which component, how much). Both are the ledger's own adjustment types
(``domain.ledger.adjustments``): the replay applies them, this module only decides them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from faircollect.domain.casework.agencies import Placement, require_case_access
from faircollect.domain.casework.errors import CaseworkError, PermissionDenied
from faircollect.domain.casework.roles import Actor, Permission, require
from faircollect.domain.ledger.adjustments import (
    InstalmentPlan,
    LoanRestructured,
    WaivedComponent,
    WaiverGranted,
    plan_schedule,
)
from faircollect.domain.ledger.replay import LoanLedger, arrears
from faircollect.domain.messages import Message

__all__ = [
    "MAX_PLAN_MONTHS",
    "Decision",
    "InstalmentPlan",
    "LoanPosition",
    "LoanRestructured",
    "Proposal",
    "ProposalRejected",
    "ProposalStatus",
    "ProposalSubmitted",
    "SubmitProposal",
    "Terms",
    "WaivedComponent",
    "Waiver",
    "WaiverGranted",
    "approve",
    "position_from_ledger",
    "reject",
    "submit",
]

MAX_PLAN_MONTHS = 60
MAX_FIRST_DUE_DAYS = 366
"""A plan's first instalment falls due within a year of the day it is proposed."""


@dataclass(frozen=True, slots=True)
class Waiver:
    component: WaivedComponent
    amount: int


Terms = InstalmentPlan | Waiver


class ProposalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class SubmitProposal:
    proposal_id: str
    case_id: str
    loan_id: str
    terms: Terms
    on: date
    note: str = ""


@dataclass(frozen=True, slots=True)
class Proposal:
    proposal_id: str
    case_id: str
    loan_id: str
    terms: Terms
    submitted_by: str
    submitted_on: date
    note: str = ""
    status: ProposalStatus = ProposalStatus.PENDING
    decided_by: str | None = None
    decided_on: date | None = None
    decision_reason: str = ""


@dataclass(frozen=True, slots=True)
class LoanPosition:
    """The loan as the ledger sees it on ``as_of`` (the approval date). Integer fen.

    Build it with ``position_from_ledger`` from the reference replay (with the loan's
    earlier adjustments). Which installments a plan supersedes is the ledger's business.
    """

    loan_id: str
    as_of: date
    outstanding_principal: int
    overdue_interest: int
    """Interest already due and unpaid: the cap of an interest waiver."""
    overdue_fee: int
    payable_penalty: int
    carried_interest: int
    """What a plan approved now keeps owed (``ledger.replay.arrears``)."""
    carried_fee: int


def position_from_ledger(ledger: LoanLedger) -> LoanPosition:
    """The position a decision needs, read off the ledger's replay as of its date."""
    kept = arrears(ledger.positions, ledger.state.as_of)
    return LoanPosition(
        loan_id=ledger.terms.loan_id,
        as_of=ledger.state.as_of,
        outstanding_principal=ledger.state.outstanding_principal,
        overdue_interest=ledger.state.overdue_interest,
        overdue_fee=ledger.state.overdue_fee,
        payable_penalty=ledger.state.penalty,
        carried_interest=kept.interest,
        carried_fee=kept.fee,
    )


@dataclass(frozen=True, slots=True)
class ProposalSubmitted:
    proposal: Proposal


@dataclass(frozen=True, slots=True)
class ProposalRejected:
    proposal_id: str
    case_id: str
    by: str
    on: date
    reason: str


Decision = LoanRestructured | WaiverGranted


def submit(
    command: SubmitProposal,
    actor: Actor,
    placements: Iterable[Placement],
    position: LoanPosition | None = None,
) -> ProposalSubmitted:
    """A pending proposal; anyone who works the case may propose, nobody grants here. A
    waiver is checked against the loan's ``position`` on the day, when given."""
    require(actor, Permission.SUBMIT_PROPOSAL)
    require_case_access(actor, command.case_id, placements, command.on)
    _check_terms(command.terms, command.on, command.proposal_id)
    if position is not None and isinstance(command.terms, Waiver):
        check_waiver(command.terms, position, command.proposal_id)
    return ProposalSubmitted(
        Proposal(
            command.proposal_id,
            command.case_id,
            command.loan_id,
            command.terms,
            actor.user_id,
            command.on,
            command.note,
        )
    )


BORROWER_PREFIX = "borrower:"
"""``submitted_by`` of a plan the borrower asked for in the portal (not a user id)."""


def borrower_request(command: SubmitProposal, borrower_id: str) -> ProposalSubmitted:
    """A pending instalment plan the borrower asked for (issue 13): the same proposal a
    collector submits, in the supervisor's queue; only a supervisor decides."""
    if not isinstance(command.terms, InstalmentPlan):
        raise CaseworkError(Message("proposal.borrower_plan_only", proposal_id=command.proposal_id))
    _check_terms(command.terms, command.on, command.proposal_id)
    return ProposalSubmitted(
        Proposal(
            command.proposal_id,
            command.case_id,
            command.loan_id,
            command.terms,
            f"{BORROWER_PREFIX}{borrower_id}",
            command.on,
            command.note,
        )
    )


def _check_terms(terms: Terms, on: date, proposal_id: str) -> None:
    if isinstance(terms, Waiver):
        if terms.amount <= 0:
            raise CaseworkError(Message("proposal.waiver_not_positive", proposal_id=proposal_id))
        return
    if not 1 <= terms.months <= MAX_PLAN_MONTHS:
        raise CaseworkError(
            Message(
                "proposal.months", proposal_id=proposal_id, high=MAX_PLAN_MONTHS, got=terms.months
            )
        )
    if terms.annual_rate < 0:
        raise CaseworkError(Message("proposal.rate_negative", proposal_id=proposal_id))
    if terms.first_due <= on:
        raise CaseworkError(
            Message(
                "proposal.first_due_not_after",
                proposal_id=proposal_id,
                first_due=terms.first_due,
                on=on,
            )
        )
    if (terms.first_due - on).days > MAX_FIRST_DUE_DAYS:
        raise CaseworkError(
            Message(
                "proposal.first_due_too_far",
                proposal_id=proposal_id,
                first_due=terms.first_due,
                days=MAX_FIRST_DUE_DAYS,
                on=on,
            )
        )


def _decidable(proposal: Proposal, actor: Actor, reason: str) -> None:
    require(actor, Permission.DECIDE_PROPOSAL)
    if actor.user_id == proposal.submitted_by:
        raise PermissionDenied(Message("proposal.own", user_id=actor.user_id))
    if proposal.status is not ProposalStatus.PENDING:
        raise CaseworkError(
            Message("proposal.decided", proposal_id=proposal.proposal_id, status=proposal.status)
        )
    if not reason.strip():
        raise CaseworkError(Message("proposal.no_reason", proposal_id=proposal.proposal_id))


def reject(
    proposal: Proposal, actor: Actor, on: date, reason: str
) -> tuple[Proposal, ProposalRejected]:
    _decidable(proposal, actor, reason)
    decided = replace(
        proposal,
        status=ProposalStatus.REJECTED,
        decided_by=actor.user_id,
        decided_on=on,
        decision_reason=reason,
    )
    return decided, ProposalRejected(
        proposal.proposal_id, proposal.case_id, actor.user_id, on, reason
    )


def approve(
    proposal: Proposal, actor: Actor, on: date, reason: str, position: LoanPosition
) -> tuple[Proposal, Decision]:
    """Approve and compute what the ledger must record, exact to the fen."""
    _decidable(proposal, actor, reason)
    if position.loan_id != proposal.loan_id or position.as_of != on:
        raise CaseworkError(
            Message(
                "proposal.position_mismatch",
                proposal_id=proposal.proposal_id,
                loan_id=position.loan_id,
                as_of=position.as_of,
                need=proposal.loan_id,
                on=on,
            )
        )
    _check_terms(proposal.terms, on, proposal.proposal_id)
    decided = replace(
        proposal,
        status=ProposalStatus.APPROVED,
        decided_by=actor.user_id,
        decided_on=on,
        decision_reason=reason,
    )
    if isinstance(proposal.terms, Waiver):
        return decided, _waiver(proposal, proposal.terms, actor, on, reason, position)
    return decided, _restructure(proposal, proposal.terms, actor, on, reason, position)


def _waiver(
    proposal: Proposal,
    waiver: Waiver,
    actor: Actor,
    on: date,
    reason: str,
    position: LoanPosition,
) -> WaiverGranted:
    check_waiver(waiver, position, proposal.proposal_id)
    return WaiverGranted(
        proposal.proposal_id,
        proposal.loan_id,
        on,
        actor.user_id,
        reason,
        waiver.component,
        waiver.amount,
    )


def check_waiver(waiver: Waiver, position: LoanPosition, proposal_id: str) -> None:
    """CaseworkError when ``waiver`` asks more than the component still unpaid in
    ``position``: checked when the waiver is proposed and again when it is approved (the
    loan may have changed in between)."""
    cap = (
        position.payable_penalty
        if waiver.component is WaivedComponent.PENALTY
        else position.overdue_interest
    )
    if waiver.amount > cap:
        raise CaseworkError(
            Message(
                "proposal.waiver_exceeds",
                proposal_id=proposal_id,
                amount=waiver.amount,
                component=waiver.component,
                cap=cap,
            )
        )


def _restructure(
    proposal: Proposal,
    plan: InstalmentPlan,
    actor: Actor,
    on: date,
    reason: str,
    position: LoanPosition,
) -> LoanRestructured:
    if position.outstanding_principal <= 0:
        raise CaseworkError(Message("proposal.no_principal", proposal_id=proposal.proposal_id))
    return LoanRestructured(
        proposal.proposal_id,
        proposal.loan_id,
        on,
        actor.user_id,
        reason,
        plan,
        position.outstanding_principal,
        position.carried_interest,
        position.carried_fee,
        plan_schedule(position.outstanding_principal, plan),
    )

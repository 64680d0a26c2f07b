"""Proposals (分期 / 减免): a collector submits, a supervisor approves or rejects.

Approval computes the ledger change from the loan's replay on the approval date and stores
it (``loan_adjustments``, and for a plan its new installments). Every ledger reader loads
these with the loan and the replay applies them from their effective date; nothing here
rewrites payments or the original schedule (history stays). Approval also flags the loan
so the next incremental nightly run recomputes it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from faircollect.adapters.db.repositories.proposals import StoredSchedule
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.domain.casework.errors import CaseworkError, NotFound
from faircollect.domain.casework.proposals import (
    Decision,
    Proposal,
    ProposalStatus,
    SubmitProposal,
    Terms,
    Waiver,
    approve,
    position_from_ledger,
    reject,
    submit,
)
from faircollect.domain.casework.roles import Actor, Permission, require
from faircollect.domain.messages import Message
from faircollect.services import audit
from faircollect.services.casework.cases import vars_of, visible_case, visible_case_ids
from faircollect.services.casework.ids import new_id
from faircollect.services.casework.ledger import ledger_as_of


def submit_proposal(
    uow: UnitOfWork,
    actor: Actor,
    case_id: str,
    loan_id: str,
    terms: Terms,
    on: date,
    note: str = "",
) -> Proposal:
    """Store a pending proposal on one of the case's loans."""
    case = visible_case(uow, actor, case_id, on)
    if loan_id not in case.loan_ids:
        raise CaseworkError(Message("case.loan_not_in_case", loan_id=loan_id, case_id=case_id))
    command = SubmitProposal(new_id("PR"), case_id, loan_id, terms, on, note)
    position = (
        position_from_ledger(ledger_as_of(uow, loan_id, on)) if isinstance(terms, Waiver) else None
    )
    proposal = submit(command, actor, uow.cases.placements(case_id), position).proposal
    uow.proposals.add(proposal)
    audit.record(uow, actor, "proposal.submitted", case_id, None, _facts(proposal))
    return proposal


def _facts(proposal: Proposal) -> dict[str, Any]:
    """A proposal as the audit trail keeps it (the note's length, not its text)."""
    facts = vars_of(proposal)
    facts["note_chars"] = len(facts.pop("note"))
    return facts


def _decidable(uow: UnitOfWork, actor: Actor, proposal_id: str, on: date) -> Proposal:
    """The proposal, once the actor's role may decide and the case is in their scope."""
    require(actor, Permission.DECIDE_PROPOSAL)
    try:
        proposal = uow.proposals.get(proposal_id)
        visible_case(uow, actor, proposal.case_id, on)
    except CaseworkError as err:
        raise NotFound(Message("proposal.not_found", proposal_id=proposal_id)) from err
    return proposal


def approve_proposal(
    uow: UnitOfWork, actor: Actor, proposal_id: str, on: date, reason: str
) -> tuple[Proposal, Decision]:
    """Approve (supervisor): the decision and the ledger change it records."""
    proposal = _decidable(uow, actor, proposal_id, on)
    position = position_from_ledger(ledger_as_of(uow, proposal.loan_id, on))
    decided, event = approve(proposal, actor, on, reason, position)
    uow.proposals.save_decision(decided)
    uow.loans.store_adjustment(event)
    uow.loans.recompute_from(event.loan_id, event.effective_on)
    _audit_decision(uow, actor, proposal, decided, event)
    return decided, event


def _audit_decision(
    uow: UnitOfWork,
    actor: Actor,
    before: Proposal,
    after: Proposal,
    change: Decision | None,
) -> None:
    facts = {**_facts(after), "ledger_change": change}
    audit.record(uow, actor, "proposal.decided", before.case_id, _facts(before), facts)


def reject_proposal(
    uow: UnitOfWork, actor: Actor, proposal_id: str, on: date, reason: str
) -> Proposal:
    """Reject (supervisor), with the reason stored."""
    proposal = _decidable(uow, actor, proposal_id, on)
    decided, _ = reject(proposal, actor, on, reason)
    uow.proposals.save_decision(decided)
    _audit_decision(uow, actor, proposal, decided, None)
    return decided


def decide_proposal(
    uow: UnitOfWork, actor: Actor, proposal_id: str, approved: bool, on: date, reason: str
) -> Proposal:
    """Approve or reject: the one decision every front door makes."""
    if approved:
        return approve_proposal(uow, actor, proposal_id, on, reason)[0]
    return reject_proposal(uow, actor, proposal_id, on, reason)


def list_proposals(
    uow: UnitOfWork, actor: Actor, day: date, status: ProposalStatus | None = None
) -> list[Proposal]:
    """Proposals on the cases ``actor`` may see on ``day``."""
    return uow.proposals.listed(status, visible_case_ids(uow, actor, day))


def stored_schedule(uow: UnitOfWork, proposal_id: str) -> StoredSchedule:
    """An approved plan's installments as stored."""
    return uow.proposals.schedule(proposal_id)

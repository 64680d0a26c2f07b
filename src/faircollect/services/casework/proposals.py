"""Proposals (分期 / 减免): a collector submits, a supervisor approves or rejects.

Approval computes the ledger change from the loan's replay on the approval date and stores
it (``loan_adjustments``, and for a plan its new installments in
``restructured_installments``). Every ledger reader loads these with the loan
(``repository.load_adjustments``) and the replay applies them from their effective date;
nothing here rewrites payments or the original schedule (history stays). Approval also
flags the loan so the next incremental nightly run recomputes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, Row, select

from faircollect.adapters.db.ledger_runs import recompute_from
from faircollect.adapters.db.repository import store_adjustment
from faircollect.adapters.db.tables import proposals, restructured_installments
from faircollect.domain.casework.agencies import holder
from faircollect.domain.casework.errors import CaseworkError
from faircollect.domain.casework.proposals import (
    Decision,
    InstalmentPlan,
    Proposal,
    ProposalStatus,
    SubmitProposal,
    Terms,
    WaivedComponent,
    Waiver,
    approve,
    position_from_ledger,
    reject,
    submit,
)
from faircollect.domain.casework.roles import Actor, Role
from faircollect.domain.ledger.terms import Method
from faircollect.services.casework.case_store import load_case, load_placements, new_id
from faircollect.services.casework.ledger_reads import ledger_as_of
from faircollect.services.casework.uow import UnitOfWork


def _terms_columns(terms: Terms) -> dict[str, object]:
    if isinstance(terms, Waiver):
        return {"kind": "waiver", "component": terms.component.value, "amount": terms.amount}
    return {
        "kind": "plan",
        "months": terms.months,
        "annual_rate": terms.annual_rate,
        "first_due": terms.first_due,
        "method": terms.method.value,
    }


def _terms_of(row: Row[tuple[object, ...]]) -> Terms:
    m = row._mapping
    if m["kind"] == "waiver":
        return Waiver(WaivedComponent(m["component"]), m["amount"])
    return InstalmentPlan(m["months"], m["annual_rate"], m["first_due"], Method(m["method"]))


def load_proposal(conn: Connection, proposal_id: str) -> Proposal:
    row = conn.execute(select(proposals).where(proposals.c.proposal_id == proposal_id)).first()
    if row is None:
        raise CaseworkError(f"no proposal '{proposal_id}'")
    return Proposal(
        row.proposal_id,
        row.case_id,
        row.loan_id,
        _terms_of(row),
        row.submitted_by,
        row.submitted_on,
        row.note,
        ProposalStatus(row.status),
        row.decided_by,
        row.decided_on,
        row.decision_reason,
    )


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
    conn = uow.conn
    case = load_case(conn, case_id)
    if loan_id not in case.loan_ids:
        raise CaseworkError(f"loan '{loan_id}' is not in case {case_id}")
    command = SubmitProposal(new_id("PR"), case_id, loan_id, terms, on, note)
    proposal = submit(command, actor, load_placements(conn, case_id)).proposal
    conn.execute(
        proposals.insert().values(
            proposal_id=proposal.proposal_id,
            case_id=case_id,
            loan_id=loan_id,
            submitted_by=proposal.submitted_by,
            submitted_on=on,
            note=note,
            status=proposal.status.value,
            decision_reason="",
            **_terms_columns(terms),
        )
    )
    return proposal


def _store_decision(conn: Connection, decided: Proposal) -> None:
    conn.execute(
        proposals.update()
        .where(proposals.c.proposal_id == decided.proposal_id)
        .values(
            status=decided.status.value,
            decided_by=decided.decided_by,
            decided_on=decided.decided_on,
            decision_reason=decided.decision_reason,
        )
    )


def approve_proposal(
    uow: UnitOfWork, actor: Actor, proposal_id: str, on: date, reason: str
) -> tuple[Proposal, Decision]:
    """Approve (supervisor): the decision and the ledger change it records."""
    conn = uow.conn
    proposal = load_proposal(conn, proposal_id)
    position = position_from_ledger(ledger_as_of(conn, proposal.loan_id, on))
    decided, event = approve(proposal, actor, on, reason, position)
    _store_decision(conn, decided)
    store_adjustment(conn, event)
    recompute_from(conn, event.loan_id, event.effective_on)
    return decided, event


def reject_proposal(
    uow: UnitOfWork, actor: Actor, proposal_id: str, on: date, reason: str
) -> Proposal:
    """Reject (supervisor), with the reason stored."""
    conn = uow.conn
    decided, _ = reject(load_proposal(conn, proposal_id), actor, on, reason)
    _store_decision(conn, decided)
    return decided


def list_proposals(
    uow: UnitOfWork, actor: Actor, day: date, status: ProposalStatus | None = None
) -> list[Proposal]:
    """Proposals ``actor`` may see on ``day`` (an agency: those on cases it holds)."""
    query = select(proposals.c.proposal_id, proposals.c.case_id).order_by(
        proposals.c.submitted_on, proposals.c.proposal_id
    )
    if status is not None:
        query = query.where(proposals.c.status == status.value)
    placements = load_placements(uow.conn)
    visible = [
        row.proposal_id
        for row in uow.conn.execute(query)
        if actor.role is not Role.AGENCY or holder(placements, row.case_id, day) == actor.agency_id
    ]
    return [load_proposal(uow.conn, x) for x in visible]


@dataclass(frozen=True, slots=True)
class StoredSchedule:
    """An approved plan's stored installments: (number, due_on, principal, interest, fee)."""

    rows: tuple[tuple[int, date, int, int, int], ...]

    @property
    def principal(self) -> int:
        return sum(r[2] for r in self.rows)


def stored_schedule(uow: UnitOfWork, proposal_id: str) -> StoredSchedule:
    query = (
        select(restructured_installments)
        .where(restructured_installments.c.proposal_id == proposal_id)
        .order_by(restructured_installments.c.number)
    )
    return StoredSchedule(
        tuple((r.number, r.due_on, r.principal, r.interest, r.fee) for r in uow.conn.execute(query))
    )

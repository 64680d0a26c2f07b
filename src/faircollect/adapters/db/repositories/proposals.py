"""Proposals (分期 / 减免) and the schedules approved plans produce."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from faircollect.adapters.db.tables import proposals, restructured_installments
from faircollect.domain.casework.errors import CaseworkError
from faircollect.domain.casework.proposals import (
    InstalmentPlan,
    Proposal,
    ProposalStatus,
    Terms,
    WaivedComponent,
    Waiver,
)
from faircollect.domain.ledger.terms import Method
from faircollect.domain.messages import Message


@dataclass(frozen=True, slots=True)
class StoredSchedule:
    """An approved plan's stored installments: (number, due_on, principal, interest, fee)."""

    rows: tuple[tuple[int, date, int, int, int], ...]

    @property
    def principal(self) -> int:
        return sum(r[2] for r in self.rows)


class ProposalRepository:
    """Proposals of one unit of work."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, proposal: Proposal) -> None:
        self.conn.execute(
            proposals.insert().values(
                proposal_id=proposal.proposal_id,
                case_id=proposal.case_id,
                loan_id=proposal.loan_id,
                submitted_by=proposal.submitted_by,
                submitted_on=proposal.submitted_on,
                note=proposal.note,
                status=proposal.status.value,
                decision_reason="",
                **_terms_columns(proposal.terms),
            )
        )

    def get(self, proposal_id: str) -> Proposal:
        query = select(proposals).where(proposals.c.proposal_id == proposal_id)
        row = self.conn.execute(query).first()
        if row is None:
            raise CaseworkError(Message("proposal.not_found", proposal_id=proposal_id))
        return _proposal(row)

    def of_loans(self, loan_ids: Collection[str]) -> list[Proposal]:
        """Every proposal on these loans, newest first."""
        query = (
            select(proposals)
            .where(proposals.c.loan_id.in_(sorted(loan_ids)))
            .order_by(proposals.c.submitted_on.desc(), proposals.c.proposal_id)
        )
        return [_proposal(r) for r in self.conn.execute(query)]

    def save_decision(self, decided: Proposal) -> None:
        self.conn.execute(
            proposals.update()
            .where(proposals.c.proposal_id == decided.proposal_id)
            .values(
                status=decided.status.value,
                decided_by=decided.decided_by,
                decided_on=decided.decided_on,
                decision_reason=decided.decision_reason,
            )
        )

    def listed(
        self, status: ProposalStatus | None = None, case_ids: Collection[str] | None = None
    ) -> list[Proposal]:
        """Proposals by submission date (of one status, of some cases, when given)."""
        query = select(proposals).order_by(proposals.c.submitted_on, proposals.c.proposal_id)
        if status is not None:
            query = query.where(proposals.c.status == status.value)
        if case_ids is not None:
            query = query.where(proposals.c.case_id.in_(sorted(case_ids)))
        return [_proposal(r) for r in self.conn.execute(query)]

    def schedule(self, proposal_id: str) -> StoredSchedule:
        r = restructured_installments
        query = select(r).where(r.c.proposal_id == proposal_id).order_by(r.c.number)
        return StoredSchedule(
            tuple(
                (x.number, x.due_on, x.principal, x.interest, x.fee)
                for x in self.conn.execute(query)
            )
        )


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


def _terms(m: Any) -> Terms:
    if m["kind"] == "waiver":
        return Waiver(WaivedComponent(m["component"]), m["amount"])
    return InstalmentPlan(m["months"], m["annual_rate"], m["first_due"], Method(m["method"]))


def _proposal(row: Any) -> Proposal:
    return Proposal(
        row.proposal_id,
        row.case_id,
        row.loan_id,
        _terms(row._mapping),
        row.submitted_by,
        row.submitted_on,
        row.note,
        ProposalStatus(row.status),
        row.decided_by,
        row.decided_on,
        row.decision_reason,
    )

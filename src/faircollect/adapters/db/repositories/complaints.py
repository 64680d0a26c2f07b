"""Complaints borrowers filed (COMP-1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, select, update

from faircollect.adapters.db.tables import borrowers, complaints
from faircollect.domain.portal import ComplaintStatus


@dataclass(frozen=True, slots=True)
class Complaint:
    complaint_id: str
    borrower_id: str
    loan_id: str | None
    contact_id: str | None
    text: str
    evidence_text: str
    opened_at: datetime
    answer_by: date
    status: ComplaintStatus
    closed_at: datetime | None = None
    closed_by: str | None = None
    answer: str | None = None
    borrower_name: str = ""


class ComplaintRepository:
    """Complaints of one unit of work."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, c: Complaint) -> None:
        self.conn.execute(
            complaints.insert().values(
                complaint_id=c.complaint_id,
                borrower_id=c.borrower_id,
                loan_id=c.loan_id,
                contact_id=c.contact_id,
                text=c.text,
                evidence_text=c.evidence_text,
                opened_at=c.opened_at,
                answer_by=c.answer_by,
                status=c.status.value,
            )
        )

    def get(self, complaint_id: str) -> Complaint | None:
        found = self._select(complaints.c.complaint_id == complaint_id)
        return found[0] if found else None

    def of_borrower(self, borrower_id: str) -> list[Complaint]:
        return self._select(complaints.c.borrower_id == borrower_id)

    def with_status(self, status: ComplaintStatus | None) -> list[Complaint]:
        """Complaints (of one status, when given) by deadline."""
        if status is None:
            return self._select(None)
        return self._select(complaints.c.status == status.value)

    def open_for(self, borrower_id: str) -> bool:
        query = select(complaints.c.complaint_id).where(
            complaints.c.borrower_id == borrower_id,
            complaints.c.status == ComplaintStatus.OPEN.value,
        )
        return self.conn.execute(query.limit(1)).first() is not None

    def close(self, complaint_id: str, at: datetime, by: str, answer: str) -> None:
        self.conn.execute(
            update(complaints)
            .where(complaints.c.complaint_id == complaint_id)
            .values(status=ComplaintStatus.CLOSED.value, closed_at=at, closed_by=by, answer=answer)
        )

    def _select(self, where: object) -> list[Complaint]:
        c = complaints
        query = select(c, borrowers.c.name).join(
            borrowers, borrowers.c.borrower_id == c.c.borrower_id
        )
        if where is not None:
            query = query.where(where)  # type: ignore[arg-type]
        query = query.order_by(c.c.answer_by, c.c.opened_at, c.c.complaint_id)
        return [
            Complaint(
                r.complaint_id,
                r.borrower_id,
                r.loan_id,
                r.contact_id,
                r.text,
                r.evidence_text,
                r.opened_at,
                r.answer_by,
                ComplaintStatus(r.status),
                r.closed_at,
                r.closed_by,
                r.answer,
                r.name,
            )
            for r in self.conn.execute(query)
        ]

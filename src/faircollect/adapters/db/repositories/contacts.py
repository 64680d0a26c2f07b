"""Contact records (催记) and the screener's findings in them, for QA (质检)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select

from faircollect.adapters.db.tables import contact_records, qa_findings
from faircollect.domain.casework.contacts import ContactRecord, Outcome, Reason
from faircollect.domain.compliance.actions import Channel, Party
from faircollect.domain.compliance.findings import Finding

_ORDER = (contact_records.c.at, contact_records.c.record_id)


class ContactRepository:
    """The contact log of one unit of work."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(
        self,
        record: ContactRecord,
        borrower_id: str,
        loan_id: str | None,
        action_id: str | None = None,
    ) -> None:
        self.conn.execute(
            contact_records.insert().values(
                record_id=record.record_id,
                borrower_id=borrower_id,
                loan_id=loan_id,
                action_id=action_id,
                case_id=record.case_id or None,
                at=record.at,
                channel=record.channel.value,
                party=record.party.value,
                phone=record.number,
                actor=record.actor,
                outcome=record.outcome.value,
                reason=record.reason.value if record.reason else None,
                note=record.note,
            )
        )

    def add_findings(
        self, source: str, actor: str, at: datetime, findings: Sequence[Finding]
    ) -> None:
        """Keep screener findings for quality inspection (``source`` e.g. ``contact:R-…``)."""
        if not findings:
            return
        self.conn.execute(
            qa_findings.insert(),
            [
                {
                    "source": source,
                    "actor": actor,
                    "at": at,
                    "rule": f.rule,
                    "label": f.label.value,
                    "evidence": f.evidence,
                }
                for f in findings
            ],
        )

    def history(self, borrower_id: str) -> list[ContactRecord]:
        """Every 催记 on file for a borrower, oldest first (the gate's and the call's history)."""
        query = select(contact_records).where(contact_records.c.borrower_id == borrower_id)
        return [_record(r) for r in self.conn.execute(query.order_by(*_ORDER))]

    def between(self, start: datetime, end: datetime) -> list[ContactRecord]:
        """Every 催记 with ``start <= at < end``, oldest first."""
        c = contact_records
        query = select(c).where(c.c.at >= start, c.c.at < end)
        return [_record(r) for r in self.conn.execute(query.order_by(*_ORDER))]

    def of_case(self, case_id: str) -> list[dict[str, Any]]:
        """The case's 催记 as stored, oldest first (the case file's timeline)."""
        query = select(contact_records).where(contact_records.c.case_id == case_id)
        return [dict(r._mapping) for r in self.conn.execute(query.order_by(*_ORDER))]


def _record(r: Row[Any]) -> ContactRecord:
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

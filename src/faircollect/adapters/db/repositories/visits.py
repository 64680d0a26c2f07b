"""Home visits (外访) as planned and as they went."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from faircollect.adapters.db.tables import visits
from faircollect.domain.casework.visits import PlanVisit, VisitOutcome, VisitPlanned, VisitType


class VisitRepository:
    """Visits of one unit of work."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, planned: VisitPlanned) -> None:
        command = planned.plan
        assert command.notice_letter_sent_on is not None
        self.conn.execute(
            visits.insert().values(
                visit_id=command.visit_id,
                case_id=command.case_id,
                visit_type=command.visit_type.value,
                planned_on=command.planned_on,
                address=command.address,
                staff=",".join(command.staff),
                notice_letter_sent_on=command.notice_letter_sent_on,
                planned_by=planned.planned_by,
                note="",
            )
        )

    def find(self, visit_id: str) -> tuple[VisitPlanned, str | None] | None:
        """The visit as planned and its outcome (None while it waits for one); None if
        there is no such visit. Whether the caller may see it is the service's question."""
        row = self.conn.execute(select(visits).where(visits.c.visit_id == visit_id)).first()
        if row is None:
            return None
        command = PlanVisit(
            row.visit_id,
            row.case_id,
            VisitType(row.visit_type),
            row.planned_on,
            row.address,
            tuple(row.staff.split(",")),
            row.notice_letter_sent_on,
            True,
            True,
        )
        return VisitPlanned(command, row.planned_by), row.outcome

    def record_outcome(
        self,
        visit_id: str,
        started_at: datetime,
        outcome: VisitOutcome,
        recording_ref: str,
        note: str,
    ) -> None:
        self.conn.execute(
            visits.update()
            .where(visits.c.visit_id == visit_id)
            .values(
                started_at=started_at, outcome=outcome.value, recording_ref=recording_ref, note=note
            )
        )

    def of_case(self, case_id: str) -> list[dict[str, Any]]:
        query = select(visits).where(visits.c.case_id == case_id).order_by(visits.c.planned_on)
        return [dict(r._mapping) for r in self.conn.execute(query)]

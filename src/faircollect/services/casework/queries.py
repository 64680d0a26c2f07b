"""Reading cases: the list a user may see and one case in full (history, contacts,
promises, proposals, visits). Agency users see only the cases their agency holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from faircollect.adapters.db.tables import (
    case_events,
    case_loans,
    cases,
    contact_records,
    follow_ups,
    promises,
    proposals,
    visits,
)
from faircollect.domain.casework.agencies import require_case_access, visible_case_ids
from faircollect.domain.casework.cases import CaseStatus
from faircollect.domain.casework.errors import CaseworkError
from faircollect.domain.casework.roles import Actor, Role
from faircollect.services.casework.case_store import load_placements
from faircollect.services.casework.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class CaseLine:
    case_id: str
    borrower_id: str
    status: str
    owner: str
    opened_on: date
    loan_ids: tuple[str, ...]


def list_cases(
    uow: UnitOfWork, actor: Actor, day: date, status: CaseStatus | None = None
) -> list[CaseLine]:
    """The cases ``actor`` may see on ``day``, optionally of one status, by case id."""
    conn = uow.conn
    query = select(cases).order_by(cases.c.case_id)
    if status is not None:
        query = query.where(cases.c.status == status.value)
    if actor.role is Role.AGENCY:
        assert actor.agency_id is not None
        allowed = visible_case_ids(load_placements(conn), actor.agency_id, day)
        query = query.where(cases.c.case_id.in_(sorted(allowed)))
    loans: dict[str, list[str]] = {}
    for case_id, loan_id in conn.execute(select(case_loans).order_by(case_loans.c.loan_id)):
        loans.setdefault(case_id, []).append(loan_id)
    return [
        CaseLine(
            r.case_id,
            r.borrower_id,
            r.status,
            f"{r.owner_kind}:{r.owner_id}",
            r.opened_on,
            tuple(loans.get(r.case_id, ())),
        )
        for r in conn.execute(query)
    ]


def _rows(uow: UnitOfWork, table: Any, case_id: str, *order: Any) -> list[dict[str, Any]]:
    query = select(table).where(table.c.case_id == case_id).order_by(*order)
    return [dict(r._mapping) for r in uow.conn.execute(query)]


def show_case(uow: UnitOfWork, actor: Actor, case_id: str, day: date) -> dict[str, Any]:
    """Everything on file for one case; PermissionDenied for an agency not holding it."""
    require_case_access(actor, case_id, load_placements(uow.conn, case_id), day)
    lines = [c for c in list_cases(uow, actor, day) if c.case_id == case_id]
    if not lines:
        raise CaseworkError(f"no case '{case_id}'")
    return {
        "case": lines[0],
        "history": _rows(uow, case_events, case_id, case_events.c.event_id),
        "contacts": _rows(uow, contact_records, case_id, contact_records.c.at),
        "promises": _rows(uow, promises, case_id, promises.c.made_on),
        "proposals": _rows(uow, proposals, case_id, proposals.c.submitted_on),
        "visits": _rows(uow, visits, case_id, visits.c.planned_on),
        "follow_ups": _rows(uow, follow_ups, case_id, follow_ups.c.due_on),
    }

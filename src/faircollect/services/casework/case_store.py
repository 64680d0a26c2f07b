"""Cases and placements between rows and domain values.

A case is loaded with its current status and owner; its stored history stays in
``case_events`` (read by ``queries``). Saving appends the events the domain added and
updates the current status and owner: history is never rewritten.
"""

from __future__ import annotations

from uuid import uuid4

from sqlalchemy import Connection, select

from faircollect.adapters.db.tables import case_events, case_loans, cases, placements
from faircollect.domain.casework.agencies import Placement
from faircollect.domain.casework.cases import (
    Case,
    CaseEvent,
    CaseOpened,
    CaseStatus,
    Owner,
    OwnerAssigned,
    OwnerKind,
    StatusChanged,
)
from faircollect.domain.casework.errors import CaseworkError


def load_case(conn: Connection, case_id: str) -> Case:
    """The case as it stands; CaseworkError naming the id when there is none."""
    row = conn.execute(select(cases).where(cases.c.case_id == case_id)).first()
    if row is None:
        raise CaseworkError(f"no case '{case_id}'")
    loans = conn.execute(
        select(case_loans.c.loan_id).where(case_loans.c.case_id == case_id).order_by("loan_id")
    ).scalars()
    owner = Owner(OwnerKind(row.owner_kind), row.owner_id)
    return Case(row.case_id, row.borrower_id, tuple(loans), owner, CaseStatus(row.status), ())


def insert_case(conn: Connection, case: Case) -> None:
    """Store a newly opened case with its loans and its opening event."""
    opened = case.history[0]
    assert isinstance(opened, CaseOpened)
    conn.execute(
        cases.insert().values(
            case_id=case.case_id,
            borrower_id=case.borrower_id,
            status=case.status.value,
            owner_kind=case.owner.kind.value,
            owner_id=case.owner.owner_id,
            opened_on=opened.on,
        )
    )
    conn.execute(
        case_loans.insert(), [{"case_id": case.case_id, "loan_id": x} for x in case.loan_ids]
    )
    _append(conn, case.history)


def save_case(conn: Connection, before: Case, after: Case) -> None:
    """Append the events ``after`` gained over ``before`` and store its status and owner."""
    new = after.history[len(before.history) :]
    if not new:
        return
    conn.execute(
        cases.update()
        .where(cases.c.case_id == after.case_id)
        .values(
            status=after.status.value,
            owner_kind=after.owner.kind.value,
            owner_id=after.owner.owner_id,
        )
    )
    _append(conn, new)


def _event_row(event: CaseEvent) -> dict[str, object]:
    base = {"case_id": event.case_id, "happened_on": event.on, "actor": event.actor}
    if isinstance(event, CaseOpened):
        owner = f"{event.owner.kind}:{event.owner.owner_id}"
        return {**base, "kind": "opened", "to_value": owner, "reason": " ".join(event.loan_ids)}
    if isinstance(event, StatusChanged):
        return {
            **base,
            "kind": "status",
            "from_value": event.from_status.value,
            "to_value": event.to_status.value,
            "reason": event.reason,
        }
    assert isinstance(event, OwnerAssigned)
    return {
        **base,
        "kind": "owner",
        "from_value": f"{event.from_owner.kind}:{event.from_owner.owner_id}",
        "to_value": f"{event.to_owner.kind}:{event.to_owner.owner_id}",
        "reason": event.reason,
    }


def _append(conn: Connection, events: tuple[CaseEvent, ...]) -> None:
    conn.execute(case_events.insert(), [_event_row(e) for e in events])


def load_placements(conn: Connection, case_id: str | None = None) -> list[Placement]:
    """Every placement (of one case, when given), oldest first."""
    query = select(placements).order_by(placements.c.placed_on, placements.c.placement_id)
    if case_id is not None:
        query = query.where(placements.c.case_id == case_id)
    return [
        Placement(r.placement_id, r.agency_id, r.case_id, r.placed_on, r.recalled_on)
        for r in conn.execute(query)
    ]


def new_id(prefix: str) -> str:
    """A fresh unique id such as ``R-3f2a9c01d4e5`` for records made by a service."""
    return f"{prefix}-{uuid4().hex[:12]}"

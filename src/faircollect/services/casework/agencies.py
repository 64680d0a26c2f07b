"""Agencies (委外): place and recall cases, and the monthly commission statement.

Placing hands the case to the agency (owner and status ``with_agency``); recalling hands
it back to a collector. The statement pays the agency's rate on money actually repaid on
its cases while it held them, and the plan rate on money repaid under an approved
instalment plan (from the date the plan took effect).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from faircollect.adapters.db.tables import agencies, case_loans, loan_adjustments, payments
from faircollect.adapters.db.tables import placements as placements_table
from faircollect.domain.casework.agencies import (
    CommissionTerms,
    PlaceCase,
    RecallCase,
    Repayment,
    Statement,
    commission_statement,
    place,
    recall,
)
from faircollect.domain.casework.cases import (
    AssignOwner,
    CaseStatus,
    ChangeStatus,
    Owner,
    OwnerKind,
    change_status,
)
from faircollect.domain.casework.errors import CaseworkError, PermissionDenied
from faircollect.domain.casework.roles import Actor, Permission, Role, require
from faircollect.services.casework.case_store import load_case, load_placements, new_id, save_case
from faircollect.services.casework.uow import UnitOfWork


def _terms(uow: UnitOfWork, agency_id: str) -> CommissionTerms:
    row = uow.conn.execute(select(agencies).where(agencies.c.agency_id == agency_id)).first()
    if row is None:
        raise CaseworkError(f"no agency '{agency_id}'")
    return CommissionTerms(row.agency_id, row.rate, row.plan_rate)


def place_case(
    uow: UnitOfWork,
    actor: Actor,
    case_id: str,
    agency_id: str,
    on: date,
    recall_on: date | None = None,
) -> str:
    """Place a case with an agency from ``on``; returns the placement id."""
    conn = uow.conn
    _terms(uow, agency_id)
    placed = place(
        load_placements(conn, case_id), PlaceCase(new_id("PL"), case_id, agency_id, on), actor
    )
    case = load_case(conn, case_id)
    reason = f"placed with {agency_id} ({placed.placement.placement_id})"
    moved = case
    if case.status is not CaseStatus.WITH_AGENCY:
        moved = change_status(
            case, ChangeStatus(case_id, CaseStatus.WITH_AGENCY, on, actor.user_id, reason), actor
        )
    moved = moved.assigned(
        AssignOwner(case_id, Owner(OwnerKind.AGENCY, agency_id), on, actor.user_id, reason)
    )
    save_case(conn, case, moved)
    p = placed.placement
    conn.execute(
        placements_table.insert().values(
            placement_id=p.placement_id,
            agency_id=agency_id,
            case_id=case_id,
            placed_on=on,
            recall_on=recall_on,
            placed_by=actor.user_id,
        )
    )
    return p.placement_id


def recall_case(
    uow: UnitOfWork, actor: Actor, case_id: str, on: date, reason: str, to_collector: str
) -> str:
    """Take the case back from its agency on ``on`` and give it to ``to_collector``."""
    conn = uow.conn
    current = [p for p in load_placements(conn, case_id) if p.recalled_on is None]
    if not current:
        raise CaseworkError(f"case {case_id} is not placed with an agency")
    event = recall(current[0], RecallCase(current[0].placement_id, on, reason), actor)
    conn.execute(
        placements_table.update()
        .where(placements_table.c.placement_id == event.placement_id)
        .values(recalled_on=on)
    )
    case = load_case(conn, case_id)
    why = f"recalled from {event.agency_id}: {reason}"
    moved = case.assigned(
        AssignOwner(case_id, Owner(OwnerKind.COLLECTOR, to_collector), on, actor.user_id, why)
    )
    if moved.status is CaseStatus.WITH_AGENCY:
        moved = moved.moved(ChangeStatus(case_id, CaseStatus.CONTACTED, on, actor.user_id, why))
    save_case(conn, case, moved)
    return event.placement_id


def _may_see_statement(actor: Actor, agency_id: str) -> None:
    if actor.role is Role.AGENCY:
        if actor.agency_id != agency_id:
            raise PermissionDenied(
                f"{actor.user_id} (agency {actor.agency_id}) may not see {agency_id}'s statement"
            )
        return
    require(actor, Permission.PLACE_CASE)


def statement(uow: UnitOfWork, actor: Actor, agency_id: str, year: int, month: int) -> Statement:
    """The agency's commission statement for a calendar month, exact to the fen."""
    _may_see_statement(actor, agency_id)
    conn = uow.conn
    terms = _terms(uow, agency_id)
    held = [p for p in load_placements(conn) if p.agency_id == agency_id]
    case_ids = sorted({p.case_id for p in held})
    rows = conn.execute(
        select(case_loans.c.case_id, payments)
        .join(payments, payments.c.loan_id == case_loans.c.loan_id)
        .where(case_loans.c.case_id.in_(case_ids))
    ).all()
    repayments = [Repayment(r.payment_id, r.case_id, r.loan_id, r.paid_on, r.amount) for r in rows]
    plans = conn.execute(
        select(loan_adjustments.c.loan_id, func.min(loan_adjustments.c.effective_on))
        .where(loan_adjustments.c.kind == "restructure")
        .group_by(loan_adjustments.c.loan_id)
    ).all()
    return commission_statement(terms, year, month, held, repayments, {r[0]: r[1] for r in plans})

"""Agencies (委外): place and recall cases, and the monthly commission statement.

Placing hands the case to the agency (owner and status ``with_agency``); recalling hands
it back to a collector. The statement pays the agency's rate on money actually repaid on
its cases while it held them, and the plan rate on money repaid under an approved
instalment plan (from the date the plan took effect).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from faircollect.adapters.db.repositories.cases import CaseFilter, CaseLine
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.domain.casework.agencies import (
    CommissionTerms,
    PlaceCase,
    RecallCase,
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
from faircollect.domain.messages import Message
from faircollect.domain.organisation import AgencyTerms
from faircollect.services import audit
from faircollect.services.casework.cases import visible_case
from faircollect.services.casework.ids import new_id


def _terms(uow: UnitOfWork, agency_id: str) -> CommissionTerms:
    agency = uow.org.agency(agency_id)
    if agency is None:
        raise CaseworkError(Message("agency.not_found", agency_id=agency_id))
    return CommissionTerms(agency.agency_id, agency.rate, agency.plan_rate)


def place_case(
    uow: UnitOfWork,
    actor: Actor,
    case_id: str,
    agency_id: str,
    on: date,
    recall_on: date | None = None,
) -> str:
    """Place a case with an agency from ``on``; returns the placement id."""
    _terms(uow, agency_id)
    case = visible_case(uow, actor, case_id, on)
    placed = place(
        uow.cases.placements(case_id), PlaceCase(new_id("PL"), case_id, agency_id, on), actor
    )
    reason = f"placed with {agency_id} ({placed.placement.placement_id})"
    moved = case
    if case.status is not CaseStatus.WITH_AGENCY:
        moved = change_status(
            case, ChangeStatus(case_id, CaseStatus.WITH_AGENCY, on, actor.user_id, reason), actor
        )
    moved = moved.assigned(
        AssignOwner(case_id, Owner(OwnerKind.AGENCY, agency_id), on, actor.user_id, reason)
    )
    uow.cases.save(case, moved)
    uow.cases.add_placement(placed.placement, recall_on, actor.user_id)
    audit.record(
        uow,
        actor,
        "case.placed",
        case_id,
        {"owner": case.owner, "status": case.status},
        {
            "owner": moved.owner,
            "status": moved.status,
            "placement_id": placed.placement.placement_id,
            "on": on,
            "recall_on": recall_on,
        },
    )
    return placed.placement.placement_id


def recall_case(
    uow: UnitOfWork, actor: Actor, case_id: str, on: date, reason: str, to_collector: str
) -> str:
    """Take the case back from its agency on ``on`` and give it to ``to_collector``."""
    case = visible_case(uow, actor, case_id, on)
    current = [p for p in uow.cases.placements(case_id) if p.recalled_on is None]
    if not current:
        raise CaseworkError(Message("agency.not_placed", case_id=case_id))
    event = recall(current[0], RecallCase(current[0].placement_id, on, reason), actor)
    uow.cases.mark_recalled(event.placement_id, on)
    why = f"recalled from {event.agency_id}: {reason}"
    moved = case.assigned(
        AssignOwner(case_id, Owner(OwnerKind.COLLECTOR, to_collector), on, actor.user_id, why)
    )
    if moved.status is CaseStatus.WITH_AGENCY:
        moved = moved.moved(ChangeStatus(case_id, CaseStatus.CONTACTED, on, actor.user_id, why))
    uow.cases.save(case, moved)
    audit.record(
        uow,
        actor,
        "case.recalled",
        case_id,
        {"owner": case.owner, "status": case.status},
        {
            "owner": moved.owner,
            "status": moved.status,
            "placement_id": event.placement_id,
            "on": on,
            "reason": reason,
        },
    )
    return event.placement_id


def _may_see_statement(actor: Actor, agency_id: str) -> None:
    if actor.role is Role.AGENCY:
        if actor.agency_id != agency_id:
            raise PermissionDenied(
                Message(
                    "agency.other_statement",
                    user_id=actor.user_id,
                    own=actor.agency_id,
                    agency_id=agency_id,
                )
            )
        return
    require(actor, Permission.PLACE_CASE)


def statement(uow: UnitOfWork, actor: Actor, agency_id: str, year: int, month: int) -> Statement:
    """The agency's commission statement for a calendar month, exact to the fen."""
    _may_see_statement(actor, agency_id)
    terms = _terms(uow, agency_id)
    held = [p for p in uow.cases.placements() if p.agency_id == agency_id]
    repayments = uow.loans.repayments_of_cases({p.case_id for p in held})
    return commission_statement(terms, year, month, held, repayments, uow.loans.plan_starts())


@dataclass(frozen=True, slots=True)
class AgencyDesk:
    """What an agency's page shows: the agency, the cases it holds today, one month's
    commission statement."""

    agency: AgencyTerms
    cases: list[CaseLine]
    statement: Statement


def agency_desk(
    uow: UnitOfWork,
    actor: Actor,
    day: date,
    year: int,
    month: int,
    agency_id: str | None = None,
) -> AgencyDesk:
    """An agency user's own desk (``agency_id`` is theirs); a supervisor or admin names
    the agency. PermissionDenied for anyone else, or for another agency's user."""
    wanted = agency_id or actor.agency_id
    if wanted is None:
        require(actor, Permission.PLACE_CASE)
        raise CaseworkError(Message("agency.name_it"))
    found = statement(uow, actor, wanted, year, month)
    agency = uow.org.agency(wanted)
    assert agency is not None  # statement() refused an unknown agency
    held = uow.cases.held_by(wanted, day)
    lines = uow.cases.lines(CaseFilter(case_ids=frozenset(held)), sort="-dpd")[0] if held else []
    return AgencyDesk(agency, lines, found)

"""Cases as a user sees them: the list, one case's whole file, reassignment.

Visibility (``domain.casework.visibility``) is applied here, for every front door: a case
outside the user's scope is ``NotFound``, exactly like a case that does not exist.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any

from faircollect.adapters.db.repositories.cases import CaseFilter, CaseLine
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.domain.casework.cases import (
    AssignOwner,
    Case,
    CaseStatus,
    Owner,
    OwnerKind,
)
from faircollect.domain.casework.errors import CaseworkError, NotFound
from faircollect.domain.casework.roles import Actor, Permission, Role, require
from faircollect.domain.casework.visibility import Scope, scope_of
from faircollect.domain.messages import Message
from faircollect.domain.portal import ComplaintStatus
from faircollect.domain.privacy import SEES_FULL_ID, id_number_for, mask_phone
from faircollect.services import audit

MAX_PAGE_SIZE = 200


def scope(uow: UnitOfWork, actor: Actor, day: date) -> Scope:
    """What ``actor`` may see on ``day``."""
    members: set[str] = set()
    if actor.role is Role.SUPERVISOR and actor.team_id is not None:
        members = uow.org.team_members(actor.team_id)
    held: set[str] = set()
    if actor.role is Role.AGENCY and actor.agency_id is not None:
        held = uow.cases.held_by(actor.agency_id, day)
    return scope_of(actor, members, held)


def visible_case(uow: UnitOfWork, actor: Actor, case_id: str, day: date) -> Case:
    """The case, if ``actor`` may see it on ``day``; NotFound otherwise (also when it
    does not exist: the two are indistinguishable)."""
    if uow.cases.exists(case_id):
        case = uow.cases.get(case_id)
        if scope(uow, actor, day).sees(case.case_id, case.owner):
            return case
    raise NotFound(Message("case.not_found", case_id=case_id))


@dataclass(frozen=True, slots=True)
class CasePage:
    items: list[CaseLine]
    total: int
    page: int
    size: int


def list_cases(
    uow: UnitOfWork,
    actor: Actor,
    day: date,
    status: CaseStatus | None = None,
    *,
    query: str | None = None,
    sort: str = "case_id",
    page: int = 1,
    size: int = MAX_PAGE_SIZE,
) -> CasePage:
    """One page of the cases ``actor`` may see on ``day`` (optionally of one status, or
    matching ``query``: case id, loan id, borrower id, phone, or part of a name)."""
    if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        raise CaseworkError(Message("case.page", high=MAX_PAGE_SIZE))
    where = replace(
        case_filter(scope(uow, actor, day)),
        status=status.value if status else None,
        query=query or None,
    )
    items, total = uow.cases.lines(where, sort=sort, offset=(page - 1) * size, limit=size)
    return CasePage(items, total, page, size)


def case_filter(seen: Scope) -> CaseFilter:
    """The case-list filter that selects exactly the cases of ``seen``."""
    if seen.everything:
        return CaseFilter()
    return CaseFilter(frozenset(seen.collectors), frozenset(seen.case_ids), agencies=seen.agencies)


def visible_case_ids(uow: UnitOfWork, actor: Actor, day: date) -> set[str] | None:
    """The ids of every case ``actor`` may see on ``day``; None when that is every case."""
    seen = scope(uow, actor, day)
    if seen.everything:
        return None
    lines, _ = uow.cases.lines(case_filter(seen))
    return {line.case_id for line in lines}


@dataclass(frozen=True, slots=True)
class CaseFile:
    """Everything on file for one case, personal data shown as the viewer's role allows."""

    case: CaseLine
    borrower: dict[str, Any]
    contacts: list[dict[str, Any]]
    loans: list[dict[str, Any]]
    history: list[dict[str, Any]] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    promises: list[dict[str, Any]] = field(default_factory=list)
    proposals: list[dict[str, Any]] = field(default_factory=list)
    visits: list[dict[str, Any]] = field(default_factory=list)
    follow_ups: list[dict[str, Any]] = field(default_factory=list)
    complaints: list[dict[str, Any]] = field(default_factory=list)
    """The borrower's complaints filed in the portal that are open: contact is paused
    (COMP-1) until compliance answers them."""


def show_case(uow: UnitOfWork, actor: Actor, case_id: str, day: date) -> CaseFile:
    """The case's whole file (NotFound when ``actor`` may not see it)."""
    case = visible_case(uow, actor, case_id, day)
    line = uow.cases.lines(CaseFilter(case_ids=frozenset({case_id})), limit=1)[0][0]
    states = uow.loans.states(case.loan_ids)
    borrower = _borrower(uow, actor, case.borrower_id)
    contacts = _contacts(uow, actor, case.borrower_id)
    _audit_view(uow, actor, case, contacts)
    return CaseFile(
        case=line,
        borrower=borrower,
        contacts=contacts,
        loans=[_loan_line(loan_id, states.get(loan_id)) for loan_id in case.loan_ids],
        history=uow.cases.history(case_id),
        records=uow.contacts.of_case(case_id),
        promises=[vars_of(p) for p in uow.promises.listed(case_ids=[case_id])],
        proposals=[vars_of(p) for p in uow.proposals.listed(case_ids=[case_id])],
        visits=uow.visits.of_case(case_id),
        follow_ups=uow.cases.follow_ups(case_id),
        complaints=[
            {"complaint_id": c.complaint_id, "answer_by": c.answer_by, "opened_at": c.opened_at}
            for c in uow.complaints.of_borrower(case.borrower_id)
            if c.status is ComplaintStatus.OPEN
        ],
    )


OWNER_FIELDS = ("actor", "from_value", "to_value")
"""A history event's fields that can name a user (who acted; an owner before and after)."""


def names_of(uow: UnitOfWork, found: CaseFile) -> dict[str, str]:
    """The names of the users in a case file (who acted in its history and contact
    records, who owned it), by user id, for a page to show people by name."""
    acting = {str(r.get("actor")) for r in found.records}
    for event in found.history:
        acting |= {str(event.get(k) or "").removeprefix("collector:") for k in OWNER_FIELDS}
    return {p.user_id: p.name for p in uow.org.people() if p.user_id in acting}


def _audit_view(uow: UnitOfWork, actor: Actor, case: Case, contacts: list[dict[str, Any]]) -> None:
    """Who saw whose personal data in clear: the whole ID number (roles that see it) and
    which phone numbers unmasked (the borrower's always, a contact's when shown whole)."""
    full = actor.role in SEES_FULL_ID
    shown = ["borrower"] + [
        f"contact:{c['contact_id']}" for c in contacts if "*" not in str(c["phone"])
    ]
    audit.record(
        uow,
        actor,
        "personal_data.viewed",
        case.case_id,
        None,
        {
            "borrower_id": case.borrower_id,
            "id_number_shown": "whole" if full else "masked",
            "phones_unmasked": shown,
        },
    )


def _borrower(uow: UnitOfWork, actor: Actor, borrower_id: str) -> dict[str, Any]:
    borrower = uow.loans.borrower(borrower_id)
    if borrower is None:
        raise NotFound(Message("borrower.not_found", borrower_id=borrower_id))
    return {
        "borrower_id": borrower.borrower_id,
        "name": borrower.name,
        "phones": [borrower.phone],
        "id_number": id_number_for(actor.role, borrower.id_number),
        "city": borrower.city,
    }


def _contacts(uow: UnitOfWork, actor: Actor, borrower_id: str) -> list[dict[str, Any]]:
    """Registered contacts; only emergency contacts may be called (CN-3P-1, PI-1), so
    others' numbers are masked for roles that do not see everything."""
    full = actor.role in SEES_FULL_ID
    return [
        {
            "contact_id": c.contact_id,
            "name": c.contact.name,
            "relation": c.contact.relation,
            "phone": c.contact.phone
            if full or c.contact.is_emergency
            else mask_phone(c.contact.phone),
            "is_emergency": c.contact.is_emergency,
        }
        for c in uow.loans.contacts(borrower_id)
    ]


def _loan_line(loan_id: str, state: dict[str, Any] | None) -> dict[str, Any]:
    if state is None:
        return {"loan_id": loan_id, "dpd": 0, "bucket": None, "stage": None}
    total = (
        state["overdue_principal"]
        + state["overdue_interest"]
        + state["overdue_fee"]
        + state["penalty"]
    )
    return {
        "loan_id": loan_id,
        "as_of": state["as_of"],
        "dpd": state["dpd"],
        "bucket": state["bucket"],
        "stage": state["stage"],
        "total_overdue": total,
        "overdue_principal": state["overdue_principal"],
        "outstanding_principal": state["outstanding_principal"],
        "next_due_on": state["next_due_on"],
    }


def vars_of(value: Any) -> dict[str, Any]:
    """A dataclass (slots or not) as a plain dict of its fields."""
    return asdict(value)


def reassign_case(
    uow: UnitOfWork, actor: Actor, case_id: str, to_collector: str, on: date, reason: str
) -> Case:
    """A supervisor hands a case to a collector of their team (an admin: to anyone)."""
    require(actor, Permission.ASSIGN_CASE)
    case = visible_case(uow, actor, case_id, on)
    person = uow.org.person(to_collector)
    if person is None or person.role is not Role.COLLECTOR:
        raise CaseworkError(Message("case.not_collector", user_id=to_collector))
    if actor.role is not Role.ADMIN and person.team_id != actor.team_id:
        raise CaseworkError(Message("case.not_your_team", user_id=to_collector))
    if not reason.strip():
        raise CaseworkError(Message("case.reassign_no_reason"))
    if case.owner.kind is OwnerKind.AGENCY:
        raise CaseworkError(
            Message("case.with_agency", case_id=case_id, holder=case.owner.owner_id)
        )
    owner = Owner(OwnerKind.COLLECTOR, to_collector)
    moved = case.assigned(AssignOwner(case_id, owner, on, actor.user_id, reason))
    uow.cases.save(case, moved)
    audit.record(
        uow,
        actor,
        "case.reassigned",
        case_id,
        {"owner": case.owner, "status": case.status},
        {"owner": moved.owner, "status": moved.status, "on": on, "reason": reason},
    )
    return moved

"""A collector's day: the queue, cases, one case's file, recording a contact."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from faircollect.domain.casework.cases import CaseStatus
from faircollect.domain.casework.contacts import Outcome, Reason
from faircollect.domain.compliance.actions import Channel, Party, Purpose
from faircollect.domain.messages import Message
from faircollect.services.casework import cases, contacts, queue
from faircollect.web.api import convert
from faircollect.web.api.schemas import (
    CaseFile,
    CaseList,
    ContactCreated,
    ContactRequest,
    Denied,
    ErrorBody,
    IsoDate,
    Queue,
    Reassign,
)
from faircollect.web.context import CurrentUser, now, today, unit
from faircollect.web.errors import InvalidField
from faircollect.web.idempotency import IDEMPOTENT, IdempotentRoute

router = APIRouter(tags=["work"], route_class=IdempotentRoute)
REFUSALS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody},
    403: {"model": ErrorBody},
    404: {"model": ErrorBody},
    422: {"model": ErrorBody},
}


def choice(kind: Any, value: str | None, field: str) -> Any:
    """``kind(value)`` or InvalidField naming the field and the allowed values."""
    if value is None:
        return None
    try:
        return kind(value)
    except ValueError:
        raise InvalidField(
            field, Message("input.choice", value=value, allowed=[v.value for v in kind])
        ) from None


@router.get("/queue", response_model=Queue, responses=REFUSALS)
def get_queue(
    user: CurrentUser, request: Request, day: Annotated[IsoDate | None, Query(alias="date")] = None
) -> dict[str, Any]:
    """The caller's work for the day, most urgent first."""
    on = day or today(request)
    with unit(request) as uow:
        items = queue.morning_queue(uow, user.actor, on, today=today(request))
    return {"date": on.isoformat(), "items": [convert.plain(i) for i in items]}


@router.get("/cases", response_model=CaseList, responses=REFUSALS)
def list_cases(
    user: CurrentUser,
    request: Request,
    status: str | None = None,
    q: Annotated[str | None, Query(max_length=128)] = None,
    sort: Annotated[str, Query(max_length=32)] = "case_id",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    size: Annotated[int, Query(ge=1, le=cases.MAX_PAGE_SIZE)] = 50,
) -> dict[str, Any]:
    """The cases the caller may see; ``q`` searches case, loan and borrower ids and phones."""
    wanted = choice(CaseStatus, status, "status")
    with unit(request) as uow:
        found = cases.list_cases(
            uow, user.actor, today(request), wanted, query=q, sort=sort, page=page, size=size
        )
    return {
        "items": [convert.case_item(x) for x in found.items],
        "total": found.total,
        "page": found.page,
        "size": found.size,
    }


@router.get("/cases/{case_id}", response_model=CaseFile, responses=REFUSALS)
def get_case(case_id: str, user: CurrentUser, request: Request) -> dict[str, Any]:
    """The whole case file; 404 when the caller may not see the case."""
    with unit(request) as uow:
        found = cases.show_case(uow, user.actor, case_id, today(request))
    body = convert.plain(found)
    body["case"] = convert.case_item(found.case)
    return dict(body)


@router.post(
    "/cases/{case_id}/contacts",
    status_code=201,
    response_model=ContactCreated,
    responses={**REFUSALS, 422: {"model": Denied | ErrorBody}},
    dependencies=[IDEMPOTENT],
)
def add_contact(
    case_id: str, body: ContactRequest, user: CurrentUser, request: Request
) -> dict[str, Any]:
    """Record a contact (催记) through the compliance gate: 422 ``denied`` with the rules,
    their reasons and when it would become lawful, and nothing stored."""
    at = body.at or now(request)
    if at.tzinfo is None:
        raise InvalidField("at", Message("input.time_offset"))
    new = contacts.NewContact(
        case_id,
        at,
        choice(Channel, body.channel, "channel"),
        choice(Party, body.party, "party"),
        body.number,
        choice(Outcome, body.outcome, "outcome"),
        choice(Reason, body.reason, "reason"),
        body.note,
        body.loan_id,
        contacts.ContactFacts(
            body.recorded, choice(Purpose, body.purpose, "purpose"), body.discloses_debt
        ),
        body.action_id,
    )
    with unit(request) as uow:
        record = contacts.add_contact(uow, user.actor, new, today=today(request))
    return {"contact_id": record.record_id, "status": "recorded"}


@router.put("/cases/{case_id}/owner", responses=REFUSALS)
def reassign(case_id: str, body: Reassign, user: CurrentUser, request: Request) -> dict[str, Any]:
    """A supervisor hands the case to a collector of the team."""
    with unit(request) as uow:
        moved = cases.reassign_case(uow, user.actor, case_id, body.to, today(request), body.reason)
    return {"case_id": moved.case_id, "owner": moved.owner.owner_id}

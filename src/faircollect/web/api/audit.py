"""The audit trail for compliance officers and admins (everyone else: 404)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from faircollect.domain.messages import Message
from faircollect.services import audit
from faircollect.web.api.schemas import AuditList, ErrorBody, IsoDate
from faircollect.web.context import CurrentUser, unit
from faircollect.web.errors import InvalidField

router = APIRouter(tags=["audit"])
REFUSALS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody},
    404: {"model": ErrorBody},
    422: {"model": ErrorBody},
}


@router.get("/audit", response_model=AuditList, responses=REFUSALS)
def list_audit(
    user: CurrentUser,
    request: Request,
    since: Annotated[IsoDate | None, Query(alias="from")] = None,
    until: Annotated[IsoDate | None, Query(alias="to")] = None,
    actor: Annotated[str | None, Query(max_length=64)] = None,
    subject: Annotated[str | None, Query(max_length=128)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    size: Annotated[int, Query(ge=1, le=audit.MAX_PAGE_SIZE)] = 50,
) -> dict[str, Any]:
    """Audit entries newest first, filtered by days ``from``..``to`` (Shanghai, both
    included), actor, subject (case or loan id) and action."""
    if since and until and until < since:
        raise InvalidField("to", Message("dates.to_before_from", until=until, since=since))
    query = audit.AuditQuery(since, until, actor, subject, action)
    with unit(request) as uow:
        found = audit.audit_entries(uow, user.actor, query, page, size)
    return {
        "items": [_item(e) for e in found.items],
        "total": found.total,
        "page": found.page,
        "size": found.size,
    }


def _item(entry: Any) -> dict[str, Any]:
    shown = audit.entry_dict(entry)
    shown["before"] = json.loads(entry.before)
    shown["after"] = json.loads(entry.after)
    return shown

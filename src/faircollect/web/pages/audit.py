"""审计日志: the audit trail for compliance officers and admins, read only, filtered by
day, actor and subject (the service refuses every other role: 404)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from faircollect.services import audit
from faircollect.web.context import CurrentUser, unit
from faircollect.web.errors import InvalidField
from faircollect.web.pages import forms
from faircollect.web.pages.render import page

router = APIRouter()

PAGE_SIZE = 50


@router.get("/audit/", response_class=HTMLResponse)
def audit_page(
    user: CurrentUser,
    request: Request,
    since: Annotated[str, Query(alias="from", max_length=10)] = "",
    until: Annotated[str, Query(alias="to", max_length=10)] = "",
    actor: Annotated[str, Query(max_length=64)] = "",
    subject: Annotated[str, Query(max_length=128)] = "",
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    audit.may_read(user.actor)
    first = forms.optional_day(since, "from")
    last = forms.optional_day(until, "to")
    if first and last and last < first:
        raise InvalidField("to", f"结束日期 {last} 早于开始日期 {first}")
    query = audit.AuditQuery(first, last, actor.strip(), subject.strip())
    with unit(request) as uow:
        found = audit.audit_entries(uow, user.actor, query, page_no, PAGE_SIZE)
    pages = max(1, -(-found.total // PAGE_SIZE))
    return page(
        request,
        "audit.html",
        user=user,
        active="audit",
        found=found,
        pages=pages,
        filters={
            "from": first.isoformat() if first else "",
            "to": last.isoformat() if last else "",
            "actor": actor.strip(),
            "subject": subject.strip(),
        },
    )

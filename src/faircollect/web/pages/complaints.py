"""投诉 the complaint queue (COMP-1): complaints borrowers filed in the portal, by their
15-day deadline; the compliance officer answers and closes them, and collection contact
to the borrower may resume."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from faircollect.domain.portal import MAX_COMPLAINT_TEXT, ComplaintStatus
from faircollect.services import borrower_portal
from faircollect.services.borrower_portal import COMPLAINT_HANDLERS
from faircollect.web.context import CurrentUser, now, today, unit
from faircollect.web.errors import InvalidField
from faircollect.web.idempotency import IDEMPOTENT, IdempotentRoute
from faircollect.web.pages import forms
from faircollect.web.pages.render import done, page

router = APIRouter(route_class=IdempotentRoute)

SHOWN = {"open": ComplaintStatus.OPEN, "closed": ComplaintStatus.CLOSED, "all": None}


@router.get("/complaints", response_class=HTMLResponse)
def queue(
    user: CurrentUser,
    request: Request,
    status: Annotated[str, Query(max_length=8)] = "open",
    closed: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    if status not in SHOWN:
        raise InvalidField("status", "请选择：处理中、已答复或全部")
    with unit(request) as uow:
        found = borrower_portal.complaint_queue(uow, user.actor, SHOWN[status])
    return page(
        request,
        "complaints.html",
        user=user,
        active="complaints",
        items=found,
        shown=status,
        today=today(request),
        may_close=user.actor.role in COMPLAINT_HANDLERS,
        closed=closed,
    )


@router.post("/complaints/{complaint_id}/close", dependencies=[IDEMPOTENT])
def close(
    complaint_id: str,
    user: CurrentUser,
    request: Request,
    answer: Annotated[str, Form(max_length=MAX_COMPLAINT_TEXT)] = "",
) -> Response:
    """Answer and close a complaint (compliance, admin)."""
    text = forms.required(answer, "answer", "请填写给借款人的答复")
    with unit(request) as uow:
        borrower_portal.close_complaint(uow, user.actor, complaint_id, text, now(request))
    return done(request, f"/complaints?closed={complaint_id}")

"""The complaint queue of the workbench (COMP-1): complaints borrowers filed in the
portal, by deadline; the compliance officer answers and closes them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import Field

from faircollect.domain.portal import MAX_COMPLAINT_TEXT, ComplaintStatus
from faircollect.services import borrower_portal
from faircollect.web.api.borrower import complaint_json
from faircollect.web.api.schemas import Strict
from faircollect.web.api.work import REFUSALS, choice
from faircollect.web.context import CurrentUser, now, unit

router = APIRouter(tags=["complaints"])


class CloseBody(Strict):
    answer: str = Field(min_length=1, max_length=MAX_COMPLAINT_TEXT)


def queue_item(c: Any) -> dict[str, Any]:
    return {**complaint_json(c), "borrower_id": c.borrower_id, "borrower_name": c.borrower_name}


@router.get("/complaints", responses=REFUSALS)
def list_complaints(
    user: CurrentUser, request: Request, status: str | None = "open"
) -> dict[str, Any]:
    """Complaints by deadline (``status``: open, the default, or closed; ``all``)."""
    wanted = None if status == "all" else choice(ComplaintStatus, status, "status")
    with unit(request) as uow:
        found = borrower_portal.complaint_queue(uow, user.actor, wanted)
    return {"items": [queue_item(c) for c in found]}


@router.post("/complaints/{complaint_id}/close", responses=REFUSALS)
def close(
    complaint_id: str, body: CloseBody, user: CurrentUser, request: Request
) -> dict[str, Any]:
    """Answer and close (compliance, admin): collection contact may resume."""
    with unit(request) as uow:
        closed = borrower_portal.close_complaint(
            uow, user.actor, complaint_id, body.answer, now(request)
        )
    return queue_item(closed)

"""团队 (the supervisor's board): the team's load, its cases to hand out or move,
proposals to decide, promises that broke, follow-ups nobody did."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from faircollect.services.casework import proposals
from faircollect.services.casework.team import team_board
from faircollect.web.context import CurrentUser, today, unit
from faircollect.web.errors import InvalidField
from faircollect.web.idempotency import IDEMPOTENT, IdempotentRoute
from faircollect.web.pages import forms
from faircollect.web.pages.render import done, page

router = APIRouter(route_class=IdempotentRoute)

DONE = {
    "reassign": "案件已重新分配。",
    "approved": "方案已批准，台账已按方案调整。",
    "rejected": "方案已拒绝。",
}


@router.get("/team", response_class=HTMLResponse)
def board(
    user: CurrentUser,
    request: Request,
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
    done_: Annotated[str, Query(alias="done", max_length=16)] = "",
) -> Response:
    with unit(request) as uow:
        found = team_board(uow, user.actor, today(request), page_no)
    return page(request, "team.html", user=user, active="team", board=found, notice=DONE.get(done_))


@router.post("/proposals/{proposal_id}/decision", dependencies=[IDEMPOTENT])
def decide(
    proposal_id: str,
    user: CurrentUser,
    request: Request,
    decision: Annotated[str, Form(max_length=16)] = "",
    why: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Approve or reject a proposal (a supervisor; never their own)."""
    if decision not in ("approve", "reject"):
        raise InvalidField("approve", "请选择批准或拒绝")
    forms.required(why, "why", "请填写审批意见")
    approve = decision == "approve"
    with unit(request) as uow:
        proposals.decide_proposal(
            uow, user.actor, proposal_id, approve, today(request), why.strip()
        )
    return done(request, f"/team?done={'approved' if approve else 'rejected'}")

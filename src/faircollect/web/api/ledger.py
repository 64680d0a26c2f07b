"""Loans, promises and proposals (分期 / 减免)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from faircollect.domain.casework.proposals import (
    InstalmentPlan,
    ProposalStatus,
    Terms,
    WaivedComponent,
    Waiver,
)
from faircollect.domain.messages import Message
from faircollect.services.casework import promises, proposals
from faircollect.services.loans import loan_file_for
from faircollect.web.api import convert
from faircollect.web.api.schemas import (
    DecisionRequest,
    Promise,
    PromiseList,
    PromiseRequest,
    Proposal,
    ProposalList,
    ProposalRequest,
)
from faircollect.web.api.work import REFUSALS, choice
from faircollect.web.context import CurrentUser, today, unit
from faircollect.web.errors import InvalidField
from faircollect.web.idempotency import IDEMPOTENT, IdempotentRoute
from faircollect.web.loan_view import loan_json

router = APIRouter(tags=["loans"], route_class=IdempotentRoute)


@router.get("/loans/{loan_id}", responses=REFUSALS)
def get_loan(loan_id: str, user: CurrentUser, request: Request) -> dict[str, Any]:
    """Schedule, payments and their allocation, state and true cost (as ``loan show``)."""
    with unit(request) as uow:
        found = loan_file_for(uow, user.actor, loan_id, today(request))
    return loan_json(found)


@router.post(
    "/promises",
    status_code=201,
    response_model=Promise,
    responses=REFUSALS,
    dependencies=[IDEMPOTENT],
)
def make_promise(body: PromiseRequest, user: CurrentUser, request: Request) -> dict[str, Any]:
    with unit(request) as uow:
        row = promises.make_promise(
            uow,
            user.actor,
            body.loan_id,
            convert.fen(body.amount, "amount"),
            body.due,
            body.made_on or today(request),
            today=today(request),
        )
    return convert.promise(row)


@router.get("/promises", response_model=PromiseList, responses=REFUSALS)
def list_promises(
    user: CurrentUser,
    request: Request,
    loan_id: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    with unit(request) as uow:
        rows = promises.list_promises(uow, user.actor, today(request), loan_id)
    return {"items": [convert.promise(r) for r in rows]}


def _terms(body: ProposalRequest) -> Terms:
    if body.kind == "waiver":
        if body.component is None or body.amount is None:
            raise InvalidField("component", Message("input.waiver_fields"))
        return Waiver(WaivedComponent(body.component), convert.fen(body.amount, "amount"))
    if body.months is None or body.first_due is None:
        raise InvalidField("months", Message("input.plan_fields"))
    try:
        rate = Decimal(body.annual_rate or "0")
    except InvalidOperation:
        raise InvalidField("annual_rate", Message("input.rate_decimal")) from None
    if not rate.is_finite() or not 0 <= rate < 1:
        raise InvalidField("annual_rate", Message("input.rate_range"))
    return InstalmentPlan(body.months, rate, body.first_due)


@router.post(
    "/proposals",
    status_code=201,
    response_model=Proposal,
    responses=REFUSALS,
    dependencies=[IDEMPOTENT],
)
def submit(body: ProposalRequest, user: CurrentUser, request: Request) -> dict[str, Any]:
    """A collector proposes an instalment plan or a waiver; only a supervisor decides."""
    terms = _terms(body)
    with unit(request) as uow:
        found = proposals.submit_proposal(
            uow, user.actor, body.case_id, body.loan_id, terms, today(request), body.note
        )
    return convert.proposal(found)


@router.get("/proposals", response_model=ProposalList, responses=REFUSALS)
def list_proposals(
    user: CurrentUser, request: Request, status: str | None = None
) -> dict[str, Any]:
    wanted = choice(ProposalStatus, status, "status")
    with unit(request) as uow:
        found = proposals.list_proposals(uow, user.actor, today(request), wanted)
    return {"items": [convert.proposal(p) for p in found]}


@router.post("/proposals/{proposal_id}/decision", response_model=Proposal, responses=REFUSALS)
def decide(
    proposal_id: str, body: DecisionRequest, user: CurrentUser, request: Request
) -> dict[str, Any]:
    """Approve or reject (supervisor; never one's own)."""
    with unit(request) as uow:
        decided = proposals.decide_proposal(
            uow, user.actor, proposal_id, body.approve, today(request), body.reason
        )
    return convert.proposal(decided)

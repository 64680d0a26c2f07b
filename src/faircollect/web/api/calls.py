"""The guided first call as an API: start, answer each step, finish."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from faircollect.services.casework import web_calls
from faircollect.web.api import convert
from faircollect.web.api.schemas import CallAnswer, CallFinished, CallStart, CallState
from faircollect.web.api.work import REFUSALS
from faircollect.web.context import CurrentUser, now, unit
from faircollect.web.idempotency import IDEMPOTENT, IdempotentRoute

router = APIRouter(tags=["calls"], route_class=IdempotentRoute)


def state(progress: web_calls.CallProgress) -> dict[str, Any]:
    prompt = progress.prompt
    return {
        "call_id": progress.call_id,
        "case_id": progress.case_id,
        "loan_id": progress.loan_id,
        "prompt": None
        if prompt is None
        else {
            "step": prompt.step.value,
            "title": prompt.title,
            "say": prompt.say,
            "guide": prompt.guide,
            "choices": list(prompt.choices),
            "details": list(prompt.details),
        },
        "answers": {step: value for step, value in progress.answers},
    }


@router.post(
    "/calls",
    status_code=201,
    response_model=CallState,
    responses=REFUSALS,
    dependencies=[IDEMPOTENT],
)
def start(body: CallStart, user: CurrentUser, request: Request) -> dict[str, Any]:
    """Start the first call on a case: the prepared file and step 1."""
    with unit(request) as uow:
        progress = web_calls.begin(uow, user.actor, body.case_id, now(request), body.loan_id)
    return state(progress)


@router.get("/calls/{call_id}", response_model=CallState, responses=REFUSALS)
def show(call_id: str, user: CurrentUser, request: Request) -> dict[str, Any]:
    with unit(request) as uow:
        return state(web_calls.progress(uow, user.actor, call_id))


@router.post("/calls/{call_id}/answers", response_model=CallState, responses=REFUSALS)
def answer(call_id: str, body: CallAnswer, user: CurrentUser, request: Request) -> dict[str, Any]:
    """Answer the current step; the next step comes back (``prompt`` null once ended)."""
    with unit(request) as uow:
        return state(web_calls.answer(uow, user.actor, call_id, body.step, body.value))


@router.post(
    "/calls/{call_id}/finish",
    response_model=CallFinished,
    responses=REFUSALS,
    dependencies=[IDEMPOTENT],
)
def finish(call_id: str, user: CurrentUser, request: Request) -> dict[str, Any]:
    """Store the ended call: the 催记 through the gate, the promise, the follow-up."""
    with unit(request) as uow:
        stored = web_calls.finish(uow, user.actor, call_id)
    result = stored.result
    return {
        "call_id": call_id,
        "contact_id": result.record.record_id,
        "outcome": result.record.outcome.value,
        "promise_id": stored.promise_id,
        "follow_up": convert.plain(result.follow_up),
        "missing_tasks": [t.value for t in result.missing_tasks],
    }

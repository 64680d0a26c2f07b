"""The guided first call (第一个催收电话) as a step-by-step page: the same session as
``faircollect call`` (``services.casework.web_calls``), one step per screen, the answers
stored between requests, the 催记 stored through the gate when the call is finished."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from faircollect.domain.casework.call_script import Step
from faircollect.services.casework import web_calls
from faircollect.web.context import CurrentUser, now, unit
from faircollect.web.errors import InvalidField
from faircollect.web.idempotency import IDEMPOTENT, IdempotentRoute
from faircollect.web.pages.render import done, page

router = APIRouter(route_class=IdempotentRoute)

STEPS = list(Step)


@router.post("/cases/{case_id}/calls", dependencies=[IDEMPOTENT])
def start(case_id: str, user: CurrentUser, request: Request) -> Response:
    """Start the first call on the case now; the first step's page follows."""
    with unit(request) as uow:
        progress = web_calls.begin(uow, user.actor, case_id, now(request))
    return done(request, f"/calls/{progress.call_id}")


@router.get("/calls/{call_id}", response_class=HTMLResponse)
def show(call_id: str, user: CurrentUser, request: Request) -> Response:
    with unit(request) as uow:
        progress = web_calls.progress(uow, user.actor, call_id)
    return page(request, "call/step.html", user=user, active="today", call=progress, steps=STEPS)


@router.post("/calls/{call_id}/answers", dependencies=[IDEMPOTENT])
def answer(
    call_id: str,
    user: CurrentUser,
    request: Request,
    step: Annotated[str, Form(max_length=32)] = "",
    value: Annotated[list[str] | None, Form(max_length=4000)] = None,
    amount: Annotated[str, Form(max_length=32)] = "",
    due: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """The answer to the current step (refused, nothing stored, when it does not fit)."""
    given = _answer(step, value or [], amount, due)
    with unit(request) as uow:
        web_calls.answer(uow, user.actor, call_id, step, given)
    return done(request, f"/calls/{call_id}")


def _answer(step: str, values: list[str], amount: str, due: str) -> Any:
    """A step's form as the session's answer: one choice, several consequences, the
    promise's amount and date, or the note."""
    if step == Step.EXPLAIN_CONSEQUENCES and "all" not in values and len(values) != 1:
        return values
    if step == Step.OBTAIN_PROMISE and values == ["promise"]:
        return {"amount": amount.strip(), "due": due.strip()}
    if step == Step.UPDATE_FILE:
        return values[0] if values else ""
    if len(values) != 1:
        raise InvalidField("value", "请选择一项")
    return values[0]


@router.post("/calls/{call_id}/finish", dependencies=[IDEMPOTENT])
def finish(call_id: str, user: CurrentUser, request: Request) -> Response:
    """Store the ended call: the 催记 through the gate, the promise, the follow-up."""
    with unit(request) as uow:
        stored = web_calls.finish(uow, user.actor, call_id)
    return done(request, f"/cases/{stored.result.record.case_id}?done=call")

"""The guided first call driven step by step from the workbench or the API.

Between two requests nothing lives in memory: the call's answers so far are stored, and
each step rebuilds the same ``CallSession`` (``start_call`` as of the moment the call
started, then the answers in order) before taking the next answer. Finishing stores the
call exactly as ``faircollect call`` does (``finish_call``). Only the user who started a
call can continue it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from faircollect.adapters.db.repositories.calls import StoredCall
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.domain.casework.call_session import CallSession, Prompt
from faircollect.domain.casework.errors import CaseworkError, NotFound
from faircollect.domain.casework.roles import Actor
from faircollect.domain.messages import Message
from faircollect.services import audit
from faircollect.services.casework import first_call
from faircollect.services.casework.ids import new_id


@dataclass(frozen=True, slots=True)
class CallProgress:
    call_id: str
    case_id: str
    loan_id: str
    prompt: Prompt | None
    answers: list[tuple[str, Any]]


def begin(
    uow: UnitOfWork, actor: Actor, case_id: str, at: datetime, loan_id: str | None = None
) -> CallProgress:
    """Start a first call on a case: its file prepared, the first step to answer."""
    session = first_call.start_call(uow, actor, case_id, at, loan_id=loan_id)
    call = StoredCall(
        new_id("CALL"), case_id, session.snapshot.loan_id, actor.user_id, at, [], None
    )
    uow.calls.add(call)
    audit.record(
        uow,
        actor,
        "call.started",
        case_id,
        None,
        {"call_id": call.call_id, "loan_id": call.loan_id, "at": at, "number": session.number},
    )
    return CallProgress(call.call_id, case_id, call.loan_id, session.next_prompt(), [])


def _rebuilt(uow: UnitOfWork, actor: Actor, call_id: str) -> tuple[StoredCall, CallSession]:
    call = uow.calls.get(call_id)
    if call is None or call.user_id != actor.user_id:
        raise NotFound(Message("call.not_found", call_id=call_id))
    if call.record_id is not None:
        raise CaseworkError(Message("call.has_ended", call_id=call_id, record_id=call.record_id))
    session = first_call.start_call(
        uow, actor, call.case_id, call.started_at, loan_id=call.loan_id, audited=False
    )
    for step, value in call.answers:
        session.answer(step, value)
    return call, session


def answer(uow: UnitOfWork, actor: Actor, call_id: str, step: str, value: Any) -> CallProgress:
    """Take the answer to the current step; refused (nothing stored) if it does not fit."""
    call, session = _rebuilt(uow, actor, call_id)
    session.answer(step, value)
    answers = [*call.answers, (step, value)]
    uow.calls.save(call_id, answers, None)
    return CallProgress(call_id, call.case_id, call.loan_id, session.next_prompt(), answers)


def progress(uow: UnitOfWork, actor: Actor, call_id: str) -> CallProgress:
    call, session = _rebuilt(uow, actor, call_id)
    return CallProgress(call_id, call.case_id, call.loan_id, session.next_prompt(), call.answers)


def finish(uow: UnitOfWork, actor: Actor, call_id: str) -> first_call.StoredCall:
    """Store the ended call (催记 through the gate, promise, follow-up)."""
    call, session = _rebuilt(uow, actor, call_id)
    stored = first_call.finish_call(uow, actor, session)
    uow.calls.save(call_id, call.answers, stored.result.record.record_id)
    return stored

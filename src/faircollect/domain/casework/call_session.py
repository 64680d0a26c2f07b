"""The guided first call as a pure state machine driven by answers.

The terminal walk-through, a non-interactive ``--answers FILE`` run and a future web page
all drive the same ``CallSession``: ask ``next_prompt()``, give ``answer(step, value)``,
and read ``result()`` when the call has ended. The session tracks the seed's four core
tasks; a call that ends without a promise or an explicit refusal says which are missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

import yaml

from faircollect.domain.casework.call_file import (
    AccountSnapshot,
    briefing,
    fill,
    true_consequences,
)
from faircollect.domain.casework.call_script import CallScript, Step, line_index, locate
from faircollect.domain.casework.contacts import ContactRecord, Outcome, Reason
from faircollect.domain.casework.errors import CaseworkError, Refused
from faircollect.domain.casework.promise import PromiseToPay, promise_problems
from faircollect.domain.compliance.actions import Channel, Party
from faircollect.domain.messages import Message
from faircollect.domain.money import MoneyError, parse_yuan

Answer = str | Mapping[str, str] | Sequence[str]


class Task(StrEnum):
    """The four core tasks of the first call (电话催收的四个核心任务)."""

    ASK_PAYMENT_TODAY = "ask_payment_today"  # 要求今天马上还款
    LEARN_REASON = "learn_reason"  # 了解逾期原因
    EXPLAIN_CONSEQUENCES = "explain_consequences"  # 陈述利弊得失
    OBTAIN_PROMISE = "obtain_promise"  # 得到还款承诺


class FollowUpAction(StrEnum):
    CHECK_PROMISE = "check_promise"
    RETRY = "retry"
    FIND_CONTACT = "find_contact"
    CALL_AGAIN = "call_again"
    SUPERVISOR_REVIEW = "supervisor_review"
    REVIEW_HARDSHIP = "review_hardship"
    VERIFY_DEBT = "verify_debt"
    HANDLE_COMPLAINT = "handle_complaint"


@dataclass(frozen=True, slots=True)
class FollowUp:
    """What to do next (积极跟进) and on which date."""

    action: FollowUpAction
    on: date


@dataclass(frozen=True, slots=True)
class Prompt:
    """One step as the collector sees it. ``choices`` empty means free text / structured."""

    step: Step
    title: str
    say: str
    guide: str
    choices: tuple[str, ...]
    details: tuple[str, ...] = ()

    @property
    def spoken(self) -> bool:
        """Whether ``say`` is said to the borrower (说) or is a note for the collector
        (preparing the call, writing the 催记)."""
        return self.step in SPOKEN


@dataclass(frozen=True, slots=True)
class CallResult:
    record: ContactRecord
    promise: PromiseToPay | None
    follow_up: FollowUp
    missing_tasks: tuple[Task, ...]
    """Core tasks not done; reported when the call ended without a promise or refusal."""


END_CALL = "end_call"
"""Answer at any step once the borrower is on the line: the borrower hung up."""
INTERRUPTIONS: dict[str, Outcome] = {
    END_CALL: Outcome.BORROWER_REACHED,
    "complaint": Outcome.COMPLAINT,
    "dispute": Outcome.DISPUTE,
}
IDENTITY: dict[str, Outcome | None] = {
    "borrower": None,
    "third_party": Outcome.THIRD_PARTY_ANSWERED,
    "no_answer": Outcome.NO_ANSWER,
    "wrong_number": Outcome.WRONG_NUMBER,
}
PAY_TODAY = ("pay_today", "cannot_today")
CLOSINGS: dict[str, Outcome] = {
    "refusal": Outcome.REFUSAL,
    "hardship": Outcome.HARDSHIP,
    "dispute": Outcome.DISPUTE,
    "complaint": Outcome.COMPLAINT,
    "none": Outcome.BORROWER_REACHED,
}
FOLLOW_UPS: dict[Outcome, tuple[FollowUpAction, int]] = {
    Outcome.NO_ANSWER: (FollowUpAction.RETRY, 1),
    Outcome.WRONG_NUMBER: (FollowUpAction.FIND_CONTACT, 1),
    Outcome.THIRD_PARTY_REACHED: (FollowUpAction.RETRY, 1),
    Outcome.THIRD_PARTY_ANSWERED: (FollowUpAction.RETRY, 1),
    Outcome.BORROWER_REACHED: (FollowUpAction.CALL_AGAIN, 1),
    Outcome.REFUSAL: (FollowUpAction.SUPERVISOR_REVIEW, 1),
    Outcome.HARDSHIP: (FollowUpAction.REVIEW_HARDSHIP, 1),
    Outcome.DISPUTE: (FollowUpAction.VERIFY_DEBT, 0),
    Outcome.COMPLAINT: (FollowUpAction.HANDLE_COMPLAINT, 0),
}
"""Next action and its delay in days; a promise is checked the day after it falls due."""

_NEXT: dict[Step, Step] = {
    Step.PREPARE: Step.CONFIRM_IDENTITY,
    Step.CONFIRM_IDENTITY: Step.STATE_IDENTITY,
    Step.STATE_IDENTITY: Step.ASK_PAYMENT_TODAY,
    Step.ASK_PAYMENT_TODAY: Step.LEARN_REASON,
    Step.LEARN_REASON: Step.EXPLAIN_CONSEQUENCES,
    Step.EXPLAIN_CONSEQUENCES: Step.OBTAIN_PROMISE,
    Step.OBTAIN_PROMISE: Step.UPDATE_FILE,
}
_ON_THE_LINE = frozenset(_NEXT) - {Step.PREPARE, Step.CONFIRM_IDENTITY}
SPOKEN = frozenset(_NEXT) - {Step.PREPARE}
"""Steps whose ``say`` the collector says on the line (not preparing, not the 催记)."""


@dataclass(slots=True)
class CallSession:
    """One first call in progress. Construct, then loop ``next_prompt`` / ``answer``."""

    script: CallScript
    snapshot: AccountSnapshot
    record_id: str
    at: datetime
    number: str
    actor: str
    collector_name: str
    action_id: str | None = None
    """The night's planned call this call carries out (its 催记 carries the id)."""
    step: Step | None = Step.PREPARE
    outcome: Outcome | None = None
    reason: Reason | None = None
    promise: PromiseToPay | None = None
    note: str = ""
    done: set[Task] = field(default_factory=set)

    def next_prompt(self) -> Prompt | None:
        """The step to answer now, or None once the call is over."""
        if self.step is None:
            return None
        text = self.script.steps[self.step]
        values = fill(self.snapshot, self.collector_name)
        details: tuple[str, ...] = ()
        if self.step is Step.PREPARE:
            details = briefing(self.snapshot, self.script)
        elif self.step is Step.EXPLAIN_CONSEQUENCES:
            details = tuple(
                self.script.consequences[kind].format_map(values)
                for kind in true_consequences(self.snapshot)
            )
        return Prompt(
            self.step,
            text.title,
            text.say.format_map(values),
            text.guide,
            self._choices(self.step),
            details,
        )

    def _choices(self, step: Step) -> tuple[str, ...]:
        interrupt = tuple(INTERRUPTIONS) if step in _ON_THE_LINE else ()
        options: dict[Step, tuple[str, ...]] = {
            Step.CONFIRM_IDENTITY: tuple(IDENTITY),
            Step.ASK_PAYMENT_TODAY: PAY_TODAY,
            Step.LEARN_REASON: tuple(Reason),
            Step.EXPLAIN_CONSEQUENCES: ("all", *true_consequences(self.snapshot)),
            Step.OBTAIN_PROMISE: ("promise", *CLOSINGS),
        }
        # A choice offered twice (a closing that is also an interruption) is offered once.
        return tuple(dict.fromkeys(options.get(step, ()) + interrupt))

    def answer(self, step: Step | str, value: Answer) -> None:
        """Record the answer to the current step and move on; raises CaseworkError naming
        the step when the answer is for another step or is not acceptable."""
        if self.step is None:
            raise CaseworkError(Message("call.ended"))
        if step not in set(Step):
            raise CaseworkError(Message("call.unknown_step", step=step, steps=list(Step)))
        if Step(step) is not self.step:
            raise CaseworkError(Message("call.other_step", expected=self.step, step=step))
        if self.step in _ON_THE_LINE and isinstance(value, str) and value in INTERRUPTIONS:
            self.outcome = INTERRUPTIONS[value]
            self.step = Step.UPDATE_FILE
            return
        handler = _HANDLERS.get(self.step)
        ended = handler(self, value) if handler else False
        self.step = Step.UPDATE_FILE if ended else _NEXT.get(self.step)

    def result(self) -> CallResult:
        """The contact record, promise and follow-up of a call that has ended."""
        if self.step is not None or self.outcome is None:
            raise CaseworkError(Message("call.not_ended", step=self.step))
        record = ContactRecord(
            self.record_id,
            self.snapshot.case_id,
            self.at,
            Channel.CALL,
            Party.BORROWER if self.outcome in _BORROWER_OUTCOMES else Party.OTHER_CONTACT,
            self.number,
            self.actor,
            self.outcome,
            self.reason,
            self.note,
        )
        missing: tuple[Task, ...] = ()
        if self.outcome not in (Outcome.PROMISE, Outcome.REFUSAL):
            missing = tuple(task for task in Task if task not in self.done)
        return CallResult(record, self.promise, self._follow_up(), missing)

    def _follow_up(self) -> FollowUp:
        if self.promise is not None:
            return FollowUp(FollowUpAction.CHECK_PROMISE, self.promise.due + timedelta(days=1))
        assert self.outcome is not None
        action, days = FOLLOW_UPS[self.outcome]
        return FollowUp(action, self.at.date() + timedelta(days=days))


_BORROWER_OUTCOMES = frozenset(Outcome) - {Outcome.THIRD_PARTY_REACHED}
"""Every outcome but a third party answering was an attempt on the borrower."""


def _text(step: Step, value: Answer, allowed: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise CaseworkError(
            Message("call.not_a_choice", step=step, value=repr(value), allowed=list(allowed))
        )
    return value


def _identity(session: CallSession, value: Answer) -> bool:
    session.outcome = IDENTITY[_text(Step.CONFIRM_IDENTITY, value, tuple(IDENTITY))]
    if session.outcome is None:
        session.outcome = Outcome.BORROWER_REACHED
        return False
    return True


def _ask_today(session: CallSession, value: Answer) -> bool:
    _text(Step.ASK_PAYMENT_TODAY, value, PAY_TODAY)
    session.done.add(Task.ASK_PAYMENT_TODAY)
    return False


def _reason(session: CallSession, value: Answer) -> bool:
    """The borrower's reason is recorded as stated (the seed: do not doubt it on the call)."""
    if value == "":
        return False
    session.reason = Reason(_text(Step.LEARN_REASON, value, tuple(Reason)))
    session.done.add(Task.LEARN_REASON)
    return False


def _consequences(session: CallSession, value: Answer) -> bool:
    """Only consequences true for the account may be marked as stated."""
    offered = true_consequences(session.snapshot)
    said = list(offered) if value == "all" else [value] if isinstance(value, str) else value
    if (
        not isinstance(said, Sequence)
        or isinstance(said, Mapping)
        or not all(isinstance(kind, str) for kind in said)
    ):
        raise CaseworkError(Message("call.consequences_list", step=Step.EXPLAIN_CONSEQUENCES))
    false = [kind for kind in said if kind not in {k.value for k in offered}]
    if false:
        raise CaseworkError(
            Message(
                "call.false_consequence",
                step=Step.EXPLAIN_CONSEQUENCES,
                false=[str(kind) for kind in false],
            )
        )
    if said:
        session.done.add(Task.EXPLAIN_CONSEQUENCES)
    return False


def _promise(session: CallSession, value: Answer) -> bool:
    if isinstance(value, str):
        session.outcome = CLOSINGS[_text(Step.OBTAIN_PROMISE, value, tuple(CLOSINGS))]
        return False
    if not isinstance(value, Mapping):
        raise CaseworkError(Message("call.promise_shape", step=Step.OBTAIN_PROMISE))
    try:
        amount = parse_yuan(str(value["amount"]))
        due = date.fromisoformat(str(value["due"]))
    except (KeyError, ValueError, MoneyError) as err:
        raise CaseworkError(
            Message("call.promise_unreadable", step=Step.OBTAIN_PROMISE, error=str(err))
        ) from err
    snap = session.snapshot
    promise = PromiseToPay(snap.case_id, snap.loan_id, amount, due, session.at.date())
    problems = promise_problems(promise, snap.promise_limits) if snap.promise_limits else []
    if problems:
        raise CaseworkError(
            Message("call.promise_refused", step=Step.OBTAIN_PROMISE, problems=problems)
        )
    session.promise = promise
    session.outcome = Outcome.PROMISE
    session.done.add(Task.OBTAIN_PROMISE)
    return False


def _note(session: CallSession, value: Answer) -> bool:
    if not isinstance(value, str):
        raise CaseworkError(Message("call.note_text", step=Step.UPDATE_FILE))
    session.note = value
    return False


_HANDLERS = {
    Step.CONFIRM_IDENTITY: _identity,
    Step.ASK_PAYMENT_TODAY: _ask_today,
    Step.LEARN_REASON: _reason,
    Step.EXPLAIN_CONSEQUENCES: _consequences,
    Step.OBTAIN_PROMISE: _promise,
    Step.UPDATE_FILE: _note,
}


def run_answers(session: CallSession, answers: Mapping[str, Answer]) -> CallResult:
    """Drive a session from a mapping step -> answer (the ``--answers FILE`` mode)."""
    while (prompt := session.next_prompt()) is not None:
        if prompt.step.value not in answers and prompt.step is not Step.PREPARE:
            raise CaseworkError(Message("call.no_answer", step=prompt.step))
        session.answer(prompt.step, answers.get(prompt.step.value, "ok"))
    return session.result()


def load_answers(text: str, source: str) -> dict[str, Answer]:
    """Answers for ``run_answers`` from a YAML/JSON mapping step -> answer; a bad file is
    refused naming the file, line and step, before any answer is given."""
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise Refused(Message("file.not_yaml", source=source), [str(err)]) from err
    except RecursionError:
        raise Refused(Message("file.not_yaml", source=source), [Message("file.too_deep")]) from None
    if not isinstance(data, dict):
        raise Refused(
            Message("call.answers_refused", source=source),
            [Message("call.answers_not_mapping", source=source)],
        )
    lines = line_index(root)
    problems = [
        f"{locate(source, lines, str(key))}: unknown step (steps: {', '.join(Step)})"
        for key in data
        if key not in set(Step)
    ]
    problems.extend(
        f"{locate(source, lines, str(key))}: an answer is a text, a list or a mapping"
        for key, value in data.items()
        if not isinstance(value, str | list | dict)
    )
    if problems:
        raise Refused(Message("call.answers_refused", source=source), problems)
    return {str(key): _as_answer(value) for key, value in data.items()}


def _as_answer(value: object) -> Answer:
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    if isinstance(value, list):
        return [str(v) for v in value]
    return str(value)

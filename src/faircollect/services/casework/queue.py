"""A user's work for the day (今日工作): the calls and visits the night assigned to them,
follow-ups that are due, promises that fall due today.

Sorted by priority, then time. A collector's follow-ups and promises are those of the
cases they own; an agency user's those of the cases placed with their agency; a
supervisor's queue also shows the team's follow-ups that are overdue (nobody acted on
them by their date), so they can step in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from faircollect.adapters.db.repositories.actions import AssignedAction
from faircollect.adapters.db.repositories.cases import CaseFilter, CaseLine
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.domain.casework.roles import Actor, Role
from faircollect.domain.money import format_yuan
from faircollect.services.casework.cases import scope

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Kind:
    PLANNED = "planned_action"
    FOLLOW_UP = "follow_up"
    PROMISE_DUE = "promise_due"
    CALLBACK = "callback"


CALLBACK_ACTIONS = frozenset({"call_again", "retry"})
"""Follow-ups that are a call back to the borrower (the rest are other tasks)."""

PRIORITY = {Kind.PROMISE_DUE: 70, Kind.CALLBACK: 60, Kind.FOLLOW_UP: 50}
"""Priority of items the night did not plan (its own actions carry the strategy's)."""


@dataclass(frozen=True, slots=True)
class QueueItem:
    kind: str
    action_id: str
    case_id: str | None
    loan_id: str | None
    channel: str | None
    party: str
    scheduled_at: datetime
    priority: int
    dpd: int
    total_overdue: int
    overdue: bool = False
    """A follow-up whose date has passed with nothing done (flagged to the supervisor)."""
    note: str = ""


def morning_queue(uow: UnitOfWork, actor: Actor, day: date) -> list[QueueItem]:
    """Everything ``actor`` should work on ``day``, most urgent first."""
    items = [_planned(a) for a in uow.actions.assigned(actor.user_id, day)]
    own = _own_cases(uow, actor, day)
    figures = {line.case_id: line for line in own}
    items += [
        _follow_up(f, figures, day)
        for f in uow.cases.open_follow_ups(figures, day)
        if actor.role is not Role.SUPERVISOR or f["due_on"] < day
    ]
    items += [
        QueueItem(
            Kind.PROMISE_DUE,
            p.promise_id,
            p.case_id,
            p.loan_id,
            "call",
            "borrower",
            _morning(day),
            PRIORITY[Kind.PROMISE_DUE],
            figures[p.case_id].dpd if p.case_id in figures else 0,
            p.amount,
            note=f"承诺今日还款 {format_yuan(p.amount)} 元",
        )
        for p in uow.promises.listed(case_ids=figures)
        if p.status == "open" and p.due_on == day
    ]
    return sorted(items, key=lambda i: (-i.priority, i.scheduled_at, i.action_id))


def _own_cases(uow: UnitOfWork, actor: Actor, day: date) -> list[CaseLine]:
    """The cases whose follow-ups and promises are this user's to work."""
    if actor.role is Role.COLLECTOR:
        where = CaseFilter(owners=frozenset({actor.user_id}))
    elif actor.role is Role.AGENCY:
        where = CaseFilter(case_ids=frozenset(scope(uow, actor, day).case_ids))
    elif actor.role is Role.SUPERVISOR:
        seen = scope(uow, actor, day)
        where = CaseFilter(owners=frozenset(seen.collectors))
    else:
        return []
    return uow.cases.lines(where)[0]


def _planned(a: AssignedAction) -> QueueItem:
    return QueueItem(
        Kind.PLANNED,
        a.action_id,
        a.case_id,
        a.loan_id,
        a.channel,
        a.party,
        a.scheduled_at,
        a.priority,
        a.dpd,
        a.total_overdue,
    )


def _follow_up(row: dict[str, Any], figures: dict[str, CaseLine], day: date) -> QueueItem:
    line = figures[row["case_id"]]
    kind = Kind.CALLBACK if row["action"] in CALLBACK_ACTIONS else Kind.FOLLOW_UP
    return QueueItem(
        kind,
        f"FU-{row['follow_up_id']}",
        row["case_id"],
        line.loan_ids[0] if line.loan_ids else None,
        "call" if kind == Kind.CALLBACK else None,
        "borrower",
        _morning(row["due_on"]),
        PRIORITY[kind],
        line.dpd,
        line.total_overdue,
        overdue=row["due_on"] < day,
        note=row["action"],
    )


def _morning(day: date) -> datetime:
    """09:00 Shanghai on ``day``: when work that has no time of its own is listed."""
    return datetime.combine(day, time(9), tzinfo=SHANGHAI)

"""The collector's day (今日工作) as the workbench opens it: the queue and its counters.

The queue is ``queue.morning_queue``; the counters say how much work it is (items, calls,
promises falling due today and their amount) and what the user's open cases owe. Cases
are counted in the user's scope, so a collector sees their own, a supervisor the team's
and an agency user the cases their agency holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from faircollect.adapters.db.repositories.cases import CaseFilter
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.domain.casework.roles import Actor
from faircollect.services.casework.cases import case_filter, scope
from faircollect.services.casework.queue import Kind, QueueItem, morning_queue


@dataclass(frozen=True, slots=True)
class Day:
    """One user's work for one day, with the figures shown above the queue."""

    day: date
    queue: list[QueueItem]
    open_cases: int
    total_overdue: int
    """Fen overdue on the open cases in the user's scope."""
    calls: int
    """Queue items that are calls."""
    promises_due: int
    promised_amount: int
    """Fen promised for today on those promises."""
    names: dict[str, str]
    """The borrower's name for each case in the queue (a collector calls people, not ids)."""


def my_day(uow: UnitOfWork, actor: Actor, day: date) -> Day:
    """The queue of ``actor`` on ``day`` and its counters."""
    queue = morning_queue(uow, actor, day)
    totals = uow.cases.open_totals(case_filter(scope(uow, actor, day)))
    due = [item for item in queue if item.kind == Kind.PROMISE_DUE]
    in_queue = frozenset(item.case_id for item in queue if item.case_id)
    lines = uow.cases.lines(CaseFilter(case_ids=in_queue))[0] if in_queue else []
    return Day(
        day=day,
        queue=queue,
        open_cases=sum(n for n, _ in totals.values()),
        total_overdue=sum(amount for _, amount in totals.values()),
        calls=sum(1 for item in queue if item.channel == "call"),
        promises_due=len(due),
        promised_amount=sum(item.total_overdue for item in due),
        names={line.case_id: line.borrower_name for line in lines},
    )

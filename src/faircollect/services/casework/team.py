"""The supervisor's board (主管控台): the team's collectors and their load, the team's
cases to hand out or move, proposals waiting for a decision, promises that broke.

Only a role that may reassign cases (a supervisor for their team, an admin for every
collector) opens it; what it lists is the supervisor's scope (``visibility``), so the
board never shows another team's case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from faircollect.adapters.db.repositories.cases import CaseLine
from faircollect.adapters.db.repositories.promises import PromiseRow
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.domain.casework.cases import UNASSIGNED
from faircollect.domain.casework.proposals import Proposal, ProposalStatus
from faircollect.domain.casework.roles import Actor, Permission, Role, require
from faircollect.services.casework.cases import case_filter, list_cases, scope, visible_case_ids
from faircollect.services.casework.queue import QueueItem, morning_queue

BROKEN_WINDOW = timedelta(days=30)
"""How far back the board lists broken promises."""

CASES_SHOWN = 30
"""Cases on one page of the board (the worst first)."""


@dataclass(frozen=True, slots=True)
class Member:
    """A collector of the team and their load today."""

    user_id: str
    name: str
    active: bool
    open_cases: int
    total_overdue: int
    actions_today: int


@dataclass(frozen=True, slots=True)
class TeamBoard:
    day: date
    members: list[Member]
    unassigned: int
    """Open cases nobody owns yet (to hand out)."""
    cases: list[CaseLine]
    """The team's cases, most days past due first (one page)."""
    total_cases: int
    page: int
    stale_follow_ups: list[QueueItem]
    """Follow-ups whose day passed with nothing done."""
    pending: list[Proposal]
    broken: list[PromiseRow]


def team_board(uow: UnitOfWork, actor: Actor, day: date, page: int = 1) -> TeamBoard:
    """The board of ``actor``'s team on ``day``; PermissionDenied unless they may assign."""
    require(actor, Permission.ASSIGN_CASE)
    seen = scope(uow, actor, day)
    people = [
        p
        for p in uow.org.people()
        if p.role is Role.COLLECTOR and (actor.role is Role.ADMIN or p.team_id == actor.team_id)
    ]
    totals = uow.cases.open_totals(case_filter(seen))
    actions = uow.actions.open_counts(day, [p.user_id for p in people])
    members = [
        Member(
            p.user_id,
            p.name,
            p.active,
            totals.get(p.user_id, (0, 0))[0],
            totals.get(p.user_id, (0, 0))[1],
            actions.get(p.user_id, 0),
        )
        for p in people
    ]
    listed = list_cases(uow, actor, day, sort="-dpd", page=page, size=CASES_SHOWN)
    case_ids = visible_case_ids(uow, actor, day)
    return TeamBoard(
        day=day,
        members=members,
        unassigned=totals.get(UNASSIGNED, (0, 0))[0],
        cases=listed.items,
        total_cases=listed.total,
        page=listed.page,
        stale_follow_ups=[item for item in morning_queue(uow, actor, day) if item.overdue],
        pending=uow.proposals.listed(ProposalStatus.PENDING, case_ids),
        broken=uow.promises.broken_since(day - BROKEN_WINDOW, case_ids),
    )

"""Case assignment (分案): the day's call and visit work to collectors, and 委外 to agencies.

Rules, in order: work past the agency threshold goes to an agency (the previous agency if
it has room, else the one with most room) with a placement and a recall date; other work
stays with the borrower's previous collector when that collector is active, has the skill
and has capacity; otherwise it goes to the active collector with the skill and the most
remaining capacity (ties: lowest id). Capacity is never exceeded: what does not fit is
returned as unassigned with the reason. The result depends only on the inputs.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from faircollect.domain.ledger.state import AccountState
from faircollect.domain.strategy.model import ActionKind, Channel, Policies
from faircollect.domain.strategy.planning import PlannedAction


class AssigneeKind(StrEnum):
    COLLECTOR = "collector"
    AGENCY = "agency"


@dataclass(frozen=True, slots=True)
class WorkItem:
    """One call or visit to hand out. ``amount`` is the overdue amount in fen."""

    loan_id: str
    borrower_id: str
    stage: str
    channel: str
    amount: int
    skill: str
    dpd: int


@dataclass(frozen=True, slots=True)
class Collector:
    collector_id: str
    team: str
    capacity: int
    skills: frozenset[str]
    active: bool = True


@dataclass(frozen=True, slots=True)
class Agency:
    agency_id: str
    capacity: int
    name: str = ""


@dataclass(frozen=True, slots=True)
class Assignment:
    """Who does one work item; agencies also get placement and recall dates."""

    loan_id: str
    borrower_id: str
    assignee: str
    kind: AssigneeKind
    sticky: bool
    placed_on: date | None = None
    recall_on: date | None = None


@dataclass(frozen=True, slots=True)
class Unassigned:
    item: WorkItem
    reason: str


@dataclass(frozen=True, slots=True)
class AssignmentPolicy:
    """From the strategy: where agency placement starts and how long it lasts."""

    agency_threshold_dpd: int = 90
    agency_recall_days: int = 90

    @classmethod
    def from_policies(cls, policies: Policies) -> AssignmentPolicy:
        return cls(policies.agency_threshold_dpd, policies.agency_recall_days)


_SKILL_FOR_CHANNEL = {Channel.CALL: "call", Channel.VISIT: "visit"}


def work_items(
    actions: Iterable[PlannedAction], states: Mapping[str, AccountState]
) -> list[WorkItem]:
    """The planned calls, visits and agency placements that need a person or an agency.

    Messages and letters are sent by the system and are not handed out. ``states`` maps
    loan id to its state (for the DPD and the overdue amount).
    """
    items = []
    for action in actions:
        skill = _skill_for(action)
        if skill is None:
            continue
        state = states[action.loan_id]
        channel = action.channel.value if action.channel else action.kind.value
        items.append(
            WorkItem(
                action.loan_id,
                action.borrower_id,
                action.stage.value,
                channel,
                state.total_overdue,
                skill,
                state.dpd,
            )
        )
    return items


def _skill_for(action: PlannedAction) -> str | None:
    """The skill a work item needs; None for what the system sends by itself."""
    if action.kind is ActionKind.AGENCY_PLACEMENT:
        return "call"
    if action.channel is None:
        return None
    return _SKILL_FOR_CHANNEL.get(action.channel)


@dataclass
class AssignmentResult:
    assignments: list[Assignment] = field(default_factory=list)
    unassigned: list[Unassigned] = field(default_factory=list)
    load: dict[str, int] = field(default_factory=dict)
    """Items given to each collector or agency id."""


class _Pool:
    """Remaining capacity per assignee, with heaps per skill for least-loaded choice.

    Heap entries go stale when capacity changes; they are skipped when popped (lazy
    deletion), so picking stays O(log n) per item even with many collectors.
    """

    def __init__(self, capacity: Mapping[str, int], skills: Mapping[str, frozenset[str]]) -> None:
        self.remaining = dict(capacity)
        self.skills = skills
        self.heaps: dict[str, list[tuple[int, str]]] = {}
        for assignee_id, assignee_skills in skills.items():
            for skill in assignee_skills:
                self.heaps.setdefault(skill, []).append((-capacity[assignee_id], assignee_id))
        for heap in self.heaps.values():
            heapq.heapify(heap)

    def can_take(self, assignee_id: str, skill: str) -> bool:
        return self.remaining.get(assignee_id, 0) > 0 and skill in self.skills.get(
            assignee_id, frozenset()
        )

    def take(self, assignee_id: str) -> None:
        self.remaining[assignee_id] -= 1
        for skill in self.skills[assignee_id]:
            heapq.heappush(self.heaps[skill], (-self.remaining[assignee_id], assignee_id))

    def most_room(self, skill: str) -> str | None:
        heap = self.heaps.get(skill, [])
        while heap:
            neg_room, assignee_id = heap[0]
            if -neg_room != self.remaining[assignee_id]:
                heapq.heappop(heap)
                continue
            return assignee_id if -neg_room > 0 else None
        return None


_AGENCY_SKILL = "*agency*"


def assign(
    items: Iterable[WorkItem],
    collectors: Iterable[Collector],
    agencies: Iterable[Agency],
    previous_owner: Mapping[str, str],
    as_of: date,
    policy: AssignmentPolicy = AssignmentPolicy(),
) -> AssignmentResult:
    """Hand out the day's work; ``previous_owner`` maps borrower id to collector/agency id.

    Items are taken largest amount first (then loan id), so when capacity runs out it is
    the smallest balances that wait.
    """
    assigner = Assigner(collectors, agencies, as_of, policy)
    result = AssignmentResult()
    for item in sorted(items, key=assign_order):
        outcome = assigner.take(item, previous_owner.get(item.borrower_id))
        if isinstance(outcome, Unassigned):
            result.unassigned.append(outcome)
        else:
            result.assignments.append(outcome)
    result.load = dict(assigner.load)
    return result


def assign_order(item: WorkItem) -> tuple[int, str]:
    """The order ``assign`` takes items in: largest amount first, then loan id (a stable
    sort: the items of one loan keep the order they came in)."""
    return (-item.amount, item.loan_id)


class Assigner:
    """``assign`` one item at a time, for a caller that streams the items in
    ``assign_order`` itself (the night reads them from the database in chunks).

    What it keeps between items is the assignees' remaining capacity and, per borrower
    whose items are not all taken yet, who took the borrower's latest item tonight
    (``forget`` drops a borrower once its last item is taken), so its memory follows the
    borrowers in progress, not every item of the night."""

    def __init__(
        self,
        collectors: Iterable[Collector],
        agencies: Iterable[Agency],
        as_of: date,
        policy: AssignmentPolicy = AssignmentPolicy(),
    ) -> None:
        active = [c for c in collectors if c.active and c.capacity > 0]
        self.staff = _Pool(
            {c.collector_id: c.capacity for c in active},
            {c.collector_id: c.skills for c in active},
        )
        agency_list = list(agencies)
        self.firms = _Pool(
            {a.agency_id: a.capacity for a in agency_list},
            {a.agency_id: frozenset({_AGENCY_SKILL}) for a in agency_list},
        )
        self.as_of = as_of
        self.policy = policy
        self.owner_today: dict[str, str] = {}
        """Borrower id -> who took the borrower's latest item tonight (borrowers in progress)."""
        self.load: dict[str, int] = {}
        """Items given to each collector or agency id."""

    def take(self, item: WorkItem, previous_owner: str | None) -> Assignment | Unassigned:
        """Hand out ``item`` (the next in ``assign_order``); ``previous_owner``: the
        borrower's assignee before tonight, if any."""
        policy = self.policy
        to_agency = item.dpd > policy.agency_threshold_dpd
        pool, skill = (self.firms, _AGENCY_SKILL) if to_agency else (self.staff, item.skill)
        preferred = self.owner_today.get(item.borrower_id) or previous_owner
        sticky = preferred is not None and pool.can_take(preferred, skill)
        chosen = preferred if sticky else pool.most_room(skill)
        if chosen is None:
            who = "agency" if to_agency else f"collector with skill '{item.skill}'"
            return Unassigned(item, f"no {who} has capacity left")
        pool.take(chosen)
        self.owner_today[item.borrower_id] = chosen
        self.load[chosen] = self.load.get(chosen, 0) + 1
        return _assignment(item, chosen, to_agency, sticky, self.as_of, policy)

    def forget(self, borrower_id: str) -> None:
        """The borrower has no item left tonight: stop remembering who took its work."""
        self.owner_today.pop(borrower_id, None)


def _assignment(
    item: WorkItem,
    assignee: str,
    to_agency: bool,
    sticky: bool,
    as_of: date,
    policy: AssignmentPolicy,
) -> Assignment:
    if not to_agency:
        return Assignment(item.loan_id, item.borrower_id, assignee, AssigneeKind.COLLECTOR, sticky)
    return Assignment(
        item.loan_id,
        item.borrower_id,
        assignee,
        AssigneeKind.AGENCY,
        sticky,
        placed_on=as_of,
        recall_on=as_of + timedelta(days=policy.agency_recall_days),
    )

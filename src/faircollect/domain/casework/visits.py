"""Home visits (外访): planned with a purpose, allowed only under CN-VISIT-1, recorded.

The seed names three kinds of visit: 确认式上门 (confirm the borrower lives / works
there), 查找式上门 (locate a borrower who cannot be reached) and 毁约式上门 (after a broken
promise). Whatever the kind, the rules are the same: a notice letter went out first,
exactly two staff (more is violent collection per the seed; both numbers are parameters),
who identify themselves, and the visit is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from faircollect.domain.casework.errors import Refused
from faircollect.domain.casework.roles import Actor, Permission, require
from faircollect.domain.compliance.pack import Parameters
from faircollect.domain.messages import Message

RULE = "CN-VISIT-1"


class VisitType(StrEnum):
    CONFIRM = "confirm"  # 确认式上门
    LOCATE = "locate"  # 查找式上门
    BREACH = "breach"  # 毁约式上门


@dataclass(frozen=True, slots=True)
class VisitPolicy:
    """The visit rules' numbers; ``for_pack`` takes them from the rule pack (CN-VISIT-1), so
    a manual plan and the night's visits obey the same numbers."""

    min_staff: int = 2
    max_staff: int = 2
    notice_lead_days: int = 3
    """The notice letter must have been sent at least this many days before the visit."""

    @classmethod
    def for_pack(cls, params: Parameters) -> VisitPolicy:
        return cls(params.visit_staff_min, params.visit_staff_max, params.visit_notice_days)


@dataclass(frozen=True, slots=True)
class PlanVisit:
    visit_id: str
    case_id: str
    visit_type: VisitType
    planned_on: date
    address: str
    staff: tuple[str, ...]
    notice_letter_sent_on: date | None
    staff_identified: bool
    """Staff will show their work ID and name the lender (表明身份)."""
    recorded: bool
    """The visit will be recorded (audio / video) for the file and QA."""
    workplace: bool = False
    """The address is the borrower's workplace (a visit there exposes the debt to colleagues)."""
    borrower_consented: bool = False
    """The borrower agreed to be met at that address (needed for a workplace visit)."""


@dataclass(frozen=True, slots=True)
class VisitPlanned:
    plan: PlanVisit
    planned_by: str


class VisitOutcome(StrEnum):
    MET_BORROWER = "met_borrower"
    PROMISE = "promise"
    NOT_HOME = "not_home"
    MOVED = "moved"
    REFUSED_TO_MEET = "refused_to_meet"
    ADDRESS_CONFIRMED = "address_confirmed"


@dataclass(frozen=True, slots=True)
class VisitRecorded:
    """What happened; ``recording_ref`` points at the stored recording."""

    visit_id: str
    case_id: str
    started_at: datetime
    staff_present: tuple[str, ...]
    outcome: VisitOutcome
    recording_ref: str
    note: str = ""


def visit_problems(plan: PlanVisit, policy: VisitPolicy) -> list[Message]:
    """Every reason the visit may not go ahead, each naming the rule."""
    problems: list[Message] = []
    where = {"rule": RULE, "visit_id": plan.visit_id}
    sent = plan.notice_letter_sent_on
    if sent is None:
        problems.append(Message("visit.no_notice", **where))
    elif (plan.planned_on - sent).days < policy.notice_lead_days:
        problems.append(
            Message(
                "visit.notice_late",
                **where,
                sent=sent,
                days=policy.notice_lead_days,
                planned_on=plan.planned_on,
            )
        )
    staff = len(set(plan.staff))
    if staff != len(plan.staff):
        problems.append(Message("visit.staff_twice", **where))
    if not policy.min_staff <= staff <= policy.max_staff:
        problems.append(
            Message(
                "visit.staff_count",
                **where,
                staff=staff,
                low=policy.min_staff,
                high=policy.max_staff,
            )
        )
    if not plan.staff_identified:
        problems.append(Message("visit.not_identified", **where))
    if not plan.recorded:
        problems.append(Message("visit.not_recorded", **where))
    if not plan.address.strip():
        problems.append(Message("visit.no_address", **where))
    if plan.workplace and not plan.borrower_consented:
        problems.append(Message("visit.workplace", visit_id=plan.visit_id))
    return problems


def plan_visit(plan: PlanVisit, actor: Actor, policy: VisitPolicy = VisitPolicy()) -> VisitPlanned:
    """A planned visit, or Refused listing every breach of the visit rules."""
    require(actor, Permission.PLAN_VISIT)
    problems = visit_problems(plan, policy)
    if problems:
        raise Refused(Message("visit.refused", visit_id=plan.visit_id), list(problems))
    return VisitPlanned(plan, actor.user_id)


def record_visit(planned: VisitPlanned, record: VisitRecorded) -> VisitRecorded:
    """Accept an outcome record only if it matches the plan: same staff, recorded."""
    plan = planned.plan
    problems: list[str] = []
    if record.visit_id != plan.visit_id or record.case_id != plan.case_id:
        problems.append(
            Message("visit.outcome_mismatch", visit_id=record.visit_id, case_id=record.case_id)
        )
    if record.started_at.tzinfo is None:
        problems.append(Message("visit.started_naive"))
    if record.started_at.date() != plan.planned_on:
        problems.append(
            Message("visit.other_day", on=record.started_at.date(), planned_on=plan.planned_on)
        )
    if set(record.staff_present) != set(plan.staff) or len(record.staff_present) != len(plan.staff):
        problems.append(Message("visit.other_staff", rule=RULE, staff=record.staff_present))
    if not record.recording_ref.strip():
        problems.append(Message("visit.no_recording", rule=RULE))
    if problems:
        raise Refused(Message("visit.outcome_refused", visit_id=plan.visit_id), problems)
    return record

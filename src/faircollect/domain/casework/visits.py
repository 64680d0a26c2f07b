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


def visit_problems(plan: PlanVisit, policy: VisitPolicy) -> list[str]:
    """Every reason the visit may not go ahead, each naming the rule."""
    problems: list[str] = []
    where = f"{RULE} visit {plan.visit_id}"
    sent = plan.notice_letter_sent_on
    if sent is None:
        problems.append(f"{where}: no notice letter was sent before the visit")
    elif (plan.planned_on - sent).days < policy.notice_lead_days:
        problems.append(
            f"{where}: notice letter sent {sent}, needs {policy.notice_lead_days} day(s)"
            f" before {plan.planned_on}"
        )
    staff = len(set(plan.staff))
    if staff != len(plan.staff):
        problems.append(f"{where}: a staff member is listed twice")
    if not policy.min_staff <= staff <= policy.max_staff:
        problems.append(f"{where}: {staff} staff, must be {policy.min_staff}-{policy.max_staff}")
    if not plan.staff_identified:
        problems.append(f"{where}: staff must identify themselves")
    if not plan.recorded:
        problems.append(f"{where}: the visit must be recorded")
    if not plan.address.strip():
        problems.append(f"{where}: field 'address' is empty")
    if plan.workplace and not plan.borrower_consented:
        problems.append(
            f"SOFT-1 visit {plan.visit_id}: a visit at the borrower's workplace exposes the"
            " debt to colleagues; only with the borrower's consent"
        )
    return problems


def plan_visit(plan: PlanVisit, actor: Actor, policy: VisitPolicy = VisitPolicy()) -> VisitPlanned:
    """A planned visit, or Refused listing every breach of the visit rules."""
    require(actor, Permission.PLAN_VISIT)
    problems = visit_problems(plan, policy)
    if problems:
        raise Refused(f"visit {plan.visit_id} refused", problems)
    return VisitPlanned(plan, actor.user_id)


def record_visit(planned: VisitPlanned, record: VisitRecorded) -> VisitRecorded:
    """Accept an outcome record only if it matches the plan: same staff, recorded."""
    plan = planned.plan
    problems: list[str] = []
    if record.visit_id != plan.visit_id or record.case_id != plan.case_id:
        problems.append(f"outcome is for visit {record.visit_id} / case {record.case_id}")
    if record.started_at.tzinfo is None:
        problems.append("field 'started_at' must be timezone-aware")
    if record.started_at.date() != plan.planned_on:
        problems.append(f"visit took place {record.started_at.date()}, planned {plan.planned_on}")
    if set(record.staff_present) != set(plan.staff) or len(record.staff_present) != len(plan.staff):
        problems.append(f"{RULE}: staff present {record.staff_present} are not the planned staff")
    if not record.recording_ref.strip():
        problems.append(f"{RULE}: field 'recording_ref' is empty: the visit must be recorded")
    if problems:
        raise Refused(f"visit {plan.visit_id} outcome refused", problems)
    return record

"""Home visits (外访): a plan must pass both the domain's visit rules and the gate's
CN-VISIT-1 (and its hours rule) before it is stored; the outcome is recorded against it.

The notice letter is not taken on the planner's word: its date is the latest visit notice
the system sent for one of the case's loans before the visit day (``visit_notices``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from faircollect.adapters.db.uow import UnitOfWork
from faircollect.adapters.lender_file import lender_profile
from faircollect.domain.casework.errors import CaseworkError, NotFound, PermissionDenied, Refused
from faircollect.domain.casework.roles import Actor, Permission, Role, require
from faircollect.domain.casework.visits import (
    RULE,
    PlanVisit,
    VisitOutcome,
    VisitPlanned,
    VisitPolicy,
    VisitRecorded,
    VisitType,
    record_visit,
    visit_problems,
)
from faircollect.domain.compliance.actions import (
    BorrowerContext,
    Channel,
    Decision,
    Party,
    ProposedAction,
    VisitDetails,
)
from faircollect.domain.compliance.gate import Gate
from faircollect.domain.messages import Message
from faircollect.services import audit
from faircollect.services.casework.cases import visible_case
from faircollect.services.casework.contacts import default_gate
from faircollect.services.casework.ids import new_id
from faircollect.services.compliance import violation_message
from faircollect.services.loans import owed_now


@dataclass(frozen=True, slots=True)
class VisitRequest:
    case_id: str
    visit_type: VisitType
    at: datetime
    """When the visit will start (timezone-aware): the gate checks its hour too."""
    address: str
    staff: tuple[str, ...]
    staff_identified: bool
    recorded: bool
    workplace: bool = False
    borrower_consented: bool = False


def gate_reasons(
    request: VisitRequest, sent: date | None, gate: Gate, illegal_debt: bool = False
) -> list[str]:
    """What the gate says about the visit (notice letter sent on ``sent``), as 'RULE:
    reason' lines."""
    decision = gate_decision(request, sent, gate, illegal_debt)
    return [violation_message(v.rule, v.reason, gate.pack) for v in decision.violations]


def gate_decision(
    request: VisitRequest, sent: date | None, gate: Gate, illegal_debt: bool = False
) -> Decision:
    """The gate's decision on the visit (notice letter sent on ``sent``)."""
    action = ProposedAction(
        id=f"visit:{request.case_id}",
        channel=Channel.VISIT,
        party=Party.BORROWER,
        at=request.at,
        recorded=request.recorded,
        visit=VisitDetails(
            staff=len(request.staff),
            identified=request.staff_identified,
            recorded=request.recorded,
            notice_sent=sent is not None and sent < request.at.date(),
            notice_sent_on=sent,
        ),
        borrower=BorrowerContext(illegal_debt=illegal_debt),
    )
    return gate.decide(action)


def _may_plan(actor: Actor) -> None:
    """Staff with the permission plan visits; an agency's users only where the lender's
    configuration allows agencies to visit."""
    if actor.role is Role.AGENCY:
        if not lender_profile().agency_visits_allowed:
            raise PermissionDenied(Message("visit.agency_not_allowed", user_id=actor.user_id))
        return
    require(actor, Permission.PLAN_VISIT)


def plan(
    uow: UnitOfWork, actor: Actor, request: VisitRequest, gate: Gate | None = None
) -> VisitPlanned:
    """Store a visit plan, or Refused listing every domain and gate reason (nothing stored)."""
    _may_plan(actor)
    case = visible_case(uow, actor, request.case_id, request.at.date())
    notices = uow.actions.notices_sent(request.at.date(), case.loan_ids)
    sent = max(notices.values(), default=None)
    command = PlanVisit(
        new_id("V"),
        request.case_id,
        request.visit_type,
        request.at.date(),
        request.address,
        request.staff,
        sent,
        request.staff_identified,
        request.recorded,
        request.workplace,
        request.borrower_consented,
    )
    chosen = gate or default_gate()
    problems = visit_problems(command, VisitPolicy.for_pack(chosen.pack.parameters))
    illegal = any(owed_now(uow, loan, request.at.date()).illegal for loan in case.loan_ids)
    decision = gate_decision(request, sent, chosen, illegal)
    from_gate = [violation_message(v.rule, v.reason, chosen.pack) for v in decision.violations]
    proposed = {
        "visit_id": command.visit_id,
        "at": request.at,
        "channel": Channel.VISIT,
        "visit_type": request.visit_type,
        "staff": len(request.staff),
        "notice_sent_on": sent,
    }
    audit.gate_decided(uow, actor, request.case_id, decision, chosen.pack.version, proposed)
    # Both check CN-VISIT-1; when the domain already named the breaches, keep only the
    # gate's other rules (hours...) so each breach is listed once.
    problems += [r for r in from_gate if not (problems and r.startswith(f"{RULE}:"))]
    if problems:
        raise Refused(Message("visit.on_case_refused", case_id=request.case_id), problems)
    planned = VisitPlanned(command, actor.user_id)
    uow.visits.add(planned)
    audit.record(
        uow,
        actor,
        "visit.planned",
        request.case_id,
        None,
        {
            "visit_id": command.visit_id,
            "visit_type": request.visit_type,
            "planned_on": command.planned_on,
            "staff": list(request.staff),
            "notice_letter_sent_on": sent,
            "workplace": request.workplace,
            "borrower_consented": request.borrower_consented,
        },
    )
    return planned


def record(
    uow: UnitOfWork,
    actor: Actor,
    visit_id: str,
    started_at: datetime,
    staff_present: tuple[str, ...],
    outcome: VisitOutcome,
    recording_ref: str,
    note: str = "",
) -> VisitRecorded:
    """Record what happened on a planned visit; refused if it does not match the plan."""
    require(actor, Permission.PLAN_VISIT)
    planned = _visible_visit(uow, actor, visit_id, started_at.date())
    done = record_visit(
        planned,
        VisitRecorded(
            visit_id, planned.plan.case_id, started_at, staff_present, outcome, recording_ref, note
        ),
    )
    uow.visits.record_outcome(visit_id, started_at, outcome, recording_ref, note)
    audit.record(
        uow,
        actor,
        "visit.recorded",
        planned.plan.case_id,
        {"visit_id": visit_id, "outcome": None},
        {
            "visit_id": visit_id,
            "started_at": started_at,
            "staff_present": list(staff_present),
            "outcome": outcome,
            "recording_ref": recording_ref,
            "note_chars": len(note),
        },
    )
    return done


def _visible_visit(uow: UnitOfWork, actor: Actor, visit_id: str, day: date) -> VisitPlanned:
    """The planned visit, if ``actor`` may see its case on ``day`` and it still waits for
    its outcome. A visit of a case the actor may not see is answered exactly as an unknown
    one, before anything about it (its case, its outcome) is said."""
    found = uow.visits.find(visit_id)
    if found is None:
        raise NotFound(Message("visit.not_found", visit_id=visit_id))
    planned, outcome = found
    try:
        visible_case(uow, actor, planned.plan.case_id, day)
    except NotFound:
        raise NotFound(Message("visit.not_found", visit_id=visit_id)) from None
    if outcome is not None:
        raise CaseworkError(Message("visit.has_outcome", visit_id=visit_id, outcome=outcome))
    return planned

"""The night's agency placements (委外) reach casework.

The night decides, per loan, that an account goes to an agency (``loan_placements``: the
decision, with the action id and the recall date it computed). What lets an agency work
the account is the case-level placement (``placements``): ``require_case_access`` and the
commission statement read only that. ``sync_placements`` turns tonight's decisions into
case placements through the casework services, in the night's own transaction:

- the loan's open case is placed with the decided agency from tonight until the recall
  date; a loan in no open case first gets one under the case rules of ``open_cases``
  (its borrower's overdue loans not yet in an open case), owned by ``UNASSIGNED`` until
  the placement hands it to the agency;
- a case already held by that agency is left alone (a rerun of the night places nothing
  twice);
- a case held by another agency keeps that placement: the agency a person (or an earlier
  night) chose is working it, and moving a case between agencies mid-placement changes
  who earns the commission, a supervisor's decision (``case recall`` then ``case place``);
- a case the lifecycle does not let go to an agency (a promise running, a dispute or a
  complaint being handled) and an agency casework does not know (no commission terms in
  ``agencies``) are not placed either;

every case not placed is reported with the reason (``SyncReport.not_placed``). On the
night of a placement's recall date (or the first night after it), placements the night
made are recalled and the case goes back to the collector who owned it before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Connection

from faircollect.adapters.db.uow import UnitOfWork
from faircollect.domain.casework.agencies import holder
from faircollect.domain.casework.cases import UNASSIGNED, Owner, OwnerKind
from faircollect.domain.casework.errors import CaseworkError
from faircollect.domain.casework.roles import Actor, Role
from faircollect.services.casework.agencies import place_case, recall_case
from faircollect.services.casework.open_cases import open_cases

NIGHT_ACTOR = Actor("system:nightly-run", Role.ADMIN)
"""Who places and recalls for the night (``placements.placed_by``, case history). An admin:
the placement rule (DPD over the strategy's agency threshold) is the lender's decision,
taken when it wrote the strategy; the night only carries it out."""


@dataclass
class SyncReport:
    """What ``sync_placements`` did tonight, by case id."""

    opened: list[str] = field(default_factory=list)
    placed: dict[str, str] = field(default_factory=dict)
    """Case id -> agency id."""
    recalled: list[str] = field(default_factory=list)
    not_recalled: dict[str, str] = field(default_factory=dict)
    """Case id -> why its owner was not handed back (the placement is recalled anyway)."""
    not_placed: dict[str, str] = field(default_factory=dict)
    """Loan id -> why its case was not placed as the night decided."""


def sync_placements(conn: Connection, as_of: date) -> SyncReport:
    """Recall the night's placements due by ``as_of``, then place the cases of the loans
    the night placed on ``as_of`` (see the module docstring). Idempotent per date."""
    uow = UnitOfWork.within(conn)
    report = SyncReport()
    _recall_due(uow, as_of, report)
    decided = uow.actions.placements_decided(as_of)
    if not decided:
        return report
    case_of = uow.cases.open_case_of([r.loan_id for r in decided])
    homeless = {r.borrower_id for r in decided if r.loan_id not in case_of}
    if homeless:
        report.opened = open_cases(uow, as_of, UNASSIGNED, homeless)
        case_of = uow.cases.open_case_of([r.loan_id for r in decided])
    known = {a.agency_id for a in uow.org.agencies()}
    for row in decided:
        case_id = case_of.get(row.loan_id)
        why = _why_not(uow, case_id, row.agency_id, known, as_of)
        if why == _ALREADY:
            continue
        if why is None:
            assert case_id is not None
            try:
                place_case(uow, NIGHT_ACTOR, case_id, row.agency_id, as_of, row.recall_on)
            except CaseworkError as refused:  # refused before anything was written
                why = str(refused)
            else:
                report.placed[case_id] = row.agency_id
                continue
        report.not_placed[row.loan_id] = why
    return report


_ALREADY = "already with the agency"


def _why_not(
    uow: UnitOfWork, case_id: str | None, agency_id: str, known: set[str], as_of: date
) -> str | None:
    """Why the case cannot be placed with ``agency_id`` tonight; None when it can."""
    if case_id is None:
        return "no open case (the loan is not past due in account_states)"
    if agency_id not in known:
        return f"agency {agency_id} has no commission terms in casework (user load)"
    holding = holder(uow.cases.placements(case_id), case_id, as_of)
    if holding == agency_id:
        return _ALREADY
    if holding is not None:
        return f"case {case_id} stays with {holding}, which holds it"
    return None


def _recall_due(uow: UnitOfWork, as_of: date, report: SyncReport) -> None:
    """Recall, on their recall date, the open placements the night made that are due."""
    for case_id, agency_id, recall_on in uow.cases.placements_due_for_recall(
        NIGHT_ACTOR.user_id, as_of
    ):
        reason = f"recall date {recall_on} set when the nightly run placed it"
        before = uow.cases.owner_before(case_id, Owner(OwnerKind.AGENCY, agency_id))
        back_to = (
            before.owner_id
            if before is not None and before.kind is OwnerKind.COLLECTOR
            else UNASSIGNED
        )
        try:
            recall_case(uow, NIGHT_ACTOR, case_id, recall_on, reason, back_to)
        except CaseworkError as refused:
            # A closed case has no owner to hand back; the placement itself was marked
            # recalled before the refusal, which is all the agency's access depends on.
            report.not_recalled[case_id] = str(refused)
        else:
            report.recalled.append(case_id)

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

from sqlalchemy import Connection, and_, select

from faircollect.adapters.db import tables as t
from faircollect.domain.casework.agencies import holder
from faircollect.domain.casework.cases import OwnerKind
from faircollect.domain.casework.errors import CaseworkError
from faircollect.domain.casework.roles import Actor, Role
from faircollect.services.casework.agencies import place_case, recall_case
from faircollect.services.casework.case_store import load_placements
from faircollect.services.casework.open_cases import open_case_of, open_cases
from faircollect.services.casework.uow import UnitOfWork

NIGHT_ACTOR = Actor("system:nightly-run", Role.ADMIN)
"""Who places and recalls for the night (``placements.placed_by``, case history). An admin:
the placement rule (DPD over the strategy's agency threshold) is the lender's decision,
taken when it wrote the strategy; the night only carries it out."""

UNASSIGNED = "unassigned"
"""Owner of a case the night opens, until its placement hands it to the agency (and of a
case recalled whose owner before the placement is not known)."""


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
    lp = t.loan_placements
    decided = conn.execute(
        select(lp.c.loan_id, lp.c.agency_id, lp.c.recall_on, t.loans.c.borrower_id)
        .join(t.loans, t.loans.c.loan_id == lp.c.loan_id)
        .where(lp.c.placed_on == as_of)
        .order_by(lp.c.loan_id)
    ).all()
    if not decided:
        return report
    case_of = open_case_of(conn, [r.loan_id for r in decided])
    homeless = {r.borrower_id for r in decided if r.loan_id not in case_of}
    if homeless:
        report.opened = open_cases(uow, as_of, UNASSIGNED, homeless)
        case_of = open_case_of(conn, [r.loan_id for r in decided])
    known = set(conn.execute(select(t.agencies.c.agency_id)).scalars())
    for row in decided:
        case_id = case_of.get(row.loan_id)
        why = _why_not(conn, case_id, row.agency_id, known, as_of)
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
    conn: Connection, case_id: str | None, agency_id: str, known: set[str], as_of: date
) -> str | None:
    """Why the case cannot be placed with ``agency_id`` tonight; None when it can."""
    if case_id is None:
        return "no open case (the loan is not past due in account_states)"
    if agency_id not in known:
        return f"agency {agency_id} has no commission terms in casework (user load)"
    holding = holder(load_placements(conn, case_id), case_id, as_of)
    if holding == agency_id:
        return _ALREADY
    if holding is not None:
        return f"case {case_id} stays with {holding}, which holds it"
    return None


def _recall_due(uow: UnitOfWork, as_of: date, report: SyncReport) -> None:
    """Recall, on their recall date, the open placements the night made that are due."""
    p = t.placements
    due = uow.conn.execute(
        select(p.c.case_id, p.c.agency_id, p.c.recall_on)
        .where(
            p.c.placed_by == NIGHT_ACTOR.user_id,
            p.c.recalled_on.is_(None),
            p.c.recall_on <= as_of,
        )
        .order_by(p.c.case_id)
    ).all()
    for row in due:
        reason = f"recall date {row.recall_on} set when the nightly run placed it"
        back_to = _owner_before(uow.conn, row.case_id, row.agency_id)
        try:
            recall_case(uow, NIGHT_ACTOR, row.case_id, row.recall_on, reason, back_to)
        except CaseworkError as refused:
            # A closed case has no owner to hand back; the placement itself was marked
            # recalled before the refusal, which is all the agency's access depends on.
            report.not_recalled[row.case_id] = str(refused)
        else:
            report.recalled.append(row.case_id)


def _owner_before(conn: Connection, case_id: str, agency_id: str) -> str:
    """The collector who owned the case before it was handed to ``agency_id``."""
    e = t.case_events
    handed = conn.execute(
        select(e.c.from_value)
        .where(
            and_(
                e.c.case_id == case_id,
                e.c.kind == "owner",
                e.c.to_value == f"{OwnerKind.AGENCY.value}:{agency_id}",
            )
        )
        .order_by(e.c.event_id.desc())
        .limit(1)
    ).scalar()
    kind, _, owner_id = (handed or "").partition(":")
    return owner_id if kind == OwnerKind.COLLECTOR.value and owner_id else UNASSIGNED

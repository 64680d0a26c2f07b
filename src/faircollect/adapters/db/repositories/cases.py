"""Cases, their loans, history, placements and follow-ups, between rows and domain values.

A case is loaded with its current status and owner; its history stays in ``case_events``.
Saving appends the events the domain added and updates the current status and owner:
history is never rewritten.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Select, and_, func, or_, select

from faircollect.adapters.data_keys import lookup_hash
from faircollect.adapters.db.tables import (
    account_states,
    borrowers,
    case_events,
    case_loans,
    cases,
    complaints,
    contact_records,
    follow_ups,
    loans,
    placements,
)
from faircollect.domain.casework.agencies import Placement
from faircollect.domain.casework.cases import (
    CLOSED,
    Case,
    CaseEvent,
    CaseOpened,
    CaseStatus,
    Owner,
    OwnerAssigned,
    OwnerKind,
    StatusChanged,
)
from faircollect.domain.casework.errors import CaseworkError
from faircollect.domain.messages import Message
from faircollect.domain.portal import ComplaintStatus

CHUNK = 5_000
"""Ids per IN list (SQLite binds at most 32,766 parameters per statement)."""


@dataclass(frozen=True, slots=True)
class CaseLine:
    """One row of a case list: who, whose, where it stands, how late and how much."""

    case_id: str
    borrower_id: str
    borrower_name: str
    status: str
    owner: str
    opened_on: date
    loan_ids: tuple[str, ...]
    dpd: int
    total_overdue: int


@dataclass(frozen=True, slots=True)
class CaseFilter:
    """Which cases a list shows. With ``owners`` or ``case_ids`` set, only cases owned by
    one of those collectors, with any agency (``agencies``) or with one of those ids;
    with neither, every case."""

    owners: frozenset[str] | None = None
    case_ids: frozenset[str] | None = None
    status: str | None = None
    query: str | None = None
    agencies: bool = False
    within: frozenset[str] | None = None
    """And only among these case ids (an intersection, unlike ``case_ids``)."""


class CaseRepository:
    """Cases of one unit of work."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # One case --------------------------------------------------------------------------

    def get(self, case_id: str) -> Case:
        """The case as it stands; CaseworkError naming the id when there is none."""
        row = self.conn.execute(select(cases).where(cases.c.case_id == case_id)).first()
        if row is None:
            raise CaseworkError(Message("case.not_found", case_id=case_id))
        loan_ids = self.conn.execute(
            select(case_loans.c.loan_id).where(case_loans.c.case_id == case_id).order_by("loan_id")
        ).scalars()
        owner = Owner(OwnerKind(row.owner_kind), row.owner_id)
        return Case(
            row.case_id, row.borrower_id, tuple(loan_ids), owner, CaseStatus(row.status), ()
        )

    def opened_on(self, case_id: str) -> date:
        query = select(cases.c.opened_on).where(cases.c.case_id == case_id)
        opened: date = self.conn.execute(query).scalar_one()
        return opened

    def exists(self, case_id: str) -> bool:
        query = select(cases.c.case_id).where(cases.c.case_id == case_id)
        return self.conn.execute(query).first() is not None

    def add(self, case: Case) -> None:
        """Store a newly opened case with its loans and its opening event."""
        opened = case.history[0]
        assert isinstance(opened, CaseOpened)
        self.conn.execute(
            cases.insert().values(
                case_id=case.case_id,
                borrower_id=case.borrower_id,
                status=case.status.value,
                owner_kind=case.owner.kind.value,
                owner_id=case.owner.owner_id,
                opened_on=opened.on,
            )
        )
        self.conn.execute(
            case_loans.insert(), [{"case_id": case.case_id, "loan_id": x} for x in case.loan_ids]
        )
        self._append(case.history)

    def save(self, before: Case, after: Case) -> None:
        """Append the events ``after`` gained over ``before``; store its status and owner."""
        new = after.history[len(before.history) :]
        if not new:
            return
        self.conn.execute(
            cases.update()
            .where(cases.c.case_id == after.case_id)
            .values(
                status=after.status.value,
                owner_kind=after.owner.kind.value,
                owner_id=after.owner.owner_id,
            )
        )
        self._append(new)

    def _append(self, events: tuple[CaseEvent, ...]) -> None:
        self.conn.execute(case_events.insert(), [_event_row(e) for e in events])

    def history(self, case_id: str) -> list[dict[str, Any]]:
        """The case's events, oldest first, as stored."""
        query = select(case_events).where(case_events.c.case_id == case_id)
        return _dicts(self.conn, query.order_by(case_events.c.event_id))

    def owner_before(self, case_id: str, owner: Owner) -> Owner | None:
        """Who owned the case just before it was last handed to ``owner``."""
        e = case_events
        handed = self.conn.execute(
            select(e.c.from_value)
            .where(
                and_(
                    e.c.case_id == case_id,
                    e.c.kind == "owner",
                    e.c.to_value == f"{owner.kind.value}:{owner.owner_id}",
                )
            )
            .order_by(e.c.event_id.desc())
            .limit(1)
        ).scalar()
        kind, _, owner_id = (handed or "").partition(":")
        if not owner_id or kind not in set(OwnerKind):
            return None
        return Owner(OwnerKind(kind), owner_id)

    # Cases for loans and borrowers ---------------------------------------------------

    def open_case_of(self, loan_ids: Collection[str]) -> dict[str, str]:
        """The open (not closed) case each of ``loan_ids`` is in, by loan id."""
        found: dict[str, str] = {}
        wanted = sorted(loan_ids)
        for start in range(0, len(wanted), CHUNK):
            query = (
                select(case_loans.c.loan_id, case_loans.c.case_id)
                .join(cases, cases.c.case_id == case_loans.c.case_id)
                .where(
                    cases.c.status.not_in([s.value for s in CLOSED]),
                    case_loans.c.loan_id.in_(wanted[start : start + CHUNK]),
                )
            )
            found.update({loan_id: case_id for loan_id, case_id in self.conn.execute(query)})
        return found

    def complaint_open(self, borrower_id: str) -> bool:
        """Whether a complaint of the borrower is open (COMP-1 pauses contact): a case of
        theirs is in complaint, or they filed one in the portal that is not closed yet."""
        query = select(cases.c.case_id).where(
            cases.c.borrower_id == borrower_id, cases.c.status == CaseStatus.COMPLAINT.value
        )
        if self.conn.execute(query.limit(1)).first() is not None:
            return True
        filed = select(complaints.c.complaint_id).where(
            complaints.c.borrower_id == borrower_id,
            complaints.c.status == ComplaintStatus.OPEN.value,
        )
        return self.conn.execute(filed.limit(1)).first() is not None

    def borrowers_in_complaint(self) -> set[str]:
        """Every borrower with a complaint open now (COMP-1): a case in complaint or a
        complaint filed in the portal that is not closed (few, read at once)."""
        in_case = select(cases.c.borrower_id).where(cases.c.status == CaseStatus.COMPLAINT.value)
        filed = select(complaints.c.borrower_id).where(
            complaints.c.status == ComplaintStatus.OPEN.value
        )
        return set(self.conn.execute(in_case).scalars()) | set(self.conn.execute(filed).scalars())

    def cases_of_loan(self, loan_id: str) -> set[str]:
        """Every case (open or closed) the loan has been in."""
        query = select(case_loans.c.case_id).where(case_loans.c.loan_id == loan_id)
        return set(self.conn.execute(query).scalars())

    def overdue_loans(self, borrower_ids: Collection[str] | None = None) -> list[tuple[str, str]]:
        """(borrower id, loan id) of every loan past due in ``account_states``, by borrower."""
        query = (
            select(loans.c.borrower_id, loans.c.loan_id)
            .join(account_states, account_states.c.loan_id == loans.c.loan_id)
            .where(account_states.c.dpd > 0)
            .order_by(loans.c.borrower_id, loans.c.loan_id)
        )
        if borrower_ids is None:
            return [(b, x) for b, x in self.conn.execute(query)]
        wanted = sorted(borrower_ids)
        found: list[tuple[str, str]] = []
        for start in range(0, len(wanted), CHUNK):
            part = query.where(loans.c.borrower_id.in_(wanted[start : start + CHUNK]))
            found += [(b, x) for b, x in self.conn.execute(part)]
        return found

    # Lists -----------------------------------------------------------------------------

    def lines(
        self, where: CaseFilter, *, sort: str = "case_id", offset: int = 0, limit: int | None = None
    ) -> tuple[list[CaseLine], int]:
        """One page of the cases ``where`` selects, and how many it selects in all.

        ``sort`` is one of ``SORTS`` (a leading ``-`` reverses it). Days past due and the
        amount overdue are the worst loan's DPD and the sum over the case's loans, from
        the stored nightly states.
        """
        base = self._filtered(where)
        total = self.conn.execute(select(func.count()).select_from(base.subquery())).scalar_one()
        figures = _figures(base)
        query = (
            select(
                cases,
                borrowers.c.name.label("borrower_name"),
                func.coalesce(figures.c.dpd, 0).label("dpd"),
                func.coalesce(figures.c.total_overdue, 0).label("total_overdue"),
            )
            .join(borrowers, borrowers.c.borrower_id == cases.c.borrower_id)
            .outerjoin(figures, figures.c.case_id == cases.c.case_id)
            .where(cases.c.case_id.in_(base))
        )
        query = query.order_by(*_order(sort, figures)).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        rows = self.conn.execute(query).all()
        loans_of = self._loans_of([r.case_id for r in rows])
        return [
            CaseLine(
                r.case_id,
                r.borrower_id,
                r.borrower_name,
                r.status,
                owner_text(Owner(OwnerKind(r.owner_kind), r.owner_id)),
                r.opened_on,
                tuple(loans_of.get(r.case_id, ())),
                int(r.dpd),
                int(r.total_overdue),
            )
            for r in rows
        ], int(total)

    def open_totals(self, where: CaseFilter) -> dict[str, tuple[int, int]]:
        """Per owner (as ``owner_text`` names it): how many of the cases ``where`` selects
        are open (not closed), and what their loans owe overdue in all (fen)."""
        figures = _figures(self._filtered(where))
        query = (
            select(
                cases.c.owner_kind,
                cases.c.owner_id,
                func.count(),
                func.coalesce(func.sum(figures.c.total_overdue), 0),
            )
            .outerjoin(figures, figures.c.case_id == cases.c.case_id)
            .where(
                cases.c.case_id.in_(self._filtered(where)),
                cases.c.status.not_in([s.value for s in CLOSED]),
            )
            .group_by(cases.c.owner_kind, cases.c.owner_id)
        )
        return {
            owner_text(Owner(OwnerKind(kind), owner_id)): (int(n), int(total))
            for kind, owner_id, n, total in self.conn.execute(query)
        }

    def _filtered(self, where: CaseFilter) -> Select[Any]:
        query = select(cases.c.case_id)
        if where.status is not None:
            query = query.where(cases.c.status == where.status)
        if where.owners is not None or where.case_ids is not None:
            allowed = []
            if where.owners:
                allowed.append(
                    and_(
                        cases.c.owner_kind == OwnerKind.COLLECTOR.value,
                        cases.c.owner_id.in_(sorted(where.owners)),
                    )
                )
            if where.agencies:
                allowed.append(cases.c.owner_kind == OwnerKind.AGENCY.value)
            if where.case_ids:
                allowed.append(cases.c.case_id.in_(sorted(where.case_ids)))
            query = query.where(or_(*allowed) if allowed else cases.c.case_id.is_(None))
        if where.query:
            query = query.where(_matches(where.query.strip()))
        if where.within is not None:
            query = query.where(cases.c.case_id.in_(sorted(where.within)))
        return query

    def _loans_of(self, case_ids: list[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for start in range(0, len(case_ids), CHUNK):
            query = (
                select(case_loans.c.case_id, case_loans.c.loan_id)
                .where(case_loans.c.case_id.in_(case_ids[start : start + CHUNK]))
                .order_by(case_loans.c.loan_id)
            )
            for case_id, loan_id in self.conn.execute(query):
                found.setdefault(case_id, []).append(loan_id)
        return found

    # Placements (委外) ------------------------------------------------------------------

    def placements(self, case_id: str | None = None) -> list[Placement]:
        """Every placement (of one case, when given), oldest first."""
        query = select(placements).order_by(placements.c.placed_on, placements.c.placement_id)
        if case_id is not None:
            query = query.where(placements.c.case_id == case_id)
        return [
            Placement(r.placement_id, r.agency_id, r.case_id, r.placed_on, r.recalled_on)
            for r in self.conn.execute(query)
        ]

    def held_by(self, agency_id: str, day: date) -> set[str]:
        """Case ids the agency holds on ``day``."""
        p = placements
        query = select(p.c.case_id).where(
            p.c.agency_id == agency_id,
            p.c.placed_on <= day,
            or_(p.c.recalled_on.is_(None), p.c.recalled_on > day),
        )
        return set(self.conn.execute(query).scalars())

    def add_placement(self, placement: Placement, recall_on: date | None, placed_by: str) -> None:
        self.conn.execute(
            placements.insert().values(
                placement_id=placement.placement_id,
                agency_id=placement.agency_id,
                case_id=placement.case_id,
                placed_on=placement.placed_on,
                recall_on=recall_on,
                placed_by=placed_by,
            )
        )

    def mark_recalled(self, placement_id: str, on: date) -> None:
        self.conn.execute(
            placements.update()
            .where(placements.c.placement_id == placement_id)
            .values(recalled_on=on)
        )

    def placements_due_for_recall(self, placed_by: str, as_of: date) -> list[tuple[str, str, date]]:
        """(case id, agency id, recall date) of open placements by ``placed_by`` due by
        ``as_of``, by case id."""
        p = placements
        query = (
            select(p.c.case_id, p.c.agency_id, p.c.recall_on)
            .where(p.c.placed_by == placed_by, p.c.recalled_on.is_(None), p.c.recall_on <= as_of)
            .order_by(p.c.case_id)
        )
        return [(r.case_id, r.agency_id, r.recall_on) for r in self.conn.execute(query)]

    # Follow-ups (跟进) -------------------------------------------------------------------

    def add_follow_up(self, case_id: str, record_id: str | None, action: str, due_on: date) -> None:
        self.conn.execute(
            follow_ups.insert().values(
                case_id=case_id, record_id=record_id, action=action, due_on=due_on
            )
        )

    def open_follow_ups(self, where: CaseFilter, due_by: date) -> list[dict[str, Any]]:
        """Follow-ups due by ``due_by`` on the cases ``where`` selects that nothing has
        answered yet: no contact was recorded on the case after the contact that set the
        follow-up. The cases are selected in SQL: a supervisor's scope holds every case
        nobody owns, tens of thousands of ids."""
        f, c = follow_ups, contact_records
        setter = c.alias("setter")
        later = (
            select(c.c.record_id).where(c.c.case_id == f.c.case_id, c.c.at > setter.c.at).exists()
        )
        query = (
            select(f, setter.c.at.label("set_at"))
            .outerjoin(setter, setter.c.record_id == f.c.record_id)
            .where(f.c.case_id.in_(self._filtered(where)), f.c.due_on <= due_by)
            .where(~later)
            .order_by(f.c.due_on, f.c.follow_up_id)
        )
        return _dicts(self.conn, query)

    def follow_ups(self, case_id: str) -> list[dict[str, Any]]:
        query = select(follow_ups).where(follow_ups.c.case_id == case_id)
        return _dicts(self.conn, query.order_by(follow_ups.c.due_on))


SORTS = ("case_id", "dpd", "total_overdue", "opened_on", "status", "borrower_name")
"""What a case list may be sorted by."""


def owner_text(owner: Owner) -> str:
    """How an owner is named in lists and the API: a collector's user id, else
    ``agency:AGENCY_ID`` (or ``unassigned``)."""
    if owner.kind is OwnerKind.AGENCY:
        return f"agency:{owner.owner_id}"
    return owner.owner_id


def _figures(chosen: Select[Any]) -> Any:
    """Per case among ``chosen`` (a select of case ids): the worst DPD and the total
    overdue of its loans (stored states). Limited to those cases so that a page of one
    user's cases never aggregates every case in the book."""
    s = account_states
    return (
        select(
            case_loans.c.case_id,
            func.max(s.c.dpd).label("dpd"),
            func.sum(
                s.c.overdue_principal + s.c.overdue_interest + s.c.overdue_fee + s.c.penalty
            ).label("total_overdue"),
        )
        .join(s, s.c.loan_id == case_loans.c.loan_id)
        .where(case_loans.c.case_id.in_(chosen))
        .group_by(case_loans.c.case_id)
        .subquery()
    )


def _order(sort: str, figures: Any) -> list[Any]:
    descending = sort.startswith("-")
    name = sort.lstrip("-")
    if name not in SORTS:
        raise CaseworkError(Message("case.sort", name=name, sorts=list(SORTS)))
    column = {
        "dpd": func.coalesce(figures.c.dpd, 0),
        "total_overdue": func.coalesce(figures.c.total_overdue, 0),
        "borrower_name": borrowers.c.name,
    }.get(name, cases.c.get(name, cases.c.case_id))
    return [column.desc() if descending else column.asc(), cases.c.case_id]


def _matches(text: str) -> Any:
    """Case id, loan id, borrower id or a borrower's phone or ID number equal to ``text``
    (looked up by their keyed hash: the numbers are sealed), or the borrower's name
    containing it."""
    by_loan = select(case_loans.c.case_id).where(case_loans.c.loan_id == text)
    hashed = lookup_hash(text.strip())
    by_phone = select(borrowers.c.borrower_id).where(
        or_(borrowers.c.phone_hash == hashed, borrowers.c.id_number_hash == hashed)
    )
    return or_(
        cases.c.case_id == text,
        cases.c.borrower_id == text,
        cases.c.case_id.in_(by_loan),
        cases.c.borrower_id.in_(by_phone),
        cases.c.borrower_id.in_(
            select(borrowers.c.borrower_id).where(borrowers.c.name.contains(text, autoescape=True))
        ),
    )


def _event_row(event: CaseEvent) -> dict[str, object]:
    base = {"case_id": event.case_id, "happened_on": event.on, "actor": event.actor}
    if isinstance(event, CaseOpened):
        owner = f"{event.owner.kind}:{event.owner.owner_id}"
        return {**base, "kind": "opened", "to_value": owner, "reason": " ".join(event.loan_ids)}
    if isinstance(event, StatusChanged):
        return {
            **base,
            "kind": "status",
            "from_value": event.from_status.value,
            "to_value": event.to_status.value,
            "reason": event.reason,
        }
    assert isinstance(event, OwnerAssigned)
    return {
        **base,
        "kind": "owner",
        "from_value": f"{event.from_owner.kind}:{event.from_owner.owner_id}",
        "to_value": f"{event.to_owner.kind}:{event.to_owner.owner_id}",
        "reason": event.reason,
    }


def _dicts(conn: Connection, query: Any) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in conn.execute(query)]

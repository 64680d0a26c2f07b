"""Promises to pay (承诺还款) as stored: made here, settled by the nightly run."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, func, or_, select

from faircollect.adapters.db.tables import promises
from faircollect.domain.casework.promise import PastPromise


@dataclass(frozen=True, slots=True)
class PromiseRow:
    """A stored promise with what the night found paid towards it (fen)."""

    promise_id: str
    loan_id: str
    amount: int
    made_on: date
    due_on: date
    status: str
    paid: int
    settled_on: date | None
    case_id: str | None
    made_by: str | None
    kind: str | None = None
    """``once`` (一次性) or ``instalments`` (分期); None for promises made before it was kept."""


_KEPT = {"kept": True, "partly_kept": False, "broken": False}


class PromiseRepository:
    """The promise book of one unit of work."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, row: PromiseRow) -> None:
        self.conn.execute(
            promises.insert().values(
                promise_id=row.promise_id,
                loan_id=row.loan_id,
                amount=row.amount,
                made_on=row.made_on,
                due_on=row.due_on,
                status=row.status,
                paid=row.paid,
                settled_on=row.settled_on,
                case_id=row.case_id,
                made_by=row.made_by,
                kind=row.kind,
            )
        )

    def made_on(self, loan_id: str, day: date) -> int:
        """How many promises the loan got on ``day`` (numbering the next one)."""
        p = promises
        query = select(func.count()).where(p.c.loan_id == loan_id, p.c.made_on == day)
        return int(self.conn.execute(query).scalar_one())

    def listed(
        self,
        loan_ids: Collection[str] | None = None,
        case_ids: Collection[str] | None = None,
        made_by: str | None = None,
    ) -> list[PromiseRow]:
        """Promises by due date: of some loans, when given; of some cases (or, with
        ``made_by``, made by that user), when given."""
        p = promises
        query = select(p).order_by(p.c.due_on, p.c.promise_id)
        if loan_ids is not None:
            query = query.where(p.c.loan_id.in_(sorted(loan_ids)))
        if case_ids is not None:
            ours = p.c.case_id.in_(sorted(case_ids))
            query = query.where(ours if made_by is None else or_(ours, p.c.made_by == made_by))
        return [_row(r) for r in self.conn.execute(query)]

    def past(self, loan_id: str) -> tuple[PastPromise, ...]:
        """The loan's promises and how each ended (None while open), oldest first."""
        p = promises
        query = select(p).where(p.c.loan_id == loan_id).order_by(p.c.made_on)
        return tuple(
            PastPromise(r.amount, r.due_on, _KEPT.get(r.status)) for r in self.conn.execute(query)
        )

    def settled_on(self, day: date) -> list[PromiseRow]:
        """Promises the night settled on ``day``, in the order they were made."""
        p = promises
        query = select(p).where(p.c.settled_on == day).order_by(p.c.made_on, p.c.promise_id)
        return [_row(r) for r in self.conn.execute(query)]

    def broken_since(
        self, since: date, case_ids: Collection[str] | None = None
    ) -> list[PromiseRow]:
        """Promises the night found broken (or only partly kept) on or after ``since``, of
        some cases when given; the latest first."""
        p = promises
        query = (
            select(p)
            .where(p.c.status.in_(("broken", "partly_kept")), p.c.settled_on >= since)
            .order_by(p.c.settled_on.desc(), p.c.promise_id)
        )
        if case_ids is not None:
            query = query.where(p.c.case_id.in_(sorted(case_ids)))
        return [_row(r) for r in self.conn.execute(query)]


def _row(r: Any) -> PromiseRow:
    return PromiseRow(
        r.promise_id,
        r.loan_id,
        r.amount,
        r.made_on,
        r.due_on,
        r.status,
        r.paid,
        r.settled_on,
        r.case_id,
        r.made_by,
        r.kind,
    )

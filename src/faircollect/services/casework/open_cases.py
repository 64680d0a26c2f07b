"""Open cases for delinquent loans: one case per borrower, grouping their overdue loans."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date

from sqlalchemy import Connection, select

from faircollect.adapters.db.tables import account_states, case_loans, cases, loans
from faircollect.domain.casework.cases import CLOSED, OpenCase, Owner, OwnerKind, open_case
from faircollect.services.casework.case_store import insert_case
from faircollect.services.casework.uow import UnitOfWork

SYSTEM = "system"


def case_id_for(borrower_id: str, on: date) -> str:
    """Readable and unique: a borrower has at most one case opened per day."""
    return f"C-{borrower_id}-{on:%Y%m%d}"


def open_case_of(conn: Connection, loan_ids: Collection[str]) -> dict[str, str]:
    """The open (not closed) case each of ``loan_ids`` is in, by loan id; loans in none
    are absent. A loan is in at most one open case (``open_cases`` never adds a loan that
    is in one)."""
    found: dict[str, str] = {}
    wanted = sorted(loan_ids)
    for start in range(0, len(wanted), _CHUNK):
        query = (
            select(case_loans.c.loan_id, case_loans.c.case_id)
            .join(cases, cases.c.case_id == case_loans.c.case_id)
            .where(
                cases.c.status.not_in([s.value for s in CLOSED]),
                case_loans.c.loan_id.in_(wanted[start : start + _CHUNK]),
            )
        )
        found.update({loan_id: case_id for loan_id, case_id in conn.execute(query)})
    return found


_CHUNK = 5_000
"""Ids per IN list (SQLite binds at most 32,766 parameters per statement)."""


def open_cases(
    uow: UnitOfWork, on: date, owner_id: str, borrower_ids: Collection[str] | None = None
) -> list[str]:
    """Open a case for each borrower with a loan past due (dpd > 0 in ``account_states``)
    that is not already in an open case; returns the new case ids.

    Loans already in a case that is not closed are left there; a borrower whose overdue
    loans are all in open cases gets no new case. New cases belong to ``owner_id`` (a
    collector; the assignment engine may reassign them). ``borrower_ids`` limits it to
    those borrowers (the night opens cases only for the loans it places with an agency).
    """
    conn = uow.conn
    query = (
        select(loans.c.borrower_id, loans.c.loan_id)
        .join(account_states, account_states.c.loan_id == loans.c.loan_id)
        .where(account_states.c.dpd > 0)
        .order_by(loans.c.borrower_id, loans.c.loan_id)
    )
    if borrower_ids is not None:
        query = query.where(loans.c.borrower_id.in_(sorted(borrower_ids)))
    overdue = conn.execute(query).all()
    worked = set(open_case_of(conn, [loan_id for _, loan_id in overdue]))
    by_borrower: dict[str, list[str]] = defaultdict(list)
    for borrower_id, loan_id in overdue:
        if loan_id not in worked:
            by_borrower[borrower_id].append(loan_id)
    opened = []
    for borrower_id, loan_ids in by_borrower.items():
        command = OpenCase(
            case_id_for(borrower_id, on),
            borrower_id,
            tuple(loan_ids),
            Owner(OwnerKind.COLLECTOR, owner_id),
            on,
            SYSTEM,
        )
        insert_case(conn, open_case(command))
        opened.append(command.case_id)
    return opened

"""Open cases for delinquent loans: one case per borrower, grouping their overdue loans."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select

from faircollect.adapters.db.tables import account_states, case_loans, cases, loans
from faircollect.domain.casework.cases import CLOSED, OpenCase, Owner, OwnerKind, open_case
from faircollect.services.casework.case_store import insert_case
from faircollect.services.casework.uow import UnitOfWork

SYSTEM = "system"


def case_id_for(borrower_id: str, on: date) -> str:
    """Readable and unique: a borrower has at most one case opened per day."""
    return f"C-{borrower_id}-{on:%Y%m%d}"


def open_cases(uow: UnitOfWork, on: date, owner_id: str) -> list[str]:
    """Open a case for each borrower with a loan past due (dpd > 0 in ``account_states``)
    that is not already in an open case; returns the new case ids.

    Loans already in a case that is not closed are left there; a borrower whose overdue
    loans are all in open cases gets no new case. New cases belong to ``owner_id`` (a
    collector; the assignment engine may reassign them).
    """
    conn = uow.conn
    overdue = conn.execute(
        select(loans.c.borrower_id, loans.c.loan_id)
        .join(account_states, account_states.c.loan_id == loans.c.loan_id)
        .where(account_states.c.dpd > 0)
        .order_by(loans.c.borrower_id, loans.c.loan_id)
    ).all()
    worked = set(
        conn.execute(
            select(case_loans.c.loan_id)
            .join(cases, cases.c.case_id == case_loans.c.case_id)
            .where(cases.c.status.not_in([s.value for s in CLOSED]))
        ).scalars()
    )
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

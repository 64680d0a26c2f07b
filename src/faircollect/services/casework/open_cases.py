"""Open cases for delinquent loans: one case per borrower, grouping their overdue loans."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date

from faircollect.adapters.db.uow import UnitOfWork
from faircollect.domain.casework.cases import OpenCase, Owner, OwnerKind, open_case
from faircollect.services import audit

SYSTEM = "system"


def case_id_for(borrower_id: str, on: date) -> str:
    """Readable and unique: a borrower has at most one case opened per day."""
    return f"C-{borrower_id}-{on:%Y%m%d}"


def open_cases(
    uow: UnitOfWork, on: date, owner_id: str, borrower_ids: Collection[str] | None = None
) -> list[str]:
    """Open a case for each borrower with a loan past due (dpd > 0 in ``account_states``)
    that is not already in an open case; returns the new case ids.

    Loans already in a case that is not closed are left there; a borrower whose overdue
    loans are all in open cases gets no new case. New cases belong to ``owner_id`` (a
    collector; the assignment engine may reassign them). ``borrower_ids`` limits it to
    those borrowers.
    """
    overdue = uow.cases.overdue_loans(borrower_ids)
    worked = set(uow.cases.open_case_of([loan_id for _, loan_id in overdue]))
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
        uow.cases.add(open_case(command))
        opened.append(command.case_id)
        audit.record(
            uow,
            SYSTEM,
            "case.opened",
            command.case_id,
            None,
            {"borrower_id": borrower_id, "loan_ids": loan_ids, "owner": owner_id, "on": on},
        )
    return opened

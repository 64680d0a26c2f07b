"""A loan's ledger as casework reads it: the reference replay of its stored terms,
payments and approved adjustments (restructures, waivers)."""

from __future__ import annotations

from datetime import date

from faircollect.adapters.db.uow import UnitOfWork
from faircollect.domain.casework.errors import NotFound
from faircollect.domain.ledger.replay import LoanLedger, replay
from faircollect.domain.messages import Message


def ledger_as_of(uow: UnitOfWork, loan_id: str, as_of: date) -> LoanLedger:
    """The replay of ``loan_id`` as of ``as_of``; NotFound for an unknown loan."""
    loan = uow.loans.stored(loan_id)
    if loan is None:
        raise NotFound(Message("loan.not_found", loan_id=loan_id))
    return replay(loan.terms, loan.payments, as_of, adjustments=loan.adjustments)

"""One loan as a person reads it: terms, schedule, payments and how each was allocated,
the state as of a day, and the true annual cost with the lawful excess.

``loan show`` and ``apr LOAN_ID`` (run by an operator on the server) call ``loan_file``;
the workbench and the API call ``loan_file_for``, which first checks that the user may
see the loan (it is in a case in their scope, or they read every case).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from faircollect.adapters.db.repository import StoredLoan
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.adapters.lender_file import lender_profile
from faircollect.data import lpr_csv_text
from faircollect.domain.casework.errors import CaseworkError, NotFound
from faircollect.domain.casework.roles import Actor
from faircollect.domain.lawful import Owed, owed
from faircollect.domain.ledger.replay import LoanLedger, replay
from faircollect.domain.ledger.terms import LoanTerms
from faircollect.domain.messages import Message
from faircollect.domain.rates import (
    DEFAULT_TOTAL_COST_CAP,
    LenderType,
    RateCap,
    RateTableError,
    applicable_cap,
    parse_lpr_table,
)
from faircollect.domain.true_cost import TrueCost, true_cost
from faircollect.services.casework.cases import visible_case_ids


@dataclass(frozen=True, slots=True)
class LoanFile:
    loan: StoredLoan
    ledger: LoanLedger
    cost: TrueCost
    case_id: str | None = None


def cap_for(
    lender: LenderType, contract_date: date, total_cost_cap: Decimal = DEFAULT_TOTAL_COST_CAP
) -> RateCap:
    """The applicable cap; the shipped LPR table is read only when it is needed (RATE-1)."""
    lpr = parse_lpr_table(lpr_csv_text()) if lender is LenderType.PRIVATE else None
    return applicable_cap(lender, contract_date, lpr, total_cost_cap)


def cost_of(
    terms: LoanTerms,
    lender: LenderType = LenderType.LICENSED,
    total_cost_cap: Decimal = DEFAULT_TOTAL_COST_CAP,
) -> TrueCost:
    """The true cost of ``terms`` under the cap that applies to the lender."""
    try:
        return true_cost(terms, cap_for(lender, terms.disbursed_on, total_cost_cap))
    except RateTableError as err:
        raise CaseworkError(
            Message("loan.rate_table", loan_id=terms.loan_id, error=str(err))
        ) from err


def loan_file(
    uow: UnitOfWork,
    loan_id: str,
    as_of: date,
    lender: LenderType = LenderType.LICENSED,
    total_cost_cap: Decimal = DEFAULT_TOTAL_COST_CAP,
) -> LoanFile:
    """The loan's whole file as of ``as_of``; NotFound for an unknown loan."""
    loan = uow.loans.stored(loan_id)
    if loan is None:
        raise NotFound(Message("loan.not_found", loan_id=loan_id))
    ledger = replay(loan.terms, loan.payments, as_of, adjustments=loan.adjustments)
    case_id = uow.cases.open_case_of([loan_id]).get(loan_id)
    return LoanFile(loan, ledger, cost_of(loan.terms, lender, total_cost_cap), case_id)


def loan_file_for(uow: UnitOfWork, actor: Actor, loan_id: str, as_of: date) -> LoanFile:
    """``loan_file`` for a user: NotFound unless the loan is in a case they may see (or
    they read every case)."""
    visible = visible_case_ids(uow, actor, as_of)
    if visible is not None and not uow.cases.cases_of_loan(loan_id) & visible:
        raise NotFound(Message("loan.not_found", loan_id=loan_id))
    return loan_file(uow, loan_id, as_of)


def owed_now(uow: UnitOfWork, loan_id: str, as_of: date) -> Owed:
    """What the loan's contract says is owed and what is lawfully owed, as of ``as_of``
    (what every message, script line, letter, promise and plan must be computed on)."""
    loan = uow.loans.stored(loan_id)
    if loan is None:
        raise NotFound(Message("loan.not_found", loan_id=loan_id))
    lender = lender_profile()
    return owed(
        loan.terms,
        loan.payments,
        as_of,
        cost_of(loan.terms),
        lender.illegal_apr,
        loan.adjustments,
        uow.loans.marked_illegal(loan_id),
    )

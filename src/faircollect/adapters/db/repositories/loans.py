"""Loans, borrowers and their contacts as casework reads them; approved ledger changes.

A loan's ledger is its terms, payments and approved adjustments, read together
(``repository.load_stored_loan``) so every reader sees restructures and waivers.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, func, or_, select

from faircollect.adapters.data_keys import lookup_hash
from faircollect.adapters.db import repository
from faircollect.adapters.db.tables import (
    account_states,
    borrowers,
    case_loans,
    contacts,
    loan_adjustments,
    loans,
    payments,
)
from faircollect.domain.casework.agencies import Repayment
from faircollect.domain.ledger.adjustments import Adjustment
from faircollect.domain.records import Borrower, Contact


@dataclass(frozen=True, slots=True)
class RegisteredContact:
    """A borrower's registered contact (contacts.csv) with its stored id."""

    contact_id: int
    contact: Contact


class LoanRepository:
    """Loans and borrowers of one unit of work."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def stored(self, loan_id: str) -> repository.StoredLoan | None:
        """Terms, payments and approved adjustments of ``loan_id`` (None if unknown)."""
        return repository.load_stored_loan(self.conn, loan_id)

    def borrower_of(self, loan_id: str) -> str | None:
        query = select(loans.c.borrower_id).where(loans.c.loan_id == loan_id)
        return self.conn.execute(query).scalar_one_or_none()

    def borrower(self, borrower_id: str) -> Borrower | None:
        return repository.load_borrower(self.conn, borrower_id)

    def contacts(self, borrower_id: str) -> list[RegisteredContact]:
        """The borrower's registered contacts, emergency contacts first, as imported."""
        query = (
            select(contacts)
            .where(contacts.c.borrower_id == borrower_id)
            .order_by(contacts.c.is_emergency.desc(), contacts.c.contact_id)
        )
        return [
            RegisteredContact(r["contact_id"], repository.read_contact(r))
            for r in self.conn.execute(query).mappings()
        ]

    def states(self, loan_ids: Collection[str]) -> dict[str, dict[str, Any]]:
        """The stored nightly state of each loan that has one, by loan id."""
        query = select(account_states).where(account_states.c.loan_id.in_(sorted(loan_ids)))
        return {r.loan_id: dict(r._mapping) for r in self.conn.execute(query)}

    def loans_of_borrower(self, borrower_id: str) -> list[str]:
        query = select(loans.c.loan_id).where(loans.c.borrower_id == borrower_id)
        return list(self.conn.execute(query.order_by(loans.c.loan_id)).scalars())

    def marked_illegal(self, loan_id: str) -> bool:
        """Whether an import marked the loan illegal (CRIM-1)."""
        query = select(loans.c.illegal_debt).where(loans.c.loan_id == loan_id)
        return bool(self.conn.execute(query).scalar_one_or_none())

    def store_adjustment(self, event: Adjustment) -> None:
        repository.store_adjustment(self.conn, event)

    def recompute_from(self, loan_id: str, on: date) -> None:
        """Make the next incremental run recompute ``loan_id`` once ``on`` has come (no
        effect on a loan without a stored state: runs compute those anyway)."""
        column = account_states.c.next_event_on
        self.conn.execute(
            account_states.update()
            .where(account_states.c.loan_id == loan_id, or_(column.is_(None), column > on))
            .values(next_event_on=on)
        )

    def repayments_of_cases(self, case_ids: Collection[str]) -> list[Repayment]:
        """Every payment on a loan of these cases (a loan may be in several over time)."""
        query = (
            select(case_loans.c.case_id, payments)
            .join(payments, payments.c.loan_id == case_loans.c.loan_id)
            .where(case_loans.c.case_id.in_(sorted(case_ids)))
        )
        return [
            Repayment(r.payment_id, r.case_id, r.loan_id, r.paid_on, r.amount)
            for r in self.conn.execute(query)
        ]

    def plan_starts(self) -> dict[str, date]:
        """The first effective day of an approved instalment plan, per restructured loan."""
        a = loan_adjustments
        query = (
            select(a.c.loan_id, func.min(a.c.effective_on))
            .where(a.c.kind == "restructure")
            .group_by(a.c.loan_id)
        )
        return {loan_id: day for loan_id, day in self.conn.execute(query)}

    def phone_owner(self, phone: str) -> list[tuple[str, str]]:
        """Who a phone number belongs to: (borrower id, ``borrower``) for a borrower's own
        number, (borrower id, relation) for a registered contact of that borrower."""
        hashed = lookup_hash(phone)
        own = select(borrowers.c.borrower_id).where(borrowers.c.phone_hash == hashed)
        found = [(b, "borrower") for b in self.conn.execute(own).scalars()]
        theirs = select(contacts.c.borrower_id, contacts.c.relation).where(
            contacts.c.phone_hash == hashed
        )
        return found + [(b, rel) for b, rel in self.conn.execute(theirs)]

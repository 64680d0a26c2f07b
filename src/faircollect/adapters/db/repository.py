"""Reading and writing the imported records: rows <-> domain dataclasses, in one place.

Other features call ``load_loan``, ``load_payments``, ``load_borrower`` and ``contacts_of``;
the importer uses the ``*_row`` / ``*_from_row`` converters for its bulk work, so a column
is mapped to a field only here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, select

from faircollect.adapters.db.tables import borrowers, contacts, loans, payments
from faircollect.domain.ledger.terms import LoanTerms, Method, Payment
from faircollect.domain.records import Borrower, Contact, Record


def borrower_row(record: Borrower) -> dict[str, Any]:
    return {
        "borrower_id": record.borrower_id,
        "name": record.name,
        "phone": record.phone,
        "id_number": record.id_number,
        "city": record.city,
    }


def borrower_from_row(row: Mapping[str, Any]) -> Borrower:
    return Borrower(**{name: row[name] for name in Borrower.__slots__})


def contact_row(record: Contact) -> dict[str, Any]:
    return {
        "borrower_id": record.borrower_id,
        "name": record.name,
        "phone": record.phone,
        "relation": record.relation,
        "is_emergency": record.is_emergency,
    }


def contact_from_row(row: Mapping[str, Any]) -> Contact:
    return Contact(**{name: row[name] for name in Contact.__slots__})


def loan_row(terms: LoanTerms) -> dict[str, Any]:
    return {
        "loan_id": terms.loan_id,
        "borrower_id": terms.borrower_id,
        "product": terms.product,
        "contract_principal": terms.principal,
        "received_amount": terms.received,
        "annual_rate": terms.annual_rate,
        "term_months": terms.term_months,
        "method": terms.method.value,
        "disbursed_on": terms.disbursed_on,
        "penalty_rate_daily": terms.penalty_rate_daily,
        "grace_days": terms.grace_days,
        "periodic_fee": terms.periodic_fee,
    }


def loan_from_row(row: Mapping[str, Any]) -> LoanTerms:
    return LoanTerms(
        loan_id=row["loan_id"],
        principal=row["contract_principal"],
        received=row["received_amount"],
        annual_rate=row["annual_rate"],
        term_months=row["term_months"],
        method=Method(row["method"]),
        disbursed_on=row["disbursed_on"],
        penalty_rate_daily=row["penalty_rate_daily"],
        grace_days=row["grace_days"],
        periodic_fee=row["periodic_fee"],
        borrower_id=row["borrower_id"],
        product=row["product"],
    )


def payment_row(payment: Payment) -> dict[str, Any]:
    return {
        "payment_id": payment.payment_id,
        "loan_id": payment.loan_id,
        "paid_on": payment.paid_on,
        "amount": payment.amount,
    }


def payment_from_row(row: Mapping[str, Any]) -> Payment:
    return Payment(row["payment_id"], row["loan_id"], row["paid_on"], row["amount"])


@dataclass(frozen=True, slots=True)
class Stored:
    """How one record type is stored: its table, its identity and its row converters."""

    table: Table
    key: Callable[[Any], tuple[Any, ...]]
    """The record's identity: what makes a second row a duplicate rather than a new one."""
    lookup_column: str
    """The indexed column to find stored rows that may share a key with new records."""
    to_row: Callable[[Any], dict[str, Any]]
    from_row: Callable[[Mapping[str, Any]], Record]


BORROWERS = Stored(
    borrowers, lambda r: (r.borrower_id,), "borrower_id", borrower_row, borrower_from_row
)
CONTACTS = Stored(
    contacts, lambda r: (r.borrower_id, r.phone), "borrower_id", contact_row, contact_from_row
)
LOANS = Stored(loans, lambda r: (r.loan_id,), "loan_id", loan_row, loan_from_row)
PAYMENTS = Stored(payments, lambda r: (r.payment_id,), "payment_id", payment_row, payment_from_row)


def load_loan(conn: Connection, loan_id: str) -> LoanTerms | None:
    """A loan's terms, or None when there is no such loan."""
    row = conn.execute(select(loans).where(loans.c.loan_id == loan_id)).mappings().first()
    return None if row is None else loan_from_row(row)


def load_payments(conn: Connection, loan_id: str) -> list[Payment]:
    """A loan's payments in ledger order (date, then payment id)."""
    query = (
        select(payments)
        .where(payments.c.loan_id == loan_id)
        .order_by(payments.c.paid_on, payments.c.payment_id)
    )
    return [payment_from_row(row) for row in conn.execute(query).mappings()]


def load_borrower(conn: Connection, borrower_id: str) -> Borrower | None:
    """A borrower, or None when there is no such borrower."""
    query = select(borrowers).where(borrowers.c.borrower_id == borrower_id)
    row = conn.execute(query).mappings().first()
    return None if row is None else borrower_from_row(row)


def contacts_of(conn: Connection, borrower_id: str) -> list[Contact]:
    """A borrower's registered contacts, emergency contacts first, in the order imported."""
    query = (
        select(contacts)
        .where(contacts.c.borrower_id == borrower_id)
        .order_by(contacts.c.is_emergency.desc(), contacts.c.contact_id)
    )
    return [contact_from_row(row) for row in conn.execute(query).mappings()]

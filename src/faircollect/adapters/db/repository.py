"""Reading and writing the imported records: rows <-> domain dataclasses, in one place.

Other features call ``load_loan``, ``load_payments``, ``load_borrower`` and ``contacts_of``;
the importer uses the ``Stored`` descriptions (table, identity, converters) for its bulk
work, so a column is mapped to a field only here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, Table, select

from faircollect.adapters.db.tables import borrowers, contacts, loans, payments
from faircollect.domain.ledger.terms import LoanTerms, Payment
from faircollect.domain.records import Borrower, Contact, Record, loan_from_columns

R = TypeVar("R", Borrower, Contact, Payment)


def same_names_row(record: Borrower | Contact | Payment) -> dict[str, Any]:
    """A record whose fields are named like its table's columns, as a row."""
    return {name: getattr(record, name) for name in record.__slots__}


def same_names_reader(kind: type[R]) -> Callable[[Mapping[Any, Any]], R]:
    """Reads rows back into a record type whose fields are named like the columns."""

    def read(row: Mapping[Any, Any]) -> R:
        return kind(**{name: row[name] for name in kind.__slots__})

    return read


def loan_row(terms: LoanTerms) -> dict[str, Any]:
    """LoanTerms as a loans row (the two fields whose names differ, and the method's name)."""
    row = {name: getattr(terms, name) for name in terms.__slots__}
    row["contract_principal"] = row.pop("principal")
    row["received_amount"] = row.pop("received")
    row["method"] = terms.method.value
    return row


@dataclass(frozen=True, slots=True)
class Stored:
    """How one record type is stored: its table, its identity and its row converters."""

    table: Table
    key: Callable[[Any], tuple[Any, ...]]
    """The record's identity: what makes a second row a duplicate rather than a new one."""
    lookup_column: str
    """The indexed column to find stored rows that may share a key with new records."""
    to_row: Callable[[Any], dict[str, Any]]
    from_row: Callable[[Mapping[Any, Any]], Record]


read_borrower = same_names_reader(Borrower)
read_contact = same_names_reader(Contact)
read_payment = same_names_reader(Payment)

BORROWERS = Stored(
    borrowers, lambda r: (r.borrower_id,), "borrower_id", same_names_row, read_borrower
)
CONTACTS = Stored(
    contacts, lambda r: (r.borrower_id, r.phone), "borrower_id", same_names_row, read_contact
)
LOANS = Stored(loans, lambda r: (r.loan_id,), "loan_id", loan_row, loan_from_columns)
PAYMENTS = Stored(payments, lambda r: (r.payment_id,), "payment_id", same_names_row, read_payment)


def load_loan(conn: Connection, loan_id: str) -> LoanTerms | None:
    """A loan's terms, or None when there is no such loan."""
    row = conn.execute(select(loans).where(loans.c.loan_id == loan_id)).mappings().first()
    return None if row is None else loan_from_columns(row)


def load_payments(conn: Connection, loan_id: str) -> list[Payment]:
    """A loan's payments in ledger order (date, then payment id)."""
    query = (
        select(payments)
        .where(payments.c.loan_id == loan_id)
        .order_by(payments.c.paid_on, payments.c.payment_id)
    )
    return [read_payment(row) for row in conn.execute(query).mappings()]


def load_borrower(conn: Connection, borrower_id: str) -> Borrower | None:
    """A borrower, or None when there is no such borrower."""
    query = select(borrowers).where(borrowers.c.borrower_id == borrower_id)
    row = conn.execute(query).mappings().first()
    return None if row is None else read_borrower(row)


def contacts_of(conn: Connection, borrower_id: str) -> list[Contact]:
    """A borrower's registered contacts, emergency contacts first, in the order imported."""
    query = (
        select(contacts)
        .where(contacts.c.borrower_id == borrower_id)
        .order_by(contacts.c.is_emergency.desc(), contacts.c.contact_id)
    )
    return [read_contact(row) for row in conn.execute(query).mappings()]

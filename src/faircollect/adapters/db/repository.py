"""Reading and writing the imported records: rows <-> domain dataclasses, in one place.

Other features call ``load_loan``, ``load_payments``, ``load_adjustments``, ``load_borrower``
and ``contacts_of`` (a loan's ledger is its terms, payments and approved adjustments: read
all three here, so every reader sees restructures and waivers); the importer uses the
``Stored`` descriptions (table, identity, converters) for its bulk work, so a column is
mapped to a field only here.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, Table, func, select

from faircollect.adapters.db.bulk import IDS, ids_parameter, member_of, rows_with
from faircollect.adapters.db.tables import (
    borrowers,
    contacts,
    loan_adjustments,
    loans,
    payments,
    proposals,
    restructured_installments,
)
from faircollect.domain.ledger.adjustments import (
    Adjustment,
    InstalmentPlan,
    LoanRestructured,
    WaivedComponent,
    WaiverGranted,
    in_ledger_order,
)
from faircollect.domain.ledger.terms import Installment, LoanTerms, Method, Payment
from faircollect.domain.records import Borrower, Contact, Record, RiskScore, loan_from_columns

R = TypeVar("R", Borrower, Contact, Payment, RiskScore)


def same_names_row(record: Borrower | Contact | Payment | RiskScore) -> dict[str, Any]:
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
read_risk_score = same_names_reader(RiskScore)

BORROWERS = Stored(
    borrowers, lambda r: (r.borrower_id,), "borrower_id", same_names_row, read_borrower
)
CONTACTS = Stored(
    contacts, lambda r: (r.borrower_id, r.phone), "borrower_id", same_names_row, read_contact
)
LOANS = Stored(loans, lambda r: (r.loan_id,), "loan_id", loan_row, loan_from_columns)
PAYMENTS = Stored(payments, lambda r: (r.payment_id,), "payment_id", same_names_row, read_payment)
RISK_SCORES = Stored(loans, lambda r: (r.loan_id,), "loan_id", same_names_row, read_risk_score)
"""A loan's current score: its loans row, read and set by loan id (risk_scores.csv)."""


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


@dataclass(frozen=True, slots=True)
class StoredLoan:
    """What the ledger of one loan is made of: terms, payments, approved adjustments."""

    terms: LoanTerms
    payments: list[Payment]
    adjustments: list[Adjustment]


def load_stored_loan(conn: Connection, loan_id: str) -> StoredLoan | None:
    """Everything the replay of ``loan_id`` needs, or None when there is no such loan: the
    one loader of every per-loan ledger reader (loan show, casework, adjusted loans)."""
    terms = load_loan(conn, loan_id)
    if terms is None:
        return None
    return StoredLoan(terms, load_payments(conn, loan_id), load_adjustments(conn, loan_id))


PAYMENT_COLUMNS = (payments.c.payment_id, payments.c.loan_id, payments.c.paid_on, payments.c.amount)
"""A ``Payment``'s columns in its fields' order: read as plain tuples, the night's bulk read
of tens of thousands of payments skips a mapping and a name look-up per field."""


def load_stored_loans(
    conn: Connection,
    loan_ids: Sequence[str],
    adjusted: Collection[str],
    wanted: Callable[[LoanTerms], bool] = lambda _: True,
    chunk: int = 5_000,
) -> list[StoredLoan]:
    """``load_stored_loan`` for the loans of ``loan_ids`` whose terms are ``wanted``, a
    chunk of ids per query (the night reads the loans it writes to at once, not one round
    trip each); adjustments are read only for loans in ``adjusted`` (they are rare). The
    ids go as one parameter (``bulk.member_of``): as an IN-list of thousands of
    parameters, PostgreSQL spent seconds a night parsing and planning them."""
    found: list[StoredLoan] = []
    of_loans = select(loans).where(member_of(loans.c.loan_id, conn))
    of_payments = (
        select(*PAYMENT_COLUMNS)
        .where(member_of(payments.c.loan_id, conn))
        .order_by(payments.c.loan_id, payments.c.paid_on, payments.c.payment_id)
    )
    for start in range(0, len(loan_ids), chunk):
        rows = rows_with(conn, of_loans, loan_ids[start : start + chunk])
        chosen = [terms for terms in map(loan_from_columns, rows) if wanted(terms)]
        ids = [terms.loan_id for terms in chosen]
        paid: dict[str, list[Payment]] = {loan_id: [] for loan_id in ids}
        listed = conn.execute(of_payments, {IDS: ids_parameter(conn, ids)}) if ids else []
        for payment_id, loan_id, paid_on, amount in listed:
            paid[loan_id].append(Payment(payment_id, loan_id, paid_on, amount))
        for terms in chosen:
            loan_id = terms.loan_id
            changes = load_adjustments(conn, loan_id) if loan_id in adjusted else []
            found.append(StoredLoan(terms, paid[loan_id], changes))
    return found


def store_adjustment(conn: Connection, event: Adjustment) -> None:
    """Record an approved adjustment (and a plan's installments as approved)."""
    common = {
        "proposal_id": event.proposal_id,
        "loan_id": event.loan_id,
        "effective_on": event.effective_on,
        "approved_by": event.approved_by,
        "reason": event.reason,
    }
    if isinstance(event, WaiverGranted):
        conn.execute(
            loan_adjustments.insert().values(
                **common, kind="waiver", component=event.component.value, amount=event.amount
            )
        )
        return
    conn.execute(
        loan_adjustments.insert().values(
            **common,
            kind="restructure",
            amount=event.outstanding_principal,
            carried_interest=event.carried_interest,
            carried_fee=event.carried_fee,
        )
    )
    conn.execute(
        restructured_installments.insert(),
        [
            {
                "proposal_id": event.proposal_id,
                "number": i.number,
                "due_on": i.due_on,
                "principal": i.principal,
                "interest": i.interest,
                "fee": i.fee,
            }
            for i in event.new
        ],
    )


def load_adjustments(conn: Connection, loan_id: str) -> list[Adjustment]:
    """A loan's approved adjustments in ledger order (the plan's terms come from its
    proposal, the approved installments from ``restructured_installments``)."""
    query = (
        select(
            loan_adjustments,
            proposals.c.months,
            proposals.c.annual_rate,
            proposals.c.first_due,
            proposals.c.method,
        )
        .join(proposals, proposals.c.proposal_id == loan_adjustments.c.proposal_id)
        .where(loan_adjustments.c.loan_id == loan_id)
    )
    rows = conn.execute(query).mappings().all()
    new = _plan_installments(conn, [r["proposal_id"] for r in rows if r["kind"] == "restructure"])
    return in_ledger_order([_adjustment(row, new.get(row["proposal_id"], ())) for row in rows])


def _plan_installments(
    conn: Connection, proposal_ids: list[str]
) -> dict[str, tuple[Installment, ...]]:
    if not proposal_ids:
        return {}
    query = (
        select(restructured_installments)
        .where(restructured_installments.c.proposal_id.in_(proposal_ids))
        .order_by(restructured_installments.c.proposal_id, restructured_installments.c.number)
    )
    found: dict[str, list[Installment]] = {}
    for r in conn.execute(query).mappings():
        found.setdefault(r["proposal_id"], []).append(
            Installment(r["number"], r["due_on"], r["principal"], r["interest"], r["fee"])
        )
    return {key: tuple(value) for key, value in found.items()}


def _adjustment(row: Mapping[Any, Any], new: tuple[Installment, ...]) -> Adjustment:
    head = (row["proposal_id"], row["loan_id"], row["effective_on"], row["approved_by"])
    if row["kind"] == "waiver":
        return WaiverGranted(*head, row["reason"], WaivedComponent(row["component"]), row["amount"])
    plan = InstalmentPlan(
        row["months"], row["annual_rate"], row["first_due"], Method(row["method"])
    )
    return LoanRestructured(
        *head,
        row["reason"],
        plan,
        row["amount"],
        row["carried_interest"],
        row["carried_fee"],
        new,
    )


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


def loan_count(conn: Connection) -> int:
    """How many loans are stored (0: nothing imported yet)."""
    return int(conn.execute(select(func.count()).select_from(loans)).scalar() or 0)

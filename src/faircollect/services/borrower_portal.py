"""What a signed-in borrower sees and does (issue 13): their own loans from the same
ledger and lawful-amount code the lender's side runs on, and complaints (COMP-1).

Every use case takes the borrower id of the session: a loan of anybody else is NotFound,
exactly like a loan that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from faircollect.adapters.db.repositories.complaints import Complaint
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.adapters.lender_file import lender_profile
from faircollect.domain.casework.errors import NotFound, PermissionDenied, Refused
from faircollect.domain.casework.roles import Actor, Role
from faircollect.domain.lawful import Owed, due_on, lawful_ledger, penalty_per_day, remaining
from faircollect.domain.ledger.replay import LoanLedger
from faircollect.domain.portal import (
    MAX_COMPLAINT_TEXT,
    ComplaintStatus,
    answer_by,
)
from faircollect.services.loans import LoanFile, loan_file, owed_now


@dataclass(frozen=True, slots=True)
class MyLoan:
    """One loan of the borrower as of a day: the contract's ledger, the lawful one."""

    file: LoanFile
    owed: Owed
    lawful: LoanLedger
    lender: str

    @property
    def owed_contract(self) -> int:
        return remaining(self.file.ledger)

    @property
    def owed_lawful(self) -> int:
        return min(remaining(self.lawful), self.owed_contract)

    @property
    def excess(self) -> int:
        return self.owed_contract - self.owed_lawful

    @property
    def next_due_amount(self) -> int | None:
        day = self.lawful.state.next_due_on
        return None if day is None else due_on(self.lawful, day)

    @property
    def penalty_per_day(self) -> int:
        terms = self.file.loan.terms
        return penalty_per_day(self.owed.contract, terms.penalty_rate_daily)


def _mine(uow: UnitOfWork, borrower_id: str, loan_id: str) -> None:
    if uow.loans.borrower_of(loan_id) != borrower_id:
        raise NotFound(f"no loan '{loan_id}'")


def my_loan(uow: UnitOfWork, borrower_id: str, loan_id: str, as_of: date) -> MyLoan:
    """The borrower's loan ``loan_id``; NotFound if it is not theirs."""
    _mine(uow, borrower_id, loan_id)
    found = loan_file(uow, loan_id, as_of)
    stored = found.loan
    lawful = lawful_ledger(stored.terms, stored.payments, as_of, found.cost, stored.adjustments)
    return MyLoan(found, owed_now(uow, loan_id, as_of), lawful, lender_profile().name)


def my_loans(uow: UnitOfWork, borrower_id: str, as_of: date) -> list[MyLoan]:
    return [
        my_loan(uow, borrower_id, loan_id, as_of)
        for loan_id in uow.loans.loans_of_borrower(borrower_id)
    ]


# Complaints (COMP-1) --------------------------------------------------------------------

COMPLAINT_HANDLERS = frozenset({Role.COMPLIANCE, Role.ADMIN})
"""Who answers and closes complaints: the compliance officer (合规), an admin."""


@dataclass(frozen=True, slots=True)
class NewComplaint:
    text: str
    loan_id: str | None = None
    contact_id: str | None = None
    evidence_text: str = ""


def file_complaint(
    uow: UnitOfWork, borrower_id: str, new: NewComplaint, now: datetime
) -> Complaint:
    """Open a complaint: collection contact to the borrower pauses at once (COMP-1) and
    stays paused until the compliance officer closes it. Refused for an empty or too long
    text; NotFound for a loan that is not the borrower's or a contact that was not with them."""
    problems = []
    if not new.text.strip():
        problems.append("text: say what the complaint is about")
    if len(new.text) > MAX_COMPLAINT_TEXT:
        problems.append(f"text: at most {MAX_COMPLAINT_TEXT} characters")
    if len(new.evidence_text) > MAX_COMPLAINT_TEXT:
        problems.append(f"evidence_text: at most {MAX_COMPLAINT_TEXT} characters")
    if problems:
        raise Refused("complaint refused", problems)
    if new.loan_id is not None:
        _mine(uow, borrower_id, new.loan_id)
    if new.contact_id is not None and not _contact_with(uow, borrower_id, new.contact_id):
        raise NotFound(f"no contact '{new.contact_id}'")
    day = now.date()
    prefix = f"CP-{borrower_id}-{day:%Y%m%d}-"
    complaint_id = f"{prefix}{uow.complaints.count_opened_on(borrower_id, prefix) + 1}"
    complaint = Complaint(
        complaint_id,
        borrower_id,
        new.loan_id,
        new.contact_id,
        new.text.strip(),
        new.evidence_text,
        now,
        answer_by(day),
        ComplaintStatus.OPEN,
    )
    uow.complaints.add(complaint)
    return complaint


def _contact_with(uow: UnitOfWork, borrower_id: str, contact_id: str) -> bool:
    return any(r.record_id == contact_id for r in uow.contacts.history(borrower_id))


def my_complaints(uow: UnitOfWork, borrower_id: str) -> list[Complaint]:
    return uow.complaints.of_borrower(borrower_id)


def complaint_queue(
    uow: UnitOfWork, actor: Actor, status: ComplaintStatus | None = ComplaintStatus.OPEN
) -> list[Complaint]:
    """The compliance officer's queue: complaints by deadline (compliance, admin; QA and
    supervisors read it too)."""
    if actor.role not in COMPLAINT_HANDLERS | {Role.QA, Role.SUPERVISOR}:
        raise PermissionDenied(f"{actor.user_id} ({actor.role}) may not read complaints")
    return uow.complaints.with_status(status)


def close_complaint(
    uow: UnitOfWork, actor: Actor, complaint_id: str, answer: str, now: datetime
) -> Complaint:
    """Answer and close a complaint (compliance, admin): collection contact may resume."""
    if actor.role not in COMPLAINT_HANDLERS:
        raise PermissionDenied(f"{actor.user_id} ({actor.role}) may not close complaints")
    found = uow.complaints.get(complaint_id)
    if found is None:
        raise NotFound(f"no complaint '{complaint_id}'")
    if found.status is ComplaintStatus.CLOSED:
        raise Refused(f"complaint {complaint_id} is closed", ["the complaint is already closed"])
    if not answer.strip():
        raise Refused("answer refused", ["answer: the borrower is owed an answer"])
    if len(answer) > MAX_COMPLAINT_TEXT:
        raise Refused("answer refused", [f"answer: at most {MAX_COMPLAINT_TEXT} characters"])
    uow.complaints.close(complaint_id, now, actor.user_id, answer.strip())
    closed = uow.complaints.get(complaint_id)
    assert closed is not None
    return closed

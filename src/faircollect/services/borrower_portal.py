"""What a signed-in borrower sees and does (issue 13): their own loans from the same
ledger and lawful-amount code the lender's side runs on, and complaints (COMP-1).

Every use case takes the borrower id of the session: a loan of anybody else is NotFound,
exactly like a loan that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from faircollect.adapters.db.repositories.complaints import Complaint
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.adapters.lender_file import lender_profile
from faircollect.domain.casework.errors import CaseworkError, NotFound, Refused
from faircollect.domain.casework.proposals import (
    BORROWER_PREFIX,
    InstalmentPlan,
    Proposal,
    ProposalStatus,
    SubmitProposal,
    borrower_request,
)
from faircollect.domain.casework.roles import Actor, Role, require_role
from faircollect.domain.compliance.pack import default_pack
from faircollect.domain.lawful import Owed, due_on, lawful_ledger, penalty_per_day, remaining
from faircollect.domain.ledger.replay import InstallmentPosition, LoanLedger
from faircollect.domain.messages import Message
from faircollect.domain.money import format_yuan
from faircollect.domain.portal import (
    MAX_COMPLAINT_TEXT,
    ComplaintStatus,
    Preferences,
    answer_by,
    read_preferences,
)
from faircollect.services.casework.ids import new_id
from faircollect.services.loans import LoanFile, cost_of, loan_file, owed_now


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
        raise NotFound(Message("loan.not_found", loan_id=loan_id))


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

SHANGHAI = ZoneInfo("Asia/Shanghai")
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
    problems: list[str] = []
    if not new.text.strip():
        problems.append(Message("complaint.no_text"))
    if len(new.text) > MAX_COMPLAINT_TEXT:
        problems.append(Message("complaint.text_long", high=MAX_COMPLAINT_TEXT))
    if len(new.evidence_text) > MAX_COMPLAINT_TEXT:
        problems.append(Message("complaint.evidence_long", high=MAX_COMPLAINT_TEXT))
    if problems:
        raise Refused(Message("complaint.refused"), problems)
    if new.loan_id is not None:
        _mine(uow, borrower_id, new.loan_id)
    if new.contact_id is not None and not _contact_with(uow, borrower_id, new.contact_id):
        raise NotFound(Message("contact.not_found", contact_id=new.contact_id))
    day = now.astimezone(SHANGHAI).date()
    complaint = Complaint(
        new_id("CP"),
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
    require_role(
        actor,
        COMPLAINT_HANDLERS | {Role.QA, Role.SUPERVISOR},
        Message("permission.read_complaints"),
    )
    return uow.complaints.with_status(status)


def close_complaint(
    uow: UnitOfWork, actor: Actor, complaint_id: str, answer: str, now: datetime
) -> Complaint:
    """Answer and close a complaint (compliance, admin): collection contact may resume."""
    require_role(actor, COMPLAINT_HANDLERS, Message("permission.close_complaints"))
    found = uow.complaints.get(complaint_id)
    if found is None:
        raise NotFound(Message("complaint.not_found", complaint_id=complaint_id))
    if found.status is ComplaintStatus.CLOSED:
        raise Refused(
            Message("complaint.closed", complaint_id=complaint_id),
            [Message("complaint.already_closed")],
        )
    if not answer.strip():
        raise Refused(Message("complaint.answer_refused"), [Message("complaint.no_answer")])
    if len(answer) > MAX_COMPLAINT_TEXT:
        raise Refused(
            Message("complaint.answer_refused"),
            [Message("complaint.answer_long", high=MAX_COMPLAINT_TEXT)],
        )
    uow.complaints.close(complaint_id, now, actor.user_id, answer.strip())
    closed = uow.complaints.get(complaint_id)
    assert closed is not None
    return closed


# Plan requests (分期申请): the borrower asks, a supervisor decides ------------------------

PLAN_FIRST_DUE = timedelta(days=30)
"""The first instalment of a plan the borrower asks for falls due a month on."""


def request_plan(
    uow: UnitOfWork,
    borrower_id: str,
    loan_id: str,
    months: int,
    reason: str,
    monthly_income: int | None,
    on: date,
) -> Proposal:
    """A plan the borrower asks for on their loan: a pending proposal on the loan's open
    case, at the lawful rate (plans are measured on what is lawfully owed), in the
    supervisor's queue. Refused when the loan is in no open case (nothing is being
    collected) or a proposal on it is already waiting for a decision."""
    _mine(uow, borrower_id, loan_id)
    case_id = uow.cases.open_case_of([loan_id]).get(loan_id)
    if case_id is None:
        raise Refused(Message("plan.refused"), [Message("plan.not_collected")])
    if any(p.status is ProposalStatus.PENDING for p in uow.proposals.of_loans([loan_id])):
        raise Refused(Message("plan.refused"), [Message("plan.waiting")])
    stored = uow.loans.stored(loan_id)
    assert stored is not None
    rate = cost_of(stored.terms).lawful.rate_used
    note = f"借款人申请分期（{months} 期）：{reason.strip()}"
    if monthly_income is not None:
        note += f"；月收入 {format_yuan(monthly_income)} 元"
    command = SubmitProposal(
        new_id("PR"), case_id, loan_id, InstalmentPlan(months, rate, on + PLAN_FIRST_DUE), on, note
    )
    try:
        proposal = borrower_request(command, borrower_id).proposal
    except CaseworkError as err:
        raise Refused(Message("plan.refused"), [err.message]) from err
    uow.proposals.add(proposal)
    return proposal


@dataclass(frozen=True, slots=True)
class PlanRequest:
    proposal: Proposal
    schedule: tuple[InstallmentPosition, ...]
    """When approved: the plan's instalments as the ledger has them today."""


def my_plan_requests(uow: UnitOfWork, borrower_id: str, on: date) -> list[PlanRequest]:
    """The plans the borrower asked for, newest first, with the decision and, once
    approved, the new schedule."""
    mine = f"{BORROWER_PREFIX}{borrower_id}"
    asked = [
        p
        for p in uow.proposals.of_loans(uow.loans.loans_of_borrower(borrower_id))
        if p.submitted_by == mine
    ]
    found = []
    for p in asked:
        rows: tuple[InstallmentPosition, ...] = ()
        if p.status is ProposalStatus.APPROVED:
            ledger = loan_file(uow, p.loan_id, on).ledger
            rows = tuple(x for x in ledger.positions if x.proposal_id == p.proposal_id)
        found.append(PlanRequest(p, rows))
    return found


# Contact preferences (DNC-1) ------------------------------------------------------------


def set_preferences(
    uow: UnitOfWork, borrower_id: str, slots: list[object], channels: list[object], at: datetime
) -> Preferences:
    """Store how the borrower wants to be contacted; PreferenceError naming the field for
    a slot outside the lawful hours or turning every channel off."""
    params = default_pack().parameters
    wanted = read_preferences(slots, channels, (params.hours_start, params.hours_end))
    uow.portal.set_preferences(borrower_id, wanted, at)
    return wanted

"""The borrower's side of the API (issue 13): ``/api/v1/borrower/...``.

Sign in with a code sent by SMS; then the borrower's own loans (any other loan is 404),
the message checker (the same verdict as ``check-message --json``) and complaints. The
session cookie is the portal's own (``fc_borrower``): a workbench session does not open
these endpoints, and a borrower session opens nothing on the workbench.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from faircollect.adapters.db.repositories.complaints import Complaint
from faircollect.domain.casework.proposals import InstalmentPlan
from faircollect.domain.messages import Message
from faircollect.domain.money import format_yuan
from faircollect.domain.portal import (
    MAX_COMPLAINT_TEXT,
    OUTSIDE_ROUTES,
    WHAT_TO_DO_CURRENT,
    WHAT_TO_DO_EXCESS,
    WHAT_TO_DO_ILLEGAL,
    WHAT_TO_DO_OVERDUE,
    BadPhone,
    PreferenceError,
    Preferences,
    cost_in_words,
    excess_in_words,
)
from faircollect.domain.portal import SESSION_LIFETIME as BORROWER_SESSION_LIFETIME
from faircollect.services import borrower_auth, borrower_portal
from faircollect.services.borrower_portal import MyLoan, NewComplaint, PlanRequest
from faircollect.services.compliance import MAX_TEXT, check_message
from faircollect.views.loans import ledger_json, rate_text, true_cost_json
from faircollect.web.api.convert import fen
from faircollect.web.api.schemas import ErrorBody, Strict, Yuan
from faircollect.web.api.session import write_session_cookie
from faircollect.web.api.work import REFUSALS
from faircollect.web.context import (
    BORROWER_COOKIE,
    CurrentBorrower,
    now,
    today,
    unit,
)
from faircollect.web.errors import InvalidField, error_body
from faircollect.web.idempotency import BORROWER_IDEMPOTENT, IdempotentRoute

router = APIRouter(prefix="/borrower", tags=["borrower"], route_class=IdempotentRoute)


class CodeRequestBody(Strict):
    phone: str = Field(min_length=1, max_length=32)


class CodeSignInBody(Strict):
    phone: str = Field(min_length=1, max_length=32)
    code: str = Field(min_length=1, max_length=16)


class BorrowerSignedIn(BaseModel):
    borrower_id: str
    csrf_token: str


class MessageBody(Strict):
    text: str = Field(min_length=1, max_length=MAX_TEXT)


class ComplaintBody(Strict):
    text: str = Field(min_length=1, max_length=MAX_COMPLAINT_TEXT)
    loan_id: str | None = Field(default=None, min_length=1, max_length=64)
    contact_id: str | None = Field(default=None, min_length=1, max_length=64)
    evidence_text: str = Field(default="", max_length=MAX_COMPLAINT_TEXT)


class ComplaintOpened(BaseModel):
    complaint_id: str
    answer_by: str


@router.post(
    "/otp", status_code=202, responses={422: {"model": ErrorBody}, 429: {"model": ErrorBody}}
)
def request_code(body: CodeRequestBody, request: Request) -> Response:
    """Send a 6-digit sign-in code by SMS (through the outbox) to the number if it is a
    borrower's. The answer is the same for any number; at most 1 code a minute and 5 an
    hour per number (429 with Retry-After beyond that, for any number alike)."""
    with unit(request) as uow:
        try:
            asked = borrower_auth.request_code(uow, body.phone, now(request))
        except BadPhone as bad:
            raise InvalidField("phone", str(bad)) from None
    if asked.retry_after is not None:
        return JSONResponse(
            error_body(429, "a code was sent to this number too recently; try again later"),
            429,
            headers={"Retry-After": str(asked.retry_after)},
        )
    return JSONResponse(
        {
            "status": "accepted",
            "message": "如果这是借款人登记的手机号，验证码已通过短信发送，5分钟内有效。",
        },
        202,
    )


@router.post(
    "/session",
    response_model=BorrowerSignedIn,
    responses={401: {"model": ErrorBody}, 422: {"model": ErrorBody}},
)
def sign_in(body: CodeSignInBody, request: Request) -> Response:
    """Sign in with the code: the borrower's session cookie (HttpOnly, SameSite=Lax) and
    the CSRF token every state-changing request carries as ``X-CSRF-Token``."""
    with unit(request) as uow:
        try:
            result = borrower_auth.sign_in_with_code(uow, body.phone, body.code, now(request))
        except BadPhone as bad:
            raise InvalidField("phone", str(bad)) from None
    if result is None:
        return JSONResponse(error_body(401, "wrong, expired or used code"), 401)
    response = JSONResponse({"borrower_id": result.borrower_id, "csrf_token": result.csrf_token})
    set_borrower_cookie(request, response, result.token)
    return response


def set_borrower_cookie(request: Request, response: Response, token: str) -> None:
    """The portal's session cookie (``write_session_cookie``)."""
    write_session_cookie(request, response, BORROWER_COOKIE, token, BORROWER_SESSION_LIFETIME)


@router.delete(
    "/session", status_code=204, responses={401: {"model": ErrorBody}, 403: {"model": ErrorBody}}
)
def sign_out(borrower: CurrentBorrower, request: Request) -> Response:
    with unit(request) as uow:
        borrower_auth.sign_out(uow, borrower.token)
    response = Response(status_code=204)
    response.delete_cookie(BORROWER_COOKIE, path="/")
    return response


@router.get("/me", responses=REFUSALS)
def me(borrower: CurrentBorrower, request: Request) -> dict[str, Any]:
    with unit(request) as uow:
        found = uow.loans.borrower(borrower.borrower_id)
    return {"borrower_id": borrower.borrower_id, "name": found.name if found else ""}


def _yuan(fen: int | None) -> str | None:
    return None if fen is None else format_yuan(fen)


def loan_item(loan: MyLoan) -> dict[str, Any]:
    terms = loan.file.loan.terms
    state = loan.owed.contract
    return {
        "loan_id": terms.loan_id,
        "lender": loan.lender,
        "product": terms.product,
        "contract_principal": format_yuan(terms.principal),
        "received_amount": format_yuan(terms.received),
        "owed_contract": format_yuan(loan.owed_contract),
        "owed_lawful": format_yuan(loan.owed_lawful),
        "excess": format_yuan(loan.excess),
        "apr_irr": rate_text(loan.file.cost.apr_irr),
        "dpd": state.dpd,
        "next_due_on": loan.lawful.state.next_due_on.isoformat()
        if loan.lawful.state.next_due_on
        else None,
        "next_due_amount": _yuan(loan.next_due_amount),
    }


def loan_detail(loan: MyLoan) -> dict[str, Any]:
    terms = loan.file.loan.terms
    cost = loan.file.cost
    excess = excess_in_words(terms, cost)
    todo: list[str] = []
    if loan.excess > 0 or excess:
        todo.extend(WHAT_TO_DO_EXCESS)
    if loan.owed.illegal:
        todo.append(WHAT_TO_DO_ILLEGAL)
    todo.extend(WHAT_TO_DO_OVERDUE if loan.owed.contract.dpd > 0 else WHAT_TO_DO_CURRENT)
    return {
        **loan_item(loan),
        "penalty_rate_daily": str(terms.penalty_rate_daily),
        "penalty_per_day": format_yuan(loan.penalty_per_day),
        "overdue_contract": format_yuan(loan.owed.contract.total_overdue),
        "overdue_lawful": format_yuan(loan.owed.lawful.total_overdue),
        "illegal_debt": loan.owed.illegal,
        "allocation_order": ["penalty", "fee", "interest", "principal"],
        **ledger_json(loan.file.ledger, loan.file.loan.payments),
        "true_cost": true_cost_json(cost),
        "true_cost_in_words": list(cost_in_words(terms, cost)),
        "above_the_law": [{"rule": rule, "explanation": words} for rule, words in excess],
        "what_to_do": todo,
    }


@router.get("/loans", responses=REFUSALS)
def list_loans(borrower: CurrentBorrower, request: Request) -> dict[str, Any]:
    """The borrower's own loans: what the contract asks, what is lawfully owed, the excess,
    the true annual cost (IRR, 砍头息 included), days past due, the next instalment."""
    with unit(request) as uow:
        found = borrower_portal.my_loans(uow, borrower.borrower_id, today(request))
    return {"items": [loan_item(loan) for loan in found]}


@router.get("/loans/{loan_id}", responses=REFUSALS)
def get_loan(loan_id: str, borrower: CurrentBorrower, request: Request) -> dict[str, Any]:
    """One of the borrower's loans (404 for any other): schedule, payments and how each
    was allocated (罚息 → 费用 → 利息 → 本金), the penalty per day, the true cost in plain
    words, what the contract asks beyond the law (rule by rule) and what to do."""
    with unit(request) as uow:
        found = borrower_portal.my_loan(uow, borrower.borrower_id, loan_id, today(request))
    return loan_detail(found)


@router.post("/check-message", responses=REFUSALS)
def check(body: MessageBody, borrower: CurrentBorrower) -> dict[str, Any]:
    """The checker's verdict on a collection message, as ``check-message --json``."""
    return check_message(body.text)


def complaint_json(c: Complaint) -> dict[str, Any]:
    return {
        "complaint_id": c.complaint_id,
        "loan_id": c.loan_id,
        "contact_id": c.contact_id,
        "text": c.text,
        "evidence_text": c.evidence_text,
        "opened_at": c.opened_at.isoformat(),
        "answer_by": c.answer_by.isoformat(),
        "status": c.status.value,
        "closed_at": c.closed_at.isoformat() if c.closed_at else None,
        "answer": c.answer,
    }


def routes_json() -> list[dict[str, str]]:
    return [{"number": number, "what": what} for number, what in OUTSIDE_ROUTES]


@router.post(
    "/complaints",
    status_code=201,
    response_model=ComplaintOpened,
    responses=REFUSALS,
    dependencies=[BORROWER_IDEMPOTENT],
)
def file_complaint(
    body: ComplaintBody, borrower: CurrentBorrower, request: Request
) -> dict[str, Any]:
    """Open a complaint: collection contact to the borrower pauses at once (COMP-1) until
    the lender closes it; the lender answers by ``answer_by`` (15 days)."""
    new = NewComplaint(body.text, body.loan_id, body.contact_id, body.evidence_text)
    with unit(request) as uow:
        opened = borrower_portal.file_complaint(uow, borrower.borrower_id, new, now(request))
    return {"complaint_id": opened.complaint_id, "answer_by": opened.answer_by.isoformat()}


@router.get("/complaints", responses=REFUSALS)
def my_complaints(borrower: CurrentBorrower, request: Request) -> dict[str, Any]:
    """The borrower's complaints with their status and answer, and the routes outside the
    lender (12378, 12363, 12368, 110)."""
    with unit(request) as uow:
        found = borrower_portal.my_complaints(uow, borrower.borrower_id)
    return {"items": [complaint_json(c) for c in found], "outside_routes": routes_json()}


class PlanRequestBody(Strict):
    loan_id: str = Field(min_length=1, max_length=64)
    months: int = Field(ge=1, le=60)
    reason: str = Field(min_length=1, max_length=2000)
    monthly_income: Yuan | None = None


def plan_json(found: PlanRequest) -> dict[str, Any]:
    p = found.proposal
    assert isinstance(p.terms, InstalmentPlan)
    return {
        "proposal_id": p.proposal_id,
        "loan_id": p.loan_id,
        "months": p.terms.months,
        "annual_rate": rate_text(p.terms.annual_rate),
        "first_due": p.terms.first_due.isoformat(),
        "submitted_on": p.submitted_on.isoformat(),
        "note": p.note,
        "status": p.status.value,
        "decided_on": p.decided_on.isoformat() if p.decided_on else None,
        "decision_reason": p.decision_reason,
        "schedule": [
            {
                "number": x.installment.number,
                "due_on": x.installment.due_on.isoformat(),
                "principal": format_yuan(x.installment.principal),
                "interest": format_yuan(x.installment.interest),
                "fee": format_yuan(x.installment.fee),
                "unpaid": format_yuan(x.unpaid_scheduled),
                "penalty_payable": format_yuan(x.penalty_payable),
                "origin": x.origin.value,
            }
            for x in found.schedule
        ],
    }


@router.post(
    "/plan-requests", status_code=201, responses=REFUSALS, dependencies=[BORROWER_IDEMPOTENT]
)
def request_plan(
    body: PlanRequestBody, borrower: CurrentBorrower, request: Request
) -> dict[str, Any]:
    """Ask for an instalment plan on one's loan: a proposal in the supervisor's queue (the
    same flow as a collector's; only a supervisor decides), at the lawful rate."""
    income = None if body.monthly_income is None else fen(body.monthly_income, "monthly_income")
    if income is not None and income < 0:
        raise InvalidField("monthly_income", Message("input.income"))
    with unit(request) as uow:
        made = borrower_portal.request_plan(
            uow,
            borrower.borrower_id,
            body.loan_id,
            body.months,
            body.reason,
            income,
            today(request),
        )
    return plan_json(PlanRequest(made, ()))


@router.get("/plan-requests", responses=REFUSALS)
def my_plan_requests(borrower: CurrentBorrower, request: Request) -> dict[str, Any]:
    """The plans the borrower asked for: status, the supervisor's decision and reason,
    and once approved the new schedule."""
    with unit(request) as uow:
        found = borrower_portal.my_plan_requests(uow, borrower.borrower_id, today(request))
    return {"items": [plan_json(p) for p in found]}


class PreferencesBody(Strict):
    contact_slots: list[Any] = Field(default_factory=list, max_length=16)
    channels_off: list[Any] = Field(default_factory=list, max_length=16)


def preferences_json(wanted: Preferences) -> dict[str, Any]:
    return {
        "contact_slots": [[f"{s.start:%H:%M}", f"{s.end:%H:%M}"] for s in wanted.contact_slots],
        "channels_off": sorted(c.value for c in wanted.channels_off),
    }


@router.put("/preferences", responses=REFUSALS)
def put_preferences(
    body: PreferencesBody, borrower: CurrentBorrower, request: Request
) -> dict[str, Any]:
    """The times (within the lawful 08:00-22:00) and channels the borrower prefers: the
    gate honours them (DNC-1) for the workbench's contacts, calls and the sender; at least
    one channel stays open. An empty body clears them."""
    with unit(request) as uow:
        try:
            wanted = borrower_portal.set_preferences(
                uow, borrower.borrower_id, body.contact_slots, body.channels_off, now(request)
            )
        except PreferenceError as bad:
            raise InvalidField(bad.field, bad.message) from None
    return preferences_json(wanted)


@router.get("/preferences", responses=REFUSALS)
def get_preferences(borrower: CurrentBorrower, request: Request) -> dict[str, Any]:
    with unit(request) as uow:
        return preferences_json(uow.portal.preferences(borrower.borrower_id))

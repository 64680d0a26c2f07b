"""The API's request and response shapes. Amounts are yuan strings with two decimals
("1234.50"), times ISO 8601 with their offset, dates ISO; unknown fields are refused."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from faircollect.domain.money import MoneyError, parse_yuan_text

Yuan = str
"""An amount in yuan with two decimals, e.g. "1234.50"."""


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_text(value: Any, *, day: bool) -> Any:
    """Only ISO 8601 text: pydantic would also read a number (``20260309``, ``1e-82``)
    as seconds since 1970 and quietly make a date of it."""
    if isinstance(value, date | datetime):
        return value
    if not isinstance(value, str):
        raise ValueError("an ISO 8601 " + ("date such as 2026-03-09" if day else "time"))
    if day and not _ISO_DAY.fullmatch(value):
        raise ValueError(f"'{value[:40]}' is not an ISO 8601 date such as 2026-03-09")
    if not day and not _ISO_DAY.match(value):
        raise ValueError(
            f"'{value[:40]}' is not an ISO 8601 time such as 2026-03-09T10:30:00+08:00"
        )
    return value


IsoDate = Annotated[date, BeforeValidator(lambda v: _iso_text(v, day=True))]
"""A day in requests: ``2026-03-09`` and nothing else."""
IsoDateTime = Annotated[datetime, BeforeValidator(lambda v: _iso_text(v, day=False))]
"""A time in requests: ISO 8601 text (``2026-03-09T10:30:00+08:00``), never a number."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(BaseModel):
    code: str
    message: str
    """What was refused, in Chinese."""
    key: str | None = None
    """The refusal's stable key in the message catalogue (``domain.catalogue``), for a
    client to switch on; absent for a failure without one (a malformed request)."""
    field: str | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail


class Violation(BaseModel):
    rule: str
    reason: str
    """The gate's own reason (as ``check-action`` and the audit trail give it)."""
    title: str | None = None
    """The rule's Chinese title from the rule pack."""


class Denied(BaseModel):
    error: ErrorDetail
    violations: list[Violation]
    next_allowed_at: datetime | None


# Sessions ----------------------------------------------------------------------------


class SignInRequest(Strict):
    user_id: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class Me(BaseModel):
    user_id: str
    name: str
    role: str
    team_id: str | None = None
    agency_id: str | None = None


class SignedIn(Me):
    csrf_token: str


# Work ----------------------------------------------------------------------------------


class QueueItem(BaseModel):
    action_id: str
    case_id: str | None
    loan_id: str | None
    channel: str | None
    party: str
    scheduled_at: datetime
    priority: int
    dpd: int
    total_overdue: Yuan
    kind: str
    overdue: bool
    note: str


class Queue(BaseModel):
    date: date
    items: list[QueueItem]


class CaseItem(BaseModel):
    case_id: str
    borrower_id: str
    borrower_name: str
    owner: str
    status: str
    dpd: int
    total_overdue: Yuan
    opened_on: date
    loan_ids: list[str]


class CaseList(BaseModel):
    items: list[CaseItem]
    total: int
    page: int
    size: int


class CaseFile(BaseModel):
    case: CaseItem
    borrower: dict[str, Any]
    contacts: list[dict[str, Any]]
    loans: list[dict[str, Any]]
    history: list[dict[str, Any]]
    records: list[dict[str, Any]]
    promises: list[dict[str, Any]]
    proposals: list[dict[str, Any]]
    visits: list[dict[str, Any]]
    follow_ups: list[dict[str, Any]]
    complaints: list[dict[str, Any]] = []
    """Open complaints the borrower filed in the portal (contact paused, COMP-1)."""


class ContactRequest(Strict):
    channel: str
    party: str | None = None
    """Optional: the party is the number's; a different claim is refused (PI-1)."""
    number: str = Field(min_length=1, max_length=128)
    outcome: str
    at: IsoDateTime | None = None
    purpose: str | None = None
    reason: str | None = None
    note: str = Field(default="", max_length=4000)
    loan_id: str | None = None
    discloses_debt: bool | None = None
    recorded: bool | None = True
    action_id: str | None = Field(default=None, max_length=64)
    """The night's planned call or visit this contact carries out (it leaves the queue)."""


class Created(BaseModel):
    id: str


class ContactCreated(BaseModel):
    contact_id: str
    status: str


class Reassign(Strict):
    to: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=500)


# Promises and proposals ---------------------------------------------------------------


def _yuan(value: str) -> str:
    try:
        parse_yuan_text(value)
    except MoneyError as err:
        raise ValueError(str(err)) from err
    return value


class PromiseRequest(Strict):
    loan_id: str = Field(min_length=1, max_length=64)
    amount: Yuan
    due: IsoDate
    made_on: IsoDate | None = None

    _amount = field_validator("amount")(_yuan)


class Promise(BaseModel):
    promise_id: str
    loan_id: str
    case_id: str | None
    amount: Yuan
    made_on: date
    due: date
    status: str
    paid: Yuan
    settled_on: date | None
    made_by: str | None


class PromiseList(BaseModel):
    items: list[Promise]


class ProposalRequest(Strict):
    case_id: str = Field(min_length=1, max_length=64)
    loan_id: str = Field(min_length=1, max_length=64)
    kind: str = Field(pattern="^(plan|waiver)$")
    months: int | None = Field(default=None, ge=1, le=60)
    annual_rate: str | None = None
    first_due: IsoDate | None = None
    component: str | None = Field(default=None, pattern="^(penalty|interest)$")
    amount: Yuan | None = None
    note: str = Field(default="", max_length=2000)


class DecisionRequest(Strict):
    approve: bool
    reason: str = Field(min_length=1, max_length=2000)


class Proposal(BaseModel):
    proposal_id: str
    case_id: str
    loan_id: str
    kind: str
    terms: dict[str, Any]
    submitted_by: str
    submitted_on: date
    note: str
    status: str
    decided_by: str | None
    decided_on: date | None
    decision_reason: str


class ProposalList(BaseModel):
    items: list[Proposal]


# The first call -------------------------------------------------------------------------


class CallStart(Strict):
    case_id: str = Field(min_length=1, max_length=64)
    loan_id: str | None = None


class CallAnswer(Strict):
    step: str
    value: Any = None


class CallPrompt(BaseModel):
    step: str
    title: str
    say: str
    guide: str
    choices: list[str]
    details: list[str]


class CallState(BaseModel):
    call_id: str
    case_id: str
    loan_id: str
    prompt: CallPrompt | None
    answers: dict[str, Any]


class CallFinished(BaseModel):
    call_id: str
    contact_id: str
    outcome: str
    promise_id: str | None
    follow_up: dict[str, Any]
    missing_tasks: list[str]


# Audit ---------------------------------------------------------------------------------


class AuditEntry(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    subject: str
    before: Any
    """The state before (JSON; null for what has no before), personal numbers masked."""
    after: Any
    prev_hash: str
    hash: str


class AuditList(BaseModel):
    items: list[AuditEntry]
    total: int
    page: int
    size: int

"""案件: the cases a user may see, searched by name, phone, loan or case id; one case's
page with its forms (a contact, a promise, a proposal) and a loan's ledger."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from faircollect.domain.casework.cases import CaseStatus
from faircollect.domain.casework.contacts import Outcome, Reason
from faircollect.domain.casework.proposals import InstalmentPlan, Terms, WaivedComponent, Waiver
from faircollect.domain.compliance.actions import Channel, Party, Purpose
from faircollect.services.casework import cases, contacts, promises, proposals
from faircollect.services.letters import offered_letters
from faircollect.services.loans import loan_file_for
from faircollect.web.context import CurrentUser, now, today, unit
from faircollect.web.errors import InvalidField
from faircollect.web.idempotency import IDEMPOTENT, IdempotentRoute
from faircollect.web.loan_view import loan_json
from faircollect.web.pages import forms
from faircollect.web.pages.render import done, is_htmx, page

router = APIRouter(route_class=IdempotentRoute)

PAGE_SIZE = 50
Text = Annotated[str, Form(max_length=4000)]
Short = Annotated[str, Form(max_length=128)]

DONE = {
    "contact": "催记已保存（已通过合规检查）。",
    "promise": "还款承诺已记录。",
    "proposal": "方案已提交，等待主管审批。",
    "call": "首次催收电话已结束，催记、承诺和跟进已保存。",
}
"""What the case page says after a form did its work (``?done=...``)."""


@router.get("/cases", response_class=HTMLResponse)
def case_list(
    user: CurrentUser,
    request: Request,
    q: Annotated[str, Query(max_length=128)] = "",
    status: Annotated[str, Query(max_length=32)] = "",
    sort: Annotated[str, Query(max_length=32)] = "-dpd",
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
    compact: bool = False,
) -> Response:
    """The list; an htmx search gets only the table (the search box updates it in place;
    ``compact``: the search box of 今日工作, which shows nothing until something is typed)."""
    wanted = forms.optional_choice(CaseStatus, status, "status")
    with unit(request) as uow:
        found = cases.list_cases(
            uow,
            user.actor,
            today(request),
            wanted,
            query=q.strip() or None,
            sort=sort,
            page=page_no,
            size=PAGE_SIZE,
        )
    context = {
        "found": found,
        "q": q,
        "status_filter": status,
        "sort": sort,
        "statuses": CaseStatus,
        "compact": compact,
    }
    if is_htmx(request):
        return page(request, "parts/case_rows.html", user=user, **context)
    return page(request, "cases.html", user=user, active="cases", **context)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    case_id: str,
    user: CurrentUser,
    request: Request,
    done_: Annotated[str, Query(alias="done", max_length=16)] = "",
) -> Response:
    with unit(request) as uow:
        found = cases.show_case(uow, user.actor, case_id, today(request))
        people = cases.names_of(uow, found)
    return page(
        request,
        "case/page.html",
        user=user,
        active="cases",
        file=found,
        people=people,
        notice=DONE.get(done_),
        now=now(request),
        channels=[c for c in Channel if c is not Channel.PUBLIC_NOTICE],
        parties=[p for p in Party if p is not Party.CONTACT_LIST],
        outcomes=list(Outcome),
        reasons=list(Reason),
        purposes=list(Purpose),
        components=list(WaivedComponent),
        letter_kinds=[kind.value for kind in offered_letters()],
    )


@router.post("/cases/{case_id}/contacts", dependencies=[IDEMPOTENT])
def record_contact(
    case_id: str,
    user: CurrentUser,
    request: Request,
    channel: Annotated[str, Form(max_length=32)] = "",
    party: Annotated[str, Form(max_length=32)] = "",
    number: Short = "",
    outcome: Annotated[str, Form(max_length=32)] = "",
    at: Annotated[str, Form(max_length=32)] = "",
    reason: Annotated[str, Form(max_length=32)] = "",
    purpose: Annotated[str, Form(max_length=32)] = "",
    discloses_debt: Annotated[str, Form(max_length=8)] = "",
    recorded: Annotated[str, Form(max_length=8)] = "",
    loan_id: Short = "",
    note: Text = "",
) -> Response:
    """A 催记 through the gate: refused with the rules and nothing stored, or stored."""
    forms.required(number, "number", "请填写联系的号码或地址")
    new = contacts.NewContact(
        case_id,
        forms.moment(at, "at", now(request)),
        forms.choice(Channel, channel, "channel"),
        forms.optional_choice(Party, party, "party"),
        number.strip(),
        forms.choice(Outcome, outcome, "outcome"),
        forms.optional_choice(Reason, reason, "reason"),
        note,
        loan_id or None,
        contacts.ContactFacts(
            forms.yes_no(recorded),
            forms.optional_choice(Purpose, purpose, "purpose"),
            forms.yes_no(discloses_debt),
        ),
    )
    with unit(request) as uow:
        contacts.add_contact(uow, user.actor, new, today=today(request))
    return done(request, f"/cases/{case_id}?done=contact")


@router.post("/cases/{case_id}/promises", dependencies=[IDEMPOTENT])
def make_promise(
    case_id: str,
    user: CurrentUser,
    request: Request,
    loan_id: Short = "",
    amount: Annotated[str, Form(max_length=32)] = "",
    due: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """承诺还款 on one of the case's loans."""
    forms.required(loan_id, "loan_id", "请选择借据")
    amount_fen = forms.fen(amount, "amount")
    due_on = forms.day(due, "due")
    with unit(request) as uow:
        promises.make_promise(uow, user.actor, loan_id, amount_fen, due_on, today(request))
    return done(request, f"/cases/{case_id}?done=promise")


@router.post("/cases/{case_id}/proposals", dependencies=[IDEMPOTENT])
def propose(
    case_id: str,
    user: CurrentUser,
    request: Request,
    loan_id: Short = "",
    kind: Annotated[str, Form(max_length=16)] = "",
    months: Annotated[str, Form(max_length=8)] = "",
    annual_rate: Annotated[str, Form(max_length=16)] = "",
    first_due: Annotated[str, Form(max_length=32)] = "",
    component: Annotated[str, Form(max_length=16)] = "",
    amount: Annotated[str, Form(max_length=32)] = "",
    note: Text = "",
) -> Response:
    """分期 or 减免: a proposal for a supervisor to decide."""
    forms.required(loan_id, "loan_id", "请选择借据")
    terms = _terms(kind, months, annual_rate, first_due, component, amount)
    with unit(request) as uow:
        proposals.submit_proposal(
            uow, user.actor, case_id, loan_id, terms, today(request), note.strip()
        )
    return done(request, f"/cases/{case_id}?done=proposal")


def _terms(
    kind: str, months: str, annual_rate: str, first_due: str, component: str, amount: str
) -> Terms:
    if kind == "waiver":
        return Waiver(
            forms.choice(WaivedComponent, component, "component"), forms.fen(amount, "amount")
        )
    if kind != "plan":
        raise InvalidField("kind", "请选择：分期 或 减免")
    return InstalmentPlan(
        forms.whole(months, "months", 1, 60),
        forms.rate(annual_rate, "annual_rate"),
        forms.day(first_due, "first_due"),
    )


@router.post("/cases/{case_id}/owner", dependencies=[IDEMPOTENT])
def reassign(
    case_id: str,
    user: CurrentUser,
    request: Request,
    to: Annotated[str, Form(max_length=64)] = "",
    why: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """A supervisor hands the case to a collector of the team (from the team board)."""
    forms.required(why, "why", "请填写调整原因")
    forms.required(to, "to", "请选择催收员")
    with unit(request) as uow:
        cases.reassign_case(uow, user.actor, case_id, to.strip(), today(request), why.strip())
    return done(request, "/team?done=reassign")


@router.get("/loans/{loan_id}", response_class=HTMLResponse)
def loan_page(loan_id: str, user: CurrentUser, request: Request) -> Response:
    """A loan's ledger (台账) and true cost; an htmx request gets the panel alone."""
    with unit(request) as uow:
        found = loan_file_for(uow, user.actor, loan_id, today(request))
    name = "parts/ledger.html" if is_htmx(request) else "loan.html"
    return page(request, name, user=user, active="cases", loan=loan_json(found))

"""The borrower portal's pages under ``/my/`` (Chinese, mobile-first, no script).

Plain forms posting to the same use cases as ``/api/v1/borrower/``: sign in with the SMS
code, the borrower's own loans (another loan is 404), the message checker with the
message kept as evidence, complaints with their status and the routes outside the lender.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from faircollect.adapters.db.repositories.payment_intents import PaymentIntent
from faircollect.domain.casework.errors import NotFound
from faircollect.domain.messages import Message
from faircollect.domain.money import format_yuan, parse_yuan
from faircollect.domain.portal import MAX_COMPLAINT_TEXT, OUTSIDE_ROUTES, BadPhone, PreferenceError
from faircollect.services import borrower_auth, borrower_portal, payments
from faircollect.services.borrower_portal import NewComplaint
from faircollect.services.compliance import MAX_TEXT, check_message
from faircollect.web.api.borrower import (
    complaint_json,
    loan_detail,
    loan_item,
    plan_json,
    preferences_json,
    set_borrower_cookie,
)
from faircollect.web.api.payments import intent_json
from faircollect.web.context import (
    BORROWER_COOKIE,
    BorrowerUser,
    CurrentBorrower,
    config,
    now,
    today,
    unit,
)
from faircollect.web.errors import InvalidField
from faircollect.web.idempotency import BORROWER_IDEMPOTENT, IdempotentRoute
from faircollect.web.pages import forms
from faircollect.web.pages.render import templates
from faircollect.web.security import refuse_cross_site

router = APIRouter(prefix="/my", route_class=IdempotentRoute)


def my_page(
    request: Request,
    template: str,
    borrower: BorrowerUser | None = None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        f"my/{template}",
        {
            "borrower": borrower,
            "csrf_token": borrower.csrf_token if borrower else "",
            "routes": OUTSIDE_ROUTES,
            **context,
        },
        status_code=status,
    )


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, phone: str = "", sent: int = 0) -> Response:
    return my_page(request, "login.html", phone=phone[:32], sent=bool(sent), error=None)


@router.post("/code")
def ask_code(request: Request, phone: Annotated[str, Form(max_length=32)]) -> Response:
    with unit(request) as uow:
        try:
            asked = borrower_auth.request_code(uow, phone, now(request))
        except BadPhone:
            return my_page(
                request,
                "login.html",
                None,
                422,
                phone=phone,
                sent=False,
                error="请输入正确的手机号。",
            )
    if asked.retry_after is not None:
        wait = f"验证码发送过于频繁，请 {asked.retry_after} 秒后再试。"
        return my_page(request, "login.html", None, 429, phone=phone, sent=True, error=wait)
    return RedirectResponse(f"/my/login?phone={phone.strip()}&sent=1", status_code=303)


@router.post("/login")
def login(
    request: Request,
    phone: Annotated[str, Form(max_length=32)],
    code: Annotated[str, Form(max_length=16)],
) -> Response:
    refuse_cross_site(request)
    with unit(request) as uow:
        try:
            result = borrower_auth.sign_in_with_code(uow, phone, code.strip(), now(request))
        except BadPhone:
            result = None
    if result is None:
        error = "验证码不正确、已过期或已使用。可重新获取验证码。"
        return my_page(request, "login.html", None, 401, phone=phone, sent=True, error=error)
    response = RedirectResponse("/my/", status_code=303)
    set_borrower_cookie(request, response, result.token)
    return response


@router.post("/logout")
def logout(request: Request, borrower: CurrentBorrower) -> Response:
    with unit(request) as uow:
        borrower_auth.sign_out(uow, borrower.token)
    response = RedirectResponse("/my/login", status_code=303)
    response.delete_cookie(BORROWER_COOKIE, path="/")
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request, borrower: CurrentBorrower) -> Response:
    with unit(request) as uow:
        found = borrower_portal.my_loans(uow, borrower.borrower_id, today(request))
        person = uow.loans.borrower(borrower.borrower_id)
    return my_page(
        request,
        "home.html",
        borrower,
        name=person.name if person else "",
        loans=[loan_item(loan) for loan in found],
    )


@router.get("/loans/{loan_id}", response_class=HTMLResponse)
def loan(loan_id: str, request: Request, borrower: CurrentBorrower, done: str = "") -> Response:
    with unit(request) as uow:
        found = borrower_portal.my_loan(uow, borrower.borrower_id, loan_id, today(request))
    with unit(request) as uow:
        plans = [
            plan_json(p)
            for p in borrower_portal.my_plan_requests(uow, borrower.borrower_id, today(request))
            if p.proposal.loan_id == loan_id
        ]
        intents = [intent_json(i) for i in uow.intents.of_borrower(borrower.borrower_id)]
    shown = loan_detail(found)
    for row in [*shown["schedule"], *(r for p in plans for r in p["schedule"])]:
        parts = (row["principal"], row["interest"], row["fee"])
        row["due"] = format_yuan(sum(parse_yuan(part) for part in parts))
    return my_page(
        request,
        "loan.html",
        borrower,
        loan=shown,
        plans=plans,
        intents=[i for i in intents if i["loan_id"] == loan_id],
        notice=NOTICES.get(done),
    )


@router.get("/check", response_class=HTMLResponse)
def check_form(request: Request, borrower: CurrentBorrower) -> Response:
    return my_page(request, "check.html", borrower, text="", verdict=None, error=None)


@router.post("/check", response_class=HTMLResponse)
def check(
    request: Request,
    borrower: CurrentBorrower,
    text: Annotated[str, Form(max_length=MAX_TEXT)] = "",
) -> Response:
    if not text.strip():
        return my_page(
            request, "check.html", borrower, 422, text="", verdict=None, error="请粘贴收到的消息。"
        )
    return my_page(
        request, "check.html", borrower, text=text, verdict=check_message(text), error=None
    )


@router.get("/complaints", response_class=HTMLResponse)
def complaints(request: Request, borrower: CurrentBorrower, filed: str = "") -> Response:
    return _complaints_page(request, borrower, filed=filed[:64])


def _complaints_page(
    request: Request, borrower: BorrowerUser, status: int = 200, **context: Any
) -> HTMLResponse:
    with unit(request) as uow:
        found = borrower_portal.my_complaints(uow, borrower.borrower_id)
        loan_ids = uow.loans.loans_of_borrower(borrower.borrower_id)
    context.setdefault("evidence", "")
    context.setdefault("error", None)
    return my_page(
        request,
        "complaints.html",
        borrower,
        status,
        items=[complaint_json(c) for c in reversed(found)],
        loan_ids=loan_ids,
        **context,
    )


@router.post("/complaints", response_class=HTMLResponse, dependencies=[BORROWER_IDEMPOTENT])
def file_complaint(
    request: Request,
    borrower: CurrentBorrower,
    text: Annotated[str, Form(max_length=MAX_COMPLAINT_TEXT)] = "",
    evidence_text: Annotated[str, Form(max_length=MAX_COMPLAINT_TEXT)] = "",
    loan_id: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    if not text.strip():
        return _complaints_page(
            request, borrower, 422, evidence=evidence_text, error="请写明投诉的内容。"
        )
    new = NewComplaint(text, loan_id or None, None, evidence_text)
    with unit(request) as uow:
        opened = borrower_portal.file_complaint(uow, borrower.borrower_id, new, now(request))
    return RedirectResponse(f"/my/complaints?filed={opened.complaint_id}", status_code=303)


@router.post("/evidence", response_class=HTMLResponse)
def keep_evidence(
    request: Request,
    borrower: CurrentBorrower,
    text: Annotated[str, Form(max_length=MAX_TEXT)] = "",
) -> Response:
    """The checked message goes into the complaint form as its evidence."""
    return _complaints_page(request, borrower, evidence=text[:MAX_COMPLAINT_TEXT])


PORTAL_ERRORS = {
    403: "请求无效，请刷新页面后再试。",
    404: "找不到这个页面或这笔借款。",
    422: "填写的内容有误，请检查后再提交。",
    429: "操作过于频繁，请稍后再试。",
    503: "系统暂时不可用，请稍后再试。",
}


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    """A refusal in the portal, in Chinese (the technical message kept small beneath)."""
    text = PORTAL_ERRORS.get(status, "系统出错了，请稍后再试。")
    return my_page(request, "error.html", None, status, text=text, detail=message)


# Plans, payments, preferences -----------------------------------------------------------

NOTICES = {
    "plan": "分期申请已提交，等待放贷机构主管审批；结果会显示在本页。",
    "paid": "还款已确认，已记入账户，按 罚息 → 费用 → 利息 → 本金 抵扣。",
    "prefs": "联系偏好已保存。催收联系将只在你选择的时段、不使用你关闭的渠道。",
}


@router.post("/loans/{loan_id}/plan", dependencies=[BORROWER_IDEMPOTENT])
def ask_plan(
    loan_id: str,
    request: Request,
    borrower: CurrentBorrower,
    months: Annotated[str, Form(max_length=4)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    monthly_income: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    count = forms.whole(months, "months", 1, 60)
    why = forms.required(reason, "reason", "请说明申请分期的原因")
    income = forms.fen(monthly_income, "monthly_income") if monthly_income.strip() else None
    with unit(request) as uow:
        borrower_portal.request_plan(
            uow, borrower.borrower_id, loan_id, count, why, income, today(request)
        )
    return RedirectResponse(f"/my/loans/{loan_id}?done=plan", status_code=303)


@router.post("/loans/{loan_id}/pay", dependencies=[BORROWER_IDEMPOTENT])
def pay(
    loan_id: str,
    request: Request,
    borrower: CurrentBorrower,
    amount: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    fen = forms.fen(amount, "amount")
    with unit(request) as uow:
        intent = payments.start_payment(
            uow, borrower.borrower_id, loan_id, fen, now(request), payments.FakeGateway.name
        )
    return RedirectResponse(f"/my/pay/{intent.intent_id}", status_code=303)


def _my_intent(request: Request, borrower: BorrowerUser, intent_id: str) -> PaymentIntent:
    with unit(request) as uow:
        intent = uow.intents.get(intent_id)
    if intent is None or intent.borrower_id != borrower.borrower_id:
        raise NotFound(Message("payment.not_found", intent_id=intent_id))
    return intent


@router.get("/pay/{intent_id}", response_class=HTMLResponse)
def gateway_page(intent_id: str, request: Request, borrower: CurrentBorrower) -> Response:
    """The development gateway's payment page (a real gateway shows its own)."""
    intent = _my_intent(request, borrower, intent_id)
    return my_page(request, "pay.html", borrower, intent=intent_json(intent))


@router.post("/pay/{intent_id}")
def gateway_confirm(intent_id: str, request: Request, borrower: CurrentBorrower) -> Response:
    intent = _my_intent(request, borrower, intent_id)
    secret = config(request).payment_secret
    body, signature = payments.FakeGateway(secret).webhook(intent, today(request))
    with unit(request) as uow:
        payments.receive_webhook(uow, body, signature, secret, now(request))
    return RedirectResponse(f"/my/loans/{intent.loan_id}?done=paid", status_code=303)


@router.get("/preferences", response_class=HTMLResponse)
def preferences_form(request: Request, borrower: CurrentBorrower, done: str = "") -> Response:
    with unit(request) as uow:
        wanted = uow.portal.preferences(borrower.borrower_id)
    return my_page(
        request,
        "preferences.html",
        borrower,
        active="prefs",
        prefs=preferences_json(wanted),
        channels=CHANNEL_NAMES,
        notice=NOTICES.get(done),
    )


CHANNEL_NAMES = {
    "call": "电话",
    "sms": "短信",
    "email": "电子邮件",
    "app_push": "App 推送",
    "wechat": "微信",
}


@router.post("/preferences")
def save_preferences(
    request: Request,
    borrower: CurrentBorrower,
    start: Annotated[str, Form(max_length=5)] = "",
    end: Annotated[str, Form(max_length=5)] = "",
    off: Annotated[list[str] | None, Form(max_length=16)] = None,
) -> Response:
    slots: list[object] = [[start, end]] if start.strip() or end.strip() else []
    with unit(request) as uow:
        try:
            borrower_portal.set_preferences(
                uow, borrower.borrower_id, slots, list(off or []), now(request)
            )
        except PreferenceError as bad:
            raise InvalidField(bad.field, bad.message) from None
    return RedirectResponse("/my/preferences?done=prefs", status_code=303)

"""Rendering pages: one Jinja2 environment, the signed-in user and CSRF token in every
template, Chinese labels, yuan and Shanghai times as filters, refusals as pages or (for
an htmx request) as the fragment the form shows."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from faircollect.domain.money import MoneyError, format_yuan, parse_yuan
from faircollect.services.compliance import rule_texts
from faircollect.web import idempotency
from faircollect.web.pages import labels

SHANGHAI = ZoneInfo("Asia/Shanghai")

templates = Jinja2Templates(directory=str(resources.files("faircollect.web").joinpath("templates")))
env = templates.env
env.autoescape = True


def yuan(fen: object) -> str:
    """Fen as yuan with two decimals and thousands separators: 123456789 -> 1,234,567.89.
    A value that is already yuan text (the loan file's JSON) is grouped the same way."""
    if isinstance(fen, str):
        try:
            fen = parse_yuan(fen.replace(",", ""))
        except MoneyError:
            return fen
    text = format_yuan(int(fen or 0))  # type: ignore[call-overload]
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, _, cents = digits.partition(".")
    return f"{sign}{int(whole):,}.{cents}"


def local(moment: object, pattern: str = "%Y-%m-%d %H:%M") -> object:
    """A moment as Asia/Shanghai wall-clock time (stored times are UTC)."""
    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment)
        except ValueError:
            return moment
    if isinstance(moment, datetime):
        return moment.astimezone(SHANGHAI).strftime(pattern)
    return moment


def allowed_from(moment: object) -> str:
    """When waiting makes a contact lawful, as a collector reads it:
    ``从 3月3日 08:00 起可以联系``."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if not isinstance(moment, datetime):
        return ""
    t = moment.astimezone(SHANGHAI)
    return f"从 {t.month}月{t.day}日 {t:%H:%M} 起可以联系"


def percent(rate: object, places: int = 2) -> str:
    """A decimal rate as a percentage: Decimal("0.2436") -> 24.36%."""
    if rate is None or rate == "":
        return ""
    value = Decimal(str(rate)) * 100
    return f"{value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)}%"


def owner(text: object, names: dict[str, str] | None = None) -> str:
    """A case owner as a list names it (``agency:AG01`` -> 委外 AG01; a collector by name
    when ``names`` has it, as ``labels.who``)."""
    value = str(text or "")
    if value.startswith("agency:"):
        return f"委外 {value.removeprefix('agency:')}"
    collector = value.removeprefix("collector:")
    if names and collector in names:
        return labels.who(collector, names)
    return labels.zh(collector)


def answer_text(value: object) -> str:
    """A first-call answer as the step list shows it."""
    if isinstance(value, dict):
        return f"{yuan(str(value.get('amount', '0')))} 元，{value.get('due', '')} 前"
    if isinstance(value, list | tuple):
        return "、".join(labels.call_zh(v) for v in value) or "—"
    return labels.call_zh(value) or "—"


env.filters["answer_text"] = answer_text
env.filters["yuan"] = yuan
env.filters["owner"] = owner
env.filters["zh"] = labels.zh
env.filters["audit_action"] = labels.audit_action
env.filters["said"] = labels.said
env.filters["who"] = labels.who
env.filters["call_zh"] = labels.call_zh
env.filters["local"] = local
env.filters["allowed_from"] = allowed_from
env.filters["percent"] = percent
env.filters["day"] = lambda d: d.isoformat() if isinstance(d, date) else (d or "")
env.globals["field_zh"] = labels.field_zh


def idempotency_field() -> Markup:
    """The hidden field that makes a form safe to submit twice: a new key each time the
    form is rendered (``web.idempotency``), so a double click or a browser's resend of
    this rendering is answered from the first submit and creates nothing new."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(
        idempotency.FIELD, idempotency.new_key()
    )


env.globals["idempotency_field"] = idempotency_field


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """The template ``name`` with ``context`` plus ``user`` and ``csrf_token``."""
    user = context.pop("user", None)
    return templates.TemplateResponse(
        request,
        name,
        {
            "user": user.person if user is not None else None,
            "csrf_token": user.csrf_token if user is not None else "",
            "today": context.pop("today", None),
            **context,
        },
        status_code=status,
    )


def done(request: Request, target: str, htmx_status: int = 204) -> Response:
    """After a form did its work: to ``target`` (htmx follows ``HX-Redirect`` with a full
    page load; a plain form gets 303 See Other). A refusal that sends the user elsewhere
    (to sign in) passes its own ``htmx_status``."""
    if is_htmx(request):
        return Response(status_code=htmx_status, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


ERROR_TITLES = {
    400: "请求有误",
    403: "无权操作",
    404: "找不到",
    405: "不支持的操作",
    413: "内容过多",
    422: "无法完成",
    429: "尝试次数过多",
    500: "系统出错",
    503: "系统暂时不可用",
}


def error_page(request: Request, status: int, message: str, **extra: Any) -> HTMLResponse:
    """A refusal for the workbench: a whole page, or for an htmx form the fragment it
    shows in place. A gate denial lists each rule with the pack's Chinese title and
    explanation, and when waiting makes the contact lawful."""
    violations = [
        {**v, "info": rule_texts([v["rule"]]).get(v["rule"])} for v in extra.get("violations") or []
    ]
    code = extra.get("code")
    context = {
        "title": "合规检查未通过" if code == "denied" else ERROR_TITLES.get(status, "出错了"),
        "message": message,
        "error_status": status,
        "violations": violations,
        "next_allowed_at": extra.get("next_allowed_at"),
        "reasons": [] if violations else extra.get("reasons") or [],
        "field": extra.get("field"),
    }
    if is_htmx(request):
        return page(request, "_refusal.html", status, **context)
    return page(request, "error.html", status, user=_viewer(request, status), **context)


def _viewer(request: Request, status: int) -> Any:
    """The signed-in user for the error page's navigation, when there is one and the
    database answers (never for a database failure: that would fail again)."""
    if status in (401, 503):
        return None
    from faircollect.web.context import signed_in

    try:
        return signed_in(request)
    except Exception:  # no session, or no database: the page shows without navigation
        return None

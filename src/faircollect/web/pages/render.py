"""Rendering pages: one Jinja2 environment, the signed-in user and CSRF token in every
template, Chinese labels and yuan formatting as filters."""

from __future__ import annotations

from datetime import date, datetime
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from faircollect.domain.money import format_yuan
from faircollect.web.pages import labels

SHANGHAI = ZoneInfo("Asia/Shanghai")

templates = Jinja2Templates(directory=str(resources.files("faircollect.web").joinpath("templates")))
env = templates.env
env.autoescape = True
env.filters["yuan"] = lambda fen: format_yuan(int(fen or 0))
env.filters["zh"] = labels.zh
env.filters["local"] = lambda t: (
    t.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if isinstance(t, datetime) else t
)
env.filters["day"] = lambda d: d.isoformat() if isinstance(d, date) else (d or "")


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """The template ``name`` with ``context`` plus ``user`` and ``csrf_token``."""
    user = context.pop("user", None)
    return templates.TemplateResponse(
        request,
        name,
        {
            "user": user.person if user is not None else None,
            "csrf_token": user.csrf_token if user is not None else "",
            **context,
        },
        status_code=status,
    )


ERROR_TITLES = {
    403: "无权操作",
    404: "找不到",
    405: "不支持的操作",
    422: "无法完成",
    429: "尝试次数过多",
    500: "系统出错",
    503: "系统暂时不可用",
}


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return page(
        request,
        "error.html",
        status,
        title=ERROR_TITLES.get(status, "出错了"),
        message=message,
        status=status,
    )

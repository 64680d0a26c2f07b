"""Sign in and out of the workbench."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from faircollect.services import auth
from faircollect.web.api.session import set_session_cookie
from faircollect.web.context import SESSION_COOKIE, CurrentUser, now, unit
from faircollect.web.pages.render import page
from faircollect.web.security import refuse_cross_site

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never ``//evil.example`` or ``https://…``)."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> Response:
    return page(request, "login.html", next=_safe_next(next), error=None)


@router.post("/login")
def login(
    request: Request,
    user_id: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form(max_length=512)] = "/",
) -> Response:
    refuse_cross_site(request)
    with unit(request) as uow:
        result = auth.sign_in(uow, user_id.strip(), password, now(request))
    if result.retry_after is not None:
        minutes = max(1, result.retry_after // 60)
        message = f"该账号连续登录失败次数过多，请约 {minutes} 分钟后再试。"
        return page(request, "login.html", 429, next=_safe_next(next), error=message)
    if not result.ok:
        message = "账号或密码不正确。"
        return page(request, "login.html", 401, next=_safe_next(next), error=message)
    assert result.token
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(request, response, result.token)
    return response


@router.post("/logout")
def logout(request: Request, user: CurrentUser) -> Response:
    with unit(request) as uow:
        auth.sign_out(uow, user.token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response

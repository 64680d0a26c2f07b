"""Signing in and out, and who am I."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from faircollect.services import auth
from faircollect.web.api.schemas import ErrorBody, Me, SignedIn, SignInRequest
from faircollect.web.context import SESSION_COOKIE, CurrentUser, config, now, unit
from faircollect.web.errors import error_body
from faircollect.web.security import is_https

router = APIRouter(tags=["session"])


def me_json(user: Any) -> dict[str, Any]:
    p = user.person if hasattr(user, "person") else user
    return {
        "user_id": p.user_id,
        "name": p.name,
        "role": p.role.value,
        "team_id": p.team_id,
        "agency_id": p.agency_id,
    }


@router.post(
    "/session",
    response_model=SignedIn,
    responses={401: {"model": ErrorBody}, 429: {"model": ErrorBody}},
)
def sign_in(body: SignInRequest, request: Request) -> Response:
    """Sign in: the session cookie (HttpOnly, SameSite=Lax) and the CSRF token that every
    state-changing request must carry as ``X-CSRF-Token``."""
    with unit(request) as uow:
        result = auth.sign_in(uow, body.user_id, body.password, now(request))
    if result.retry_after is not None:
        return JSONResponse(
            error_body(429, "too many failed sign-ins for this user; try again later"),
            429,
            headers={"Retry-After": str(result.retry_after)},
        )
    if not result.ok:
        return JSONResponse(error_body(401, "wrong user id or password"), 401)
    assert result.person and result.token and result.csrf_token and result.expires_at
    response = JSONResponse({**me_json(result.person), "csrf_token": result.csrf_token})
    set_session_cookie(request, response, result.token)
    return response


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    """The workbench's session cookie (``write_session_cookie``)."""
    write_session_cookie(request, response, SESSION_COOKIE, token, auth.SESSION_LIFETIME)


def write_session_cookie(
    request: Request, response: Response, name: str, token: str, lifetime: timedelta
) -> None:
    """A session cookie, the workbench's or the portal's: HttpOnly (no script reads it),
    SameSite=Lax, Secure over HTTPS or when configured, lives as long as the session (the
    server checks the expiry too)."""
    response.set_cookie(
        name,
        token,
        max_age=int(lifetime.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=config(request).secure_cookies or is_https(request),
        path="/",
    )


@router.delete(
    "/session", status_code=204, responses={401: {"model": ErrorBody}, 403: {"model": ErrorBody}}
)
def sign_out(user: CurrentUser, request: Request) -> Response:
    with unit(request) as uow:
        auth.sign_out(uow, user.token)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/me", response_model=Me, responses={401: {"model": ErrorBody}})
def me(user: CurrentUser) -> dict[str, Any]:
    return me_json(user)

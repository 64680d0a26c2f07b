"""Refusals and failures as HTTP answers: JSON ``{"error": {"code", "message", "key"?,
"field"?}}`` on the API, a page (or the sign-in page) for the workbench. Never a traceback.

The web speaks Chinese: a refusal raised with a catalogue ``Message`` (``domain.messages``)
is said in Chinese, and its key goes beside the message (``key``; each reason's key in
``reason_keys``) so a client can switch on it. The CLI says the same refusals in English.

| refusal | status | code |
|---|---|---|
| not signed in | 401 | ``unauthenticated`` |
| bad input (a field) | 422 | ``invalid`` (with ``field``) |
| the gate denies a contact | 422 | ``denied`` (with ``violations``, ``next_allowed_at``) |
| a rule refuses the command | 422 | ``refused`` (with ``reasons``) |
| the role may not | 403 | ``forbidden`` |
| no such thing, or not yours to see | 404 | ``not_found`` |
| too many sign-in failures | 429 | ``throttled`` |
| a value the database cannot take (a NUL character) | 422 | ``invalid`` |
| the database is unreachable or its connection was lost | 503 | ``unavailable`` (``Retry-After``) |
| anything else | 500 | ``internal`` (logged, not shown) |
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError, DBAPIError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException

from faircollect.domain.casework.errors import (
    CaseworkError,
    GateDenied,
    NotFound,
    PermissionDenied,
    Refused,
)
from faircollect.domain.messages import key_of, say

log = logging.getLogger("faircollect.web")

CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "throttled",
    503: "unavailable",
}


class InvalidField(CaseworkError):
    """Bad input in one named field (a date that is not a date, an amount with 3 decimals):
    a catalogue ``Message``, or the page's own Chinese words."""

    def __init__(self, field: str, message: str) -> None:
        ValueError.__init__(self, f"{field}: {message}")
        self.field = field
        self.message = message  # type: ignore[assignment]


def zh(code: str) -> str:
    """A stored code's Chinese word (the workbench's one table, ``pages.labels``)."""
    from faircollect.web.pages.labels import zh as word

    return word(code)


def chinese(text: str) -> str:
    """``text`` as the web says it: a catalogue message in Chinese, codes in their words."""
    return say(text, "zh", zh)


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_body(status: int, message: str, **extra: Any) -> dict[str, Any]:
    error: dict[str, Any] = {
        "code": extra.pop("code", CODES.get(status, "error")),
        "message": message,
    }
    if "key" in extra:
        error["key"] = extra.pop("key")
    if "field" in extra:
        error["field"] = extra.pop("field")
    return {"error": error, **extra}


def answer(request: Request, status: int, message: str, **extra: Any) -> Response:
    """The refusal for this door: JSON on the API, a page (or sign-in) in the workbench."""
    if is_api(request):
        headers = extra.pop("headers", None)
        return JSONResponse(error_body(status, message, **extra), status, headers=headers)
    if request.url.path.startswith("/my"):
        return _portal_answer(request, status, message)
    from faircollect.web.pages.render import done, error_page

    if status == 401:
        target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        return done(request, f"/login?next={target}", htmx_status=401)

    extra.pop("headers", None)
    return error_page(request, status, message, **extra)


def _portal_answer(request: Request, status: int, message: str) -> Response:
    """The borrower portal's refusal: its own sign-in page, or its own error page."""
    if status == 401:
        return RedirectResponse("/my/login", status_code=303)
    from faircollect.web.pages.my import error_page

    return error_page(request, status, message)


def _casework(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CaseworkError)
    key = exc.key
    if isinstance(exc, NotFound):
        return answer(request, 404, exc.said("zh", zh), key=key)
    if isinstance(exc, PermissionDenied):
        return answer(request, 403, exc.said("zh", zh), key=key)
    if isinstance(exc, InvalidField):
        return answer(request, 422, chinese(exc.message), key=key, field=exc.field)
    if isinstance(exc, Refused):
        said = {
            "reasons": exc.reasons_said("zh", zh),
            "reason_keys": [key_of(reason) for reason in exc.reasons],
        }
        if isinstance(exc, GateDenied):
            return answer(
                request,
                422,
                exc.said("zh", zh),
                key=key,
                code="denied",
                **said,
                violations=_violations(exc),
                next_allowed_at=exc.next_allowed_at.isoformat() if exc.next_allowed_at else None,
            )
        return answer(request, 422, exc.said("zh", zh), key=key, code="refused", **said)
    text = exc.said("zh", zh)
    return answer(request, 422, text, key=key, code="refused", reasons=[text], reason_keys=[key])


def _violations(exc: GateDenied) -> list[dict[str, Any]]:
    """The gate's violations, each with its rule pack's Chinese title."""
    from faircollect.services.compliance import rule_texts

    texts = rule_texts(rule for rule, _ in exc.violations)
    return [
        {"rule": rule, "reason": reason, "title": texts[rule].title_zh if rule in texts else None}
        for rule, reason in exc.violations
    ]


def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers) if exc.headers else None
    return answer(request, exc.status_code, str(exc.detail), headers=headers)


def _validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
    location = [str(x) for x in first.get("loc", ()) if x not in ("body", "query", "path")]
    field = ".".join(location) or "body"
    return answer(request, 422, f"{field}: {first.get('msg', 'invalid')}", field=field)


def _database(request: Request, exc: Exception) -> Response:
    log.error("database unavailable: %s", type(exc).__name__)
    return answer(
        request, 503, "the database is unavailable; try again shortly", headers={"Retry-After": "5"}
    )


def _driver(request: Request, exc: Exception) -> Response:
    """Any other driver error: a lost connection (the database restarted mid-request) is
    the database being unavailable; anything else is an internal error."""
    assert isinstance(exc, DBAPIError)
    if exc.connection_invalidated:
        return _database(request, exc)
    return _internal(request, exc)


def _unstorable(request: Request, exc: Exception) -> Response:
    """A value the database refuses to take or compare (PostgreSQL: a NUL character in a
    text, a number beyond its column): the request's fault, and nothing was stored."""
    log.warning("value refused by the database on %s %s", request.method, request.url.path)
    return answer(request, 422, "a value in the request cannot be stored (e.g. a NUL character)")


def _internal(request: Request, exc: Exception) -> Response:
    log.exception("internal error on %s %s", request.method, request.url.path)
    return answer(request, 500, "internal error", code="internal")


def install(app: FastAPI) -> None:
    app.add_exception_handler(CaseworkError, _casework)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(OperationalError, _database)
    app.add_exception_handler(InterfaceError, _database)
    app.add_exception_handler(DataError, _unstorable)
    app.add_exception_handler(DBAPIError, _driver)
    app.add_exception_handler(Exception, _internal)

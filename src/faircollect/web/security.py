"""Security headers on every answer: no inline script runs (CSP), no framing, no MIME
sniffing, no referrer leaking case ids to other sites, nothing personal kept in a
browser's or a proxy's cache, and over HTTPS a promise to stay on HTTPS (HSTS)."""

from __future__ import annotations

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
    "object-src 'none'"
)
HSTS = "max-age=31536000"
"""A year; sent only on answers over HTTPS (browsers ignore it over plain HTTP)."""


def is_https(request: Request) -> bool:
    """Served over HTTPS (directly, or behind a proxy uvicorn trusts with
    ``--proxy-headers``, which then reports the scheme the browser used)."""
    return request.url.scheme == "https"


class SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.url.path.startswith("/static/"):
            # Case files, ID numbers and debts: never stored by a shared browser or proxy.
            response.headers.setdefault("Cache-Control", "no-store")
        if is_https(request):
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response


def cross_site(request: Request) -> bool:
    """Whether another site's page made the browser send this request: its ``Origin``
    names another site (or is ``null``), or, without one, ``Sec-Fetch-Site`` says so. A
    request from a script or curl carries neither and is not cross-site."""
    origin = request.headers.get("origin")
    if origin is not None:
        return origin != f"{request.url.scheme}://{request.url.netloc}"
    return request.headers.get("sec-fetch-site") == "cross-site"


def refuse_cross_site(request: Request) -> None:
    """403 for a sign-in form posted from another site (login CSRF: signing the victim
    in to the attacker's account, so what they do lands there). The forms of a session
    carry its CSRF token instead; a sign-in has no session yet."""
    from fastapi import HTTPException

    if cross_site(request):
        raise HTTPException(status_code=403, detail="a sign-in from another site is refused")

"""What every request needs: the database, the clock, the signed-in user, CSRF.

The clock is part of the app (``create_app(clock=...)``) so tests can put the workbench
on any business day; nothing below reads the system time itself.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy import Engine

from faircollect.adapters.db.uow import UnitOfWork
from faircollect.domain.casework.roles import Actor
from faircollect.domain.organisation import Person
from faircollect.services.auth import session_of

SESSION_COOKIE = "fc_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class WebConfig:
    engine: Engine
    clock: Clock
    secure_cookies: bool = False
    """Always set the cookies' Secure flag (``serve --secure-cookies``, for a proxy that
    terminates HTTPS without telling); it is set anyway on a request that came over HTTPS."""
    payment_secret: bytes = field(default_factory=lambda: payment_secret_from_env())
    """The HMAC-SHA256 secret payment webhooks are signed with."""


PAYMENT_SECRET_ENV = "FAIRCOLLECT_PAYMENT_SECRET"  # nosec B105


def payment_secret_from_env() -> bytes:
    """``FAIRCOLLECT_PAYMENT_SECRET``, or a random secret for this process only (then only
    the development gateway, which runs in the process, can sign a webhook)."""
    import os

    configured = os.environ.get(PAYMENT_SECRET_ENV, "")
    return configured.encode() if configured else secrets.token_bytes(32)


def config(request: Request) -> WebConfig:
    found: WebConfig = request.app.state.config
    return found


def now(request: Request) -> datetime:
    return config(request).clock()


def today(request: Request) -> date:
    return now(request).date()


@contextmanager
def unit(request: Request) -> Iterator[UnitOfWork]:
    """One unit of work for the request's use case: committed when the block ends (audit
    entries are stamped by the app's clock). A request sent with an ``Idempotency-Key``
    has one unit of work for the whole request (``web.idempotency``): every block gets
    that one, and the route commits it together with the stored answer."""
    shared = getattr(request.state, "idempotency", None)
    if shared is not None:
        yield shared.uow
        return
    settings = config(request)
    with UnitOfWork(settings.engine, clock=settings.clock) as uow:
        yield uow


@dataclass(frozen=True, slots=True)
class User:
    """The signed-in user of this request."""

    person: Person
    csrf_token: str
    token: str

    @property
    def actor(self) -> Actor:
        return self.person.actor


def signed_in(request: Request) -> User:
    """The session's user; 401 without a valid session."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with unit(request) as uow:
            found = session_of(uow, token, now(request))
        if found is not None:
            return User(found.person, found.csrf_token, token)
    raise HTTPException(status_code=401, detail="not signed in")


async def checked(request: Request, user: Annotated[User, Depends(signed_in)]) -> User:
    """The session's user, and for a state-changing request proof that the request came
    from our own page or script: the CSRF token as a header (API) or form field (pages)."""
    await require_csrf(request, user.csrf_token)
    return user


async def require_csrf(request: Request, expected: str) -> None:
    """403 unless a state-changing request carries ``expected`` as its CSRF token."""
    if request.method in UNSAFE_METHODS:
        given = request.headers.get(CSRF_HEADER)
        if given is None and _is_form(request):
            given = str((await request.form()).get(CSRF_FIELD) or "")
        if not given or not secrets.compare_digest(given, expected):
            raise HTTPException(status_code=403, detail="missing or wrong CSRF token")


def _is_form(request: Request) -> bool:
    kind = request.headers.get("content-type", "")
    return kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))


CurrentUser = Annotated[User, Depends(checked)]


# The borrower portal: its own cookie and sessions, never the workbench's ----------------

BORROWER_COOKIE = "fc_borrower"


@dataclass(frozen=True, slots=True)
class BorrowerUser:
    """The signed-in borrower of this request."""

    borrower_id: str
    csrf_token: str
    token: str


def borrower_signed_in(request: Request) -> BorrowerUser:
    """The borrower session's borrower; 401 without a valid borrower session."""
    from faircollect.services.borrower_auth import borrower_session_of

    token = request.cookies.get(BORROWER_COOKIE)
    if token:
        with unit(request) as uow:
            found = borrower_session_of(uow, token, now(request))
        if found is not None:
            return BorrowerUser(found.borrower_id, found.csrf_token, token)
    raise HTTPException(status_code=401, detail="not signed in")


async def borrower_checked(
    request: Request, borrower: Annotated[BorrowerUser, Depends(borrower_signed_in)]
) -> BorrowerUser:
    """The borrower, and for a state-changing request the CSRF token (header or form)."""
    await require_csrf(request, borrower.csrf_token)
    return borrower


CurrentBorrower = Annotated[BorrowerUser, Depends(borrower_checked)]

"""What every request needs: the database, the clock, the signed-in user, CSRF.

The clock is part of the app (``create_app(clock=...)``) so tests can put the workbench
on any business day; nothing below reads the system time itself.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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
    """Set the cookie's Secure flag (behind HTTPS); off for http://127.0.0.1 during dev."""


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
    entries are stamped by the app's clock)."""
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
    if request.method in UNSAFE_METHODS:
        given = request.headers.get(CSRF_HEADER)
        if given is None and _is_form(request):
            given = str((await request.form()).get(CSRF_FIELD) or "")
        if not given or not secrets.compare_digest(given, user.csrf_token):
            raise HTTPException(status_code=403, detail="missing or wrong CSRF token")
    return user


def _is_form(request: Request) -> bool:
    kind = request.headers.get("content-type", "")
    return kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))


CurrentUser = Annotated[User, Depends(checked)]

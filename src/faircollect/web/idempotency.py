"""``Idempotency-Key`` on the API's creating POSTs: a retried request creates nothing new.

A client that may resend a request (a timeout, a dropped connection, a retry after a
503) sends the same key with it. The first request with a key runs as usual, and the
answer it got (status and JSON body) is stored with the key **in the same transaction**
as what it created (``idempotency_keys``): either both are committed or neither is. A
later request from the same user with the same key and the same request (method, path,
canonical JSON body) creates nothing and gets the stored answer back, marked
``Idempotent-Replayed: true``; the same key with a different request is refused (422,
``idempotency_key_reused``, field ``Idempotency-Key``). Only successful (2xx) answers are
stored: a refused request created nothing and may be retried with its key.

Two requests with one key at the same moment: both run; the second one's insert of the
key waits for the first to commit (PostgreSQL's unique index; SQLite's write lock) and
fails, its transaction rolls back with what it made, and it gets the first one's answer.

How it is wired, so that no endpoint repeats it: ``IdempotentRoute`` (the route class of
the routers with creating POSTs) opens one unit of work for the whole request when the
header is present and puts it on ``request.state``; ``web.context.unit`` hands that same
unit of work to the endpoint (and to the session lookup), so the endpoint's change and
its audit entries share the transaction. The route's ``IDEMPOTENT`` dependency, after
the user is known, answers a retry from the stored row; after the endpoint has answered,
the route stores the answer and commits.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from faircollect.adapters.db.repositories.idempotency import StoredAnswer
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.web.context import (
    BorrowerUser,
    User,
    borrower_checked,
    checked,
    config,
    now,
)
from faircollect.web.errors import error_body

Handler = Callable[[Request], Coroutine[Any, Any, Response]]
HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
MAX_KEY = 255
_KEY = re.compile(r"[\x21-\x7e]{1,255}")
"""1 to 255 visible ASCII characters (a UUID is the usual choice)."""

DESCRIPTION = (
    "Optional. A client-chosen key (1-255 visible ASCII characters, e.g. a UUID) that makes "
    "a retry safe: a second request from the same user with the same key and the same body "
    "creates nothing and gets the first answer back (with `Idempotent-Replayed: true`); "
    "the same key with a different request is refused with 422 `idempotency_key_reused`."
)


class KeyReused(Exception):
    """The key was used before by this user for a different request."""


class Replay(Exception):
    """The key was used before for this very request: answer with what it got then."""

    def __init__(self, answer: StoredAnswer) -> None:
        super().__init__("replay")
        self.answer = answer


@dataclass
class Claim:
    """The key of this request, and (once the user is known) whose key it is."""

    key: str
    request_hash: str
    uow: UnitOfWork
    owner: str | None = None


def request_hash(method: str, path: str, body: bytes) -> str:
    """SHA-256 of the method, the path and the body, a JSON body in canonical form (keys
    sorted, no spaces): the same request re-serialised by another client still matches."""
    try:
        canonical = json.dumps(
            json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
    except ValueError:
        canonical = body
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), canonical):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def claim(request: Request, owner: str) -> None:
    """Run once the user is known: a stored answer for this owner and key ends the
    request here (``Replay``, or ``KeyReused`` for a different request)."""
    found: Claim | None = getattr(request.state, "idempotency", None)
    if found is None:
        return
    found.owner = owner
    stored = found.uow.idempotency.find(owner, found.key)
    if stored is None:
        return
    if stored.request_hash != found.request_hash:
        raise KeyReused()
    raise Replay(stored)


KeyHeader = Annotated[str | None, Header(alias=HEADER, description=DESCRIPTION)]


def _workbench_key(
    request: Request, user: Annotated[User, Depends(checked)], key: KeyHeader = None
) -> None:
    claim(request, f"user:{user.person.user_id}")


def _borrower_key(
    request: Request,
    borrower: Annotated[BorrowerUser, Depends(borrower_checked)],
    key: KeyHeader = None,
) -> None:
    claim(request, f"borrower:{borrower.borrower_id}")


IDEMPOTENT = Depends(_workbench_key)
"""A workbench route's ``dependencies=[IDEMPOTENT]``: it takes ``Idempotency-Key``."""
BORROWER_IDEMPOTENT = Depends(_borrower_key)
"""The same for the borrower portal's routes (keys are the borrower's own)."""
_MARKS = (_workbench_key, _borrower_key)


def reused(key: str) -> JSONResponse:
    return JSONResponse(
        error_body(
            422,
            f"this {HEADER} was already used for a different request; use a new key for "
            "a new request",
            code="idempotency_key_reused",
            field=HEADER,
        ),
        422,
    )


def replayed(answer: StoredAnswer) -> Response:
    return Response(
        answer.body.encode(),
        answer.status,
        headers={REPLAYED: "true"},
        media_type="application/json",
    )


class IdempotentRoute(APIRoute):
    """A route that honours ``Idempotency-Key`` when it has the ``IDEMPOTENT`` (or
    ``BORROWER_IDEMPOTENT``) dependency and the request carries the header; any other
    route or request runs exactly as a plain ``APIRoute``."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()
        if not any(d.dependency in _MARKS for d in self.dependencies):
            return handler

        async def idempotent(request: Request) -> Response:
            key = request.headers.get(HEADER)
            if key is None:
                return await handler(request)
            if not _KEY.fullmatch(key):
                return JSONResponse(
                    error_body(
                        422,
                        f"{HEADER}: 1 to {MAX_KEY} visible ASCII characters (e.g. a UUID)",
                        field=HEADER,
                    ),
                    422,
                )
            return await _run(request, handler, key)

        return idempotent


async def _run(request: Request, handler: Handler, key: str) -> Response:
    """The request in one unit of work that also stores its answer under the key."""
    settings = config(request)
    body = await request.body()
    uow = UnitOfWork(settings.engine, clock=settings.clock)
    await run_in_threadpool(uow.__enter__)
    found = Claim(key, request_hash(request.method, request.url.path, body), uow)
    request.state.idempotency = found
    try:
        response = await handler(request)
        if 200 <= response.status_code < 300 and found.owner is not None:
            text = bytes(response.body).decode()
            answer = StoredAnswer(found.request_hash, response.status_code, text, now(request))
            await run_in_threadpool(uow.idempotency.store, found.owner, key, answer)
    except Replay as replay:  # nothing was done: roll back the session lookup's reads
        await run_in_threadpool(uow.__exit__, Replay, replay, None)
        return replayed(replay.answer)
    except KeyReused as refused:
        await run_in_threadpool(uow.__exit__, KeyReused, refused, None)
        return reused(key)
    except IntegrityError as clash:
        await run_in_threadpool(uow.__exit__, type(clash), clash, clash.__traceback__)
        if found.owner is None:
            raise
        return await run_in_threadpool(_after_clash, request, found, clash)
    except BaseException as failed:
        await run_in_threadpool(uow.__exit__, type(failed), failed, failed.__traceback__)
        raise
    finally:
        request.state.idempotency = None
    await run_in_threadpool(uow.__exit__, None, None, None)
    return response


def _after_clash(request: Request, found: Claim, clash: IntegrityError) -> Response:
    """A concurrent request stored this key first (ours rolled back): its answer."""
    settings = config(request)
    assert found.owner is not None
    with UnitOfWork(settings.engine, clock=settings.clock) as uow:
        stored = uow.idempotency.find(found.owner, found.key)
    if stored is None:  # the clash was something else: a real integrity error
        raise clash
    if stored.request_hash != found.request_hash:
        return reused(found.key)
    return replayed(stored)

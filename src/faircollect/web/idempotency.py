"""``Idempotency-Key`` on the creating POSTs of the API and of the pages' forms: a
retried request creates nothing new.

A client that may resend a request (a timeout, a dropped connection, a retry after a
503) sends the same key with it. The first request with a key runs as usual, and the
answer it got (status and JSON body) is stored with the key **in the same transaction**
as what it created (``idempotency_keys``): either both are committed or neither is. A
later request from the same user with the same key and the same request (method, path,
canonical JSON body) creates nothing and gets the stored answer back, marked
``Idempotent-Replayed: true``; the same key with a different request is refused (422,
``idempotency_key_reused``, field ``Idempotency-Key``). Only successful answers (2xx; for
a page, the redirect after a done form) are stored: a refused request created nothing and
may be retried with its key.

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

The workbench's and the portal's own forms use the same route and the same table: every
form that changes something carries a key made when the form was rendered (the hidden
field ``idempotency_key``, written by the templates' ``idempotency_field()``), so a
double click, or a browser resending the form after a slow answer, is the same request
with the same key. A page's answer is where the form leads (htmx's ``HX-Redirect``, or a
303 for a plain form): that target is what is stored, and a replay leads there again
(the page that shows what the first submit made), answered the way this request wants it
(``HX-Redirect`` for htmx, 303 otherwise). Refusals on a page are pages, never JSON.
The page that follows a submit is a new rendering, so its forms carry new keys.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.responses import Response
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
from faircollect.web.errors import answer, is_api

Handler = Callable[[Request], Coroutine[Any, Any, Response]]
HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
MAX_KEY = 255
FIELD = "idempotency_key"
"""The hidden form field that carries a page form's key (when no header does)."""
_KEY = re.compile(r"[\x21-\x7e]{1,255}")
"""1 to 255 visible ASCII characters (a UUID is the usual choice)."""

DESCRIPTION = (
    "Optional. A client-chosen key (1-255 visible ASCII characters, e.g. a UUID) that makes "
    "a retry safe: a second request from the same user with the same key and the same body "
    "creates nothing and gets the first answer back (with `Idempotent-Replayed: true`); "
    "the same key with a different request is refused with 422 `idempotency_key_reused`."
)


def new_key() -> str:
    """A key for one rendering of a form: random, 32 hex digits."""
    return uuid.uuid4().hex


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


def reused(request: Request) -> Response:
    """422 naming the header: JSON on the API, the refusal page (or htmx fragment) on a page."""
    message = (
        f"this {HEADER} was already used for a different request; use a new key for a new request"
        if is_api(request)
        else "这份表单已经提交过另一份内容：请刷新页面，在新的表单里重新填写。"
    )
    return answer(request, 422, message, code="idempotency_key_reused", field=HEADER)


def replayed(request: Request, stored: StoredAnswer) -> Response:
    """The stored answer again, marked as replayed: the API's JSON, or for a page the
    place the first submit led to (``HX-Redirect`` for htmx, 303 for a plain form)."""
    if is_api(request):
        return Response(
            stored.body.encode(),
            stored.status,
            headers={REPLAYED: "true"},
            media_type="application/json",
        )
    from faircollect.web.pages.render import done  # render's form field imports this module

    response = done(request, stored.body)
    response.headers[REPLAYED] = "true"
    return response


def to_store(request: Request, response: Response) -> tuple[int, str] | None:
    """What of a successful answer is kept for a replay: the API's status and JSON body;
    for a page, where it leads (kept as 303 and the target). A refusal keeps nothing."""
    status = response.status_code
    if is_api(request):
        return (status, bytes(response.body).decode()) if 200 <= status < 300 else None
    target = response.headers.get("HX-Redirect") if status == 204 else None
    if 300 <= status < 400:
        target = response.headers.get("location")
    return (303, target) if target else None


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
            if key is None and not is_api(request):
                key = await _form_key(request)
            if key is None:
                return await handler(request)
            if not _KEY.fullmatch(key):
                return answer(
                    request,
                    422,
                    f"{HEADER}: 1 to {MAX_KEY} visible ASCII characters (e.g. a UUID)",
                    field=HEADER,
                )
            return await _run(request, handler, key)

        return idempotent


async def _form_key(request: Request) -> str | None:
    """A page form's key: its ``idempotency_key`` field (none when empty or not a form)."""
    kind = request.headers.get("content-type", "")
    if not kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return None
    await request.body()  # kept: the form is parsed from it, and the request's hash reads it
    value = (await request.form()).get(FIELD)
    return value if isinstance(value, str) and value else None


_REUSED = object()
"""``_attempt``'s outcome when the key was used for a different request."""


async def _run(request: Request, handler: Handler, key: str) -> Response:
    """The request in one unit of work that also stores its answer under the key. The
    unit of work is off the request before any refusal is rendered (a refusal page looks
    the user up again, in a unit of work of its own)."""
    try:
        outcome = await _attempt(request, handler, key)
    finally:
        request.state.idempotency = None
    if outcome is _REUSED:
        return reused(request)
    if isinstance(outcome, StoredAnswer):
        return replayed(request, outcome)
    assert isinstance(outcome, Response)
    return outcome


async def _attempt(request: Request, handler: Handler, key: str) -> object:
    """The handler's response, or the ``StoredAnswer`` to replay, or ``_REUSED``."""
    settings = config(request)
    body = await request.body()
    uow = UnitOfWork(settings.engine, clock=settings.clock)
    await run_in_threadpool(uow.__enter__)
    found = Claim(key, request_hash(request.method, request.url.path, body), uow)
    request.state.idempotency = found
    try:
        response = await handler(request)
        kept = to_store(request, response) if found.owner is not None else None
        if kept is not None and found.owner is not None:
            stored = StoredAnswer(found.request_hash, kept[0], kept[1], now(request))
            await run_in_threadpool(uow.idempotency.store, found.owner, key, stored)
    except Replay as replay:  # nothing was done: roll back the session lookup's reads
        await run_in_threadpool(uow.__exit__, Replay, replay, None)
        return replay.answer
    except KeyReused as refused:
        await run_in_threadpool(uow.__exit__, KeyReused, refused, None)
        return _REUSED
    except IntegrityError as clash:
        await run_in_threadpool(uow.__exit__, type(clash), clash, clash.__traceback__)
        if found.owner is None:
            raise
        return await run_in_threadpool(_after_clash, request, found, clash)
    except BaseException as failed:
        await run_in_threadpool(uow.__exit__, type(failed), failed, failed.__traceback__)
        raise
    await run_in_threadpool(uow.__exit__, None, None, None)
    return response


def _after_clash(request: Request, found: Claim, clash: IntegrityError) -> object:
    """A concurrent request stored this key first (ours rolled back): its answer."""
    settings = config(request)
    assert found.owner is not None
    with UnitOfWork(settings.engine, clock=settings.clock) as uow:
        stored = uow.idempotency.find(found.owner, found.key)
    if stored is None:  # the clash was something else: a real integrity error
        raise clash
    if stored.request_hash != found.request_hash:
        return _REUSED
    return stored

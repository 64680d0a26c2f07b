"""Fixtures of the API access tests: the world built once per backend (``template``), one
shared copy for requests that change nothing (``shared``), a fresh copy for each request
that changes something (``fresh``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from faircollect.adapters.db import tables
from faircollect.adapters.db.engine import make_engine
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.services.casework import agencies, cases, promises
from faircollect.web.app import create_app
from tests.conftest import BACKENDS
from tests.scenarios.casework_world import DAY, at
from tests.web.api.world import Template, X, Y, actor
from tests.web.conftest import PASSWORD, Clock

WATCHED = (
    tables.cases,
    tables.case_loans,
    tables.case_events,
    tables.placements,
    tables.contact_records,
    tables.qa_findings,
    tables.promises,
    tables.proposals,
    tables.loan_adjustments,
    tables.restructured_installments,
    tables.call_sessions,
    tables.follow_ups,
    tables.visits,
)
"""Tables a refused request must leave exactly as they were."""


class Api:
    """The app on one database: ``api.as_("C101")`` is a client signed in as C101 (with
    its CSRF header), ``api.anonymous()`` one that never signed in."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock
        self.app = create_app(engine, clock=clock)
        self._clients: dict[str, TestClient] = {}
        self._open: list[TestClient] = []

    def client(self) -> TestClient:
        client = TestClient(self.app, raise_server_exceptions=False)
        client.__enter__()
        self._open.append(client)
        return client

    def anonymous(self) -> TestClient:
        return self.client()

    def as_(self, user_id: str) -> TestClient:
        if user_id not in self._clients:
            client, token = self.session_of(user_id)
            client.headers["X-CSRF-Token"] = token
            self._clients[user_id] = client
        return self._clients[user_id]

    def session_of(self, user_id: str) -> tuple[TestClient, str]:
        """A new client signed in as ``user_id`` that does not send its CSRF token (the
        token is returned)."""
        client = self.client()
        answer = client.post("/api/v1/session", json={"user_id": user_id, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        return client, answer.json()["csrf_token"]

    def fingerprint(self) -> dict[str, list[str]]:
        """Every row of the watched tables, to prove a refusal changed nothing."""
        with self.engine.connect() as conn:
            return {t.name: sorted(map(repr, conn.execute(select(t)).all())) for t in WATCHED}

    def close(self) -> None:
        for client in self._open:
            client.__exit__(None, None, None)


def morning() -> Clock:
    """The app's clock: 10:00 Shanghai on the world's day."""
    return Clock(at(DAY, 10))


@pytest.fixture(scope="session", params=BACKENDS)
def template(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Template]:
    built = Template(request.param, Path(tmp_path_factory.mktemp(f"world-{request.param}")))
    yield built
    built.drop()


@pytest.fixture(scope="session")
def shared(template: Template) -> Iterator[Api]:
    """One copy of the world for every request expected to change nothing."""
    engine = make_engine(template.clone())
    api = Api(engine, morning())
    yield api
    api.close()
    engine.dispose()


@pytest.fixture
def fresh(template: Template) -> Iterator[Callable[[], Api]]:
    """``fresh()``: a new copy of the world (made only when a test asks for it)."""
    made: list[tuple[Api, Engine, str]] = []

    def make() -> Api:
        url = template.clone()
        engine = make_engine(url)
        api = Api(engine, morning())
        made.append((api, engine, url))
        return api

    yield make
    for api, engine, url in made:
        api.close()
        engine.dispose()
        template.drop(url)


def error_of(answer: httpx.Response) -> dict[str, Any]:
    """The JSON error body every refusal carries: ``{"error": {"code", "message"}}``."""
    assert answer.headers["content-type"].startswith("application/json"), answer.text
    body = answer.json()
    assert isinstance(body, dict) and isinstance(body.get("error"), dict), body
    error: dict[str, Any] = body["error"]
    assert isinstance(error["code"], str) and isinstance(error["message"], str), body
    return error


PLACED_PROMISE = "PTP-L3-20260302-1"


@pytest.fixture
def after_recall(fresh: Callable[[], Api]) -> Api:
    """6 Mar, 10:00: Y recalled from AG01 on 5 Mar (A101 had taken a promise due 4 Mar);
    X handed from C101 to C102 on 3 Mar."""
    api = fresh()
    with UnitOfWork(api.engine) as uow:
        made = promises.make_promise(
            uow, actor(uow, "A101"), "L3", 20_000, date(2026, 3, 4), date(2026, 3, 2)
        )
        assert made.promise_id == PLACED_PROMISE
        s001 = actor(uow, "S001")
        agencies.recall_case(uow, s001, Y, date(2026, 3, 5), "placement ended", "C101")
        cases.reassign_case(uow, s001, X, "C102", date(2026, 3, 3), "workload")
    api.clock.moment = at(date(2026, 3, 6), 10)
    return api

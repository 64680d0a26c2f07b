"""A signed-in workbench on each backend: the casework world (张三's loan 15 days past
due on 2 Mar 2026, case C-B1-20260302 owned by C101), every example user with a password,
the app's clock at 10:00 that morning."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from faircollect.adapters.db.uow import UnitOfWork
from faircollect.adapters.org_file import example_org_text, read_org
from faircollect.services import auth
from faircollect.web.app import create_app
from tests.scenarios.casework_world import DAY, at, build

PASSWORD = "correct horse battery"
USERS = [p.user_id for p in read_org(example_org_text(), "example").people]


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 at its cheapest: the tests sign in hundreds of times (the policy is tested
    with the real parameters in test_auth)."""
    monkeypatch.setattr(auth, "HASHER", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def clock() -> Clock:
    return Clock(at(DAY, 10))


@pytest.fixture
def world(db_engine: Engine) -> str:
    """The case id of the casework world, with every example user's password set."""
    case_id = build(db_engine)
    with UnitOfWork(db_engine) as uow:
        for user_id in USERS:
            auth.set_password(uow, user_id, PASSWORD)
    return case_id


@pytest.fixture
def app_client(db_engine: Engine, world: str, clock: Clock) -> Iterator[TestClient]:
    with TestClient(create_app(db_engine, clock=clock)) as client:
        yield client


@pytest.fixture
def signed_in(db_engine: Engine, world: str, clock: Clock) -> Iterator[Callable[[str], TestClient]]:
    """``signed_in("C101")``: a client with C101's session and CSRF header."""
    clients: list[TestClient] = []

    def sign(user_id: str) -> TestClient:
        client = TestClient(create_app(db_engine, clock=clock))
        client.__enter__()
        clients.append(client)
        answer = client.post("/api/v1/session", json={"user_id": user_id, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
        return client

    yield sign
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def page_as(db_engine: Engine, world: str, clock: Clock) -> Iterator[Callable[[str], Any]]:
    """``page_as("C101")``: a browser-like client signed in through the login form; its
    forms carry the CSRF field (``tests.web.pages_support.Browser``)."""
    from tests.web.pages_support import sign_in_form

    clients: list[TestClient] = []
    app = create_app(db_engine, clock=clock)  # one app, one cookie jar per user

    def sign(user_id: str) -> Any:
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        return sign_in_form(client, user_id)

    yield sign
    for client in clients:
        client.__exit__(None, None, None)

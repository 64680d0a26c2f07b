"""The database down, restarted or lost mid-request: the request fails cleanly (503 with
the JSON error on the API, a Chinese error page in the workbench and the portal, never a
500 or a trace) and the app recovers by itself, without a restart, once it is back."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, func, select, text

from faircollect.adapters.db import tables
from faircollect.adapters.db.engine import make_engine
from faircollect.services.casework import promises, queue
from faircollect.web.app import create_app
from faircollect.web.context import BORROWER_COOKIE, SESSION_COOKIE
from tests.conftest import BACKENDS, PG_ADMIN_URL, admin_execute, postgres_url
from tests.web.api.conftest import Api, error_of, morning
from tests.web.api.world import Template
from tests.web.conftest import PASSWORD

needs_postgres = pytest.mark.skipif("postgresql" not in BACKENDS, reason="no PostgreSQL")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port  # closed again: nothing listens there


def unreachable(tmp_path: Any) -> list[str]:
    return [
        f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/nowhere",
        f"sqlite:///{tmp_path}/no/such/folder/faircollect.db",
    ]


@pytest.fixture
def down(tmp_path: Any, request: pytest.FixtureRequest) -> Iterator[Callable[[str], TestClient]]:
    made: list[tuple[TestClient, Engine]] = []

    def make(url: str) -> TestClient:
        engine = make_engine(url)
        client = TestClient(create_app(engine, clock=morning()), raise_server_exceptions=False)
        client.__enter__()
        made.append((client, engine))
        return client

    yield make
    for client, engine in made:
        client.__exit__(None, None, None)
        engine.dispose()


def assert_unavailable(answer: httpx.Response) -> None:
    assert answer.status_code == 503, answer.text
    assert error_of(answer) == {
        "code": "unavailable",
        "message": "the database is unavailable; try again shortly",
    }
    assert answer.headers["Retry-After"] == "5"


@pytest.mark.parametrize("backend", [0, 1], ids=["postgresql-closed-port", "sqlite-no-folder"])
def test_an_unreachable_database_is_a_clean_503_everywhere(
    backend: int, down: Callable[[str], TestClient], tmp_path: Any
) -> None:
    client = down(unreachable(tmp_path)[backend])
    client.cookies.set(SESSION_COOKIE, "a-session-token")
    assert_unavailable(client.get("/api/v1/me"))
    assert_unavailable(client.get("/api/v1/queue"))
    assert_unavailable(client.post("/api/v1/session", json={"user_id": "C101", "password": "x"}))

    page = client.get("/")
    assert page.status_code == 503
    assert page.headers["content-type"].startswith("text/html")
    assert "系统暂时不可用" in page.text and "Traceback" not in page.text

    client.cookies.clear()
    client.cookies.set(BORROWER_COOKIE, "a-borrower-token")
    portal = client.get("/my/")
    assert portal.status_code == 503
    assert "系统暂时不可用，请稍后再试。" in portal.text and "Traceback" not in portal.text
    assert_unavailable(client.get("/api/v1/borrower/loans"))


def _postgres(template: Template) -> Template:
    if template.backend != "postgresql":
        pytest.skip("a PostgreSQL server's backends")
    return template


@needs_postgres
def test_the_app_recovers_when_the_database_comes_back(
    template: Template, down: Callable[[str], TestClient]
) -> None:
    """The app starts while its database does not exist (503s); once it is there the next
    request is served by the same app."""
    template = _postgres(template)
    name = f"fc_test_{uuid.uuid4().hex[:12]}"
    url = postgres_url(name)
    client = down(url)
    sign_in = {"user_id": "C101", "password": PASSWORD}
    assert_unavailable(client.post("/api/v1/session", json=sign_in))
    admin_execute(f'CREATE DATABASE "{name}" TEMPLATE "{template.name}"')
    try:
        answer = client.post("/api/v1/session", json=sign_in)
        assert answer.status_code == 200, answer.text
        client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
        assert client.get("/api/v1/queue").status_code == 200
    finally:
        admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def terminate_backends(engine: Engine) -> int:
    """What a database restart does to the app's pooled connections: every server process
    serving this database is ended (as ``pg_terminate_backend`` does)."""
    database = engine.url.database
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            ended = conn.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": database},
            ).scalar_one()
    finally:
        admin.dispose()
    return int(ended)


@needs_postgres
def test_pooled_connections_killed_between_requests_are_replaced_unseen(
    template: Template, fresh: Callable[[], Api]
) -> None:
    _postgres(template)
    api = fresh()
    c101 = api.as_("C101")
    assert c101.get("/api/v1/queue").status_code == 200  # the pool holds a connection
    assert terminate_backends(api.engine) >= 1
    for _ in range(3):
        answer = c101.get("/api/v1/queue")
        assert answer.status_code == 200, answer.text


@needs_postgres
def test_a_connection_lost_mid_request_is_a_503_and_the_next_request_works(
    template: Template, fresh: Callable[[], Api], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server ends the request's own backend half-way through (a restart at the worst
    moment): that request is a 503, and the following ones are served."""
    _postgres(template)
    api = fresh()
    c101 = api.as_("C101")
    real = queue.morning_queue
    killed: list[int] = []

    def dies_half_way(uow: Any, *args: Any, **kwargs: Any) -> Any:
        if not killed:
            pid = uow.conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
            killed.append(pid)
            admin_execute(f"SELECT pg_terminate_backend({int(pid)})")
        return real(uow, *args, **kwargs)

    monkeypatch.setattr(queue, "morning_queue", dies_half_way)
    assert_unavailable(c101.get("/api/v1/queue"))
    assert killed
    answer = c101.get("/api/v1/queue")
    assert answer.status_code == 200, answer.text
    posted = c101.post(
        "/api/v1/promises",
        json={"loan_id": "L1", "amount": "300.00", "due": "2026-03-09"},
        headers={"Idempotency-Key": "after-the-restart"},
    )
    assert posted.status_code == 201, posted.text


@needs_postgres
def test_a_post_lost_with_its_connection_is_retried_with_its_key_and_made_once(
    template: Template, fresh: Callable[[], Api], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database restarts under a promise POST after the promise was inserted: 503,
    nothing stored (the key neither); the client's retry with the same key makes it once,
    and a second retry is answered from the key."""
    _postgres(template)
    api = fresh()
    c101 = api.as_("C101")
    real = promises.make_promise
    killed: list[int] = []

    def dies_after_insert(uow: Any, *args: Any, **kwargs: Any) -> Any:
        made = real(uow, *args, **kwargs)
        if not killed:
            pid = uow.conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
            killed.append(pid)
            admin_execute(f"SELECT pg_terminate_backend({int(pid)})")
        return made

    def stored() -> tuple[int, int]:
        with api.engine.connect() as conn:
            return (
                conn.execute(select(func.count()).select_from(tables.promises)).scalar_one(),
                conn.execute(
                    select(func.count()).select_from(tables.idempotency_keys)
                ).scalar_one(),
            )

    monkeypatch.setattr(promises, "make_promise", dies_after_insert)
    before = stored()
    body = {"loan_id": "L1", "amount": "300.00", "due": "2026-03-09"}
    headers = {"Idempotency-Key": "lost-in-the-restart"}
    assert_unavailable(c101.post("/api/v1/promises", json=body, headers=headers))
    assert killed and stored() == before

    made = c101.post("/api/v1/promises", json=body, headers=headers)
    assert made.status_code == 201, made.text
    assert "Idempotent-Replayed" not in made.headers
    assert stored() == (before[0] + 1, before[1] + 1)
    again = c101.post("/api/v1/promises", json=body, headers=headers)
    assert again.status_code == 201 and again.json() == made.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert stored() == (before[0] + 1, before[1] + 1)

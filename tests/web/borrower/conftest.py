"""A borrower portal on the casework world, on each backend: ``portal()`` is a new
client of the app (not signed in) whose clock is the shared ``clock``."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from faircollect.web.app import create_app
from tests.web.borrower.support import SECRET
from tests.web.conftest import Clock


@pytest.fixture
def portal(db_engine: Engine, world: str, clock: Clock) -> Iterator[Callable[[], TestClient]]:
    app = create_app(db_engine, clock=clock, payment_secret=SECRET)
    clients: list[TestClient] = []

    def make() -> TestClient:
        client = TestClient(app, raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)

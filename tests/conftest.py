"""Shared fixtures: a fresh database on SQLite, and on PostgreSQL when it is reachable.

Each PostgreSQL test database is created under a unique name and dropped afterwards, so
parallel workers (pytest -n) and parallel checkouts never see each other's rows.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from faircollect.adapters.db.engine import create_schema, make_engine

TEST_DATA_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
"""The fixed data key of the tests (bytes 0..31, base64): never a real deployment's."""
TEST_LOOKUP_KEY = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="
"""The fixed lookup (HMAC) key of the tests (bytes 32..63, base64)."""

# Set before anything seals: the process and every command a test starts use these keys.
os.environ["FAIRCOLLECT_DATA_KEY"] = TEST_DATA_KEY
os.environ["FAIRCOLLECT_LOOKUP_KEY"] = TEST_LOOKUP_KEY
os.environ.pop("FAIRCOLLECT_DATA_KEYS", None)

PG_ADMIN_URL = os.environ.get(
    "FAIRCOLLECT_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _postgres_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return True
    except OSError:
        return False


BACKENDS = ["sqlite", "postgresql"] if _postgres_reachable() else ["sqlite"]


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database with no schema, on each reachable backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'faircollect.db'}"
        return
    with throwaway_postgres_database("fc_test") as url:
        yield url


@contextmanager
def throwaway_postgres_database(prefix: str) -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped on leaving."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def db_engine(database_url: str) -> Iterator[Engine]:
    """An engine on a fresh database with the current schema."""
    engine = make_engine(database_url)
    create_schema(engine)
    try:
        yield engine
    finally:
        engine.dispose()

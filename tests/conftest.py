"""Shared fixtures: a fresh database on SQLite, and on PostgreSQL when it is reachable.

Each PostgreSQL test database is created under a unique name and dropped afterwards, so
parallel workers (pytest -n) and parallel checkouts never see each other's rows.

A test that asks for ``db_engine`` gets a database at the current schema by copying a
template each test process migrates once (``SchemaTemplates``): a copied SQLite file, or
PostgreSQL's ``CREATE DATABASE … TEMPLATE``. Running every migration for every such test
cost more than a second each, and the suite has well over a thousand of them. The
migrations themselves are still run from an empty database by the tests that are about
them (``test_migrations``, ``test_migration_sealing``), which use ``database_url`` alone.
"""

from __future__ import annotations

import os
import shutil
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


class SchemaTemplates:
    """One database at the current schema per backend, migrated once in this test
    process, for ``database_url`` to copy when the test will use ``db_engine``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._sqlite: Path | None = None
        self._postgres: str | None = None

    def sqlite_file(self) -> Path:
        """A SQLite file at head; closed, so its WAL is checkpointed into the file."""
        if self._sqlite is None:
            path = self.folder / "template.db"
            engine = make_engine(f"sqlite:///{path}")
            create_schema(engine)
            engine.dispose()
            self._sqlite = path
        return self._sqlite

    def postgres_name(self) -> str:
        """The name of a PostgreSQL database at head that nothing stays connected to
        (``CREATE DATABASE … TEMPLATE`` needs that)."""
        if self._postgres is None:
            name = f"fc_template_{uuid.uuid4().hex[:12]}"
            admin_execute(f'CREATE DATABASE "{name}"')
            engine = make_engine(postgres_url(name))
            create_schema(engine)
            engine.dispose()
            self._postgres = name
        return self._postgres

    def drop(self) -> None:
        if self._postgres is not None:
            admin_execute(f'DROP DATABASE IF EXISTS "{self._postgres}" WITH (FORCE)')


@pytest.fixture(scope="session")
def schema_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SchemaTemplates]:
    templates = SchemaTemplates(tmp_path_factory.mktemp("schema-template"))
    yield templates
    templates.drop()


@pytest.fixture(params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, schema_templates: SchemaTemplates
) -> Iterator[str]:
    """The URL of a new database on each reachable backend: empty, with no schema, unless
    the test also uses ``db_engine``, which needs it at the current schema (a template
    copy, the same as migrating an empty one)."""
    with_schema = "db_engine" in request.fixturenames
    if request.param == "sqlite":
        path = tmp_path / "faircollect.db"
        if with_schema:
            shutil.copyfile(schema_templates.sqlite_file(), path)
        yield f"sqlite:///{path}"
        return
    template = schema_templates.postgres_name() if with_schema else None
    with throwaway_postgres_database("fc_test", template) as url:
        yield url


def postgres_url(name: str) -> str:
    """The URL of database ``name`` on the test server."""
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def admin_execute(statement: str) -> None:
    """Run ``statement`` on the test server outside a transaction (CREATE / DROP DATABASE)."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(statement))
    finally:
        admin.dispose()


@contextmanager
def throwaway_postgres_database(prefix: str, template: str | None = None) -> Iterator[str]:
    """The URL of a new PostgreSQL database (empty, or a copy of ``template``), dropped on
    leaving."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    copy = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    try:
        yield postgres_url(name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def db_engine(database_url: str) -> Iterator[Engine]:
    """An engine on a fresh database with the current schema (``database_url`` made it
    from the template)."""
    engine = make_engine(database_url)
    try:
        yield engine
    finally:
        engine.dispose()

"""Issue 11, sections 2 and 3: database problems are one clear line, and only ``init`` and
``quickstart`` create a database.

Each problem (an unreachable server, a file that is not SQLite, a read-only or locked
database, a schema newer than this version, a missing directory, a URL that is not one, a
driver that is not installed, a mistyped path) is tried against each command that opens a
database: exit 2, a message saying what is wrong with the password hidden, no traceback,
and nothing created or changed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, text

from faircollect.adapters.db.engine import create_schema, make_engine
from tests.conftest import BACKENDS
from tests.integration.bad_input.front_door import fingerprint, refused, run
from tests.integration.test_import import BORROWERS, LOANS, PAYMENTS

TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
SECRET = "s3cretpw"


def _portfolio(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    for name, body in (("borrowers", BORROWERS), ("loans", LOANS), ("payments", PAYMENTS)):
        (folder / f"{name}.csv").write_text(body, encoding="utf-8")
    return folder


def _commands(tmp_path: Path) -> dict[str, Callable[[str], list[str]]]:
    """The five commands of section 2, each as argv for a database URL."""
    folder = _portfolio(tmp_path)
    return {
        "init": lambda url: ["init", "--database-url", url],
        "import": lambda url: ["import", str(folder), "-q", "--database-url", url],
        "export": lambda url: ["export", "accounts", "--date", TODAY, "--database-url", url],
        "run-day": lambda url: ["run-day", "--date", TODAY, "--database-url", url],
        "run-day-allow-empty": lambda url: [
            "run-day",
            "--date",
            TODAY,
            "--allow-empty",
            "--database-url",
            url,
        ],
        "plan": lambda url: ["plan", "--date", TODAY, "--database-url", url],
    }


def _at_head(path: Path) -> str:
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    create_schema(engine)
    engine.dispose()
    return url


def unreachable(tmp_path: Path) -> str:
    return f"postgresql+psycopg://nobody:{SECRET}@127.0.0.1:1/x"


def not_sqlite(tmp_path: Path) -> str:
    (tmp_path / "notes.db").write_text("these are my notes, not a database\n" * 200)
    return f"sqlite:///{tmp_path / 'notes.db'}"


def read_only(tmp_path: Path) -> str:
    url = _at_head(tmp_path / "ro.db")
    return f"sqlite:///file:{tmp_path / 'ro.db'}?mode=ro&uri=true" if url else url


def newer_schema(tmp_path: Path) -> str:
    url = _at_head(tmp_path / "future.db")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099_from_the_future'"))
    engine.dispose()
    return url


def missing_directory(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'fc.db'}"


def a_directory(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}"


def not_a_url(tmp_path: Path) -> str:
    return "notaurl"


def driver_missing(tmp_path: Path) -> str:
    return f"mysql://collector:{SECRET}@db.example/faircollect"


def unknown_dialect(tmp_path: Path) -> str:
    return "oracle+nosuchdriver://u@h/db"


# (problem, URL maker, commands it applies to, words of the message)
ALL = ("init", "import", "export", "run-day", "plan")
PROBLEMS = [
    ("unreachable-postgresql", unreachable, ALL, ("nothing answers", "***", "check that")),
    ("not-sqlite", not_sqlite, ALL, ("not a SQLite database",)),
    ("read-only", read_only, ("import", "run-day-allow-empty"), ("read-only",)),
    ("newer-schema", newer_schema, ALL, ("newer than this faircollect", "0099_from_the_future")),
    ("missing-directory", missing_directory, ALL, ("does not exist",)),
    ("a-directory", a_directory, ALL, ("is a directory",)),
    ("not-a-url", not_a_url, ALL, ("not a database URL", "sqlite:///PATH")),
    ("driver-not-installed", driver_missing, ALL, ("driver is not installed", "MySQLdb", "***")),
    ("unknown-dialect", unknown_dialect, ALL, ("unknown kind of database",)),
]
CASES = [
    pytest.param(command, maker, words, id=f"{command}-{name}")
    for name, maker, commands, words in PROBLEMS
    for command in commands
]


@pytest.mark.parametrize(("command", "maker", "words"), CASES)
def test_a_database_problem_is_one_line_naming_it(
    command: str, maker: Callable[[Path], str], words: tuple[str, ...], tmp_path: Path
) -> None:
    url = maker(tmp_path)
    argv = _commands(tmp_path)[command](url)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    out = run(*argv)
    refused(out, 2, "error: database ", *words)
    assert SECRET not in out.output
    assert len(out.stderr.strip().splitlines()) == 1, out.stderr
    created = sorted(p.name for p in tmp_path.rglob("*"))
    assert [n for n in created if not n.endswith(("-wal", "-shm"))] == [
        n for n in before if not n.endswith(("-wal", "-shm"))
    ]


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Another process's exclusive lock (as a long import holds one), here a connection."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("INSERT INTO import_batches(source, imported_at) VALUES ('x', '2026-01-01')")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@pytest.mark.parametrize("command", ALL)
def test_a_locked_database_says_to_wait(command: str, tmp_path: Path) -> None:
    url = _at_head(tmp_path / "busy.db") + "?timeout=0.1"
    with _locked(tmp_path / "busy.db"):
        out = run(*_commands(tmp_path)[command](url))
    refused(out, 2, "locked by another process", "wait for it to finish")


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="PostgreSQL is not reachable")
def test_a_postgresql_database_that_does_not_exist_says_to_create_it(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://postgres:{SECRET}@127.0.0.1:5432/fc_no_such_database_11"
    for command in ALL:
        out = run(*_commands(tmp_path)[command](url))
        refused(out, 2, "no such database", "createdb")
        assert SECRET not in out.output


# --- section 3: only init and quickstart create a database --------------------------------

NON_CREATING = [
    pytest.param(lambda url, folder: ["run-day", "--database-url", url], id="run-day"),
    pytest.param(
        lambda url, folder: ["run-day", "--ledger-only", "--database-url", url],
        id="run-day-ledger-only",
    ),
    pytest.param(lambda url, folder: ["import", str(folder), "--database-url", url], id="import"),
    pytest.param(
        lambda url, folder: ["export", "accounts", "--date", TODAY, "--database-url", url],
        id="export-accounts",
    ),
    pytest.param(
        lambda url, folder: ["export", "actions", "--date", TODAY, "--database-url", url],
        id="export-actions",
    ),
    pytest.param(lambda url, folder: ["plan", "--database-url", url], id="plan"),
    pytest.param(
        lambda url, folder: ["compliance", "report", "--date", TODAY, "--database-url", url],
        id="compliance-report",
    ),
    pytest.param(lambda url, folder: ["apr", "L1", "--database-url", url], id="apr"),
    pytest.param(lambda url, folder: ["loan", "show", "L1", "--database-url", url], id="loan-show"),
    pytest.param(
        lambda url, folder: ["ptp", "list", "--as", "C101", "--database-url", url], id="ptp-list"
    ),
    pytest.param(lambda url, folder: ["case", "list", "--as", "C101", "--db", url], id="case-list"),
    pytest.param(
        lambda url, folder: ["user", "load", str(folder / "org.yaml"), "--db", url], id="user-load"
    ),
]


@pytest.mark.parametrize("argv", NON_CREATING)
def test_a_mistyped_sqlite_path_is_refused_and_not_created(
    argv: Callable[[str, Path], list[str]], tmp_path: Path
) -> None:
    typo = tmp_path / "typo.db"
    folder = _portfolio(tmp_path)
    (folder / "org.yaml").write_text("users:\n  - {id: A1, name: 管理员, role: admin}\n")
    out = run(*argv(f"sqlite:///{typo}", folder))
    refused(out, 2, f"no database file at {typo}", "faircollect init")
    assert not typo.exists()


@pytest.mark.parametrize("argv", NON_CREATING)
def test_a_database_without_the_faircollect_schema_is_refused(
    argv: Callable[[str, Path], list[str]], database_url: str, tmp_path: Path
) -> None:
    """An existing but empty database (SQLite file, or a fresh PostgreSQL database)."""
    if database_url.startswith("sqlite"):
        sqlite3.connect(database_url.removeprefix("sqlite:///")).close()
    folder = _portfolio(tmp_path)
    (folder / "org.yaml").write_text("users:\n  - {id: A1, name: 管理员, role: admin}\n")
    out = run(*argv(database_url, folder))
    refused(out, 2, "has no faircollect schema", "faircollect init")
    engine = make_engine(database_url)
    with engine.connect() as conn:
        tables = conn.execute(
            text("SELECT name FROM sqlite_master WHERE type='table'")
            if database_url.startswith("sqlite")
            else text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ).all()
    engine.dispose()
    assert tables == []


def test_run_day_on_a_database_without_loans_fails_unless_allowed(
    db_engine: Engine, database_url: str
) -> None:
    before = fingerprint(database_url)
    out = run("run-day", "--date", TODAY, "--database-url", database_url)
    refused(out, 2, "holds no loans", "--allow-empty", "faircollect import")
    assert "0 loans computed" not in out.stdout
    assert fingerprint(database_url) == before
    allowed = run(
        "run-day", "--date", TODAY, "--ledger-only", "--allow-empty", "--database-url", database_url
    )
    assert allowed.code == 0, allowed.output
    assert "0 loans computed" in allowed.stdout


def test_init_creates_a_new_sqlite_database_and_says_where(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    out = run("init", "--database-url", f"sqlite:///{path}")
    assert out.code == 0, out.output
    assert path.exists() and "database ready" in out.stdout


def test_quickstart_creates_its_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "qs.db"
    out = run("quickstart", "--accounts", "20", "--database-url", f"sqlite:///{path}")
    assert out.code == 0, out.output
    assert path.exists()


def test_an_older_schema_is_still_upgraded_by_any_command(tmp_path: Path) -> None:
    from faircollect.adapters.db.migrate import current_revision, head_revision, upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    upgrade(engine, "0005")
    out = run("export", "accounts", "--date", TODAY, "--database-url", url)
    assert out.code == 0, out.output
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_debug_shows_the_traceback_of_an_internal_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one top-level handler: a bug is one line and exit 1; --debug adds the traceback."""
    import faircollect.cli.apr as apr_cli

    def broken(*_: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(apr_cli, "_cap_option", broken)
    from faircollect.cli.app import app
    from tests.integration.bad_input.front_door import RUNNER

    quiet = RUNNER.invoke(app, ["apr", "--stdin"], input="{}")
    assert quiet.exit_code == 1
    assert quiet.stderr.strip() == (
        "internal error: ZeroDivisionError: a bug — run with --debug for the traceback"
    )
    loud = RUNNER.invoke(app, ["--debug", "apr", "--stdin"], input="{}")
    assert loud.exit_code == 1
    assert "Traceback (most recent call last)" in loud.stderr and "broken" in loud.stderr

"""``faircollect backup`` / ``restore`` on SQLite and PostgreSQL: a restore into an empty
database gives byte-for-byte the same exports and the same verified audit chain; a
non-empty target, a damaged file, a file of another kind and a backup of the other
backend are refused naming the problem (exit 2)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from faircollect.cli.app import app
from tests.conftest import throwaway_postgres_database

runner = CliRunner()
DAY = "2026-11-20"


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture
def book(database_url: str, tmp_path: Path) -> str:
    """A small portfolio, imported and run for one night (the night's audit entry)."""
    demo = tmp_path / "demo"
    for args in (
        ("demo", "--accounts", "120", "--out", str(demo), "--as-of", DAY, "--seed", "7"),
        ("init", "--database-url", database_url),
        ("import", str(demo), "--quiet", "--database-url", database_url),
        ("run-day", "--date", DAY, "--database-url", database_url),
    ):
        code, out = cli(*args)
        assert code == 0, out
    return database_url


@pytest.fixture
def empty(database_url: str, tmp_path: Path) -> Iterator[str]:
    """Another, empty database on the same backend as ``database_url``."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    with throwaway_postgres_database("fc_restore") as url:
        yield url


def exports(url: str) -> tuple[str, str, str]:
    outputs = []
    for args in (
        ("export", "accounts", "--date", DAY),
        ("export", "actions", "--date", DAY),
        ("audit", "verify"),
    ):
        code, out = cli(*args, "--database-url", url)
        assert code == 0, out
        outputs.append(out)
    return outputs[0], outputs[1], outputs[2]


def test_a_restore_gives_the_same_exports_and_the_same_verified_chain(
    book: str, empty: str, tmp_path: Path
) -> None:
    accounts, actions, verified = exports(book)
    assert len(accounts.splitlines()) == 121 and len(actions.splitlines()) > 1
    assert verified.startswith("audit trail intact: ")
    file = tmp_path / "fc.backup"

    code, out = cli("backup", "--out", str(file), "--database-url", book)
    assert code == 0, out
    assert f"to {file} (" in out

    code, out = cli("restore", str(file), "--database-url", empty)
    assert code == 0, out
    # restore checks the chain itself and prints the same count and anchor as the original
    assert out.splitlines()[1:] == verified.splitlines()
    assert exports(empty) == (accounts, actions, verified)
    restored = create_engine(empty)
    try:  # the log's append-only triggers came with it
        with pytest.raises(DBAPIError, match="append-only"), restored.begin() as conn:
            conn.execute(text("DELETE FROM audit_log"))
    finally:
        restored.dispose()

    # Restored again over itself: refused, naming the target, unless --force.
    code, out = cli("restore", str(file), "--database-url", empty)
    assert code == 2, out
    assert "is not empty" in out and "--force" in out
    code, out = cli("restore", str(file), "--force", "--database-url", empty)
    assert code == 0, out
    assert exports(empty) == (accounts, actions, verified)

    # An existing backup is never overwritten.
    code, out = cli("backup", "--out", str(file), "--database-url", book)
    assert code == 2 and "exists" in out, out


def test_a_damaged_or_foreign_file_is_refused_naming_the_problem(
    book: str, empty: str, tmp_path: Path
) -> None:
    file = tmp_path / "fc.backup"
    assert cli("backup", "--out", str(file), "--database-url", book)[0] == 0
    data = file.read_bytes()

    cut = tmp_path / "cut.backup"
    cut.write_bytes(data[: len(data) // 3])
    code, out = cli("restore", str(cut), "--database-url", empty)
    assert code == 2, out
    assert f"{cut} is damaged" in out or "restore of" in out

    notes = tmp_path / "notes.txt"
    notes.write_text("not a backup\n", encoding="utf-8")
    code, out = cli("restore", str(notes), "--database-url", empty)
    assert code == 2, out
    assert "is not a faircollect backup" in out

    code, out = cli("restore", str(tmp_path / "missing.backup"), "--database-url", empty)
    assert code == 2 and "does not exist" in out, out

    other = (
        "postgresql+psycopg://postgres@127.0.0.1:5432/x"
        if "sqlite" in book
        else (f"sqlite:///{tmp_path / 'other.db'}")
    )
    code, out = cli("restore", str(file), "--database-url", other)
    assert code == 2, out
    assert "backup but the target" in out

    # Nothing was restored by any of these: the target is still empty, so this works.
    code, out = cli("restore", str(file), "--database-url", empty)
    assert code == 0, out


def test_a_sqlite_backup_taken_during_a_write_holds_only_what_was_committed(
    tmp_path: Path,
) -> None:
    """The app keeps writing while the backup runs: the copy is the committed state."""
    import sqlite3

    url = f"sqlite:///{tmp_path / 'live.db'}"
    assert cli("init", "--database-url", url)[0] == 0
    writer = sqlite3.connect(tmp_path / "live.db", isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("INSERT INTO teams (team_id, name) VALUES ('T1', 'committed')")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO teams (team_id, name) VALUES ('T2', 'in flight')")
    try:
        code, out = cli("backup", "--out", str(tmp_path / "live.backup"), "--database-url", url)
    finally:
        writer.execute("COMMIT")
        writer.close()
    assert code == 0, out
    copy = sqlite3.connect(tmp_path / "live.backup")
    assert copy.execute("SELECT team_id FROM teams").fetchall() == [("T1",)]
    assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    copy.close()

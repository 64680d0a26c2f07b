"""Back up and restore a faircollect database, consistent while the app runs.

- SQLite: the online backup API (``sqlite3.Connection.backup``) copies the database page by
  page under SQLite's own locking, so a backup taken while the workbench or the night
  writes is a consistent snapshot; the copy is a plain database file (rollback journal,
  no ``-wal`` beside it).
- PostgreSQL: ``pg_dump -Fc`` (one snapshot of the whole database, custom format) and
  ``pg_restore --single-transaction --exit-on-error`` (all or nothing). The client tools
  must be at least the server's version (the server refuses an older ``pg_dump``). The
  password, if the URL has one, goes to them in ``PGPASSWORD``, never on a command line.

A restore refuses a target that already holds tables unless ``force`` (SQLite: its
contents are replaced; PostgreSQL: its ``public`` schema is dropped and recreated first),
a file that is neither kind of backup, a backup of the other kind than the target, and a
damaged file, each with a message that names the file and the problem. The audit trail
and its triggers travel with the data, so ``audit verify`` on the restored database checks
the same chain.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # nosec B404
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from faircollect.adapters.db.errors import hide_password
from faircollect.domain.bad_input import BadInput

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
SQLITE, POSTGRESQL = "sqlite", "postgresql"


class BackupProblem(BadInput):
    """A backup or restore that cannot be done; the message says which file or database
    and what is wrong (exit 2 from the CLI)."""


@dataclass(frozen=True, slots=True)
class BackupFile:
    path: Path
    kind: str
    """``sqlite`` or ``postgresql``."""
    size: int


def backup(url: str, out: Path) -> BackupFile:
    """Write a consistent copy of the database at ``url`` to ``out`` (which must not exist:
    an earlier backup is never overwritten). Written beside ``out`` first, then renamed, so
    ``out`` is complete or absent."""
    parsed = _url(url)
    if out.exists():
        raise BackupProblem(f"--out: {out} exists; choose a new name (backups are not overwritten)")
    if not out.parent.is_dir():
        raise BackupProblem(f"--out: directory {out.parent} does not exist")
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if parsed.get_backend_name() == SQLITE:
            kind = SQLITE
            _sqlite_backup(_sqlite_path(parsed, must_exist=True), partial)
        elif parsed.get_backend_name() == POSTGRESQL:
            kind = POSTGRESQL
            _run(
                "pg_dump",
                ["--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"],
                parsed,
            )
        else:
            raise BackupProblem(f"backup: {parsed.get_backend_name()} databases are not supported")
        partial.rename(out)
    finally:
        partial.unlink(missing_ok=True)
    return BackupFile(out, kind, out.stat().st_size)


def backup_kind(file: Path) -> str:
    """``sqlite`` or ``postgresql`` by the file's first bytes; BackupProblem otherwise."""
    try:
        with file.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        raise BackupProblem(f"FILE: {file} does not exist") from None
    except OSError as error:
        raise BackupProblem(f"FILE: cannot read {file}: {error.strerror}") from None
    if head.startswith(SQLITE_MAGIC):
        return SQLITE
    if head.startswith(PGDUMP_MAGIC):
        return POSTGRESQL
    raise BackupProblem(
        f"FILE: {file} is not a faircollect backup (neither a SQLite database nor a "
        "pg_dump custom-format archive)"
    )


def restore(file: Path, url: str, *, force: bool = False) -> str:
    """Restore the backup ``file`` into the database at ``url``; returns its kind."""
    kind = backup_kind(file)
    parsed = _url(url)
    target = parsed.get_backend_name()
    if kind != target:
        raise BackupProblem(
            f"FILE: {file} is a {kind} backup but the target {hide_password(url)} is "
            f"{target}: restore it into a {kind} database"
        )
    if kind == SQLITE:
        _sqlite_restore(file, _sqlite_path(parsed, must_exist=False), force)
    else:
        _pg_restore(file, parsed, force)
    return kind


# --- SQLite --------------------------------------------------------------------------


def _sqlite_path(url: URL, *, must_exist: bool) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupProblem("--database-url: an in-memory SQLite database has no file")
    path = Path(url.database)
    if must_exist and not path.is_file():
        raise BackupProblem(f"--database-url: no SQLite database at {path}")
    return path


def _sqlite_backup(source: Path, out: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(out)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    except sqlite3.DatabaseError as error:
        raise BackupProblem(f"backup: cannot read {source}: {error}") from None
    finally:
        dst.close()
        src.close()


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    query = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
    return [row[0] for row in conn.execute(query)]


def _sqlite_restore(file: Path, target: Path, force: bool) -> None:
    src = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
    try:
        try:
            problems = [row[0] for row in src.execute("PRAGMA quick_check")]
            tables = _sqlite_tables(src)
        except sqlite3.DatabaseError as error:
            raise BackupProblem(f"FILE: {file} is damaged: {error}") from None
        if problems != ["ok"]:
            raise BackupProblem(f"FILE: {file} is damaged: {'; '.join(problems[:3])}")
        if "alembic_version" not in tables or "audit_log" not in tables:
            raise BackupProblem(f"FILE: {file} is a SQLite database but not a faircollect one")
        if target.exists() and target.stat().st_size > 0:
            dst = sqlite3.connect(target)
            try:
                held = _sqlite_tables(dst)
            except sqlite3.DatabaseError:
                held = ["(not a SQLite database)"]
            finally:
                dst.close()
            if held and not force:
                raise _not_empty(str(target), held)
        try:
            dst = sqlite3.connect(target)
            try:
                src.backup(dst)
            finally:
                dst.close()
        except sqlite3.Error as error:
            raise BackupProblem(f"--database-url: cannot write {target}: {error}") from None
    finally:
        src.close()


# --- PostgreSQL ----------------------------------------------------------------------


def _pg_restore(file: Path, url: URL, force: bool) -> None:
    _run("pg_restore", ["--list", str(file)], None, what=f"FILE: {file} is damaged")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            held = list(
                conn.execute(
                    text(
                        "SELECT table_name FROM information_schema.tables"
                        " WHERE table_schema = 'public' ORDER BY table_name"
                    )
                ).scalars()
            )
            if held and not force:
                raise _not_empty(url.render_as_string(hide_password=True), held)
            if held:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
    except OperationalError as error:
        first = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise BackupProblem(
            f"--database-url: cannot open {url.render_as_string(hide_password=True)}: {first}"
            " (create the empty database first, e.g. createdb)"
        ) from None
    finally:
        engine.dispose()
    _run(
        "pg_restore",
        ["--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", str(file)],
        url,
        what=f"restore of {file} failed (nothing was restored)",
    )


def _run(tool: str, args: list[str], url: URL | None, *, what: str | None = None) -> None:
    """Run a PostgreSQL client tool against ``url``; BackupProblem with its first error line."""
    program = shutil.which(tool)
    if program is None:
        raise BackupProblem(
            f"{tool} not found: install the PostgreSQL client tools (the server's version)"
        )
    env = dict(os.environ)
    command = [program, *args]
    if url is not None:
        if url.password is not None:
            env["PGPASSWORD"] = str(url.password)
        plain = url.set(drivername="postgresql", password=None)
        command.append(f"--dbname={plain.render_as_string(hide_password=False)}")
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # nosec B603
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        detail = lines[0] if lines else f"exit code {done.returncode}"
        raise BackupProblem(f"{what or tool + ' failed'}: {detail}")


def _url(url: str) -> URL:
    try:
        return make_url(url)
    except (ArgumentError, ValueError) as error:
        raise BackupProblem(f"--database-url: not a database URL: {error}") from None


def _not_empty(where: str, tables: list[str]) -> BackupProblem:
    shown = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
    return BackupProblem(
        f"--database-url: {where} is not empty ({len(tables)} tables: {shown}); restore into"
        " an empty database, or pass --force to replace what it holds"
    )

"""Helpers for the bad-input tables (issue 11): run a command in-process, prove that no
traceback reached the user, and fingerprint a database to prove a refusal changed nothing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from faircollect.adapters.db.engine import make_engine
from faircollect.adapters.db.tables import metadata
from faircollect.cli.app import app

RUNNER = CliRunner()


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run(*args: str, stdin: str | bytes | None = None, env: dict[str, str] | None = None) -> Outcome:
    """The command's exit code and output; fails if anything escaped as an exception or a
    traceback was printed (the issue's contract: never, whatever the input)."""
    result = RUNNER.invoke(app, list(args), input=stdin, env=env)
    escaped = result.exception
    assert escaped is None or isinstance(escaped, SystemExit), repr(escaped)
    outcome = Outcome(result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in outcome.output, outcome.output
    return outcome


def refused(outcome: Outcome, code: int, *words: str) -> None:
    """The command exited ``code`` and its stderr holds every one of ``words``."""
    assert outcome.code == code, outcome.output
    for word in words:
        assert word in outcome.stderr, (word, outcome.stderr)


def fingerprint(url: str) -> str:
    """A digest of every row of every faircollect table (both backends)."""
    engine = make_engine(url)
    digest = hashlib.sha256()
    try:
        with engine.connect() as conn:
            for table in metadata.sorted_tables:
                rows = conn.execute(select(table)).all()
                for row in sorted(repr(tuple(row)) for row in rows):
                    digest.update(f"{table.name}:{row}\n".encode())
    finally:
        engine.dispose()
    return digest.hexdigest()


def sqlite_file_bytes(url: str) -> bytes | None:
    """The SQLite file's bytes (None for another backend): byte-for-byte unchanged."""
    if not url.startswith("sqlite:///"):
        return None
    return Path(url.removeprefix("sqlite:///")).read_bytes()

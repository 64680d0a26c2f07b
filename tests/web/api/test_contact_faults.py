"""A contact POST interrupted between the contact's insert and the commit leaves either the
whole record with its audit entries or nothing, and ``faircollect audit verify`` passes.

Two interruptions: an exception injected just before commit (both backends), and on
PostgreSQL the server process itself killed (SIGKILL) while its transaction is open with
the contact inserted: the test holds the audit head's row lock, so the server's
transaction waits at its audit flush, after the insert, until the process is gone.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, create_engine, func, select, text

from faircollect.adapters.db import tables
from faircollect.adapters.db.repositories.audit import AuditRepository
from tests.conftest import BACKENDS
from tests.web.api.conftest import Api, error_of
from tests.web.api.test_access import CONTACT_OK
from tests.web.api.world import Template, X
from tests.web.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[3]
CONTACTS = f"/api/v1/cases/{X}/contacts"


def counts(engine: Engine) -> tuple[int, int]:
    """(contact records, audit entries)."""
    with engine.connect() as conn:
        return (
            int(
                conn.execute(select(func.count()).select_from(tables.contact_records)).scalar_one()
            ),
            int(conn.execute(select(func.count()).select_from(tables.audit_log)).scalar_one()),
        )


def audit_verify(url: str) -> subprocess.CompletedProcess[str]:
    """``faircollect audit verify`` as an operator runs it after the incident."""
    return subprocess.run(
        [sys.executable, "-m", "faircollect", "audit", "verify", "--database-url", url],
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_an_exception_before_commit_leaves_nothing(
    fresh: Callable[[], Api], monkeypatch: pytest.MonkeyPatch
) -> None:
    api = fresh()
    c101 = api.as_("C101")
    before = counts(api.engine)
    real_flush = AuditRepository.flush

    def dies(self: AuditRepository) -> Any:
        if self.pending:
            raise RuntimeError("injected after the contact insert, before commit")
        return real_flush(self)

    monkeypatch.setattr(AuditRepository, "flush", dies)
    failed = c101.post(CONTACTS, json=CONTACT_OK)
    assert failed.status_code == 500 and error_of(failed)["code"] == "internal"
    assert "injected" not in failed.text  # logged, never shown
    assert counts(api.engine) == before
    verified = audit_verify(str(api.engine.url.render_as_string(hide_password=False)))
    assert verified.returncode == 0, verified.stdout + verified.stderr

    monkeypatch.setattr(AuditRepository, "flush", real_flush)
    made = c101.post(CONTACTS, json=CONTACT_OK)
    assert made.status_code == 201, made.text
    contacts, entries = counts(api.engine)
    assert contacts == before[0] + 1 and entries > before[1]


# The server killed mid-transaction (PostgreSQL) -------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def serve() -> Iterator[Callable[[str], tuple[subprocess.Popen[bytes], str]]]:
    """``serve(url)``: ``faircollect serve`` on that database in a subprocess."""
    started: list[subprocess.Popen[bytes]] = []

    def start(url: str) -> tuple[subprocess.Popen[bytes], str]:
        port = free_port()
        command = ["serve", "--database-url", url, "--port", str(port)]
        process = subprocess.Popen(
            [sys.executable, "-m", "faircollect", *command],
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
            stdout=subprocess.DEVNULL,
        )
        started.append(process)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert process.poll() is None, "faircollect serve exited"
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    return process, f"http://127.0.0.1:{port}"
            except OSError:
                time.sleep(0.1)
        raise AssertionError("faircollect serve did not start within 60 s")

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


def signed_in(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    answer = client.post("/api/v1/session", json={"user_id": "C101", "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    return client


WAITING_AFTER_INSERT = text(
    """
    SELECT a.pid FROM pg_stat_activity a
    JOIN pg_locks l ON l.pid = a.pid AND l.granted
    JOIN pg_class c ON c.oid = l.relation AND c.relname = 'contact_records'
    WHERE a.datname = current_database() AND a.wait_event_type = 'Lock'
      AND l.mode = 'RowExclusiveLock'
    """
)
"""The server's backend waiting for a lock while holding the lock an INSERT into
contact_records takes: the contact is inserted, the transaction is not committed."""


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="no PostgreSQL")
def test_the_server_killed_mid_transaction_leaves_nothing_and_a_verified_chain(
    template: Template, serve: Callable[[str], tuple[subprocess.Popen[bytes], str]]
) -> None:
    if template.backend != "postgresql":
        pytest.skip("a PostgreSQL server process")
    url = template.clone()
    engine = create_engine(url)
    try:
        process, base = serve(url)
        client = signed_in(base)
        before = counts(engine)

        with engine.connect() as holder:  # hold the audit head: the server waits there
            holder.execute(text("SELECT * FROM audit_head WHERE id = 1 FOR UPDATE"))
            posting = threading.Thread(
                target=lambda: _ignore_errors(lambda: client.post(CONTACTS, json=CONTACT_OK))
            )
            posting.start()
            waiting = _wait_for(engine, WAITING_AFTER_INSERT)
            assert waiting, "the server never reached the audit flush with the contact inserted"
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
            holder.rollback()
        posting.join(timeout=30)
        client.close()
        gone = _wait_for(
            engine,
            text("SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = :pid)"),
            pid=waiting[0],
        )
        assert gone, "the killed server's backend did not end"

        assert counts(engine) == before  # nothing: no contact, no audit entry
        verified = audit_verify(url)
        assert verified.returncode == 0, verified.stdout + verified.stderr

        _, base = serve(url)  # the server back: the same contact is recorded whole
        again = signed_in(base)
        made = again.post(CONTACTS, json=CONTACT_OK)
        assert made.status_code == 201, made.text
        again.close()
        contacts, entries = counts(engine)
        assert contacts == before[0] + 1 and entries > before[1]
        record_id = made.json()["contact_id"]
        with engine.connect() as conn:
            audited = conn.execute(
                select(func.count())
                .select_from(tables.audit_log)
                .where(tables.audit_log.c.after.contains(record_id))
            ).scalar_one()
        assert audited >= 1
        verified = audit_verify(url)
        assert verified.returncode == 0, verified.stdout + verified.stderr
    finally:
        engine.dispose()
        template.drop(url)


def _ignore_errors(send: Callable[[], Any]) -> None:
    with contextlib.suppress(httpx.HTTPError):  # the server is killed under the request
        send()


def _wait_for(engine: Engine, query: Any, seconds: float = 30, **params: Any) -> list[Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            found = list(conn.execute(query, params).scalars())
        if found:
            return found
        time.sleep(0.1)
    return []

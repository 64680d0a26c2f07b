"""The audit log as stored, on SQLite and PostgreSQL: appended with the change, gone with
a rollback, linear under concurrent appends, and tampering in SQL found at the right id."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from faircollect.adapters.db.uow import SqlUnitOfWork
from faircollect.domain.audit import GENESIS, AuditEvent, Verdict, computed_hash, verify

T0 = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)


def _ticking() -> object:
    times = iter(T0 + timedelta(hours=i) for i in range(1000))
    return lambda: next(times)


def _append(engine: Engine, n: int) -> None:
    clock = _ticking()
    with SqlUnitOfWork(engine, clock=clock) as uow:  # type: ignore[arg-type]
        for i in range(1, n + 1):
            uow.audit.append(AuditEvent("C101", "promise.made", f"loan:L{i}", None, {"n": i}))


def _verified(engine: Engine) -> Verdict:
    with SqlUnitOfWork(engine) as uow:
        prev_id, prev_hash, entries = uow.audit.chain_from(None)
        last_id, _ = uow.audit.head()
        return verify(entries, prev_id=prev_id, prev_hash=prev_hash, last_id=last_id)


def test_entries_are_chained_in_id_order(db_engine: Engine) -> None:
    _append(db_engine, 3)
    with db_engine.connect() as conn:
        rows = conn.execute(
            text("SELECT id, subject, prev_hash, hash FROM audit_log ORDER BY id")
        ).all()
    assert [(r.id, r.subject) for r in rows] == [(1, "loan:L1"), (2, "loan:L2"), (3, "loan:L3")]
    assert rows[0].prev_hash == GENESIS
    assert rows[1].prev_hash == rows[0].hash and rows[2].prev_hash == rows[1].hash
    assert _verified(db_engine) == Verdict(3)


def test_a_rolled_back_change_leaves_no_entry_and_no_gap(db_engine: Engine) -> None:
    _append(db_engine, 1)
    with pytest.raises(RuntimeError), SqlUnitOfWork(db_engine) as uow:
        uow.audit.append(AuditEvent("C101", "contact.recorded", "case:K1"))
        raise RuntimeError("the change failed")
    _append(db_engine, 1)
    with db_engine.connect() as conn:
        assert conn.execute(text("SELECT id FROM audit_log ORDER BY id")).scalars().all() == [1, 2]
    assert _verified(db_engine) == Verdict(2)


def test_two_concurrent_appends_serialise(db_engine: Engine) -> None:
    """The first transaction appends and holds; the second's append waits for it, then
    chains to the first's entry (no fork, no duplicate id)."""
    first_appended = threading.Event()
    release_first = threading.Event()
    second_done = threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with SqlUnitOfWork(db_engine) as uow:
                uow.audit.append(AuditEvent("C101", "promise.made", "loan:A"))
                first_appended.set()
                release_first.wait(10)
        except BaseException as err:
            errors.append(err)
            first_appended.set()

    def second() -> None:
        try:
            first_appended.wait(10)
            with SqlUnitOfWork(db_engine) as uow:
                uow.audit.append(AuditEvent("C102", "promise.made", "loan:B"))
            second_done.set()
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    first_appended.wait(10)
    # While the first transaction is open, the second cannot have appended.
    assert not second_done.wait(0.5)
    release_first.set()
    for t in threads:
        t.join(20)
    assert errors == []
    with db_engine.connect() as conn:
        rows = conn.execute(text("SELECT id, subject FROM audit_log ORDER BY id")).all()
    assert [(r.id, r.subject) for r in rows] == [(1, "loan:A"), (2, "loan:B")]
    assert _verified(db_engine) == Verdict(2)


def _tamper(engine: Engine, *statements: str) -> None:
    """Run ``statements`` as someone with the rights to drop the log's append-only
    triggers would."""
    with engine.begin() as conn:
        for sql in (*WITHOUT_TRIGGERS[engine.dialect.name], *statements):
            conn.execute(text(sql))


WITHOUT_TRIGGERS = {
    "sqlite": (
        "DROP TRIGGER IF EXISTS audit_log_no_update",
        "DROP TRIGGER IF EXISTS audit_log_no_delete",
    ),
    "postgresql": ("ALTER TABLE audit_log DISABLE TRIGGER USER",),
}


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET actor = 'S001' WHERE id = 1",
        "DELETE FROM audit_log WHERE id = 1",
        "DELETE FROM audit_log",
    ],
)
def test_the_database_refuses_to_change_or_delete_entries(
    db_engine: Engine, statement: str
) -> None:
    _append(db_engine, 2)
    with pytest.raises(DBAPIError, match="append-only"), db_engine.begin() as conn:
        conn.execute(text(statement))
    assert _verified(db_engine) == Verdict(2)


def test_postgresql_refuses_truncate(db_engine: Engine) -> None:
    if db_engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    _append(db_engine, 1)
    with pytest.raises(DBAPIError, match="append-only"), db_engine.begin() as conn:
        conn.execute(text("TRUNCATE audit_log"))


def test_an_entry_edited_in_sql_is_found(db_engine: Engine) -> None:
    _append(db_engine, 5)
    _tamper(db_engine, "UPDATE audit_log SET actor = 'S001' WHERE id = 3")
    verdict = _verified(db_engine)
    assert (verdict.broken_id, verdict.checked) == (3, 2)


def test_an_after_value_edited_in_sql_is_found(db_engine: Engine) -> None:
    _append(db_engine, 5)
    _tamper(db_engine, """UPDATE audit_log SET "after" = '{"n": 40}' WHERE id = 4""")
    assert _verified(db_engine).broken_id == 4


def test_an_entry_deleted_in_sql_is_found(db_engine: Engine) -> None:
    _append(db_engine, 5)
    _tamper(db_engine, "DELETE FROM audit_log WHERE id = 2")
    verdict = _verified(db_engine)
    assert (verdict.broken_id, verdict.checked) == (3, 1)


def test_the_last_entry_deleted_in_sql_is_found(db_engine: Engine) -> None:
    _append(db_engine, 5)
    _tamper(db_engine, "DELETE FROM audit_log WHERE id = 5")
    assert _verified(db_engine).broken_id == 5


def test_entries_reordered_in_sql_are_found(db_engine: Engine) -> None:
    _append(db_engine, 5)
    _tamper(
        db_engine,
        "UPDATE audit_log SET id = 100 WHERE id = 2",
        "UPDATE audit_log SET id = 2 WHERE id = 4",
        "UPDATE audit_log SET id = 4 WHERE id = 100",
    )
    verdict = _verified(db_engine)
    assert (verdict.broken_id, verdict.checked) == (2, 1)


def test_a_rehashed_edit_still_breaks_the_next_entry(db_engine: Engine) -> None:
    """Someone who edits entry 2 and writes the right hash for its new content (without
    redoing the rest of the chain) is found at entry 3."""
    _append(db_engine, 4)
    with SqlUnitOfWork(db_engine) as uow:
        _, _, entries = uow.audit.chain_from(None)
        second = list(entries)[1]
    forged = computed_hash(replace(second, actor="S001"))
    _tamper(db_engine, f"UPDATE audit_log SET actor = 'S001', hash = '{forged}' WHERE id = 2")
    verdict = _verified(db_engine)
    assert (verdict.broken_id, verdict.checked) == (3, 2)


def test_a_recorded_event_takes_the_heads_lock_only_at_commit(db_engine: Engine) -> None:
    """A use case records its entry early and writes other rows after it; the head is
    locked only when its unit of work commits, so another transaction appends meanwhile
    (no lock held across the change, no lock-order deadlock on PostgreSQL), and the first
    transaction's entry comes after it."""
    with SqlUnitOfWork(db_engine) as first:
        first.audit.record(AuditEvent("C101", "contact.recorded", "case:K1"))
        done = threading.Event()

        def other() -> None:
            with SqlUnitOfWork(db_engine) as uow:
                uow.audit.record(AuditEvent("S001", "case.reassigned", "case:K2"))
            done.set()

        thread = threading.Thread(target=other)
        thread.start()
        assert done.wait(10)
        thread.join()
    with db_engine.connect() as conn:
        rows = conn.execute(text("SELECT id, subject FROM audit_log ORDER BY id")).all()
    assert [(r.id, r.subject) for r in rows] == [(1, "case:K2"), (2, "case:K1")]
    assert _verified(db_engine) == Verdict(2)

"""``faircollect audit verify|export`` on SQLite and PostgreSQL: intact chains give exit 0
and the count; entries edited, deleted or reordered directly in SQL give exit 1 and the
first broken id; bad options exit 2 naming the option."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from faircollect.adapters.db.uow import SqlUnitOfWork
from faircollect.cli.app import app
from faircollect.domain.audit import AuditEvent

SHANGHAI = timezone(timedelta(hours=8))
runner = CliRunner()

# Two entries on each of 30 Nov, 1 Dec and 2 Dec 2026 (Shanghai), at 09:00 and 23:30.
TIMES = [
    datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI),
    datetime(2026, 11, 30, 23, 30, tzinfo=SHANGHAI),
    datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI),
    datetime(2026, 12, 1, 23, 30, tzinfo=SHANGHAI),
    datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI),
    datetime(2026, 12, 2, 23, 30, tzinfo=SHANGHAI),
]


@pytest.fixture
def logged(db_engine: Engine) -> str:
    """Six entries; returns the database URL."""
    times = iter(TIMES)
    with SqlUnitOfWork(db_engine, clock=lambda: next(times)) as uow:
        for i in range(1, 7):
            uow.audit.append(
                AuditEvent(
                    "C101" if i % 2 else "S001",
                    "contact.recorded",
                    f"C-B{i}",
                    {"status": "open"},
                    {"status": "contacted", "number": "13800000001"},
                )
            )
    return db_engine.url.render_as_string(hide_password=False)


def audit(url: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["audit", *args, "--database-url", url])
    return result.exit_code, result.output


def sql(url: str, *statements: str) -> None:
    from sqlalchemy import create_engine

    from tests.integration.test_audit_log import WITHOUT_TRIGGERS

    engine = create_engine(url)
    with engine.begin() as conn:
        for s in (*WITHOUT_TRIGGERS[engine.dialect.name], *statements):
            conn.execute(text(s))
    engine.dispose()


def stored_hash(url: str, entry_id: int) -> str:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.connect() as conn:
        found = conn.execute(text(f"SELECT hash FROM audit_log WHERE id = {entry_id}")).scalar()
    engine.dispose()
    return str(found)


def test_an_intact_log_verifies_with_its_count_and_prints_its_anchor(logged: str) -> None:
    code, out = audit(logged, "verify")
    assert code == 0, out
    assert out.splitlines() == [
        "audit trail intact: 6 entries checked",
        f"anchor: 6:{stored_hash(logged, 6)}",
    ]


def test_verify_from_a_day_checks_from_that_day_on(logged: str) -> None:
    code, out = audit(logged, "verify", "--from", "2026-12-01")
    assert code == 0, out
    assert out.splitlines()[0] == "audit trail intact from 2026-12-01: 4 entries checked"


def test_a_chain_rewritten_hashes_and_all_is_found_at_the_anchor(logged: str) -> None:
    """Someone who can drop the triggers rewrites entries 4..6 (another actor) and
    recomputes every hash after them and the head: the chain alone looks intact; the
    anchor kept from an earlier verify finds entry 5."""
    from dataclasses import replace

    from sqlalchemy import create_engine

    from faircollect.domain.audit import computed_hash

    anchor = f"5:{stored_hash(logged, 5)}"
    engine = create_engine(logged)
    with SqlUnitOfWork(engine) as uow:
        _, _, chain = uow.audit.chain_from(None)
        entries = list(chain)
    prev = entries[2].hash
    statements = []
    for entry in entries[3:]:
        forged = replace(entry, actor="X999", prev_hash=prev)
        forged = replace(forged, hash=computed_hash(forged))
        statements.append(
            f"UPDATE audit_log SET actor = 'X999', prev_hash = '{forged.prev_hash}',"
            f" hash = '{forged.hash}' WHERE id = {entry.id}"
        )
        prev = forged.hash
    statements.append(f"UPDATE audit_head SET last_hash = '{prev}' WHERE id = 1")
    engine.dispose()
    sql(logged, *statements)
    assert audit(logged, "verify")[0] == 0  # the limit of a chain on its own
    code, out = audit(logged, "verify", "--anchor", anchor)
    assert code == 1
    assert "BROKEN at entry 5: entry 5 has hash" in out and "not the anchor's" in out


def test_an_edited_entry_fails_at_its_id(logged: str) -> None:
    sql(logged, "UPDATE audit_log SET actor = 'ADMIN' WHERE id = 4")
    code, out = audit(logged, "verify")
    assert code == 1
    assert "BROKEN at entry 4:" in out and "3 entries before it" in out


def test_a_deleted_entry_fails_at_the_entry_after_it(logged: str) -> None:
    sql(logged, "DELETE FROM audit_log WHERE id = 3")
    code, out = audit(logged, "verify")
    assert code == 1
    assert "BROKEN at entry 4: entry 3 is missing" in out


def test_reordered_entries_fail_at_the_first_moved_id(logged: str) -> None:
    sql(
        logged,
        "UPDATE audit_log SET id = 99 WHERE id = 5",
        "UPDATE audit_log SET id = 5 WHERE id = 2",
        "UPDATE audit_log SET id = 2 WHERE id = 99",
    )
    code, out = audit(logged, "verify")
    assert code == 1
    assert "BROKEN at entry 2:" in out


def test_an_edit_before_the_from_day_is_not_checked_but_one_after_is(logged: str) -> None:
    sql(logged, "UPDATE audit_log SET subject = 'X' WHERE id = 1")
    assert audit(logged, "verify", "--from", "2026-12-01")[0] == 0
    assert audit(logged, "verify")[0] == 1
    sql(logged, "UPDATE audit_log SET subject = 'X' WHERE id = 6")
    code, out = audit(logged, "verify", "--from", "2026-12-01")
    assert code == 1 and "BROKEN at entry 6:" in out


def test_export_csv_gives_the_days_entries_oldest_first_with_numbers_masked(logged: str) -> None:
    code, out = audit(logged, "export", "--from", "2026-12-01", "--to", "2026-12-01")
    assert code == 0, out
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["id"] for r in rows] == ["3", "4"]
    assert [r["at"] for r in rows] == ["2026-12-01T09:00:00+08:00", "2026-12-01T23:30:00+08:00"]
    assert [r["actor"] for r in rows] == ["C101", "S001"]
    assert json.loads(rows[0]["after"]) == {"number": "138****0001", "status": "contacted"}
    assert "13800000001" not in out


def test_export_json_covers_both_days_given(logged: str) -> None:
    code, out = audit(
        logged, "export", "--from", "2026-11-30", "--to", "2026-12-01", "--format", "json"
    )
    assert code == 0, out
    assert [e["id"] for e in json.loads(out)] == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["verify", "--from", "2026-13-01"], "--from"),
        (["export", "--from", "yesterday", "--to", "2026-12-01"], "--from"),
        (["export", "--from", "2026-12-01", "--to", "2026-11-01"], "--to"),
        (["export", "--from", "2026-12-01", "--to", "2026-12-02", "--format", "xml"], "--format"),
        (["export", "--to", "2026-12-02"], "--from"),
        (["verify", "--anchor", "5"], "--anchor"),
        (["verify", "--anchor", "0:" + "a" * 64], "--anchor"),
        (["verify", "--anchor", "5:" + "g" * 64], "--anchor"),
    ],
)
def test_bad_options_exit_2_naming_the_option(logged: str, args: list[str], named: str) -> None:
    code, out = audit(logged, *args)
    assert code == 2, out
    assert named in out
    assert "Traceback" not in out


def test_verify_from_a_day_after_the_last_entry_checks_nothing_and_passes(logged: str) -> None:
    code, out = audit(logged, "verify", "--from", "2026-12-03")
    assert code == 0, out
    assert out.splitlines()[0] == "audit trail intact from 2026-12-03: 0 entries checked"


def test_verify_from_a_day_after_the_last_entry_still_sees_a_cut_tail(logged: str) -> None:
    sql(logged, "DELETE FROM audit_log WHERE id = 6")
    code, out = audit(logged, "verify", "--from", "2026-12-03")
    assert code == 1
    assert "BROKEN at entry 6: entries 6..6 are missing from the end of the log" in out


def test_a_database_that_does_not_exist_is_one_line_exit_2(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'typo.db'}"
    for args in (["verify"], ["export", "--from", "2026-12-01", "--to", "2026-12-02"]):
        code, out = audit(url, *args)
        assert code == 2, out
        assert "no database file at" in out and "Traceback" not in out
    assert not (tmp_path / "typo.db").exists()


def test_an_anchor_the_log_still_holds_passes_and_one_beyond_it_fails(logged: str) -> None:
    assert audit(logged, "verify", "--anchor", f"3:{stored_hash(logged, 3)}")[0] == 0
    code, out = audit(logged, "verify", "--anchor", "9:" + "a" * 64)
    assert code == 1 and "entry 9 is missing" in out

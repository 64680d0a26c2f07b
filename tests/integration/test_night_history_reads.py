"""The night's reads over stored history: what they return, and (SQLite) that they use
the indexes of migration 0007 instead of walking every stored action or contact record.

``notices_sent`` writes its key and status as SQL literals so the partial index of sent
notices can be used; these tests pin that the answer is still the latest notice actually
sent before the day, and that the sticky owner is still found however old it is.
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, event

from faircollect.adapters.db.night_store import insert_actions
from faircollect.adapters.db.night_views import BorrowerRange, previous_owners
from faircollect.services.nightly_load import _attempts, load_history
from faircollect.services.visit_notices import notices_sent
from tests.integration.test_nightly_insert import _row
from tests.scenarios.portfolio import seed

D = date(2026, 3, 31)
TZ = ZoneInfo("Asia/Shanghai")


def _action(action_id: str, loan: str, day: date, **values: object) -> dict[str, object]:
    return _row(action_id) | {"loan_id": loan, "borrower_id": f"B-{loan}", "run_date": day} | values


def _store(engine: Engine, rows: list[dict[str, object]]) -> None:
    with engine.begin() as conn:
        insert_actions(conn, rows)


def _notice(action_id: str, loan: str, day: date, status: str) -> dict[str, object]:
    return _action(action_id, loan, day, action_key="visit_notice", status=status)


def test_notices_sent_is_the_latest_sent_notice_before_the_day(db_engine: Engine) -> None:
    seed(db_engine, ["L1", "L2", "L3", "L4"])
    _store(
        db_engine,
        [
            _notice("n1", "L1", D - timedelta(days=40), "sent"),  # old, superseded
            _notice("n2", "L1", D - timedelta(days=3), "sent"),
            _notice("n3", "L1", D, "sent"),  # tonight's: not before the day
            _notice("n4", "L2", D - timedelta(days=1), "planned"),  # never sent
            _notice("n5", "L2", D - timedelta(days=2), "denied"),
            _action("n6", "L3", D - timedelta(days=5), action_key="sms_day1", status="sent"),
            _notice("n7", "L4", D - timedelta(days=60), "sent"),  # old, but the only one
        ],
    )
    with db_engine.connect() as conn:
        assert notices_sent(conn, D) == {"L1": date(2026, 3, 28), "L4": date(2026, 1, 30)}
        assert notices_sent(conn, D, ["L2", "L4"]) == {"L4": date(2026, 1, 30)}
        assert notices_sent(conn, D + timedelta(days=1)) == {"L1": D, "L4": date(2026, 1, 30)}


def test_previous_owner_is_the_latest_assignee_however_old(db_engine: Engine) -> None:
    seed(db_engine, ["L1", "L2"])
    _store(
        db_engine,
        [
            # L1: assigned 25 days ago, only unassigned work since: still the owner
            _action("a1", "L1", D - timedelta(days=25), assignee="C-old", assignee_kind="c"),
            _action("a2", "L1", D - timedelta(days=1)),
            # L2: reassigned; the latest assignee before tonight wins, tonight's does not count
            _action("b1", "L2", D - timedelta(days=9), assignee="C-first", assignee_kind="c"),
            _action("b2", "L2", D - timedelta(days=2), assignee="C-second", assignee_kind="c"),
            _action("b3", "L2", D, assignee="C-tonight", assignee_kind="c"),
        ],
    )
    with db_engine.connect() as conn:
        assert previous_owners(conn, D) == {"B-L1": "C-old", "B-L2": "C-second"}


def test_history_reads_use_the_indexes(db_engine: Engine) -> None:
    """On SQLite: no history read walks planned_actions or contact_records row by row."""
    if db_engine.dialect.name != "sqlite":
        pytest.skip("query plans are checked on SQLite")
    plans: list[str] = []

    @event.listens_for(db_engine, "before_cursor_execute")
    def explain(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            rows = cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()
            plans.append(" | ".join(row[-1] for row in rows))

    with db_engine.connect() as conn:
        notices_sent(conn, D)
        previous_owners(conn, D)
        _attempts(conn, D, TZ)
        load_history(conn, {"B-L1"}, D, TZ)
    notices, letters_sent, owners, attempts, recent = plans
    assert "COVERING INDEX ix_planned_actions_notice_sent" in notices
    assert "planned_actions" not in letters_sent, "hand-issued notices read letters and outbox"
    assert "SCAN planned_actions USING COVERING INDEX ix_planned_actions_owner" in owners
    assert "SCAN contact_records USING COVERING INDEX ix_contact_records_borrower_at" in attempts
    assert "SEARCH contact_records USING INDEX ix_contact_records_at" in recent
    for plan in plans:
        assert "SCAN planned_actions |" not in f"{plan} |"
        assert "SCAN contact_records |" not in f"{plan} |"


def test_a_partitions_reads_search_its_range_of_borrowers(db_engine: Engine) -> None:
    """On SQLite: a partition of the night reads its borrowers' contact records through
    the index that starts with the borrower id, not the whole table."""
    if db_engine.dialect.name != "sqlite":
        pytest.skip("query plans are checked on SQLite")
    seed(db_engine, ["L1", "L2"])
    plans: list[str] = []

    @event.listens_for(db_engine, "before_cursor_execute")
    def explain(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            rows = cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()
            plans.append(" | ".join(row[-1] for row in rows))

    part = BorrowerRange("B-L1", "B-L2")
    with db_engine.connect() as conn:
        _attempts(conn, D, TZ, part)
        load_history(conn, {"B-L1"}, D, TZ, part)
    attempts, recent = plans
    assert "SEARCH contact_records USING COVERING INDEX ix_contact_records_borrower_at" in attempts
    assert "SEARCH contact_records USING" in recent

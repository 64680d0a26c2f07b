"""The night's plan in partitions of borrowers stores the same night for any cut and order.

``plan_night`` reads, plans, gates and inserts a range of borrowers at a time and hands
the work out (分案) once over all of them. One night (a demo portfolio after a first
night, so 分案 is sticky and cases exist; failed calls, a complaint and a borrower's
preferences; collectors and agencies with too little capacity, so who waits depends on
the whole portfolio's amounts) is planned from identical copies of one database: in one
partition, in partitions of three borrowers, and in partitions of three taken in reverse
and in shuffled order, and in partitions of three computed by two worker processes.
Every stored row the night writes must be the same, on SQLite and
on PostgreSQL; and the night run again (in yet other partitions) adds and changes
nothing.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, create_engine, func, insert, select, text, update

from faircollect.adapters.db import night_views
from faircollect.adapters.db import tables as t
from faircollect.adapters.db.engine import make_engine
from faircollect.adapters.db.night_views import BorrowerRange, borrower_ranges
from faircollect.adapters.db.repositories.org import OrgRepository
from faircollect.domain.organisation import Roster
from faircollect.services import nightly_plan
from faircollect.services.night import run_night
from faircollect.services.nightly_ledger import run_day
from faircollect.services.nightly_plan import NightSummary, plan_night
from faircollect.services.quickstart import build_demo
from tests.conftest import PG_ADMIN_URL
from tests.integration.processes import all_gone

DAY = date(2026, 11, 20)
TZ = ZoneInfo("Asia/Shanghai")
ACCOUNTS = 500

Order = Callable[[list[BorrowerRange]], list[BorrowerRange]]


def _world(engine: Engine) -> None:
    """A demo portfolio, its first night (the day before), then the ledger of ``DAY``
    and some contact history, a complaint and preferences for tonight's gate. Eight
    late accounts are moved to DPD 91 tonight (their stored state, as the ledger would
    have it one day later): the strategy places them with an agency, so the night has
    placements whichever day the demo happens to end on."""
    build_demo(engine, ACCOUNTS, 11, DAY - timedelta(days=1), datetime(2026, 11, 19, tzinfo=UTC))
    run_night(engine, DAY - timedelta(days=1))
    run_day(engine, DAY)
    with engine.begin() as conn:
        late = conn.execute(
            select(t.loans.c.loan_id, t.loans.c.borrower_id)
            .join(t.account_states, t.account_states.c.loan_id == t.loans.c.loan_id)
            .where(t.account_states.c.dpd.between(1, 60))
            .order_by(t.loans.c.loan_id)
        ).all()
        assert len(late) >= 10, "the demo should have early-stage accounts"
        s = t.account_states
        later = select(s.c.loan_id).where(s.c.dpd.between(61, 180)).order_by(s.c.loan_id)
        crossing = list(conn.execute(later.limit(8)).scalars())
        assert len(crossing) == 8
        conn.execute(update(s).where(s.c.loan_id.in_(crossing)).values(dpd=91))
        yesterday = DAY - timedelta(days=1)
        conn.execute(
            insert(t.contact_records),
            [
                {
                    "record_id": f"R{n}-{loan_id}",
                    "borrower_id": borrower_id,
                    "loan_id": loan_id,
                    "at": datetime.combine(yesterday, time(10 + n), TZ),
                    "channel": "call",
                    "party": "borrower",
                    "phone": "13800000000",
                    "actor": "test",
                    "outcome": "no_answer" if n < 2 else "wrong_number",
                    "note": "",
                }
                for loan_id, borrower_id in late[::3]
                for n in range(3)
            ],
        )
        conn.execute(
            insert(t.complaints),
            {
                "complaint_id": "K1",
                "borrower_id": late[1].borrower_id,
                "text": "催收太频繁",
                "opened_at": datetime(2026, 11, 19, 8, tzinfo=UTC),
                "answer_by": DAY + timedelta(days=15),
                "status": "open",
            },
        )
        conn.execute(
            insert(t.borrower_preferences),
            {
                "borrower_id": late[2].borrower_id,
                "contact_slots": json.dumps([["19:00", "20:00"]]),
                "channels_off": json.dumps(["sms"]),
                "updated_at": datetime(2026, 11, 19, tzinfo=UTC),
            },
        )


def _scarce(engine: Engine) -> Roster:
    """The stored organisation with room for only a few items per collector and agency."""
    with engine.connect() as conn:
        roster = OrgRepository(conn).roster()
    return Roster(
        tuple(replace(c, capacity=2) for c in roster.collectors),
        tuple(replace(a, capacity=3) for a in roster.agencies),
    )


@contextmanager
def _copies(engine: Engine, count: int) -> Iterator[list[Engine]]:
    """``count`` engines on identical copies of ``engine``'s database (a file copy on
    SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL), dropped afterwards."""
    url = engine.url
    engine.dispose()
    engines: list[Engine] = []
    names: list[str] = []
    admin = None
    try:
        if url.get_backend_name() == "sqlite":
            source = Path(str(url.database))
            for n in range(count):
                copy = source.with_name(f"copy{n}.db")
                shutil.copyfile(source, copy)
                engines.append(make_engine(f"sqlite:///{copy}"))
        else:
            admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                for _ in range(count):
                    name = f"fc_copy_{uuid.uuid4().hex[:12]}"
                    conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{url.database}"'))
                    names.append(name)
                    engines.append(make_engine(url.set(database=name)))
        yield engines
    finally:
        for copy_engine in engines:
            copy_engine.dispose()
        if admin is not None:
            with admin.connect() as conn:
                for name in names:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


_RANDOM_ID = re.compile(r"\bPL-[0-9a-f]{12}\b")
"""A casework placement's id: random (``services.casework.ids``), so two copies of the
same night name the same placement differently, in its row and in the texts naming it."""


def _plain(value: object) -> object:
    return _RANDOM_ID.sub("PL-…", value) if isinstance(value, str) else value


_NIGHT_TABLES = (
    t.planned_actions,
    t.outbox,
    t.loan_placements,
    t.placements,
    t.cases,
    t.case_loans,
    t.case_events,
)


def _stored(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the tables the night writes (ordered by every column: the same rows
    give the same list), and what the audit trail says (the entries' time and chained
    hashes aside, which depend on the moment)."""
    found: dict[str, list[tuple[object, ...]]] = {}
    with engine.connect() as conn:
        for table in _NIGHT_TABLES:
            rows = conn.execute(select(table)).all()
            found[table.name] = sorted((tuple(map(_plain, r)) for r in rows), key=repr)
        a = t.audit_log
        entries = select(a.c.id, a.c.actor, a.c.action, a.c.subject, a.c.before, a.c.after)
        found["audit_log"] = [tuple(map(_plain, r)) for r in conn.execute(entries.order_by(a.c.id))]
    return found


def _plan(
    engine: Engine, roster: Roster, size: int, order: Order | None = None, workers: int = 1
) -> NightSummary:
    """``plan_night`` of ``DAY`` in partitions of ``size`` borrowers, taken in ``order``,
    by ``workers`` processes."""
    if order is None:
        return plan_night(engine, DAY, teams=roster, partition_borrowers=size, workers=workers)
    real = night_views.borrower_ranges
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(night_views, "borrower_ranges", lambda conn, n: order(real(conn, n)))
        return plan_night(engine, DAY, teams=roster, partition_borrowers=size, workers=workers)


def _by_workers(engine: Engine, roster: Roster, size: int, workers: int) -> NightSummary:
    """``_plan`` by ``workers`` processes, checking that the night did hand its partitions
    to a pool of that many."""
    pools: list[int] = []
    real = nightly_plan._pool

    def spied(*args: object) -> object:
        pool = real(*args)  # type: ignore[arg-type]
        pools.append(0 if pool is None else pool.workers)
        return pool

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(nightly_plan, "_pool", spied)
        summary = _plan(engine, roster, size, workers=workers)
    assert pools == [workers]
    return summary


def _shuffled(ranges: list[BorrowerRange]) -> list[BorrowerRange]:
    shuffled = list(ranges)
    random.Random(16).shuffle(shuffled)
    return shuffled


def _reversed(ranges: list[BorrowerRange]) -> list[BorrowerRange]:
    return ranges[::-1]


def test_any_partitioning_of_the_borrowers_stores_the_same_night(db_engine: Engine) -> None:
    _world(db_engine)
    roster = _scarce(db_engine)
    with _copies(db_engine, 5) as (whole, small, backwards, shuffled, workers):
        runs = {
            "whole": _plan(whole, roster, nightly_plan.NIGHT_PARTITION_BORROWERS),
            "threes": _plan(small, roster, 3),
            "threes reversed": _plan(backwards, roster, 3, _reversed),
            "threes shuffled": _plan(shuffled, roster, 3, _shuffled),
            "threes by 2 workers": _by_workers(workers, roster, 3, 2),
        }
        engines = (whole, small, backwards, shuffled, workers)
        stored = {name: _stored(e) for name, e in zip(runs, engines, strict=True)}
        with small.connect() as conn:
            borrowers = conn.execute(select(func.count()).select_from(t.borrowers)).scalar_one()
            assert len(borrower_ranges(conn, 3)) == -(-borrowers // 3) > 30
        # Run again in other partitions: nothing new, nothing changed.
        again = _plan(small, roster, 4)
        assert again.new_rows == 0
        assert _stored(small) == stored["threes"]

    reference = stored["whole"]
    tonight = _tonight(reference)
    # The night exercises what partitions could change: work handed out and work left
    # waiting for want of capacity, agency placements, cases, and denied contacts.
    summary = runs["whole"]
    assert summary.new_rows == len(tonight) > 50
    assert summary.unassigned > 0
    kinds = {row["assignee_kind"] for row in tonight}
    assert {"agency", "collector", None} <= kinds
    assert any(row["status"] == "denied" for row in tonight)
    assert any(row["status"] == "queued" for row in tonight)
    assert any(p[1] == DAY for p in reference["loan_placements"])
    for name, rows in stored.items():
        assert rows.keys() == reference.keys()
        for table in rows:
            assert rows[table] == reference[table], f"{name}: {table} differs"
        assert runs[name].new_rows == summary.new_rows
        assert runs[name].unassigned == summary.unassigned
        assert runs[name].by_status == summary.by_status


KILLED_NIGHT = """
import multiprocessing, sys, time
from faircollect.adapters.db.engine import make_engine
from faircollect.services import nightly_plan
from tests.integration.test_night_partitions import DAY, _scarce

store = nightly_plan._Night._store
count = []

def stall_then_store(self, *args):
    count.append(1)
    if len(count) == 6:  # five partitions inserted, not committed: report, wait to be killed
        pids = [str(child.pid) for child in multiprocessing.active_children()]
        print("STORED", *pids, flush=True)
        time.sleep(600)
    store(self, *args)

nightly_plan._Night._store = stall_then_store
engine = make_engine(sys.argv[1])
nightly_plan.plan_night(engine, DAY, teams=_scarce(engine), partition_borrowers=3, workers=2)
"""


def test_a_night_killed_mid_partition_leaves_nothing_and_reruns_to_the_same_night(
    db_engine: Engine,
) -> None:
    """SIGKILL of a night planned by two workers, after five partitions were inserted in
    its transaction: the workers die with it, none of its rows were kept (its promises were
    settled and committed before), and running it again stores what an uninterrupted
    night stores, audit entry included."""
    _world(db_engine)
    roster = _scarce(db_engine)
    with _copies(db_engine, 2) as (uninterrupted, killed):
        _plan(uninterrupted, roster, 3)
        expected = _stored(uninterrupted)
        before = _stored(killed)
        url = killed.url.render_as_string(hide_password=False)
        killed.dispose()
        root = Path(__file__).resolve().parents[2]
        env = {**os.environ, "PYTHONPATH": f"{root / 'src'}{os.pathsep}{root}"}
        with subprocess.Popen(
            [sys.executable, "-c", KILLED_NIGHT, url], env=env, stdout=subprocess.PIPE, text=True
        ) as child:
            assert child.stdout is not None
            line = child.stdout.readline()
            assert line.startswith("STORED"), line
            workers = [int(pid) for pid in line.split()[1:]]
            assert len(workers) == 2
            child.send_signal(signal.SIGKILL)
        assert child.returncode == -signal.SIGKILL
        assert all_gone(workers), "a worker outlived the killed night"

        assert _stored(killed) == before
        again = _plan(killed, roster, 3, workers=2)
        assert again.new_rows == len(_tonight(expected)) > 50
        assert _stored(killed) == expected


def _tonight(stored: dict[str, list[tuple[object, ...]]]) -> list[dict[str, object]]:
    """Tonight's stored planned actions, by column name."""
    names = [c.name for c in t.planned_actions.columns]
    rows = [dict(zip(names, row, strict=True)) for row in stored["planned_actions"]]
    return [row for row in rows if row["run_date"] == DAY]


def test_borrower_ranges_cover_every_borrower_once_in_runs_of_the_size(db_engine: Engine) -> None:
    """Each range holds ``size`` consecutive borrowers (the last one fewer) and every
    borrower is in exactly one, in the database's own order of the ids."""
    build_demo(db_engine, 60, 11, DAY, datetime(2026, 11, 19, tzinfo=UTC))
    b = t.borrowers
    with db_engine.connect() as conn:
        ids = list(conn.execute(select(b.c.borrower_id).order_by(b.c.borrower_id)).scalars())
        ranges = borrower_ranges(conn, 7)
        held = [
            list(conn.execute(select(b.c.borrower_id).where(r.holds(b.c.borrower_id))).scalars())
            for r in ranges
        ]
    assert ranges[0].low is None and ranges[-1].high is None
    assert sorted(borrower for part in held for borrower in part) == sorted(ids)
    sizes = [len(part) for part in held]
    assert sizes[:-1] == [7] * (len(ranges) - 1) and 1 <= sizes[-1] <= 7
    # Consecutive: each range starts where the previous one ended, in the database's order.
    firsts = [ids.index(min(part, key=ids.index)) for part in held]
    assert firsts == [7 * n for n in range(len(ranges))]

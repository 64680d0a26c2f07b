"""Benchmark: the night after the ledger (``plan_night``) on N loans; share of time per step.

    PYTHONPATH=src /work/venv/bin/python bench/nightly.py --loans 1000000 --reuse-db /tmp/night1m.db

The portfolio is built by ``bench/ledger.py``'s direct builder (loans, borrowers, payments
with a realistic mix of on-time, late, partial, stopped and prepaid loans), plus one
emergency contact per borrower, a guarantor for some, and three failed calls for some
overdue borrowers (so relay requests and the frequency rules have work). Then the real
ledger step (``services.nightly_ledger.run_day``, what ``run-day --ledger-only`` runs)
computes the states. None of that is timed in the total. With ``--reuse-db PATH`` the
database after the ledger step is kept at PATH (built on the first run) and copied for
every run, so each run plans the night from the same pristine tables.

Timed: ``plan_night`` (settle promises, load, plan, gate + render + screen, assign, insert,
queue, send), with the share of each step measured between the progress callbacks that
close the steps; the plan step is split in two around the night's lawful amounts
(``with_lawful_amounts``, wrapped here to close ``plan_day`` before it and ``lawful``
after it). In the same run, on a random sample of accounts, the baseline: the
straightforward path account by account (its rows read by key, ``plan_day`` on it, each
template rendered with Jinja2, each contact decided by a gate without caches, each row
inserted on its own), extrapolated to N; the ratio is printed. Both run on the same
machine at the same time, so the ratio is the figure to compare across loaded runs.
A digest of the night's ``planned_actions`` and ``outbox`` rows is printed so two code
versions can be checked to produce identical output.

Memory: the timed ``plan_night`` runs in a process of its own (this script, started with
``--run-night``); its peak RSS is the largest ``VmHWM`` of that process and of the gate's
forked helper. ``--partition-borrowers N`` plans the night N borrowers at a time
(default ``NIGHT_PARTITION_BORROWERS``);
``--compare-whole`` also plans it, on another pristine copy and in the same session,
with the whole portfolio in one partition, and prints both peaks, both times and their
ratio, and whether both stored the same night:

    PYTHONPATH=src /work/venv/bin/python bench/nightly.py --loans 100000 \
        --reuse-db /tmp/night100k.db --baseline-sample 0 --compare-whole \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

A first night reads nearly empty history tables. ``--history-nights 30`` plans tonight
after a month of nights instead (``build_history``: ~4M stored actions, ~2.5M outbox rows,
1.4M contact records, a month of stage churn at 1M loans), kept at ``--history-db`` and
reused like ``--reuse-db``; ``--baseline-sample 0`` skips the account-by-account baseline,
which reads planned actions per loan and is slow on such a history:

    PYTHONPATH=src /work/venv/bin/python bench/nightly.py --loans 1000000 \
        --reuse-db /tmp/night1m.db --history-nights 30 --history-db /tmp/h30.db \
        --baseline-sample 0
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT.parent / "src"))

from sqlalchemy import Connection, Engine, insert, select, text  # noqa: E402
from sqlalchemy.sql.util import find_tables  # noqa: E402

from faircollect.adapters.data_keys import keyring  # noqa: E402
from faircollect.adapters.db import tables as t  # noqa: E402
from faircollect.adapters.db.engine import create_schema, make_engine  # noqa: E402
from faircollect.adapters.db.uow import UnitOfWork  # noqa: E402
from faircollect.adapters.org_file import example_org_text, read_org  # noqa: E402
from faircollect.adapters.strategy_file import default_strategy_path, load_strategy  # noqa: E402
from faircollect.adapters.templates import TemplateRenderer, TemplateRenderError  # noqa: E402
from faircollect.cli.database import ensure_keys  # noqa: E402
from faircollect.domain.compliance.actions import DEFAULT_TZ  # noqa: E402
from faircollect.domain.compliance.gate import Gate  # noqa: E402
from faircollect.domain.compliance.pack import default_pack  # noqa: E402
from faircollect.domain.compliance.screener import screen  # noqa: E402
from faircollect.domain.organisation import Roster, roster  # noqa: E402
from faircollect.domain.strategy import ActionKind, plan_day  # noqa: E402
from faircollect.services import nightly_load, nightly_plan  # noqa: E402
from faircollect.services.nightly_ledger import run_day  # noqa: E402
from faircollect.services.nightly_plan import (  # noqa: E402
    NIGHT_PARTITION_BORROWERS,
    _base_row,
    _Night,
    plan_night,
)
from faircollect.services.organisation import load_organisation  # noqa: E402
from ledger import AS_OF, _build_portfolio  # noqa: E402
from pg_copy import copy_from_sqlite, is_postgres, throwaway_database  # noqa: E402

TZ = ZoneInfo(DEFAULT_TZ)
STEPS = (
    "settle",
    "load",
    "plan_day",
    "lawful",
    "plan",
    "history",
    "gate",
    "insert",
    "assign",
    "cases",
    "placements",
    "queue",
    "send",
)


def build(path: Path, loans: int, seed: int) -> float:
    """Portfolio (ledger bench builder) + contacts, the real ledger step, failed calls.

    Returns the ledger step's wall time."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    engine.dispose()
    _build_portfolio(path, loans, seed)
    con = sqlite3.connect(path)
    rng = random.Random(seed)
    ring = keyring()  # the numbers sealed and hashed, as an import stores them
    with con:
        con.executemany(
            "INSERT INTO contacts (borrower_id, name, phone, relation, is_emergency, "
            "phone_hash) VALUES (?, ?, ?, ?, ?, ?)",
            (
                (borrower, name, ring.seal(phone), relation, emergency, ring.lookup_hash(phone))
                for borrower, name, phone, relation, emergency in (
                    (f"B{i:08d}", "紧急联系人", f"139{i:08d}", "friend", 1)
                    if rng.random() < 0.9
                    else (f"B{i:08d}", "担保人", f"137{i:08d}", "guarantor", 0)
                    for i in range(loans)
                )
            ),
        )
    con.close()
    engine = make_engine(f"sqlite:///{path}")
    started = time.perf_counter()
    run_day(engine, AS_OF)
    ledger = time.perf_counter() - started
    _failed_calls(engine, seed)
    engine.dispose()
    return ledger


def _failed_calls(engine: Engine, seed: int) -> None:
    """Three unanswered calls on a fifth of the early-stage borrowers (yesterday)."""
    with engine.begin() as conn:
        ids = conn.execute(
            text(
                "SELECT l.loan_id, l.borrower_id FROM account_states s "
                "JOIN loans l ON l.loan_id = s.loan_id WHERE s.dpd BETWEEN 1 AND 30 "
                "ORDER BY l.loan_id"
            )
        ).all()
        rng = random.Random(seed)
        chosen = [r for r in ids if rng.random() < 0.2]
        yesterday = AS_OF - timedelta(days=1)
        rows = [
            {
                "record_id": f"R{n}-{loan_id}",
                "borrower_id": borrower_id,
                "loan_id": loan_id,
                "at": datetime.combine(yesterday, clock(10 + n), TZ),
                "channel": "call",
                "party": "borrower",
                "phone": "13800000000",
                "actor": "bench",
                "outcome": "no_answer",
                "note": "",
            }
            for loan_id, borrower_id in chosen
            for n in range(3)
        ]
        for start in range(0, len(rows), 20_000):
            conn.execute(insert(t.contact_records), rows[start : start + 20_000])


def build_history(source: Path, target: Path, nights: int) -> float:
    """``source`` plus ``nights`` previous nights of history, at ``target``; returns seconds.

    A real night is planned once on a scratch copy (untimed, the same code the bench
    times); its ``planned_actions``, ``outbox`` and ``loan_placements`` rows are then copied
    into each of the previous nights in SQL, dates shifted back by n days and ids suffixed
    ``-h<n>`` (a month at a million loans: ~4M actions, ~2.5M outbox rows). The calls and
    visits of those nights leave contact records (outcome from the id's first hex digit:
    3/8 no answer, 1/256 wrong number, the rest reached), and ``stage_history`` gets the
    churn a month leaves: every loan went current -> pre_due -> current once, and one
    loan in eight had a short early-stage episode (which makes its borrower a repeat
    delinquent tonight). The night planned on the result differs from a first night, as a
    real one would; the point is the size of the tables the night reads."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="fc-history-", dir="/tmp") as tmp:
        scratch = Path(tmp) / "tonight.db"
        shutil.copyfile(source, scratch)
        engine = make_engine(f"sqlite:///{scratch}")
        with UnitOfWork(engine) as uow:
            load_organisation(uow, example_org_text(), "example.yaml")
        plan_night(engine, AS_OF)
        engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(source, target)
        con = sqlite3.connect(target)
        # A throwaway build: no journal, no fsync, a cache that holds the indexes.
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("PRAGMA synchronous=OFF")
        con.execute("PRAGMA cache_size=-3000000")
        con.execute("ATTACH DATABASE ? AS tonight", (str(scratch),))
        with con:
            for n in range(1, nights + 1):
                _copy_night(con, n)
            _stage_churn(con, nights)
        con.execute("DETACH DATABASE tonight")
        con.close()
    return time.perf_counter() - started


def _shift(column: str, days: int) -> str:
    """SQL moving a stored date or 'YYYY-MM-DD HH:MM:SS.ffffff' text back ``days`` days,
    keeping the stored format."""
    return f"(date({column}, '-{days} days') || substr({column}, 11))"


def _copy_night(con: sqlite3.Connection, n: int) -> None:
    pa = [c.name for c in t.planned_actions.columns]
    shifted = {
        "action_id": f"action_id || '-h{n}'",
        "run_date": _shift("run_date", n),
        "scheduled_at": _shift("scheduled_at", n),
    }
    con.execute(
        f"INSERT INTO planned_actions ({', '.join(pa)}) "
        f"SELECT {', '.join(shifted.get(c, c) for c in pa)} FROM tonight.planned_actions "
        "ORDER BY action_id"
    )
    ob = [c.name for c in t.outbox.columns]
    shifted = {
        "message_id": f"message_id || '-h{n}'",
        "run_date": _shift("run_date", n),
        "queued_at": _shift("queued_at", n),
        "sent_at": _shift("sent_at", n),
    }
    con.execute(
        f"INSERT INTO outbox ({', '.join(ob)}) "
        f"SELECT {', '.join(shifted.get(c, c) for c in ob)} FROM tonight.outbox "
        "ORDER BY message_id"
    )
    con.execute(
        "INSERT INTO loan_placements (loan_id, placed_on, agency_id, recall_on, action_id) "
        f"SELECT loan_id, {_shift('placed_on', n)}, agency_id, {_shift('recall_on', n)}, "
        f"action_id || '-h{n}' FROM tonight.loan_placements"
    )
    con.execute(
        "INSERT INTO contact_records (record_id, borrower_id, loan_id, action_id, at, channel, "
        "party, phone, actor, outcome, note) "
        f"SELECT 'H{n}-' || action_id, borrower_id, loan_id, action_id || '-h{n}', "
        f"{_shift('scheduled_at', n)}, channel, party, target, coalesce(assignee, 'bench'), "
        "CASE WHEN substr(action_id, 1, 2) = '40' THEN 'wrong_number' "
        "WHEN substr(action_id, 1, 1) < '6' THEN 'no_answer' ELSE 'borrower_reached' END, '' "
        "FROM tonight.planned_actions "
        "WHERE channel IN ('call', 'visit') AND status != 'denied'"
    )


def _stage_churn(con: sqlite3.Connection, nights: int) -> None:
    """Each loan: current -> pre_due -> current three days later, once in the window; one
    loan in eight: current -> early -> current four days later, earlier in the window."""
    day = AS_OF.isoformat()
    span = max(nights - 8, 1)
    offset = f"(CAST(substr(loan_id, 2) AS INTEGER) % {span})"
    for stage, previous, back in (
        ("pre_due", "current", f"5 + {offset}"),
        ("current", "pre_due", f"2 + {offset}"),
    ):
        con.execute(
            "INSERT OR IGNORE INTO stage_history (loan_id, entered_on, stage, previous_stage) "
            f"SELECT loan_id, date(?, '-' || ({back}) || ' days'), ?, ? FROM loans",
            (day, stage, previous),
        )
    eighth = "CAST(substr(loan_id, 2) AS INTEGER) % 8 = 3"
    for stage, previous, back in (("early", "current", 8), ("current", "early", 4)):
        con.execute(
            "INSERT OR IGNORE INTO stage_history (loan_id, entered_on, stage, previous_stage) "
            f"SELECT loan_id, date(?, '-' || ({back} + {offset}) || ' days'), ?, ? "
            f"FROM loans WHERE {eighth}",
            (day, stage, previous),
        )


def _example_roster() -> Roster:
    org = read_org(example_org_text(), "example.yaml")
    return roster(org.people, org.teams, org.agencies)


def baseline_night(engine: Engine, sample: list[str]) -> float:
    """The straightforward night for ``sample``, account by account; rolled back."""
    strategy = load_strategy(default_strategy_path())
    night = _Night(
        strategy,
        _example_roster(),
        Gate(default_pack(), screen, cache_screening=False),
        TZ,
        AS_OF,
        TemplateRenderer(),
    )
    started = time.perf_counter()
    with engine.connect() as conn:
        trans = conn.begin()
        for loan_id in sample:
            _one_account(conn, night, loan_id)
        trans.rollback()
    return time.perf_counter() - started


def _one_account(conn: Connection, night: _Night, loan_id: str) -> None:
    borrower = conn.execute(
        select(t.loans.c.borrower_id).where(t.loans.c.loan_id == loan_id)
    ).scalar_one()
    views = nightly_load.load_views(
        _Only(conn, loan_id, borrower), AS_OF, TZ, night.strategy.thresholds.pre_due_days
    )
    actions = plan_day(views, night.strategy, AS_OF, TZ)
    history = nightly_load.load_history(_Only(conn, loan_id, borrower), {borrower}, AS_OF, TZ)
    for action in actions:
        row = _base_row(action, TZ)
        if action.kind is ActionKind.CONTACT and action.channel is not None:
            text_ = None
            if action.template is not None:
                try:
                    text_ = night.renderer.render(action.template, action.context)
                except TemplateRenderError:
                    continue
            proposal = night._proposal(action, views[0], text_, history.get(borrower, ()))
            decision = night.gate.decide(proposal)
            if not decision.allowed and decision.next_allowed_at is not None:
                night.gate.decide(replace(proposal, at=decision.next_allowed_at))
            row["rendered"] = text_
        row |= {"run_date": AS_OF, "status": "planned", "allowed": True, "decision": "{}"}
        conn.execute(insert(t.planned_actions), [row])


class _Only:
    """A connection whose queries see only one loan's and one borrower's rows.

    Lets the baseline reuse the real loaders while reading one account at a time: every
    select over the loan/borrower tables gets an extra WHERE on the key."""

    def __init__(self, conn: Connection, loan_id: str, borrower_id: str) -> None:
        self.conn, self.loan_id, self.borrower_id = conn, loan_id, borrower_id

    def execute(self, query, *args):  # type: ignore[no-untyped-def]
        for table, column in (
            (t.account_states, "loan_id"),
            (t.loans, "borrower_id"),
            (t.contacts, "borrower_id"),
            (t.contact_records, "borrower_id"),
            (t.promises, "loan_id"),
            (t.planned_actions, "loan_id"),
        ):
            if table in find_tables(query, include_joins=True):
                key = self.loan_id if column == "loan_id" else self.borrower_id
                query = query.where(table.c[column] == key)
        return self.conn.execute(query, *args)


def digest(url: str, day: date) -> str:
    """sha256 over the night's planned_actions, outbox and placement rows, ordered by id,
    as Python values (the same rows give the same digest on SQLite and PostgreSQL)."""
    engine = make_engine(url)
    h = hashlib.sha256()
    pa, ob, lp = t.planned_actions, t.outbox, t.loan_placements
    with engine.connect() as conn:
        for query in (
            select(pa).where(pa.c.run_date == day).order_by(pa.c.action_id),
            select(ob).where(ob.c.run_date == day).order_by(ob.c.message_id),
            select(lp).where(lp.c.placed_on == day).order_by(lp.c.action_id),
        ):
            for row in conn.execute(query):
                h.update(repr(tuple(row)).encode())
    engine.dispose()
    return h.hexdigest()[:16]


Fresh = Callable[[], AbstractContextManager[str]]
"""A fresh copy of the built database for one night: its URL, dropped afterwards."""

WHOLE = 10**12
"""A partition size no portfolio reaches: the whole portfolio in one partition."""


def main() -> None:
    args = _arguments()
    ensure_keys()  # sealing needs a data key: the configured one, else ./faircollect.keys
    if args.run_night:
        _run_night_here(args.run_night, args.partition_borrowers, args.profile, args.workers)
        return
    if args.database_url and not is_postgres(args.database_url):
        raise SystemExit("--database-url: a postgresql+psycopg:// URL (SQLite is always run)")
    with tempfile.TemporaryDirectory(prefix="fc-night-", dir="/tmp") as tmp:
        source, loans = _portfolio(args, Path(tmp))
        sizes = (
            [WHOLE, args.partition_borrowers] if args.compare_whole else [args.partition_borrowers]
        )
        lite = _variants("sqlite", args, loans, sizes, _sqlite_copies(source, Path(tmp)))
        if args.database_url:
            pg = _variants("postgresql", args, loans, sizes, _pg_copies(source, args.database_url))
            print("== postgresql / sqlite (same portfolio, same session) ==")
            print(f"plan_night: {pg[-1].wall / lite[-1].wall:.2f}x")
            same = "identical" if pg[-1].digest == lite[-1].digest else "DIFFERENT"
            print(f"night's output on both backends: {same}")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reuse-db", type=Path, default=None, help="keep the built database")
    parser.add_argument("--baseline-sample", type=int, default=5_000)
    parser.add_argument(
        "--profile", type=Path, default=None, help="cProfile plan_night here (.sqlite, .postgresql)"
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="also plan the night on this PostgreSQL server (a throwaway database holding a "
        "copy of the same SQLite database)",
    )
    parser.add_argument(
        "--history-nights",
        type=int,
        default=0,
        help="plan tonight after N previous nights of history (actions, outbox, contacts)",
    )
    parser.add_argument(
        "--history-db",
        type=Path,
        default=None,
        help="keep the database with history here (default: next to --reuse-db)",
    )
    parser.add_argument(
        "--partition-borrowers",
        type=int,
        default=NIGHT_PARTITION_BORROWERS,
        help=f"borrowers planned at once (default {NIGHT_PARTITION_BORROWERS:,})",
    )
    parser.add_argument(
        "--compare-whole",
        action="store_true",
        help="also plan the night with the whole portfolio in one partition (same session)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processes computing the night's partitions (plan_night workers; default 1)",
    )
    parser.add_argument("--run-night", default=None, help=argparse.SUPPRESS)
    return parser.parse_args()


def _portfolio(args: argparse.Namespace, tmp: Path) -> tuple[Path, int]:
    """The built (or reused) database to plan from, checked; and its number of loans."""
    source = args.reuse_db or tmp / "built.db"
    started = time.perf_counter()
    note = Path(f"{source}.ledger-seconds")
    if source.exists():
        measured = f"{float(note.read_text()):.1f} s" if note.exists() else "not recorded"
        how = f"reused {source}; its ledger step (run_day), timed when built: {measured}"
    else:
        ledger = build(source, args.loans, args.seed)
        note.write_text(f"{ledger:.3f}")
        how = f"built at {source}; ledger step (run_day) {ledger:.1f} s"
    if args.history_nights > 0:
        kept = args.history_db or Path(f"{source}.history-{args.history_nights}.db")
        if not kept.exists():
            built = build_history(source, kept, args.history_nights)
            how += f"; {args.history_nights} nights of history built at {kept} ({built:.0f} s)"
        else:
            how += f"; {args.history_nights} nights of history reused from {kept}"
        source = kept
    with sqlite3.connect(source) as con:
        loans, states, records = con.execute(
            "SELECT (SELECT COUNT(*) FROM loans), (SELECT COUNT(*) FROM account_states "
            "WHERE as_of <= ?), (SELECT COUNT(*) FROM contact_records)",
            (AS_OF.isoformat(),),
        ).fetchone()
        stages = dict(
            con.execute("SELECT stage, COUNT(*) FROM account_states GROUP BY stage").fetchall()
        )
    if loans != args.loans or states != loans:
        raise SystemExit(f"{source}: {loans:,} loans, {states:,} states for {args.loans:,}")
    print(
        f"portfolio: {loans:,} loans, {records:,} contact records, stages {stages} "
        f"({how}; {time.perf_counter() - started:.1f} s, not timed)"
    )
    return source, loans


def _sqlite_copies(source: Path, tmp: Path) -> Fresh:
    """Fresh copies of ``source``, each deleted after its night."""

    @contextmanager
    def fresh() -> Iterator[str]:
        work = tmp / "night.db"
        shutil.copyfile(source, work)
        os.sync()
        try:
            yield f"sqlite:///{work}"
        finally:
            work.unlink()

    return fresh


def _pg_copies(source: Path, server: str) -> Fresh:
    """Throwaway PostgreSQL databases holding a copy of ``source``, dropped after."""

    @contextmanager
    def fresh() -> Iterator[str]:
        with throwaway_database(server) as url:
            copying = time.perf_counter()
            copy_from_sqlite(source, url)
            print(
                f"== postgresql: the same database copied into {url.rsplit('/', 1)[1]} "
                f"({time.perf_counter() - copying:.1f} s, not timed) =="
            )
            yield url

    return fresh


@dataclass(frozen=True)
class Night:
    """One timed night: wall seconds, the digest of what it stored, its peak RSS."""

    size: int
    wall: float
    digest: str
    peak_rss: int
    """Bytes: the largest resident set of the night's process or its forked helper."""
    anon_peak: int
    """Bytes: the largest anonymous memory of the process and its helper together."""


def _variants(
    backend: str,
    args: argparse.Namespace,
    loans: int,
    sizes: list[int],
    fresh: Fresh,
) -> list[Night]:
    """The night planned once per partition size, each on a pristine copy."""
    nights = []
    for n, size in enumerate(sizes):
        with fresh() as url:
            print(f"== {backend}: partitions of {_size(size)} ==")
            nights.append(_night_on(url, args, loans, size, baseline=n == 0))
    if len(nights) == 2:
        whole, parts = nights
        print(f"== {backend}: whole portfolio in one partition vs {_size(parts.size)} ==")
        print(
            f"peak RSS of the night: {_mib(whole.peak_rss)} -> {_mib(parts.peak_rss)} "
            f"({parts.peak_rss / whole.peak_rss:.2f}x)"
        )
        print(
            f"anonymous memory of the night: {_mib(whole.anon_peak)} -> "
            f"{_mib(parts.anon_peak)} ({parts.anon_peak / max(whole.anon_peak, 1):.2f}x)"
        )
        print(
            f"plan_night wall: {whole.wall:.1f} s -> {parts.wall:.1f} s "
            f"({parts.wall / whole.wall:.2f}x)"
        )
        same = "identical" if whole.digest == parts.digest else "DIFFERENT"
        print(f"night's output in one partition and in partitions: {same}")
    return nights


def _size(size: int) -> str:
    return "the whole portfolio" if size >= WHOLE else f"{size:,} borrowers"


def _mib(size: int) -> str:
    return f"{size / 2**20:,.0f} MiB"


def _night_on(
    url: str, args: argparse.Namespace, loans: int, size: int, *, baseline: bool
) -> Night:
    """Plan the night on ``url`` (timed, in a process of its own; with the baseline when
    asked); print the figures; return them."""
    engine = make_engine(url)
    upgrading = time.perf_counter()
    create_schema(engine)  # a database built by older code gets the newer indexes
    print(f"schema at head ({time.perf_counter() - upgrading:.1f} s, not timed)")
    with UnitOfWork(engine) as uow:  # AG01/AG02: the night's placements reach casework
        load_organisation(uow, example_org_text(), "example.yaml")

    sample: list[str] = []
    if baseline and args.baseline_sample:
        with engine.connect() as conn:
            ids = conn.execute(select(t.loans.c.loan_id).order_by(t.loans.c.loan_id)).scalars()
            sample = sorted(random.Random(args.seed).sample(list(ids), args.baseline_sample))
    base = baseline_night(engine, sample) if sample else 0.0
    engine.dispose()

    load_before = os.getloadavg()
    result, peak = _in_own_process(url, size, args.profile, args.workers)
    load_after = os.getloadavg()
    check = digest(url, AS_OF)
    wall = result["wall"]

    print(f"night {AS_OF}: {result['planned']:,} actions, {result['sent']:,} sent")
    print(
        f"cases: {result['cases_opened']:,} opened for delinquent borrowers, "
        f"{result['cases_moved']:,} moved to tonight's collector"
    )
    print(
        f"casework: {result['placed']:,} cases placed with an agency "
        f"({result['casework_opened']:,} cases opened), {result['not_placed']:,} not placed"
    )
    print(f"statuses: {result['by_status']}")
    print(f"denied by rule: {result['denied_by_rule']}")
    print(f"output digest (planned_actions + outbox + placements): {check}")
    print(
        f"plan_night wall {wall:.2f} s, cpu {result['cpu']:.2f} s (this process), "
        f"{loans / wall:,.0f} accounts/s"
    )
    print(
        f"night's peak RSS: {_mib(peak)} (partitions of {_size(size)}); anonymous memory "
        f"at most {_mib(result['anon_peak'])} (process + forked helper, proportional, sampled)"
    )
    print("  step         wall   share    cpu (this process)")
    for step, (spent, used) in result["steps"].items():
        print(f"  {step:<10} {spent:6.2f} s {100 * spent / wall:5.1f} % {used:6.2f} s")
    if not args.baseline_sample:
        print("baseline skipped (--baseline-sample 0)")
    elif sample:
        _print_baseline(len(sample), base, loans, wall)
    print(
        "load average (1/5/15 min) before {:.2f} {:.2f} {:.2f}, after {:.2f} {:.2f} {:.2f}".format(
            *load_before, *load_after
        )
    )
    return Night(size, wall, check, peak, result["anon_peak"])


RESULT = "NIGHT-RESULT "
"""The line prefix the night's own process writes its figures after (as JSON)."""


def _in_own_process(
    url: str, size: int, profile: Path | None, workers: int
) -> tuple[dict[str, Any], int]:
    """Run ``plan_night`` in a new process of this script; its figures and its peak RSS
    (bytes: the largest ``VmHWM`` of the process, read by itself as it ends, and of its
    forked helpers, sampled).

    Not ``wait4``'s ``ru_maxrss``: Linux keeps in it the high-water mark of the image the
    child was forked from before its ``exec``, i.e. this script's own RSS at the moment
    (1.7 GiB right after copying a 1M portfolio into PostgreSQL), whatever the night used."""
    command = [sys.executable, __file__, "--run-night", url, "--partition-borrowers", str(size)]
    command += ["--workers", str(workers)]
    if profile:
        command += ["--profile", str(profile)]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # nosec B603
    assert child.stdout is not None
    sampler = AnonSampler(child.pid)
    sampler.start()
    out = child.stdout.read()
    sampler.stop()
    child.wait()
    if child.returncode:
        raise SystemExit(f"the night's process failed ({child.returncode}):\n{out}")
    line = next(x for x in out.splitlines() if x.startswith(RESULT))
    figures = json.loads(line.removeprefix(RESULT))
    figures["anon_peak"] = sampler.peak
    return figures, max(figures["hwm"], sampler.helper_hwm)


class AnonSampler(threading.Thread):
    """The largest anonymous memory (the heap: Python's objects, SQLite's page cache; not
    the pages of the memory-mapped database file) of a process and its children
    together, sampled every ``SAMPLE_SECONDS`` from ``/proc`` (Linux; 0 elsewhere).

    Each process counts its proportional share (``Pss_Anon``), so the pages a forked
    helper still shares with its parent count once, not twice. The peak RSS counts the
    pages of the memory-mapped SQLite file the night read; this is what the night's own
    objects and caches take."""

    SAMPLE_SECONDS = 0.05

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self._done = pid, 0, threading.Event()
        self.helper_hwm = 0
        """The largest ``VmHWM`` of the process's children (the forked helpers)."""

    def run(self) -> None:
        while not self._done.wait(self.SAMPLE_SECONDS):
            helpers = _children(self.pid)
            self.peak = max(self.peak, sum(_anon(pid) for pid in [self.pid, *helpers]))
            for pid in helpers:
                self.helper_hwm = max(self.helper_hwm, _status(pid, "VmHWM"))

    def stop(self) -> None:
        self._done.set()
        self.join()


def _children(pid: int) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _status(pid: int | str, field: str) -> int:
    """A size field of ``/proc/<pid>/status`` in bytes (0 when the process has ended)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _anon(pid: int) -> int:
    """``Pss_Anon`` of ``pid`` in bytes (0 when it has ended)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss_Anon:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _run_night_here(url: str, size: int, profile: Path | None, workers: int) -> None:
    """The night's process: plan the night, write the figures as one JSON line."""
    engine = make_engine(url)
    steps: dict[str, list[float]] = {}
    last = [time.perf_counter(), time.process_time()]

    def progress(step: str, done: int, total: int) -> None:
        """Each finished step gets the time since the previous one finished (steps of
        the partitions add up)."""
        if done < total:
            return
        now = [time.perf_counter(), time.process_time()]
        spent = steps.setdefault(step, [0.0, 0.0])
        spent[0] += now[0] - last[0]
        spent[1] += now[1] - last[1]
        last[:] = now

    with_lawful_amounts = nightly_plan.with_lawful_amounts

    def lawful_step(*args: Any) -> Any:
        """The night's lawful amounts, closed off as a step of their own (bench only)."""
        progress("plan_day", 1, 1)
        try:
            return with_lawful_amounts(*args)
        finally:
            progress("lawful", 1, 1)

    nightly_plan.with_lawful_amounts = lawful_step  # type: ignore[assignment]
    start_wall, start_cpu = last
    if profile:
        import cProfile

        with cProfile.Profile() as prof:
            summary = plan_night(
                engine, AS_OF, progress=progress, partition_borrowers=size, workers=workers
            )
        prof.dump_stats(f"{profile}.{engine.dialect.name}")
    else:
        summary = plan_night(
            engine, AS_OF, progress=progress, partition_borrowers=size, workers=workers
        )
    wall, cpu = time.perf_counter() - start_wall, time.process_time() - start_cpu
    steps["count"] = [time.perf_counter() - last[0], time.process_time() - last[1]]
    engine.dispose()
    cases = summary.casework
    figures = {
        "wall": wall,
        "cpu": cpu,
        "planned": summary.planned,
        "sent": summary.sent,
        "cases_opened": summary.cases.opened,
        "cases_moved": summary.cases.moved,
        "placed": len(cases.placed),
        "casework_opened": len(cases.opened),
        "not_placed": len(cases.not_placed),
        "by_status": dict(summary.by_status),
        "denied_by_rule": dict(summary.denied_by_rule),
        "steps": {step: steps[step] for step in (*STEPS, "count") if step in steps},
        "hwm": _status("self", "VmHWM"),
    }
    print(RESULT + json.dumps(figures, ensure_ascii=False))


def _print_baseline(sample: int, base: float, loans: int, wall: float) -> None:
    rate = sample / base
    print(
        f"baseline, account by account: {sample:,} accounts in {base:.2f} s, "
        f"{rate:,.0f} accounts/s -> {loans / rate:,.0f} s extrapolated to {loans:,}"
    )
    print(f"ratio plan_night / baseline: {(loans / wall) / rate:.1f}x")


if __name__ == "__main__":
    main()

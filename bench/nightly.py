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
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from dataclasses import replace
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
from faircollect.services.nightly_plan import _base_row, _Night, plan_night  # noqa: E402
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
    "assign",
    "insert",
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


def baseline(engine: Engine, sample: list[str]) -> float:
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


def main() -> None:
    ensure_keys()  # sealing needs a data key: the configured one, else ./faircollect.keys
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
    args = parser.parse_args()
    if args.database_url and not is_postgres(args.database_url):
        raise SystemExit("--database-url: a postgresql+psycopg:// URL (SQLite is always run)")
    with tempfile.TemporaryDirectory(prefix="fc-night-", dir="/tmp") as tmp:
        source = args.reuse_db or Path(tmp) / "built.db"
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
        work = Path(tmp) / "night.db"
        shutil.copyfile(source, work)
        os.sync()
        with sqlite3.connect(work) as con:
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
        lite = _night_on(f"sqlite:///{work}", args, loans)
        if args.database_url:
            with throwaway_database(args.database_url) as url:
                copying = time.perf_counter()
                copy_from_sqlite(source, url)
                print(
                    f"== postgresql: the same database copied into {url.rsplit('/', 1)[1]} "
                    f"({time.perf_counter() - copying:.1f} s, not timed) =="
                )
                pg = _night_on(url, args, loans)
            print("== postgresql / sqlite (same portfolio, same session) ==")
            print(f"plan_night: {pg[0] / lite[0]:.2f}x")
            same = "identical" if pg[1] == lite[1] else "DIFFERENT"
            print(f"night's output on both backends: {same}")


def _night_on(url: str, args: argparse.Namespace, loans: int) -> tuple[float, str]:
    """Plan the night on ``url`` (timed, with the baseline); print the figures; returns
    the wall seconds and the output digest."""
    engine = make_engine(url)
    upgrading = time.perf_counter()
    create_schema(engine)  # a database built by older code gets the newer indexes
    print(f"schema at head ({time.perf_counter() - upgrading:.1f} s, not timed)")
    with UnitOfWork(engine) as uow:  # AG01/AG02: the night's placements reach casework
        load_organisation(uow, example_org_text(), "example.yaml")

    with engine.connect() as conn:
        ids = conn.execute(select(t.loans.c.loan_id).order_by(t.loans.c.loan_id)).scalars()
        sample = sorted(random.Random(args.seed).sample(list(ids), args.baseline_sample))
    base = baseline(engine, sample) if sample else 0.0

    marks: dict[str, tuple[float, float]] = {}

    def progress(step: str, done: int, total: int) -> None:
        if done >= total:
            marks[step] = (time.perf_counter(), time.process_time())

    with_lawful_amounts = nightly_plan.with_lawful_amounts

    def lawful_step(*args: Any) -> Any:
        """The night's lawful amounts, closed off as a step of their own (bench only)."""
        progress("plan_day", 1, 1)
        try:
            return with_lawful_amounts(*args)
        finally:
            progress("lawful", 1, 1)

    nightly_plan.with_lawful_amounts = lawful_step  # type: ignore[assignment]
    load_before = os.getloadavg()
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    if args.profile:
        import cProfile

        with cProfile.Profile() as prof:
            summary = plan_night(engine, AS_OF, progress=progress)
        prof.dump_stats(f"{args.profile}.{engine.dialect.name}")
    else:
        summary = plan_night(engine, AS_OF, progress=progress)
    wall, cpu = time.perf_counter() - start_wall, time.process_time() - start_cpu
    load_after = os.getloadavg()
    nightly_plan.with_lawful_amounts = with_lawful_amounts  # type: ignore[assignment]
    engine.dispose()
    check = digest(url, AS_OF)

    print(f"night {AS_OF}: {summary.planned:,} actions, {summary.sent:,} sent")
    print(
        f"cases: {summary.cases.opened:,} opened for delinquent borrowers, "
        f"{summary.cases.moved:,} moved to tonight's collector"
    )
    cases = summary.casework
    print(
        f"casework: {len(cases.placed):,} cases placed with an agency "
        f"({len(cases.opened):,} cases opened), {len(cases.not_placed):,} not placed"
    )
    print(f"statuses: {dict(summary.by_status)}")
    print(f"denied by rule: {dict(summary.denied_by_rule)}")
    print(f"output digest (planned_actions + outbox + placements): {check}")
    print(
        f"plan_night wall {wall:.2f} s, cpu {cpu:.2f} s (this process), "
        f"{loans / wall:,.0f} accounts/s"
    )
    previous = (start_wall, start_cpu)
    marks["count"] = (start_wall + wall, start_cpu + cpu)
    print("  step         wall   share    cpu (this process)")
    for step in (*STEPS, "count"):
        if step not in marks:
            continue
        end = marks[step]
        spent, used, previous = end[0] - previous[0], end[1] - previous[1], end
        print(f"  {step:<10} {spent:6.2f} s {100 * spent / wall:5.1f} % {used:6.2f} s")
    if not sample:
        print("baseline skipped (--baseline-sample 0)")
    else:
        _print_baseline(len(sample), base, loans, wall)
    print(
        "load average (1/5/15 min) before {:.2f} {:.2f} {:.2f}, after {:.2f} {:.2f} {:.2f}".format(
            *load_before, *load_after
        )
    )
    return wall, check


def _print_baseline(sample: int, base: float, loans: int, wall: float) -> None:
    rate = sample / base
    print(
        f"baseline, account by account: {sample:,} accounts in {base:.2f} s, "
        f"{rate:,.0f} accounts/s -> {loans / rate:,.0f} s extrapolated to {loans:,}"
    )
    print(f"ratio plan_night / baseline: {(loans / wall) / rate:.1f}x")


if __name__ == "__main__":
    main()

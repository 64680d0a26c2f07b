"""Load: collectors on loopback against the workbench on PostgreSQL while the night runs.

    PYTHONPATH=src .venv/bin/python bench/load.py --accounts 20000 --clients 50 --seconds 120

The database is what ``bench/web.py`` builds (``faircollect demo``, ``import``, ``user
load``, ``run-day`` for the benchmark's day, a case per delinquent borrower), on
PostgreSQL: by default a throwaway database created on ``--pg-admin``'s server for the run
and dropped after it; ``--reuse-db NAME`` keeps a built database NAME there and runs on a
fresh copy of it (``CREATE DATABASE ... TEMPLATE NAME``); ``--database-url URL`` runs on
that database as it is (built first when it holds no loans).

The app runs under uvicorn in a subprocess on 127.0.0.1 (``bench/web.py``'s server: the
app ``faircollect serve`` serves, its clock at 10:00 on the benchmark's day and moving
with real time). ``--clients`` collectors (threads, one signed-in httpx session each; the
collectors with work, their cases shared out among their clients) work for ``--seconds``
doing a collector's mix: the queue, a case page, a contact POST (a 催记 on one of their
cases, no answer), a promise POST (100.00 on one of their cases' loans). Every POST carries
a fresh ``Idempotency-Key``. Meanwhile the night runs on the same database in a
subprocess: ``faircollect run-day`` for the next day, and the day after when it finishes,
until the time is up. With ``--baseline S`` the same collectors first work S seconds
without the night, and the p95 with the night is printed as a ratio to theirs (the machine
is shared: a ratio from one run means more than a latency).

Printed: p50 / p95 / p99 latency and errors per endpoint (an error is any answer other
than the expected 200 / 201, or a failed connection: there must be none), each night's
duration, and the checks that matter after a crash-free run under load: every POST that
got a 201 is stored exactly once (its id found once, and the rows these collectors made
during the run are exactly those: counted in SQL), every key is stored once, and a
retry of a sample of them with the same key is answered from the key and stores nothing.
Exit 1 when there was an error or a check failed.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent / "src"))
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import Engine, create_engine, func, select, text  # noqa: E402

import web  # noqa: E402
from faircollect.adapters.db import tables as t  # noqa: E402
from faircollect.adapters.db.engine import make_engine  # noqa: E402

PG_ADMIN = os.environ.get(
    "FAIRCOLLECT_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
ENDPOINTS = ("queue", "case page", "contact POST", "promise POST")
MIX = (2, 4, 3, 1)
"""How often a collector does each, relatively: a case is opened more often than the queue,
most calls end in a 催记, some in a promise."""
REPLAYS = 100
HEADER = f"{'endpoint':<14}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}"


# The database ---------------------------------------------------------------------------


def _admin(admin_url: str, statement: str) -> None:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()


def _url_of(admin_url: str, name: str) -> str:
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def _exists(admin_url: str, name: str) -> bool:
    engine = create_engine(admin_url)
    try:
        with engine.connect() as conn:
            found = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).first()
    finally:
        engine.dispose()
    return found is not None


def _built(url: str) -> bool:
    """The database holds a portfolio (loans) already."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return bool(conn.execute(select(func.count()).select_from(t.loans)).scalar())
    except Exception:  # no schema yet
        return False
    finally:
        engine.dispose()


def _build(url: str, accounts: int, day: date) -> None:
    began = time.perf_counter()
    web.build_at(url, accounts, day)
    print(
        f"built {url}: {accounts:,} accounts, night of {day}, {time.perf_counter() - began:.1f} s"
    )


@contextmanager
def database(args: argparse.Namespace) -> Iterator[str]:
    """The URL to run on: as given, a fresh copy of a kept database, or a throwaway one."""
    if args.database_url:
        if not _built(args.database_url):
            _build(args.database_url, args.accounts, args.day)
        yield args.database_url
        return
    if args.reuse_db:
        if not _exists(args.pg_admin, args.reuse_db):
            _admin(args.pg_admin, f'CREATE DATABASE "{args.reuse_db}"')
            _build(_url_of(args.pg_admin, args.reuse_db), args.accounts, args.day)
        else:
            print(f"reused {args.reuse_db}")
    name = f"fc_load_{uuid.uuid4().hex[:10]}"
    template = f' TEMPLATE "{args.reuse_db}"' if args.reuse_db else ""
    _admin(args.pg_admin, f'CREATE DATABASE "{name}"{template}')
    try:
        url = _url_of(args.pg_admin, name)
        if not args.reuse_db:
            _build(url, args.accounts, args.day)
        yield url
    finally:
        _admin(args.pg_admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# The collectors --------------------------------------------------------------------------


@dataclass
class Made:
    """A POST that got its 201: what to look for in the database, and how to resend it."""

    kind: str
    owner: str
    key: str
    made_id: str
    path: str
    body: dict[str, object]
    answer: dict[str, object]


@dataclass
class Tally:
    results: dict[str, web.Result] = field(
        default_factory=lambda: {kind: web.Result() for kind in ENDPOINTS}
    )
    made: list[Made] = field(default_factory=list)
    moved: int = 0
    """Requests about a case the night had handed to another collector meanwhile (404)."""
    lock: threading.Lock = field(default_factory=threading.Lock)


def case_loans(url: str) -> dict[str, list[str]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(select(t.case_loans.c.case_id, t.case_loans.c.loan_id)).all()
    engine.dispose()
    loans: dict[str, list[str]] = {}
    for case_id, loan_id in rows:
        loans.setdefault(case_id, []).append(loan_id)
    return loans


def clients_for(base: str, working: dict[str, list[str]], count: int) -> list[web.Collector]:
    """``count`` signed-in collectors; the clients of one collector share its cases out
    (no two clients call the same borrower, so the gate's frequency rules never refuse)."""
    owners = list(working)
    per_owner: dict[str, int] = {}
    seats = []
    for i in range(count):
        owner = owners[i % len(owners)]
        seats.append((owner, per_owner.get(owner, 0)))
        per_owner[owner] = per_owner.get(owner, 0) + 1
    clients = []
    for owner, seat in seats:
        share = working[owner][seat :: per_owner[owner]] or working[owner]
        clients.append(web.sign_in(base, owner, share))
    return clients


def request_for(
    kind: str, c: web.Collector, day: date, phones: dict[str, str], loans: dict[str, list[str]]
) -> tuple[str, str, dict[str, object] | None, int, str | None]:
    """(method, path, JSON body, expected status, the case it is about)."""
    if kind == "queue":
        return "GET", "/api/v1/queue", None, 200, None
    case_id = c.next_case()
    if kind == "case page":
        return "GET", f"/api/v1/cases/{case_id}", None, 200, case_id
    if kind == "contact POST":
        contact: dict[str, object] = {
            "channel": "call",
            "party": "borrower",
            "number": phones[case_id],
            # reached, not "no answer": CN-FREQ-1 allows 6 unanswered calls a number a day,
            # and a client with a few cases calls each of them more often than that
            "outcome": "borrower_reached",
            "note": "已接通，借款人表示月底前还款",
        }
        return "POST", f"/api/v1/cases/{case_id}/contacts", contact, 201, case_id
    promise: dict[str, object] = {
        "loan_id": loans[case_id][0],
        "amount": "100.00",
        "due": str(day + timedelta(7)),
    }
    return "POST", "/api/v1/promises", promise, 201, case_id


def still_theirs(engine: Engine, case_id: str, user_id: str) -> bool:
    """The case is still the collector's (the night may hand it to another collector)."""
    with engine.connect() as conn:
        owner = conn.execute(
            select(t.cases.c.owner_kind, t.cases.c.owner_id).where(t.cases.c.case_id == case_id)
        ).one_or_none()
    return owner is not None and tuple(owner) == ("collector", user_id)


def work(
    c: web.Collector,
    stop_at: float,
    tally: Tally,
    seed: int,
    day: date,
    phones: dict[str, str],
    loans: dict[str, list[str]],
    engine: Engine,
) -> None:
    """One collector's session until ``stop_at``. A 404 on a case the night has meanwhile
    handed to another collector is what the collector would see too: the case leaves this
    client's list and is counted as moved, not as an error (a 404 on a case still theirs
    is an error)."""
    rng = random.Random(seed)
    while time.monotonic() < stop_at:
        kind = rng.choices(ENDPOINTS, MIX)[0]
        method, path, body, expected, case_id = request_for(kind, c, day, phones, loans)
        key = str(uuid.uuid4()) if method == "POST" else None
        headers = {"Idempotency-Key": key} if key else None
        began = time.perf_counter()
        try:
            answer = c.client.request(method, path, json=body, headers=headers)
            took = time.perf_counter() - began
            problem = (
                None
                if answer.status_code == expected
                else f"{answer.status_code} {method} {path}: {answer.text[:200]}"
            )
        except httpx.HTTPError as err:
            took = time.perf_counter() - began
            problem, answer = f"{type(err).__name__} {method} {path}", None
        moved = (
            answer is not None
            and answer.status_code == 404
            and case_id is not None
            and not still_theirs(engine, case_id, c.user_id)
        )
        if moved:
            problem = None
            if len(c.cases) > 1:
                c.cases.remove(str(case_id))
        made = None
        if problem is None and not moved and key and body is not None and answer is not None:
            found = answer.json()
            made_id = str(found["contact_id"] if kind == "contact POST" else found["promise_id"])
            made = Made(kind, c.user_id, key, made_id, path, body, found)
        with tally.lock:
            tally.results[kind].latencies.append(took)
            tally.moved += moved
            if problem:
                tally.results[kind].errors.append(problem)
            if made:
                tally.made.append(made)


# The night -------------------------------------------------------------------------------


@dataclass
class Nights:
    runs: list[tuple[date, float, str]] = field(default_factory=list)
    """(day, seconds, "ok" or what failed)."""


def nights(url: str, first: date, stop_at: float, done: Nights) -> None:
    """``faircollect run-day`` for ``first``, then the next day, ... until ``stop_at``."""
    day = first
    while time.monotonic() < stop_at:
        began = time.perf_counter()
        command = [sys.executable, "-m", "faircollect", "run-day", "--date", day.isoformat()]
        ran = subprocess.run(
            [*command, "--database-url", url],
            env={**os.environ, "PYTHONPATH": str(ROOT.parent / "src")},
            capture_output=True,
            text=True,
        )
        outcome = "ok" if ran.returncode == 0 else f"exit {ran.returncode}: {ran.stderr[-300:]}"
        done.runs.append((day, time.perf_counter() - began, outcome))
        day += timedelta(days=1)


# The checks ------------------------------------------------------------------------------


def stored_counts(url: str, collectors: list[str], keys: list[str]) -> dict[str, int]:
    """Rows these collectors made (contacts, promises) and the stored keys among ``keys``."""
    engine = make_engine(url)
    k = t.idempotency_keys
    with engine.connect() as conn:
        contacts = conn.execute(
            select(func.count())
            .select_from(t.contact_records)
            .where(t.contact_records.c.actor.in_(collectors))
        ).scalar_one()
        promises = conn.execute(
            select(func.count()).select_from(t.promises).where(t.promises.c.made_by.in_(collectors))
        ).scalar_one()
        stored = 0
        for start in range(0, len(keys), 1000):
            chunk = keys[start : start + 1000]
            stored += conn.execute(
                select(func.count()).select_from(k).where(k.c.key.in_(chunk))
            ).scalar_one()
    engine.dispose()
    return {"contact POST": contacts, "promise POST": promises, "keys": stored}


def found_once(url: str, made: list[Made]) -> dict[str, int]:
    """How many of the 201 answers' ids are found exactly once, per kind."""
    engine = make_engine(url)
    columns = {
        "contact POST": t.contact_records.c.record_id,
        "promise POST": t.promises.c.promise_id,
    }
    found: dict[str, int] = {}
    with engine.connect() as conn:
        for kind, column in columns.items():
            ids = [m.made_id for m in made if m.kind == kind]
            once = 0
            for start in range(0, len(ids), 1000):
                chunk = ids[start : start + 1000]
                counted = conn.execute(
                    select(column, func.count()).where(column.in_(chunk)).group_by(column)
                ).all()
                once += sum(1 for _, n in counted if n == 1)
            found[kind] = once if len(set(ids)) == len(ids) else -1
    engine.dispose()
    return found


def replay(clients: dict[str, web.Collector], sample: list[Made]) -> int:
    """Resend ``sample`` with their keys, each from a session of the collector who sent it:
    how many were answered from the key (201, the same body, ``Idempotent-Replayed``)."""
    answered = 0
    for m in sample:
        client = clients[m.owner].client
        again = client.post(m.path, json=m.body, headers={"Idempotency-Key": m.key})
        if (
            again.status_code == 201
            and again.headers.get("Idempotent-Replayed") == "true"
            and again.json() == m.answer
        ):
            answered += 1
    return answered


def table(tally: Tally, seconds: float, baseline: Tally | None) -> list[str]:
    """Print the latencies per endpoint (and the p95 ratio to ``baseline``); the errors."""
    failures = []
    print(HEADER + (f"{'p95 ratio':>11}" if baseline else ""))
    for kind in ENDPOINTS:
        r = tally.results[kind]
        ratio = (
            f"{r.percentile(95) / baseline.results[kind].percentile(95):>10.1f}x"
            if baseline
            else ""
        )
        print(
            f"{kind:<14}{len(r.latencies):>7}"
            + "".join(f"{r.percentile(q):>9.1f}" for q in (50, 95, 99))
            + f"{len(r.errors):>8}"
            + ratio
        )
        for problem in r.errors[:3]:
            print(f"  error: {problem}")
        if r.errors:
            failures.append(f"{kind}: {len(r.errors)} errors")
    total = sum(len(r.latencies) for r in tally.results.values())
    moved = f"; {tally.moved} about a case the night handed on (404)" if tally.moved else ""
    print(f"requests: {total:,} in {seconds:.0f} s ({total / seconds:.1f}/s){moved}")
    return failures


# Main ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--database-url", default=None, help="run on this database as it is")
    parser.add_argument("--reuse-db", default=None, help="keep the built database under this name")
    parser.add_argument("--pg-admin", default=PG_ADMIN, help="where throwaway databases are made")
    parser.add_argument("--day", type=date.fromisoformat, default=web.DAY)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--no-night", action="store_true", help="collectors only")
    parser.add_argument(
        "--baseline",
        type=float,
        default=0.0,
        help="seconds of the same load without the night first (p95 ratios against it)",
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with database(args) as url:
        ok = run(url, args)
    raise SystemExit(0 if ok else 1)


def run(url: str, args: argparse.Namespace) -> bool:
    working = web.collectors_with_work(url, args.day)
    if not working:
        raise SystemExit("no collector has work and cases on this database")
    phones, loans = web.borrower_phones(url), case_loans(url)
    working = {o: [c for c in cases if c in loans] for o, cases in working.items()}
    collectors = sorted(working)
    day, workers = args.day.isoformat(), str(args.workers)
    app = web.Server.start("--serve", "app", "--url", url, "--day", day, "--workers", workers)
    try:
        clients = clients_for(app.base, working, args.clients)
        rng = random.Random(args.seed)
        for c in clients:  # each client starts at a different case
            c.turn = rng.randrange(len(c.cases))
        before = stored_counts(url, collectors, [])
        load = os.getloadavg()
        print(
            f"{args.clients} clients ({len(collectors)} collectors with work,"
            f" {sum(len(v) for v in working.values()):,} cases) for {args.seconds:.0f} s,"
            f" {args.workers} uvicorn worker(s), night {'off' if args.no_night else 'on'};"
            f" load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
        )
        quiet = Tally()
        if args.baseline:  # the same collectors, no night: what the night costs them
            phase(clients, args.baseline, quiet, None, args, (url, phones, loans))
        tally, night = Tally(made=quiet.made), Nights()
        phase(
            clients,
            args.seconds,
            tally,
            None if args.no_night else night,
            args,
            (url, phones, loans),
        )
        ok = report(url, args, tally, night, clients, collectors, before, quiet)
        for c in clients:
            c.client.close()
        return ok
    finally:
        app.stop()


def phase(
    clients: list[web.Collector],
    seconds: float,
    tally: Tally,
    night: Nights | None,
    args: argparse.Namespace,
    world: tuple[str, dict[str, str], dict[str, list[str]]],
) -> None:
    """The collectors for ``seconds`` (and the night, unless ``night`` is None)."""
    url, phones, loans = world
    stop_at = time.monotonic() + seconds
    engine = make_engine(url)
    threads = [
        threading.Thread(
            target=work,
            args=(c, stop_at, tally, args.seed + i, args.day, phones, loans, engine),
        )
        for i, c in enumerate(clients)
    ]
    if night is not None:
        first = args.day + timedelta(1)
        threads.append(threading.Thread(target=nights, args=(url, first, stop_at, night)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()


def report(
    url: str,
    args: argparse.Namespace,
    tally: Tally,
    night: Nights,
    clients: list[web.Collector],
    collectors: list[str],
    before: dict[str, int],
    quiet: Tally,
) -> bool:
    failures = []
    if args.baseline:
        print(f"baseline, no night, {args.baseline:.0f} s:")
        failures += table(quiet, args.baseline, None)
        print(f"with the night, {args.seconds:.0f} s:")
    failures += table(tally, args.seconds, quiet if args.baseline else None)
    for day, seconds, outcome in night.runs:
        print(f"night of {day}: {seconds:.1f} s, {outcome}")
        if outcome != "ok":
            failures.append(f"night of {day}: {outcome}")
    if not args.no_night and not night.runs:
        failures.append("no night ran")

    keys = [m.key for m in tally.made]
    after = stored_counts(url, collectors, keys)
    once = found_once(url, tally.made)
    checks = []
    for kind in ("contact POST", "promise POST"):
        answered = sum(1 for m in tally.made if m.kind == kind)
        new = after[kind] - before[kind]
        checks.append(
            f"{kind} {answered:,} answered 201, {new:,} new rows, {once[kind]:,} ids once"
        )
        if not answered == new == once[kind]:
            failures.append(
                f"{kind}: {answered} answered 201 but {new} new rows, {once[kind]} once"
            )
    checks.append(f"keys {after['keys']:,} of {len(keys):,}")
    if after["keys"] != len(keys):
        failures.append(f"{after['keys']} keys stored for {len(keys)} answers")
    print("stored exactly once: " + "; ".join(checks))

    sample = random.Random(args.seed).sample(tally.made, min(REPLAYS, len(tally.made)))
    answered = replay({c.user_id: c for c in clients}, sample)
    again = stored_counts(url, collectors, keys)
    print(
        f"retried {len(sample)} POSTs with their keys: {answered} answered from the key,"
        f" {sum(again[k] - after[k] for k in again)} new rows"
    )
    if answered != len(sample) or again != after:
        failures.append("a retry with its key was not answered from it, or stored something")
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print("result: " + ("ok" if not failures else "FAILED: " + "; ".join(failures)))
    return not failures


if __name__ == "__main__":
    main()

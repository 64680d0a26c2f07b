"""Benchmark: the workbench API under 20 concurrent collectors, against a bare floor.

    PYTHONPATH=src .venv/bin/python bench/web.py --accounts 100000 --reuse-db /tmp/web100k.db

The database is what a lender has the morning after a night: ``faircollect demo --accounts
N``, ``faircollect import``, the example organisation (``faircollect user load``) and
``faircollect run-day`` for the benchmark's day, all run as the CLI would run them. The night
assigns calls (分案) to the collectors; each collector's delinquent borrowers among those
get a case owned by that collector and every other delinquent borrower a case nobody owns
yet (``open_cases``, as ``case open`` does for one owner), so the case tables hold what a
lender's do: a case per delinquent borrower.
With ``--reuse-db PATH`` that database is kept at PATH (built on the first run) and every
run works on a copy of it, so each run meets the same pristine morning.

The app (``create_app``, its clock at 10:00 on the benchmark's day and moving with real
time) runs under uvicorn in a subprocess on 127.0.0.1; so does the floor, a bare FastAPI
app whose one route reads one row of the same database. Collectors who have work sign in,
and ``--clients`` threads (httpx, one session each) send, endpoint by endpoint, a bounded
number of requests (``--requests`` per endpoint, stopping early after ``--seconds``): the
queue, the case list, a case page, a contact POST (on a different case each time, so the
gate's frequency rules do not refuse it). Then the same number of requests of the same
method go to the floor. p50 / p95 / p99 latency of each is printed with the ratio to the
floor; an error is any answer other than the one expected (200, or 201 for the contact)
and any failed connection. Targets: p95 < 150 ms for the queue and case pages, no error.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent / "src"))

import httpx  # noqa: E402
from sqlalchemy import select  # noqa: E402

from faircollect.adapters.db import tables as t  # noqa: E402
from faircollect.adapters.db.engine import make_engine  # noqa: E402
from faircollect.adapters.db.uow import UnitOfWork  # noqa: E402
from faircollect.cli.database import ensure_keys  # noqa: E402

SHANGHAI = ZoneInfo("Asia/Shanghai")
PASSWORD = "bench password 2026"
ORG = ROOT.parent / "src" / "faircollect" / "data" / "org" / "example.yaml"
DAY = date(2026, 11, 30)
ENDPOINTS = ("queue", "case list", "case page", "contact POST")
TARGET_MS = {"queue": 150.0, "case page": 150.0}
HEADER = (
    f"{'endpoint':<14}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
    f"{'floor p50':>11}{'floor p95':>11}{'p95 ratio':>11}{'errors':>8}"
)


# The database ---------------------------------------------------------------------------


def cli(*args: str | Path) -> None:
    """One ``faircollect`` command, as a user would run it (fails loudly)."""
    command = [sys.executable, "-m", "faircollect", *map(str, args)]
    env = {**os.environ, "PYTHONPATH": str(ROOT.parent / "src")}
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")


def build(path: Path, accounts: int, day: date) -> None:
    """The morning after a night on ``accounts`` demo loans, at ``path``."""
    build_at(f"sqlite:///{path}", accounts, day)


def build_at(url: str, accounts: int, day: date) -> None:
    """The morning after a night on ``accounts`` demo loans, in the (empty) database at
    ``url`` (SQLite or PostgreSQL: ``bench/load.py`` builds on PostgreSQL)."""
    with tempfile.TemporaryDirectory() as folder:
        cli("demo", "--accounts", str(accounts), "--out", folder, "--as-of", day.isoformat())
        cli("init", "--database-url", url)  # only init creates a database; import refuses a typo
        cli("import", folder, "--quiet", "--database-url", url)
    os.environ["FAIRCOLLECT_DATABASE_URL"] = url  # user load reads the URL from the env
    cli("user", "load", ORG)
    cli("run-day", "--date", day.isoformat(), "--database-url", url)
    _open_collector_cases(url, day)


def _open_collector_cases(url: str, day: date) -> None:
    """Each collector's assigned delinquent borrowers in a case of theirs, every other
    delinquent borrower in a case nobody owns yet; every user's password."""
    from faircollect.domain.casework.cases import UNASSIGNED
    from faircollect.services import auth
    from faircollect.services.casework.open_cases import open_cases

    engine = make_engine(url)
    p = t.planned_actions
    query = (
        select(p.c.assignee, p.c.borrower_id)
        .where(p.c.run_date == day, p.c.assignee_kind == "collector")
        .distinct()
    )
    with UnitOfWork(engine) as uow:
        mine: dict[str, set[str]] = {}
        for assignee, borrower_id in uow.conn.execute(query):
            mine.setdefault(assignee, set()).add(borrower_id)
        for collector, borrowers in sorted(mine.items()):
            open_cases(uow, day, collector, borrowers)
        open_cases(uow, day, UNASSIGNED)  # every other delinquent borrower, for supervisors
        hashed = auth.HASHER.hash(PASSWORD)  # one argon2 hash for all: ~0.3 s each
        for person in uow.org.people():
            uow.org.set_password_hash(person.user_id, hashed)
    engine.dispose()


def collectors_with_work(url: str, day: date) -> dict[str, list[str]]:
    """Collector -> ids of the open cases they own, for those with planned work today."""
    engine = make_engine(url)
    with engine.connect() as conn:
        working = set(
            conn.execute(
                select(t.planned_actions.c.assignee).where(
                    t.planned_actions.c.run_date == day,
                    t.planned_actions.c.assignee_kind == "collector",
                )
            ).scalars()
        )
        owned = conn.execute(
            select(t.cases.c.owner_id, t.cases.c.case_id).where(t.cases.c.owner_kind == "collector")
        ).all()
    engine.dispose()
    cases: dict[str, list[str]] = {}
    for owner, case_id in owned:
        if owner in working:
            cases.setdefault(owner, []).append(case_id)
    return {owner: sorted(ids) for owner, ids in sorted(cases.items())}


# The servers ------------------------------------------------------------------------------


KEEP_ALIVE = 600
"""Seconds an idle connection is kept: longer than a phase, so a client never sends on a
connection the server has just closed."""


def workbench() -> object:
    """The app for one uvicorn worker: the database and day from the environment, the
    clock moving from 10:00 that day."""
    from faircollect.web.app import create_app

    day = date.fromisoformat(os.environ["FC_BENCH_DAY"])
    start = datetime.combine(day, clock(10), tzinfo=SHANGHAI)
    began = time.monotonic()

    def moving() -> datetime:
        return start + timedelta(seconds=time.monotonic() - began)

    return create_app(make_engine(os.environ["FC_BENCH_URL"]), clock=moving)


def serve_app(url: str, port: int, day: str, workers: int) -> None:
    """Run in the server subprocess: the workbench under uvicorn with ``workers``."""
    import uvicorn

    os.environ.update(FC_BENCH_URL=url, FC_BENCH_DAY=day)
    uvicorn.run(
        "web:workbench",
        factory=True,
        app_dir=str(ROOT),
        workers=workers,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        timeout_keep_alive=KEEP_ALIVE,
    )


def serve_floor(url: str, port: int) -> None:
    """Run in the server subprocess: a bare FastAPI app reading one row per request."""
    from typing import Any

    import uvicorn
    from fastapi import Body, FastAPI

    engine = make_engine(url)
    floor = FastAPI()
    one = select(t.cases).where(t.cases.c.case_id == t.cases.c.case_id).limit(1)

    def read() -> dict[str, Any]:
        with engine.connect() as conn:
            row = conn.execute(one).first()
        return {"case_id": row.case_id if row else None}

    @floor.get("/floor")
    def get_one() -> dict[str, Any]:
        return read()

    @floor.post("/floor", status_code=201)
    def post_one(body: dict[str, Any] = Body(...)) -> dict[str, Any]:
        return read()

    uvicorn.run(
        floor,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        timeout_keep_alive=KEEP_ALIVE,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base: str

    @classmethod
    def start(cls, *args: str) -> Server:
        port = free_port()
        env = {**os.environ, "PYTHONPATH": str(ROOT.parent / "src")}
        command = [sys.executable, str(Path(__file__).resolve()), *args, "--port", str(port)]
        process = subprocess.Popen(command, env=env)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit(f"server {args[0]} exited with {process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    return cls(process, base)
            except OSError:
                time.sleep(0.1)
        process.kill()
        raise SystemExit(f"server {args[0]} did not start within 60 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# The clients -------------------------------------------------------------------------------


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))] * 1000


@dataclass
class Collector:
    user_id: str
    cases: list[str]
    client: httpx.Client
    turn: int = 0

    def next_case(self) -> str:
        self.turn += 1
        return self.cases[self.turn % len(self.cases)]


def sign_in(base: str, user_id: str, cases: list[str]) -> Collector:
    client = httpx.Client(base_url=base, timeout=30)
    answer = client.post("/api/v1/session", json={"user_id": user_id, "password": PASSWORD})
    answer.raise_for_status()
    client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    return Collector(user_id, list(cases), client)


Request = Callable[[Collector, int], tuple[str, str, object, int]]
"""(collector, request number) -> (method, path, JSON body, expected status)."""


def app_request(kind: str) -> Request:
    def make(c: Collector, n: int) -> tuple[str, str, object, int]:
        if kind == "queue":
            return "GET", "/api/v1/queue", None, 200
        if kind == "case list":
            return "GET", f"/api/v1/cases?page={1 + n % 2}&size=50&sort=-dpd", None, 200
        if kind == "case page":
            return "GET", f"/api/v1/cases/{c.next_case()}", None, 200
        contact = {
            "channel": "call",
            "party": "borrower",
            "number": "-",  # replaced below by the borrower's phone
            "outcome": "no_answer",
            "note": "未接通",
        }
        return "POST", f"/api/v1/cases/{c.next_case()}/contacts", contact, 201

    return make


def floor_request(kind: str) -> Request:
    def make(c: Collector, n: int) -> tuple[str, str, object, int]:
        if kind == "contact POST":
            return "POST", "/floor", {"channel": "call", "note": "未接通"}, 201
        return "GET", "/floor", None, 200

    return make


def run_phase(
    collectors: list[Collector],
    make: Request,
    total: int,
    seconds: float,
    phones: dict[str, str],
    base: str | None = None,
) -> Result:
    """``total`` requests over all clients (or until ``seconds`` pass); all latencies."""
    result = Result()
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    share = [
        total // len(collectors) + (i < total % len(collectors)) for i in range(len(collectors))
    ]

    def work(c: Collector, count: int) -> None:
        client = c.client if base is None else httpx.Client(base_url=base, timeout=30)
        for n in range(count):
            if time.monotonic() > stop_at:
                break
            method, path, body, expected = make(c, n)
            if isinstance(body, dict) and body.get("number") == "-":
                body = {**body, "number": phones[path.split("/")[4]]}
            began = time.perf_counter()
            try:
                answer = client.request(method, path, json=body)
                took = time.perf_counter() - began
                problem = (
                    None
                    if answer.status_code == expected
                    else f"{answer.status_code} {method} {path}: {answer.text[:200]}"
                )
            except httpx.HTTPError as err:
                took = time.perf_counter() - began
                problem = f"{type(err).__name__} {method} {path}"
            with lock:
                result.latencies.append(took)
                if problem:
                    result.errors.append(problem)
        if base is not None:
            client.close()

    threads = [
        threading.Thread(target=work, args=(c, k)) for c, k in zip(collectors, share, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return result


def borrower_phones(url: str) -> dict[str, str]:
    """Case id -> the borrower's phone (what a collector dials)."""
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(t.cases.c.case_id, t.borrowers.c.phone).join(
                t.borrowers, t.borrowers.c.borrower_id == t.cases.c.borrower_id
            )
        ).all()
    engine.dispose()
    return dict(rows)


# Main ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--reuse-db", type=Path, default=None, help="keep the built database")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=1_000, help="per endpoint")
    parser.add_argument("--seconds", type=float, default=60.0, help="per endpoint, at most")
    parser.add_argument("--day", type=date.fromisoformat, default=DAY)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--workers", type=int, default=1, help="uvicorn worker processes for the app"
    )
    parser.add_argument("--serve", choices=("app", "floor"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    ensure_keys()  # sealing needs a data key: the configured one, else ./faircollect.keys
    if args.serve == "app":
        serve_app(args.url, args.port, args.day.isoformat(), args.workers)
        return
    if args.serve == "floor":
        serve_floor(args.url, args.port)
        return
    random.seed(args.seed)
    with tempfile.TemporaryDirectory() as folder:
        pristine = args.reuse_db or Path(folder) / "pristine.db"
        if pristine.exists():
            print(f"reused {pristine}")
        else:
            began = time.perf_counter()
            build(pristine, args.accounts, args.day)
            took = time.perf_counter() - began
            print(
                f"built {pristine}: {args.accounts:,} accounts, night of {args.day}, {took:.1f} s"
            )
        work = Path(folder) / "work.db"
        shutil.copyfile(pristine, work)
        url = f"sqlite:///{work}"
        cli("init", "--database-url", url)  # a kept database meets this code's schema
        bench(url, args)


def bench(url: str, args: argparse.Namespace) -> None:
    working = collectors_with_work(url, args.day)
    if not working:
        raise SystemExit("no collector has work and cases on this database")
    phones = borrower_phones(url)
    cases = sum(len(v) for v in working.values())
    who = ", ".join(f"{k} ({len(v)} cases)" for k, v in working.items())
    print(f"collectors with work: {who}; {cases:,} cases")
    day, workers = args.day.isoformat(), str(args.workers)
    app = Server.start("--serve", "app", "--url", url, "--day", day, "--workers", workers)
    floor = Server.start("--serve", "floor", "--url", url)
    try:
        owners = list(working)
        clients = [
            sign_in(app.base, owners[i % len(owners)], working[owners[i % len(owners)]])
            for i in range(args.clients)
        ]
        for c in clients:  # each client starts at a different case
            c.turn = random.randrange(len(c.cases))
        run_phase(clients, app_request("queue"), args.clients, args.seconds, phones)  # warm-up
        load = os.getloadavg()
        print(
            f"app: {args.workers} uvicorn worker(s); {args.clients} clients,"
            f" {args.requests:,} requests per endpoint (at most"
            f" {args.seconds:.0f} s); load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
        )
        print(HEADER)
        failures = []
        for kind in ENDPOINTS:
            real = run_phase(clients, app_request(kind), args.requests, args.seconds, phones)
            bare = run_phase(
                clients, floor_request(kind), args.requests, args.seconds, phones, floor.base
            )
            ratio = real.percentile(95) / bare.percentile(95)
            errors = len(real.errors) + len(bare.errors)
            print(
                f"{kind:<14}{len(real.latencies):>6}"
                + "".join(f"{real.percentile(q):>9.1f}" for q in (50, 95, 99))
                + "".join(f"{bare.percentile(q):>11.1f}" for q in (50, 95))
                + f"{ratio:>10.1f}x{errors:>8}"
            )
            for problem in (real.errors + bare.errors)[:3]:
                print(f"  error: {problem}")
            target = TARGET_MS.get(kind)
            if target is not None and real.percentile(95) >= target:
                failures.append(f"{kind} p95 {real.percentile(95):.0f} ms >= {target:.0f} ms")
            if errors:
                failures.append(f"{kind}: {errors} errors")
        load = os.getloadavg()
        print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        print("targets: " + ("met" if not failures else "missed: " + "; ".join(failures)))
        for c in clients:
            c.client.close()
    finally:
        app.stop()
        floor.stop()


if __name__ == "__main__":
    main()

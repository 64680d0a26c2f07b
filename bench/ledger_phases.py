"""Where run-day's time goes: wall and CPU seconds per phase, full night and next nights.

    PYTHONPATH=src python bench/ledger_phases.py --source /tmp/led1m.db --nights 2
    PYTHONPATH=src python bench/ledger_phases.py --source /tmp/led1m.db --nights 2 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

``--source`` is a built portfolio with no states yet (``bench/ledger.py --reuse-db``
keeps one). It is copied (and migrated) to ``--db``; run-day runs in this process with
its phases timed by wrapping the store's methods: a full night for ``ledger.AS_OF``, the
next day's import batch of ``bench/ledger.py``, then ``--nights`` incremental nights.
With ``--database-url`` the same runs happen in a throwaway PostgreSQL database holding a
copy of the source (``bench/pg_copy.py``). CPU is this process's; with ``--workers`` > 1
the full night's worker processes' CPU is reported apart (their phases are not timed,
nor ``compute_partition``). Phases nest: ``execute`` (single statements) includes the
roll-forward's, ``compute_partition`` the load and ``compute_states``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import ledger as bench
from faircollect.adapters.db import ledger_staging, portfolio_store
from faircollect.adapters.db.engine import create_schema, make_engine
from faircollect.cli.database import ensure_keys
from faircollect.services import nightly_ledger
from faircollect.services.ledger_partitions import PARTITION_LOANS
from pg_copy import copy_from_sqlite, is_postgres, throwaway_database

WALL: dict[str, float] = defaultdict(float)
CPU: dict[str, float] = defaultdict(float)


def _timed(owner: Any, name: str, label: str | None = None) -> None:
    """Replace ``owner.name`` by a wrapper adding its wall and CPU time to ``label``."""
    inner: Callable[..., Any] = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return inner(*args, **kwargs)
        finally:
            WALL[label or name] += time.perf_counter() - wall
            CPU[label or name] += time.process_time() - cpu

    setattr(owner, name, wrapper)


def _instrument(workers: int) -> None:
    for name in (
        "mark_due",
        "load",
        "stored_stages",
        "upsert_states",
        "insert_states",
        "record_first_stages",
        "write_transitions",
        "execute",
    ):
        _timed(portfolio_store.Store, name)
    for name in ("compute_states", "transitions", "roll_forward"):
        _timed(nightly_ledger, name)
    for name in ("kept_partitions", "record_transitions", "publish", "clear"):
        _timed(ledger_staging, name, f"staging.{name}")
    if workers == 1:  # the workers are handed the module's function, which must pickle
        _timed(nightly_ledger, "compute_partition")


def _night(url: str, day: date, label: str, args: argparse.Namespace) -> None:
    WALL.clear()
    CPU.clear()
    engine = make_engine(url)
    children = os.times()
    wall, cpu = time.perf_counter(), time.process_time()
    report = nightly_ledger.run_day(
        engine, day, workers=args.workers, partition_loans=args.partition_size
    )
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    engine.dispose()
    after = os.times()
    helper = after.children_user + after.children_system
    helper -= children.children_user + children.children_system
    result = report.days[-1]
    print(
        f"{label} {day}: {wall:.2f} s wall, {cpu:.2f} s CPU (worker processes {helper:.2f} s); "
        f"{result.loans_computed:,} loans, {result.rolled:,} carried forward in SQL"
    )
    for name, seconds in sorted(WALL.items(), key=lambda item: -item[1]):
        print(f"  {name:22s} {seconds:6.2f} s wall {CPU[name]:6.2f} s CPU")
    print(f"  {'commit and the rest':22s} {wall - _outer():6.2f} s wall")


def _outer() -> float:
    """Seconds in the phases that do not nest inside another."""
    return sum(seconds for name, seconds in WALL.items() if name != "execute")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, required=True)
    parser.add_argument("--db", type=Path, default=Path("/tmp/faircollect-ledger-phases.db"))
    parser.add_argument("--nights", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=1, help="run-day --workers")
    parser.add_argument(
        "--partition-size", type=int, default=PARTITION_LOANS, help="run-day --partition-size"
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="run on this PostgreSQL server instead (a throwaway database is created there)",
    )
    args = parser.parse_args()
    ensure_keys()  # sealing needs a data key: the configured one, else ./faircollect.keys
    with sqlite3.connect(args.source) as con:
        (states,) = con.execute("SELECT COUNT(*) FROM account_states").fetchone()
    if states:
        raise SystemExit(
            f"{args.source}: {states:,} account states already; the source must be a portfolio "
            "no run has touched (bench/ledger.py --reuse-db keeps one)"
        )
    if args.database_url:
        if not is_postgres(args.database_url):
            raise SystemExit("--database-url: a postgresql+psycopg:// URL")
        with throwaway_database(args.database_url) as url:
            copy_from_sqlite(args.source, url)
            _nights(url, args)
        return
    bench._remove(args.db)
    shutil.copyfile(args.source, args.db)
    engine = make_engine(f"sqlite:///{args.db}")
    create_schema(engine)
    engine.dispose()
    os.sync()
    _nights(f"sqlite:///{args.db}", args)


def _nights(url: str, args: argparse.Namespace) -> None:
    print(f"backend: {make_engine(url).dialect.name}; load average {os.getloadavg()}")
    _instrument(args.workers)
    _night(url, bench.AS_OF, "full", args)
    bench._next_day_batch(url, args.seed)
    for n in range(1, args.nights + 1):
        _night(url, bench.AS_OF + timedelta(days=n), "incremental", args)


if __name__ == "__main__":
    main()

"""Benchmark: run-day over a whole portfolio vs a straightforward per-loan Python replay.

    python bench/ledger.py --loans 1000000 --db /tmp/bench-ledger.db --baseline-sample 20000

Builds a portfolio in a fresh SQLite file (not timed): by default the real path, the
demo generator's CSV files (``services.demo.generate``) imported by the CSV importer
(``services.importing.import_directory``); ``--builder direct`` inserts a synthetic
portfolio straight into the tables instead (seconds instead of minutes). With
``--reuse-db PATH`` the built portfolio is kept at PATH (built there on the first run)
and copied to ``--db`` for each run (and migrated to the current schema), so the slow
import is paid once; run-day always starts from the pristine copy. Then times, end to
end as a subprocess (``python -m faircollect run-day --ledger-only --workers N
--partition-size P``, from ``--workers`` and ``--partition-size``; storage included;
the night's plan that run-day computes after the ledger has its own benchmark,
``bench/nightly.py``):
  1. a fresh full run-day for D;
  2. after importing the next day's payments (a new batch, some back-dated), the
     incremental run-day for D+1 (it prints how many overdue loans it carried forward
     in SQL and how many the engine recomputed);
and in the same run the reference ``replay()`` on a random sample of loans loaded from
the same database. Prints loans/s for each, the ratio, and peak memory (maxrss of this
process and of its children). The replay sample is also checked against the stored states.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from sqlalchemy import insert, select  # noqa: E402

from faircollect.adapters.data_keys import keyring  # noqa: E402
from faircollect.adapters.db import tables  # noqa: E402
from faircollect.adapters.db.engine import create_schema, make_engine  # noqa: E402
from faircollect.cli.database import ensure_keys  # noqa: E402
from faircollect.domain.ledger.replay import replay  # noqa: E402
from faircollect.domain.ledger.state import STATE_VALUES  # noqa: E402
from faircollect.domain.ledger.terms import LoanTerms, Method, Payment  # noqa: E402
from faircollect.portfolio import LoanColumns, day_number  # noqa: E402
from faircollect.portfolio.columns import METHODS  # noqa: E402
from faircollect.portfolio.schedules import build  # noqa: E402
from faircollect.services.demo import generate  # noqa: E402
from faircollect.services.importing import import_directory  # noqa: E402
from faircollect.services.ledger_partitions import PARTITION_LOANS, WORKERS  # noqa: E402
from pg_copy import copy_from_sqlite, is_postgres, throwaway_database  # noqa: E402

AS_OF = date(2026, 11, 29)
RATES = ("0.0435", "0.12", "0.1799", "0.18", "0.24", "0.36")
PENALTIES = ("0.0005", "0.0003", "0.00051234")
LOAN_COLUMNS = (
    "loan_id",
    "borrower_id",
    "product",
    "contract_principal",
    "received_amount",
    "annual_rate",
    "term_months",
    "method",
    "disbursed_on",
    "penalty_rate_daily",
    "grace_days",
    "periodic_fee",
)
"""The loans columns the direct builder fills, named: columns added to the schema later
(optional ones such as ``risk_score``) stay NULL instead of breaking the insert."""


def _import_portfolio(db: Path, count: int, seed: int) -> None:
    """``faircollect demo`` files for ``count`` loans, imported by the CSV importer."""
    engine = make_engine(f"sqlite:///{db}")
    with tempfile.TemporaryDirectory(prefix="fc-bench-") as out:
        generate(count, Path(out), seed=seed, as_of=AS_OF)
        import_directory(engine, Path(out), now=datetime.now(UTC))
    engine.dispose()


def _build_portfolio(db: Path, count: int, seed: int) -> None:
    """A synthetic portfolio inserted straight into the tables (not timed).

    Mix: most loans pay on time; some late, partial, stopped or prepaid; terms 3-36, all
    four methods, 砍头息 on some, service fees on some. No e-mail addresses and no risk
    scores (the optional columns stay NULL), as when the README's figures were measured.
    """
    rng = np.random.default_rng(seed)
    term = rng.choice([3, 6, 9, 12, 18, 24, 36], count)
    method = rng.choice(4, count, p=[0.6, 0.2, 0.1, 0.1])
    disbursed = day_number(AS_OF) - rng.integers(1, 31 * term + 60)
    principal = rng.integers(1_000, 200_000, count) * 100
    loans = LoanColumns(
        principal=principal,
        rate_index=rng.integers(0, len(RATES), count),
        rates=tuple(Decimal(r) for r in RATES),
        term=term,
        method=method,
        disbursed=disbursed,
        penalty_num=np.zeros(count, dtype=np.int64),
        grace=rng.integers(0, 4, count),
        fee=rng.choice([0, 0, 0, 1_500, 5_000], count),
    )
    penalty = rng.integers(0, len(PENALTIES), count)
    kantou = np.where(rng.random(count) < 0.15, principal // 10, 0)
    pay_loan, pay_day, pay_amount = _behaviour(loans, rng)

    ids = [f"L{i:08d}" for i in range(count)]
    iso = np.datetime_as_string(disbursed.astype("datetime64[D]")).tolist()
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    with con:
        ring = keyring()  # sealed like an import seals them (one ciphertext: same numbers)
        phone, id_number = "13800000000", "x"
        con.executemany(
            "INSERT INTO borrowers (borrower_id, name, phone, id_number, city, phone_hash, "
            "id_number_hash) VALUES (?, '张三', ?, ?, '杭州', ?, ?)",
            (
                (
                    f"B{i:08d}",
                    sealed_phone,
                    sealed_id,
                    ring.lookup_hash(phone),
                    ring.lookup_hash(id_number),
                )
                for sealed_phone, sealed_id in [(ring.seal(phone), ring.seal(id_number))]
                for i in range(count)
            ),
        )
        con.executemany(
            f"INSERT INTO loans ({', '.join(LOAN_COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in LOAN_COLUMNS)})",
            zip(
                ids,
                (f"B{i:08d}" for i in range(count)),
                ["消费贷"] * count,
                principal.tolist(),
                (principal - kantou).tolist(),
                [RATES[i] for i in loans.rate_index.tolist()],
                term.tolist(),
                [METHODS[m].value for m in method.tolist()],
                iso,
                [PENALTIES[i] for i in penalty.tolist()],
                loans.grace.tolist(),
                loans.fee.tolist(),
                strict=True,
            ),
        )
    _insert_batch(con, ids, pay_loan, pay_day, pay_amount, "P")
    con.close()


def _behaviour(loans: LoanColumns, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Payments per installment due up to AS_OF: on time, late, partial, stopped, prepaid."""
    s = build(loans)
    count = len(loans)
    kind = rng.choice(5, count, p=[0.78, 0.08, 0.05, 0.06, 0.03])
    k = np.arange(len(s.due)) - s.offsets[s.loan]
    total = s.principal + s.interest + s.fee
    lateness = np.where(kind[s.loan] == 1, rng.integers(1, 25, len(s.due)), 0)
    amount = np.where(kind[s.loan] == 2, total * rng.integers(50, 100, len(s.due)) // 100, total)
    stop_at = rng.integers(0, 6, count)
    keep = s.due + lateness <= day_number(AS_OF)
    keep &= ~((kind[s.loan] == 3) & (k >= stop_at[s.loan]))
    prepaid = (kind[s.loan] == 4) & (k == 0)
    amount = np.where(prepaid, loans.principal[s.loan] * 11 // 10, amount)
    keep &= (kind[s.loan] != 4) | (k == 0)
    return s.loan[keep], (s.due + lateness)[keep], amount[keep]


def _next_day_batch(url: str, seed: int) -> int:
    """The next day's import: payments on installments due D+1, plus some back-dated ones.

    Through SQLAlchemy, so the same batch lands on SQLite and on PostgreSQL."""
    engine = make_engine(url)
    s = tables.account_states
    with engine.begin() as conn:
        due = (
            conn.execute(
                select(s.c.loan_id)
                .where(s.c.next_due_on == AS_OF + timedelta(days=1))
                .order_by(s.c.loan_id)
            )
            .scalars()
            .all()
        )
        late = (
            conn.execute(select(s.c.loan_id).where(s.c.dpd > 0).order_by(s.c.loan_id))
            .scalars()
            .all()
        )
        rng = random.Random(seed)
        paying = [loan_id for loan_id in due if rng.random() < 0.8]
        back = rng.sample(list(late), min(len(late), 2_000))
        batch = conn.execute(
            insert(tables.import_batches)
            .values(source="bench", imported_at=datetime.now(UTC))
            .returning(tables.import_batches.c.batch_id)
        ).scalar_one()
        rows = [
            {
                "payment_id": f"N{batch}-{n:09d}",
                "loan_id": loan_id,
                "paid_on": AS_OF + timedelta(days=1) if n < len(paying) else AS_OF - timedelta(3),
                "amount": 100_000,
                "batch_id": batch,
            }
            for n, loan_id in enumerate(paying + back)
        ]
        for at in range(0, len(rows), 20_000):
            conn.execute(insert(tables.payments), rows[at : at + 20_000])
    engine.dispose()
    return len(rows)


def _insert_batch(
    con: sqlite3.Connection,
    ids: list[str],
    loan: np.ndarray,
    day: np.ndarray,
    amount: np.ndarray,
    prefix: str,
) -> None:
    """One import batch: payment n is on loan ``ids[loan[n]]``."""
    with con:
        cursor = con.execute(
            "INSERT INTO import_batches (source, imported_at) VALUES (?, ?)",
            ("bench", datetime.now(UTC).isoformat(sep=" ")),
        )
        batch = cursor.lastrowid
        iso = np.datetime_as_string(day.astype("datetime64[D]")).tolist()
        con.executemany(
            "INSERT INTO payments (payment_id, loan_id, paid_on, amount, batch_id) "
            "VALUES (?,?,?,?,?)",
            zip(
                (f"{prefix}{batch}-{n:09d}" for n in range(len(loan))),
                (ids[i] for i in loan.tolist()),
                iso,
                amount.tolist(),
                [batch] * len(loan),
                strict=True,
            ),
        )


def _run_day(
    url: str, on: date, args: argparse.Namespace, ledger_only: bool = True
) -> tuple[float, str, float]:
    """Seconds, what run-day printed, and its peak RSS in GiB (the largest of the run-day
    process and the workers it forks: the figure ``/usr/bin/time -v`` prints as "Maximum
    resident set size"), measured by ``bench/peak_rss.py``, not by this process's
    ``wait4``, whose figure would include this process's own high-water mark."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, str(ROOT / "bench" / "peak_rss.py")]
    command += [sys.executable, "-m", "faircollect", "run-day", "--date", on.isoformat()]
    command += ["--database-url", url] + (["--ledger-only"] if ledger_only else [])
    command += ["--workers", str(args.workers), "--partition-size", str(args.partition_size)]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"run-day {on} failed ({done.returncode}) on {url}")
    peak = int(done.stderr.rsplit("peak_rss ", 1)[1].split()[0])
    return elapsed, done.stdout.strip(), peak / 2**20


def _baseline(url: str, sample: int, on: date, seed: int) -> tuple[float, int, int]:
    """A straightforward per-loan replay: load a random sample (bulk queries), replay each.

    The states are then checked against what run-day stored for the same date.
    """
    engine = make_engine(url)
    with engine.connect() as conn:
        all_ids = conn.execute(select(tables.loans.c.loan_id)).scalars().all()
    chosen = sorted(random.Random(seed).sample(list(all_ids), min(sample, len(all_ids))))
    started = time.perf_counter()
    states = {}
    with engine.connect() as conn:
        for start in range(0, len(chosen), 500):
            part = chosen[start : start + 500]
            loans = conn.execute(select(tables.loans).where(tables.loans.c.loan_id.in_(part)))
            paid: dict[str, list[Payment]] = {loan_id: [] for loan_id in part}
            for p in conn.execute(
                select(tables.payments).where(tables.payments.c.loan_id.in_(part))
            ):
                paid[p.loan_id].append(Payment(p.payment_id, p.loan_id, p.paid_on, p.amount))
            for row in loans:
                terms = LoanTerms(
                    loan_id=row.loan_id,
                    principal=row.contract_principal,
                    received=row.received_amount,
                    annual_rate=row.annual_rate,
                    term_months=row.term_months,
                    method=Method(row.method),
                    disbursed_on=row.disbursed_on,
                    penalty_rate_daily=row.penalty_rate_daily,
                    grace_days=row.grace_days,
                    periodic_fee=row.periodic_fee,
                )
                states[row.loan_id] = replay(terms, paid[row.loan_id], on).state
    elapsed = time.perf_counter() - started
    mismatches = 0
    with engine.connect() as conn:
        stored = {
            r.loan_id: r
            for r in conn.execute(
                select(tables.account_states).where(tables.account_states.c.loan_id.in_(chosen))
            )
        }
    for loan_id, state in states.items():
        mismatches += any(getattr(stored[loan_id], f) != getattr(state, f) for f in STATE_VALUES)
    engine.dispose()
    return elapsed, len(chosen), mismatches


@dataclass(frozen=True, slots=True)
class Measured:
    """One backend's figures on the portfolio."""

    full: float
    full_rss: float
    new: int
    incremental: float
    incremental_rss: float
    computed: int
    said: str
    baseline: tuple[float, int, int]
    digest: str
    night: tuple[float, str, float] | None
    """The whole run-day for D+2 (ledger and the night's plan): seconds, its output, GiB."""


def _measure(url: str, args: argparse.Namespace) -> Measured:
    """Full run-day for D, the next day's batch, incremental run-day for D+1, the baseline
    replay on a sample, a digest of the stored states; the whole run-day for D+2 when asked."""
    full, _, full_rss = _run_day(url, AS_OF, args)
    new = _next_day_batch(url, args.seed)
    incremental, said, incremental_rss = _run_day(url, AS_OF + timedelta(days=1), args)
    engine = make_engine(url)
    with engine.connect() as conn:
        computed = conn.execute(
            select(tables.runs.c.loans_computed).where(
                tables.runs.c.run_date == AS_OF + timedelta(days=1)
            )
        ).scalar_one()
    engine.dispose()
    baseline = _baseline(url, args.baseline_sample, AS_OF + timedelta(days=1), args.seed)
    digest = states_digest(url)
    night = None
    if args.whole_run_day:
        night = _run_day(url, AS_OF + timedelta(days=2), args, ledger_only=False)
    return Measured(
        full, full_rss, new, incremental, incremental_rss, computed, said, baseline, digest, night
    )


def states_digest(url: str) -> str:
    """sha256 over every ``account_states`` and ``penalty_accruals`` row as Python values
    (dates as dates, whatever the backend stores), ordered by key: equal digests, equal
    states."""
    engine = make_engine(url)
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table in (tables.account_states, tables.penalty_accruals):
            query = select(table).order_by(*table.primary_key.columns)
            for row in conn.execution_options(yield_per=50_000).execute(query):
                digest.update(repr(tuple(row)).encode())
    engine.dispose()
    return digest.hexdigest()[:16]


def _report(label: str, m: Measured, loans: int, args: argparse.Namespace) -> None:
    full_rate = loans / m.full
    base_time, base_count, mismatches = m.baseline
    base_rate = base_count / base_time
    parts = -(-loans // args.partition_size)
    shared = args.workers > 1 and parts > 1
    print(f"== {label} ==")
    print(
        "run-day runs as a subprocess (python -m faircollect run-day --ledger-only "
        f"--workers {args.workers} --partition-size {args.partition_size}), storage "
        f"included; the full run in {parts} partitions, "
        + (
            f"computed by {args.workers} worker processes while the run's own process writes them"
            if shared
            else "each read, computed and written by the run's own process"
        )
        + "; the incremental run computes its loans in partitions in one process"
    )
    print(f"full run-day {AS_OF}: {m.full:.2f} s, {full_rate:,.0f} loans/s")
    print(
        f"incremental run-day {AS_OF + timedelta(days=1)}: {m.incremental:.2f} s "
        f"({m.computed:,} loans recomputed; {m.new:,} new payments in a new batch)"
    )
    print(f"  run-day said: {m.said}")
    if m.night is not None:
        seconds, _, rss = m.night
        print(
            f"whole run-day {AS_OF + timedelta(days=2)} (ledger + night plan): {seconds:.2f} s, "
            f"peak RSS {rss:.2f} GiB"
        )
    print(
        f"baseline per-loan replay (load from DB + replay()): {base_count:,} loans in "
        f"{base_time:.2f} s, {base_rate:,.0f} loans/s"
    )
    print(f"ratio full run-day / baseline: {full_rate / base_rate:.1f}x")
    print(f"baseline sample vs stored states: {mismatches} mismatches")
    print(
        f"peak memory (maxrss): full run-day {m.full_rss:.2f} GiB, "
        f"incremental {m.incremental_rss:.2f} GiB"
    )
    print(f"account states digest: {m.digest}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/faircollect-bench-ledger.db"))
    parser.add_argument("--baseline-sample", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--builder", choices=("import", "direct"), default="import")
    parser.add_argument("--reuse-db", type=Path, default=None, help="keep the built portfolio")
    parser.add_argument(
        "--database-url",
        default=None,
        help="also on this PostgreSQL server (a throwaway database is created there)",
    )
    parser.add_argument(
        "--whole-run-day",
        action="store_true",
        help="also time a whole run-day (ledger + night plan) for D+2",
    )
    parser.add_argument("--skip-sqlite", action="store_true", help="PostgreSQL figures only")
    parser.add_argument("--workers", type=int, default=WORKERS, help="run-day --workers")
    parser.add_argument(
        "--partition-size", type=int, default=PARTITION_LOANS, help="run-day --partition-size"
    )
    args = parser.parse_args()
    ensure_keys()  # sealing needs a data key: the configured one, else ./faircollect.keys
    if args.database_url and not is_postgres(args.database_url):
        raise SystemExit("--database-url: a postgresql+psycopg:// URL (SQLite is always run)")
    _remove(args.db)
    started = time.perf_counter()
    source = args.reuse_db or args.db
    reused = args.reuse_db is not None and args.reuse_db.exists()
    if not reused:
        _remove(source)
        engine = make_engine(f"sqlite:///{source}")
        create_schema(engine)
        engine.dispose()
        build = _import_portfolio if args.builder == "import" else _build_portfolio
        build(source, args.loans, args.seed)
        Path(f"{source}.builder").write_text(args.builder)
    if source != args.db:
        shutil.copyfile(source, args.db)
        engine = make_engine(f"sqlite:///{args.db}")
        create_schema(engine)  # a portfolio kept from an older schema: migrate the copy
        engine.dispose()
    os.sync()  # the copy's write-back must not compete with the timed runs
    with sqlite3.connect(args.db) as con:
        loans, payments, states = con.execute(
            "SELECT (SELECT COUNT(*) FROM loans), (SELECT COUNT(*) FROM payments), "
            "(SELECT COUNT(*) FROM account_states)"
        ).fetchone()
    if loans != args.loans or states:
        raise SystemExit(f"{source}: {loans:,} loans, {states:,} states; expected a fresh build")
    builder = Path(f"{source}.builder").read_text() if reused else args.builder
    how = f"reused {source}, " if reused else ""
    print(
        f"portfolio: {loans:,} loans, {payments:,} payments ({how}builder {builder}, "
        f"{time.perf_counter() - started:.1f} s, not timed)"
    )
    print(f"load average before: {_load()}")
    measured: dict[str, Measured] = {}
    if not args.skip_sqlite:
        measured["sqlite"] = _measure(f"sqlite:///{args.db}", args)
        _report("sqlite", measured["sqlite"], loans, args)
        print(f"load average: {_load()}")
    if args.database_url:
        with throwaway_database(args.database_url) as url:
            copying = time.perf_counter()
            copy_from_sqlite(args.db if args.skip_sqlite else source, url)
            print(
                f"postgresql: portfolio copied into {url.rsplit('/', 1)[1]} "
                f"({time.perf_counter() - copying:.1f} s, not timed)"
            )
            measured["postgresql"] = _measure(url, args)
        _report("postgresql", measured["postgresql"], loans, args)
        print(f"load average: {_load()}")
    if len(measured) == 2:
        lite, pg = measured["sqlite"], measured["postgresql"]
        print("== postgresql / sqlite (same portfolio, same session) ==")
        print(f"full run-day: {pg.full / lite.full:.2f}x")
        print(f"incremental run-day: {pg.incremental / lite.incremental:.2f}x")
        if lite.night and pg.night:
            print(f"whole run-day: {pg.night[0] / lite.night[0]:.2f}x")
        same = "identical" if lite.digest == pg.digest else "DIFFERENT"
        print(f"account states on both backends: {same}")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"peak memory (maxrss): bench process {own:.2f} GiB")


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _remove(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    main()

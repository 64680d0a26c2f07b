"""The nightly ledger run (run-day): every account's state as of a business date, stored.

One business date is one transaction: the states, the stage transitions and the ``runs``
row are committed together, so a killed run leaves the previous night intact and simply
runs again. Missed days are run one by one so stage transitions carry their true dates.

After a completed run for D−1 only loans whose state can change on D are recomputed: an
event due (``next_event_on <= D``), a payment in an import batch newer than the last run
saw (back-dated ones too: the loan is replayed from its whole history), or no state yet.
Everything else is unchanged by definition of ``next_event_on``, which is why the
incremental result equals a full recompute. Of those, overdue loans whose only change is
one more day of DPD and penalty are carried forward in SQL from their stored state and
penalty accruals (``adapters.db.roll_forward``); the engine computes the rest. Payments
inserted without an import batch (``batch_id`` NULL) are only seen by full runs. Loans
with approved adjustments (restructures, waivers) are never carried forward: the
reference replay computes them (``ledger_adjusted``), and their approval brings
``next_event_on`` forward so the next run recomputes them.
"""

from __future__ import annotations

import ctypes
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import numpy as np
from sqlalchemy import Connection, Engine, insert, select

from faircollect.adapters.db.portfolio_store import Store
from faircollect.adapters.db.roll_forward import roll_forward
from faircollect.adapters.db.tables import runs
from faircollect.domain.ledger.state import DEFAULT_THRESHOLDS, StageThresholds
from faircollect.portfolio import STAGES, PortfolioStates, compute_states
from faircollect.portfolio.engine import concat_states
from faircollect.services import split_compute
from faircollect.services.ledger_adjusted import approved_since_run, restate

COMPLETED = "completed"

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    """No progress output."""


@dataclass(frozen=True, slots=True)
class DayResult:
    """What one business date's run did."""

    run_date: date
    loans_computed: int
    """Loans whose state was brought to ``run_date``, ``rolled`` included."""
    transitions: int
    full: bool
    rolled: int = 0
    """Loans carried forward in SQL (one more day overdue, nothing else)."""


@dataclass(slots=True)
class RunReport:
    """What ``run_day`` did: the dates it ran (empty when already up to date)."""

    requested: date
    days: list[DayResult] = field(default_factory=list)
    note: str = ""


def last_completed(conn: Connection) -> tuple[date, int] | None:
    """(run_date, last_batch_id) of the latest completed run, if any."""
    row = conn.execute(
        select(runs.c.run_date, runs.c.last_batch_id)
        .where(runs.c.status == COMPLETED)
        .order_by(runs.c.run_date.desc())
        .limit(1)
    ).first()
    return None if row is None else (row.run_date, row.last_batch_id or 0)


def run_day(
    engine: Engine,
    as_of: date,
    thresholds: StageThresholds = DEFAULT_THRESHOLDS,
    progress: Progress = _quiet,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    recompute_all: bool = False,
) -> RunReport:
    """Bring the stored states up to ``as_of``, catching up missed days in order.

    ``recompute_all`` recomputes every loan on each day run (after a data correction, or
    for payments recorded without an import batch), instead of only those due a change.
    """
    report = RunReport(as_of)
    with engine.connect() as conn:
        last = last_completed(conn)
    if last is not None and last[0] > as_of:
        report.note = f"states are already as of {last[0]}; nothing changed"
        return report
    days = [as_of] if last is None else _days_between(last[0], as_of)
    # PostgreSQL: one snapshot for all the reads of a day (SQLite gets it from the write lock).
    options = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    with _no_cycle_collection(), _reuse_freed_memory():
        for day in days:
            full = last is None or recompute_all
            helper = split_compute.start(engine, day, thresholds) if full else None
            with (
                engine.connect().execution_options(**options) as conn,
                run_settings(conn),
                conn.begin(),
            ):
                report.days.append(_run_one(conn, day, thresholds, progress, now, helper, full))
    if not report.days:
        report.note = f"already up to date as of {as_of}"
    return report


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while a run holds millions of row tuples.

    The fetched rows and insert parameters are tuples without cycles, but allocating
    millions of them triggers full collections over everything alive again and again
    (measured: about a third of the load time). Reference counting still frees them;
    the collector is restored afterwards. A forked helper inherits the setting.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_GLIBC_DEFAULT_THRESHOLD = 128 * 1024


@contextmanager
def _reuse_freed_memory() -> Iterator[None]:
    """Keep freed memory in the C heap while a run churns through big numpy arrays.

    glibc gives every allocation over 128 KiB its own ``mmap`` and unmaps it on free, so
    each of the engine's many temporary arrays (15M installments: 120 MB each) is faulted
    in page by page again: on a million loans the kernel's page-fault time was as large
    as the computation itself (compute_states 10.6 s, of which 5.2 s system time; 5.4 s
    with freed memory reused). Raising both thresholds lets malloc reuse the heap; the
    defaults are put back and the heap trimmed afterwards. Other C libraries: no change.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        yield
        return
    big = 2**30
    mallopt(_M_TRIM_THRESHOLD, big)
    mallopt(_M_MMAP_THRESHOLD, big)
    try:
        yield
    finally:
        mallopt(_M_MMAP_THRESHOLD, _GLIBC_DEFAULT_THRESHOLD)
        mallopt(_M_TRIM_THRESHOLD, _GLIBC_DEFAULT_THRESHOLD)
        libc.malloc_trim(0)


SQLITE_RUN_SETTINGS = {
    "foreign_keys": ("OFF", "ON"),
    "cache_size": ("-1048576", "-2000"),
    "mmap_size": (str(2**32), "0"),
}
"""SQLite settings (run value, value restored) for the run's connection.

- ``foreign_keys``: every row the run writes (states, stage history) is keyed by a loan
  id it has just read from ``loans`` under the same write lock, so each parent lookup can
  only succeed; on a million loans they cost about a second.
- ``cache_size`` (up to 1 GiB, allocated only as used) and ``mmap_size``: the incremental
  run reads and upserts loans scattered over the tables; with the default 2 MB cache
  every row went back to the OS for its pages (1M-loan incremental: state upsert 8.7 s
  -> 2.7 s, selective load 11.7 s -> 7.8 s, measured on a loaded machine).
"""


@contextmanager
def run_settings(conn: Connection) -> Iterator[None]:
    """Apply ``SQLITE_RUN_SETTINGS`` for one run (SQLite accepts ``foreign_keys`` only
    outside a transaction) and restore them on the pooled connection afterwards."""
    if conn.dialect.name != "sqlite":
        yield
        return
    raw = conn.connection.driver_connection
    for name, (value, _) in SQLITE_RUN_SETTINGS.items():
        raw.execute(f"PRAGMA {name}={value}")  # type: ignore[union-attr]
    try:
        yield
    finally:
        for name, (_, restored) in SQLITE_RUN_SETTINGS.items():
            raw.execute(f"PRAGMA {name}={restored}")  # type: ignore[union-attr]


def _days_between(last: date, as_of: date) -> list[date]:
    """The days still to run: D0+1 … D, or D itself again when it is the last run."""
    if last == as_of:
        return [as_of]
    return [last + timedelta(days=n) for n in range(1, (as_of - last).days + 1)]


def _run_one(
    conn: Connection,
    day: date,
    thresholds: StageThresholds,
    progress: Progress,
    now: Callable[[], datetime],
    helper: split_compute.Helper | None = None,
    recompute_all: bool = False,
) -> DayResult:
    store = Store(conn)
    started = now()
    last = last_completed(conn)
    batch = store.max_batch() if helper is None else helper.batch
    full = recompute_all or last is None or last[0] < day - timedelta(days=1)
    up_to_date = last is not None and last[0] == day and batch <= last[1]
    if not full and up_to_date and not approved_since_run(conn, day):
        return DayResult(day, 0, 0, full=False)
    # Claim the date first: this opens the write transaction, so every read below sees
    # one snapshot and no import interleaves with the run.
    conn.execute(runs.delete().where(runs.c.run_date == day))
    rolled = rolled_moves = 0
    if last is not None and not full:
        progress(f"{day}: carrying overdue loans forward")
        rolled, rolled_moves = roll_forward(store, day, last[1], thresholds)
        store.mark_due(day, last[1])
    progress(f"{day}: loading")
    portfolio = store.load(only_todo=not full, from_=helper.split if helper else None)
    previous = store.stored_stages(only_todo=not full)
    progress(f"{day}: computing {len(portfolio.loan_ids):,} loans")
    states = compute_states(portfolio.loans, portfolio.payments, day, thresholds)
    loan_ids = portfolio.loan_ids
    states = restate(conn, loan_ids, states, day, thresholds)
    if helper is not None:
        loan_ids, states = _store_with_helper(
            store, helper, loan_ids, states, day, progress, thresholds
        )
    else:
        progress(f"{day}: storing {len(loan_ids):,} states")
        (store.replace_states if full else store.write_states)(loan_ids, states, day)
    if previous or not full:
        moves = transitions(loan_ids, states, previous, day)
        store.write_transitions(moves)
        count = len(moves)
    else:
        count = store.record_first_stages(day)
    computed = len(loan_ids) + rolled
    _record_run(conn, day, started, now(), batch, computed)
    return DayResult(day, computed, count + rolled_moves, full, rolled)


def _store_with_helper(
    store: Store,
    helper: split_compute.Helper,
    loan_ids: list[str],
    states: PortfolioStates,
    day: date,
    progress: Progress,
    thresholds: StageThresholds,
) -> tuple[list[str], PortfolioStates]:
    """Store this process's share while the helper finishes its larger one, then the
    helper's: writing is single-threaded, so it overlaps the helper's computation."""
    with store.replacing_states():
        progress(f"{day}: storing {len(loan_ids):,} states")
        store.insert_states(loan_ids, states, day)
        progress(f"{day}: waiting for the helper process")
        lower_ids, lower = helper.collect()
        lower = restate(store.conn, lower_ids, lower, day, thresholds)
        progress(f"{day}: storing {len(lower_ids):,} states of the helper")
        store.insert_states(lower_ids, lower, day)
    return lower_ids + loan_ids, concat_states([lower, states])


def transitions(
    loan_ids: list[str], states: PortfolioStates, previous: dict[str, str], day: date
) -> list[tuple[str, str, str, str | None]]:
    """(loan_id, entered_on, stage, previous_stage) for every loan whose stage changed."""
    names = np.asarray([s.value for s in STAGES], dtype=object)[states.stage].tolist()
    entered = day.isoformat()
    return [
        (loan_id, entered, stage, previous.get(loan_id))
        for loan_id, stage in zip(loan_ids, names, strict=True)
        if previous.get(loan_id) != stage
    ]


def _record_run(
    conn: Connection, day: date, started: datetime, finished: datetime, batch: int, count: int
) -> None:
    conn.execute(
        insert(runs).values(
            run_date=day,
            status=COMPLETED,
            started_at=started,
            finished_at=finished,
            last_batch_id=batch,
            loans_computed=count,
        )
    )

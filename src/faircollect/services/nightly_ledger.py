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

A full run on PostgreSQL reads, computes and writes partitions of ``PARTITION_LOANS``
consecutive loans one at a time in the day's transaction, so its memory follows the
partition size (SQLite's full run splits the loans between two processes instead).

The SQL is in ``adapters.db`` (``portfolio_store``, ``roll_forward``, ``ledger_runs``); the
run's SQLite settings, memory settings and helper process are adapters too
(``sqlite_tuning``, ``adapters.memory``, ``ledger_split``). Here: which days, full or
incremental, in what order, and what a day's transaction holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import numpy as np
from sqlalchemy import Connection, Engine

from faircollect.adapters.db import ledger_split
from faircollect.adapters.db.ledger_runs import (
    approved_since_run,
    claim_date,
    last_completed,
    record_run,
)
from faircollect.adapters.db.portfolio_store import Store
from faircollect.adapters.db.roll_forward import roll_forward
from faircollect.adapters.db.sqlite_tuning import run_settings
from faircollect.adapters.db.state_history import copy_states
from faircollect.adapters.memory import no_cycle_collection, reuse_freed_memory
from faircollect.domain.ledger.state import DEFAULT_THRESHOLDS, StageThresholds
from faircollect.portfolio import STAGES, PortfolioStates, compute_states
from faircollect.portfolio.engine import concat_states
from faircollect.services.ledger_adjusted import restate

Progress = Callable[[str], None]
PARTITION_LOANS = 200_000
"""Loans per partition of a full run on PostgreSQL (``_full_in_partitions``)."""


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
    with no_cycle_collection(), reuse_freed_memory():
        for day in days:
            full = last is None or recompute_all
            helper = start_helper(engine, day, thresholds) if full else None
            with (
                engine.connect().execution_options(**options) as conn,
                run_settings(conn),
                conn.begin(),
            ):
                report.days.append(_run_one(conn, day, thresholds, progress, now, helper, full))
    if not report.days:
        report.note = f"already up to date as of {as_of}"
    return report


def start_helper(
    engine: Engine, day: date, thresholds: StageThresholds
) -> ledger_split.Helper | None:
    """A forked helper computing the lower part of the loans for a full run of ``day``, or
    None when one process is better (``adapters.db.ledger_split``)."""
    return ledger_split.start(engine, _lower_half, day, thresholds)


def _lower_half(url: str, split: str, day: date, thresholds: StageThresholds) -> ledger_split.Half:
    """In the helper: the states as of ``day`` of the loans below ``split``."""
    portfolio = ledger_split.load_below(url, split)
    states = compute_states(portfolio.loans, portfolio.payments, day, thresholds)
    return portfolio.loan_ids, states


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
    helper: ledger_split.Helper | None = None,
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
    claim_date(conn, day)
    rolled = rolled_moves = 0
    if last is not None and not full:
        progress(f"{day}: carrying overdue loans forward")
        rolled, rolled_moves = roll_forward(store, day, last[1], thresholds)
        store.mark_due(day, last[1])
    if full and helper is None and store.dialect == "postgresql":
        count = _full_in_partitions(store, day, thresholds, progress)
        copy_states(conn, day)
        record_run(conn, day, started, now(), batch, count[0])
        return DayResult(day, count[0], count[1], full)
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
    progress(f"{day}: keeping the day's states for the reports")
    copy_states(conn, day)
    record_run(conn, day, started, now(), batch, computed)
    return DayResult(day, computed, count + rolled_moves, full, rolled)


def _full_in_partitions(
    store: Store, day: date, thresholds: StageThresholds, progress: Progress
) -> tuple[int, int]:
    """A full run in partitions of ``PARTITION_LOANS`` consecutive loan ids: each is read,
    computed and written before the next is read, so the run's memory depends on the
    partition size, not on the portfolio (1M loans in one piece: 2.35 GiB peak RSS).
    A loan's state depends only on its own terms and payments, so the partitions give the
    same states in any order; they share the day's transaction. Returns (loans computed,
    stage transitions). PostgreSQL only: SQLite's full run keeps its two-process split."""
    previous_exists = store.keep_previous_stages()
    bounds = store.partition_bounds(PARTITION_LOANS)
    computed = moves = 0
    with store.replacing_states():
        for n, (low, high) in enumerate(bounds, start=1):
            progress(f"{day}: partition {n} of {len(bounds)}")
            portfolio = store.load(only_todo=False, from_=low, below=high)
            states = compute_states(portfolio.loans, portfolio.payments, day, thresholds)
            states = restate(store.conn, portfolio.loan_ids, states, day, thresholds)
            store.insert_states(portfolio.loan_ids, states, day)
            if previous_exists:
                previous = store.previous_stages(low, high)
                changed = transitions(portfolio.loan_ids, states, previous, day)
                store.write_transitions(changed)
                moves += len(changed)
            computed += len(portfolio.loan_ids)
            del portfolio, states
    if not previous_exists:
        moves = store.record_first_stages(day)
    return computed, moves


def _store_with_helper(
    store: Store,
    helper: ledger_split.Helper,
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

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

**Partitions.** Every run reads, computes and writes the loans in partitions of
``partition_loans`` consecutive loan ids (a full run: all loans; an incremental run: the
loans due a change), so its memory follows the partition size, not the portfolio. A
loan's state depends only on its own terms, payments and adjustments, so the partitions
give the same states in any order. With ``workers`` > 1 a full run hands the partitions
to that many worker processes (``adapters.db.ledger_pool``), each reading and computing
through its own connection, while this process writes each finished partition in the
order they arrive.

**Crash unit.** A full run is the long one, so its partitions are units of their own: each
is staged and committed with a marker as it is computed (``adapters.db.ledger_staging``),
and the day's transaction then moves the staged rows into the live tables. A full run
killed mid-way keeps the partitions it finished; its rerun computes only the others, as
long as nothing it was computed from changed (the run's key: the day, the thresholds, the
partition size, the newest import batch, the counts of loans and adjustments). An
incremental run (a fraction of the loans, most of them carried forward in SQL) computes
its partitions in the day's transaction (its loans due a change are listed in a temporary
table only the run's connection sees): killed, it rolls back whole and reruns whole.

The SQL is in ``adapters.db`` (``portfolio_store``, ``roll_forward``, ``ledger_runs``); the
run's SQLite settings, memory settings and worker pool are adapters too
(``sqlite_tuning``, ``adapters.memory``, ``ledger_pool``). Here: which days, full or
incremental, in what order, and what a day's transaction holds.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine

from faircollect.adapters.db import ledger_staging as staging
from faircollect.adapters.db.ledger_pool import (
    PartitionPool,
    export_snapshot,
    one_snapshot,
    shareable,
)
from faircollect.adapters.db.ledger_runs import (
    adjustments_count,
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
from faircollect.services.ledger_adjusted import restate
from faircollect.services.ledger_partitions import PARTITION_LOANS, WORKERS

Progress = Callable[[str], None]
Bounds = tuple[str | None, str | None]
"""A partition: the loans with ``low <= loan_id < high`` (None: open end)."""


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
    kept: int = 0
    """Loans of a full run whose partitions an interrupted run had already staged."""


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
    workers: int = WORKERS,
    partition_loans: int = PARTITION_LOANS,
) -> RunReport:
    """Bring the stored states up to ``as_of``, catching up missed days in order.

    ``recompute_all`` recomputes every loan on each day run (after a data correction, or
    for payments recorded without an import batch), instead of only those due a change.
    ``workers`` processes compute a full run's partitions of ``partition_loans`` loans
    (1: this process computes them); the stored result does not depend on either.
    """
    if workers < 1 or partition_loans < 1:
        raise ValueError("workers and partition_loans must be at least 1")
    report = RunReport(as_of)
    with engine.connect() as conn:
        last = last_completed(conn)
        parallel = (last is None or recompute_all) and workers > 1 and shareable(engine)
        # Workers pay off only when there is more than one partition to share.
        parallel = parallel and Store(conn).count_loans() > partition_loans
    if last is not None and last[0] > as_of:
        report.note = f"states are already as of {last[0]}; nothing changed"
        return report
    days = [as_of] if last is None else _days_between(last[0], as_of)
    # The workers are forked inside the memory settings, so they inherit them too.
    with no_cycle_collection(), reuse_freed_memory():
        pool = PartitionPool.start(engine, workers) if parallel else None
        run = _Run(thresholds, progress, now, recompute_all, partition_loans, pool)
        try:
            for day in days:
                report.days.append(run.day(engine, day))
        finally:
            if pool is not None:
                pool.close()
    if not report.days:
        report.note = f"already up to date as of {as_of}"
    return report


def _days_between(last: date, as_of: date) -> list[date]:
    """The days still to run: D0+1 … D, or D itself again when it is the last run."""
    if last == as_of:
        return [as_of]
    return [last + timedelta(days=n) for n in range(1, (as_of - last).days + 1)]


def compute_partition(
    conn: Connection, bounds: Bounds, day: date, thresholds: StageThresholds, only_todo: bool
) -> tuple[list[str], PortfolioStates]:
    """The states as of ``day`` of the loans in ``bounds`` (only those in ``fc_todo`` with
    ``only_todo``), read through ``conn``: in this process or in a worker
    (``ledger_pool``), which is why it is a module-level function of plain arguments."""
    low, high = bounds
    portfolio = Store(conn).load(only_todo=only_todo, from_=low, below=high)
    states = compute_states(portfolio.loans, portfolio.payments, day, thresholds)
    return portfolio.loan_ids, restate(conn, portfolio.loan_ids, states, day, thresholds)


STAGING_ATTEMPTS = 3
"""Times a full day is staged before giving up, when adjustments keep being approved while
its partitions are computed (each approval makes the staged partitions stale)."""


@dataclass(frozen=True, slots=True)
class _Staged:
    """What phase one of a full day staged: under which key, from which import batch."""

    key: str
    batch: int
    adjustments: int
    loans: int
    """Loans staged under ``key``: the kept partitions' and those computed now."""
    kept: int
    """Loans in partitions an interrupted run had staged, kept rather than computed."""


class _Restage(Exception):
    """Adjustments were approved while the day's partitions were computed."""


@dataclass(frozen=True, slots=True)
class _Run:
    """What every day of one ``run_day`` call shares."""

    thresholds: StageThresholds
    progress: Progress
    now: Callable[[], datetime]
    recompute_all: bool
    partition_loans: int
    pool: PartitionPool | None

    def day(self, engine: Engine, day: date) -> DayResult:
        """Run ``day``: a full day in two phases (its partitions staged, then moved in the
        day's transaction), an incremental one in the day's transaction alone."""
        started = self.now()
        for _ in range(STAGING_ATTEMPTS):
            staged = self._stage(engine, day) if self._is_full(engine, day) else None
            try:
                with (
                    engine.connect().execution_options(**one_snapshot(engine)) as conn,
                    run_settings(conn),
                    conn.begin(),
                ):
                    return self.one_day(conn, day, started, staged)
            except _Restage:
                self.progress(f"{day}: adjustments approved meanwhile, staging again")
        raise RuntimeError(
            f"{day}: adjustments were approved during each of {STAGING_ATTEMPTS} attempts "
            "to run the day; run it again when approvals pause"
        )

    def _is_full(self, engine: Engine, day: date) -> bool:
        with engine.connect() as conn:
            last = last_completed(conn)
        return self.recompute_all or last is None or last[0] < day - timedelta(days=1)

    def one_day(
        self, conn: Connection, day: date, started: datetime, staged: _Staged | None
    ) -> DayResult:
        """Run ``day`` in ``conn``'s transaction (a full day: move what ``_stage`` staged)."""
        if _postgres(conn.engine):
            # Before the transaction's snapshot is taken: an approval (which writes the
            # loan's state too) either committed before it, and is seen by the run, or
            # waits for the day to commit. SQLite's write lock does the same from the claim.
            conn.exec_driver_sql("LOCK TABLE account_states IN SHARE ROW EXCLUSIVE MODE")
        store = Store(conn)
        last = last_completed(conn)
        if staged is None:
            assert last is not None  # only a full day can follow no completed run
            up_to_date = last[0] == day and store.max_batch() <= last[1]
            if up_to_date and not approved_since_run(conn, day):
                return DayResult(day, 0, 0, full=False)
        # Claim the date first: this opens the write transaction, so every read below
        # sees one snapshot, and on SQLite no import commits until the day does.
        claim_date(conn, day)
        if staged is not None:
            computed, moves = self._publish(store, day, staged)
            rolled, kept, batch = 0, staged.kept, staged.batch
        else:
            assert last is not None
            batch = store.max_batch()
            computed, moves, rolled = self._incremental(store, day, last[1])
            kept = 0
        self.progress(f"{day}: keeping the day's states for the reports")
        copy_states(conn, day)
        record_run(conn, day, started, self.now(), batch, computed)
        return DayResult(day, computed, moves, staged is not None, rolled, kept)

    def _stage(self, engine: Engine, day: date) -> _Staged:
        """Phase one of a full day: every partition not staged yet under this run's key is
        computed (by the workers, or here) and staged in a transaction of its own."""
        # Each partition's reads (loans, then payments) from one snapshot.
        with (
            engine.connect().execution_options(**one_snapshot(engine)) as writer,
            run_settings(writer),
        ):
            store = Store(writer)
            with writer.begin():
                batch, adjustments = store.max_batch(), adjustments_count(writer)
                key = self._key(day, batch, store.count_loans(), adjustments)
                kept = staging.kept_partitions(store, key)
                bounds = store.partition_bounds(self.partition_loans)
            todo = [(n, bound) for n, bound in enumerate(bounds) if n not in kept]
            if kept:
                self.progress(
                    f"{day}: {len(kept)} of {len(bounds)} partitions kept from an interrupted run"
                )
            staged = sum(kept.values())
            for done, (part_no, loan_ids, states) in enumerate(
                self._computed(engine, writer, todo, day), 1
            ):
                self.progress(f"{day}: partition {done} of {len(todo)} computed, staging it")
                with writer.begin():
                    staging.stage_partition(store, key, part_no, loan_ids, states, day)
                staged += len(loan_ids)
        return _Staged(key, batch, adjustments, staged, sum(kept.values()))

    def _key(self, day: date, batch: int, loans: int, adjustments: int) -> str:
        """What a full day's partitions are computed from, as a digest."""
        what: dict[str, Any] = {
            "day": day.isoformat(),
            "thresholds": asdict(self.thresholds),
            "partition_loans": self.partition_loans,
            "batch": batch,
            "loans": loans,
            "adjustments": adjustments,
        }
        return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()[:32]

    def _computed(
        self, engine: Engine, writer: Connection, todo: list[tuple[int, Bounds]], day: date
    ) -> Iterator[tuple[int, list[str], PortfolioStates]]:
        """Partitions computed by the workers, or here (each read in a transaction of its
        own), in the order they are ready."""
        if self.pool is None:
            for part_no, bound in todo:
                with writer.begin():
                    loan_ids, states = compute_partition(writer, bound, day, self.thresholds, False)
                yield part_no, loan_ids, states
            return
        if not todo:
            return
        self.progress(f"{day}: {self.pool.workers} workers computing {len(todo)} partitions")
        with engine.connect().execution_options(**one_snapshot(engine)) as reader, reader.begin():
            snapshot = export_snapshot(reader)
            numbers = {bound: part_no for part_no, bound in todo}
            for bound, (loan_ids, states) in self.pool.run(
                compute_partition,
                [bound for _, bound in todo],
                snapshot,
                day,
                self.thresholds,
                False,
            ):
                yield numbers[bound], loan_ids, states

    def _incremental(self, store: Store, day: date, after_batch: int) -> tuple[int, int, int]:
        """Overdue loans carried forward in SQL, then the loans due a change, partition by
        partition, upserted. Returns (loans brought to ``day``, transitions, carried)."""
        self.progress(f"{day}: carrying overdue loans forward")
        rolled, moves = roll_forward(store, day, after_batch, self.thresholds)
        store.mark_due(day, after_batch)
        store.forget_todo_accruals()
        bounds = store.partition_bounds(self.partition_loans, only_todo=True)
        computed = 0
        for n, bound in enumerate(bounds, 1):
            self.progress(f"{day}: loading and computing partition {n} of {len(bounds)}")
            previous = store.stored_stages(True, *bound)
            loan_ids, states = compute_partition(store.conn, bound, day, self.thresholds, True)
            store.upsert_states(loan_ids, states, day)
            changed = transitions(loan_ids, states, previous, day)
            store.write_transitions(changed)
            computed += len(loan_ids)
            moves += len(changed)
        return computed + rolled, moves, rolled

    def _publish(self, store: Store, day: date, staged: _Staged) -> tuple[int, int]:
        """Phase two of a full day: the staged partitions become the live states. Returns
        (loans computed, stage transitions)."""
        if adjustments_count(store.conn) != staged.adjustments:
            raise _Restage
        self.progress(f"{day}: moving {staged.loans} staged states into place")
        first_night = not store.fetch("SELECT 1 FROM account_states LIMIT 1")
        moves = 0 if first_night else staging.record_transitions(store, day)
        with store.replacing_states():
            staging.publish(store)
        if first_night:
            moves = store.record_first_stages(day)
        staging.clear(store)
        return staged.loans, moves


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


def _postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"

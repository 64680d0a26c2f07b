"""One night (``run-day``, ``quickstart``, the web's "run tonight"): the ledger step brings
every account's state up to the date, then each day it brought up to date is planned.

The two steps keep their own transactions and crash safety (``nightly_ledger.run_day``:
one transaction per business date; ``nightly_plan.plan_night``: one for planning and
queuing, small ones for sending), so a night killed anywhere is simply run again. Days
are planned in order, after the ledger step has stored all of them: planning a day reads
its states (``account_states`` rows as of that day or before) and the previous days'
actions (sticky 分案), never a later day's.

Last, a night that planned keeps the day's managers' reports that are as of one night
(buckets, vintage: ``keep_reports``), so the workbench's report pages read them instead
of grouping a night's states again.

Front doors call ``run_night`` and render its ``NightReport``; progress arrives as
``NightStep`` values through one callback.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Literal

from sqlalchemy import Engine

from faircollect.services.ledger_partitions import PARTITION_LOANS, WORKERS
from faircollect.services.nightly_ledger import RunReport, run_day

if TYPE_CHECKING:
    from faircollect.adapters.channels.base import Channel as Transport
    from faircollect.domain.strategy import Strategy
    from faircollect.services.nightly_plan import NightSummary

Phase = Literal["demo", "ledger", "plan"]


@dataclass(frozen=True, slots=True)
class NightStep:
    """Where the night is: the phase, the day (None while building a demo), what it is
    doing, and how far (``total`` 0: no measure, a step named only)."""

    phase: Phase
    day: date | None
    name: str
    done: int = 0
    total: int = 0


NightProgress = Callable[[NightStep], None]


def _quiet(_: NightStep) -> None:
    """No progress output."""


@dataclass(slots=True)
class NightReport:
    """What a night did: the ledger step, and the plan of each day it brought up to date
    (none with ``plan=False``, or when the states are already past the date)."""

    ledger: RunReport
    plans: list[NightSummary] = field(default_factory=list)


def run_night(
    engine: Engine,
    as_of: date,
    *,
    plan: bool = True,
    recompute_all: bool = False,
    progress: NightProgress = _quiet,
    strategy: Strategy | None = None,
    channels: Mapping[str, Transport] | None = None,
    workers: int = WORKERS,
    partition_loans: int = PARTITION_LOANS,
) -> NightReport:
    """Bring the stored states up to ``as_of`` (missed days caught up in order), then plan,
    gate, assign, queue and send each of those days (skipped with ``plan=False``).

    ``recompute_all`` recomputes every loan instead of only those due a change;
    ``workers`` and ``partition_loans``: how the ledger step shares a full run
    (``nightly_ledger.run_day``); ``workers`` also compute the plan's partitions
    (``nightly_plan.plan_night``). Safe to run again for the same date: nothing is
    computed, planned or sent twice.
    """
    ledger = run_day(
        engine,
        as_of,
        progress=lambda step: progress(NightStep("ledger", None, step)),
        recompute_all=recompute_all,
        workers=workers,
        partition_loans=partition_loans,
    )
    report = NightReport(ledger)
    if not plan:
        return report
    # The planner (gate, screener, templates) is imported only for a night that plans:
    # ``run-day --ledger-only`` starts as fast as before (bench/ledger.py times it).
    from faircollect.services.nightly_plan import plan_night

    for day in ledger.days:
        report.plans.append(
            plan_night(
                engine,
                day.run_date,
                strategy=strategy,
                channels=channels,
                progress=_plan_progress(progress, day.run_date),
                workers=workers,
            )
        )
    if ledger.days:
        keep_reports(engine, ledger.days[-1].run_date, progress)
    return report


def keep_reports(engine: Engine, night: date, progress: NightProgress = _quiet) -> None:
    """Compute and keep the managers' reports as of ``night`` that the workbench's pages
    read (``manager_reports.KEPT``: buckets, vintage), in a transaction of their own; a
    night killed before it leaves the pages computing, as before."""
    from faircollect.adapters.db.uow import UnitOfWork
    from faircollect.services.manager_reports import keep_night

    progress(NightStep("plan", night, "reports"))
    with UnitOfWork(engine) as uow:
        keep_night(uow, night)


def plan_stored(
    engine: Engine, as_of: date, *, progress: NightProgress = _quiet, workers: int = WORKERS
) -> NightSummary:
    """Plan, gate, assign, queue and send the night of ``as_of`` from the states already
    stored, without the ledger step (``plan --compute``), its partitions computed by
    ``workers`` processes. Idempotent like ``run_night``."""
    from faircollect.services.nightly_plan import plan_night

    return plan_night(engine, as_of, progress=_plan_progress(progress, as_of), workers=workers)


def _plan_progress(progress: NightProgress, day: date) -> Callable[[str, int, int], None]:
    def report(step: str, done: int, total: int) -> None:
        progress(NightStep("plan", day, step, done, total))

    return report

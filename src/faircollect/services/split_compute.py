"""A full run's computation over two processes: one half of the loans in a helper process.

Reading rows from SQLite and the numpy rounds are single-threaded, so on a 2-core machine
a big full run computes the loans below a split key in a forked helper while the run's
own process computes the rest and writes its states. Used only for SQLite files and big portfolios.

Consistency: the newest import batch is read before the fork and recorded by the run, so
a batch committed while the halves read (before the run takes its write lock) has a
newer id and is picked up by the next run, whichever half saw it. The fork happens with
no database connection open in the parent (the pool is disposed first), as SQLite asks.
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass
from datetime import date
from multiprocessing.pool import AsyncResult, Pool

from sqlalchemy import Engine

from faircollect.adapters.db.engine import make_engine
from faircollect.adapters.db.portfolio_store import Store
from faircollect.domain.ledger.state import StageThresholds
from faircollect.portfolio import PortfolioStates, compute_states

PARALLEL_MIN = 200_000
"""Below this many loans a second process costs more than it saves."""
HELPER_SHARE = 0.55
"""The helper's share of the loans. The run's own process also writes every state (its
own while the helper still computes), so it takes the smaller share: both should finish
their share together. Measured on 1M loans (after the faster read and writes): the helper
spends about 13 µs of CPU a loan (read, compute, hand-over), the run's own process about
16 µs (read, compute, write), hence 0.55 (0.57 left the run waiting about 0.7 s)."""

Half = tuple[list[str], PortfolioStates]


@dataclass(slots=True)
class Helper:
    """The running helper: it computes loans with id < ``split``."""

    split: str
    batch: int
    pool: Pool
    result: AsyncResult[Half]

    def collect(self) -> Half:
        try:
            return self.result.get()
        finally:
            self.pool.close()
            self.pool.join()


def _lower_half(url: str, split: str, day: date, thresholds: StageThresholds) -> Half:
    engine = make_engine(url)
    with engine.connect() as conn:
        portfolio = Store(conn).load(only_todo=False, below=split)
    engine.dispose()
    states = compute_states(portfolio.loans, portfolio.payments, day, thresholds)
    return portfolio.loan_ids, states


def start(engine: Engine, day: date, thresholds: StageThresholds) -> Helper | None:
    """Start the helper for a full run of ``day``, or None when one process is better."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return None
    with engine.connect() as conn:
        store = Store(conn)
        count = int(store.fetch("SELECT COUNT(*) FROM loans")[0][0])
        if count < PARALLEL_MIN:
            return None
        split = store.fetch(
            "SELECT loan_id FROM loans ORDER BY loan_id LIMIT 1 OFFSET ?",
            (int(count * HELPER_SHARE),),
        )[0][0]
        batch = store.max_batch()
    engine.dispose()
    pool = multiprocessing.get_context("fork").Pool(1)
    url = engine.url.render_as_string(hide_password=False)
    result = pool.apply_async(_lower_half, (url, split, day, thresholds))
    return Helper(split, batch, pool, result)

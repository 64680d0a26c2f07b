"""A full run's loans over two processes: a forked helper computes the loans below a split
key while the run's own process computes the rest and writes its states.

Reading rows from SQLite and the numpy rounds are single-threaded, so on a 2-core machine
a big full run shares them. Used only for SQLite files and big portfolios. What the helper
computes is the caller's task (``services.nightly_ledger``); here is where to split, how
the helper reads its half, and the fork.

Consistency: the newest import batch is read before the fork and recorded by the run, so
a batch committed while the halves read (before the run takes its write lock) has a
newer id and is picked up by the next run, whichever half saw it. The fork happens with
no database connection open in the parent (the pool is disposed first), as SQLite asks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from faircollect.adapters.db.engine import make_engine
from faircollect.adapters.db.portfolio_store import Portfolio, Store
from faircollect.adapters.parallel import ForkedHelper, start_helper
from faircollect.portfolio import PortfolioStates

PARALLEL_MIN = 200_000
"""Below this many loans a second process costs more than it saves."""
HELPER_SHARE = 0.55
"""The helper's share of the loans. The run's own process also writes every state (its
own while the helper still computes), so it takes the smaller share: both should finish
their share together. Measured on 1M loans (after the faster read and writes): the helper
spends about 13 µs of CPU a loan (read, compute, hand-over), the run's own process about
16 µs (read, compute, write), hence 0.55 (0.57 left the run waiting about 0.7 s)."""

Half = tuple[list[str], PortfolioStates]
"""The loan ids a process computed and their states."""


@dataclass(slots=True)
class Helper:
    """The running helper: it computes the loans with id < ``split``."""

    split: str
    batch: int
    forked: ForkedHelper[Half]

    def collect(self) -> Half:
        return self.forked.collect()


def load_below(url: str, split: str) -> Portfolio:
    """In the helper: the loans with id < ``split`` and their payments, read through a
    connection of its own."""
    engine = make_engine(url)
    with engine.connect() as conn:
        portfolio = Store(conn).load(only_todo=False, below=split)
    engine.dispose()
    return portfolio


def start(engine: Engine, task: Callable[..., Half], *args: Any) -> Helper | None:
    """Fork a helper running ``task(url, split, *args)`` for a full run, or None when one
    process is better (not a SQLite file, or fewer than ``PARALLEL_MIN`` loans)."""
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
    url = engine.url.render_as_string(hide_password=False)
    return Helper(split, batch, start_helper(task, url, split, *args))

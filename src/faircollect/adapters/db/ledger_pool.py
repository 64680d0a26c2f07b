"""Worker processes that read and compute partitions of the loans for the nightly ledger,
each through a database connection of its own, while the run's own process writes.

What a worker computes is the caller's task (``services.nightly_ledger``): here is the
pool, the workers' connections and the snapshot they read.

**What the workers see.** The workers compute a full run's partitions while the run's
process stages each finished one in a transaction of its own (``ledger_staging``); they
read loans, payments and adjustments, tables the run does not write until its day's
transaction moves the staged rows into place:

- *PostgreSQL.* The run opens a REPEATABLE READ transaction and exports its snapshot
  (``pg_export_snapshot``); every worker's transaction starts with ``SET TRANSACTION
  SNAPSHOT``, so all partitions are read from one snapshot, whatever commits meanwhile.
  The exported snapshot stays importable while that transaction is open, which is as long
  as partitions are handed out.
- *SQLite (a file in WAL mode).* There is no snapshot to share between connections, and
  the run holds no write lock while it stages, so an import that commits meanwhile is
  seen by the partitions read after it. WAL readers never wait for the writer.

Either way the run records the newest import batch it started from, so the next run
recomputes every loan with payments in a later batch from its whole history: what a
partition saw of an import is corrected the next night at the latest.

**Fork safety.** The workers are forked when the pool starts, before the run opens its
connection (the engine's pool is disposed first): a forked process must not share a SQLite
or PostgreSQL connection with its parent. Each worker opens its own engine. On Linux a
worker is killed when the run's process dies (``PR_SET_PDEATHSIG``), so a killed run
leaves no worker behind; a worker that dies makes the run fail (``BrokenProcessPool``)
and its transaction roll back.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import re
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine

from faircollect.adapters.db.engine import make_engine

T = TypeVar("T")
B = TypeVar("B")

PartitionTask = Callable[..., T]
"""``task(conn, partition, *args)``, a module-level function: the partition's result, read
through ``conn`` (the worker's connection, in a transaction on the run's snapshot)."""

_SNAPSHOT_ID = re.compile(r"^[0-9A-F]+-[0-9A-F]+(-[0-9]+)?$")
_PR_SET_PDEATHSIG = 1
_ENGINE: Engine | None = None
"""In a worker: its own engine (``_start_worker``)."""


def shareable(engine: Engine) -> bool:
    """Whether other processes can open the engine's database: a SQLite file or a server
    (not an in-memory SQLite database)."""
    if engine.dialect.name == "sqlite":
        return engine.url.database not in (None, "", ":memory:")
    return True


def export_snapshot(conn: Connection) -> str | None:
    """The snapshot of ``conn``'s transaction for the workers to read (PostgreSQL; it must
    be REPEATABLE READ), or None where the write lock gives them the same (SQLite)."""
    if conn.dialect.name != "postgresql":
        return None
    return str(conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one())


def one_snapshot(engine: Engine) -> dict[str, str]:
    """Execution options giving a transaction one snapshot for all its reads (PostgreSQL's
    REPEATABLE READ, which ``export_snapshot`` needs; SQLite's transactions have it
    already)."""
    return {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}


@dataclass(slots=True)
class PartitionPool:
    """``workers`` forked processes running partition tasks (``start``, ``run``, ``close``)."""

    executor: ProcessPoolExecutor
    workers: int

    @classmethod
    def start(cls, engine: Engine, workers: int) -> PartitionPool:
        """Fork ``workers`` processes, each opening its own engine on ``engine``'s URL.

        ``engine``'s pooled connections are closed first: call it before the run opens
        its connection (see the module's note on fork safety)."""
        engine.dispose()
        url = engine.url.render_as_string(hide_password=False)
        executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_start_worker,
            initargs=(url,),
        )
        executor.submit(os.getpid).result()  # forks every worker now, before any connection
        return cls(executor, workers)

    def run(
        self,
        task: PartitionTask[T],
        partitions: Sequence[B],
        snapshot: str | None,
        *args: Any,
    ) -> Iterator[tuple[B, T]]:
        """``(partition, task(conn, partition, *args))`` for every partition, in the order
        they finish. At most two partitions per worker are handed out at a time, so
        finished results do not pile up in this process when it writes slower than the
        workers compute. An error in a worker is raised here."""
        if snapshot is not None and not _SNAPSHOT_ID.match(snapshot):
            raise ValueError(f"not a PostgreSQL snapshot id: {snapshot!r}")
        waiting = list(reversed(partitions))
        running: dict[Future[T], B] = {}
        try:
            while waiting or running:
                while waiting and len(running) < 2 * self.workers:
                    partition = waiting.pop()
                    future = self.executor.submit(_in_worker, task, partition, snapshot, args)
                    running[future] = partition
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    yield running.pop(future), future.result()
        finally:
            for future in running:
                future.cancel()

    def close(self) -> None:
        """End the workers (waiting for none of the partitions still queued)."""
        self.executor.shutdown(wait=True, cancel_futures=True)


def _start_worker(url: str) -> None:
    """In a new worker: die with the run's process (Linux), and open an engine of its own."""
    global _ENGINE
    # Elsewhere than Linux, a worker of a killed run is left waiting for work until killed.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    _ENGINE = make_engine(url)


def _in_worker(
    task: PartitionTask[T], partition: Any, snapshot: str | None, args: tuple[Any, ...]
) -> T:
    """Run ``task`` in a read transaction of the worker's connection; on PostgreSQL a
    REPEATABLE READ transaction on the run's exported snapshot."""
    if _ENGINE is None:
        raise RuntimeError("not in a partition worker")
    with _ENGINE.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            if snapshot is not None:
                conn.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
            return task(conn, partition, *args)

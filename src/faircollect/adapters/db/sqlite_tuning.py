"""SQLite settings for the big nightly transactions (the ledger step and the night's plan).

Only the connection of a run gets them, for the length of the run; every other
connection keeps the engine's defaults (``adapters.db.engine``). Other backends: no change.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

SQLITE_RUN_SETTINGS = {
    "foreign_keys": ("OFF", "ON"),
    "cache_size": (str(-(2**18)), "-2000"),
    "mmap_size": (str(2**28), "0"),
}
"""SQLite settings (run value, value restored) for the run's connection.

- ``foreign_keys``: every row the run writes (states, stage history) is keyed by a loan
  id it has just read from ``loans`` under the same write lock, so each parent lookup can
  only succeed; on a million loans they cost about a second.
- ``cache_size`` (256 MiB, allocated only as used) and ``mmap_size`` (256 MiB): the
  incremental run reads and upserts loans scattered over the tables; with the default
  2 MB cache every row went back to the OS for its pages (1M-loan incremental: state
  upsert 8.7 s -> 2.7 s, selective load 11.7 s -> 7.8 s, measured on a loaded machine
  with 1 GiB and 4 GiB). Both count in the run's resident memory (pages read through the
  map, and the cache holding the run's uncommitted pages), so they are capped where the
  run's memory stays bounded by its partitions: docs/scale.md has the measurements.
  The worker processes of a full run read with the engine's defaults.
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

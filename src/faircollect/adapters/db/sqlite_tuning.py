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


SQLITE_NIGHT_SETTINGS = {
    "foreign_keys": ("OFF", "ON"),
    "cache_size": (str(-(2**16)), "-2000"),
    "mmap_size": ("0", "0"),
}
"""SQLite settings for the night's plan (``services.nightly_plan``): foreign keys as for
the ledger; a 64 MiB page cache and no memory map. The night reads each partition's
borrowers through index range scans and appends its rows in id order, so it gains
little from a big cache, while each MiB of cache and map is resident memory on top of
the night's own, and the cache also sets how much the sorter of the night's big ordered
statements (the outbox ``INSERT … SELECT … ORDER BY``, the cases' window functions)
holds in memory before it spills to a temporary file: with 256 MiB of each, the night
at 2M loans peaked at 1.03 GiB, 0.12 GiB of it the outbox sort alone."""


@contextmanager
def run_settings(
    conn: Connection, settings: dict[str, tuple[str, str]] = SQLITE_RUN_SETTINGS
) -> Iterator[None]:
    """Apply ``settings`` (``SQLITE_RUN_SETTINGS`` by default) for one run (SQLite accepts
    ``foreign_keys`` only outside a transaction) and restore them on the pooled
    connection afterwards."""
    if conn.dialect.name != "sqlite":
        yield
        return
    raw = conn.connection.driver_connection
    for name, (value, _) in settings.items():
        raw.execute(f"PRAGMA {name}={value}")  # type: ignore[union-attr]
    try:
        yield
    finally:
        for name, (_, restored) in settings.items():
            raw.execute(f"PRAGMA {name}={restored}")  # type: ignore[union-attr]

"""How the nightly ledger step cuts its work (``nightly_ledger.run_day``): the defaults of
``run-day --workers`` and ``--partition-size``, in a module of their own so the command
line reads them without importing the ledger (``faircollect --help`` starts fast)."""

from __future__ import annotations

PARTITION_LOANS = 100_000
"""Loans read, computed and written at a time. A run's memory is a fixed part plus about
2 KiB per loan of a partition, in each process computing one; smaller partitions cost a
little time per partition (one more range read, one more hand-over). docs/scale.md has the
measured figures."""
WORKERS = 2
"""Worker processes computing a full run's partitions, and the night plan's partitions of
borrowers (``nightly_plan``), while the run's own process writes: one per core of the
2-core machine the project is measured on (docs/scale.md compares 1, 2 and 3)."""

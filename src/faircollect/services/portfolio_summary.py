"""What the collections team sees first each morning: accounts by bucket and stage, and
how much is overdue, read from the states the nightly run stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, Engine

from faircollect.adapters.db import reports


@dataclass(frozen=True, slots=True)
class Group:
    """Accounts sharing a bucket or a stage: how many, and what they owe overdue (fen)."""

    name: str
    accounts: int
    overdue_principal: int
    total_overdue: int


@dataclass(frozen=True, slots=True)
class PortfolioSummary:
    """The latest run's picture of the portfolio."""

    as_of: date | None
    accounts: int
    by_bucket: tuple[Group, ...]
    by_stage: tuple[Group, ...]

    @property
    def total_overdue(self) -> int:
        return sum(group.total_overdue for group in self.by_bucket)


def _groups(conn: Connection, column: str, order: tuple[str, ...]) -> tuple[Group, ...]:
    """Groups by ``column``: the names of ``order`` first, in that order, then any other."""
    rows = {name: Group(name, *sums) for name, sums in reports.overdue_by(conn, column).items()}
    known = [rows.pop(name) for name in order if name in rows]
    return (*known, *(rows[name] for name in sorted(rows)))


BUCKET_ORDER = ("M0", "M1", "M2", "M3", "M4", "M5", "M6", "M6+")
STAGE_ORDER = ("current", "pre_due", "early", "intensive", "legal")


def summarize(engine: Engine) -> PortfolioSummary:
    """Accounts per bucket and per stage with amounts overdue, as of the last completed run."""
    with engine.connect() as conn:
        as_of = reports.latest_run_date(conn)
        by_bucket = _groups(conn, "bucket", BUCKET_ORDER)
        by_stage = _groups(conn, "stage", STAGE_ORDER)
    return PortfolioSummary(as_of, sum(g.accounts for g in by_bucket), by_bucket, by_stage)

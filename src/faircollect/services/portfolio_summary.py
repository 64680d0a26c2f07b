"""What the collections team sees first each morning: accounts by bucket and stage, and
how much is overdue, read from the states the nightly run stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, func, select

from faircollect.adapters.db.tables import account_states, runs

_OVERDUE = (
    account_states.c.overdue_principal
    + account_states.c.overdue_interest
    + account_states.c.overdue_fee
    + account_states.c.penalty
)


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


def _groups(engine: Engine, column: object, order: tuple[str, ...]) -> tuple[Group, ...]:
    query = select(
        column,
        func.count(),
        func.coalesce(func.sum(account_states.c.overdue_principal), 0),
        func.coalesce(func.sum(_OVERDUE), 0),
    ).group_by(column)
    with engine.connect() as conn:
        rows = {name: Group(name, int(n), int(p), int(t)) for name, n, p, t in conn.execute(query)}
    known = [rows.pop(name) for name in order if name in rows]
    return (*known, *(rows[name] for name in sorted(rows)))


BUCKET_ORDER = ("M0", "M1", "M2", "M3", "M4", "M5", "M6", "M6+")
STAGE_ORDER = ("current", "pre_due", "early", "intensive", "legal")


def summarize(engine: Engine) -> PortfolioSummary:
    """Accounts per bucket and per stage with amounts overdue, as of the last completed run."""
    with engine.connect() as conn:
        as_of = conn.execute(select(func.max(runs.c.run_date))).scalar()
    by_bucket = _groups(engine, account_states.c.bucket, BUCKET_ORDER)
    by_stage = _groups(engine, account_states.c.stage, STAGE_ORDER)
    return PortfolioSummary(as_of, sum(g.accounts for g in by_bucket), by_bucket, by_stage)

"""An account's state as of a business date: DPD, bucket, stage and what is overdue."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from enum import StrEnum


class Stage(StrEnum):
    """Collection stages (逾期管理阶段) from the seed, plus the legal stage."""

    CURRENT = "current"
    PRE_DUE = "pre_due"  # 逾期前: remind + educate
    EARLY = "early"  # 逾期前期: understand + correct
    INTENSIVE = "intensive"  # 强力催收
    LEGAL = "legal"  # 诉讼 / 委外


@dataclass(frozen=True, slots=True)
class StageThresholds:
    """Where the stages begin. Defaults are the product's; a strategy file may change them."""

    pre_due_days: int = 7
    early_max_dpd: int = 30
    intensive_max_dpd: int = 90

    def stage(self, dpd: int, has_due_soon: bool) -> Stage:
        """Stage for a DPD; ``has_due_soon``: an unpaid installment due in [D, D+pre_due_days]."""
        if dpd == 0:
            return Stage.PRE_DUE if has_due_soon else Stage.CURRENT
        if dpd <= self.early_max_dpd:
            return Stage.EARLY
        if dpd <= self.intensive_max_dpd:
            return Stage.INTENSIVE
        return Stage.LEGAL


DEFAULT_THRESHOLDS = StageThresholds()

_BUCKET_EDGES = (
    (0, "M0"),
    (30, "M1"),
    (60, "M2"),
    (90, "M3"),
    (120, "M4"),
    (150, "M5"),
    (180, "M6"),
)


BUCKETS: tuple[str, ...] = (*(name for _, name in _BUCKET_EDGES), "M6+")
"""The buckets in order, M0 (current) to M6+."""


def bucket(dpd: int) -> str:
    """M0 = DPD 0, M1 = 1-30, ... M6 = 151-180, M6+ = over 180."""
    for upper, name in _BUCKET_EDGES:
        if dpd <= upper:
            return name
    return "M6+"


@dataclass(frozen=True, slots=True)
class AccountState:
    """One loan's collection-relevant state as of ``as_of``. Amounts are integer fen.

    ``overdue_*`` are the unpaid parts of installments due before ``as_of``; ``penalty`` is
    the payable penalty; ``outstanding_principal`` is contract principal minus principal paid.
    """

    loan_id: str
    as_of: date
    dpd: int
    bucket: str
    stage: Stage
    overdue_principal: int
    overdue_interest: int
    overdue_fee: int
    penalty: int
    outstanding_principal: int
    credit: int = 0
    paid_total: int = 0
    next_due_on: date | None = None
    """Due date of the oldest installment not yet fully paid that is due on or after ``as_of``."""

    @property
    def total_overdue(self) -> int:
        return self.overdue_principal + self.overdue_interest + self.overdue_fee + self.penalty


STATE_VALUES: tuple[str, ...] = tuple(
    f.name for f in fields(AccountState) if f.name not in ("loan_id", "as_of")
)
"""The fields that describe the account itself (what two computations must agree on)."""

"""``retention run``: delete or anonymise what is past its retention period, audited.

One unit of work, so one transaction: every category's changes and their audit entries
commit together or not at all. Per category, the rows past the cutoff are selected first
(all tables), then changed by key, then one ``retention.applied`` entry records the
category, its period and cutoff, the policy version, and per table the number of rows
and a digest of their keys (``domain.retention.digest``). Each borrower whose identity is
anonymised gets a ``personal_data.anonymised`` entry of their own (subject: the borrower
id), so "when was my data deleted?" has an answer. A dry run selects the same rows and
changes nothing (no entry either). A second run on the same date finds nothing to do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from faircollect.adapters.db.repositories.retention import (
    CHUNK,
    Sweep,
    dated_sweeps,
    identity_sweeps,
)
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.domain.retention import (
    Category,
    KeptRecord,
    RetentionPolicy,
    RetentionRule,
    Treatment,
    cutoffs,
    digest,
    identity_expired,
)
from faircollect.services import audit

ACTOR = "retention"
"""The actor of retention's audit entries (an operator command, like the night's)."""


@dataclass(frozen=True, slots=True)
class CategoryOutcome:
    """What a run did (or, dry, would do) to one category."""

    rule: RetentionRule
    cutoff: date
    """Rows dated before this day were past the period."""
    rows: dict[str, int] = field(default_factory=dict)
    """Rows changed (or deleted) per table, tables with none left out."""
    borrowers: int = 0
    """closed_cases: borrowers whose identity was anonymised."""

    @property
    def category(self) -> Category:
        return self.rule.category

    @property
    def treatment(self) -> Treatment:
        return self.rule.treatment

    @property
    def total(self) -> int:
        return sum(self.rows.values())


@dataclass(frozen=True, slots=True)
class RetentionOutcome:
    day: date
    version: str
    dry_run: bool
    categories: list[CategoryOutcome]
    kept: tuple[KeptRecord, ...]

    @property
    def total(self) -> int:
        return sum(c.total for c in self.categories)


def run_retention(
    uow: UnitOfWork, policy: RetentionPolicy, day: date, pack_years: int, *, dry_run: bool
) -> RetentionOutcome:
    """Apply ``policy`` as of ``day`` (``pack_years``: the rule pack's RET-1 years, a
    floor); refuses a period below its floor before anything is read."""
    cuts = cutoffs(policy, day, pack_years)
    done = []
    for rule in policy.rules:
        cutoff = cuts[rule.category]
        if rule.category is Category.CLOSED_CASES:
            done.append(_identities(uow, policy.version, rule, cutoff, day, dry_run))
        else:
            sweeps = dated_sweeps(rule.category, cutoff)
            rows = _sweep(uow, sweeps, dry_run)
            outcome = CategoryOutcome(rule, cutoff, _counts(rows))
            if rows and not dry_run:
                _applied(uow, policy.version, outcome, rows)
            done.append(outcome)
    return RetentionOutcome(day, policy.version, dry_run, done, policy.kept)


def _sweep(uow: UnitOfWork, sweeps: Sequence[Sweep], dry_run: bool) -> dict[str, list[str]]:
    """Every sweep's keys, selected before any is applied (later sweeps select through
    rows earlier ones change), then applied unless dry; tables with none left out."""
    found = [(s, uow.retention.keys(s)) for s in sweeps]
    if not dry_run:
        for sweep, keys in found:
            if keys:
                uow.retention.apply(sweep, keys)
    rows: dict[str, list[str]] = {}
    for sweep, keys in found:
        if keys:
            rows.setdefault(sweep.name, []).extend(keys)
    return rows


def _identities(
    uow: UnitOfWork, version: str, rule: RetentionRule, cutoff: date, day: date, dry_run: bool
) -> CategoryOutcome:
    files = uow.retention.borrower_files(cutoff)
    expired = [f for f in files if identity_expired(f, cutoff)]
    rows: dict[str, list[str]] = {}
    for start in range(0, len(expired), CHUNK):
        chunk = expired[start : start + CHUNK]
        ids = [f.borrower_id for f in chunk]
        sweeps = identity_sweeps(ids, day, uow.retention.unplanned_messages_to(ids))
        found = _sweep(uow, sweeps, dry_run)
        for table, keys in found.items():
            rows.setdefault(table, []).extend(keys)
        if not dry_run:
            for f in chunk:
                last = max(d for d in f.closed_on if d is not None)
                audit.record(
                    uow,
                    ACTOR,
                    "personal_data.anonymised",
                    f.borrower_id,
                    None,
                    {
                        "category": rule.category,
                        "anonymised_on": day,
                        "last_case_closed_on": last,
                        "keep": str(rule.keep),
                        "policy": version,
                    },
                )
    outcome = CategoryOutcome(rule, cutoff, _counts(rows), len(expired))
    if rows and not dry_run:
        _applied(uow, version, outcome, rows)
    return outcome


def _counts(rows: dict[str, list[str]]) -> dict[str, int]:
    return {table: len(keys) for table, keys in rows.items()}


def _applied(
    uow: UnitOfWork, version: str, outcome: CategoryOutcome, rows: dict[str, list[str]]
) -> None:
    audit.record(
        uow,
        ACTOR,
        "retention.applied",
        f"retention:{outcome.category}",
        None,
        {
            "category": outcome.category,
            "treatment": outcome.treatment,
            "keep": str(outcome.rule.keep),
            "cutoff": outcome.cutoff,
            "policy": version,
            "borrowers": outcome.borrowers,
            "rows": outcome.rows,
            "keys_sha256": {table: _grouped(digest(keys)) for table, keys in rows.items()},
        },
    )


def _grouped(hex_digest: str) -> str:
    """The digest in groups of eight (``1a2b3c4d-…``): the audit trail masks runs of
    digits that look like a mobile number, and a group never holds eleven."""
    return "-".join(hex_digest[i : i + 8] for i in range(0, len(hex_digest), 8))

"""Retention (个人信息保存期限): how long each kind of personal data is kept, and why (pure).

个人信息保护法 art. 19: personal information is kept for the shortest period necessary
for the purpose of processing, unless a law sets a period. So each kind of personal data
faircollect holds is a ``Category`` with a period (``keep``) counted from a date the
category names (the day a borrower's last case closed, the day of a contact, the day a
session expired), a legal floor (``minimum``, and the rule pack's RET-1 years where
``floor`` says ``RET-1``) and the legal basis for both. The periods are data
(``data/retention/retention.yaml``); a lender may lengthen a period, or shorten it down to
its floor, never below (``cutoffs`` refuses, naming every breach).

What happens past the period is fixed here (``TREATMENTS``): rows are deleted where
nothing else depends on them (sessions, sign-in records), their personal fields cleared
where the fact itself must stay (a contact happened, a visit took place, a borrower had
loans). The ledger, the gate's decisions and the audit trail are never deleted
(``RetentionPolicy.kept`` says why). ``identity_expired`` is the one rule that decides
when a borrower's identity goes; every other category is a date comparison.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from faircollect.domain.bad_input import BadInput
from faircollect.domain.dates import add_months


class RetentionError(BadInput):
    """Periods that break their legal floor (every breach, one per line)."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


class Unit(StrEnum):
    YEARS = "y"
    MONTHS = "m"
    DAYS = "d"


_PERIOD = re.compile(r"(\d{1,4})\s*([ymd])")


@dataclass(frozen=True, slots=True)
class Period:
    """A span of calendar time: ``5y``, ``6m``, ``90d``."""

    amount: int
    unit: Unit

    @classmethod
    def parse(cls, text: str) -> Period:
        """``5y`` / ``6m`` / ``90d`` (years, months, days); ValueError otherwise."""
        found = _PERIOD.fullmatch(text.strip())
        if found is None:
            raise ValueError(f"expected a period like 5y, 6m or 90d, got {text[:40]!r}")
        return cls(int(found.group(1)), Unit(found.group(2)))

    def before(self, day: date) -> date:
        """``day`` minus this period (month ends clamped: 29 Feb - 1y = 28 Feb)."""
        if self.unit is Unit.DAYS:
            return day - timedelta(days=self.amount)
        months = self.amount * (12 if self.unit is Unit.YEARS else 1)
        return add_months(day, -months)

    def __str__(self) -> str:
        return f"{self.amount}{self.unit.value}"


class Category(StrEnum):
    """The kinds of personal data faircollect holds, each with its own period."""

    CLOSED_CASES = "closed_cases"
    """A borrower's identity (name, phone, ID number, e-mail) and everything that names
    them: emergency contacts, preferences, sessions, messages, visit addresses, complaint
    texts, notes; counted from the day the borrower's last case closed."""
    CONTACT_RECORDS = "contact_records"
    """催记: a contact's note and the number dialled, QA evidence quoted from notes, and a
    planned action's target and rendered text; counted from the contact / the plan's day."""
    RECORDINGS = "recordings"
    """Home visits (外访): the recording's reference, the address, the note; counted from
    the day the visit was planned."""
    OUTBOX_BODIES = "outbox_bodies"
    """The sender's copy of a message (body, subject, recipient) once the channel answered
    (sent, delivered or failed); counted from the day it was queued. The text of record
    of a collection message is the planned action's (``CONTACT_RECORDS``)."""
    SESSIONS = "sessions"
    """Workbench and portal sessions, counted from their expiry; first calls in progress
    on the web, counted from their start."""
    SIGN_IN_RECORDS = "sign_in_records"
    """Failed sign-ins (throttling) and the portal's sign-in code requests (a phone
    number each), counted from when they happened."""


class Treatment(StrEnum):
    DELETE = "delete"
    ANONYMISE = "anonymise"


TREATMENTS: dict[Category, Treatment] = {
    Category.CLOSED_CASES: Treatment.ANONYMISE,
    Category.CONTACT_RECORDS: Treatment.ANONYMISE,
    Category.RECORDINGS: Treatment.ANONYMISE,
    Category.OUTBOX_BODIES: Treatment.ANONYMISE,
    Category.SESSIONS: Treatment.DELETE,
    Category.SIGN_IN_RECORDS: Treatment.DELETE,
}
"""What a run does past the period. Anonymise: the row stays (the fact, its dates, its
amounts, its ids), its personal fields are emptied; delete: the row goes (emergency
contacts and preferences of an anonymised borrower are deleted too)."""

RET_1 = "RET-1"
"""The only rule a period may take its floor from: the pack's ``retention_years``."""


@dataclass(frozen=True, slots=True)
class RetentionRule:
    """One category's period, its floor and why."""

    category: Category
    keep: Period
    basis: str
    """The legal basis of the period and of its floor, with citations."""
    confidence: str
    """H official text, M consistent secondary reports, L low (as in the rule pack)."""
    minimum: Period | None = None
    """The floor a lender's override cannot go below (None: none beyond ``floor``)."""
    floor: str | None = None
    """``RET-1``: the rule pack's contact-record years are a floor too."""

    @property
    def treatment(self) -> Treatment:
        return TREATMENTS[self.category]


@dataclass(frozen=True, slots=True)
class KeptRecord:
    """Records faircollect keeps whatever the periods say, and why (shown, never acted on)."""

    name: str
    records: str
    basis: str


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """Every category's rule (in ``Category`` order) and what is kept regardless."""

    version: str
    rules: tuple[RetentionRule, ...]
    kept: tuple[KeptRecord, ...] = ()

    def rule(self, category: Category) -> RetentionRule:
        return next(r for r in self.rules if r.category is category)


def cutoffs(policy: RetentionPolicy, day: date, pack_years: int) -> dict[Category, date]:
    """Per category, the first day still kept on ``day``: what is dated before it is past
    its period. ``pack_years`` is the rule pack's RET-1 ``retention_years``. Refuses
    (``RetentionError``, every breach) a period shorter than its floor."""
    problems = []
    found: dict[Category, date] = {}
    for rule in policy.rules:
        cutoff = rule.keep.before(day)
        floors = [(rule.minimum, "its minimum")] if rule.minimum is not None else []
        if rule.floor == RET_1:
            floors.append((Period(pack_years, Unit.YEARS), "RET-1 in the rule pack"))
        for floor, why in floors:
            if cutoff > floor.before(day):
                problems.append(
                    f"{rule.category}.keep: {rule.keep} is shorter than {floor} ({why})"
                )
        found[rule.category] = cutoff
    if problems:
        raise RetentionError(problems)
    return found


@dataclass(frozen=True, slots=True)
class BorrowerFile:
    """What decides whether a borrower's identity may go: their cases (the day each
    closed, None while open), whether any of their loans still has a balance in its latest
    state, and whether a complaint of theirs is open."""

    borrower_id: str
    closed_on: tuple[date | None, ...]
    owes: bool = False
    complaint_open: bool = False


def identity_expired(file: BorrowerFile, cutoff: date) -> bool:
    """True when the borrower's identity is past its period: they had cases, every one is
    closed, the last closed before ``cutoff``, nothing is owed (a written-off debt that is
    still owed keeps its debtor: the claim is alive) and no complaint is open (it must be
    answered first, COMP-1)."""
    if not file.closed_on or file.owes or file.complaint_open:
        return False
    return all(closed is not None and closed < cutoff for closed in file.closed_on)


def digest(keys: Iterable[str]) -> str:
    """SHA-256 (hex) of the sorted keys, one per line: what the audit entry of a run holds
    for the rows it changed, so the set can be checked later without listing it there."""
    return hashlib.sha256("\n".join(sorted(keys)).encode("utf-8")).hexdigest()


ANONYMISED_NAME = "已匿名"
"""The name an anonymised borrower is shown under (the row and its ledger stay)."""

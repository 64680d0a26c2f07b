"""What the gate is asked and what it answers: a proposed contact, its context, the decision.

All values are frozen. Times are timezone-aware (a naive ``at`` is refused at construction,
because "21:30" means nothing until we know whose 21:30 it is). Optional facts carry their
*safe* default here, so every caller (CLI, nightly run, workbench) gets the same reading:

- ``purpose`` defaults to ``collect``, the most restricted purpose.
- ``recorded`` unknown (``None``) counts as *not recorded* for calls and visits (CC-68).
- ``discloses_debt`` unknown (``None``) counts as *may disclose* for a third party (CN-3P-1):
  a contact to a third party must positively declare ``discloses_debt=False``.
- a visit without its ``visit`` details fails every CN-VISIT-1 requirement.
- the borrower context defaults to Asia/Shanghai, reachable, no complaint, no consented slots.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Shanghai"


class Channel(StrEnum):
    """How a contact is made."""

    CALL = "call"
    SMS = "sms"
    EMAIL = "email"
    APP_PUSH = "app_push"
    WECHAT = "wechat"
    LETTER = "letter"
    LAWYER_LETTER = "lawyer_letter"
    VISIT = "visit"
    PUBLIC_NOTICE = "public_notice"


class Party(StrEnum):
    """Who is contacted, relative to the borrower."""

    BORROWER = "borrower"
    GUARANTOR = "guarantor"
    EMERGENCY_CONTACT = "emergency_contact"
    SPOUSE = "spouse"
    OTHER_CONTACT = "other_contact"
    EMPLOYER = "employer"
    CONTACT_LIST = "contact_list"


class Purpose(StrEnum):
    """Why: collect the debt, locate the borrower, relay a call-back request, or notify."""

    COLLECT = "collect"
    LOCATE = "locate"
    RELAY = "relay"
    NOTIFY = "notify"


DEBTORS = frozenset({Party.BORROWER, Party.GUARANTOR})
"""Parties a debt may be collected from (CC-68)."""

THIRD_PARTIES = frozenset(
    {Party.EMERGENCY_CONTACT, Party.SPOUSE, Party.OTHER_CONTACT, Party.EMPLOYER}
)
"""Registered people who are not liable: contactable only to locate or relay (CN-3P-1)."""


@dataclass(frozen=True, slots=True)
class Slot:
    """A local time slot the borrower agreed to be contacted in; may cross midnight."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start == self.end:
            raise ValueError("a consented slot must not start and end at the same time")

    @property
    def crosses_midnight(self) -> bool:
        return self.end < self.start

    def contains(self, moment: time) -> bool:
        """Whether a local time of day falls in ``[start, end)``."""
        if self.crosses_midnight:
            return moment >= self.start or moment < self.end
        return self.start <= moment < self.end


@dataclass(frozen=True, slots=True)
class VisitDetails:
    """How a home visit (外访) will be carried out; ``None`` means not stated."""

    staff: int | None = None
    identified: bool | None = None
    recorded: bool | None = None
    notice_sent: bool | None = None
    notice_sent_on: date | None = None
    """The day the notice letter went out, when known: it must precede the visit by the
    pack's ``visit_notice_days`` (CN-VISIT-1)."""


@dataclass(frozen=True, slots=True)
class BorrowerContext:
    """What the gate must know about the borrower behind the contact."""

    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TZ))
    number_invalid: bool = False
    consecutive_failed_attempts: int = 0
    consented_slots: tuple[Slot, ...] = ()
    complaint_open: bool = False
    illegal_debt: bool = False
    do_not_contact: frozenset[Channel] = frozenset()
    preferred_slots: tuple[Slot, ...] = ()
    """Times the borrower asked to be contacted in (the portal's preferences): they narrow
    the lawful window for real-time contact with the borrower (DNC-1); empty: no wish."""


@dataclass(frozen=True, slots=True)
class PastContact:
    """One earlier contact attempt, as logged (the history CN-FREQ-1 counts)."""

    at: datetime
    channel: Channel
    party: Party | None = None
    phone: str | None = None
    answered: bool = False

    def __post_init__(self) -> None:
        _require_aware(self.at, "history.at")


@dataclass(frozen=True, slots=True)
class ProposedAction:
    """One contact someone wants to make; the gate decides whether it may happen."""

    id: str
    channel: Channel
    party: Party
    at: datetime
    purpose: Purpose = Purpose.COLLECT
    phone: str | None = None
    text: str | None = None
    discloses_debt: bool | None = None
    recorded: bool | None = None
    visit: VisitDetails | None = None
    borrower: BorrowerContext = field(default_factory=BorrowerContext)
    history: tuple[PastContact, ...] = ()

    def __post_init__(self) -> None:
        _require_aware(self.at, "at")


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule and a reason naming the values that broke it."""

    rule: str
    reason: str
    wait_until: datetime | None = None
    """When waiting cures this violation, the earliest moment it may be cured; else None."""


@dataclass(frozen=True, slots=True)
class Decision:
    """The gate's answer: allowed iff there are no violations."""

    id: str
    allowed: bool
    violations: tuple[Violation, ...]
    next_allowed_at: datetime | None
    """When every violation is cured by waiting, the first moment the action is allowed."""


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name}: {moment.isoformat()} has no UTC offset")

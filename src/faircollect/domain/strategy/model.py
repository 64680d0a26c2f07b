"""A collection strategy as plain data: stages, segments, ordered actions, challenger.

Nothing here reads files or the clock. The YAML adapter builds these values (and reports
every mistake with its line); planning reads them. Keeping the strategy as data lets a lender
change who is contacted, when and how without touching code, and lets the gate and the
auditor see exactly what was configured.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from enum import StrEnum

from faircollect.domain.compliance.actions import Purpose as Purpose  # the gate's own
from faircollect.domain.ledger.state import Stage, StageThresholds


class Channel(StrEnum):
    """How a contact is made (联系渠道)."""

    CALL = "call"
    SMS = "sms"
    EMAIL = "email"
    APP_PUSH = "app_push"
    WECHAT = "wechat"
    LETTER = "letter"
    LAWYER_LETTER = "lawyer_letter"
    VISIT = "visit"


class Party(StrEnum):
    """Who is contacted. Only the debtor and guarantor may be asked to pay (CC-68)."""

    BORROWER = "borrower"
    GUARANTOR = "guarantor"
    EMERGENCY_CONTACT = "emergency_contact"


class ActionKind(StrEnum):
    """A contact with someone, or a case decision that contacts nobody by itself."""

    CONTACT = "contact"
    AGENCY_PLACEMENT = "agency_placement"  # 委外
    LITIGATION_REFERRAL = "litigation_referral"  # 诉讼移交


class Anchor(StrEnum):
    """What an action's day offsets count from."""

    DUE = "due"
    """Days relative to the next due date: -3 is T-3, 0 the due day."""
    DPD = "dpd"
    """Days past due: 1 is the first overdue day."""
    BROKEN_PROMISE = "broken_promise"
    """Days since a promise to pay was found broken: 0 is that day."""


THIRD_PARTY_PURPOSES = frozenset({Purpose.LOCATE, Purpose.RELAY})


@dataclass(frozen=True, slots=True)
class ActionRule:
    """One configured action of a segment: what to do, to whom, and on which days.

    ``days`` are offsets from ``anchor``; with ``every`` set the action also repeats every
    ``every`` days after the last listed offset, for as long as the account stays in the
    segment. ``key`` names the action within its segment and feeds the deterministic id.
    """

    key: str
    anchor: Anchor
    days: tuple[int, ...]
    kind: ActionKind = ActionKind.CONTACT
    channel: Channel | None = None
    party: Party = Party.BORROWER
    purpose: Purpose = Purpose.COLLECT
    template: str | None = None
    priority: int = 50
    at: time = time(10, 0)
    every: int | None = None

    def fires_on(self, offset: int) -> bool:
        """True when the action is due at ``offset`` days from its anchor."""
        if offset in self.days:
            return True
        if self.every is None or not self.days:
            return False
        last = self.days[-1]
        return offset > last and (offset - last) % self.every == 0


@dataclass(frozen=True, slots=True)
class IntRange:
    """Inclusive lower bound, exclusive upper bound; ``None`` leaves that side open."""

    low: int | None = None
    high: int | None = None

    def contains(self, value: int) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value < self.high)


@dataclass(frozen=True, slots=True)
class SegmentMatch:
    """Which accounts a segment takes. Empty criteria match everything.

    ``balance`` is in fen; ``risk`` in score points; an account without a risk score never
    matches a segment that asks for a risk range. ``first_time`` None matches both.
    """

    buckets: frozenset[str] = frozenset()
    products: frozenset[str] = frozenset()
    balance: IntRange = IntRange()
    risk: IntRange | None = None
    first_time: bool | None = None


@dataclass(frozen=True, slots=True)
class Segment:
    """A group of accounts in one stage treated alike; the first matching segment wins."""

    name: str
    stage: Stage
    match: SegmentMatch
    actions: tuple[ActionRule, ...]
    escalation: tuple[ActionRule, ...] = ()
    """Actions taken when a promise to pay is broken (anchored on the broken-promise date)."""


@dataclass(frozen=True, slots=True)
class Policies:
    """Numbers the rules need that are policy choices, kept as data."""

    unreachable_after_failed_attempts: int = 3
    visit_notice_days: int = 3
    visit_notice_template: str = "letter_visit_notice"
    agency_threshold_dpd: int = 90
    agency_recall_days: int = 90
    hotline: str = "400-000-0000"
    lender_name: str = "贷款机构"
    law_firm: str = ""
    """The law firm that really acts for the lender; a lawyer letter cannot render without it."""


@dataclass(frozen=True, slots=True)
class Challenger:
    """A challenger strategy and the share of accounts (in basis points of 10,000) it gets."""

    strategy: Strategy
    share_bp: int


@dataclass(frozen=True, slots=True)
class Strategy:
    """A whole collection strategy: thresholds, segments in order, policies, challenger."""

    name: str
    thresholds: StageThresholds
    segments: tuple[Segment, ...]
    policies: Policies = field(default_factory=Policies)
    challenger: Challenger | None = None

    def segments_for(self, stage: Stage) -> tuple[Segment, ...]:
        """The segments of one stage, in file order."""
        return tuple(s for s in self.segments if s.stage == stage)

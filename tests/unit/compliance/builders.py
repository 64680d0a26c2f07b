"""Builders for compliance tests: a lawful baseline action that each test bends one way."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from faircollect.domain.compliance.actions import (
    BorrowerContext,
    Channel,
    Party,
    PastContact,
    ProposedAction,
    Purpose,
)
from faircollect.domain.compliance.findings import RULE_FOR_LABEL, Finding, Label
from faircollect.domain.compliance.gate import Gate

SHANGHAI = ZoneInfo("Asia/Shanghai")
PHONE = "13800000000"


def at(text: str, tz: ZoneInfo = SHANGHAI) -> datetime:
    """A local wall-clock time "2026-11-28 21:30" in ``tz``."""
    return datetime.fromisoformat(text).replace(tzinfo=tz)


def action(**changes: Any) -> ProposedAction:
    """A lawful recorded 10:00 collection call to the borrower, with ``changes`` applied.

    ``borrower`` may be given as a dict of BorrowerContext fields.
    """
    base = ProposedAction(
        id="a1",
        channel=Channel.CALL,
        party=Party.BORROWER,
        purpose=Purpose.COLLECT,
        at=at("2026-11-28 10:00"),
        phone=PHONE,
        recorded=True,
    )
    borrower = changes.pop("borrower", None)
    if isinstance(borrower, dict):
        changes["borrower"] = BorrowerContext(**borrower)
    elif borrower is not None:
        changes["borrower"] = borrower
    return replace(base, **changes)


def unanswered_calls(
    count: int, day: str = "2026-11-28", phone: str | None = PHONE
) -> tuple[PastContact, ...]:
    """``count`` unanswered calls on ``day`` from 08:00, one every 10 minutes."""
    first = at(f"{day} 08:00")
    return tuple(
        PastContact(first + timedelta(minutes=10 * i), Channel.CALL, Party.BORROWER, phone, False)
        for i in range(count)
    )


def finding(label: Label, evidence: str = "x", start: int = 0) -> Finding:
    return Finding(label, RULE_FOR_LABEL[label], start, start + len(evidence), evidence)


class FakeScreen:
    """A screen that returns fixed findings for chosen texts and counts its calls."""

    def __init__(self, flagged: dict[str, Sequence[Finding]] | None = None) -> None:
        self.flagged = flagged or {}
        self.calls = 0

    def __call__(self, text: str) -> tuple[Finding, ...]:
        self.calls += 1
        return tuple(self.flagged.get(text, ()))


def rules_of(gate: Gate, proposed: ProposedAction) -> list[str]:
    return [v.rule for v in gate.decide(proposed).violations]

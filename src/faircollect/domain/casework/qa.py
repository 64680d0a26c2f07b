"""Quality inspection (质检): a day's contacts and messages, screened and scored.

Every note and message is put through the injected screener; each finding becomes a
violation naming its rule. Calls are sampled for a human to review with a stable hash of
(salt, record id), so the same day always yields the same sample and nobody can steer it;
a call whose note was flagged is always in the sample.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import Decimal
from fractions import Fraction

from faircollect.domain.casework.call_script import Screen
from faircollect.domain.casework.contacts import FAILED, SHANGHAI, ContactRecord, Outcome
from faircollect.domain.casework.errors import CaseworkError
from faircollect.domain.compliance.actions import Channel
from faircollect.domain.messages import Message


@dataclass(frozen=True, slots=True)
class SentMessage:
    """An outbound message (SMS, e-mail, letter...) as sent."""

    message_id: str
    case_id: str
    actor: str
    sent_at: datetime
    channel: Channel
    text: str


@dataclass(frozen=True, slots=True)
class SettledPromise:
    """A promise the nightly run settled on the QA day, credited to who obtained it."""

    promise_id: str
    actor: str
    kept: bool


@dataclass(frozen=True, slots=True)
class Violation:
    source: str
    """"contact:<record id>" or "message:<message id>"."""
    actor: str
    rule: str
    label: str
    evidence: str


@dataclass(frozen=True, slots=True)
class CollectorScore:
    actor: str
    contacts: int
    reached: int
    promises: int
    promises_settled: int
    promises_kept: int
    violations: tuple[Violation, ...]

    @property
    def kept_rate(self) -> Decimal | None:
        """Kept / settled, 4 decimal places (half up); None when nothing was settled."""
        if not self.promises_settled:
            return None
        return (Decimal(self.promises_kept) / Decimal(self.promises_settled)).quantize(
            Decimal("0.0001")
        )


@dataclass(frozen=True, slots=True)
class QaReport:
    day: date
    scores: tuple[CollectorScore, ...]
    sample: tuple[str, ...]
    """Record ids of the calls to review, in record-id order."""


def _on_day(moment: datetime, day: date, zone: tzinfo) -> bool:
    return moment.astimezone(zone).date() == day


def violations(
    records: Iterable[ContactRecord], messages: Iterable[SentMessage], screen: Screen
) -> list[Violation]:
    """Every finding in every note and message, as violations with rule ids."""
    found = [
        Violation(f"contact:{r.record_id}", r.actor, f.rule, f.label.value, f.evidence)
        for r in records
        if r.note
        for f in screen(r.note)
    ]
    found.extend(
        Violation(f"message:{m.message_id}", m.actor, f.rule, f.label.value, f.evidence)
        for m in messages
        for f in screen(m.text)
    )
    return found


def in_sample(record_id: str, rate: Fraction, salt: str) -> bool:
    """Stable draw: sha256(salt/record id) read as a fraction of 2**64 below ``rate``."""
    digest = hashlib.sha256(f"{salt}/{record_id}".encode()).digest()
    return Fraction(int.from_bytes(digest[:8], "big"), 2**64) < rate


def run_qa(
    day: date,
    records: Sequence[ContactRecord],
    messages: Sequence[SentMessage],
    settled: Sequence[SettledPromise],
    screen: Screen,
    rate: Fraction = Fraction(1, 10),
    salt: str = "",
    zone: tzinfo = SHANGHAI,
) -> QaReport:
    """The day's QA: per-collector scores and the calls to review.

    Only records and messages of ``day`` (local time in ``zone``) count; ``settled`` is
    taken as given (the nightly run decides which promises settled that day).
    """
    if not 0 <= rate <= 1:
        raise CaseworkError(Message("qa.rate", rate=rate))
    todays = [r for r in records if _on_day(r.at, day, zone)]
    sent = [m for m in messages if _on_day(m.sent_at, day, zone)]
    found = violations(todays, sent, screen)
    actors = sorted(
        {r.actor for r in todays} | {m.actor for m in sent} | {s.actor for s in settled}
    )
    scores = tuple(_score(actor, todays, settled, found) for actor in actors)
    flagged = {v.source.removeprefix("contact:") for v in found if v.source.startswith("contact:")}
    sample = tuple(
        sorted(
            r.record_id
            for r in todays
            if r.channel is Channel.CALL
            and (r.record_id in flagged or in_sample(r.record_id, rate, salt))
        )
    )
    return QaReport(day, scores, sample)


def _score(
    actor: str,
    records: Sequence[ContactRecord],
    settled: Sequence[SettledPromise],
    found: Sequence[Violation],
) -> CollectorScore:
    mine = [r for r in records if r.actor == actor]
    theirs = [s for s in settled if s.actor == actor]
    return CollectorScore(
        actor=actor,
        contacts=len(mine),
        reached=sum(1 for r in mine if r.outcome not in FAILED),
        promises=sum(1 for r in mine if r.outcome is Outcome.PROMISE),
        promises_settled=len(theirs),
        promises_kept=sum(1 for s in theirs if s.kept),
        violations=tuple(v for v in found if v.actor == actor),
    )

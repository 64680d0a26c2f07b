"""Sending what waits in the outbox, honestly.

The night queues every allowed message; nothing is called sent until a channel accepted it.
``send_pending`` hands queued messages to the lender's channel adapters (an SMS or e-mail
gateway, a print house), asking the gate again at the moment of sending — an SMS planned
for 21:50 that the sender reaches at 22:05 is not sent (CN-TIME-1), and a complaint opened
since the night pauses it (COMP-1) — and records what each channel said: ``sent``,
``delivered``, or a refusal, retried up to ``MAX_SEND_ATTEMPTS`` times and then ``failed``
with the reason. A channel with no adapter configured sends nothing: its messages stay
``queued``. The outbox adapter (the default) only queues, so it never makes a message sent.

Messages are recorded in small batches right after the channel answered, so a crash can
re-send at most the batch in flight: adapters receive the action id as ``message_id`` and
must drop ids they already took (the file and outbox adapters do).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from faircollect.adapters.channels.base import Channel, OutboundMessage, SendResult, SendStatus
from faircollect.adapters.db import night_store as store
from faircollect.adapters.db.night_store import SentOutcome
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.domain.compliance.actions import (
    DEFAULT_TZ,
    BorrowerContext,
    Party,
    ProposedAction,
    Purpose,
)
from faircollect.domain.compliance.actions import Channel as GateChannel
from faircollect.domain.compliance.gate import Gate
from faircollect.domain.outreach import MAX_SEND_ATTEMPTS, MessageStatus
from faircollect.domain.portal import Preferences
from faircollect.domain.privacy import mask_text
from faircollect.services.compliance import shipped_gate

SEND_BATCH = 500
"""Messages recorded per transaction."""

Progress = Callable[[str, int, int], None]


@dataclass
class SendReport:
    """What happened to the messages handed over, by the status recorded."""

    handed: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    refused_by_gate: Counter[str] = field(default_factory=Counter)
    """Rule id -> messages the gate refused at the moment of sending."""

    @property
    def sent(self) -> int:
        return self.by_status[MessageStatus.SENT] + self.by_status[MessageStatus.DELIVERED]


def send_pending(
    engine: Engine,
    channels: Mapping[str, Channel],
    *,
    now: datetime | None = None,
    run_date: Any = None,
    gate: Gate | None = None,
    progress: Progress | None = None,
    batch: int = SEND_BATCH,
) -> SendReport:
    """Hand the queued messages on ``channels`` to their adapters and record what they
    said. With ``now`` (the sender process), only messages due by ``now`` go, and the gate
    decides at ``now``; without it (a gateway that schedules delivery itself), each message
    goes for its scheduled time and the gate decides at that time."""
    report = SendReport()
    if not channels:
        return report
    chosen = gate or shipped_gate()
    with engine.connect() as conn:
        pending = store.pending_messages(conn, channels, run_date=run_date, due_by=now)
    with UnitOfWork(engine) as uow:
        borrowers = {r.borrower_id for r in pending if r.borrower_id}
        paused = _paused_borrowers(uow, borrowers)
        wishes = {b: uow.portal.preferences(b) for b in borrowers}
    for start in range(0, len(pending), batch):
        rows = pending[start : start + batch]
        outcomes = [
            _outcome(row, channels[row.channel], chosen, now, paused, report, wishes)
            for row in rows
        ]
        recorded = [o for o in outcomes if o is not None]
        with engine.begin() as conn:
            store.record_send_results(conn, recorded)
            if recorded:
                _audit_sent(conn, recorded, chosen.pack.version)
        report.handed += len(rows)
        if progress is not None:
            progress("send", start + len(rows), len(pending))
    return report


def _audit_sent(conn: Any, outcomes: list[SentOutcome], pack_version: str) -> None:
    """One audit entry per batch of channel answers, in the transaction that records
    them: each message's new status and why (the gate's refusal at sending time names its
    rule; ``pack_version`` is the pack that gate applied)."""
    from faircollect.domain.audit import AuditEvent

    after = {
        "pack_version": pack_version,
        "messages": [
            {"message_id": o.message_id, "status": o.status, "at": o.at, "detail": o.detail}
            for o in outcomes
        ],
    }
    day = min(o.at for o in outcomes).date()
    event = AuditEvent("sender", "outbox.sent", f"outbox:{day}", None, after)
    UnitOfWork.within(conn).audit.append(event)


def _paused_borrowers(uow: UnitOfWork, borrower_ids: set[str]) -> set[str]:
    """Borrowers whose case is in complaint now (COMP-1 pauses collection messages)."""
    return {b for b in borrower_ids if uow.cases.complaint_open(b)}


def _outcome(
    row: Any,
    channel: Channel,
    gate: Gate,
    now: datetime | None,
    paused: set[str],
    report: SendReport,
    wishes: Mapping[str, Preferences] | None = None,
) -> SentOutcome | None:
    at = now or row.queued_at
    wish = (wishes or {}).get(row.borrower_id) or Preferences()
    refusal = _gate_refusal(row, gate, at, row.borrower_id in paused, wish)
    if refusal is not None:
        rule, reason = refusal
        report.refused_by_gate[rule] += 1
        report.by_status[MessageStatus.FAILED] += 1
        return SentOutcome(
            row.message_id,
            MessageStatus.FAILED,
            at,
            mask_text(f"gate at sending time: {rule}: {reason}"),
        )
    result = channel.send(
        OutboundMessage(row.message_id, row.channel, row.recipient, row.body, row.subject)
    )
    outcome = _recorded(row, result, at)
    if outcome is not None:
        report.by_status[outcome.status] += 1
    return outcome


def _recorded(row: Any, result: SendResult, at: datetime) -> SentOutcome | None:
    """The channel's answer as the outbox records it; None when nothing changes (the
    outbox adapter only queued it)."""
    if result.status is SendStatus.QUEUED:
        return None
    if result.status is SendStatus.FAILED:
        final = row.attempts + 1 >= MAX_SEND_ATTEMPTS
        status = MessageStatus.FAILED if final else MessageStatus.QUEUED
        return SentOutcome(row.message_id, status, at, _masked(result.detail))
    return SentOutcome(
        row.message_id, MessageStatus(result.status.value), at, _masked(result.detail)
    )


def _masked(detail: str) -> str:
    """A channel's detail as stored and listed: a provider's error may quote the number."""
    return mask_text(detail)


def _gate_refusal(
    row: Any, gate: Gate, at: datetime, complaint_open: bool, wish: Preferences | None = None
) -> tuple[str, str] | None:
    """The first rule the gate gives against sending this message now; None if allowed.
    Messages no action planned (a borrower's own sign-in code) are not collection."""
    if row.party is None:
        return None
    tz = ZoneInfo(row.tz or DEFAULT_TZ)
    action = ProposedAction(
        id=row.message_id,
        channel=GateChannel(row.channel),
        party=Party(row.party),
        at=at,
        purpose=Purpose(row.purpose),
        phone=row.recipient or None,
        text=row.body or None,
        discloses_debt=False if Party(row.party) not in (Party.BORROWER, Party.GUARANTOR) else None,
        borrower=BorrowerContext(
            tz=tz,
            complaint_open=complaint_open,
            do_not_contact=wish.channels_off if wish else frozenset(),
            preferred_slots=wish.contact_slots if wish else (),
        ),
    )
    decision = gate.decide(action)
    if decision.allowed:
        return None
    first = decision.violations[0]
    return first.rule, first.reason


LIST_FIELDS = (
    "message_id",
    "run_date",
    "channel",
    "recipient",
    "subject",
    "body",
    "status",
    "queued_at",
    "sent_at",
    "delivered_at",
    "attempts",
    "error",
)


def list_messages(
    engine: Engine,
    *,
    day: Any = None,
    status: MessageStatus | None = None,
    recipient: str | None = None,
) -> list[dict[str, Any]]:
    """Outbox messages as stored, for ``faircollect outbox list``."""
    with engine.connect() as conn:
        rows = store.outbox_rows(
            conn, day=day, status=status.value if status else None, recipient=recipient
        )
    return [{name: getattr(r, name) for name in LIST_FIELDS} for r in rows]

"""The words for where an action and a message stand: defined once, meaning exactly what
happened.

A planned action is ``planned`` (or ``rescheduled`` to the moment the gate allows it) or
``denied`` by the gate; a message of it is ``queued`` once it waits in the outbox for a
sender, ``sent`` only when a channel (an SMS or e-mail gateway, a print house) accepted it,
``delivered`` when the channel reports delivery, ``failed`` when the channel refused it
after the retries, or the gate refused it at the moment of sending. A call or visit a
person carried out is ``done``. Nothing is called sent because it was queued.
"""

from __future__ import annotations

from enum import StrEnum


class ActionStatus(StrEnum):
    PLANNED = "planned"
    RESCHEDULED = "rescheduled"
    DENIED = "denied"
    QUEUED = "queued"
    SENT = "sent"
    """Accepted by a channel (also when it later reported delivery: see the outbox row)."""
    FAILED = "failed"
    DONE = "done"


class MessageStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"


ACCEPTED = frozenset({MessageStatus.SENT, MessageStatus.DELIVERED})
"""A message a channel took: the only ones that count as gone out (a visit notice letter
for CN-VISIT-1, a message for QA)."""

TO_DO = frozenset({ActionStatus.PLANNED, ActionStatus.RESCHEDULED})
"""Actions still waiting to be carried out (a person's call or visit, a message to queue)."""

ALLOWED = frozenset(
    {
        ActionStatus.PLANNED,
        ActionStatus.RESCHEDULED,
        ActionStatus.QUEUED,
        ActionStatus.SENT,
        ActionStatus.FAILED,
        ActionStatus.DONE,
    }
)
"""Statuses of actions the gate allowed (a failed send was still allowed when planned)."""

MAX_SEND_ATTEMPTS = 3
"""A channel's refusal is retried up to this many attempts in all, then the message is
left ``failed`` with the channel's reason."""

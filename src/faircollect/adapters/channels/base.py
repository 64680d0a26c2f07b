"""What every channel adapter takes and returns: one outbound message, one send result."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable


class SendStatus(StrEnum):
    """What a channel says it did with one message (the outbox row then says the same)."""

    QUEUED = "queued"
    """Stored for later delivery (the outbox); nothing left the system."""
    SENT = "sent"
    """The provider accepted it."""
    DELIVERED = "delivered"
    """The provider reports it reached the recipient."""
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """A rendered, screened, gate-allowed message. ``message_id`` is the planned action id,
    so sending the same action twice can be recognised and refused."""

    message_id: str
    channel: str
    to: str
    body: str
    subject: str = ""


@dataclass(frozen=True, slots=True)
class SendResult:
    message_id: str
    status: SendStatus
    detail: str = ""


@runtime_checkable
class Channel(Protocol):
    """Anything that can deliver a message; adapters never decide whether they may."""

    def send(self, message: OutboundMessage) -> SendResult: ...

"""The outbox: stores messages and sends nothing. The default for every channel.

Storage is a small ``OutboxStore`` protocol so the run can back it with a database table;
the in-memory store serves tests and dry runs. A message id already stored is not stored
again, which keeps a re-run of the same night from queueing anything twice.
"""

from __future__ import annotations

from typing import Protocol

from faircollect.adapters.channels.base import OutboundMessage, SendResult, SendStatus


class OutboxStore(Protocol):
    def add(self, message: OutboundMessage) -> bool:
        """Store the message; False when its id was already stored."""
        ...


class MemoryOutboxStore:
    """Keeps messages in insertion order, one per id."""

    def __init__(self) -> None:
        self.messages: dict[str, OutboundMessage] = {}

    def add(self, message: OutboundMessage) -> bool:
        if message.message_id in self.messages:
            return False
        self.messages[message.message_id] = message
        return True


class OutboxChannel:
    """A ``Channel`` that queues into a store instead of delivering."""

    def __init__(self, store: OutboxStore | None = None) -> None:
        self.store: OutboxStore = store if store is not None else MemoryOutboxStore()

    def send(self, message: OutboundMessage) -> SendResult:
        added = self.store.add(message)
        detail = "queued in outbox" if added else "already in outbox; not queued twice"
        return SendResult(message.message_id, SendStatus.QUEUED, detail)

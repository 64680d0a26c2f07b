"""Idempotency keys as stored: one row per (owner, key) with the answer it got."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from faircollect.adapters.db.tables import idempotency_keys


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """What a request sent with a key was answered: replayed to a retry."""

    request_hash: str
    status: int
    body: str
    created_at: datetime


class IdempotencyRepository:
    """The idempotency keys of one unit of work."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def find(self, owner: str, key: str) -> StoredAnswer | None:
        k = idempotency_keys
        row = self.conn.execute(
            select(k.c.request_hash, k.c.status, k.c.body, k.c.created_at).where(
                k.c.owner == owner, k.c.key == key
            )
        ).one_or_none()
        return None if row is None else StoredAnswer(*row)

    def store(self, owner: str, key: str, answer: StoredAnswer) -> None:
        """Keep the answer in this transaction. A concurrent request that stored the same
        (owner, key) first makes this raise ``IntegrityError`` (PostgreSQL waits for it to
        commit first), and its transaction rolls back with everything it created."""
        self.conn.execute(
            idempotency_keys.insert().values(
                owner=owner,
                key=key,
                request_hash=answer.request_hash,
                status=answer.status,
                body=answer.body,
                created_at=answer.created_at,
            )
        )

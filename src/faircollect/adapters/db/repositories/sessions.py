"""Workbench sessions and failed sign-ins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, func, select

from faircollect.adapters.db.tables import login_failures, sessions


@dataclass(frozen=True, slots=True)
class StoredSession:
    token_hash: str
    user_id: str
    csrf_token: str
    created_at: datetime
    expires_at: datetime


class SessionRepository:
    """Sessions of one unit of work."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, session: StoredSession) -> None:
        self.conn.execute(
            sessions.insert().values(
                token_hash=session.token_hash,
                user_id=session.user_id,
                csrf_token=session.csrf_token,
                created_at=session.created_at,
                expires_at=session.expires_at,
            )
        )

    def get(self, token_hash: str) -> StoredSession | None:
        row = self.conn.execute(select(sessions).where(sessions.c.token_hash == token_hash)).first()
        if row is None:
            return None
        return StoredSession(
            row.token_hash, row.user_id, row.csrf_token, row.created_at, row.expires_at
        )

    def remove(self, token_hash: str) -> None:
        self.conn.execute(delete(sessions).where(sessions.c.token_hash == token_hash))

    def remove_expired(self, now: datetime) -> None:
        self.conn.execute(delete(sessions).where(sessions.c.expires_at <= now))

    def add_failure(self, user_id: str, at: datetime) -> None:
        self.conn.execute(login_failures.insert().values(user_id=user_id, at=at))

    def failures_since(self, user_id: str, since: datetime) -> int:
        f = login_failures
        query = select(func.count()).where(f.c.user_id == user_id, f.c.at > since)
        return int(self.conn.execute(query).scalar_one())

    def oldest_failure_since(self, user_id: str, since: datetime) -> datetime | None:
        f = login_failures
        query = select(func.min(f.c.at)).where(f.c.user_id == user_id, f.c.at > since)
        return self.conn.execute(query).scalar_one_or_none()

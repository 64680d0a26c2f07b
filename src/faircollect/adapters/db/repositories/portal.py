"""The borrower portal's sign-in: codes asked for a phone number, borrower sessions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import Connection, delete, func, select, update

from faircollect.adapters.data_keys import lookup_hash
from faircollect.adapters.db.tables import (
    account_states,
    borrower_codes,
    borrower_preferences,
    borrower_sessions,
    borrowers,
    loans,
    outbox,
)
from faircollect.domain.compliance.actions import Channel, Slot
from faircollect.domain.outreach import MessageStatus
from faircollect.domain.portal import Preferences


@dataclass(frozen=True, slots=True)
class StoredCode:
    code_id: int
    phone_hash: str
    code_hash: str
    created_at: datetime
    expires_at: datetime
    wrong_tries: int
    used_at: datetime | None
    voided: bool


@dataclass(frozen=True, slots=True)
class BorrowerSession:
    token_hash: str
    borrower_id: str
    csrf_token: str
    created_at: datetime
    expires_at: datetime


class PortalRepository:
    """Sign-in codes and borrower sessions of one unit of work."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def borrower_of_phone(self, phone: str) -> str | None:
        """The borrower whose own number ``phone`` is (the first by id if several)."""
        query = (
            select(borrowers.c.borrower_id)
            .where(borrowers.c.phone_hash == lookup_hash(phone))
            .order_by(borrowers.c.borrower_id)
        )
        return self.conn.execute(query.limit(1)).scalar_one_or_none()

    def codes_since(self, phone: str, since: datetime) -> list[datetime]:
        """When codes were asked for ``phone`` after ``since``, oldest first."""
        c = borrower_codes
        query = (
            select(c.c.created_at)
            .where(c.c.phone_hash == lookup_hash(phone), c.c.created_at > since)
            .order_by(c.c.created_at)
        )
        return list(self.conn.execute(query).scalars())

    def add_code(self, phone: str, code_hash: str, at: datetime, expires: datetime) -> None:
        """A new code for ``phone``; every earlier code of the number stops working."""
        c, hashed = borrower_codes, lookup_hash(phone)
        self.conn.execute(
            update(c).where(c.c.phone_hash == hashed, c.c.used_at.is_(None)).values(voided=True)
        )
        self.conn.execute(
            c.insert().values(
                phone_hash=hashed, code_hash=code_hash, created_at=at, expires_at=expires
            )
        )

    def latest_code(self, phone: str) -> StoredCode | None:
        c = borrower_codes
        query = (
            select(c)
            .where(c.c.phone_hash == lookup_hash(phone))
            .order_by(c.c.code_id.desc())
            .limit(1)
        )
        row = self.conn.execute(query).first()
        if row is None:
            return None
        return StoredCode(
            row.code_id,
            row.phone_hash,
            row.code_hash,
            row.created_at,
            row.expires_at,
            row.wrong_tries,
            row.used_at,
            bool(row.voided),
        )

    def count_wrong_try(self, code_id: int, void: bool) -> None:
        c = borrower_codes
        values: dict[str, object] = {"wrong_tries": c.c.wrong_tries + 1}
        if void:
            values["voided"] = True
        self.conn.execute(update(c).where(c.c.code_id == code_id).values(**values))

    def use_code(self, code_id: int, at: datetime) -> None:
        c = borrower_codes
        self.conn.execute(update(c).where(c.c.code_id == code_id).values(used_at=at))

    def queue_sms(self, message_id: str, phone: str, body: str, at: datetime) -> None:
        """An SMS no action planned (the borrower's own sign-in code) into the outbox."""
        self.conn.execute(
            outbox.insert().values(
                message_id=message_id,
                run_date=at.date(),
                channel="sms",
                recipient=phone,
                subject="",
                body=body,
                queued_at=at,
                status=MessageStatus.QUEUED.value,
                attempts=0,
            )
        )

    def add_session(self, session: BorrowerSession) -> None:
        self.conn.execute(
            borrower_sessions.insert().values(
                token_hash=session.token_hash,
                borrower_id=session.borrower_id,
                csrf_token=session.csrf_token,
                created_at=session.created_at,
                expires_at=session.expires_at,
            )
        )

    def session(self, token_hash: str) -> BorrowerSession | None:
        s = borrower_sessions
        row = self.conn.execute(select(s).where(s.c.token_hash == token_hash)).first()
        if row is None:
            return None
        return BorrowerSession(
            row.token_hash, row.borrower_id, row.csrf_token, row.created_at, row.expires_at
        )

    def remove_session(self, token_hash: str) -> None:
        s = borrower_sessions
        self.conn.execute(delete(s).where(s.c.token_hash == token_hash))

    def remove_expired(self, now: datetime) -> None:
        s = borrower_sessions
        self.conn.execute(delete(s).where(s.c.expires_at <= now))

    def open_sessions(self, borrower_id: str) -> int:
        s = borrower_sessions
        query = select(func.count()).where(s.c.borrower_id == borrower_id)
        return int(self.conn.execute(query).scalar_one())

    def demo_candidates(self, limit: int = 50) -> list[tuple[str, str, str]]:
        """(borrower id, name, phone) of borrowers worth showing in the portal's demo:
        those with a loan carrying 砍头息 (contract above what was received) that is past
        due first, then with 砍头息, by borrower id."""
        b, loan, st = borrowers, loans, account_states
        base = (
            select(b.c.borrower_id, b.c.name, b.c.phone)
            .join(loan, loan.c.borrower_id == b.c.borrower_id)
            .where(loan.c.contract_principal > loan.c.received_amount)
        )
        overdue = base.join(st, st.c.loan_id == loan.c.loan_id).where(st.c.dpd > 0)
        found: list[tuple[str, str, str]] = []
        for query in (overdue, base):
            rows = self.conn.execute(query.order_by(b.c.borrower_id).limit(limit)).all()
            found.extend((r.borrower_id, r.name, r.phone) for r in rows)
        return found

    def preferences(self, borrower_id: str) -> Preferences:
        """The borrower's contact preferences (none: no wish)."""
        p = borrower_preferences
        row = self.conn.execute(select(p).where(p.c.borrower_id == borrower_id)).first()
        if row is None:
            return Preferences()
        return self._read(row.contact_slots, row.channels_off)

    def set_preferences(self, borrower_id: str, wanted: Preferences, at: datetime) -> None:
        p = borrower_preferences
        values = {
            "contact_slots": json.dumps(
                [[f"{s.start:%H:%M}", f"{s.end:%H:%M}"] for s in wanted.contact_slots]
            ),
            "channels_off": json.dumps(sorted(c.value for c in wanted.channels_off)),
            "updated_at": at,
        }
        done = self.conn.execute(update(p).where(p.c.borrower_id == borrower_id).values(**values))
        if done.rowcount == 0:
            self.conn.execute(p.insert().values(borrower_id=borrower_id, **values))

    def every_preference(self) -> dict[str, Preferences]:
        """Every borrower's stored preferences (few: only borrowers who set them)."""
        p = borrower_preferences
        return {
            r.borrower_id: self._read(r.contact_slots, r.channels_off)
            for r in self.conn.execute(select(p))
        }

    @staticmethod
    def _read(slots_json: str, channels_json: str) -> Preferences:
        slots = tuple(
            Slot(time.fromisoformat(a), time.fromisoformat(b)) for a, b in json.loads(slots_json)
        )
        return Preferences(slots, frozenset(Channel(c) for c in json.loads(channels_json)))

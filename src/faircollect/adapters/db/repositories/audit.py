"""The audit trail as stored: appended in the unit of work's transaction, read in id order.

Use cases ``record`` events; the unit of work ``flush``es them just before it commits.
``flush`` first moves the one ``audit_head`` row on (``UPDATE ... SET last_id = last_id
+ n``): on PostgreSQL that takes the row's lock until the transaction ends, and a second
transaction's update waits and then sees the first one's committed head; on SQLite it
takes the database's write lock. Either way no two entries get the same id or chain to
the same predecessor, and a rolled-back transaction leaves neither its entries nor a gap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Select, false, func, select, update

from faircollect.adapters.db.tables import audit_head, audit_log
from faircollect.domain.audit import GENESIS, AuditEntry, AuditEvent, seal

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Which entries to read: ``at`` within [since, until), one actor, subject, action."""

    since: datetime | None = None
    until: datetime | None = None
    actor: str | None = None
    subject: str | None = None
    action: str | None = None


class AuditRepository:
    """The audit log of one unit of work."""

    def __init__(
        self, conn: Connection, clock: Clock = utc_now, *, immediate: bool = False
    ) -> None:
        self.conn = conn
        self.clock = clock
        self.immediate = immediate
        """Append as soon as recorded (a transaction its caller commits, like the night's)."""
        self.pending: list[AuditEvent] = []
        """Events recorded in this transaction, appended by ``flush`` at commit."""
        self.kept: list[AuditEvent] = []
        """Events to append again in a transaction of their own if this one rolls back."""

    def record(self, event: AuditEvent, *, kept: bool = False) -> None:
        """Queue ``event`` to be appended when the unit of work commits (``flush``). With
        ``kept`` (a refusal: the gate's denial), the unit of work appends it on its own
        when the transaction rolls back, so the refusal is on record though nothing changed."""
        self.pending.append(event)
        if kept:
            self.kept.append(event)
        if self.immediate:
            self.flush()

    def append(self, event: AuditEvent) -> AuditEntry:
        """Append ``event`` now (with anything queued before it); the last entry written."""
        self.pending.append(event)
        return self.flush()[-1]

    def flush(self) -> list[AuditEntry]:
        """Append the queued events as the next entries of the chain, in order.

        The unit of work calls this just before it commits, so the head's lock is the last
        lock a transaction takes and is held only until the commit: two transactions never
        wait for each other's locks in opposite orders because of the audit trail."""
        if not self.pending:
            return []
        events, self.pending = self.pending, []
        h = audit_head
        moved = self.conn.execute(
            update(h).where(h.c.id == 1).values(last_id=h.c.last_id + len(events))
        ).rowcount
        if moved != 1:
            raise RuntimeError("the audit log has no head row (run faircollect init)")
        last_id, last_hash = self.conn.execute(
            select(h.c.last_id, h.c.last_hash).where(h.c.id == 1)
        ).one()
        first_id = int(last_id) - len(events) + 1
        prev_hash = last_hash  # still the previous last entry's: updated below
        entries = []
        for offset, event in enumerate(events):
            entry = seal(first_id + offset, self.clock(), event, prev_hash)
            entries.append(entry)
            prev_hash = entry.hash
        self.conn.execute(
            audit_log.insert(),
            [
                {
                    "id": e.id,
                    "at": e.at,
                    "actor": e.actor,
                    "action": e.action,
                    "subject": e.subject,
                    "before": e.before,
                    "after": e.after,
                    "prev_hash": e.prev_hash,
                    "hash": e.hash,
                }
                for e in entries
            ],
        )
        self.conn.execute(update(h).where(h.c.id == 1).values(last_hash=prev_hash))
        return entries

    def head(self) -> tuple[int, str]:
        """The id and hash of the last entry the log says it wrote (0 and GENESIS: none)."""
        row = self.conn.execute(
            select(audit_head.c.last_id, audit_head.c.last_hash).where(audit_head.c.id == 1)
        ).one_or_none()
        return (0, GENESIS) if row is None else (int(row[0]), row[1])

    def hash_of(self, entry_id: int) -> str | None:
        """The stored hash of entry ``entry_id`` (None: no such entry)."""
        a = audit_log
        return self.conn.execute(select(a.c.hash).where(a.c.id == entry_id)).scalar()

    def chain_from(self, since: datetime | None) -> tuple[int, str, Iterator[AuditEntry]]:
        """The entries from the first one at or after ``since`` (None: all), in id order,
        with the id and stored hash of the entry before them (0 and GENESIS: none; the
        last entry when none is that recent)."""
        a = audit_log
        prev_id, prev_hash = 0, GENESIS
        query = select(a).order_by(a.c.id)
        if since is not None:
            first_id = self.conn.execute(select(func.min(a.c.id)).where(a.c.at >= since)).scalar()
            before = select(a.c.id, a.c.hash).order_by(a.c.id.desc()).limit(1)
            if first_id is not None:
                before = before.where(a.c.id < first_id)
                query = query.where(a.c.id >= first_id)
            else:  # nothing since then: only what may be missing after the last entry
                query = query.where(false())
            found = self.conn.execute(before).one_or_none()
            if found is not None:
                prev_id, prev_hash = int(found[0]), found[1]
        rows = self.conn.execution_options(yield_per=2000).execute(query)
        return prev_id, prev_hash, (_entry(r) for r in rows)

    def listed(
        self, where: AuditFilter, *, limit: int | None = None, offset: int = 0
    ) -> tuple[list[AuditEntry], int]:
        """One page of the entries matching ``where``, newest first, and how many match."""
        a = audit_log
        query = _filtered(select(a), where)
        total = self.conn.execute(_filtered(select(func.count()).select_from(a), where)).scalar()
        query = query.order_by(a.c.id.desc()).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        return [_entry(r) for r in self.conn.execute(query)], int(total or 0)

    def between(self, where: AuditFilter) -> Iterator[AuditEntry]:
        """Every entry matching ``where``, oldest first (exports)."""
        a = audit_log
        rows = self.conn.execution_options(yield_per=2000).execute(
            _filtered(select(a), where).order_by(a.c.id)
        )
        return (_entry(r) for r in rows)


def _filtered(query: Select[Any], where: AuditFilter) -> Select[Any]:
    a = audit_log
    if where.since is not None:
        query = query.where(a.c.at >= where.since)
    if where.until is not None:
        query = query.where(a.c.at < where.until)
    if where.actor:
        query = query.where(a.c.actor == where.actor)
    if where.subject:
        query = query.where(a.c.subject == where.subject)
    if where.action:
        query = query.where(a.c.action == where.action)
    return query


def _entry(r: Any) -> AuditEntry:
    return AuditEntry(
        int(r.id), r.at, r.actor, r.action, r.subject, r.before, r.after, r.prev_hash, r.hash
    )

"""The audit trail's use cases: recording (called by the casework use cases, in their unit
of work), reading (compliance and admins only), verifying and exporting (operators).

What is recorded (``action``; ``subject`` is the case id, or the loan id for a promise on a
loan in no case):

- ``contact.recorded``, ``promise.made``, ``proposal.submitted``, ``proposal.decided``,
  ``case.reassigned``, ``case.placed``, ``case.recalled``, ``call.finished``,
  ``visit.planned``, ``visit.recorded``: who changed what, the state before and after;
- ``gate.decided``: the contact gate's decision on a contact, a call or a visit, with the
  rule pack's version; a denial is kept even though the refused change is rolled back;
- ``retention.applied``, ``personal_data.anonymised``: what ``retention run`` deleted or
  anonymised (``services.retention``), in the same transaction;
- ``personal_data.viewed``: a case file shown with the borrower's whole ID number and every
  contact's phone (to the roles in ``privacy.SEES_FULL_ID``).

Entries never hold an ID number or a phone number in clear (``domain.audit.scrubbed``),
nor a note's text (only its length): the record itself keeps those.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from faircollect.adapters.db.repositories.audit import AuditFilter
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.domain.audit import AuditEntry, AuditEvent, Verdict, verify
from faircollect.domain.casework.errors import CaseworkError, NotFound
from faircollect.domain.casework.roles import Actor, Role
from faircollect.domain.compliance.actions import Decision
from faircollect.domain.messages import Message

SHANGHAI = ZoneInfo("Asia/Shanghai")

READS_AUDIT = frozenset({Role.COMPLIANCE, Role.ADMIN})
"""Roles that may read the audit trail; for everyone else it does not exist (404)."""

MAX_PAGE_SIZE = 200


def record(
    uow: UnitOfWork,
    actor: Actor | str,
    action: str,
    subject: str,
    before: Any = None,
    after: Any = None,
    *,
    kept: bool = False,
) -> None:
    """Record one entry in ``uow``'s transaction, appended when it commits (``kept``: also
    when it rolls back)."""
    who = actor if isinstance(actor, str) else actor.user_id
    uow.audit.record(AuditEvent(who, action, subject, before, after), kept=kept)


def gate_decided(
    uow: UnitOfWork,
    actor: Actor,
    subject: str,
    decision: Decision,
    pack_version: str,
    proposed: dict[str, Any],
) -> None:
    """The gate's decision on ``proposed`` (what was asked) under ``pack_version``; kept
    when the change it refused is rolled back."""
    record(
        uow,
        actor,
        "gate.decided",
        subject,
        None,
        {
            **proposed,
            "allowed": decision.allowed,
            "rules": [v.rule for v in decision.violations],
            "next_allowed_at": decision.next_allowed_at,
            "pack_version": pack_version,
        },
        kept=not decision.allowed,
    )


def may_read(actor: Actor) -> None:
    """NotFound unless ``actor`` reads the audit trail (it does not exist for others)."""
    if actor.role not in READS_AUDIT:
        raise NotFound(Message("page.not_found"))


def day_start(day: date) -> datetime:
    """The first moment of ``day`` in Shanghai (business days are Shanghai's)."""
    return datetime.combine(day, time(0), tzinfo=SHANGHAI)


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """A compliance officer's filter: days ``since``..``until`` (both included, Shanghai),
    one actor, one subject, one action."""

    since: date | None = None
    until: date | None = None
    actor: str | None = None
    subject: str | None = None
    action: str | None = None

    def where(self) -> AuditFilter:
        if self.since and self.until and self.until < self.since:
            raise CaseworkError(Message("dates.to_before_from", until=self.until, since=self.since))
        return AuditFilter(
            since=day_start(self.since) if self.since else None,
            until=day_start(self.until + timedelta(days=1)) if self.until else None,
            actor=self.actor or None,
            subject=self.subject or None,
            action=self.action or None,
        )


@dataclass(frozen=True, slots=True)
class AuditPage:
    items: list[AuditEntry]
    total: int
    page: int
    size: int


def audit_entries(
    uow: UnitOfWork, actor: Actor, query: AuditQuery, page: int = 1, size: int = 50
) -> AuditPage:
    """One page of the entries matching ``query``, newest first (compliance and admins)."""
    may_read(actor)
    if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        raise CaseworkError(Message("case.page", high=MAX_PAGE_SIZE))
    items, total = uow.audit.listed(query.where(), limit=size, offset=(page - 1) * size)
    return AuditPage(items, total, page, size)


def verify_chain(
    uow: UnitOfWork, since: date | None = None, anchor: tuple[int, str] | None = None
) -> Verdict:
    """Check the stored chain (from the first entry on or after ``since``, linked to the
    stored entry before it), and that no entry is missing from its end. With ``anchor``
    (an entry id and the hash it had when someone wrote it down outside the database),
    that entry must still hold that hash: a chain rewritten from some entry on, hashes and
    all, is found at the anchor."""
    prev_id, prev_hash, entries = uow.audit.chain_from(day_start(since) if since else None)
    last_id, _ = uow.audit.head()
    verdict = verify(entries, prev_id=prev_id, prev_hash=prev_hash, last_id=last_id)
    if anchor is not None and verdict.intact:
        entry_id, expected = anchor
        stored = uow.audit.hash_of(entry_id)
        if stored != expected:
            found = "is missing" if stored is None else f"has hash {stored}"
            why = f"entry {entry_id} {found}, not the anchor's {expected}"
            return Verdict(verdict.checked, entry_id, why)
    return verdict


def last_entry(uow: UnitOfWork) -> tuple[int, str]:
    """The id and hash of the last entry the log says it wrote (to keep as an anchor)."""
    return uow.audit.head()


def export_entries(uow: UnitOfWork, query: AuditQuery) -> Iterator[AuditEntry]:
    """Every entry matching ``query``, oldest first (the operator's export)."""
    return uow.audit.between(query.where())


def entry_dict(entry: AuditEntry) -> dict[str, Any]:
    """An entry as exported and served (``before``/``after`` as the stored JSON text)."""
    return {
        "id": entry.id,
        "at": entry.at.astimezone(SHANGHAI).isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "subject": entry.subject,
        "before": entry.before,
        "after": entry.after,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }

"""Retention as stored: which rows are past their period, and emptying or deleting them.

Every category is a list of ``Sweep``s, one per table: the rows it selects (by a cutoff,
or by the borrowers whose identity expired) and what it does to them (``values`` to set,
or ``None`` to delete). A sweep selects only rows it would still change (a note already
empty is not selected again), so a second run finds nothing: runs are idempotent. Rows
are changed by primary key, in chunks, exactly the keys that were selected, so the count
and the digest a run audits are the rows it changed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    String,
    Table,
    and_,
    delete,
    func,
    literal,
    or_,
    select,
    update,
)

from faircollect.adapters.db.tables import (
    account_states,
    borrower_codes,
    borrower_preferences,
    borrower_sessions,
    borrowers,
    call_sessions,
    case_events,
    cases,
    complaints,
    contact_records,
    contacts,
    idempotency_keys,
    loans,
    outbox,
    planned_actions,
    proposals,
    qa_findings,
    sessions,
    visits,
)
from faircollect.domain.casework.cases import CLOSED
from faircollect.domain.outreach import MessageStatus
from faircollect.domain.retention import ANONYMISED_NAME, BorrowerFile, Category

SHANGHAI = ZoneInfo("Asia/Shanghai")
CHUNK = 500
"""Keys per statement: well under SQLite's bound-parameter limit, few round trips."""


@dataclass(frozen=True, slots=True)
class Sweep:
    """One table's part of a category: ``where`` selects the rows still to change;
    ``values`` is what they become (None: the rows are deleted)."""

    table: Table
    where: ColumnElement[bool]
    values: dict[str, Any] | None

    @property
    def name(self) -> str:
        return self.table.name

    @property
    def key(self) -> list[Column[Any]]:
        """The table's primary key columns."""
        return list(self.table.primary_key.columns)


def start_of(day: date) -> datetime:
    """The first moment of ``day`` in Shanghai (business days are Shanghai's)."""
    return datetime.combine(day, time(0), tzinfo=SHANGHAI)


def _filled(*columns: Column[Any]) -> ColumnElement[bool]:
    """Any of ``columns`` still holds something (not NULL and not empty)."""
    return or_(*(and_(c.is_not(None), c != "") for c in columns))


_SENDER_DONE = [
    s.value for s in (MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.FAILED)
]


def dated_sweeps(category: Category, cutoff: date) -> list[Sweep]:
    """The sweeps of a category whose rows expire by their own date (not closed_cases)."""
    before = start_of(cutoff)
    cr, qa, pa, v, ob = contact_records, qa_findings, planned_actions, visits, outbox
    if category is Category.CONTACT_RECORDS:
        return [
            Sweep(
                cr,
                and_(cr.c.at < before, _filled(cr.c.note, cr.c.phone)),
                {"note": "", "phone": None},
            ),
            Sweep(
                qa,
                and_(qa.c.at < before, qa.c.source.like("contact:%"), qa.c.evidence != ""),
                {"evidence": ""},
            ),
            Sweep(
                pa,
                and_(pa.c.run_date < cutoff, _filled(pa.c.target, pa.c.rendered)),
                {"target": None, "rendered": None},
            ),
        ]
    if category is Category.RECORDINGS:
        return [
            Sweep(
                v,
                and_(v.c.planned_on < cutoff, _filled(v.c.recording_ref, v.c.address, v.c.note)),
                {"recording_ref": None, "address": "", "note": ""},
            )
        ]
    if category is Category.OUTBOX_BODIES:
        return [
            Sweep(
                ob,
                and_(
                    ob.c.run_date < cutoff,
                    ob.c.status.in_(_SENDER_DONE),
                    _filled(ob.c.body, ob.c.subject, ob.c.recipient),
                ),
                {"body": "", "subject": "", "recipient": ""},
            )
        ]
    if category is Category.SESSIONS:
        return [
            Sweep(sessions, sessions.c.expires_at < before, None),
            Sweep(borrower_sessions, borrower_sessions.c.expires_at < before, None),
            Sweep(call_sessions, call_sessions.c.started_at < before, None),
            # The answers kept for retries hold what the request created (notes, amounts).
            Sweep(idempotency_keys, idempotency_keys.c.created_at < before, None),
        ]
    if category is Category.SIGN_IN_RECORDS:
        from faircollect.adapters.db.tables import login_failures

        return [
            Sweep(login_failures, login_failures.c.at < before, None),
            Sweep(borrower_codes, borrower_codes.c.created_at < before, None),
        ]
    raise ValueError(f"{category} is not swept by date")


def identity_sweeps(
    ids: Sequence[str], on: date, messages: Sequence[str] = ()
) -> list[Sweep]:
    """The sweeps that anonymise the borrowers ``ids`` (at most ``CHUNK`` of them): their
    identity, and every row that names them or a person close to them. ``messages``: the
    outbox messages sent to them without a plan (``RetentionRepository.unplanned_messages_to``)."""
    b, cr, pa, ob, v, c = borrowers, contact_records, planned_actions, outbox, visits, complaints
    their_cases = select(cases.c.case_id).where(cases.c.borrower_id.in_(ids))
    their_actions = select(pa.c.action_id).where(pa.c.borrower_id.in_(ids))
    their_records = select(literal("contact:", String) + cr.c.record_id).where(
        cr.c.borrower_id.in_(ids)
    )
    their_phones = select(b.c.phone_hash).where(b.c.borrower_id.in_(ids), b.c.phone_hash != "")
    # Messages planned for them, and those sent to their own number or address without a
    # plan (the portal's sign-in codes), found beforehand: recipients are sealed.
    theirs = or_(ob.c.message_id.in_(their_actions), ob.c.message_id.in_(list(messages)))
    return [
        Sweep(
            b,
            and_(b.c.borrower_id.in_(ids), b.c.anonymised_on.is_(None)),
            {
                "name": ANONYMISED_NAME,
                "phone": "",
                "id_number": "",
                "phone_hash": "",
                "id_number_hash": "",
                "email": None,
                "anonymised_on": on,
            },
        ),
        Sweep(contacts, contacts.c.borrower_id.in_(ids), None),
        Sweep(borrower_preferences, borrower_preferences.c.borrower_id.in_(ids), None),
        Sweep(borrower_sessions, borrower_sessions.c.borrower_id.in_(ids), None),
        Sweep(borrower_codes, borrower_codes.c.phone_hash.in_(their_phones), None),
        Sweep(
            cr,
            and_(cr.c.borrower_id.in_(ids), _filled(cr.c.note, cr.c.phone)),
            {"note": "", "phone": None},
        ),
        Sweep(
            qa_findings,
            and_(qa_findings.c.source.in_(their_records), qa_findings.c.evidence != ""),
            {"evidence": ""},
        ),
        Sweep(
            pa,
            and_(pa.c.borrower_id.in_(ids), _filled(pa.c.target, pa.c.rendered)),
            {"target": None, "rendered": None},
        ),
        Sweep(
            ob,
            and_(theirs, _filled(ob.c.body, ob.c.subject, ob.c.recipient)),
            {"body": "", "subject": "", "recipient": ""},
        ),
        Sweep(
            v,
            and_(v.c.case_id.in_(their_cases), _filled(v.c.recording_ref, v.c.address, v.c.note)),
            {"recording_ref": None, "address": "", "note": ""},
        ),
        Sweep(
            c,
            and_(c.c.borrower_id.in_(ids), _filled(c.c.text, c.c.evidence_text, c.c.answer)),
            {"text": "", "evidence_text": "", "answer": None},
        ),
        Sweep(
            proposals,
            and_(proposals.c.case_id.in_(their_cases), proposals.c.note != ""),
            {"note": ""},
        ),
        Sweep(call_sessions, call_sessions.c.case_id.in_(their_cases), None),
        Sweep(
            idempotency_keys,
            idempotency_keys.c.owner.in_([f"borrower:{i}" for i in ids]),
            None,
        ),
    ]


class RetentionRepository:
    """Finds and changes what is past its period, in one unit of work's transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def unplanned_messages_to(self, ids: Sequence[str]) -> list[str]:
        """The ids of outbox messages still holding a recipient, planned by no action, sent
        to a phone or e-mail of the borrowers ``ids``. Recipients are sealed with a fresh
        nonce each, so they are opened and compared here; such messages are few (sign-in
        codes; ``outbox_bodies`` clears them once answered)."""
        b, ob, pa = borrowers, outbox, planned_actions
        people = self.conn.execute(select(b.c.phone, b.c.email).where(b.c.borrower_id.in_(ids)))
        addresses = {a for row in people for a in row if a}
        unplanned = select(ob.c.message_id, ob.c.recipient).where(
            ob.c.recipient != "", ob.c.message_id.not_in(select(pa.c.action_id))
        )
        return [m for m, to in self.conn.execute(unplanned) if to in addresses]

    def keys(self, sweep: Sweep) -> list[str]:
        """The primary keys (as text; a composite key's parts joined by ``|``) of the rows
        ``sweep`` would change, in key order."""
        query = select(*sweep.key).where(sweep.where).order_by(*sweep.key)
        return ["|".join(str(part) for part in row) for row in self.conn.execute(query)]

    def apply(self, sweep: Sweep, keys: Sequence[str]) -> int:
        """Change (or delete) exactly the rows ``keys`` of ``sweep``; how many changed."""
        if len(sweep.key) > 1:
            # A composite key: changed by the sweep's own condition, in the transaction
            # that just selected the keys; a different count undoes the whole run.
            changed = self._change(sweep, sweep.where)
            if changed != len(keys):
                raise RuntimeError(f"{sweep.name}: {changed} rows changed, {len(keys)} selected")
            return changed
        (column,) = sweep.key
        typed = [int(k) for k in keys] if column.type.python_type is int else list(keys)
        return sum(self._change(sweep, column.in_(chunk)) for chunk in _chunks(typed))

    def _change(self, sweep: Sweep, where: ColumnElement[bool]) -> int:
        if sweep.values is None:
            statement: Any = delete(sweep.table).where(where)
        else:
            statement = update(sweep.table).where(where).values(**sweep.values)
        return int(self.conn.execute(statement).rowcount)

    def borrower_files(self, cutoff: date) -> list[BorrowerFile]:
        """The facts ``identity_expired`` decides on, for every borrower not yet anonymised
        whose cases all closed before ``cutoff`` (a prefilter; the rule decides)."""
        closed = [s.value for s in CLOSED]
        closing = (
            select(case_events.c.case_id, func.max(case_events.c.happened_on).label("on"))
            .where(case_events.c.kind == "status", case_events.c.to_value.in_(closed))
            .group_by(case_events.c.case_id)
            .subquery()
        )
        rows = self.conn.execute(
            select(cases.c.borrower_id, cases.c.status, cases.c.opened_on, closing.c.on)
            .join(borrowers, borrowers.c.borrower_id == cases.c.borrower_id)
            .outerjoin(closing, closing.c.case_id == cases.c.case_id)
            .where(borrowers.c.anonymised_on.is_(None))
            .order_by(cases.c.borrower_id, cases.c.case_id)
        )
        closed_on: dict[str, list[date | None]] = defaultdict(list)
        for borrower_id, status, opened_on, on in rows:
            # A case closed with no closing event on file (loaded that way): from its opening.
            closed_on[borrower_id].append((on or opened_on) if status in closed else None)
        candidates = sorted(
            b for b, days in closed_on.items() if all(d is not None and d < cutoff for d in days)
        )
        owing, complaining = self._owing(candidates), self._complaining(candidates)
        return [
            BorrowerFile(b, tuple(closed_on[b]), b in owing, b in complaining) for b in candidates
        ]

    def _owing(self, ids: Sequence[str]) -> set[str]:
        s = account_states
        balance = (
            s.c.outstanding_principal
            + s.c.overdue_principal
            + s.c.overdue_interest
            + s.c.overdue_fee
            + s.c.penalty
        )
        found: set[str] = set()
        for chunk in _chunks(list(ids)):
            query = (
                select(loans.c.borrower_id)
                .join(s, s.c.loan_id == loans.c.loan_id)
                .where(loans.c.borrower_id.in_(chunk), balance > 0)
                .distinct()
            )
            found.update(self.conn.execute(query).scalars())
        return found

    def _complaining(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(list(ids)):
            query = select(complaints.c.borrower_id).where(
                complaints.c.borrower_id.in_(chunk), complaints.c.closed_at.is_(None)
            )
            found.update(self.conn.execute(query.distinct()).scalars())
        return found


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


__all__ = ["CHUNK", "RetentionRepository", "Sweep", "dated_sweeps", "identity_sweeps"]

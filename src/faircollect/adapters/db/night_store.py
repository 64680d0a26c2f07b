"""The night's writes, and the reads its two phases make for them: promises to settle,
planned actions and placements, the outbox queue and what was sent.

Phase one (``services.nightly_plan.plan_night``) calls these inside its one transaction;
phase two marks sent messages in small transactions of its own. Which rows, which
statuses and when to commit are the service's; the statements are here.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, bindparam, case, exists, func, literal, null, select, update

from faircollect.adapters.db import pg_bulk
from faircollect.adapters.db import tables as t
from faircollect.adapters.db.bulk import IDS, ids_parameter, member_of
from faircollect.adapters.db.night_views import EVERYONE, BorrowerRange
from faircollect.domain.compliance.actions import Party, Purpose
from faircollect.domain.ledger.terms import Payment
from faircollect.domain.outreach import ACCEPTED, TO_DO, ActionStatus, MessageStatus
from faircollect.domain.promises import Promise

# --- promises ---------------------------------------------------------------------------


def open_promises_due(conn: Connection, as_of: date) -> list[Promise]:
    """Every open promise due on or before ``as_of``."""
    p = t.promises
    rows = conn.execute(select(p).where(p.c.status == "open", p.c.due_on <= as_of)).all()
    return [Promise(r.promise_id, r.loan_id, r.amount, r.made_on, r.due_on) for r in rows]


def payments_until(conn: Connection, loan_ids: Sequence[str], until: date) -> list[Payment]:
    """The payments of ``loan_ids`` dated on or before ``until``."""
    pay = t.payments
    query = select(pay).where(pay.c.loan_id.in_(loan_ids), pay.c.paid_on <= until)
    return [Payment(r.payment_id, r.loan_id, r.paid_on, r.amount) for r in conn.execute(query)]


def settle_promise(conn: Connection, promise_id: str, status: str, paid: int, on: date) -> None:
    """Record how a promise ended (``status``), what was paid towards it, and when."""
    p = t.promises
    conn.execute(
        update(p)
        .where(p.c.promise_id == promise_id)
        .values(status=status, paid=paid, settled_on=on)
    )


def settled_on(conn: Connection, day: date) -> int:
    """How many promises were settled on ``day`` (by any run of that night)."""
    p = t.promises
    return int(conn.execute(select(func.count()).where(p.c.settled_on == day)).scalar_one())


# --- planned actions and placements -----------------------------------------------------


def stored_action_ids(conn: Connection, day: date, borrowers: BorrowerRange = EVERYONE) -> set[str]:
    """The ids of the actions already stored for the night ``day`` (of ``borrowers``)."""
    pa = t.planned_actions
    query = select(pa.c.action_id).where(pa.c.run_date == day, borrowers.holds(pa.c.borrower_id))
    return set(conn.execute(query).scalars())


def night_decisions(conn: Connection, day: date) -> Iterator[tuple[str, str]]:
    """(action_id, decision) of every action stored for the night ``day``, by action id in
    code-point order (Python's ``sorted``): PostgreSQL compares in the "C" collation
    rather than the database's language rules; SQLite compares bytes, the same order for
    UTF-8. Streamed: the night's audit digest reads them without holding them."""
    pa = t.planned_actions
    key = pa.c.action_id.collate("C") if conn.dialect.name == "postgresql" else pa.c.action_id
    query = select(pa.c.action_id, pa.c.decision).where(pa.c.run_date == day).order_by(key)
    for action_id, decision in conn.execute(query.execution_options(yield_per=10_000)):
        yield str(action_id), str(decision)


_ASSIGNEES = "fc_night_assignees"
"""The temporary table PostgreSQL's ``set_assignees`` copies the night's 分案 into."""


def set_assignees(conn: Connection, assignees: Sequence[tuple[str, str, str]]) -> None:
    """Write (action_id, assignee, assignee_kind) onto actions stored earlier in the run.

    The night inserts each partition's rows as soon as they are decided and hands the
    work out (分案) once, over every partition, afterwards. SQLite: one ``executemany``
    by primary key. PostgreSQL: a ``COPY`` into a temporary table and one
    ``UPDATE … FROM`` (one statement instead of a round trip per row)."""
    if not assignees:
        return
    pa = t.planned_actions
    if conn.dialect.name != "postgresql":
        conn.execute(
            update(pa)
            .where(pa.c.action_id == bindparam("b_id"))
            .values(assignee=bindparam("b_who"), assignee_kind=bindparam("b_kind")),
            [{"b_id": a, "b_who": who, "b_kind": kind} for a, who, kind in assignees],
        )
        return
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {_ASSIGNEES} (action_id text PRIMARY KEY, "
        "assignee text NOT NULL, assignee_kind text NOT NULL) ON COMMIT DROP"
    )
    cursor.execute(f"TRUNCATE {_ASSIGNEES}")
    pg_bulk.copy_rows(cursor, _ASSIGNEES, ("action_id", "assignee", "assignee_kind"), assignees)
    cursor.execute(
        f"UPDATE {pa.name} SET assignee = a.assignee, assignee_kind = a.assignee_kind "  # nosec B608
        f"FROM {_ASSIGNEES} a WHERE {pa.name}.action_id = a.action_id"
    )
    cursor.close()


Row = dict[str, Any]
"""One ``planned_actions`` row (keys starting with ``_`` are not columns)."""


def insert_actions(conn: Connection, rows: list[Row]) -> None:
    """``planned_actions`` rows (keys starting with ``_`` are skipped).

    On SQLite and PostgreSQL the rows go to the driver as tuples, each value passed through
    its column type's own bind processor (exactly what SQLAlchemy would send): SQLAlchemy's
    per-row parameter handling was half the cost of inserting a night's 130,000 wide rows.
    SQLite gets one ``executemany``, PostgreSQL one ``COPY`` (``pg_bulk``)."""
    if not rows:
        return
    pa = t.planned_actions
    columns = list(pa.columns)
    dialect = conn.dialect
    if dialect.name not in ("sqlite", "postgresql"):
        names = [c.name for c in columns]
        clean = [{name: r[name] for name in names} for r in rows]
        for start in range(0, len(clean), 5_000):
            conn.execute(pa.insert(), clean[start : start + 5_000])
        return
    processors = [
        (i, process)
        for i, c in enumerate(columns)
        if (process := c.type.dialect_impl(dialect).bind_processor(dialect)) is not None
    ]
    pick = itemgetter(*(c.name for c in columns))
    values = []
    for r in rows:
        value = list(pick(r))
        for i, process in processors:
            value[i] = process(value[i])
        values.append(tuple(value))
    if dialect.name == "postgresql":
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        pg_bulk.copy_rows(cursor, pa.name, [c.name for c in columns], values)
        cursor.close()
        return
    names = ", ".join(c.name for c in columns)
    marks = ", ".join("?" for _ in columns)
    conn.exec_driver_sql(f"INSERT INTO {pa.name} ({names}) VALUES ({marks})", values)  # nosec B608


def insert_placements(conn: Connection, placements: list[dict[str, Any]]) -> None:
    """``loan_placements`` rows (loan_id, placed_on, agency_id, recall_on, action_id)."""
    if placements:
        conn.execute(t.loan_placements.insert(), placements)


# --- the outbox -------------------------------------------------------------------------


def queue_messages(
    conn: Connection,
    as_of: date,
    subject: str,
    channels: Collection[str],
    statuses: Collection[str],
    among: Sequence[str] | None = None,
) -> None:
    """Put every allowed action of the night on one of ``channels`` with one of
    ``statuses`` (of the ids ``among``, when given) that is not queued yet into the
    outbox; e-mails get ``subject``, other channels none.

    One INSERT ... SELECT: the rows go from ``planned_actions`` to ``outbox`` inside the
    database, in id order, without a round trip through Python objects (the ids as one
    parameter: ``bulk.member_of``)."""
    if among is not None and not among:
        return
    pa, ob = t.planned_actions, t.outbox
    # NOT EXISTS by key, not NOT IN a list: SQLite built the list of the night's queued ids
    # again for each partition's statement (message_id is the key: never NULL, same rows).
    queued = exists().where(ob.c.message_id == pa.c.action_id, ob.c.run_date == as_of)
    query = (
        select(
            pa.c.action_id,
            pa.c.run_date,
            pa.c.channel,
            func.coalesce(pa.c.target, ""),
            case((pa.c.channel == "email", literal(subject)), else_=literal("")),
            func.coalesce(pa.c.rendered, ""),
            pa.c.scheduled_at,
            null(),
            literal("queued"),
        )
        .where(
            pa.c.run_date == as_of,
            pa.c.allowed.is_(True),
            pa.c.channel.in_(sorted(channels)),
            pa.c.status.in_(tuple(statuses)),
            ~queued,
            *([] if among is None else [member_of(pa.c.action_id, conn)]),
        )
        .order_by(pa.c.action_id)
    )
    columns = (
        "message_id",
        "run_date",
        "channel",
        "recipient",
        "subject",
        "body",
        "queued_at",
        "sent_at",
        "status",
    )
    ids = {} if among is None else {IDS: ids_parameter(conn, among)}
    conn.execute(ob.insert().from_select(columns, query), ids)


def mark_queued(conn: Connection, as_of: date) -> None:
    """The night's actions whose message now waits in the outbox are ``queued``."""
    pa, ob = t.planned_actions, t.outbox
    waiting = select(ob.c.message_id).where(ob.c.run_date == as_of)
    conn.execute(
        update(pa)
        .where(
            pa.c.run_date == as_of,
            pa.c.status.in_([s.value for s in TO_DO]),
            pa.c.action_id.in_(waiting),
        )
        .values(status=ActionStatus.QUEUED.value)
    )


def pending_messages(
    conn: Connection,
    channels: Collection[str],
    *,
    run_date: date | None = None,
    due_by: datetime | None = None,
) -> list[Any]:
    """Queued outbox rows on ``channels`` (of one night, or due by a moment), by message
    id, with what the gate must know at sending time: the planned action's party, purpose,
    time zone and borrower. A letter issued by hand (case page, ``letter render``) has no
    planned action; it goes to its loan's borrower to collect, so the gate asks the same
    of it (an open complaint, a channel the borrower turned off). Messages that are
    neither (a borrower's sign-in code) have no party and are not collection."""
    ob, pa, lt, ln = t.outbox, t.planned_actions, t.letters, t.loans
    is_letter = lt.c.letter_id.is_not(None)
    query = (
        select(
            ob,
            func.coalesce(pa.c.party, case((is_letter, Party.BORROWER.value))).label("party"),
            func.coalesce(pa.c.purpose, case((is_letter, Purpose.COLLECT.value))).label("purpose"),
            pa.c.tz,
            func.coalesce(pa.c.borrower_id, ln.c.borrower_id).label("borrower_id"),
        )
        .outerjoin(pa, pa.c.action_id == ob.c.message_id)
        .outerjoin(lt, lt.c.letter_id == ob.c.message_id)
        .outerjoin(ln, ln.c.loan_id == lt.c.loan_id)
        .where(ob.c.status == MessageStatus.QUEUED.value, ob.c.channel.in_(sorted(channels)))
        .order_by(ob.c.message_id)
    )
    if run_date is not None:
        query = query.where(ob.c.run_date == run_date)
    if due_by is not None:
        query = query.where(ob.c.queued_at <= due_by)
    return list(conn.execute(query).all())


def record_send_results(conn: Connection, results: Sequence[SentOutcome]) -> None:
    """What the channels (or the gate at sending time) said, one row each: sent or
    delivered with the moment; a refusal counts an attempt and leaves the row ``queued``
    for a retry, or ``failed`` with the reason once the attempts are used up. The planned
    action follows (``sent`` for sent and delivered, ``failed``)."""
    ob, pa = t.outbox, t.planned_actions
    for r in results:
        values: dict[str, Any] = {"status": r.status.value}
        if r.status in ACCEPTED:
            values["sent_at"] = r.at
            if r.status is MessageStatus.DELIVERED:
                values["delivered_at"] = r.at
        else:
            values["attempts"] = ob.c.attempts + 1
            values["error"] = r.detail
        conn.execute(update(ob).where(ob.c.message_id == r.message_id).values(**values))
    for status, action in (
        (MessageStatus.SENT, ActionStatus.SENT),
        (MessageStatus.DELIVERED, ActionStatus.SENT),
        (MessageStatus.FAILED, ActionStatus.FAILED),
    ):
        ids = [r.message_id for r in results if r.status is status]
        if ids:
            conn.execute(update(pa).where(pa.c.action_id.in_(ids)).values(status=action.value))


@dataclass(frozen=True, slots=True)
class SentOutcome:
    """One message's result to record; ``status`` is ``queued`` for a refusal that will
    be retried."""

    message_id: str
    status: MessageStatus
    at: datetime
    detail: str = ""


def statuses_and_rules(conn: Connection, day: date) -> Iterable[Any]:
    """(status, rules) of every action of the night ``day``."""
    pa = t.planned_actions
    return conn.execute(select(pa.c.status, pa.c.rules).where(pa.c.run_date == day))


def outbox_rows(
    conn: Connection,
    *,
    day: date | None = None,
    status: str | None = None,
    recipient: str | None = None,
    limit: int = 10_000,
) -> list[Any]:
    """Outbox rows by message id (of one night, one status, one recipient, when given).

    The recipient is sealed (a fresh nonce per row), so rows of one recipient are picked
    after opening, not by the database."""
    ob = t.outbox
    query = select(ob).order_by(ob.c.run_date, ob.c.message_id)
    if day is not None:
        query = query.where(ob.c.run_date == day)
    if status is not None:
        query = query.where(ob.c.status == status)
    if recipient is None:
        return list(conn.execute(query.limit(limit)).all())
    found = (row for row in conn.execute(query) if row.recipient == recipient)
    return list(islice(found, limit))

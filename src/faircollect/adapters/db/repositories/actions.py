"""What the night planned and sent, as casework and QA read it."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import BindParameter, Connection, bindparam, func, select

from faircollect.adapters.db.tables import (
    account_states,
    case_loans,
    cases,
    letters,
    loan_placements,
    loans,
    outbox,
    planned_actions,
)
from faircollect.domain.casework.cases import CLOSED
from faircollect.domain.casework.qa import SentMessage
from faircollect.domain.compliance.actions import DEFAULT_TZ, Channel
from faircollect.domain.letters import LetterKind
from faircollect.domain.outreach import ACCEPTED
from faircollect.domain.strategy.planning import VISIT_NOTICE_KEY

SENT = "sent"
"""The planned action's status once its channel adapter has accepted the message."""

DONE = "done"
"""A planned call or visit a person carried out (the 催记 is linked by its action id)."""

NIGHTLY_RUN = "nightly-run"
"""Who a message is credited to when the night assigned its account to nobody."""


def _constant(name: str, value: str) -> BindParameter[str]:
    return bindparam(name, value, literal_execute=True)


def notices_sent(
    conn: Connection, before: date, loan_ids: Collection[str] | None = None
) -> dict[str, date]:
    """The latest day before ``before`` a visit notice was sent, per loan (all loans, or
    only ``loan_ids``); loans without one are absent. Both kinds count: the night's
    planned notices its channel sent, and notices issued by hand that a dispatch channel
    accepted (``_letters_sent``).

    The key and status are written into the SQL as literals, not bound: the partial index
    of sent notices (``ix_planned_actions_notice_sent``, migration 0007) then always
    matches, instead of every action row of the history (4M rows after a month at a
    million loans). A planner can only rely on a partial index for a condition it can see
    (PostgreSQL's generic plans for prepared statements do not look at bound values)."""
    pa = planned_actions
    query = (
        select(pa.c.loan_id, func.max(pa.c.run_date))
        .where(
            pa.c.action_key == _constant("key", VISIT_NOTICE_KEY),
            pa.c.status == _constant("status", SENT),
            pa.c.run_date < before,
        )
        .group_by(pa.c.loan_id)
    )
    if loan_ids is not None:
        query = query.where(pa.c.loan_id.in_(sorted(loan_ids)))
    found = {loan_id: day for loan_id, day in conn.execute(query)}
    for loan_id, day in _letters_sent(conn, before, loan_ids):
        if day > found.get(loan_id, date.min):
            found[loan_id] = day
    return found


def _letters_sent(
    conn: Connection, before: date, loan_ids: Collection[str] | None
) -> list[tuple[str, date]]:
    """(loan id, day in the lender's time zone) of each visit notice issued by hand (the
    case page, ``letter render``) that a dispatch channel accepted before ``before``: a
    letter counts from the day it went out, not the day it was printed."""
    lt, ob = letters, outbox
    query = (
        select(lt.c.loan_id, ob.c.sent_at)
        .join(ob, ob.c.message_id == lt.c.letter_id)
        .where(
            lt.c.kind == _constant("kind", LetterKind.VISIT_NOTICE.value),
            ob.c.status.in_(sorted(ACCEPTED)),
            ob.c.sent_at.is_not(None),
        )
    )
    if loan_ids is not None:
        query = query.where(lt.c.loan_id.in_(sorted(loan_ids)))
    zone = ZoneInfo(DEFAULT_TZ)
    sent = ((loan_id, at.astimezone(zone).date()) for loan_id, at in conn.execute(query))
    return [(loan_id, day) for loan_id, day in sent if day < before]


@dataclass(frozen=True, slots=True)
class PlacementDecision:
    """The night's decision that a loan goes to an agency (``loan_placements``)."""

    loan_id: str
    borrower_id: str
    agency_id: str
    recall_on: date


class ActionRepository:
    """Planned actions and outbox messages of one unit of work."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def notices_sent(
        self, before: date, loan_ids: Collection[str] | None = None
    ) -> dict[str, date]:
        return notices_sent(self.conn, before, loan_ids)

    def mark_done(self, action_id: str) -> None:
        """A planned call or visit a person carried out (its 催记 carries the action id):
        it leaves the queue, and a rerun of the night never plans it again (its id is
        taken)."""
        pa = planned_actions
        self.conn.execute(
            pa.update()
            .where(pa.c.action_id == action_id, pa.c.status.in_(("planned", "rescheduled")))
            .values(status=DONE)
        )

    def open_action(self, action_id: str) -> tuple[str, str | None, str | None] | None:
        """(loan id, channel, assignee) of a planned action still to be done, or None."""
        pa = planned_actions
        query = select(pa.c.loan_id, pa.c.channel, pa.c.assignee).where(
            pa.c.action_id == action_id, pa.c.status.in_(("planned", "rescheduled"))
        )
        row = self.conn.execute(query).first()
        return None if row is None else (row.loan_id, row.channel, row.assignee)

    def planned_call(self, loan_ids: Collection[str], night: date, assignee: str) -> str | None:
        """The night's planned call on one of these loans for ``assignee``, still to do."""
        pa = planned_actions
        query = (
            select(pa.c.action_id)
            .where(
                pa.c.run_date == night,
                pa.c.loan_id.in_(sorted(loan_ids)),
                pa.c.channel == "call",
                pa.c.assignee == assignee,
                pa.c.status.in_(("planned", "rescheduled")),
            )
            .order_by(pa.c.priority.desc(), pa.c.action_id)
            .limit(1)
        )
        return self.conn.execute(query).scalar_one_or_none()

    def placements_decided(self, night: date) -> list[PlacementDecision]:
        """The agency placements the night of ``night`` decided, by loan id."""
        lp = loan_placements
        query = (
            select(lp.c.loan_id, loans.c.borrower_id, lp.c.agency_id, lp.c.recall_on)
            .join(loans, loans.c.loan_id == lp.c.loan_id)
            .where(lp.c.placed_on == night)
            .order_by(lp.c.loan_id)
        )
        return [PlacementDecision(*row) for row in self.conn.execute(query)]

    def assigned(self, assignee: str, night: date) -> list[AssignedAction]:
        """The actions the night of ``night`` gave ``assignee`` that are still to be done
        (planned or rescheduled), with each loan's open case and stored state."""
        pa, s = planned_actions, account_states
        # Looked up per action (by the case_loans loan index), never aggregated over the
        # whole book: one collector's morning must not cost more as the book grows.
        open_case = (
            select(func.max(case_loans.c.case_id))
            .join(cases, cases.c.case_id == case_loans.c.case_id)
            .where(
                case_loans.c.loan_id == pa.c.loan_id,
                cases.c.status.not_in([x.value for x in CLOSED]),
            )
            .scalar_subquery()
        )
        query = (
            select(
                pa.c.action_id,
                pa.c.loan_id,
                open_case,
                pa.c.channel,
                pa.c.party,
                pa.c.scheduled_at,
                pa.c.priority,
                pa.c.status,
                func.coalesce(s.c.dpd, 0),
                func.coalesce(
                    s.c.overdue_principal + s.c.overdue_interest + s.c.overdue_fee + s.c.penalty, 0
                ),
            )
            .outerjoin(s, s.c.loan_id == pa.c.loan_id)
            .where(
                pa.c.assignee == assignee,
                pa.c.run_date == night,
                pa.c.status.in_(("planned", "rescheduled")),
            )
            .order_by(pa.c.priority.desc(), pa.c.scheduled_at, pa.c.action_id)
        )
        return [AssignedAction(*row) for row in self.conn.execute(query)]

    def open_counts(self, night: date, assignees: Collection[str]) -> dict[str, int]:
        """How many of the night's actions each of ``assignees`` still has to do (planned
        or rescheduled); assignees with none are absent."""
        pa = planned_actions
        query = (
            select(pa.c.assignee, func.count())
            .where(
                pa.c.run_date == night,
                pa.c.assignee.in_(sorted(assignees)),
                pa.c.status.in_(("planned", "rescheduled")),
            )
            .group_by(pa.c.assignee)
        )
        return {assignee: int(n) for assignee, n in self.conn.execute(query)}

    def sent_between(self, start: datetime, end: datetime) -> list[SentMessage]:
        """Every outbox message sent with ``start <= sent_at < end``, in message-id order,
        credited to the collector the night assigned its account to."""
        ob, pa = outbox, planned_actions
        # A loan may have been in several cases over time; its latest case id sorts last.
        cl = (
            select(case_loans.c.loan_id, func.max(case_loans.c.case_id).label("case_id"))
            .group_by(case_loans.c.loan_id)
            .subquery()
        )
        query = (
            select(
                ob.c.message_id, ob.c.sent_at, ob.c.channel, ob.c.body, pa.c.assignee, cl.c.case_id
            )
            .join(pa, pa.c.action_id == ob.c.message_id)
            .outerjoin(cl, cl.c.loan_id == pa.c.loan_id)
            .where(
                ob.c.status.in_([s.value for s in ACCEPTED]),
                ob.c.sent_at >= start,
                ob.c.sent_at < end,
            )
            .order_by(ob.c.message_id)
        )
        return [
            SentMessage(
                r.message_id,
                r.case_id or "",
                r.assignee or NIGHTLY_RUN,
                r.sent_at,
                Channel(r.channel),
                r.body,
            )
            for r in self.conn.execute(query)
        ]


@dataclass(frozen=True, slots=True)
class AssignedAction:
    """A call or visit the night handed to someone, with the loan's open case and state."""

    action_id: str
    loan_id: str
    case_id: str | None
    channel: str | None
    party: str
    scheduled_at: datetime
    priority: int
    status: str
    dpd: int
    total_overdue: int

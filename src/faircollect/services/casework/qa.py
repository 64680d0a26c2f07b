"""Quality inspection (质检) for a day: the day's 催记 screened, scored per collector, and a
stable sample of calls for review.

Messages are the outbox rows the channel adapters sent that day (the nightly run screened
each before queueing; QA screens them again with the lexicon in force today, which catches
a template or lexicon change made since). A message is credited to the collector the
night assigned its account to, else to ``NIGHTLY_RUN``. The day's settled promises come
from the ``promises`` rows the nightly run settled on that day (credited to ``made_by``).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from fractions import Fraction

from sqlalchemy import Connection, func, select

from faircollect.adapters.db.tables import case_loans, outbox, planned_actions, promises
from faircollect.domain.casework.contacts import SHANGHAI
from faircollect.domain.casework.qa import QaReport, SentMessage, SettledPromise, run_qa
from faircollect.domain.casework.roles import Actor, Permission, require
from faircollect.domain.compliance.actions import Channel
from faircollect.domain.compliance.screener import screen
from faircollect.services.casework.ledger_reads import records_between
from faircollect.services.casework.uow import UnitOfWork

NIGHTLY_RUN = "nightly-run"
"""Who a message is credited to when the night assigned its account to nobody."""


def run(
    uow: UnitOfWork, actor: Actor, day: date, rate: Fraction = Fraction(1, 10), salt: str = ""
) -> QaReport:
    """The QA report for ``day`` (Asia/Shanghai local date); supervisors only."""
    require(actor, Permission.DECIDE_CASE)
    conn = uow.conn
    start = datetime.combine(day, time(0), tzinfo=SHANGHAI)
    records = records_between(conn, start, start + timedelta(days=1))
    settled = [
        SettledPromise(r.promise_id, r.made_by, r.status == "kept")
        for r in conn.execute(
            select(promises).where(promises.c.settled_on == day, promises.c.made_by.is_not(None))
        )
    ]
    messages = sent_between(conn, start, start + timedelta(days=1))
    return run_qa(day, records, messages, settled, screen, rate, salt)


def sent_between(conn: Connection, start: datetime, end: datetime) -> list[SentMessage]:
    """Every outbox message sent with ``start <= sent_at < end``, in message-id order."""
    ob, pa = outbox, planned_actions
    # A loan may have been in several cases over time; its latest case id sorts last.
    cl = (
        select(case_loans.c.loan_id, func.max(case_loans.c.case_id).label("case_id"))
        .group_by(case_loans.c.loan_id)
        .subquery()
    )
    query = (
        select(ob.c.message_id, ob.c.sent_at, ob.c.channel, ob.c.body, pa.c.assignee, cl.c.case_id)
        .join(pa, pa.c.action_id == ob.c.message_id)
        .outerjoin(cl, cl.c.loan_id == pa.c.loan_id)
        .where(ob.c.status == "sent", ob.c.sent_at >= start, ob.c.sent_at < end)
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
        for r in conn.execute(query)
    ]

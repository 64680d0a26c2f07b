"""When the visit notice letters (上门通知函) went out: the one record CN-VISIT-1 relies on.

A visit may only follow a notice letter. The letter is the strategy's ``visit_notice``
action; once its channel adapter has sent it, the planned action is ``sent`` with the
night's date. Both the nightly planner (may tonight plan a visit?) and a collector
planning a visit by hand read the date from here, so nobody can type a date that the
system has no letter for.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import BindParameter, Connection, bindparam, func, select

from faircollect.adapters.db.tables import planned_actions
from faircollect.domain.strategy.planning import VISIT_NOTICE_KEY

SENT = "sent"
"""The planned action's status once its channel adapter has accepted the message."""


def _constant(name: str, value: str) -> BindParameter[str]:
    return bindparam(name, value, literal_execute=True)


def notices_sent(
    conn: Connection, before: date, loan_ids: Collection[str] | None = None
) -> dict[str, date]:
    """The latest day before ``before`` a visit notice was sent, per loan (all loans, or
    only ``loan_ids``); loans without one are absent.

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
    return {loan_id: day for loan_id, day in conn.execute(query)}

"""Quality inspection (质检) for a day: the day's 催记 screened, scored per collector, and a
stable sample of calls for review.

Messages: there is no table of sent messages on main yet, so only contact-record notes are
screened here; the day's settled promises come from the ``promises`` rows the nightly run
settled on that day (credited to ``made_by``).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from fractions import Fraction

from sqlalchemy import select

from faircollect.adapters.db.tables import promises
from faircollect.domain.casework.contacts import SHANGHAI
from faircollect.domain.casework.qa import QaReport, SettledPromise, run_qa
from faircollect.domain.casework.roles import Actor, Permission, require
from faircollect.domain.compliance.screener import screen
from faircollect.services.casework.ledger_reads import records_between
from faircollect.services.casework.uow import UnitOfWork


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
    return run_qa(day, records, [], settled, screen, rate, salt)

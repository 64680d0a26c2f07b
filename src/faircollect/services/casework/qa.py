"""Quality inspection (质检) for a day: the day's 催记 screened, scored per collector, and a
stable sample of calls for review.

Messages are the outbox rows the channel adapters sent that day (the nightly run screened
each before queueing; QA screens them again with the screener in force today, which
catches a template or lexicon change made since). A message is credited to the collector
the night assigned its account to. The day's settled promises come from the promises the
nightly run settled on that day (credited to the collector who recorded them).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from fractions import Fraction

from faircollect.adapters.db.uow import UnitOfWork
from faircollect.domain.casework.contacts import SHANGHAI
from faircollect.domain.casework.errors import PermissionDenied
from faircollect.domain.casework.qa import QaReport, SettledPromise, run_qa
from faircollect.domain.casework.roles import Actor, Role
from faircollect.domain.compliance.screener import screen

MAY_RUN_QA = frozenset({Role.SUPERVISOR, Role.QA, Role.COMPLIANCE, Role.ADMIN})
"""Who runs the day's quality inspection: supervisors, QA, compliance and admins."""


def run(
    uow: UnitOfWork, actor: Actor, day: date, rate: Fraction = Fraction(1, 10), salt: str = ""
) -> QaReport:
    """The QA report for ``day`` (Asia/Shanghai local date)."""
    if actor.role not in MAY_RUN_QA:
        raise PermissionDenied(f"{actor.user_id} ({actor.role}) may not run quality inspection")
    start = datetime.combine(day, time(0), tzinfo=SHANGHAI)
    end = start + timedelta(days=1)
    records = uow.contacts.between(start, end)
    settled = [
        SettledPromise(p.promise_id, p.made_by, p.status == "kept")
        for p in uow.promises.settled_on(day)
        if p.made_by is not None
    ]
    messages = uow.actions.sent_between(start, end)
    return run_qa(day, records, messages, settled, screen, rate, salt)

"""Quality inspection (质检) for a day: the day's 催记 screened, scored per collector, and a
stable sample of calls for review.

Messages are the outbox rows the channel adapters sent that day (the nightly run screened
each before queueing; QA screens them again with the screener in force today, which
catches a template or lexicon change made since). A message is credited to the collector
the night assigned its account to. The day's settled promises come from the promises the
nightly run settled on that day (credited to the collector who recorded them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from fractions import Fraction

from faircollect.adapters.db.uow import UnitOfWork
from faircollect.domain.casework.contacts import SHANGHAI, ContactRecord
from faircollect.domain.casework.qa import QaReport, SettledPromise, Violation, run_qa
from faircollect.domain.casework.roles import Actor, Role, require_role
from faircollect.domain.compliance.screener import screen
from faircollect.domain.messages import Message

MAY_RUN_QA = frozenset({Role.SUPERVISOR, Role.QA, Role.COMPLIANCE, Role.ADMIN})
"""Who runs the day's quality inspection: supervisors, QA, compliance and admins."""


def run(
    uow: UnitOfWork, actor: Actor, day: date, rate: Fraction = Fraction(1, 10), salt: str = ""
) -> QaReport:
    """The QA report for ``day`` (Asia/Shanghai local date)."""
    return review(uow, actor, day, rate, salt).report


@dataclass(frozen=True, slots=True)
class QaReview:
    """The day's report with the 催记 it read, so a reviewer sees each sampled call and
    each flagged note in full."""

    report: QaReport
    records: dict[str, ContactRecord]

    @property
    def flagged(self) -> list[Violation]:
        return [v for score in self.report.scores for v in score.violations]

    @property
    def sampled(self) -> list[ContactRecord]:
        return [self.records[r] for r in self.report.sample if r in self.records]


def review(
    uow: UnitOfWork, actor: Actor, day: date, rate: Fraction = Fraction(1, 10), salt: str = ""
) -> QaReview:
    """The QA report for ``day`` and the day's records it was made from."""
    require_role(actor, MAY_RUN_QA, Message("permission.run_qa"))
    start = datetime.combine(day, time(0), tzinfo=SHANGHAI)
    end = start + timedelta(days=1)
    records = uow.contacts.between(start, end)
    settled = [
        SettledPromise(p.promise_id, p.made_by, p.status == "kept")
        for p in uow.promises.settled_on(day)
        if p.made_by is not None
    ]
    messages = uow.actions.sent_between(start, end)
    report = run_qa(day, records, messages, settled, screen, rate, salt)
    return QaReview(report, {r.record_id: r for r in records})

"""Cases follow their promises: once the nightly run has settled a promise (kept, partly
kept or broken), the case moves from ``promised`` to ``promise_kept`` or
``promise_broken``, which is what the strategy escalates on.

Settlement itself belongs to the nightly run; this only reads its result, so the two
never disagree about a promise.
"""

from __future__ import annotations

from datetime import date

from faircollect.adapters.db.uow import UnitOfWork
from faircollect.domain.casework.cases import CaseStatus, ChangeStatus
from faircollect.services import audit

SYSTEM = "system"
_TARGET = {
    "kept": CaseStatus.PROMISE_KEPT,
    "partly_kept": CaseStatus.PROMISE_BROKEN,
    "broken": CaseStatus.PROMISE_BROKEN,
}


def follow_promises(uow: UnitOfWork, on: date) -> dict[str, CaseStatus]:
    """Move each ``promised`` case whose promises settled on ``on``; returns the moves.

    A case with several promises settled the same day is judged by its latest promise
    (the one the borrower gave last replaces the earlier ones).
    """
    latest = {
        p.case_id: p for p in uow.promises.settled_on(on) if p.case_id and p.status in _TARGET
    }
    moved: dict[str, CaseStatus] = {}
    for case_id, promise in sorted(latest.items()):
        case = uow.cases.get(case_id)
        if case.status is not CaseStatus.PROMISED:
            continue
        target = _TARGET[promise.status]
        reason = (
            f"promise {promise.promise_id} {promise.status}"
            f" (paid {promise.paid} of {promise.amount} fen)"
        )
        uow.cases.save(case, case.moved(ChangeStatus(case_id, target, on, SYSTEM, reason)))
        moved[case_id] = target
        audit.record(
            uow,
            SYSTEM,
            "case.status_changed",
            case_id,
            {"status": case.status},
            {"status": target, "on": on, "reason": reason},
        )
    return moved

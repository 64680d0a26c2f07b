"""Cases follow their promises: once the nightly run has settled a promise (its row in
``promises`` is kept, partly kept or broken), the case moves from ``promised`` to
``promise_kept`` or ``promise_broken``, which is what the strategy escalates on.

Settlement itself (the status and paid amount of each promise row) belongs to the nightly
run; this only reads its result, so the two never disagree about a promise.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from faircollect.adapters.db.tables import promises
from faircollect.domain.casework.cases import CaseStatus, ChangeStatus
from faircollect.services.casework.case_store import load_case, save_case
from faircollect.services.casework.uow import UnitOfWork

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
    conn = uow.conn
    rows = conn.execute(
        select(promises)
        .where(promises.c.settled_on == on, promises.c.case_id.is_not(None))
        .order_by(promises.c.made_on, promises.c.promise_id)
    ).all()
    latest = {r.case_id: r for r in rows if r.status in _TARGET}
    moved: dict[str, CaseStatus] = {}
    for case_id, row in sorted(latest.items()):
        case = load_case(conn, case_id)
        if case.status is not CaseStatus.PROMISED:
            continue
        target = _TARGET[row.status]
        reason = f"promise {row.promise_id} {row.status} (paid {row.paid} of {row.amount} fen)"
        after = case.moved(ChangeStatus(case_id, target, on, SYSTEM, reason))
        save_case(conn, case, after)
        moved[case_id] = target
    return moved

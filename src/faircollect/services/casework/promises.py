"""Promises to pay (承诺还款): made by a collector on a case they work, read by who may
see the case, settled by the nightly run (``domain.promises``).

One use case for every way a promise is made: ``ptp add``, the first call's step 7, the
workbench's promise form and the API.
"""

from __future__ import annotations

from datetime import date

from faircollect.adapters.db.repositories.promises import PromiseRow
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.domain.casework.errors import CaseworkError, NotFound, Refused
from faircollect.domain.casework.promise import (
    PromiseKind,
    PromiseLimits,
    PromiseToPay,
    promise_problems,
)
from faircollect.domain.casework.roles import Actor, Permission, Role, require
from faircollect.domain.compliance.pack import RulePack, default_pack
from faircollect.domain.lawful import Owed
from faircollect.domain.messages import Message
from faircollect.domain.money import parse_yuan
from faircollect.services import audit
from faircollect.services.casework.cases import visible_case, visible_case_ids
from faircollect.services.loans import owed_now

MAY_PROMISE_WITHOUT_CASE = frozenset({Role.SUPERVISOR, Role.ADMIN})
"""Roles that may record a promise on a loan that is in no open case."""


def promise_limits(owed: Owed, pack: RulePack) -> PromiseLimits:
    """PTP-1 for one account, on what is lawfully owed: at least the pack's minimum (or all
    that is overdue when that is less), at most all that is owed, due within the horizon."""
    lawful = owed.lawful
    minimum = parse_yuan(str(pack.parameters.promise_min_amount))
    all_owed = (
        lawful.outstanding_principal + lawful.overdue_interest + lawful.overdue_fee + lawful.penalty
    )
    floor = min(minimum, lawful.total_overdue) if lawful.total_overdue > 0 else minimum
    return PromiseLimits(min(floor, all_owed), all_owed, pack.parameters.promise_horizon_days)


def make_promise(
    uow: UnitOfWork,
    actor: Actor,
    loan_id: str,
    amount: int,
    due: date,
    made_on: date,
    kind: PromiseKind = PromiseKind.ONCE,
    *,
    today: date | None = None,
) -> PromiseRow:
    """Store an open promise on ``loan_id`` (in its open case, if it has one).

    NotFound when the loan is unknown or in a case ``actor`` may not see ``today`` (the
    day the request is made; None: ``made_on``, for callers whose ``made_on`` is the
    server's clock): a past ``made_on`` does not reopen a case whose placement ended.
    Refused (PTP-1) when the promise is not sane for what is lawfully owed (too little,
    more than owed, too far off).
    """
    require(actor, Permission.RECORD_CONTACT)
    if today is not None and made_on > today:
        raise CaseworkError(
            Message("promise.made_after_today", loan_id=loan_id, made_on=made_on, today=today)
        )
    if uow.loans.borrower_of(loan_id) is None:
        raise NotFound(Message("loan.not_found", loan_id=loan_id))
    case_id = uow.cases.open_case_of([loan_id]).get(loan_id)
    if case_id is not None:
        try:
            visible_case(uow, actor, case_id, today or made_on)
        except NotFound:
            # The loan's case is not the caller's to know of: no loan, as for an unknown id.
            raise NotFound(Message("loan.not_found", loan_id=loan_id)) from None
    elif actor.role not in MAY_PROMISE_WITHOUT_CASE:
        raise NotFound(Message("loan.not_found", loan_id=loan_id))
    promise = PromiseToPay(case_id or "", loan_id, amount, due, made_on)
    problems = promise_problems(
        promise, promise_limits(owed_now(uow, loan_id, made_on), default_pack())
    )
    if problems:
        raise Refused(Message("promise.refused", loan_id=loan_id), list(problems))
    number = uow.promises.made_on(loan_id, made_on) + 1
    row = PromiseRow(
        f"PTP-{loan_id}-{made_on:%Y%m%d}-{number}",
        promise.loan_id,
        promise.amount,
        promise.made_on,
        promise.due,
        "open",
        0,
        None,
        case_id,
        actor.user_id,
        kind.value,
    )
    uow.promises.add(row)
    audit.record(
        uow,
        actor,
        "promise.made",
        case_id or loan_id,
        None,
        {
            "promise_id": row.promise_id,
            "loan_id": loan_id,
            "amount_fen": amount,
            "due_on": due,
            "made_on": made_on,
            "kind": kind,
        },
    )
    return row


def list_promises(
    uow: UnitOfWork, actor: Actor, day: date, loan_id: str | None = None
) -> list[PromiseRow]:
    """The promises ``actor`` may see, by due date: those on cases in their scope today,
    and those they took on loans in no case. A promise taken on a case that has since
    left their scope (handed to a colleague, recalled from the agency) is no longer
    theirs to read: the night keeps settling it with what the borrower paid."""
    loans = None if loan_id is None else [loan_id]
    cases = visible_case_ids(uow, actor, day)
    return uow.promises.listed(loans, cases, made_by=actor.user_id)

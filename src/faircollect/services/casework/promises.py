"""Promises to pay (承诺还款): made by a collector on a case they work, read by who may
see the case, settled by the nightly run (``domain.promises``).

One use case for every way a promise is made: ``ptp add``, the first call's step 7, the
workbench's promise form and the API.
"""

from __future__ import annotations

from datetime import date

from faircollect.adapters.db.repositories.promises import PromiseRow
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.domain.casework.errors import NotFound
from faircollect.domain.casework.promise import PromiseToPay
from faircollect.domain.casework.roles import Actor, Permission, Role, require
from faircollect.services.casework.cases import visible_case, visible_case_ids

MAY_PROMISE_WITHOUT_CASE = frozenset({Role.SUPERVISOR, Role.ADMIN})
"""Roles that may record a promise on a loan that is in no open case."""


def make_promise(
    uow: UnitOfWork,
    actor: Actor,
    loan_id: str,
    amount: int,
    due: date,
    made_on: date,
) -> PromiseRow:
    """Store an open promise on ``loan_id`` (in its open case, if it has one).

    NotFound when the loan is unknown or in a case ``actor`` may not see; the promise is
    checked by ``PromiseToPay`` (positive amount, due on or after the day made).
    """
    require(actor, Permission.RECORD_CONTACT)
    if uow.loans.borrower_of(loan_id) is None:
        raise NotFound(f"no loan '{loan_id}'")
    case_id = uow.cases.open_case_of([loan_id]).get(loan_id)
    if case_id is not None:
        visible_case(uow, actor, case_id, made_on)
    elif actor.role not in MAY_PROMISE_WITHOUT_CASE:
        raise NotFound(f"no loan '{loan_id}'")
    promise = PromiseToPay(case_id or "", loan_id, amount, due, made_on)
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
    )
    uow.promises.add(row)
    return row


def list_promises(
    uow: UnitOfWork, actor: Actor, day: date, loan_id: str | None = None
) -> list[PromiseRow]:
    """The promises ``actor`` may see (on cases in their scope, or made by them), by due
    date."""
    loans = None if loan_id is None else [loan_id]
    cases = visible_case_ids(uow, actor, day)
    return uow.promises.listed(loans, cases, made_by=actor.user_id)

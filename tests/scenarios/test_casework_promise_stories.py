"""Stories through the casework services, on SQLite and PostgreSQL: the first call ends in
a stored promise, which the nightly rule then judges kept or broken from stored rows."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import Engine, select

from faircollect.adapters.db.tables import (
    case_events,
    cases,
    contact_records,
    follow_ups,
    payments,
    promises,
)
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.domain.casework.contacts import Outcome
from faircollect.domain.casework.errors import Refused
from faircollect.domain.compliance.actions import Channel, Party
from faircollect.domain.ledger.terms import Payment
from faircollect.domain.promises import Promise, PromiseStatus, settle
from faircollect.services.casework.contacts import NewContact, add_contact
from faircollect.services.casework.first_call import run_call
from faircollect.services.casework.promise_outcomes import follow_promises
from faircollect.services.organisation import actor_for
from tests.scenarios.casework_world import DAY, at, build, pay

ANSWERS = {
    "confirm_identity": "borrower",
    "state_identity": "ok",
    "ask_payment_today": "cannot_today",
    "learn_reason": "income_drop",
    "explain_consequences": "all",
    "obtain_promise": {"amount": "1100.16", "due": "2026-03-06"},
    "update_file": "收入下降，承诺3月6日前还款",
}


def first_call(engine: Engine, case_id: str) -> str:
    with UnitOfWork(engine) as uow:
        stored = run_call(uow, actor_for(uow, "C101"), case_id, at(DAY, 10), ANSWERS)
    assert stored.promise_id is not None
    return stored.promise_id


def call_to_borrower(case_id: str, when: datetime) -> NewContact:
    """张三 answered his own phone."""
    return NewContact(
        case_id, when, Channel.CALL, Party.BORROWER, "13800000001", Outcome.BORROWER_REACHED
    )


def settled(engine: Engine, as_of: date) -> PromiseStatus:
    """The nightly rule (domain.promises.settle) applied to the stored rows."""
    with engine.connect() as conn:
        stored = [
            Promise(r.promise_id, r.loan_id, r.amount, r.made_on, r.due_on)
            for r in conn.execute(select(promises))
        ]
        paid = [
            Payment(r.payment_id, r.loan_id, r.paid_on, r.amount)
            for r in conn.execute(select(payments))
        ]
    (outcome,) = settle(stored, paid, as_of)
    return outcome.status


def test_first_call_stores_the_record_promise_and_follow_up(db_engine: Engine) -> None:
    case_id = build(db_engine)
    promise_id = first_call(db_engine, case_id)
    with db_engine.connect() as conn:
        record = conn.execute(select(contact_records)).one()
        promise = conn.execute(select(promises)).one()
        follow_up = conn.execute(select(follow_ups)).one()
        status = conn.execute(select(cases.c.status)).scalar_one()
    assert (record.outcome, record.reason, record.actor) == ("promise", "income_drop", "C101")
    assert (record.borrower_id, record.loan_id, record.phone) == ("B1", "L1", "13800000001")
    assert record.note == "收入下降，承诺3月6日前还款"
    assert promise.promise_id == promise_id
    assert (promise.amount, promise.made_on, promise.due_on) == (110_016, DAY, date(2026, 3, 6))
    assert (promise.status, promise.paid, promise.case_id) == ("open", 0, case_id)
    assert (follow_up.action, follow_up.due_on) == ("check_promise", date(2026, 3, 7))
    assert status == "promised"


def test_promise_kept_when_the_payment_arrives_before_due(db_engine: Engine) -> None:
    first_call(db_engine, build(db_engine))
    assert settled(db_engine, date(2026, 3, 5)) is PromiseStatus.OPEN
    pay(db_engine, "L1-p4", "L1", date(2026, 3, 5), 110_016)
    assert settled(db_engine, date(2026, 3, 6)) is PromiseStatus.KEPT


def test_promise_broken_when_nothing_is_paid_by_due(db_engine: Engine) -> None:
    first_call(db_engine, build(db_engine))
    pay(db_engine, "L1-late", "L1", date(2026, 3, 7), 110_016)  # a day late: does not count
    assert settled(db_engine, date(2026, 3, 7)) is PromiseStatus.BROKEN


def nightly_settles(engine: Engine, as_of: date) -> None:
    """What the nightly run does to the promise rows (simulated here with the same rule)."""
    with engine.begin() as conn:
        stored = [
            Promise(r.promise_id, r.loan_id, r.amount, r.made_on, r.due_on)
            for r in conn.execute(select(promises))
        ]
        paid = [
            Payment(r.payment_id, r.loan_id, r.paid_on, r.amount)
            for r in conn.execute(select(payments))
        ]
        for outcome in settle(stored, paid, as_of):
            if outcome.status is not PromiseStatus.OPEN:
                conn.execute(
                    promises.update()
                    .where(promises.c.promise_id == outcome.promise_id)
                    .values(status=outcome.status.value, paid=outcome.paid, settled_on=as_of)
                )


@pytest.mark.parametrize(
    ("paid_on", "amount", "status"),
    [
        (date(2026, 3, 6), 110_016, "promise_kept"),
        (date(2026, 3, 4), 50_000, "promise_broken"),  # partly kept is not kept
        (date(2026, 3, 7), 110_016, "promise_broken"),  # a day late
    ],
)
def test_the_case_follows_its_settled_promise(
    db_engine: Engine, paid_on: date, amount: int, status: str
) -> None:
    case_id = build(db_engine)
    first_call(db_engine, case_id)
    pay(db_engine, "L1-p4", "L1", paid_on, amount)
    due = date(2026, 3, 6)
    nightly_settles(db_engine, due)
    with UnitOfWork(db_engine) as uow:
        moved = follow_promises(uow, due)
    assert {k: v.value for k, v in moved.items()} == {case_id: status}
    with db_engine.connect() as conn:
        assert conn.execute(select(cases.c.status)).scalar_one() == status
        last = conn.execute(
            select(case_events.c.to_value, case_events.c.actor).order_by(
                case_events.c.event_id.desc()
            )
        ).first()
    assert tuple(last) == (status, "system")


def test_a_call_the_gate_would_deny_is_refused_and_nothing_is_stored(db_engine: Engine) -> None:
    case_id = build(db_engine)
    contact = call_to_borrower(case_id, at(DAY, 22, 30))
    with pytest.raises(Refused) as refused, UnitOfWork(db_engine) as uow:
        add_contact(uow, actor_for(uow, "C101"), contact)
    assert any(r.startswith("CN-TIME-1") for r in refused.value.reasons)
    with db_engine.connect() as conn:
        assert conn.execute(select(contact_records)).all() == []
        assert conn.execute(select(cases.c.status)).scalar_one() == "open"


def test_the_same_call_at_10_is_recorded_and_moves_the_case(db_engine: Engine) -> None:
    case_id = build(db_engine)
    contact = call_to_borrower(case_id, at(DAY, 10))
    with UnitOfWork(db_engine) as uow:
        add_contact(uow, actor_for(uow, "C101"), contact)
    with db_engine.connect() as conn:
        assert conn.execute(select(contact_records.c.outcome)).scalar_one() == "borrower_reached"
        assert conn.execute(select(cases.c.status)).scalar_one() == "contacted"

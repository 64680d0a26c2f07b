"""The night's cases in bulk (``services.night_cases``) on SQLite and PostgreSQL.

The bulk statements are pinned to casework's one-by-one rule (``open_cases``, through the
case repository): on a mixed book they open exactly the same cases with the same loans and
the same ``opened`` events. Then who owns them: tonight's collector, the collector before,
or unassigned; an open case moves only when 分案 moved the work, never away from an agency,
never when closed; a second run changes nothing.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, select

from faircollect.adapters.db import tables as t
from faircollect.adapters.db.repository import loan_row
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.domain.casework.case_owners import CaseOwners
from faircollect.domain.casework.cases import (
    UNASSIGNED,
    CaseStatus,
    ChangeStatus,
    OpenCase,
    Owner,
    OwnerKind,
    open_case,
)
from faircollect.services.casework.open_cases import case_id_for, open_cases
from faircollect.services.night_cases import CaseReport, open_night_cases
from tests.scenarios.portfolio import terms

DAY = date(2026, 3, 20)
EARLIER = DAY - timedelta(days=30)


def _borrower(conn: Connection, borrower_id: str) -> None:
    conn.execute(
        t.borrowers.insert(),
        {
            "borrower_id": borrower_id,
            "name": f"王{borrower_id}",
            "phone": "13800000000",
            "id_number": "110101199001011234",
            "city": "上海",
        },
    )


def _loan(conn: Connection, borrower_id: str, loan_id: str, dpd: int, as_of: date = DAY) -> None:
    conn.execute(t.loans.insert(), loan_row(replace(terms(loan_id), borrower_id=borrower_id)))
    conn.execute(
        t.account_states.insert(),
        {
            "loan_id": loan_id,
            "as_of": as_of,
            "dpd": dpd,
            "bucket": "M0" if dpd == 0 else "M1",
            "stage": "current" if dpd == 0 else "early",
            "overdue_principal": 100 * dpd,
            "overdue_interest": 0,
            "overdue_fee": 0,
            "penalty": 0,
            "outstanding_principal": 1_000_000,
            "credit": 0,
            "paid_total": 0,
            "next_due_on": None,
            "next_event_on": None,
        },
    )


def _case(
    engine: Engine, borrower_id: str, loans: tuple[str, ...], owner: Owner, to: CaseStatus | None
) -> str:
    """A case opened by hand on ``EARLIER`` (through the case repository), then moved."""
    case_id = case_id_for(borrower_id, EARLIER)
    with UnitOfWork(engine) as uow:
        case = open_case(OpenCase(case_id, borrower_id, loans, owner, EARLIER, "S001"))
        uow.cases.add(case)
        if to is not None:
            moved = case.moved(ChangeStatus(case_id, to, EARLIER, "S001", "by hand"))
            uow.cases.save(case, moved)
    return case_id


def mixed_book(engine: Engine, seed: int) -> None:
    """30 borrowers with 1-3 loans each, past due or not, some states from earlier nights;
    some borrowers with an open case already (some of their loans), some with a closed
    one, some with a case an agency holds."""
    rng = random.Random(seed)
    with engine.begin() as conn:
        for b in range(30):
            borrower_id = f"B{b:02d}"
            _borrower(conn, borrower_id)
            for k in range(rng.randint(1, 3)):
                dpd = rng.choice([0, 0, 1, 4, 35, 95])
                as_of = DAY - timedelta(days=rng.choice([0, 0, 2]))
                _loan(conn, borrower_id, f"L{b:02d}{k}", dpd, as_of)
    for b in range(0, 30, 4):
        borrower_id, loan = f"B{b:02d}", f"L{b:02d}0"
        status = rng.choice([None, CaseStatus.CLOSED_PAID, CaseStatus.WITH_AGENCY])
        kind = OwnerKind.AGENCY if status is CaseStatus.WITH_AGENCY else OwnerKind.COLLECTOR
        _case(
            engine, borrower_id, (loan,), Owner(kind, "AG01" if kind == "agency" else "C1"), status
        )


def casework_rows(conn: Connection) -> dict[str, list[tuple[Any, ...]]]:
    """The case tables as stored, sorted; events without their id and actor."""
    e = t.case_events
    events = select(e.c.case_id, e.c.happened_on, e.c.kind, e.c.from_value, e.c.to_value)
    return {
        "cases": sorted(tuple(r) for r in conn.execute(select(t.cases))),
        "case_loans": sorted(tuple(r) for r in conn.execute(select(t.case_loans))),
        "events": sorted(tuple(r) for r in conn.execute(events.add_columns(e.c.reason))),
    }


def stored(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return casework_rows(conn)


def _bulk(engine: Engine, owners: CaseOwners | None = None, on: date = DAY) -> CaseReport:
    with engine.begin() as conn:
        return open_night_cases(conn, on, owners or CaseOwners())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_bulk_opening_opens_what_casework_opens_one_by_one(
    db_engine: Engine, seed: int
) -> None:
    mixed_book(db_engine, seed)
    with db_engine.connect() as conn:  # the reference, rolled back
        transaction = conn.begin()
        one_by_one = open_cases(UnitOfWork.within(conn), DAY, UNASSIGNED)
        reference = casework_rows(conn)
        transaction.rollback()
    assert len(one_by_one) > 3
    assert _bulk(db_engine) == CaseReport(opened=len(one_by_one), moved=0)
    assert stored(db_engine) == reference


def test_a_state_dated_after_the_night_opens_no_case(db_engine: Engine) -> None:
    with db_engine.begin() as conn:
        _borrower(conn, "B1")
        _loan(conn, "B1", "L1", dpd=1, as_of=DAY + timedelta(days=1))
    assert _bulk(db_engine) == CaseReport(0, 0)
    assert _bulk(db_engine, on=DAY + timedelta(days=1)) == CaseReport(1, 0)


def _owner_of(engine: Engine, borrower_id: str) -> list[tuple[str, str, str]]:
    c = t.cases
    query = select(c.c.case_id, c.c.owner_kind, c.c.owner_id).where(c.c.borrower_id == borrower_id)
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(query))


def test_a_new_case_goes_to_tonights_collector_else_the_one_before_else_nobody(
    db_engine: Engine,
) -> None:
    with db_engine.begin() as conn:
        for b in ("B1", "B2", "B3"):
            _borrower(conn, b)
            _loan(conn, b, f"L{b}", dpd=3)
    owners = CaseOwners(tonight={"B1": "C101"}, before={"B2": "C102"})
    assert _bulk(db_engine, owners) == CaseReport(3, 0)
    assert _owner_of(db_engine, "B1") == [(case_id_for("B1", DAY), "collector", "C101")]
    assert _owner_of(db_engine, "B2") == [(case_id_for("B2", DAY), "collector", "C102")]
    assert _owner_of(db_engine, "B3") == [(case_id_for("B3", DAY), "collector", UNASSIGNED)]
    with UnitOfWork(db_engine) as uow:
        (opened,) = uow.cases.history(case_id_for("B1", DAY))
    assert (opened["kind"], opened["to_value"], opened["reason"]) == (
        "opened",
        "collector:C101",
        "LB1",
    )
    assert opened["actor"] == "system:nightly-run"


def test_an_open_case_moves_only_when_分案_moved_the_work(db_engine: Engine) -> None:
    with db_engine.begin() as conn:
        for b in ("B1", "B2", "B3", "B4", "B5"):
            _borrower(conn, b)
            _loan(conn, b, f"L{b}", dpd=40)
    collector = Owner(OwnerKind.COLLECTOR, "C101")
    kept = _case(db_engine, "B1", ("LB1",), collector, None)
    moved = _case(db_engine, "B2", ("LB2",), collector, CaseStatus.CONTACTED)
    with_agency = _case(db_engine, "B3", ("LB3",), Owner(OwnerKind.AGENCY, "AG01"), None)
    closed = _case(db_engine, "B4", ("LB4",), collector, CaseStatus.CLOSED_PAID)
    nobodys = _case(db_engine, "B5", ("LB5",), Owner(OwnerKind.COLLECTOR, UNASSIGNED), None)
    owners = CaseOwners(
        tonight={"B1": "C101", "B2": "C102", "B3": "C102", "B4": "C102", "B5": "C103"},
        before={},
    )
    report = _bulk(db_engine, owners)
    # B4's case is closed: its past-due loan gets a new case, owned by tonight's collector.
    assert report == CaseReport(opened=1, moved=2)
    assert _owner_of(db_engine, "B1") == [(kept, "collector", "C101")]
    assert _owner_of(db_engine, "B2") == [(moved, "collector", "C102")]
    assert _owner_of(db_engine, "B3") == [(with_agency, "agency", "AG01")]
    assert _owner_of(db_engine, "B4") == sorted(
        [(closed, "collector", "C101"), (case_id_for("B4", DAY), "collector", "C102")]
    )
    assert _owner_of(db_engine, "B5") == [(nobodys, "collector", "C103")]
    with UnitOfWork(db_engine) as uow:
        event = uow.cases.history(moved)[-1]
        case = uow.cases.get(moved)
    assert (event["kind"], event["from_value"], event["to_value"]) == (
        "owner",
        "collector:C101",
        "collector:C102",
    )
    assert event["happened_on"] == DAY and event["reason"] == f"分案 {DAY.isoformat()}"
    assert case.status is CaseStatus.CONTACTED  # only the owner changed


def test_the_collector_before_does_not_take_an_existing_case(db_engine: Engine) -> None:
    with db_engine.begin() as conn:
        _borrower(conn, "B1")
        _loan(conn, "B1", "LB1", dpd=40)
    case = _case(db_engine, "B1", ("LB1",), Owner(OwnerKind.COLLECTOR, "C101"), None)
    assert _bulk(db_engine, CaseOwners(before={"B1": "C102"})) == CaseReport(0, 0)
    assert _owner_of(db_engine, "B1") == [(case, "collector", "C101")]


def test_a_second_run_changes_nothing(db_engine: Engine) -> None:
    mixed_book(db_engine, seed=4)
    owners = CaseOwners(tonight={"B01": "C101", "B04": "C102"}, before={"B02": "C103"})
    first = _bulk(db_engine, owners)
    once = stored(db_engine)
    assert first.opened > 0
    assert _bulk(db_engine, owners) == CaseReport(0, 0)
    assert stored(db_engine) == once

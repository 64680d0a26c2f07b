"""The night honours the portal: for a borrower with a complaint open it plans no
collection contact (COMP-1), and a contact outside the borrower's preferred times is
moved into them (DNC-1) rather than sent at 10:00."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import Engine, select

from faircollect.adapters.db import tables as t
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.domain.compliance.actions import Slot
from faircollect.domain.portal import Preferences
from faircollect.services.borrower_portal import NewComplaint, file_complaint
from faircollect.services.night import run_night
from tests.scenarios.casework_world import DAY, at

NIGHT = DAY + timedelta(days=1)
"""The night after the world's day: the strategy plans a call to 张三."""


def contacts_of_b1(engine: Engine) -> list[tuple[str, str, str, object]]:
    pa = t.planned_actions
    with engine.connect() as conn:
        rows = conn.execute(
            select(pa.c.channel, pa.c.status, pa.c.rules, pa.c.scheduled_at).where(
                pa.c.borrower_id == "B1", pa.c.kind == "contact", pa.c.party == "borrower"
            )
        ).all()
    return [tuple(r) for r in rows]


def test_without_the_portal_the_night_contacts_b1(db_engine: Engine, world: str) -> None:
    run_night(db_engine, NIGHT)
    planned = contacts_of_b1(db_engine)
    assert planned and any(status != "denied" for _, status, _, _ in planned)


def test_a_complaint_denies_the_nights_collection_contact(db_engine: Engine, world: str) -> None:
    with UnitOfWork(db_engine) as uow:
        file_complaint(uow, "B1", NewComplaint("骚扰"), at(DAY, 7))
    run_night(db_engine, NIGHT)
    planned = contacts_of_b1(db_engine)
    assert planned
    assert all(status == "denied" and "COMP-1" in rules for _, status, rules, _ in planned)


def test_preferred_times_move_the_nights_contact(db_engine: Engine, world: str) -> None:
    with UnitOfWork(db_engine) as uow:
        uow.portal.set_preferences(
            "B1", Preferences((Slot(time(18), time(20)),), frozenset()), at(DAY, 7)
        )
    run_night(db_engine, NIGHT)
    planned = [p for p in contacts_of_b1(db_engine) if p[1] != "denied"]
    assert planned
    for _, status, rules, when in planned:
        local = when.astimezone(at(DAY, 0).tzinfo)  # type: ignore[attr-defined]
        assert time(18) <= local.time() < time(20), (status, rules, local)

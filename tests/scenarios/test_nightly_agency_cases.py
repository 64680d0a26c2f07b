"""Stories: the night's agency placement (委外) reaches casework (SQLite and PostgreSQL).

An account 91 days past due goes to an agency in the night; from the next morning that
agency's users can open the case through the casework services and no other agency can;
rerunning the night places nothing twice; on the recall date the night computed the case
comes back. A case a supervisor already gave to an agency stays where it is.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, select

from faircollect.adapters.db import tables as t
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.adapters.org_file import example_org_text
from faircollect.domain.assignment import Agency, Collector
from faircollect.domain.casework.errors import NotFound
from faircollect.domain.organisation import Roster
from faircollect.services.casework.agencies import place_case
from faircollect.services.casework.cases import list_cases, show_case
from faircollect.services.casework.night_placements import NIGHT_ACTOR
from faircollect.services.casework.open_cases import case_id_for, open_cases
from faircollect.services.organisation import actor_for, load_organisation
from tests.scenarios.portfolio import FIRST_DUE, night, seed

DPD = {n: FIRST_DUE + timedelta(days=n) for n in (60, 90, 91, 150, 180, 181)}
"""The default strategy: agency placement at DPD 91, recalled 90 days later (DPD 181)."""
AGENCY_USER = {"AG01": "A101", "AG02": "A201"}  # the shipped example users


@pytest.fixture
def roster() -> Roster:
    """A roster with one agency, AG01: the night can only choose it."""
    skills = frozenset({"call", "visit", "legal", "negotiation"})
    return Roster(
        (Collector("C201", "强催组", 100, skills),), (Agency("AG01", 100, "示例委外机构甲"),)
    )


def _users(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        load_organisation(uow, example_org_text(), "example.yaml")


def _visible(engine: Engine, user_id: str, day: date) -> list[str]:
    with UnitOfWork(engine) as uow:
        return [c.case_id for c in list_cases(uow, actor_for(uow, user_id), day).items]


def _placements(engine: Engine) -> list[tuple]:
    p = t.placements
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                select(p.c.case_id, p.c.agency_id, p.c.placed_on, p.c.recall_on, p.c.placed_by)
            )
        ]


def test_dpd_91_placed_in_the_night_is_the_agencys_case_and_no_one_elses(
    db_engine: Engine, roster: Roster
) -> None:
    _users(db_engine)
    seed(db_engine, ["L1"])
    before = night(db_engine, DPD[90], teams=roster)  # past due: the night opens its case
    case = case_id_for("B-L1", DPD[90])
    assert before.cases.opened == 1
    assert _placements(db_engine) == [] and _visible(db_engine, "A101", DPD[90]) == []

    first = night(db_engine, DPD[91], teams=roster)
    assert first.cases.opened == 0 and first.casework.opened == []
    assert first.casework.placed == {case: "AG01"}
    assert _placements(db_engine) == [(case, "AG01", DPD[91], DPD[181], NIGHT_ACTOR.user_id)]
    assert _visible(db_engine, "A101", DPD[91]) == [case]
    assert _visible(db_engine, "A201", DPD[91]) == []
    with UnitOfWork(db_engine) as uow:
        shown = show_case(uow, actor_for(uow, "A101"), case, DPD[91])
        assert shown.case.owner == "agency:AG01" and shown.case.status == "with_agency"
        assert shown.case.loan_ids == ("L1",)
        with pytest.raises(NotFound):
            show_case(uow, actor_for(uow, "A201"), case, DPD[91])

    again = night(db_engine, DPD[91], teams=roster)
    assert again.casework.placed == {} and again.casework.opened == []
    assert len(_placements(db_engine)) == 1
    with db_engine.connect() as conn:
        assert conn.execute(select(t.cases.c.case_id)).scalars().all() == [case]

    night(db_engine, DPD[180], teams=roster)
    assert _visible(db_engine, "A101", DPD[180]) == [case]
    back = night(db_engine, DPD[181], teams=roster)  # the recall date the night computed
    assert back.casework.recalled == [case]
    assert _visible(db_engine, "A101", DPD[181]) == []
    with UnitOfWork(db_engine) as uow:  # nobody had L1's work before the agency: the
        # intensive stage calls on odd days past due, and the first night was DPD 90
        shown = show_case(uow, actor_for(uow, "S001"), case, DPD[181])
        assert shown.case.owner == "unassigned"
        assert shown.case.status == "contacted"


@pytest.mark.parametrize("supervisor_choice", ["AG01", "AG02"])
def test_a_case_already_placed_keeps_its_agency(
    db_engine: Engine, roster: Roster, supervisor_choice: str
) -> None:
    _users(db_engine)
    seed(db_engine, ["L1"])
    night(db_engine, DPD[60], teams=roster)  # the night opens L1's case
    case = case_id_for("B-L1", DPD[60])
    with UnitOfWork(db_engine) as uow:
        assert open_cases(uow, DPD[60], owner_id="C201") == []  # it is open already
        supervisor = actor_for(uow, "S002")  # leads C201's team
        place_case(uow, supervisor, case, supervisor_choice, DPD[60], DPD[150])
    summary = night(db_engine, DPD[91], teams=roster)  # the night chooses AG01
    assert summary.cases.opened == 0
    assert summary.casework.placed == {} and summary.casework.opened == []
    if supervisor_choice == "AG01":
        assert summary.casework.not_placed == {}
    else:
        assert summary.casework.not_placed == {"L1": f"case {case} stays with AG02, which holds it"}
    assert _placements(db_engine) == [(case, supervisor_choice, DPD[60], DPD[150], "S002")]
    user = AGENCY_USER[supervisor_choice]
    assert _visible(db_engine, user, DPD[91]) == [case]

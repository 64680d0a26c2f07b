"""Stories: the night opens every delinquent borrower's case and keeps it with the
collector who works it (SQLite and PostgreSQL).

With the default strategy a first-time early-stage account gets its first call at DPD 1
and a follow-up call at DPD 4, 7, 10, ... (every 3 days); no call at DPD 2 or 3.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from faircollect.adapters.db import tables as t
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.domain.assignment import Collector
from faircollect.domain.casework.cases import UNASSIGNED, CaseStatus, ChangeStatus
from faircollect.domain.organisation import Roster
from faircollect.services.casework.open_cases import case_id_for
from tests.scenarios.portfolio import FIRST_DUE, night, seed, snapshot
from tests.scenarios.test_nightly_month import Crash, crash_at

DPD = {n: FIRST_DUE + timedelta(days=n) for n in range(0, 40)}


def staff(*on_duty: str, off: tuple[str, ...] = ()) -> Roster:
    def one(cid: str, active: bool) -> Collector:
        return Collector(cid, "前期组", 10, frozenset({"call"}), active)

    people = [one(c, True) for c in on_duty] + [one(c, False) for c in off]
    return Roster(tuple(sorted(people, key=lambda c: c.collector_id)), ())


def cases_of(engine: Engine) -> dict[str, tuple[str, str, str]]:
    """Borrower -> (case id, status, owner) of their cases."""
    c = t.cases
    with engine.connect() as conn:
        rows = conn.execute(select(c.c.borrower_id, c.c.case_id, c.c.status, c.c.owner_id))
        return {r.borrower_id: (r.case_id, r.status, r.owner_id) for r in rows}


def test_the_case_opens_with_the_first_call_and_stays_with_its_collector(
    db_engine: Engine,
) -> None:
    seed(db_engine, ["L1"])
    night(db_engine, DPD[0], teams=staff("C101"))
    assert cases_of(db_engine) == {}  # due today, not yet past due

    first = night(db_engine, DPD[1], teams=staff("C102"))
    case = case_id_for("B-L1", DPD[1])
    assert first.cases.opened == 1 and first.cases.moved == 0
    assert cases_of(db_engine) == {"B-L1": (case, "open", "C102")}

    quiet = night(db_engine, DPD[2], teams=staff("C101", "C102"))  # no call tonight
    assert (quiet.cases.opened, quiet.cases.moved) == (0, 0)
    sticky = night(db_engine, DPD[4], teams=staff("C101", "C102"))  # C101 would win a tie
    assert (sticky.cases.opened, sticky.cases.moved) == (0, 0)
    assert cases_of(db_engine) == {"B-L1": (case, "open", "C102")}

    moved = night(db_engine, DPD[7], teams=staff("C101", off=("C102",)))
    assert (moved.cases.opened, moved.cases.moved) == (0, 1)
    assert cases_of(db_engine) == {"B-L1": (case, "open", "C101")}


def test_a_borrower_first_seen_on_a_quiet_night_gets_an_unassigned_case(
    db_engine: Engine,
) -> None:
    seed(db_engine, ["L1"])
    night(db_engine, DPD[2], teams=staff("C101"))  # the first night sees L1 at DPD 2
    assert cases_of(db_engine) == {"B-L1": (case_id_for("B-L1", DPD[2]), "open", UNASSIGNED)}


def _close(engine: Engine, case_id: str) -> None:
    with UnitOfWork(engine) as uow:
        case = uow.cases.get(case_id)
        closed = case.moved(
            ChangeStatus(case_id, CaseStatus.CLOSED_SETTLED, DPD[1], "S001", "settled")
        )
        uow.cases.save(case, closed)


@pytest.mark.parametrize("on_duty", [True, False])
def test_a_new_case_without_work_tonight_goes_to_the_collector_before_if_on_duty(
    db_engine: Engine, on_duty: bool
) -> None:
    seed(db_engine, ["L1"])
    night(db_engine, DPD[1], teams=staff("C102"))
    _close(db_engine, case_id_for("B-L1", DPD[1]))  # settled by hand, the loan still late
    roster = staff("C101", "C102") if on_duty else staff("C101", off=("C102",))
    quiet = night(db_engine, DPD[2], teams=roster)  # no call tonight
    assert (quiet.cases.opened, quiet.cases.moved) == (1, 0)
    owner = "C102" if on_duty else UNASSIGNED
    assert cases_of(db_engine)["B-L1"] == (case_id_for("B-L1", DPD[2]), "open", owner)


@pytest.mark.parametrize("step", ["cases", "placements", "queue"])
def test_a_night_killed_after_opening_cases_leaves_none_and_reruns_clean(
    db_engine: Engine, step: str
) -> None:
    seed(db_engine, ["L1", "L2", "L3"])
    with pytest.raises(Crash):
        night(db_engine, DPD[1], teams=staff("C101", "C102"), progress=crash_at(step))
    assert cases_of(db_engine) == {} and snapshot(db_engine)["planned_actions"] == []
    rerun = night(db_engine, DPD[1], teams=staff("C101", "C102"))
    assert rerun.cases.opened == 3
    after_rerun = cases_of(db_engine), snapshot(db_engine)
    again = night(db_engine, DPD[1], teams=staff("C101", "C102"))
    assert (again.cases.opened, again.cases.moved) == (0, 0)
    assert (cases_of(db_engine), snapshot(db_engine)) == after_rerun
    assert {owner for _, _, owner in cases_of(db_engine).values()} <= {"C101", "C102"}

"""The use cases the workbench's pages added, on SQLite and PostgreSQL: the collector's
day, the supervisor's board, an agency's desk, the day's reports, QA's review. Who may
call each is decided here (the pages only translate the refusal).

The world: 张三's L1 15 days past due on 2 Mar 2026 in case C-B1-20260302 (C101's); 李四's
L2 current; the example organisation (T-EARLY: S001, C101, C102, C103 on leave).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, select

from faircollect.adapters.db.repositories.promises import PromiseRow
from faircollect.adapters.db.tables import account_states
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.domain.casework.contacts import Outcome
from faircollect.domain.casework.errors import CaseworkError, PermissionDenied
from faircollect.domain.casework.proposals import InstalmentPlan
from faircollect.domain.casework.roles import Actor, Role
from faircollect.domain.compliance.actions import Channel, Party
from faircollect.services.casework.agencies import agency_desk, place_case
from faircollect.services.casework.contacts import NewContact, add_contact
from faircollect.services.casework.proposals import submit_proposal
from faircollect.services.casework.qa import review
from faircollect.services.casework.team import team_board
from faircollect.services.casework.today import my_day
from faircollect.services.compliance import rule_texts
from faircollect.services.day_reports import compliance_day, overview
from tests.scenarios.casework_world import CASE, DAY, at, build
from tests.web.test_pages import denied_sms, planned_call

C101 = Actor("C101", Role.COLLECTOR, team_id="T-EARLY")
C102 = Actor("C102", Role.COLLECTOR, team_id="T-EARLY")
S001 = Actor("S001", Role.SUPERVISOR, team_id="T-EARLY")
S002 = Actor("S002", Role.SUPERVISOR, team_id="T-INTENSIVE")
A101 = Actor("A101", Role.AGENCY, agency_id="AG01")
A201 = Actor("A201", Role.AGENCY, agency_id="AG02")
QA = Actor("Q001", Role.QA)
K001 = Actor("K001", Role.COMPLIANCE)
ADMIN = Actor("ADMIN", Role.ADMIN)


@pytest.fixture
def world(db_engine: Engine) -> Engine:
    build(db_engine)
    return db_engine


def l1_overdue(engine: Engine) -> int:
    s = account_states
    total = s.c.overdue_principal + s.c.overdue_interest + s.c.overdue_fee + s.c.penalty
    with engine.connect() as conn:
        return int(conn.execute(select(total).where(s.c.loan_id == "L1")).scalar_one())


def test_the_collectors_day_counts_their_queue_cases_and_promises(world: Engine) -> None:
    planned_call(world, "A1", 10)
    planned_call(world, "A2", 9)
    planned_call(world, "A3", 11, assignee="C102")
    with UnitOfWork(world) as uow:
        uow.promises.add(
            PromiseRow(
                "P1", "L1", 30_000, DAY - timedelta(days=3), DAY, "open", 0, None, CASE, "C101"
            )
        )
    with UnitOfWork(world) as uow:
        day = my_day(uow, C101, DAY)
        other = my_day(uow, C102, DAY)
        supervisor = my_day(uow, S001, DAY)
    # the night's calls carry priority 80, a promise due today 70; equal priority by time
    assert [i.action_id for i in day.queue] == ["A2", "A1", "P1"]
    assert (day.open_cases, day.total_overdue) == (1, l1_overdue(world))
    assert (day.calls, day.promises_due, day.promised_amount) == (3, 1, 30_000)
    assert day.names == {CASE: "张三"}
    assert (other.open_cases, other.total_overdue, [i.action_id for i in other.queue]) == (
        0,
        0,
        ["A3"],
    )
    assert supervisor.open_cases == 1  # the team's case


def test_the_board_is_for_who_may_assign_and_shows_only_the_team(world: Engine) -> None:
    planned_call(world, "A1", 10)
    with UnitOfWork(world) as uow:
        for actor in (C101, A101, QA, K001):
            with pytest.raises(PermissionDenied):
                team_board(uow, actor, DAY)
        board = team_board(uow, S001, DAY)
        other_team = team_board(uow, S002, DAY)
        everyone = team_board(uow, ADMIN, DAY)
    assert [(m.user_id, m.active, m.open_cases, m.actions_today) for m in board.members] == [
        ("C101", True, 1, 1),
        ("C102", True, 0, 0),
        ("C103", False, 0, 0),
    ]
    assert board.members[0].total_overdue == l1_overdue(world)
    assert [c.case_id for c in board.cases] == [CASE] and board.total_cases == 1
    assert other_team.cases == [] and {m.user_id for m in other_team.members} == {"C201", "C202"}
    assert len(everyone.members) == 7 and [c.case_id for c in everyone.cases] == [CASE]


def test_the_board_lists_pending_proposals_and_promises_broken_in_the_last_30_days(
    world: Engine,
) -> None:
    with UnitOfWork(world) as uow:
        submit_proposal(uow, C101, CASE, "L1", InstalmentPlan(6, 0, DAY + timedelta(days=10)), DAY)
        for number, settled in ((1, DAY - timedelta(days=2)), (2, DAY - timedelta(days=31))):
            uow.promises.add(
                PromiseRow(
                    f"P{number}",
                    "L1",
                    10_000,
                    settled - timedelta(days=5),
                    settled - timedelta(days=1),
                    "broken",
                    0,
                    settled,
                    CASE,
                    "C101",
                )
            )
        uow.promises.add(
            PromiseRow(
                "P3",
                "L1",
                10_000,
                DAY - timedelta(days=9),
                DAY - timedelta(days=4),
                "kept",
                10_000,
                DAY - timedelta(days=3),
                CASE,
                "C101",
            )
        )
    with UnitOfWork(world) as uow:
        board = team_board(uow, S001, DAY)
        other_team = team_board(uow, S002, DAY)
    assert [p.loan_id for p in board.pending] == ["L1"]
    assert [p.promise_id for p in board.broken] == ["P1"]
    assert other_team.pending == [] and other_team.broken == []


def test_an_agency_desk_is_the_agencys_own_or_a_supervisors(world: Engine) -> None:
    with UnitOfWork(world) as uow:
        place_case(uow, S001, CASE, "AG02", date(2026, 2, 20))
    with UnitOfWork(world) as uow:
        mine = agency_desk(uow, A201, DAY, 2026, 3)
        theirs = agency_desk(uow, A101, DAY, 2026, 3)
        seen = agency_desk(uow, S001, DAY, 2026, 3, "AG02")
        with pytest.raises(PermissionDenied):
            agency_desk(uow, A101, DAY, 2026, 3, "AG02")
        for actor in (C101, QA, K001):
            with pytest.raises(PermissionDenied):
                agency_desk(uow, actor, DAY, 2026, 3, "AG02")
            with pytest.raises(PermissionDenied):
                agency_desk(uow, actor, DAY, 2026, 3)
        with pytest.raises(CaseworkError, match="name the agency"):
            agency_desk(uow, S001, DAY, 2026, 3)
    assert [c.case_id for c in mine.cases] == [CASE] and mine.agency.name == "示例委外机构乙"
    assert theirs.cases == [] and theirs.statement.lines == ()
    assert [c.case_id for c in seen.cases] == [CASE]


def test_the_day_reports_are_for_supervisors_compliance_qa_and_admins(world: Engine) -> None:
    planned_call(world, "A1", 10)
    denied_sms(world, "A2")
    with UnitOfWork(world) as uow:
        for actor in (C101, A101):
            with pytest.raises(PermissionDenied):
                compliance_day(uow, actor, DAY)
            with pytest.raises(PermissionDenied):
                overview(uow, actor, DAY)
        report = compliance_day(uow, K001, DAY)
        denied = compliance_day(uow, S001, DAY, status="denied")
        view = overview(uow, QA, DAY)
    assert [c["action_id"] for c in report.contacts] == ["A1", "A2"]
    assert dict(report.report.denied_by_rule) == {"CN-TIME-1": 1}
    assert report.rules["CN-TIME-1"].title_zh == "催收时段限制"
    assert [c["action_id"] for c in denied.contacts] == ["A2"] and denied.matching == 1
    assert view.portfolio.accounts == 2 and view.plan.total == 2
    assert dict(view.plan.by_channel) == {"call": 1, "sms": 1}


def test_the_compliance_report_comes_in_pages_of_fifty(world: Engine) -> None:
    for number in range(120):
        planned_call(world, f"A{number:03d}", 10)
    with UnitOfWork(world) as uow:
        first = compliance_day(uow, K001, DAY)
        last = compliance_day(uow, K001, DAY, page=3)
        beyond = compliance_day(uow, K001, DAY, page=9)
    assert (first.pages, len(first.contacts), first.contacts[0]["action_id"]) == (3, 50, "A000")
    assert (last.page, len(last.contacts), last.contacts[-1]["action_id"]) == (3, 20, "A119")
    assert beyond.page == 3


def test_rule_texts_come_from_the_rule_pack_and_skip_unknown_ids() -> None:
    found = rule_texts(["CN-3P-1", "FC-TEMPLATE", "CN-TIME-1"])
    assert list(found) == ["CN-3P-1", "CN-TIME-1"]
    assert found["CN-3P-1"].title_zh == "第三人联系限制"


def test_qa_review_carries_the_days_records_for_the_sampled_calls(world: Engine) -> None:
    with UnitOfWork(world) as uow:
        for minute, note in ((0, ""), (20, "跟客户说你就是个老赖")):
            add_contact(
                uow,
                C101,
                NewContact(
                    CASE,
                    at(DAY, 9, minute),
                    Channel.CALL,
                    Party.BORROWER,
                    "13800000001",
                    Outcome.NO_ANSWER,
                    note=note,
                ),
                today=DAY,
            )
    with UnitOfWork(world) as uow:
        with pytest.raises(PermissionDenied):
            review(uow, C101, DAY)
        found = review(uow, QA, DAY)
    assert len(found.records) == 2
    assert [v.label for v in found.flagged] == ["insult"]
    assert "老赖" in found.flagged[0].evidence  # the words quoted back, not the whole note
    flagged_record = found.flagged[0].source.removeprefix("contact:")
    assert flagged_record in {r.record_id for r in found.sampled}

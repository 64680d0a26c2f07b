"""Stories of supervisors' decisions, visits, agencies and QA through the services, on
SQLite and PostgreSQL. Expected figures are worked by hand in the comments."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select

from faircollect.adapters.db.repository import load_adjustments
from faircollect.adapters.db.tables import (
    account_states,
    loan_adjustments,
    proposals,
    qa_findings,
    visits,
)
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.domain.casework.agencies import Basis
from faircollect.domain.casework.contacts import Outcome
from faircollect.domain.casework.errors import CaseworkError, NotFound, PermissionDenied, Refused
from faircollect.domain.casework.proposals import (
    InstalmentPlan,
    LoanRestructured,
    WaivedComponent,
    Waiver,
)
from faircollect.domain.casework.visits import VisitOutcome, VisitType
from faircollect.domain.compliance.actions import Channel, Party
from faircollect.services.casework import (
    agencies,
    qa,
)
from faircollect.services.casework import (
    proposals as proposal_service,
)
from faircollect.services.casework import (
    visits as visit_service,
)
from faircollect.services.casework.cases import list_cases, show_case
from faircollect.services.casework.contacts import NewContact, add_contact
from faircollect.services.organisation import actor_for
from tests.scenarios.casework_world import CASE, DAY, at, build, pay, sent_action

PLAN = InstalmentPlan(6, Decimal(0), date(2026, 4, 15))


def submit_plan(engine: Engine, case_id: str, user: str, on: date) -> str:
    with UnitOfWork(engine) as uow:
        proposal = proposal_service.submit_proposal(
            uow, actor_for(uow, user), case_id, "L1", PLAN, on, "收入下降，申请分期"
        )
    return proposal.proposal_id


def approve(engine: Engine, proposal_id: str, user: str, on: date) -> LoanRestructured:
    with UnitOfWork(engine) as uow:
        _, event = proposal_service.approve_proposal(
            uow, actor_for(uow, user), proposal_id, on, "收入证明属实"
        )
    assert isinstance(event, LoanRestructured)
    return event


def test_a_collector_cannot_approve_a_plan_and_nothing_changes(db_engine: Engine) -> None:
    case_id = build(db_engine)
    proposal_id = submit_plan(db_engine, case_id, "C101", DAY)
    with pytest.raises(PermissionDenied, match=r"C102 \(collector\) may not decide proposal"):
        approve(db_engine, proposal_id, "C102", DAY)
    with db_engine.connect() as conn:
        assert conn.execute(select(proposals.c.status)).scalar_one() == "pending"
        assert conn.execute(select(loan_adjustments)).all() == []


def test_approved_plan_stores_a_schedule_for_the_whole_outstanding_principal(
    db_engine: Engine,
) -> None:
    case_id = build(db_engine)
    event = approve(db_engine, submit_plan(db_engine, case_id, "C101", DAY), "S001", DAY)
    with db_engine.connect() as conn:
        outstanding = conn.execute(
            select(account_states.c.outstanding_principal).where(account_states.c.loan_id == "L1")
        ).scalar_one()
        adjustment = conn.execute(select(loan_adjustments)).one()
        status = conn.execute(select(proposals.c.status, proposals.c.decided_by)).one()
    with UnitOfWork(db_engine) as uow:
        schedule = proposal_service.stored_schedule(uow, event.proposal_id)
    # 12,000.00 less three installments' principal: 9,197.91 outstanding (the nightly state).
    assert outstanding == 919_791
    assert schedule.principal == outstanding == adjustment.amount
    # What every ledger reader loads is the approved event itself, exactly.
    with db_engine.connect() as conn:
        assert load_adjustments(conn, "L1") == [event]
    # 0% over 6 months: 9,197.91 / 6 = 1,532.985 -> 1,532.99 (half up) five times, and the
    # last installment takes the rest: 9,197.91 - 5 x 1,532.99 = 1,532.96.
    assert [r[1] for r in schedule.rows] == [date(2026, m, 15) for m in range(4, 10)]
    assert all(r[3] == 0 for r in schedule.rows)
    assert [r[2] for r in schedule.rows] == [153_299] * 5 + [153_296]
    assert tuple(status) == ("approved", "S001")
    assert adjustment.carried_interest == 13_797  # Feb's unpaid interest stays due


def test_visit_without_notice_letter_is_refused_then_planned_and_recorded(
    db_engine: Engine,
) -> None:
    case_id = build(db_engine)
    request = visit_service.VisitRequest(
        case_id,
        VisitType.CONFIRM,
        at(date(2026, 3, 5), 10),
        "北京市东城区示例路1号",
        ("V301", "V302"),
        True,
        True,
    )
    with pytest.raises(Refused) as refused, UnitOfWork(db_engine) as uow:
        visit_service.plan(uow, actor_for(uow, "C101"), request)
    assert refused.value.reasons
    assert all(r.startswith("CN-VISIT-1") for r in refused.value.reasons)
    assert any("notice" in r for r in refused.value.reasons)
    with db_engine.connect() as conn:
        assert conn.execute(select(visits)).all() == []

    # A letter sent on the visit day itself is not a notice; one on 2 Mar is.
    send_visit_notice(db_engine, "N2", at(date(2026, 3, 5), 9))
    with pytest.raises(Refused, match="CN-VISIT-1"), UnitOfWork(db_engine) as uow:
        visit_service.plan(uow, actor_for(uow, "C101"), request)
    send_visit_notice(db_engine, "N1", at(date(2026, 3, 2), 9))
    with UnitOfWork(db_engine) as uow:
        planned = visit_service.plan(uow, actor_for(uow, "C101"), request)
    assert planned.plan.notice_letter_sent_on == date(2026, 3, 2)
    with UnitOfWork(db_engine) as uow:
        visit_service.record(
            uow,
            actor_for(uow, "C101"),
            planned.plan.visit_id,
            at(date(2026, 3, 5), 10, 20),
            ("V301", "V302"),
            VisitOutcome.ADDRESS_CONFIRMED,
            "rec/2026-03-05/V1.mp4",
        )
    with db_engine.connect() as conn:
        row = conn.execute(select(visits)).one()
    assert (row.outcome, row.staff, row.planned_by) == ("address_confirmed", "V301,V302", "C101")


def test_three_staff_are_refused_too(db_engine: Engine) -> None:
    case_id = build(db_engine)
    request = visit_service.VisitRequest(
        case_id,
        VisitType.BREACH,
        at(date(2026, 3, 5), 10),
        "北京市东城区示例路1号",
        ("V301", "V302", "C101"),
        True,
        True,
    )
    with pytest.raises(Refused, match="CN-VISIT-1"), UnitOfWork(db_engine) as uow:
        visit_service.plan(uow, actor_for(uow, "S001"), request)


def test_agency_statement_to_the_fen_with_plan_rate(db_engine: Engine) -> None:
    """AG02: 10% regular, 2% under an approved plan. Placed 3 Mar, recalled 25 Mar.

    500.00 on 2 Mar (before placement) and 800.00 on 28 Mar (after recall) do not count.
    1,234.56 on 10 Mar: 123,456 × 0.10 = 12,345.6 -> 12,346 fen.
    A plan approved 15 Mar: 333.33 on 20 Mar at 2%: 33,333 × 0.02 = 666.66 -> 667 fen.
    Total 13,013 fen = 130.13 yuan.
    """
    case_id = build(db_engine)
    with UnitOfWork(db_engine) as uow:
        agencies.place_case(uow, actor_for(uow, "S001"), case_id, "AG02", date(2026, 3, 3))
    proposal_id = submit_plan(db_engine, case_id, "A201", date(2026, 3, 12))
    approve(db_engine, proposal_id, "S001", date(2026, 3, 15))
    with UnitOfWork(db_engine) as uow:
        agencies.recall_case(
            uow, actor_for(uow, "S001"), case_id, date(2026, 3, 25), "到期收回", "C101"
        )
    for pid, on, amount in [
        ("x1", date(2026, 3, 2), 50_000),
        ("x2", date(2026, 3, 10), 123_456),
        ("x3", date(2026, 3, 20), 33_333),
        ("x4", date(2026, 3, 28), 80_000),
    ]:
        pay(db_engine, pid, "L1", on, amount)
    with UnitOfWork(db_engine) as uow:
        statement = agencies.statement(uow, actor_for(uow, "A201"), "AG02", 2026, 3)
    assert [(line.basis, line.repaid, line.commission) for line in statement.lines] == [
        (Basis.PLAN, 33_333, 667),
        (Basis.REGULAR, 123_456, 12_346),
    ]
    assert statement.total_commission == 13_013
    with pytest.raises(PermissionDenied), UnitOfWork(db_engine) as uow:
        agencies.statement(uow, actor_for(uow, "A101"), "AG02", 2026, 3)
    with UnitOfWork(db_engine) as uow:
        held_on = date(2026, 3, 20)
        listed = proposal_service.list_proposals(uow, actor_for(uow, "A201"), held_on)
        assert [p.proposal_id for p in listed] == [proposal_id]
        assert proposal_service.list_proposals(uow, actor_for(uow, "A101"), held_on) == []
        after_recall = proposal_service.list_proposals(
            uow, actor_for(uow, "A201"), date(2026, 3, 25)
        )
        assert after_recall == []


def test_an_agency_sees_only_the_cases_it_holds(db_engine: Engine) -> None:
    case_id = build(db_engine)
    on = date(2026, 3, 3)
    with UnitOfWork(db_engine) as uow:
        agencies.place_case(uow, actor_for(uow, "S001"), case_id, "AG02", on)
    with UnitOfWork(db_engine) as uow:
        ours, theirs = actor_for(uow, "A201"), actor_for(uow, "A101")
        assert [c.case_id for c in list_cases(uow, ours, on).items] == [case_id]
        assert list_cases(uow, theirs, on).items == []
        assert show_case(uow, ours, case_id, on).case.owner == "agency:AG02"
        with pytest.raises(NotFound, match=f"no case '{case_id}'"):
            show_case(uow, theirs, case_id, on)
    contact = NewContact(
        case_id, at(on, 10), Channel.CALL, Party.BORROWER, "13800000001", Outcome.NO_ANSWER
    )
    with pytest.raises(NotFound), UnitOfWork(db_engine) as uow:
        add_contact(uow, actor_for(uow, "A101"), contact, today=contact.at.date())
    with pytest.raises(NotFound), UnitOfWork(db_engine) as uow:
        agencies.place_case(uow, actor_for(uow, "C101"), case_id, "AG01", on)  # AG02 holds it


def test_qa_lists_a_flagged_note_with_its_rule_and_scores_the_collector(
    db_engine: Engine,
) -> None:
    case_id = build(db_engine)
    notes = [(10, Outcome.NO_ANSWER, ""), (11, Outcome.BORROWER_REACHED, "告诉他不还就让你坐牢")]
    for hour, outcome, note in notes:
        contact = NewContact(
            case_id,
            at(DAY, hour),
            Channel.CALL,
            Party.BORROWER,
            "13800000001",
            outcome,
            note=note,
        )
        with UnitOfWork(db_engine) as uow:
            add_contact(uow, actor_for(uow, "C101"), contact, today=contact.at.date())
    with db_engine.connect() as conn:
        assert conn.execute(select(qa_findings.c.rule, qa_findings.c.evidence)).all() == [
            ("CN-PROH-1", "坐牢")
        ]
    with pytest.raises(PermissionDenied), UnitOfWork(db_engine) as uow:
        qa.run(uow, actor_for(uow, "C101"), DAY)
    with UnitOfWork(db_engine) as uow:
        report = qa.run(uow, actor_for(uow, "S001"), DAY)
    (score,) = report.scores
    assert (score.actor, score.contacts, score.reached, score.promises) == ("C101", 2, 1, 0)
    assert [(v.rule, v.evidence) for v in score.violations] == [("CN-PROH-1", "坐牢")]
    assert len(report.sample) >= 1  # the flagged call is always sampled
    with UnitOfWork(db_engine) as uow:
        assert qa.run(uow, actor_for(uow, "S001"), date(2026, 3, 3)).scores == ()


def test_penalty_waiver_is_capped_by_the_payable_penalty_and_stored(db_engine: Engine) -> None:
    """On 2 Mar L1 owes 8.25 yuan penalty (the nightly state): a proposal of 9.00 is refused
    when it is made (it never reaches the supervisor), 8.25 is proposed and granted."""
    case_id = build(db_engine)
    with (
        pytest.raises(CaseworkError, match="exceeds the 825 fen unpaid"),
        UnitOfWork(db_engine) as uow,
    ):
        proposal_service.submit_proposal(
            uow, actor_for(uow, "C101"), case_id, "L1", Waiver(WaivedComponent.PENALTY, 900), DAY
        )
    with UnitOfWork(db_engine) as uow:
        exact = proposal_service.submit_proposal(
            uow, actor_for(uow, "C101"), case_id, "L1", Waiver(WaivedComponent.PENALTY, 825), DAY
        )
    with UnitOfWork(db_engine) as uow:
        supervisor = actor_for(uow, "S001")
        proposal_service.approve_proposal(uow, supervisor, exact.proposal_id, DAY, "困难属实")
    with db_engine.connect() as conn:
        adjustment = conn.execute(select(loan_adjustments)).one()
        decisions = {
            r.proposal_id: r.status
            for r in conn.execute(select(proposals.c.proposal_id, proposals.c.status))
        }
    assert (adjustment.kind, adjustment.component, adjustment.amount) == ("waiver", "penalty", 825)
    assert decisions == {exact.proposal_id: "approved"}


def test_a_lawful_visit_at_night_is_refused_by_the_gate_hours(db_engine: Engine) -> None:
    case_id = build(db_engine)
    send_visit_notice(db_engine, "N1", at(date(2026, 3, 2), 9))
    request = visit_service.VisitRequest(
        case_id,
        VisitType.LOCATE,
        at(date(2026, 3, 5), 22, 30),
        "北京市东城区示例路1号",
        ("V301", "V302"),
        True,
        True,
    )
    with pytest.raises(Refused) as refused, UnitOfWork(db_engine) as uow:
        visit_service.plan(uow, actor_for(uow, "C101"), request)
    assert [r.split(":")[0] for r in refused.value.reasons] == ["CN-TIME-1"]


def send_visit_notice(engine: Engine, action_id: str, sent: datetime) -> None:
    sent_action(engine, action_id, sent, "上门通知函", action_key="visit_notice", channel="letter")


def test_qa_screens_the_messages_sent_that_day_and_credits_the_assignee(
    db_engine: Engine,
) -> None:
    """A message sent on DAY with a threat is a violation of C102's; one sent the day
    before, and a clean one, are not."""
    case_id = build(db_engine)
    sent_action(db_engine, "A1", at(DAY, 9), "您的借款已逾期，今日不还就让你坐牢。")
    sent_action(db_engine, "A2", at(DAY, 10), "您的借款已逾期15天，请尽快还款。")
    sent_action(db_engine, "A3", at(date(2026, 3, 1), 23, 30), "不还就让你坐牢")
    with UnitOfWork(db_engine) as uow:
        report = qa.run(uow, actor_for(uow, "S001"), DAY)
    (score,) = report.scores
    assert score.actor == "C102"
    assert [(v.source, v.rule, v.evidence) for v in score.violations] == [
        ("message:A1", "CN-PROH-1", "坐牢")
    ]
    assert score.contacts == 0  # messages are screened, not counted as contact attempts
    assert case_id == CASE

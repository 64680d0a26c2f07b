"""Stories from the seed's first call, walked through the services (SQLite and PostgreSQL):
each hole found in issue 10 closed, and the lawful case beside it still allowed.

The world (casework_world): 张三 (B1, 13800000001) is 15 days late on 2 Mar 2026; his wife
王芳 (13900000009) is his emergency contact, his brother 张四 (13900000008) his guarantor,
a friend 赵六 (13900000007) is registered but not as an emergency contact. C101 works the
case.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from faircollect.adapters.db.repository import loan_row
from faircollect.adapters.db.tables import (
    account_states,
    borrowers,
    contact_records,
    loans,
    planned_actions,
    qa_findings,
)
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.adapters.lender_file import LENDER_VARIABLE, _load
from faircollect.domain.casework.call_script import Step
from faircollect.domain.casework.contacts import Outcome
from faircollect.domain.casework.errors import GateDenied, NotFound, PermissionDenied, Refused
from faircollect.domain.casework.visits import VisitType
from faircollect.domain.compliance.actions import Channel, Party, Purpose
from faircollect.domain.ledger.terms import LoanTerms, Method
from faircollect.services.casework import first_call, queue
from faircollect.services.casework import visits as visit_service
from faircollect.services.casework.agencies import place_case
from faircollect.services.casework.contacts import ContactFacts, NewContact, add_contact
from faircollect.services.casework.open_cases import open_cases
from faircollect.services.casework.promises import make_promise
from faircollect.services.organisation import actor_for
from tests.scenarios.casework_world import CASE, DAY, at, build, sent_action, state_row

NIGHT = at(DAY, 23)


def contact(
    number: str,
    outcome: Outcome = Outcome.NO_ANSWER,
    *,
    hour: int = 10,
    minute: int = 0,
    party: Party | None = None,
    note: str = "",
    facts: ContactFacts = ContactFacts(),
) -> NewContact:
    return NewContact(
        CASE, at(DAY, hour, minute), Channel.CALL, party, number, outcome, note=note, facts=facts
    )


def record(engine: Engine, new: NewContact, user: str = "C101") -> str:
    with UnitOfWork(engine) as uow:
        return add_contact(uow, actor_for(uow, user), new).record_id


def stored(engine: Engine) -> list[tuple[str, str, str]]:
    c = contact_records
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(c.c.phone, c.c.party, c.c.outcome))]


# §2 The contacted number must be one the system knows --------------------------------


@pytest.mark.parametrize("claimed", [None, Party.EMERGENCY_CONTACT, Party.BORROWER])
def test_a_harvested_number_is_refused_whatever_party_is_claimed(
    db_engine: Engine, claimed: Party | None
) -> None:
    build(db_engine)
    with pytest.raises(GateDenied) as denied:
        record(db_engine, contact("13912345678", party=claimed))
    assert [rule for rule, _ in denied.value.violations] == ["PI-1"]
    assert "neither the borrower's number nor a registered" in denied.value.reasons[0]
    assert stored(db_engine) == []


def test_a_friend_registered_but_not_as_emergency_contact_is_refused(db_engine: Engine) -> None:
    build(db_engine)
    with pytest.raises(GateDenied, match="not as an emergency contact or guarantor"):
        record(db_engine, contact("13900000007"))
    assert stored(db_engine) == []


def test_the_number_decides_the_party_and_a_wrong_claim_is_refused(db_engine: Engine) -> None:
    build(db_engine)
    with pytest.raises(GateDenied, match="belongs to the emergency_contact, not the borrower"):
        record(db_engine, contact("13900000009", party=Party.BORROWER))
    record(db_engine, contact("+86 138 0000 0001"))  # the borrower's own, however typed
    record(db_engine, contact("13900000008", Outcome.PROMISE, hour=11))  # the guarantor
    assert stored(db_engine) == [
        ("+86 138 0000 0001", "borrower", "no_answer"),
        ("13900000008", "guarantor", "promise"),
    ]


def test_an_emergency_contact_only_after_three_failures_and_two_third_parties_a_day(
    db_engine: Engine,
) -> None:
    build(db_engine)
    relay = ContactFacts(True, Purpose.RELAY, discloses_debt=False)
    with pytest.raises(GateDenied, match="the borrower is reachable"):
        record(db_engine, contact("13900000009", Outcome.THIRD_PARTY_REACHED, facts=relay))
    for minute in (0, 10, 20):
        record(db_engine, contact("13800000001", hour=9, minute=minute))
    record(db_engine, contact("13900000009", Outcome.THIRD_PARTY_REACHED, hour=11, facts=relay))
    assert stored(db_engine)[-1] == ("13900000009", "emergency_contact", "third_party_reached")


# §3 The gate decides before the call ---------------------------------------------------


def start(engine: Engine, moment: datetime, user: str = "C101") -> first_call.CallSession:
    with UnitOfWork(engine) as uow:
        return first_call.start_call(uow, actor_for(uow, user), CASE, moment)


def test_a_call_at_2300_is_refused_when_it_starts_and_says_from_when(db_engine: Engine) -> None:
    build(db_engine)
    with pytest.raises(GateDenied) as denied:
        start(db_engine, NIGHT)
    assert [rule for rule, _ in denied.value.violations] == ["CN-TIME-1"]
    assert denied.value.next_allowed_at == at(DAY + timedelta(days=1), 8)
    assert stored(db_engine) == []


def test_the_seventh_unanswered_call_of_the_day_is_refused_before_it_is_made(
    db_engine: Engine,
) -> None:
    build(db_engine)
    for hour in range(9, 15):
        record(db_engine, contact("13800000001", hour=hour))
    with pytest.raises(GateDenied) as denied:
        start(db_engine, at(DAY, 16))
    assert [rule for rule, _ in denied.value.violations] == ["CN-FREQ-1"]


def test_a_complaint_open_refuses_the_call(db_engine: Engine) -> None:
    build(db_engine)
    record(db_engine, contact("13800000001", Outcome.COMPLAINT, hour=9))
    with pytest.raises(Refused, match=r"COMP-1|contact is paused"):
        start(db_engine, at(DAY, 10))


def test_a_lawful_call_that_runs_past_2200_is_kept_and_fulfils_the_planned_call(
    db_engine: Engine,
) -> None:
    build(db_engine)
    planned_call(db_engine, "A-CALL-1", at(DAY, 21, 50))
    with UnitOfWork(db_engine) as uow:
        items = queue.morning_queue(uow, actor_for(uow, "C101"), DAY)
    assert [i.action_id for i in items if i.kind == queue.Kind.PLANNED] == ["A-CALL-1"]
    session = start(db_engine, at(DAY, 21, 50))
    assert session.action_id == "A-CALL-1"
    for step, answer in (
        (Step.PREPARE, "ok"),
        (Step.CONFIRM_IDENTITY, "borrower"),
        (Step.STATE_IDENTITY, "ok"),
        (Step.ASK_PAYMENT_TODAY, "cannot_today"),
        (Step.LEARN_REASON, "income_drop"),
        (Step.EXPLAIN_CONSEQUENCES, "all"),
        (Step.OBTAIN_PROMISE, "refusal"),
        (Step.UPDATE_FILE, "客户表示下周发工资后再联系。"),
    ):
        session.answer(step, answer)
    with UnitOfWork(db_engine) as uow:  # stored at 22:15: the call began at 21:50
        first_call.finish_call(uow, actor_for(uow, "C101"), session)
    with db_engine.connect() as conn:
        (row,) = conn.execute(select(contact_records)).all()
        status = conn.execute(select(planned_actions.c.status)).scalar_one()
    assert (row.action_id, row.outcome, status) == ("A-CALL-1", "refusal", "done")
    with UnitOfWork(db_engine) as uow:
        items = queue.morning_queue(uow, actor_for(uow, "C101"), DAY)
    assert "A-CALL-1" not in [i.action_id for i in items]


def planned_call(engine: Engine, action_id: str, when: datetime) -> None:
    sent_action(engine, action_id, when, "", action_key="first_call", channel="call")
    with engine.begin() as conn:
        conn.execute(
            planned_actions.update().values(status="planned", assignee="C101", rendered=None)
        )
        conn.execute(planned_actions.update().values(kind="contact", template=None, priority=80))


# §4 A third party who answers must be recordable ---------------------------------------


def test_a_third_party_answering_the_borrowers_phone_is_recorded_without_a_violation(
    db_engine: Engine,
) -> None:
    build(db_engine)
    record(
        db_engine,
        contact("13800000001", Outcome.THIRD_PARTY_ANSWERED, note="其母接听，请其转告回电。"),
    )
    record(
        db_engine,
        contact("13800000001", Outcome.THIRD_PARTY_ANSWERED, hour=11, note="告诉其母他欠款未还。"),
    )
    assert [r[1:] for r in stored(db_engine)] == [("borrower", "third_party_answered")] * 2
    with db_engine.connect() as conn:
        findings = conn.execute(select(qa_findings.c.rule, qa_findings.c.evidence)).all()
    assert [tuple(f) for f in findings] == [("CN-3P-1", "欠款")]  # only the disclosure


def test_a_number_confirmed_wrong_makes_the_borrower_unreachable_for_a_relay(
    db_engine: Engine,
) -> None:
    build(db_engine)
    relay = ContactFacts(True, Purpose.RELAY, discloses_debt=False)
    record(db_engine, contact("13800000001", Outcome.WRONG_NUMBER, hour=9))
    with pytest.raises(GateDenied, match="the borrower is reachable"):
        record(db_engine, contact("13900000009", Outcome.THIRD_PARTY_REACHED, facts=relay))
    record(db_engine, contact("13800000001", Outcome.WRONG_NUMBER, hour=10))  # confirmed
    record(db_engine, contact("13900000009", Outcome.THIRD_PARTY_REACHED, hour=11, facts=relay))


# §5 Collect only what is lawfully owed ------------------------------------------------

PREDATORY = LoanTerms(
    "L9",
    1_000_000,
    800_000,  # 2,000.00 deducted up front (砍头息)
    Decimal("0.36"),
    12,
    Method.EQUAL_INSTALLMENT,
    date(2025, 10, 15),
    Decimal("0.0005"),
    0,
    0,
    borrower_id="B9",
    product="cash",
)


def predatory_case(engine: Engine) -> str:
    build(engine)
    with engine.begin() as conn:
        conn.execute(
            borrowers.insert().values(
                borrower_id="B9",
                name="王五",
                phone="13800000009",
                id_number="110101199001019999",
                city="北京",
            )
        )
        conn.execute(loans.insert().values(**loan_row(PREDATORY)))
        conn.execute(account_states.insert().values(**state_row(PREDATORY, [], DAY)))
    with UnitOfWork(engine) as uow:
        (case_id,) = open_cases(uow, DAY, "C101", {"B9"})
    return case_id


def test_a_loan_with_kantou_and_36_percent_is_collected_only_for_the_lawful_amount(
    db_engine: Engine,
) -> None:
    case_id = predatory_case(db_engine)
    with UnitOfWork(db_engine) as uow:
        session = first_call.start_call(uow, actor_for(uow, "C101"), case_id, at(DAY, 10))
    snap = session.snapshot
    assert snap.contract_total_overdue is not None
    assert snap.total_overdue < snap.contract_total_overdue
    prompt = session.next_prompt()
    assert prompt is not None
    warnings = [line for line in prompt.details if line.startswith(("注意：", "警告"))]
    assert warnings[0].startswith("警告（CRIM-1）")  # 36 % with 20 % 砍头息 is usury
    assert warnings[1].startswith("注意：本借款合同收费超出法律保护的上限")
    session.answer(Step.PREPARE, "ok")
    session.answer(Step.CONFIRM_IDENTITY, "borrower")
    session.answer(Step.STATE_IDENTITY, "ok")
    ask = session.next_prompt()
    assert ask is not None and "依法应还" in ask.say and "合同所列金额为" in ask.say
    with (
        pytest.raises(Refused, match=r"PTP-1: .* more than the .* lawfully owed"),
        UnitOfWork(db_engine) as uow,
    ):
        make_promise(uow, actor_for(uow, "C101"), "L9", 99_999_999, DAY + timedelta(days=5), DAY)


def test_an_illegal_debt_is_never_visited(db_engine: Engine) -> None:
    """36 % with 20 % 砍头息 is a true APR far above 36 %: CRIM-1."""
    case_id = predatory_case(db_engine)
    sent_action(db_engine, "N1", at(date(2026, 2, 20), 9), "上门通知函", "visit_notice", "letter")
    with db_engine.begin() as conn:  # the notice went out for L9
        conn.execute(planned_actions.update().values(loan_id="L9", borrower_id="B9"))
    request = visit_service.VisitRequest(
        case_id, VisitType.CONFIRM, at(DAY, 10), "北京市示例路9号", ("V301", "V302"), True, True
    )
    with pytest.raises(Refused, match="CRIM-1"), UnitOfWork(db_engine) as uow:
        visit_service.plan(uow, actor_for(uow, "S001"), request)


# §6 Step 8 and the rest of the call ----------------------------------------------------


def test_an_agencys_collector_says_they_act_for_the_lender(db_engine: Engine) -> None:
    build(db_engine)
    with UnitOfWork(db_engine) as uow:
        place_case(uow, actor_for(uow, "S001"), CASE, "AG01", DAY)
    session = start(db_engine, at(DAY, 10), "A101")
    session.answer(Step.PREPARE, "ok")
    session.answer(Step.CONFIRM_IDENTITY, "borrower")
    prompt = session.next_prompt()
    assert prompt is not None
    assert prompt.say.startswith("我是示例委外机构甲的甲机构张三，受示例消费金融委托")


@pytest.fixture
def no_credit_reporting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    config = tmp_path / "lender.yaml"
    config.write_text(
        "name: 乙方小贷有限公司\nshort_name: 乙方小贷\n"
        "credit_reporting: {default: true, products: {cash: false}}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv(LENDER_VARIABLE, str(config))
    yield
    _load.cache_clear()


def test_the_credit_report_consequence_is_offered_only_where_the_lender_reports(
    db_engine: Engine, no_credit_reporting: None
) -> None:
    build(db_engine)
    session = start(db_engine, at(DAY, 10))
    assert session.snapshot.lender_name == "乙方小贷"
    for step, answer in (
        (Step.PREPARE, "ok"),
        (Step.CONFIRM_IDENTITY, "borrower"),
        (Step.STATE_IDENTITY, "ok"),
        (Step.ASK_PAYMENT_TODAY, "cannot_today"),
        (Step.LEARN_REASON, "forgot"),
    ):
        session.answer(step, answer)
    prompt = session.next_prompt()
    assert prompt is not None and "credit_report" not in prompt.choices
    assert len(prompt.choices) == len(set(prompt.choices))
    assert not any("征信" in line for line in prompt.details)


@pytest.mark.parametrize(
    ("amount", "due_in", "problem"),
    [(50, 5, "less than the minimum promise"), (50_000, 45, "more than 30 days after")],
)
def test_a_nonsense_promise_is_refused_with_the_reason(
    db_engine: Engine, amount: int, due_in: int, problem: str
) -> None:
    build(db_engine)
    with pytest.raises(Refused, match=problem), UnitOfWork(db_engine) as uow:
        make_promise(uow, actor_for(uow, "C101"), "L1", amount, DAY + timedelta(due_in), DAY)
    with UnitOfWork(db_engine) as uow:
        row = make_promise(uow, actor_for(uow, "C101"), "L1", 50_000, DAY + timedelta(7), DAY)
    assert (row.amount, row.kind) == (50_000, "once")


def test_agencies_may_visit_only_where_the_lender_allows_and_workplaces_need_consent(
    db_engine: Engine,
) -> None:
    build(db_engine)
    with UnitOfWork(db_engine) as uow:
        place_case(uow, actor_for(uow, "S001"), CASE, "AG01", DAY)
    sent_action(db_engine, "N1", at(date(2026, 2, 20), 9), "上门通知函", "visit_notice", "letter")
    request = visit_service.VisitRequest(
        CASE, VisitType.CONFIRM, at(DAY, 10), "北京市示例路1号", ("V301", "V302"), True, True
    )
    with (
        pytest.raises(PermissionDenied, match="does not allow agencies"),
        UnitOfWork(db_engine) as uow,
    ):
        visit_service.plan(uow, actor_for(uow, "A101"), request)
    workplace = visit_service.VisitRequest(
        CASE, VisitType.CONFIRM, at(DAY, 10), "某公司前台", ("V301", "V302"), True, True, True
    )
    with pytest.raises(Refused, match="workplace"), UnitOfWork(db_engine) as uow:
        visit_service.plan(uow, actor_for(uow, "S001"), workplace)
    with pytest.raises(NotFound), UnitOfWork(db_engine) as uow:  # C101's case is AG01's now
        visit_service.plan(uow, actor_for(uow, "C101"), request)

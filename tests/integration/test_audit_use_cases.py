"""The casework use cases write the audit trail in their own transaction, on SQLite and
PostgreSQL: who did what to which case, before and after, the gate's decisions with the
rule pack's version, and who saw unmasked personal data. A refused change leaves no entry
but the gate's denial. The world is tests/scenarios/casework_world.py (张三's case
C-B1-20260302, C101's; 张三's phone 13800000001)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from faircollect.adapters.db.tables import audit_log, contact_records, promises
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.domain.casework.cases import CaseStatus
from faircollect.domain.casework.contacts import Outcome
from faircollect.domain.casework.errors import CaseworkError, GateDenied, Refused
from faircollect.domain.casework.proposals import InstalmentPlan
from faircollect.domain.casework.visits import VisitOutcome, VisitType
from faircollect.domain.compliance.actions import Channel, Party
from faircollect.services.audit import verify_chain
from faircollect.services.auth import set_password, sign_in
from faircollect.services.casework import visits, web_calls
from faircollect.services.casework.agencies import place_case, recall_case
from faircollect.services.casework.cases import reassign_case, show_case
from faircollect.services.casework.contacts import NewContact, add_contact
from faircollect.services.casework.first_call import run_call
from faircollect.services.casework.promise_outcomes import follow_promises
from faircollect.services.casework.promises import make_promise
from faircollect.services.casework.proposals import approve_proposal, submit_proposal
from faircollect.services.organisation import actor_for
from tests.scenarios.casework_world import CASE, DAY, at, build, sent_action

BUILT: dict[int, int] = {}
"""Per engine: the id of the last entry building the world wrote (the organisation
loaded, 张三's case opened); the tests look at what came after."""


@pytest.fixture
def world(db_engine: Engine) -> Engine:
    build(db_engine)
    with db_engine.connect() as conn:
        BUILT[id(db_engine)] = conn.execute(select(func.max(audit_log.c.id))).scalar_one()
    return db_engine


def entries(engine: Engine) -> list[tuple[str, str, str, Any, Any]]:
    """(actor, action, subject, before, after) of every entry after the world's own, in
    order."""
    a = audit_log
    with engine.connect() as conn:
        rows = conn.execute(select(a).where(a.c.id > BUILT[id(engine)]).order_by(a.c.id)).all()
    return [(r.actor, r.action, r.subject, json.loads(r.before), json.loads(r.after)) for r in rows]


def intact(engine: Engine) -> int:
    """How many entries the chain holds after the world's own, checked intact."""
    with UnitOfWork(engine) as uow:
        verdict = verify_chain(uow)
    assert verdict.intact, verdict.reason
    return verdict.checked - BUILT[id(engine)]


def test_building_the_world_loaded_the_organisation_then_opened_the_case(world: Engine) -> None:
    with world.connect() as conn:
        rows = conn.execute(select(audit_log).order_by(audit_log.c.id)).all()
    assert [(r.id, r.actor, r.action, r.subject) for r in rows] == [
        (1, "system", "organisation.loaded", "example.yaml"),
        (2, "system", "case.opened", CASE),
    ]
    loaded = json.loads(rows[0].after)
    assert json.loads(rows[0].before) == {"users": {}}
    assert loaded["users"]["C101"] == {
        "role": "collector",
        "team_id": "T-EARLY",
        "agency_id": None,
        "active": True,
    }
    assert loaded["users"]["A101"]["agency_id"] == "AG01"
    assert json.loads(rows[1].after) == {
        "borrower_id": "B1",
        "loan_ids": ["L1"],
        "owner": "C101",
        "on": "2026-03-02",
    }


def test_a_password_set_and_sign_ins_are_audited_without_secrets(world: Engine) -> None:
    moment = at(DAY, 9)
    with UnitOfWork(world) as uow:
        set_password(uow, "C101", "correct horse battery")
    with UnitOfWork(world) as uow:
        assert not sign_in(uow, "C101", "wrong password!", moment).ok
    with UnitOfWork(world) as uow:
        assert sign_in(uow, "C101", "correct horse battery", moment).ok
    got = entries(world)
    assert [(e[0], e[1], e[2]) for e in got] == [
        ("system", "user.password_set", "C101"),
        ("C101", "session.refused", "C101"),
        ("C101", "session.signed_in", "C101"),
    ]
    with world.connect() as conn:
        text = " ".join(r.after for r in conn.execute(select(audit_log.c.after)))
    assert "correct horse" not in text and "wrong password" not in text and "argon2" not in text


def call_borrower(hour: int) -> NewContact:
    return NewContact(
        CASE,
        at(DAY, hour),
        Channel.CALL,
        Party.BORROWER,
        "13800000001",
        Outcome.BORROWER_REACHED,
        note="本人接听，电话13800000001确认",
    )


def test_a_recorded_contact_is_audited_with_the_gates_decision(world: Engine) -> None:
    with UnitOfWork(world) as uow:
        record = add_contact(uow, actor_for(uow, "C101"), call_borrower(10), today=DAY)
    (gate, contact) = entries(world)
    assert gate[:3] == ("C101", "gate.decided", CASE)
    assert gate[4]["allowed"] is True and gate[4]["rules"] == []
    assert gate[4]["pack_version"] == "cn-2026.1"
    assert gate[4]["number"] == "138****0001"
    assert contact[:3] == ("C101", "contact.recorded", CASE)
    assert contact[3] == {"status": "open"}
    after = contact[4]
    assert after["record_id"] == record.record_id
    assert (after["channel"], after["party"], after["outcome"]) == (
        "call",
        "borrower",
        "borrower_reached",
    )
    assert after["number"] == "138****0001"
    assert after["at"] == "2026-03-02T02:00:00.000000+00:00"
    assert after["note_chars"] == 20 and "note" not in after
    assert after["status"] == "contacted"
    assert intact(world) == 2


def test_a_contact_the_gate_denies_leaves_only_the_denial(world: Engine) -> None:
    with pytest.raises(GateDenied), UnitOfWork(world) as uow:
        add_contact(uow, actor_for(uow, "C101"), call_borrower(23), today=DAY)
    with world.connect() as conn:
        assert conn.execute(select(contact_records)).all() == []
    ((actor, action, subject, before, after),) = entries(world)
    assert (actor, action, subject, before) == ("C101", "gate.decided", CASE, None)
    assert after["allowed"] is False and after["rules"] == ["CN-TIME-1"]
    assert after["next_allowed_at"] == "2026-03-03T00:00:00.000000+00:00"  # 08:00 Shanghai
    assert after["pack_version"] == "cn-2026.1"
    assert intact(world) == 1


def test_a_refused_promise_leaves_no_entry(world: Engine) -> None:
    with pytest.raises(Refused), UnitOfWork(world) as uow:
        make_promise(uow, actor_for(uow, "C101"), "L1", 5_000, DAY + timedelta(days=3), DAY)
    with world.connect() as conn:
        assert conn.execute(select(promises)).all() == []
    assert entries(world) == []


def test_a_promise_is_audited_on_its_case(world: Engine) -> None:
    with UnitOfWork(world) as uow:
        row = make_promise(
            uow, actor_for(uow, "C101"), "L1", 110_016, date(2026, 3, 6), DAY, today=DAY
        )
    ((actor, action, subject, before, after),) = entries(world)
    assert (actor, action, subject, before) == ("C101", "promise.made", CASE, None)
    assert after == {
        "promise_id": row.promise_id,
        "loan_id": "L1",
        "amount_fen": 110_016,
        "due_on": "2026-03-06",
        "made_on": "2026-03-02",
        "kind": "once",
    }


ANSWERS = {
    "confirm_identity": "borrower",
    "state_identity": "ok",
    "ask_payment_today": "cannot_today",
    "learn_reason": "income_drop",
    "explain_consequences": "all",
    "obtain_promise": {"amount": "1100.16", "due": "2026-03-06"},
    "update_file": "收入下降，承诺3月6日前还款",
}


def test_the_first_call_audits_its_gate_contact_promise_and_end(world: Engine) -> None:
    with UnitOfWork(world) as uow:
        stored = run_call(uow, actor_for(uow, "C101"), CASE, at(DAY, 10), ANSWERS)
    got = entries(world)
    assert [(e[0], e[1], e[2]) for e in got] == [
        ("C101", "gate.decided", CASE),
        ("C101", "gate.decided", CASE),
        ("C101", "contact.recorded", CASE),
        ("C101", "promise.made", CASE),
        ("C101", "call.finished", CASE),
    ]
    assert got[0][4]["call"] is True
    assert got[3][4]["amount_fen"] == 110_016
    finished = got[4][4]
    assert finished["record_id"] == stored.result.record.record_id
    assert finished["promise_id"] == stored.promise_id
    assert finished["loan_id"] == "L1"
    assert intact(world) == 5


def test_a_reassignment_records_the_owner_before_and_after(world: Engine) -> None:
    with UnitOfWork(world) as uow:
        reassign_case(uow, actor_for(uow, "S001"), CASE, "C102", DAY, "C101 休假")
    ((actor, action, subject, before, after),) = entries(world)
    assert (actor, action, subject) == ("S001", "case.reassigned", CASE)
    assert before == {"owner": {"kind": "collector", "owner_id": "C101"}, "status": "open"}
    assert after == {
        "owner": {"kind": "collector", "owner_id": "C102"},
        "status": "open",
        "on": "2026-03-02",
        "reason": "C101 休假",
    }


def test_a_proposal_and_its_decision_are_audited(world: Engine) -> None:
    plan = InstalmentPlan(6, 0, DAY + timedelta(days=10))
    with UnitOfWork(world) as uow:
        proposal = submit_proposal(uow, actor_for(uow, "C101"), CASE, "L1", plan, DAY, "困难")
    with UnitOfWork(world) as uow:
        approve_proposal(uow, actor_for(uow, "S001"), proposal.proposal_id, DAY, "收入证明已核")
    (submitted, decided) = entries(world)
    assert submitted[:3] == ("C101", "proposal.submitted", CASE)
    assert submitted[4]["status"] == "pending" and submitted[4]["note_chars"] == 2
    assert decided[:3] == ("S001", "proposal.decided", CASE)
    assert decided[3]["status"] == "pending" and decided[3]["decided_by"] is None
    assert decided[4]["status"] == "approved" and decided[4]["decided_by"] == "S001"
    assert decided[4]["decision_reason"] == "收入证明已核"
    assert decided[4]["ledger_change"]["loan_id"] == "L1"
    assert intact(world) == 2


def test_every_case_file_view_records_what_personal_data_was_shown(world: Engine) -> None:
    """张三's contacts: 1 王芳 (emergency, callable), 2 张四 and 3 赵六 (not callable)."""
    with UnitOfWork(world) as uow:
        masked = show_case(uow, actor_for(uow, "C101"), CASE, DAY)
    assert masked.borrower["id_number"] == "1101**********1234"
    for user in ("S001", "K001", "ADMIN"):
        with UnitOfWork(world) as uow:
            full = show_case(uow, actor_for(uow, user), CASE, DAY)
        assert full.borrower["id_number"] == "110101199001011234"
    viewed = entries(world)
    assert [(e[0], e[1], e[2]) for e in viewed] == [
        ("C101", "personal_data.viewed", CASE),
        ("S001", "personal_data.viewed", CASE),
        ("K001", "personal_data.viewed", CASE),
        ("ADMIN", "personal_data.viewed", CASE),
    ]
    assert viewed[0][4] == {
        "borrower_id": "B1",
        "id_number_shown": "masked",
        "phones_unmasked": ["borrower", "contact:1"],
    }
    assert viewed[1][4] == {
        "borrower_id": "B1",
        "id_number_shown": "whole",
        "phones_unmasked": ["borrower", "contact:1", "contact:2", "contact:3"],
    }
    with world.connect() as conn:
        text = " ".join(r.after for r in conn.execute(select(audit_log.c.after)))
    assert "110101199001011234" not in text


VISIT_DAY = date(2026, 3, 5)


def planned_visit(world: Engine) -> str:
    """C101's confirmation visit to 张三 on VISIT_DAY, after the night sent its notice;
    its id."""
    sent_action(world, "N1", at(DAY, 9), "上门通知函", action_key="visit_notice", channel="letter")
    request = visits.VisitRequest(
        CASE,
        VisitType.CONFIRM,
        at(VISIT_DAY, 10),
        "北京市东城区示例路1号",
        ("V301", "V302"),
        True,
        True,
    )
    with UnitOfWork(world) as uow:
        return visits.plan(uow, actor_for(uow, "C101"), request).plan.visit_id


def record_visit(world: Engine, user: str, visit_id: str) -> None:
    """``user`` records the planned visit: both staff there, address confirmed, filmed."""
    with UnitOfWork(world) as uow:
        visits.record(
            uow,
            actor_for(uow, user),
            visit_id,
            at(VISIT_DAY, 10, 20),
            ("V301", "V302"),
            VisitOutcome.ADDRESS_CONFIRMED,
            "rec/V1.mp4",
        )


def test_a_visit_plan_and_its_outcome_are_audited(world: Engine) -> None:
    record_visit(world, "C101", planned_visit(world))
    got = entries(world)
    assert [(e[0], e[1]) for e in got] == [
        ("C101", "gate.decided"),
        ("C101", "visit.planned"),
        ("C101", "visit.recorded"),
    ]
    assert got[0][4]["allowed"] is True and got[0][4]["notice_sent_on"] == "2026-03-02"
    assert got[1][4]["staff"] == ["V301", "V302"] and "address" not in got[1][4]
    assert got[2][4]["outcome"] == "address_confirmed"
    assert intact(world) == 3


def test_a_visit_of_a_case_one_may_not_see_is_answered_as_an_unknown_visit(
    world: Engine,
) -> None:
    """C102 does not hold 张三's case: recording its visit says only that there is no such
    visit, the same words as for an id nobody used, whether or not the visit already has
    its outcome; C101, who holds it, is told the outcome is already recorded."""
    visit_id = planned_visit(world)

    def record_as(user: str, visit: str) -> str:
        with pytest.raises(CaseworkError) as refused:
            record_visit(world, user, visit)
        return str(refused.value)

    assert record_as("C102", visit_id) == f"no visit '{visit_id}'"
    assert record_as("C102", "V-NOBODY") == "no visit 'V-NOBODY'"
    record_visit(world, "C101", visit_id)
    assert record_as("C102", visit_id) == f"no visit '{visit_id}'"
    assert (
        record_as("C101", visit_id)
        == f"visit {visit_id} already has an outcome (address_confirmed)"
    )


def test_a_visit_the_gate_refuses_keeps_the_denial(world: Engine) -> None:
    request = visits.VisitRequest(
        CASE, VisitType.CONFIRM, at(date(2026, 3, 5), 10), "北京市", ("V301", "V302"), True, True
    )
    with pytest.raises(Refused), UnitOfWork(world) as uow:
        visits.plan(uow, actor_for(uow, "C101"), request)
    ((actor, action, _, _, after),) = entries(world)
    assert (actor, action, after["allowed"], after["rules"]) == (
        "C101",
        "gate.decided",
        False,
        ["CN-VISIT-1"],
    )


def test_a_promised_case_moved_by_its_broken_promise_is_audited(world: Engine) -> None:
    with UnitOfWork(world) as uow:
        stored = run_call(uow, actor_for(uow, "C101"), CASE, at(DAY, 10), ANSWERS)
    settled_on = date(2026, 3, 7)
    with world.begin() as conn:
        conn.execute(
            promises.update()
            .where(promises.c.promise_id == stored.promise_id)
            .values(status="broken", settled_on=settled_on)
        )
    with UnitOfWork(world) as uow:
        assert follow_promises(uow, settled_on) == {CASE: CaseStatus.PROMISE_BROKEN}
    (actor, action, subject, before, after) = entries(world)[-1]
    assert (actor, action, subject, before) == (
        "system",
        "case.status_changed",
        CASE,
        {"status": "promised"},
    )
    assert after["status"] == "promise_broken" and after["on"] == "2026-03-07"
    assert after["reason"].startswith(f"promise {stored.promise_id} broken")


def test_a_placement_and_its_recall_are_audited(world: Engine) -> None:
    with UnitOfWork(world) as uow:
        s001 = actor_for(uow, "S001")
        placement = place_case(uow, s001, CASE, "AG01", DAY, date(2026, 4, 1))
    with UnitOfWork(world) as uow:
        recall_case(uow, actor_for(uow, "S001"), CASE, date(2026, 3, 10), "委外到期", "C102")
    (placed, recalled) = entries(world)
    assert placed[:3] == ("S001", "case.placed", CASE)
    assert placed[3] == {"owner": {"kind": "collector", "owner_id": "C101"}, "status": "open"}
    assert placed[4] == {
        "owner": {"kind": "agency", "owner_id": "AG01"},
        "status": "with_agency",
        "placement_id": placement,
        "on": "2026-03-02",
        "recall_on": "2026-04-01",
    }
    assert recalled[:3] == ("S001", "case.recalled", CASE)
    assert recalled[3]["owner"] == {"kind": "agency", "owner_id": "AG01"}
    assert recalled[4]["owner"] == {"kind": "collector", "owner_id": "C102"}
    assert recalled[4]["reason"] == "委外到期"


def test_a_first_call_started_on_the_web_is_audited_with_its_gate_decision(
    world: Engine,
) -> None:
    with UnitOfWork(world) as uow:
        progress = web_calls.begin(uow, actor_for(uow, "C101"), CASE, at(DAY, 10))
    with UnitOfWork(world) as uow:
        web_calls.answer(uow, actor_for(uow, "C101"), progress.call_id, "prepare", None)
    got = entries(world)
    assert [(e[0], e[1]) for e in got] == [("C101", "gate.decided"), ("C101", "call.started")]
    assert got[1][4] == {
        "call_id": progress.call_id,
        "loan_id": "L1",
        "at": "2026-03-02T02:00:00.000000+00:00",
        "number": "138****0001",
    }

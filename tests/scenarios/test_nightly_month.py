"""Stories: accounts walked through nights of the nightly plan, on SQLite and PostgreSQL.

Each night writes the states ``domain.ledger.replay`` computes for the date (run-day's ledger
step) and then runs ``plan_night``. Expected values come from the contract (due dates, the
schedule, the rule pack's hours), never from the code under test.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, select

from faircollect.adapters.channels.base import OutboundMessage, SendResult, SendStatus
from faircollect.adapters.db import tables as t
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.adapters.strategy_file import load_strategy
from faircollect.adapters.templates import TemplateRenderer, default_template_dir
from faircollect.domain.casework.roles import Actor, Role
from faircollect.domain.ledger.schedule import build_schedule
from faircollect.domain.money import format_yuan
from faircollect.services.casework.promises import make_promise
from faircollect.services.nightly_plan import Progress
from faircollect.services.nightly_report import compliance_report
from tests.scenarios.portfolio import (
    FIRST_DUE,
    SHANGHAI,
    actions,
    night,
    record_attempt,
    seed,
    snapshot,
    terms,
)

DPD = {n: FIRST_DUE + timedelta(days=n) for n in range(0, 130)}
"""DPD n of the first (unpaid) installment falls on FIRST_DUE + n days."""


class Recorder:
    """A channel adapter that remembers every message it was handed."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, message: OutboundMessage) -> SendResult:
        self.sent.append(message.message_id)
        return SendResult(message.message_id, SendStatus.SENT)


def local(moment: datetime) -> datetime:
    return moment.astimezone(SHANGHAI)


def outbox_rows(engine: Engine, day: date) -> dict[str, dict]:
    with engine.connect() as conn:
        rows = conn.execute(select(t.outbox).where(t.outbox.c.run_date == day))
        return {r.message_id: dict(r._mapping) for r in rows}


def test_t_minus_3_reminder_is_queued_with_the_installment_amount(db_engine: Engine) -> None:
    """Without a gateway nothing leaves the system: the reminder waits in the outbox as
    ``queued`` (never called sent)."""
    seed(db_engine, ["L1"])
    day = FIRST_DUE - timedelta(days=3)
    night(db_engine, day)
    sms = actions(db_engine, day, "L1")["sms_reminder"]
    assert sms["status"] == "queued" and sms["channel"] == "sms" and sms["stage"] == "pre_due"
    row = outbox_rows(db_engine, day)[sms["action_id"]]
    assert (row["status"], row["sent_at"]) == ("queued", None)
    assert local(sms["scheduled_at"]).time().isoformat() == "10:00:00"
    body = outbox_rows(db_engine, day)[sms["action_id"]]["body"]
    assert format_yuan(build_schedule(terms("L1"))[0].total) in body
    assert FIRST_DUE.isoformat() in body
    assert night_is_empty(db_engine, FIRST_DUE - timedelta(days=8))


def night_is_empty(engine: Engine, day: date) -> bool:
    night(engine, day)
    return actions(engine, day) == {}


def test_first_call_on_day_one_goes_to_a_call_collector(db_engine: Engine) -> None:
    seed(db_engine, ["L1"])
    night(db_engine, DPD[1])
    call = actions(db_engine, DPD[1], "L1")["first_call"]
    assert call["status"] == "planned" and call["stage"] == "early"
    assert local(call["scheduled_at"]).replace(tzinfo=None) == datetime(2026, 2, 14, 9, 30)
    assert call["assignee"] in {"C101", "C102"}  # active call collectors of the example teams
    assert call["assignee_kind"] == "collector"
    assert "first_call" not in actions(db_engine, DPD[0], "L1")


LATE_CALL = """
name: late
thresholds: {pre_due_days: 7, early_max_dpd: 30, intensive_max_dpd: 90}
segments:
  - name: early_all
    stage: early
    actions:
      - {key: late_call, channel: call, dpd: 1, at: "22:30", priority: 90}
"""


def test_a_2230_call_is_rescheduled_to_0800_next_morning(db_engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "late.yaml"
    path.write_text(LATE_CALL, encoding="utf-8")
    seed(db_engine, ["L1"])
    night(db_engine, DPD[1], strategy=load_strategy(path))
    call = actions(db_engine, DPD[1], "L1")["late_call"]
    assert call["status"] == "rescheduled"
    assert call["rules"] == "CN-TIME-1"
    assert local(call["scheduled_at"]).replace(tzinfo=None) == datetime(2026, 2, 15, 8, 0)
    assert "22:30" in call["decision"]


def test_emergency_contact_only_after_three_failed_attempts_and_never_told_the_debt(
    db_engine: Engine,
) -> None:
    seed(db_engine, ["L1", "L2"])
    for n in (1, 2, 3):  # L2's borrower did not answer three times; L1 was never tried
        record_attempt(db_engine, "L2", datetime(2026, 2, 13 + n, 10, 0, tzinfo=SHANGHAI))
    day = DPD[5]  # the relay request fires on DPD 5
    night(db_engine, day)
    assert "relay_request" not in actions(db_engine, day, "L1")
    relay = actions(db_engine, day, "L2")["relay_request"]
    assert relay["status"] == "queued" and relay["party"] == "emergency_contact"
    message = outbox_rows(db_engine, day)[relay["action_id"]]
    assert message["recipient"].startswith("139")  # the emergency contact's phone
    for word in ("逾期", "欠", "还款", "借款", "元", "编号"):
        assert word not in message["body"]


def test_two_failed_attempts_are_not_enough(db_engine: Engine) -> None:
    seed(db_engine, ["L2"])
    for n in (1, 2):
        record_attempt(db_engine, "L2", datetime(2026, 2, 13 + n, 10, 0, tzinfo=SHANGHAI))
    record_attempt(
        db_engine, "L2", datetime(2026, 2, 16, 9, 0, tzinfo=SHANGHAI), "borrower_reached"
    )
    record_attempt(db_engine, "L2", datetime(2026, 2, 17, 9, 0, tzinfo=SHANGHAI))
    night(db_engine, DPD[5])
    assert "relay_request" not in actions(db_engine, DPD[5], "L2")


def test_broken_promise_escalates_and_a_kept_one_does_not(db_engine: Engine) -> None:
    seed(db_engine, ["L1", "L2"])
    supervisor = Actor("S001", Role.SUPERVISOR)  # the loans are in no case yet
    for loan in ("L1", "L2"):
        with UnitOfWork(db_engine) as uow:
            make_promise(uow, supervisor, loan, 50_000, DPD[3], made_on=DPD[1])
    with db_engine.begin() as conn:
        conn.execute(
            insert(t.payments),
            {"payment_id": "P1", "loan_id": "L2", "paid_on": DPD[2], "amount": 50_000},
        )
    night(db_engine, DPD[2])
    assert "broken_promise_call" not in actions(db_engine, DPD[2], "L1")  # still open
    night(db_engine, DPD[3])
    with db_engine.connect() as conn:
        status = dict(conn.execute(select(t.promises.c.loan_id, t.promises.c.status)).all())
    assert status == {"L1": "broken", "L2": "kept"}
    call = actions(db_engine, DPD[3], "L1")["broken_promise_call"]
    assert call["status"] == "planned" and call["priority"] == 95
    assert "broken_promise_call" not in actions(db_engine, DPD[3], "L2")
    night(db_engine, DPD[4])
    assert actions(db_engine, DPD[4], "L1")["broken_promise_sms"]["status"] == "queued"


def test_dpd_91_goes_to_an_agency_with_placement_and_recall(db_engine: Engine) -> None:
    seed(db_engine, ["L1"])
    night(db_engine, DPD[90])
    assert "agency_placement" not in actions(db_engine, DPD[90], "L1")
    night(db_engine, DPD[91])
    placement = actions(db_engine, DPD[91], "L1")["agency_placement"]
    assert placement["stage"] == "legal"
    assert placement["assignee_kind"] == "agency" and placement["assignee"] in {"AG01", "AG02"}
    with db_engine.connect() as conn:
        row = conn.execute(select(t.loan_placements)).one()
    assert row.placed_on == DPD[91] and row.recall_on == DPD[91] + timedelta(days=90)
    assert row.agency_id == placement["assignee"]


def test_running_a_night_twice_plans_and_sends_nothing_twice(db_engine: Engine) -> None:
    seed(db_engine, ["L1", "L2", "L3"])
    recorder = Recorder()
    first = night(db_engine, DPD[1], channels={"sms": recorder})
    once = snapshot(db_engine)
    second = night(db_engine, DPD[1], channels={"sms": recorder})
    assert snapshot(db_engine) == once
    assert first.new_rows == 6 and second.new_rows == 0  # first_call + sms_day1 per loan
    assert sorted(recorder.sent) == sorted(set(recorder.sent)) and len(recorder.sent) == 3


class Crash(RuntimeError):
    pass


def crash_at(step: str, after: int = 1) -> Progress:
    """A progress callback that kills the run once ``step`` has done ``after`` units."""

    def progress(name: str, done: int, total: int) -> None:
        if name == step and done >= after:
            raise Crash(f"killed at {step} {done}/{total}")

    return progress


@pytest.mark.parametrize("step", ["gate", "assign", "send"])
def test_a_crashed_night_rerun_equals_one_clean_run(db_engine: Engine, step: str) -> None:
    loans = ["L1", "L2", "L3", "L4"]
    seed(db_engine, loans)
    for n in (1, 2, 3):
        record_attempt(db_engine, "L4", datetime(2026, 2, 13 + n, 10, 0, tzinfo=SHANGHAI))
    recorder = Recorder()
    with pytest.raises(Crash):
        night(db_engine, DPD[5], channels={"sms": recorder}, progress=crash_at(step))
    night(db_engine, DPD[5], channels={"sms": recorder})
    after_crash = snapshot(db_engine)
    assert len(recorder.sent) == len(set(recorder.sent))  # nothing delivered twice
    with db_engine.begin() as conn:  # forget the night, then run it once cleanly
        for table in (t.outbox, t.loan_placements, t.planned_actions):
            conn.execute(table.delete())
    clean = Recorder()
    night(db_engine, DPD[5], channels={"sms": clean})
    assert snapshot(db_engine) == after_crash
    assert sorted(recorder.sent) == sorted(clean.sent)


def test_the_compliance_check_catches_a_message_without_an_allowing_decision(
    db_engine: Engine,
) -> None:
    seed(db_engine, ["L1"])
    night(db_engine, DPD[1])
    report = compliance_report(db_engine, DPD[1])
    assert report.passed and report.outbox_rows == 1
    with db_engine.begin() as conn:
        conn.execute(
            insert(t.outbox),
            {
                "message_id": "forged",
                "run_date": DPD[1],
                "channel": "sms",
                "recipient": "13800000000",
                "subject": "",
                "body": "还钱",
                "queued_at": datetime(2026, 2, 14, 2, tzinfo=SHANGHAI),
                "status": "sent",
            },
        )
    tampered = compliance_report(db_engine, DPD[1])
    assert not tampered.passed and tampered.unauthorised == ["forged"]


def test_a_denied_action_sent_anyway_is_caught(db_engine: Engine, tmp_path: Path) -> None:
    seed(db_engine, ["L1"])
    templates = tmp_path / "templates"
    templates.mkdir()
    for source in default_template_dir().glob("*.j2"):
        (templates / source.name).write_text(source.read_text("utf-8"), encoding="utf-8")
    (templates / "sms_overdue_day1.j2").write_text(
        "{{ name }}，你欠钱不还，信不信我找人废了你。", encoding="utf-8"
    )
    night(db_engine, DPD[1], templates=TemplateRenderer(templates))
    sms = actions(db_engine, DPD[1], "L1")["sms_day1"]
    assert sms["status"] == "denied" and "CN-PROH-1" in sms["rules"].split(";")
    assert outbox_rows(db_engine, DPD[1]) == {}  # a flagged text is never queued
    with db_engine.begin() as conn:
        conn.execute(
            insert(t.outbox),
            {
                "message_id": sms["action_id"],
                "run_date": DPD[1],
                "channel": "sms",
                "recipient": "x",
                "subject": "",
                "body": "x",
                "queued_at": datetime(2026, 2, 14, 2, tzinfo=SHANGHAI),
                "status": "sent",
            },
        )
    assert compliance_report(db_engine, DPD[1]).unauthorised == [sms["action_id"]]


def test_a_borrower_keeps_the_collector_of_the_previous_night(db_engine: Engine) -> None:
    from faircollect.domain.assignment import Collector
    from faircollect.domain.organisation import Roster

    def collector(cid: str) -> Collector:
        return Collector(cid, "前期组", 10, frozenset({"call"}))

    seed(db_engine, ["L1"])
    night(db_engine, DPD[1], teams=Roster((collector("C102"),), ()))
    assert actions(db_engine, DPD[1], "L1")["first_call"]["assignee"] == "C102"
    both = Roster((collector("C101"), collector("C102")), ())
    night(db_engine, DPD[4], teams=both)  # C101 would win a tie; the borrower stays with C102
    assert actions(db_engine, DPD[4], "L1")["follow_up_call"]["assignee"] == "C102"
    fresh = Roster((collector("C101"), collector("C102")), ())
    seed(db_engine, ["L9"])
    night(db_engine, DPD[7], teams=fresh)
    assert actions(db_engine, DPD[7], "L9")["follow_up_call"]["assignee"] == "C101"


def test_a_state_not_recomputed_tonight_is_still_planned(db_engine: Engine) -> None:
    """run-day recomputes only loans with an event due; an older row is tonight's state."""
    from faircollect.services.nightly_plan import plan_night
    from tests.scenarios.portfolio import write_states

    seed(db_engine, ["L1"])
    write_states(db_engine, FIRST_DUE - timedelta(days=5))
    plan_night(db_engine, FIRST_DUE - timedelta(days=3))
    assert (
        actions(db_engine, FIRST_DUE - timedelta(days=3), "L1")["sms_reminder"]["status"]
        == "queued"
    )

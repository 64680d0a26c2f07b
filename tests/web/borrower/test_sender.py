"""The sender honours the portal: a complaint the borrower filed pauses a queued
collection SMS (COMP-1) and a channel they turned off stays off (DNC-1), while their own
sign-in code still goes; the compliance report does not count sign-in codes as contacts
the gate never allowed."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, select

from faircollect.adapters.channels.file import FileChannel
from faircollect.adapters.db import tables as t
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.domain.compliance.actions import Channel
from faircollect.domain.portal import Preferences
from faircollect.services.borrower_auth import request_code
from faircollect.services.borrower_portal import NewComplaint, file_complaint
from faircollect.services.nightly_report import unauthorised_outbox
from faircollect.services.outbox import send_pending
from tests.scenarios.casework_world import DAY, at
from tests.web.borrower.support import ZHANG


def queue_collection_sms(engine: Engine, action_id: str, when: datetime) -> None:
    """A collection SMS the night planned and queued for 张三 (L1)."""
    with engine.begin() as conn:
        conn.execute(
            t.planned_actions.insert().values(
                action_id=action_id,
                run_date=when.date(),
                loan_id="L1",
                borrower_id="B1",
                stage="early",
                segment="early",
                arm="champion",
                action_key="sms_overdue",
                kind="contact",
                channel="sms",
                party="borrower",
                purpose="collect",
                target=ZHANG,
                template="sms_overdue",
                priority=1,
                scheduled_at=when,
                tz="Asia/Shanghai",
                status="queued",
                allowed=True,
                decision="{}",
                rendered="您的借款已逾期，请尽快还款。",
                assignee="C102",
                assignee_kind="collector",
            )
        )
        conn.execute(
            t.outbox.insert().values(
                message_id=action_id,
                run_date=when.date(),
                channel="sms",
                recipient=ZHANG,
                subject="",
                body="您的借款已逾期，请尽快还款。",
                queued_at=when,
                status="queued",
            )
        )


def statuses(engine: Engine) -> dict[str, tuple[str, str | None]]:
    with engine.connect() as conn:
        rows = conn.execute(select(t.outbox.c.message_id, t.outbox.c.status, t.outbox.c.error))
        return {r.message_id: (r.status, r.error) for r in rows}


def test_a_complaint_pauses_a_queued_sms_but_not_the_sign_in_code(
    db_engine: Engine, world: str, tmp_path: Path
) -> None:
    queue_collection_sms(db_engine, "A-1", at(DAY, 9))
    with UnitOfWork(db_engine) as uow:
        request_code(uow, ZHANG, at(DAY, 9, 30))
        file_complaint(uow, "B1", NewComplaint("夜里打电话骂人"), at(DAY, 9, 40))
    report = send_pending(db_engine, {"sms": FileChannel(tmp_path)}, now=at(DAY, 10))
    found = statuses(db_engine)
    assert found["A-1"][0] == "failed" and "COMP-1" in (found["A-1"][1] or "")
    (code,) = [k for k in found if k.startswith("otp-")]
    assert found[code][0] == "sent"
    assert report.refused_by_gate["COMP-1"] == 1
    total, bad = unauthorised_outbox(db_engine, DAY)
    assert total == 2 and bad == []  # the code is no contact the gate had to allow


def test_a_channel_turned_off_stays_off_and_the_slots_hold(
    db_engine: Engine, world: str, tmp_path: Path
) -> None:
    queue_collection_sms(db_engine, "A-2", at(DAY, 9))
    with UnitOfWork(db_engine) as uow:
        uow.portal.set_preferences("B1", Preferences((), frozenset({Channel.SMS})), at(DAY, 8, 30))
    send_pending(db_engine, {"sms": FileChannel(tmp_path)}, now=at(DAY, 10))
    status, error = statuses(db_engine)["A-2"]
    assert status == "failed" and "DNC-1" in (error or "")

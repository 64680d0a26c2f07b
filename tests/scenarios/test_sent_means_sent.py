"""Issue 10 §1, as stories: a message is sent only when a channel accepted it; a refusal is
retried and then left failed with the reason; the gate is asked again when sending (an SMS
for 21:50 that the sender reaches at 22:05 stays unsent); only a notice letter a channel
took counts for CN-VISIT-1."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, select, update
from typer.testing import CliRunner

from faircollect.adapters.channels.base import OutboundMessage, SendResult, SendStatus
from faircollect.adapters.channels.file import FileChannel
from faircollect.adapters.db import tables as t
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.cli.app import app
from faircollect.domain.outreach import MAX_SEND_ATTEMPTS
from faircollect.services.outbox import send_pending
from tests.scenarios.portfolio import FIRST_DUE, SHANGHAI, night, seed

DAY = FIRST_DUE - timedelta(days=3)  # the T-3 reminder, scheduled for 10:00


class Refusing:
    """A gateway that refuses everything (an SMS provider that is down)."""

    def __init__(self) -> None:
        self.tries = 0

    def send(self, message: OutboundMessage) -> SendResult:
        self.tries += 1
        return SendResult(message.message_id, SendStatus.FAILED, "provider: 503 busy")


def the_message(engine: Engine) -> dict[str, object]:
    with engine.connect() as conn:
        row = conn.execute(select(t.outbox).where(t.outbox.c.channel == "sms")).one()
        action = conn.execute(
            select(t.planned_actions.c.status).where(
                t.planned_actions.c.action_id == row.message_id
            )
        ).scalar_one()
    return {**row._mapping, "action_status": action}


def test_the_night_queues_and_a_gateway_that_accepts_makes_it_sent(
    db_engine: Engine, tmp_path: Path
) -> None:
    seed(db_engine, ["L1"])
    night(db_engine, DAY)
    queued = the_message(db_engine)
    assert (queued["status"], queued["sent_at"], queued["action_status"]) == (
        "queued",
        None,
        "queued",
    )
    at = datetime(DAY.year, DAY.month, DAY.day, 10, 5, tzinfo=SHANGHAI)
    report = send_pending(db_engine, {"sms": FileChannel(tmp_path)}, now=at)
    sent = the_message(db_engine)
    assert report.sent == 1 and (sent["status"], sent["action_status"]) == ("sent", "sent")
    assert sent["sent_at"] == at  # when the gateway took it, not when it was queued
    assert (tmp_path / "sms.jsonl").read_text(encoding="utf-8").count("\n") == 1
    assert send_pending(db_engine, {"sms": FileChannel(tmp_path)}, now=at).handed == 0


def test_a_refusing_gateway_is_retried_then_the_message_is_failed_with_the_reason(
    db_engine: Engine,
) -> None:
    seed(db_engine, ["L1"])
    night(db_engine, DAY)
    gateway = Refusing()
    at = datetime(DAY.year, DAY.month, DAY.day, 11, 0, tzinfo=SHANGHAI)
    for attempt in range(1, MAX_SEND_ATTEMPTS + 1):
        send_pending(db_engine, {"sms": gateway}, now=at + timedelta(minutes=attempt))
        row = the_message(db_engine)
        assert row["attempts"] == attempt and row["error"] == "provider: 503 busy"
        assert row["status"] == ("failed" if attempt == MAX_SEND_ATTEMPTS else "queued")
    assert the_message(db_engine)["action_status"] == "failed"
    send_pending(db_engine, {"sms": gateway}, now=at + timedelta(hours=1))
    assert gateway.tries == MAX_SEND_ATTEMPTS  # a failed message is not tried again


def test_a_message_planned_for_2150_is_not_sent_at_2205(db_engine: Engine, tmp_path: Path) -> None:
    seed(db_engine, ["L1"])
    night(db_engine, DAY)
    late = datetime(DAY.year, DAY.month, DAY.day, 21, 50, tzinfo=SHANGHAI)
    with db_engine.begin() as conn:
        conn.execute(update(t.outbox).where(t.outbox.c.channel == "sms").values(queued_at=late))
    early = send_pending(db_engine, {"sms": FileChannel(tmp_path)}, now=late - timedelta(hours=1))
    assert early.handed == 0  # not due yet
    report = send_pending(
        db_engine, {"sms": FileChannel(tmp_path)}, now=late + timedelta(minutes=15)
    )
    row = the_message(db_engine)
    assert report.sent == 0 and dict(report.refused_by_gate) == {"CN-TIME-1": 1}
    assert row["status"] == "failed" and str(row["error"]).startswith(
        "gate at sending time: CN-TIME-1"
    )
    assert not (tmp_path / "sms.jsonl").exists()


def test_the_outbox_commands_list_and_send(db_engine: Engine, tmp_path: Path) -> None:
    seed(db_engine, ["L1"])
    night(db_engine, DAY)
    url = db_engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    listed = runner.invoke(
        app, ["outbox", "list", "--status", "queued", "--json", "--database-url", url]
    )
    assert listed.exit_code == 0, listed.output
    assert '"status": "queued"' in listed.output
    nothing = runner.invoke(app, ["outbox", "send", "--database-url", url])
    assert nothing.exit_code == 2 and "no gateway given" in nothing.output
    at = f"{DAY.isoformat()}T10:30:00+08:00"
    sent = runner.invoke(
        app,
        ["outbox", "send", "--to-files", f"sms={tmp_path}", "--now", at, "--database-url", url],
    )
    assert sent.exit_code == 0 and "1 sent" in sent.output, sent.output


def test_only_a_notice_letter_a_channel_took_counts_for_a_visit(db_engine: Engine) -> None:
    """CN-VISIT-1 reads sent notices: a queued letter is not a notice that went out."""
    seed(db_engine, ["L1"])
    day = date(2026, 3, 1)
    with db_engine.begin() as conn:
        for action_id, status in (("N-queued", "queued"), ("N-failed", "failed")):
            conn.execute(
                t.planned_actions.insert().values(
                    action_id=action_id,
                    run_date=day,
                    loan_id="L1",
                    borrower_id="B-L1",
                    stage="legal",
                    segment="legal",
                    arm="champion",
                    action_key="visit_notice",
                    kind="contact",
                    channel="letter",
                    party="borrower",
                    purpose="notify",
                    priority=1,
                    scheduled_at=datetime(2026, 3, 1, 9, tzinfo=SHANGHAI),
                    tz="Asia/Shanghai",
                    status=status,
                    allowed=True,
                    decision="{}",
                )
            )
    with UnitOfWork(db_engine) as uow:
        assert uow.actions.notices_sent(day + timedelta(days=5)) == {}
    with db_engine.begin() as conn:
        conn.execute(
            update(t.planned_actions)
            .where(t.planned_actions.c.action_id == "N-queued")
            .values(status="sent")
        )
    with UnitOfWork(db_engine) as uow:
        assert uow.actions.notices_sent(day + timedelta(days=5)) == {"L1": day}

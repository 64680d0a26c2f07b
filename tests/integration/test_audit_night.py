"""The night's plan is one audit entry (actor ``night``) in its own transaction, naming the
rule pack version its gate decisions were made under; a night run again adds none."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, func, select

from faircollect.adapters.channels.file import FileChannel
from faircollect.adapters.db import tables as t
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.services.audit import verify_chain
from faircollect.services.night import run_night
from faircollect.services.outbox import send_pending
from tests.scenarios.portfolio import FIRST_DUE, SHANGHAI, seed

D1 = FIRST_DUE + timedelta(days=1)


def test_a_night_is_audited_once_with_its_pack_version_and_decisions(db_engine: Engine) -> None:
    seed(db_engine, ["L1", "L2", "L3"])
    run_night(db_engine, D1)
    run_night(db_engine, D1)
    a, pa = t.audit_log, t.planned_actions
    with db_engine.connect() as conn:
        rows = conn.execute(select(a).where(a.c.action == "night.planned")).all()
        stored = conn.execute(select(pa.c.action_id, pa.c.decision)).all()
        planned = conn.execute(select(func.count()).select_from(pa)).scalar_one()
    assert len(rows) == 1
    entry = rows[0]
    assert (entry.actor, entry.action, entry.subject) == ("night", "night.planned", f"night:{D1}")
    after = json.loads(entry.after)
    assert after["pack_version"] == "cn-2026.1"
    assert after["run_date"] == D1.isoformat()
    assert after["actions"] == after["new_actions"] == planned > 0
    # The digest covers every stored action's id and gate decision, sorted by id.
    listed = sorted([r.action_id, r.decision] for r in stored)
    text = json.dumps(listed, ensure_ascii=False, separators=(",", ":"))
    assert after["decisions_sha256"] == hashlib.sha256(text.encode()).hexdigest()
    with UnitOfWork(db_engine) as uow:
        assert verify_chain(uow).checked == 2  # the seed's organisation, then the night


def test_what_the_sender_records_is_audited_with_the_gates_pack(
    db_engine: Engine, tmp_path: Path
) -> None:
    """The T-3 reminder (an SMS at 10:00) sent at 10:05 and a second send that finds
    nothing: one outbox.sent entry, with the message, its new status and the pack."""
    day = FIRST_DUE - timedelta(days=3)
    seed(db_engine, ["L1"])
    run_night(db_engine, day)
    at = datetime(day.year, day.month, day.day, 10, 5, tzinfo=SHANGHAI)
    send_pending(db_engine, {"sms": FileChannel(tmp_path)}, now=at)
    send_pending(db_engine, {"sms": FileChannel(tmp_path)}, now=at)
    a = t.audit_log
    with db_engine.connect() as conn:
        rows = conn.execute(select(a).where(a.c.action == "outbox.sent")).all()
        (message_id,) = (
            conn.execute(select(t.outbox.c.message_id).where(t.outbox.c.channel == "sms"))
            .scalars()
            .all()
        )
    (entry,) = rows
    assert (entry.actor, entry.subject) == ("sender", f"outbox:{day}")
    assert json.loads(entry.after) == {
        "pack_version": "cn-2026.1",
        "messages": [
            {
                "message_id": message_id,
                "status": "sent",
                "at": "2026-02-10T02:05:00.000000+00:00",
                "detail": f"written to {tmp_path / 'sms.jsonl'}",
            }
        ],
    }
    with UnitOfWork(db_engine) as uow:
        assert verify_chain(uow).intact

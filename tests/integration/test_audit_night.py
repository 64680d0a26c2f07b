"""The night's plan is one audit entry (actor ``night``) in its own transaction, naming the
rule pack version its gate decisions were made under; a night run again adds none."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from sqlalchemy import Engine, func, select

from faircollect.adapters.db import tables as t
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.services.audit import verify_chain
from faircollect.services.night import run_night
from tests.scenarios.portfolio import FIRST_DUE, seed

D1 = FIRST_DUE + timedelta(days=1)


def test_a_night_is_audited_once_with_its_pack_version_and_decisions(db_engine: Engine) -> None:
    seed(db_engine, ["L1", "L2", "L3"])
    run_night(db_engine, D1)
    run_night(db_engine, D1)
    a, pa = t.audit_log, t.planned_actions
    with db_engine.connect() as conn:
        rows = conn.execute(select(a)).all()
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
        assert verify_chain(uow).checked == 1

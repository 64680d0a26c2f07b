"""Guided first calls in progress on the web (``call_sessions``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from faircollect.adapters.db.tables import call_sessions


@dataclass(frozen=True, slots=True)
class StoredCall:
    call_id: str
    case_id: str
    loan_id: str
    user_id: str
    started_at: datetime
    answers: list[tuple[str, Any]]
    record_id: str | None


class CallRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, call: StoredCall) -> None:
        self.conn.execute(
            call_sessions.insert().values(
                call_id=call.call_id,
                case_id=call.case_id,
                loan_id=call.loan_id,
                user_id=call.user_id,
                started_at=call.started_at,
                answers=json.dumps(call.answers, ensure_ascii=False),
                record_id=call.record_id,
            )
        )

    def get(self, call_id: str) -> StoredCall | None:
        query = select(call_sessions).where(call_sessions.c.call_id == call_id)
        row = self.conn.execute(query).first()
        if row is None:
            return None
        answers = [(step, value) for step, value in json.loads(row.answers)]
        return StoredCall(
            row.call_id,
            row.case_id,
            row.loan_id,
            row.user_id,
            row.started_at,
            answers,
            row.record_id,
        )

    def save(self, call_id: str, answers: list[tuple[str, Any]], record_id: str | None) -> None:
        self.conn.execute(
            call_sessions.update()
            .where(call_sessions.c.call_id == call_id)
            .values(answers=json.dumps(answers, ensure_ascii=False), record_id=record_id)
        )

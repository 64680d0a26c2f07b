"""Issued letters (``letters``) and the outbox message each waits in until a channel
takes it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, select

from faircollect.adapters.db.tables import letters, outbox
from faircollect.domain.letters import IssuedLetter, LetterKind
from faircollect.domain.outreach import MessageStatus


class LetterRepository:
    """Letters of one unit of work."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(
        self,
        issued: IssuedLetter,
        pdf: bytes,
        recipient: str,
        text: str,
        decision: Mapping[str, Any],
    ) -> None:
        """Store the letter with the gate's ``decision`` and queue it in the outbox under
        its id (channel ``letter``, or ``lawyer_letter``), ``queued`` until a dispatch
        channel reports it."""
        self.conn.execute(
            letters.insert().values(
                letter_id=issued.letter_id,
                loan_id=issued.loan_id,
                kind=issued.kind.value,
                reference=issued.reference,
                as_of=issued.as_of,
                rendered_at=issued.rendered_at,
                rendered_by=issued.rendered_by,
                sha256=issued.sha256,
                pdf=pdf,
                gate_decision=json.dumps(decision, ensure_ascii=False, default=str),
            )
        )
        self.conn.execute(
            outbox.insert().values(
                message_id=issued.letter_id,
                run_date=issued.as_of,
                channel=issued.channel,
                recipient=recipient[:128],
                subject=f"{issued.reference} sha256:{issued.sha256}",
                body=text,
                queued_at=issued.rendered_at,
                status=MessageStatus.QUEUED.value,
                attempts=0,
            )
        )

    def pdf(self, letter_id: str) -> bytes | None:
        """The stored PDF of an issued letter (None: no such letter)."""
        query = select(letters.c.pdf).where(letters.c.letter_id == letter_id)
        found = self.conn.execute(query).scalar_one_or_none()
        return None if found is None else bytes(found)

    def issued(self, letter_id: str) -> tuple[IssuedLetter, bytes] | None:
        """An issued letter as stored and its PDF (None: no such letter)."""
        query = select(*_ISSUED).where(letters.c.letter_id == letter_id)
        row = self.conn.execute(query).one_or_none()
        return None if row is None else (_issued(row), bytes(row.pdf))

    def of_loan(self, loan_id: str) -> list[tuple[IssuedLetter, MessageStatus]]:
        """The loan's issued letters, newest first, each with its outbox status."""
        lt, ob = letters, outbox
        query = (
            select(*_ISSUED, ob.c.status)
            .join(ob, ob.c.message_id == lt.c.letter_id)
            .where(lt.c.loan_id == loan_id)
            .order_by(lt.c.rendered_at.desc(), lt.c.letter_id)
        )
        return [(_issued(r), MessageStatus(r.status)) for r in self.conn.execute(query)]


_ISSUED = (
    letters.c.letter_id,
    letters.c.loan_id,
    letters.c.kind,
    letters.c.reference,
    letters.c.as_of,
    letters.c.rendered_at,
    letters.c.rendered_by,
    letters.c.sha256,
    letters.c.pdf,
)
"""The columns an ``IssuedLetter`` is read from (the PDF for its size)."""


def _issued(row: Any) -> IssuedLetter:
    return IssuedLetter(
        row.letter_id,
        row.loan_id,
        LetterKind(row.kind),
        row.reference,
        row.as_of,
        row.rendered_at,
        row.rendered_by,
        row.sha256,
        len(row.pdf),
    )

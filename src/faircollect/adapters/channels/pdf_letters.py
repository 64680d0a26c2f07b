"""A print channel for letters: each queued letter (channels ``letter`` and
``lawyer_letter``) laid out as an A4 PDF in a folder a print or mail house collects from.

The night rendered, gated and screened the letter's text; this channel lays it out with
the lender's letterhead (``adapters.letter_pdf``), writes ``<folder>/<message_id>.pdf``
and appends ``{"message_id", "file", "sha256", "bytes", "to"}`` to
``<folder>/letters.jsonl``, then reports ``sent`` (the letter left faircollect for the
print house, nothing more). A message id already in the manifest is not printed twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from faircollect.adapters.channels.base import OutboundMessage, SendResult, SendStatus
from faircollect.domain.bad_input import BadInput
from faircollect.domain.lender import LenderProfile
from faircollect.domain.letters import from_message

SHANGHAI = ZoneInfo("Asia/Shanghai")
LETTER_CHANNELS = ("letter", "lawyer_letter")


def _today() -> date:
    return datetime.now(SHANGHAI).date()


class PdfLetterChannel:
    def __init__(
        self,
        folder: Path,
        lender: LenderProfile,
        today: Callable[[], date] = _today,
        stored: Callable[[str], bytes | None] | None = None,
    ) -> None:
        self.folder = folder
        self.lender = lender
        self.today = today
        self.stored = stored
        self._printed: set[str] | None = None

    @property
    def manifest(self) -> Path:
        return self.folder / "letters.jsonl"

    def _done(self) -> set[str]:
        if self._printed is None:
            self._printed = set()
            if self.manifest.exists():
                for line in self.manifest.read_text(encoding="utf-8").splitlines():
                    self._printed.add(json.loads(line)["message_id"])
        return self._printed

    def send(self, message: OutboundMessage) -> SendResult:
        from faircollect.adapters.letter_pdf import render_pdf

        if message.channel not in LETTER_CHANNELS:
            return SendResult(
                message.message_id, SendStatus.FAILED, f"print: not a letter ({message.channel})"
            )
        target = self.folder / f"{message.message_id}.pdf"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if message.message_id in self._done():
                return SendResult(message.message_id, SendStatus.SENT, f"already printed {target}")
            body = self.stored(message.message_id) if self.stored is not None else None
            if body is None:  # a letter of the night: its text, laid out now
                letter = from_message(
                    message.message_id, message.channel, message.body, self.lender, self.today()
                )
                body = render_pdf(letter)
            target.write_bytes(body)
            digest = hashlib.sha256(body).hexdigest()
            entry = {
                "message_id": message.message_id,
                "file": target.name,
                "sha256": digest,
                "bytes": len(body),
                "to": message.to,
            }
            with self.manifest.open("a", encoding="utf-8") as out:
                out.write(json.dumps(entry, ensure_ascii=False) + "\n")
            self._done().add(message.message_id)
        except (OSError, BadInput) as err:
            return SendResult(message.message_id, SendStatus.FAILED, f"print: {err}")
        return SendResult(
            message.message_id, SendStatus.SENT, f"printed to {target} (sha256 {digest})"
        )

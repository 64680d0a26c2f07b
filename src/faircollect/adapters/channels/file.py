"""A channel that hands messages to files: a stand-in for a print house or an SMS gateway's
batch upload, and the development gateway ``make run`` can use.

Each accepted message is appended as one JSON line to ``<folder>/<channel>.jsonl``; the
channel then reports ``sent`` (the message left faircollect for that file, and nothing
more: it does not claim delivery). A message id already in the file is not written twice.
"""

from __future__ import annotations

import json
from pathlib import Path

from faircollect.adapters.channels.base import OutboundMessage, SendResult, SendStatus


class FileChannel:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._seen: dict[str, set[str]] = {}

    def _written(self, path: Path) -> set[str]:
        key = str(path)
        if key not in self._seen:
            ids = set()
            if path.exists():
                for line in path.read_text(encoding="utf-8").splitlines():
                    ids.add(json.loads(line)["message_id"])
            self._seen[key] = ids
        return self._seen[key]

    def send(self, message: OutboundMessage) -> SendResult:
        path = self.folder / f"{message.channel}.jsonl"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            written = self._written(path)
            if message.message_id not in written:
                line = json.dumps(
                    {
                        "message_id": message.message_id,
                        "to": message.to,
                        "subject": message.subject,
                        "body": message.body,
                    },
                    ensure_ascii=False,
                )
                with path.open("a", encoding="utf-8") as out:
                    out.write(line + "\n")
                written.add(message.message_id)
        except OSError as err:
            return SendResult(message.message_id, SendStatus.FAILED, f"file: {err}")
        return SendResult(message.message_id, SendStatus.SENT, f"written to {path}")

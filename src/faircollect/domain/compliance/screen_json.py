"""The ``screen`` wire format: one JSON line ``{"id", "text"}`` in, one answer object out.

Pure (no I/O). ``parse_screen_line`` reads one input line as bytes (or text) and returns the
request or the ``LineError`` that is the line's answer, never raising (see
``domain.json_line``): the stream answers every line, the web API reuses the same reading.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from faircollect.domain.json_line import (
    LINE,
    MAX_LINE_BYTES,
    LineError,
    LineProblem,
    Oversized,
    decode_json_line,
    json_id,
)


@dataclass(frozen=True, slots=True)
class ScreenRequest:
    """A message to screen and the caller's id for it."""

    id: str | int
    text: str


def parse_screen_line(
    raw: bytes | str | Oversized, number: int, max_bytes: int = MAX_LINE_BYTES
) -> ScreenRequest | LineError:
    """One input line to its request, or the error answering it (line ``number``, field)."""
    data: object = None
    try:
        data = decode_json_line(raw, max_bytes)
        return _request(data)
    except LineProblem as problem:
        return LineError(number, problem.field, problem.message, json_id(data))


def _request(data: object) -> ScreenRequest:
    if not isinstance(data, dict):
        raise LineProblem(LINE, "expected a JSON object")
    if "id" not in data:
        raise LineProblem("id", "missing")
    ident = data["id"]
    if isinstance(ident, bool) or not isinstance(ident, str | int):
        raise LineProblem("id", "must be a string or an integer")
    if isinstance(ident, int) and abs(ident) >= 2**63:
        raise LineProblem("id", "must fit in 64 bits")
    text = data.get("text")
    if not isinstance(text, str):
        raise LineProblem("text", "missing" if "text" not in data else "must be a string")
    return ScreenRequest(ident, text)


def error_answer(error: LineError) -> dict[str, Any]:
    """The answer for a line that cannot be screened: no labels, and where and why."""
    return {"id": error.id, "labels": [], "findings": [], "error": error.as_json()}


def error_text(error: LineError) -> str:
    """The same error as a line for stderr: ``stdin line 3: field 'text': missing``."""
    where = "" if error.field == LINE else f"field '{error.field}': "
    return f"stdin line {error.line}: {where}{error.message}"

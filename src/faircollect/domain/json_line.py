"""One line of a JSON Lines stream, decoded safely: any bad line is a ``LineProblem``.

The streams (``check-action``, ``screen``, and the web API after them) answer every input
line, so reading a line must never raise anything but ``LineProblem``, whatever the bytes:
invalid UTF-8 or a GBK line, a lone surrogate escape ("\\ud800", which no output can
encode), a 5,000-digit number, 100,000 nested brackets, a line longer than the limit.
Each becomes a problem naming the field ("(line)" for the line as a whole) and what is
wrong; the caller turns it into that line's error object and goes on.

Pure (no I/O). A line too long to hold is never read into memory: the reader
(``adapters.line_stream``) hands over an ``Oversized`` marker instead.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import orjson

from faircollect.domain.bad_input import BadInput

MAX_LINE_BYTES = 64 * 1024
"""The default longest line, in bytes: one contact or one message, with room to spare."""
MAX_INT_DIGITS = 100
"""Integers with more digits are refused: no field needs them, and converting a 5,000-digit
one costs time (Python refuses beyond 4,300 digits anyway)."""
LINE = "(line)"
"""The field name of a problem with the line as a whole."""

LONG_DIGIT_RUN = re.compile(r"\d{19}")
"""Where an integer may not fit in 64 bits: orjson would read it as a float, json as an int."""
_LONG_DIGITS_BYTES = re.compile(rb"[0-9]{19}")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
_ESCAPED_SURROGATE_BYTES = re.compile(rb"\\u[dD][89a-fA-F]")
"""A \\uD800-\\uDFFF escape: half of a pair, or a lone surrogate (which orjson accepts
when it is a low one)."""


class LineProblem(BadInput):
    """A line (or a field of it) that cannot be read; ``field`` is a dotted path or LINE."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True, slots=True)
class Oversized:
    """Stands for a line longer than the limit, which was skipped rather than held."""

    size: int
    """Its length in bytes (without the newline)."""


@dataclass(frozen=True, slots=True)
class LineError:
    """What a stream answers for a line it cannot use: where and why, and the line's ``id``
    when it could be read (so the caller can match the answer to its request)."""

    line: int
    field: str
    message: str
    id: str | int | None = None

    def as_json(self) -> dict[str, Any]:
        """The ``error`` member of the line's output object."""
        return {"line": self.line, "field": self.field, "message": self.message}


def too_long(size: int, max_bytes: int) -> LineProblem:
    return LineProblem(
        LINE,
        f"the line is {size:,} bytes, longer than the limit of {max_bytes:,} (--max-line-bytes)",
    )


def line_text(raw: bytes | str | Oversized, max_bytes: int = MAX_LINE_BYTES) -> str:
    """The line as text without its line end; ``LineProblem`` if oversized, not UTF-8 or blank."""
    if isinstance(raw, Oversized):
        raise too_long(raw.size, max_bytes)
    if isinstance(raw, bytes):
        data = raw.rstrip(b"\r\n")
        if len(data) > max_bytes:
            raise too_long(len(data), max_bytes)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            byte = data[error.start]
            raise LineProblem(
                LINE,
                f"not UTF-8 text (byte 0x{byte:02X} at byte {error.start + 1}); "
                "JSON Lines are UTF-8",
            ) from None
    else:
        text = raw.rstrip("\r\n")
        if len(text) > max_bytes // 4 and len(text.encode("utf-8", "surrogatepass")) > max_bytes:
            raise too_long(len(text.encode("utf-8", "surrogatepass")), max_bytes)
        if not text.isascii() and _SURROGATE.search(text):
            raise LineProblem(LINE, "holds a lone surrogate, which is not text")
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise LineProblem(LINE, "empty line; expected a JSON object")
    return text


def parse_json_text(line: str) -> object:
    """Decode one JSON text exactly as ``json.loads`` does, several times faster.

    orjson reads the common line; a line with a 19+ digit run goes to the standard library
    (orjson turns huge integers into floats), and so does any line orjson refuses, which the
    standard library then either accepts (NaN, lone surrogate escapes) or refuses with the
    error message the contract reports (``json.JSONDecodeError``). What neither can read
    safely (nesting too deep for Python's stack, an integer of more than ``MAX_INT_DIGITS``
    digits) is a ``LineProblem``.
    """
    if not LONG_DIGIT_RUN.search(line):
        try:
            return orjson.loads(line)
        except orjson.JSONDecodeError:
            pass
    try:
        return json.loads(line, parse_int=_bounded_int)
    except RecursionError:
        raise LineProblem(LINE, "not valid JSON: nested too deeply") from None


def _bounded_int(text: str) -> int:
    digits = len(text) - text.startswith("-")
    if digits > MAX_INT_DIGITS:
        raise LineProblem(LINE, f"a number has {digits:,} digits (at most {MAX_INT_DIGITS})")
    return int(text)


def decode_json_line(raw: bytes | str | Oversized, max_bytes: int = MAX_LINE_BYTES) -> object:
    """The JSON value of one line, or ``LineProblem`` (see the module docstring).

    The common line is one call: orjson reads the bytes as they came (checking UTF-8 and
    refusing lone surrogates itself). Anything orjson will not take goes the careful way
    (``_careful``), which either reads it as ``json.loads`` would or says what is wrong.
    """
    if isinstance(raw, Oversized):
        raise too_long(raw.size, max_bytes)
    data = raw.rstrip(b"\r\n") if isinstance(raw, bytes) else raw.rstrip("\r\n")
    if len(data) > max_bytes // 4 and _size(data) > max_bytes:
        raise too_long(_size(data), max_bytes)
    long_digits = (
        _LONG_DIGITS_BYTES.search(data) if isinstance(data, bytes) else LONG_DIGIT_RUN.search(data)
    )
    if not long_digits:
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
        else:
            escaped = (
                _ESCAPED_SURROGATE_BYTES.search(data)
                if isinstance(data, bytes)
                else _ESCAPED_SURROGATE.search(data)
            )
            if escaped:
                _refuse_lone_surrogates(value)
            return value
    return _careful(data, max_bytes)


def _size(data: bytes | str) -> int:
    return len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))


def _careful(data: bytes | str, max_bytes: int) -> object:
    """The standard library's reading, with every failure a ``LineProblem``. Strings holding
    a lone surrogate (which only this path can produce) are refused, naming the field, so
    that no answer fails to encode later."""
    text = line_text(data, max_bytes)
    try:
        value = parse_json_text(text)
    except json.JSONDecodeError as error:
        raise LineProblem(LINE, f"not valid JSON: {error.msg}") from None
    if _ESCAPED_SURROGATE.search(text):
        _refuse_lone_surrogates(value)
    return value


def _refuse_lone_surrogates(value: object) -> None:
    where = _surrogate_path(value)
    if where is not None:
        raise LineProblem(
            where or LINE, "holds a lone surrogate escape (\\ud800-\\udfff), which is not text"
        )


def _surrogate_path(value: object) -> str | None:
    """The path of the first string (key or value) with a lone surrogate, or None."""
    stack: list[tuple[str, object]] = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return path
        elif isinstance(item, dict):
            for key, member in item.items():
                inner = f"{path}.{key}" if path else str(key)
                if _SURROGATE.search(key):
                    return path or LINE
                stack.append((inner, member))
        elif isinstance(item, list):
            stack.extend((f"{path}[{index}]", member) for index, member in enumerate(item))
    return None


_LINE_BREAKS = (
    (b"\xc2\x85", b"\\u0085"),
    (b"\xe2\x80\xa8", b"\\u2028"),
    (b"\xe2\x80\xa9", b"\\u2029"),
)


def one_line(encoded: bytes) -> bytes:
    """A UTF-8 JSON answer with NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR escaped.

    JSON allows them raw inside strings, but many line readers (Python's ``splitlines``
    among them) break a line there, and an answer must stay one line. Outside strings JSON
    is ASCII, so escaping every occurrence keeps the same value.
    """
    if b"\xc2\x85" in encoded or b"\xe2\x80" in encoded:
        for raw, escaped in _LINE_BREAKS:
            encoded = encoded.replace(raw, escaped)
    return encoded


def json_id(value: object) -> str | int | None:
    """The ``id`` member of a decoded line when it is a usable id (to label an error answer)."""
    if not isinstance(value, dict):
        return None
    found = value.get("id")
    if isinstance(found, bool) or not isinstance(found, str | int):
        return None
    if isinstance(found, int) and abs(found) >= 2**63:
        return None
    if isinstance(found, str) and (len(found) > 256 or _SURROGATE.search(found)):
        return None
    return found

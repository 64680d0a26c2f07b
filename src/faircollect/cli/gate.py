"""CLI command ``check-action``: JSON Lines of proposed contacts in, one decision per line out.

Contract: exactly one JSON object per input line, in input order, whatever the line holds.
A line that cannot be read (bad JSON, a missing or wrong field, a blank line, bytes that are
not UTF-8, a lone surrogate escape, a time outside 1970-2199, a huge number, deep nesting, a
line longer than ``--max-line-bytes``) still gets its own object, with ``"allowed": false``
(so a careless consumer never contacts on it) and ``"error": {"line", "field", "message"}``;
the other lines are decided normally, and the command exits 1 at the end if any line was
bad. Memory is bounded by the longest line allowed. A bad ``--rules`` file exits 2 before
reading.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import orjson
import typer

from faircollect.cli.rules import RULES_OPTION, effective_pack
from faircollect.domain.json_line import LINE, LineError, Oversized, one_line
from faircollect.domain.json_line import parse_json_text as parse_line

if TYPE_CHECKING:
    from faircollect.domain.compliance.gate import Gate

DEFAULT_MAX_LINE_BYTES = 256 * 1024
"""A contact with a month of history is a few kilobytes; a quarter megabyte is generous."""

__all__ = ["check_action", "decide_line", "format_line", "parse_line", "register"]


def format_line(result: dict[str, Any]) -> str:
    """One output line: compact UTF-8 JSON (Chinese as is), newline-terminated."""
    return orjson.dumps(result, option=orjson.OPT_APPEND_NEWLINE).decode()


def decide_line(
    gate: Gate,
    line: str | bytes | Oversized,
    number: int,
    max_bytes: int = DEFAULT_MAX_LINE_BYTES,
) -> tuple[dict[str, Any], bool]:
    """The output object for one input line and whether the line was readable.

    Never raises: an unreadable line is its error object, and so is a line the gate fails
    on (a bug, reported on that line rather than ending the stream).
    """
    from faircollect.domain.compliance.action_json import (
        decision_to_json,
        line_error_to_json,
        parse_action_line,
    )

    action = parse_action_line(line, number, max_bytes)
    if isinstance(action, LineError):
        return line_error_to_json(action), False
    try:
        return decision_to_json(gate.decide(action)), True
    except Exception as error:  # the stream must answer every line, even on a gate bug
        failure = LineError(number, LINE, f"internal error deciding this line: {error!r:.200}")
        return line_error_to_json(failure, action.id), False


def _encode(result: dict[str, Any], number: int) -> bytes:
    """The output line's bytes; an object that cannot be encoded becomes an error object."""
    try:
        return one_line(orjson.dumps(result, option=orjson.OPT_APPEND_NEWLINE))
    except (TypeError, orjson.JSONEncodeError):
        from faircollect.domain.compliance.action_json import line_error_to_json

        failure = LineError(number, LINE, "the answer could not be encoded as JSON")
        return orjson.dumps(line_error_to_json(failure), option=orjson.OPT_APPEND_NEWLINE)


def check_action(
    rules_file: Path | None = RULES_OPTION,
    max_line_bytes: int = typer.Option(
        DEFAULT_MAX_LINE_BYTES, "--max-line-bytes", min=1, help="Longer lines are errors."
    ),
) -> None:
    """Decide proposed contacts: JSON Lines on stdin, one decision per line on stdout."""
    from faircollect.adapters.line_stream import bounded_lines
    from faircollect.domain.compliance.gate import Gate
    from faircollect.domain.compliance.screener import screen

    pack = effective_pack(rules_file)
    gate = Gate(pack, screen)
    bad_lines = 0
    source, out = _binary(sys.stdin), _binary(sys.stdout)
    for number, raw in enumerate(bounded_lines(source, max_line_bytes), start=1):
        result, ok = decide_line(gate, raw, number, max_line_bytes)
        bad_lines += not ok
        out.write(_encode(result, number))
        out.flush()  # a caller may drive us line by line as a coprocess
    if bad_lines:
        typer.echo(
            f"error: {bad_lines} line(s) could not be read; see their error objects", err=True
        )
        raise typer.Exit(1)


def _binary(stream: Any) -> BinaryIO:
    """The byte stream under a text stream: JSON Lines are UTF-8 whatever the locale says."""
    buffer: BinaryIO = getattr(stream, "buffer", stream)
    return buffer


def register(app: typer.Typer) -> None:
    """Attach this feature's commands to the root app."""
    app.command("check-action")(check_action)

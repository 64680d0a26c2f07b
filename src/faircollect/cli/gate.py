"""CLI command ``check-action``: JSON Lines of proposed contacts in, one decision per line out.

Contract: exactly one JSON object per input line, in input order. A line that cannot be read
(bad JSON, a missing or wrong field, a blank line) still gets its own object, with
``"allowed": false`` (so a careless consumer never contacts on it) and
``"error": {"line", "field", "message"}``; the other lines are decided normally, and the
command exits 1 at the end if any line was bad. A bad ``--rules`` file exits 2 before reading.
"""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import orjson
import typer

from faircollect.cli.rules import RULES_OPTION, effective_pack

if TYPE_CHECKING:
    from faircollect.domain.compliance.gate import Gate


LONG_DIGIT_RUN = re.compile(r"\d{19}")
"""Where an integer may not fit in 64 bits: orjson would read it as a float, json as an int."""


def parse_line(line: str) -> object:
    """Decode one JSON line exactly as ``json.loads`` does, several times faster.

    orjson reads the common line; a line with a 19+ digit run goes to the standard library
    (orjson turns huge integers into floats), and so does any line orjson refuses, which the
    standard library then either accepts (NaN, lone surrogate escapes) or refuses with the
    error message the contract reports."""
    if LONG_DIGIT_RUN.search(line):
        return json.loads(line)
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return json.loads(line)


def format_line(result: dict[str, Any]) -> str:
    """One output line: compact UTF-8 JSON (Chinese as is), newline-terminated."""
    return orjson.dumps(result, option=orjson.OPT_APPEND_NEWLINE).decode()


def decide_line(gate: Gate, line: str, number: int) -> tuple[dict[str, Any], bool]:
    """The output object for one input line and whether the line was readable."""
    from faircollect.domain.compliance.action_json import (
        ActionInputError,
        action_from_json,
        decision_to_json,
        error_to_json,
    )

    data: object = None
    try:
        if not line.strip():
            raise ActionInputError("(line)", "empty line; expected a JSON object")
        try:
            data = parse_line(line)
        except json.JSONDecodeError as error:
            raise ActionInputError("(line)", f"not valid JSON: {error.msg}") from None
        action = action_from_json(data)
    except ActionInputError as error:
        action_id = data.get("id") if isinstance(data, dict) else None
        return error_to_json(number, action_id, error), False
    return decision_to_json(gate.decide(action)), True


def _utf8(stream: TextIO) -> TextIO:
    """JSON Lines are UTF-8 whatever the locale says (when the stream can be reconfigured)."""
    if isinstance(stream, io.TextIOWrapper) and stream.encoding.lower() != "utf-8":
        stream.reconfigure(encoding="utf-8")
    return stream


def check_action(rules_file: Path | None = RULES_OPTION) -> None:
    """Decide proposed contacts: JSON Lines on stdin, one decision per line on stdout."""
    from faircollect.domain.compliance.gate import Gate

    pack = effective_pack(rules_file)
    from faircollect.domain.compliance.screener import screen

    gate = Gate(pack, screen)
    bad_lines = 0
    source, out = _utf8(sys.stdin), _utf8(sys.stdout)
    for number, raw in enumerate(source, start=1):
        result, ok = decide_line(gate, raw.rstrip("\r\n"), number)
        bad_lines += not ok
        out.write(format_line(result))
        out.flush()  # a caller may drive us line by line as a coprocess
    if bad_lines:
        typer.echo(
            f"error: {bad_lines} line(s) could not be read; see their error objects", err=True
        )
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Attach this feature's commands to the root app."""
    app.command("check-action")(check_action)

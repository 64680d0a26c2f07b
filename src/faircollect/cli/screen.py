"""CLI commands: ``screen`` (JSON Lines in, findings out) and ``check-message`` (for borrowers).

Bad input policy for ``screen``: every line is checked before anything is written. If any line
is not a JSON object with an ``id`` (string or integer) and a string ``text``, each bad line is
reported on stderr as ``stdin line N: field 'F': problem``, nothing is written to stdout, and
the exit code is 2. Blank lines are skipped (they still count in line numbers).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable

import typer

BAD_INPUT_EXIT = 2
VIOLATION_EXIT = 1
"""check-message: the message breaks a rule (a script can act on it)."""


def _parse_line(number: int, line: str) -> tuple[dict[str, object] | None, str | None]:
    """The record on one input line, or the error naming its line and field."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        return None, f"stdin line {number}: not valid JSON ({error.msg})"
    if not isinstance(record, dict):
        return None, f"stdin line {number}: expected a JSON object"
    if "id" not in record:
        return None, f"stdin line {number}: field 'id': missing"
    if not isinstance(record["id"], str | int) or isinstance(record["id"], bool):
        return None, f"stdin line {number}: field 'id': must be a string or an integer"
    if not isinstance(record.get("text"), str):
        problem = "missing" if "text" not in record else "must be a string"
        return None, f"stdin line {number}: field 'text': {problem}"
    return record, None


def read_records(lines: Iterable[str]) -> tuple[list[dict[str, object]], list[str]]:
    """All records and all errors of a JSON Lines input (see the module docstring)."""
    records: list[dict[str, object]] = []
    errors: list[str] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        record, error = _parse_line(number, line)
        if error is not None:
            errors.append(error)
        elif record is not None:
            records.append(record)
    return records, errors


def screen_command() -> None:
    """Screen collection messages: JSON Lines {"id", "text"} on stdin, one result per line."""
    from faircollect.domain.compliance.screener import screen

    records, errors = read_records(sys.stdin)
    if errors:
        for error in errors:
            typer.echo(error, err=True)
        raise typer.Exit(BAD_INPUT_EXIT)
    for record in records:
        findings = screen(str(record["text"]))
        labels = list(dict.fromkeys(finding.label.value for finding in findings))
        out = {
            "id": record["id"],
            "labels": labels,
            "findings": [
                {
                    "label": f.label.value,
                    "rule": f.rule,
                    "start": f.start,
                    "end": f.end,
                    "evidence": f.evidence,
                    "source": f.source.value,
                    "probability": f.probability,
                }
                for f in findings
            ],
        }
        typer.echo(json.dumps(out, ensure_ascii=False))


def check_message_command(
    text: str | None = typer.Argument(None, help="消息内容；省略时从标准输入读取。"),
    as_json: bool = typer.Option(False, "--json", help="JSON output (for programs)."),
) -> None:
    """检查一条催收消息是否违法，并告诉你可以怎么做（plain Chinese, for borrowers).

    Exit 0 when the message looks lawful, 1 when it breaks a rule, 2 for no message."""
    from faircollect.domain.compliance.explain import render_zh
    from faircollect.services.compliance import check_message, explanation_of

    message = text if text is not None else sys.stdin.read()
    if not message.strip():
        typer.echo("请提供要检查的消息内容（作为参数，或从标准输入输入）。", err=True)
        raise typer.Exit(BAD_INPUT_EXIT)
    if as_json:
        verdict = check_message(message)
        typer.echo(json.dumps(verdict, ensure_ascii=False, indent=2))
        lawful = bool(verdict["lawful"])
    else:
        explanation = explanation_of(message)
        typer.echo(render_zh(explanation))
        lawful = explanation.lawful
    if not lawful:
        raise typer.Exit(VIOLATION_EXIT)


def register(app: typer.Typer) -> None:
    """Attach this feature's commands to the root app."""
    app.command("screen")(screen_command)
    app.command("check-message")(check_message_command)

"""CLI commands: ``screen`` (JSON Lines in, findings out) and ``check-message`` (for borrowers).

``screen`` is a stream: exactly one JSON object per input line, in input order, written as
soon as the line is screened (lines already waiting are screened together, up to 256 at a
time: the learned model scores a batch far faster than its lines one by one; a line whose
writer waits for its answer is answered at once), so memory is bounded by the longest line allowed
(``--max-line-bytes``, 64 KiB by default: a message longer than that is that line's error,
not a 600 MB screening). A line that cannot be screened (not a JSON object with an ``id``,
string or integer, and a string ``text``; a blank line; bytes that are not UTF-8; a lone
surrogate escape; a line too long) is answered with ``{"id", "labels": [], "findings": [],
"error": {"line", "field", "message"}}`` and the stream goes on. At the end every bad line
is also listed on stderr as ``stdin line N: field 'F': problem`` and the exit code is 2.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import typer

from faircollect.domain.json_line import MAX_LINE_BYTES, one_line

BAD_INPUT_EXIT = 2
_TOO_LONG = f"消息太长（超过 {MAX_LINE_BYTES:,} 字节）。longer than {MAX_LINE_BYTES:,} bytes"
SHOWN_ERRORS = 50
"""Bad lines listed on stderr (all are counted; each has its error object on stdout)."""
VIOLATION_EXIT = 1
"""check-message: the message breaks a rule (a script can act on it)."""
_ENCODER = json.JSONEncoder(ensure_ascii=False)
"""``json.dumps(answer, ensure_ascii=False)`` without building an encoder per line."""


def screen_command(
    max_line_bytes: int = typer.Option(
        MAX_LINE_BYTES, "--max-line-bytes", min=1, help="Longer lines (messages) are errors."
    ),
) -> None:
    """Screen collection messages: JSON Lines {"id", "text"} on stdin, one result per line."""
    from faircollect.adapters.line_stream import batched_lines
    from faircollect.domain.compliance.screen_json import error_text, parse_screen_line

    source = getattr(sys.stdin, "buffer", sys.stdin)
    out = getattr(sys.stdout, "buffer", sys.stdout)
    errors: list[str] = []
    bad = 0
    number = 0
    for batch in batched_lines(source, max_line_bytes):
        requests = []
        for raw in batch:
            number += 1
            requests.append(parse_screen_line(raw, number, max_line_bytes))
        answers = _screened_batch(requests, number - len(batch) + 1)
        for _, failed in answers:
            if failed is not None:
                bad += 1
                if len(errors) < SHOWN_ERRORS:
                    errors.append(error_text(failed))
        out.write(
            b"".join(
                one_line(_ENCODER.encode(answer).encode("utf-8")) + b"\n" for answer, _ in answers
            )
        )
        out.flush()
    if bad:
        for error in errors:
            typer.echo(error, err=True)
        more = f" ({bad - len(errors)} more not listed)" if bad > len(errors) else ""
        typer.echo(f"error: {bad} line(s) could not be screened{more}", err=True)
        raise typer.Exit(BAD_INPUT_EXIT)


def _error_answer(error: Any) -> dict[str, Any]:
    from faircollect.domain.compliance.screen_json import error_answer

    return error_answer(error)


def _screened_batch(requests: list[Any], first: int) -> list[tuple[dict[str, Any], Any]]:
    """The answer for each request of a batch (lines ``first``, ``first + 1``, ...): the
    screener scores the batch's messages together; a line that could not be read is its
    error, and if screening the batch fails each message is screened alone, so a screener
    bug costs only the line it happens on (the stream answers every line)."""
    from faircollect.domain.compliance.screener import default_screener
    from faircollect.domain.json_line import LineError

    texts = [r.text for r in requests if not isinstance(r, LineError)]
    try:
        screened = iter(default_screener().screen_many(texts))
    except Exception:
        screened = None
    answers = []
    for number, request in enumerate(requests, start=first):
        if isinstance(request, LineError):
            answers.append((_error_answer(request), request))
        elif screened is None:
            answers.append(_screened(request.id, request.text, number))
        else:
            answers.append((_answer(request.id, next(screened)), None))
    return answers


def _screened(ident: str | int, text: str, number: int) -> tuple[dict[str, Any], Any]:
    """The answer for one message, or that line's error if the screener fails on it."""
    from faircollect.domain.compliance.screener import screen
    from faircollect.domain.json_line import LINE, LineError

    try:
        findings = screen(text)
    except Exception as error:
        message = f"internal error screening this line: {error!r:.200}"
        failure = LineError(number, LINE, message, ident)
        return _error_answer(failure), failure
    return _answer(ident, findings), None


def _answer(ident: str | int, findings: Any) -> dict[str, Any]:
    """The output object of one screened line. Labels and sources are string enums: JSON
    writes a member as its value, so the members go in as they are (no ``.value`` lookup
    per finding)."""
    return {
        "id": ident,
        "labels": list(dict.fromkeys(finding.label for finding in findings)),
        "findings": [
            {
                "label": f.label,
                "rule": f.rule,
                "start": f.start,
                "end": f.end,
                "evidence": f.evidence,
                "source": f.source,
                "probability": f.probability,
            }
            for f in findings
        ],
    }


def check_message_command(
    text: str | None = typer.Argument(None, help="消息内容；省略时从标准输入读取。"),
    as_json: bool = typer.Option(False, "--json", help="JSON output (for programs)."),
) -> None:
    """检查一条催收消息是否违法，并告诉你可以怎么做（plain Chinese, for borrowers).

    Exit 0 when the message looks lawful, 1 when it breaks a rule, 2 for no message."""
    from faircollect.domain.compliance.explain import render_zh
    from faircollect.services.compliance import check_message, explanation_of

    message = text if text is not None else _read_message()
    if not message.strip():
        typer.echo("请提供要检查的消息内容（作为参数，或从标准输入输入）。", err=True)
        raise typer.Exit(BAD_INPUT_EXIT)
    if len(message.encode("utf-8", "surrogatepass")) > MAX_LINE_BYTES:
        _refuse(_TOO_LONG)
    if any("\ud800" <= ch <= "\udfff" for ch in message):
        _refuse("消息不是 UTF-8 文本。the message is not UTF-8 text")
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


def _read_message() -> str:
    """A message from stdin: UTF-8, at most ``MAX_LINE_BYTES`` (more is refused, not read)."""
    source = getattr(sys.stdin, "buffer", None)
    if source is None:
        return sys.stdin.read(MAX_LINE_BYTES + 1)
    data = source.read(MAX_LINE_BYTES + 1)
    if len(data) > MAX_LINE_BYTES:
        _refuse(_TOO_LONG)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        byte = error.start + 1
        _refuse(f"消息不是 UTF-8 文本（第 {byte} 个字节）。not UTF-8 text at byte {byte}")


def _refuse(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(BAD_INPUT_EXIT)


def register(app: typer.Typer) -> None:
    """Attach this feature's commands to the root app."""
    app.command("screen")(screen_command)
    app.command("check-message")(check_message_command)

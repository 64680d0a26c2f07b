"""Issue 11, sections 1 and 9: one bad line never ends a stream.

``check-action`` and ``screen`` answer every input line with exactly one output line, in
order: a line that cannot be read gets its error object (line, field, message) and the next
line is decided as usual. Memory is bounded by the line limit (``--max-line-bytes``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from tests.integration.bad_input.front_door import run

OK_ACTION = {
    "id": "ok",
    "channel": "call",
    "party": "borrower",
    "purpose": "collect",
    "at": "2026-11-28T10:00:00+08:00",
    "phone": "13800000000",
    "recorded": True,
}
OK_LINE = json.dumps(OK_ACTION).encode()
OK_DECISION = {"id": "ok", "allowed": True, "violations": [], "next_allowed_at": None}


def case(name: str, bad: bytes, field: str, words: str) -> Any:
    """One row of a table: the bad line, the field its error names, words of the message."""
    return pytest.param(bad, field, words, id=name)


def action(**changes: Any) -> bytes:
    return json.dumps({**OK_ACTION, "id": "bad", **changes}, ensure_ascii=False).encode()


def raw_action(fragment: str) -> bytes:
    """An action whose JSON text contains ``fragment`` verbatim (escapes stay escapes)."""
    return (
        f'{{"channel": "call", "party": "borrower", "at": "2026-11-28T10:00:00+08:00", {fragment}}}'
    ).encode()


# (bad line, field named in its error, words of the message)
BAD_ACTION_LINES = [
    case("invalid-byte", b"b\xff", "(line)", "not UTF-8"),
    case("gbk-line", "张三,李四".encode("gbk"), "(line)", "not UTF-8"),
    case("gbk-json", action(text="请还款").decode().encode("gb18030"), "(line)", "not UTF-8"),
    case("utf8-encoded-surrogate", b"\xed\xa0\x80", "(line)", "not UTF-8"),
    case("surrogate-id", raw_action('"id": "\\ud800"'), "id", "lone surrogate"),
    case("low-surrogate-id", raw_action('"id": "\\udc00"'), "id", "lone surrogate"),
    case("low-surrogate-phone", raw_action('"id": "x", "phone": "\\uDFFF"'), "phone", "lone"),
    case("surrogate-text", raw_action('"id": "x", "text": "a\\udc00b"'), "text", "lone surrogate"),
    case("surrogate-key", raw_action('"id": "x", "\\ud83d": 1'), "(line)", "lone surrogate"),
    case("year-9999", action(at="9999-12-31T23:59:59+00:00"), "at", "outside the years"),
    case("year-1", action(at="0001-01-01T00:00:00+08:00"), "at", "outside the years"),
    case("year-1969", action(at="1969-12-31T23:59:59+00:00"), "at", "outside the years"),
    case(
        "history-year-9999",
        action(history=[{"at": "9999-12-31T23:00:00-12:00", "channel": "call"}]),
        "history[0].at",
        "outside the years",
    ),
    case(
        "notice-year-9999",
        action(channel="visit", visit={"notice_sent_on": "9999-12-31"}),
        "visit.notice_sent_on",
        "outside the years",
    ),
    case("5000-digit-int", b'{"id": ' + b"9" * 5000 + b"}", "(line)", "digits"),
    case(
        "5000-digit-staff",
        raw_action('"id": "x", "visit": {"staff": ' + "9" * 5000 + "}"),
        "(line)",
        "digits",
    ),
    case("5000-digit-float", b'{"id": "x", "n": 1.' + b"0" * 5000 + b"}", "n", "unknown field"),
    case("100k-brackets", b"[" * 100_000, "(line)", "nested too deeply"),
    case("20k-objects", b'{"a":' * 20_000, "(line)", "nested too deeply"),
    case("1500-balanced", b"[" * 1500 + b"]" * 1500, "(line)", "nested too deeply"),
    case("empty", b"", "(line)", "empty line"),
    case("blank", b"   \t ", "(line)", "empty line"),
    case("nul", b"\x00", "(line)", "not valid JSON"),
    case("null", b"null", "(line)", "expected an object"),
    case("list", b"[]", "(line)", "expected an object"),
    case("string", b'"text"', "(line)", "expected an object"),
    case("broken-json", b"{not json", "(line)", "not valid JSON"),
    case("two-objects", b'{"id": "x"} {"id": "y"}', "(line)", "not valid JSON"),
    case("float-id", action(id=1.5), "id", "expected a string"),
    case("bool-id", action(id=True), "id", "expected a string"),
    case("blank-id", action(id=" "), "id", "must not be empty"),
    case("naive-time", action(at="2026-11-28T10:00:00"), "at", "no UTC offset"),
    case("bad-time", action(at="28/11/2026 10:00"), "at", "not an ISO 8601"),
    case("bad-channel", action(channel="fax"), "channel", "not one of"),
    case("misspelt-field", action(recoded=True), "recoded", "unknown field"),
    case("phone-without-digits", action(phone="abc"), "phone", "no digits"),
    case("huge-zone", action(borrower={"tz": "A" * 5000}), "borrower.tz", "unknown time zone"),
    case(
        "path-zone",
        action(borrower={"tz": "../../../../etc/passwd"}),
        "borrower.tz",
        "unknown time zone",
    ),
    case(
        "nul-zone", action(borrower={"tz": "Asia/Shang\x00hai"}), "borrower.tz", "unknown time zone"
    ),
    case(
        "nan-staff", raw_action('"id": "x", "visit": {"staff": NaN}'), "visit.staff", "whole number"
    ),
    case(
        "inf-staff",
        raw_action('"id": "x", "visit": {"staff": -1e400}'),
        "visit.staff",
        "whole number",
    ),
    case(
        "bad-slot",
        action(borrower={"consented_slots": [["25:00", "08:00"]]}),
        "borrower.consented_slots[0][0]",
        "HH:MM",
    ),
    case("300k-line", action(text="x" * 300_000), "(line)", "longer than the limit"),
]


@pytest.mark.parametrize(("bad", "field", "words"), BAD_ACTION_LINES)
def test_check_action_answers_a_bad_line_and_decides_the_next(
    bad: bytes, field: str, words: str
) -> None:
    out = run("check-action", stdin=bad + b"\n" + OK_LINE + b"\n")
    assert out.code == 1
    first, second = [json.loads(line) for line in out.stdout.splitlines()]
    assert first["allowed"] is False and first["violations"] == []
    assert (first["error"]["line"], first["error"]["field"]) == (1, field)
    assert words in first["error"]["message"]
    assert second == OK_DECISION
    assert "1 line(s) could not be read" in out.stderr


@pytest.mark.parametrize("char", ["\x85", "\u2028", "\u2029"])
def test_an_answer_stays_one_line_whatever_its_id_holds(char: str) -> None:
    """NEL and the Unicode line separators are legal inside JSON strings but break lines
    for many readers (Python's ``splitlines``): answers carry them escaped."""
    line = json.dumps({**OK_ACTION, "id": f"a{char}b"}, ensure_ascii=False).encode()
    for command, stdin in (
        ("check-action", line),
        (
            "screen",
            json.dumps({"id": f"a{char}b", "text": f"x{char}y"}, ensure_ascii=False).encode(),
        ),
    ):
        out = run(command, stdin=stdin + b"\n")
        assert out.code == 0, out.output
        (answer,) = out.stdout.splitlines()
        assert json.loads(answer)["id"] == f"a{char}b"


def test_check_action_line_limit_is_configurable() -> None:
    line = action(text="请还款" * 100)
    assert run("check-action", stdin=line + b"\n").code == 0
    out = run("check-action", "--max-line-bytes", "200", stdin=line + b"\n" + OK_LINE + b"\n")
    first, second = [json.loads(x) for x in out.stdout.splitlines()]
    assert "limit of 200" in first["error"]["message"] and first["error"]["field"] == "(line)"
    assert second == OK_DECISION


OK_MESSAGE = json.dumps({"id": "ok", "text": "傻逼"}, ensure_ascii=False).encode()

BAD_SCREEN_LINES = [
    case("invalid-byte", b"b\xff", "(line)", "not UTF-8"),
    case("gbk", '{"id": 1, "text": "请还款"}'.encode("gbk"), "(line)", "not UTF-8"),
    case("surrogate-text", b'{"id": "x", "text": "\\ud800"}', "text", "lone surrogate"),
    case("surrogate-id", b'{"id": "\\udfff", "text": "x"}', "id", "lone surrogate"),
    case("5000-digit-id", b'{"id": ' + b"1" * 5000 + b', "text": "x"}', "(line)", "digits"),
    case("huge-id", b'{"id": 18446744073709551616, "text": "x"}', "id", "64 bits"),
    case("60k-brackets", b"[" * 60_000, "(line)", "nested too deeply"),
    case("100k-brackets", b"[" * 100_000, "(line)", "longer than the limit"),
    case("empty", b"", "(line)", "empty line"),
    case("not-json", b"not json", "(line)", "not valid JSON"),
    case("no-text", b'{"id": "a"}', "text", "missing"),
    case("no-id", b'{"text": "x"}', "id", "missing"),
    case("null-id", b'{"id": null, "text": "x"}', "id", "string or an integer"),
    case("number-text", b'{"id": "x", "text": 5}', "text", "must be a string"),
    case("list", b"[1, 2]", "(line)", "expected a JSON object"),
    case(
        "70k-message",
        b'{"id": "x", "text": "' + b"a" * 70_000 + b'"}',
        "(line)",
        "longer than the limit",
    ),
]


@pytest.mark.parametrize(("bad", "field", "words"), BAD_SCREEN_LINES)
def test_screen_answers_a_bad_line_and_screens_the_next(bad: bytes, field: str, words: str) -> None:
    out = run("screen", stdin=bad + b"\n" + OK_MESSAGE + b"\n")
    assert out.code == 2
    first, second = [json.loads(line) for line in out.stdout.splitlines()]
    assert (first["labels"], first["findings"]) == ([], [])
    assert (first["error"]["line"], first["error"]["field"]) == (1, field)
    assert words in first["error"]["message"]
    assert second["id"] == "ok" and second["labels"] == ["insult"]
    assert "stdin line 1:" in out.stderr and "1 line(s) could not be screened" in out.stderr


def test_a_5_mb_message_is_that_lines_error_and_memory_stays_small() -> None:
    """Section 9: a 5 MB message used to take 587 MB to screen; now it is refused as it is
    read (only the line limit is ever held) and the next line is screened."""
    huge = b'{"id": "big", "text": "' + "催".encode() * 1_750_000 + b'"}'
    stdin = huge + b"\n" + OK_MESSAGE + b"\n"
    tracemalloc.start()
    try:
        out = run("screen", stdin=stdin)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    first, second = [json.loads(line) for line in out.stdout.splitlines()]
    assert first["error"]["message"].startswith("the line is 5,250,025 bytes")
    assert second["labels"] == ["insult"]
    assert peak < 20 * 1024 * 1024, f"peak {peak:,} bytes"


def test_the_screen_limit_is_configurable() -> None:
    line = json.dumps({"id": 1, "text": "你好" * 100}, ensure_ascii=False).encode()
    assert run("screen", stdin=line + b"\n").code == 0
    out = run("screen", "--max-line-bytes", "100", stdin=line + b"\n")
    assert out.code == 2 and "limit of 100" in out.stdout


def _faircollect() -> str:
    return str(Path(sys.executable).with_name("faircollect"))


@pytest.mark.parametrize(
    ("command", "cases", "good", "code"),
    [
        ("check-action", BAD_ACTION_LINES, OK_LINE, 1),
        ("screen", BAD_SCREEN_LINES, OK_MESSAGE, 2),
    ],
)
def test_the_real_process_answers_every_line_of_a_hostile_stream(
    command: str, cases: list[Any], good: bytes, code: int
) -> None:
    """All the bad lines above in one stream, through the installed console script under a
    C locale: the process lives, and there is one answer per line, in order."""
    lines = [case.values[0] for case in cases]
    stream = b"".join(line + b"\n" + good + b"\n" for line in lines)
    env = {**os.environ, "LANG": "C", "LC_ALL": "C", "PYTHONIOENCODING": ""}
    done = subprocess.run(
        [_faircollect(), command], input=stream, capture_output=True, env=env, timeout=120
    )
    assert done.returncode == code, done.stderr.decode(errors="replace")[-2000:]
    assert b"Traceback" not in done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(answers) == 2 * len(lines)
    assert [("error" in a) for a in answers] == [True, False] * len(lines)
    assert [a["error"]["line"] for a in answers[::2]] == list(range(1, 2 * len(lines), 2))

"""Issue 11: ``check-action`` and ``screen`` over arbitrary byte lines never die, and answer
exactly one line per input line, in order.

Lines are drawn three ways: raw bytes (any byte but the newline), near-miss JSON (a valid
contact with one field replaced by an arbitrary JSON value, numbers and nesting included),
and arbitrary text encoded as UTF-8 or GB18030.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.bad_input.front_door import run
from tests.integration.bad_input.test_streams import OK_ACTION

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.text(st.characters(categories=["Cs", "Lo", "Zl", "Cc"]), max_size=6),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = [*OK_ACTION, "text", "borrower", "history", "visit", "tz", "id"]


@st.composite
def near_miss(draw: st.DrawFn) -> bytes:
    """A valid contact with one field set to an arbitrary JSON value."""
    field = draw(st.sampled_from(FIELDS))
    value = draw(JSON_VALUES)
    try:
        ascii_only = draw(st.booleans())
        return json.dumps({**OK_ACTION, field: value}, ensure_ascii=ascii_only).encode(
            "utf-8", "surrogatepass" if ascii_only else "strict"
        )
    except (UnicodeEncodeError, ValueError):
        return b"{}"


def _no_newline(raw: bytes) -> bytes:
    return raw.replace(b"\n", b" ")


LINES = st.one_of(
    st.binary(max_size=120).map(_no_newline),
    near_miss(),
    st.text(max_size=60).map(lambda t: t.encode("utf-8", "surrogatepass")).map(_no_newline),
    st.text(max_size=60).map(lambda t: t.encode("gb18030", "replace")).map(_no_newline),
    st.sampled_from([b"[" * 5000, b'{"id": ' + b"7" * 4400 + b"}", b"\xff\xfe", b"", b"\r"]),
)
STREAMS = st.lists(LINES, min_size=1, max_size=8)
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _answers(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines()]


@FUZZ
@given(lines=STREAMS)
def test_check_action_answers_every_line_of_any_bytes(lines: list[bytes]) -> None:
    out = run("check-action", stdin=b"".join(line + b"\n" for line in lines))
    answers = _answers(out.stdout)
    assert len(answers) == len(lines)
    bad = [a for a in answers if "error" in a]
    assert out.code == (1 if bad else 0)
    for number, answer in enumerate(answers, start=1):
        assert set(answer) >= {"id", "allowed", "violations", "next_allowed_at"}
        if "error" in answer:
            assert answer["allowed"] is False
            assert answer["error"]["line"] == number


@FUZZ
@given(lines=STREAMS)
def test_screen_answers_every_line_of_any_bytes(lines: list[bytes]) -> None:
    stdin = b"".join(
        (json.dumps({"id": n, "text": line.decode("utf-8", "replace")}).encode() if n % 2 else line)
        + b"\n"
        for n, line in enumerate(lines)
    )
    out = run("screen", stdin=stdin)
    answers = _answers(out.stdout)
    assert len(answers) == len(lines)
    bad = [a for a in answers if "error" in a]
    assert out.code == (2 if bad else 0)
    for number, answer in enumerate(answers, start=1):
        assert set(answer) >= {"id", "labels", "findings"}
        if number % 2 == 0:  # every other line is a valid request: screened, never an error
            assert "error" not in answer and answer["id"] == number - 1
        elif "error" in answer:
            assert answer["error"]["line"] == number

"""The ``check-action`` wire format: a JSON object to a ``ProposedAction``, a ``Decision`` back.

Pure (no I/O). ``parse_action_line`` is the whole reading of one input line, for every front
door (the ``check-action`` stream, the web API): bytes in, a ``ProposedAction`` or a
``LineError`` out, never an exception, whatever the bytes (see ``domain.json_line``).
Validation is by hand rather than through a model library so each error names the exact
field (``borrower.consented_slots[0]``) and the happy path stays fast enough for the nightly
run. Unknown keys are refused, because a misspelt safety field (``recoded``) silently taking
its default would be worse than an error. Times are refused outside ``EARLIEST``..``LATEST``:
the gate does calendar arithmetic on them, which overflows near year 1 or 9999.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any, NoReturn, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from faircollect.domain.compliance.actions import (
    DEFAULT_TZ,
    BorrowerContext,
    Channel,
    Decision,
    Party,
    PastContact,
    ProposedAction,
    Purpose,
    Slot,
    VisitDetails,
)
from faircollect.domain.json_line import (
    LINE,
    MAX_LINE_BYTES,
    LineError,
    LineProblem,
    Oversized,
    decode_json_line,
    json_id,
)

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
"""Contact times outside [EARLIEST, LATEST) are refused: no real contact is there, and the
gate's calendar arithmetic (time zones, the next allowed day) must not overflow."""


class ActionInputError(LineProblem):
    """A proposed action that cannot be read; ``field`` is its dotted path."""


E = TypeVar("E", bound=StrEnum)
T = TypeVar("T")
Reader = Callable[[object], T]

_DEFAULT_BORROWER = BorrowerContext(tz=ZoneInfo(DEFAULT_TZ))


# Readers take a JSON value and raise ActionInputError with a path *relative* to that value
# ("" for the value itself, ".staff", "[1]"); ``Shape`` prefixes the enclosing path only when
# an error is raised, so the happy path builds no strings.


def _path(outer: str, inner: str) -> str:
    if not inner:
        return outer
    if inner.startswith("["):
        return outer + inner
    return f"{outer}.{inner}" if outer else inner


Field = tuple[str, Reader[Any], bool]
"""(key, reader, required): one field of a JSON object."""


class Shape:
    """The fields of one kind of JSON object, in the order their errors are reported."""

    def __init__(self, *fields: Field) -> None:
        self.fields = fields
        self.keys = frozenset(key for key, _, _ in fields)
        self.readers = {key: read for key, read, _ in fields}
        self.required = frozenset(key for key, _, required in fields if required)

    def read(self, value: object) -> dict[str, Any]:
        """The present, non-null fields read, as keyword arguments (absent ones keep the
        dataclass's safe default).

        Fast path: read the keys that are there, in whatever order they came. Only when that
        fails is the object re-read in declared order, so the error reported (unknown key
        first, then the first bad or missing field) does not depend on the line's key order.
        """
        data = _object(value, self.keys)
        out: dict[str, Any] = {}
        readers = self.readers
        try:
            for key, item in data.items():
                if item is not None:
                    out[key] = readers[key](item)
        except ActionInputError:
            self._first_error(data)
        if not self.required <= out.keys():
            self._first_error(data)
        return out

    def _first_error(self, data: Mapping[str, Any]) -> NoReturn:
        for key, read, required in self.fields:
            item = data.get(key)
            if item is None:
                if required:
                    raise ActionInputError(key, "required")
                continue
            try:
                read(item)
            except ActionInputError as error:
                raise ActionInputError(_path(key, error.field), error.message) from None
        raise AssertionError("the fast path failed but every field reads")  # pragma: no cover


def _items(values: list[Any], read: Reader[T]) -> tuple[T, ...]:
    out = []
    for index, value in enumerate(values):
        try:
            out.append(read(value))
        except ActionInputError as error:
            raise ActionInputError(_path(f"[{index}]", error.field), error.message) from None
    return tuple(out)


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _object(value: object, keys: frozenset[str]) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise ActionInputError("", f"expected an object, got {_kind(value)}")
    if not value.keys() <= keys:  # one set operation; find the culprit only on error
        unknown = next(key for key in value if key not in keys)
        raise ActionInputError(unknown, "unknown field")
    return value


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise ActionInputError("", f"expected a string, got {_kind(value)}")
    return value


def _id(value: object) -> str:
    text = _str(value)
    if not text.strip():
        raise ActionInputError("", "must not be empty")
    return text


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise ActionInputError("", f"expected true or false, got {_kind(value)}")
    return value


def _count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ActionInputError("", f"expected a whole number >= 0, got {value!r}")
    return value


def _choice(kind: type[E]) -> Reader[E]:
    members = {member.value: member for member in kind}
    allowed = "|".join(members)

    def read(value: object) -> E:
        member = members.get(value) if isinstance(value, str) else None
        if member is None:
            raise ActionInputError("", f"{value!r} is not one of {allowed}")
        return member

    return read


_channel, _party, _purpose = _choice(Channel), _choice(Party), _choice(Purpose)


def _moment(value: object) -> datetime:
    text = _str(value)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ActionInputError("", f"{text!r} is not an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        raise ActionInputError("", f"{text!r} has no UTC offset (e.g. +08:00)")
    try:
        within = EARLIEST <= moment < LATEST
    except OverflowError:
        within = False
    if not within:
        raise ActionInputError(
            "", f"{text!r} is outside the years {EARLIEST.year}-{LATEST.year - 1}"
        )
    return moment


def _day(value: object) -> date:
    text = _str(value)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ActionInputError("", f"{text!r} is not an ISO date (YYYY-MM-DD)") from None
    if not EARLIEST.date() <= day < LATEST.date():
        raise ActionInputError(
            "", f"{text!r} is outside the years {EARLIEST.year}-{LATEST.year - 1}"
        )
    return day


def _zone(value: object) -> ZoneInfo:
    name = _str(value)
    if len(name) > 64:
        raise ActionInputError("", "unknown time zone (longer than any zone name)")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ActionInputError("", f"unknown time zone {name!r}") from None


def _clock(value: object) -> time:
    text = _str(value)
    try:
        if len(text) != 5:
            raise ValueError
        return time.fromisoformat(text)
    except ValueError:
        raise ActionInputError("", f'{text!r} is not a time "HH:MM"') from None


def _list(value: object) -> list[Any]:
    if not isinstance(value, list):
        raise ActionInputError("", f"expected a list, got {_kind(value)}")
    return value


def _slot(value: object) -> Slot:
    pair = _list(value)
    if len(pair) != 2:
        raise ActionInputError("", 'expected ["HH:MM", "HH:MM"]')
    start, end = _items(pair, _clock)
    if start == end:
        raise ActionInputError("", "a slot must not start and end at the same time")
    return Slot(start, end)


def normalise_phone(value: object) -> str:
    """ASCII digits only (full-width ones converted), without a +86 / 0086 country prefix, so
    one number is one contact point however it was typed."""
    text = _str(value)
    is_plain = text.isascii() and text.isdigit()
    if is_plain and len(text) == 11:  # the common case: a plain mobile number
        return text
    digits = text if is_plain else "".join(str(int(ch)) for ch in text if ch.isdecimal())
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
    if not digits:
        raise ActionInputError("", f"{value!r} has no digits")
    return digits


_VISIT = Shape(
    ("staff", _count, False),
    ("identified", _bool, False),
    ("recorded", _bool, False),
    ("notice_sent", _bool, False),
    ("notice_sent_on", _day, False),
)


def _visit(value: object) -> VisitDetails:
    return VisitDetails(**_VISIT.read(value))


def _slots(value: object) -> tuple[Slot, ...]:
    return _items(_list(value), _slot)


def _channels(value: object) -> frozenset[Channel]:
    return frozenset(_items(_list(value), _channel))


_BORROWER = Shape(
    ("tz", _zone, False),
    ("number_invalid", _bool, False),
    ("consecutive_failed_attempts", _count, False),
    ("consented_slots", _slots, False),
    ("complaint_open", _bool, False),
    ("illegal_debt", _bool, False),
    ("do_not_contact", _channels, False),
    ("preferred_slots", _slots, False),
)


def _borrower(value: object) -> BorrowerContext:
    fields = _BORROWER.read(value)
    return BorrowerContext(**fields) if fields else _DEFAULT_BORROWER


_PAST = Shape(
    ("at", _moment, True),
    ("channel", _channel, True),
    ("party", _party, False),
    ("phone", normalise_phone, False),
    ("answered", _bool, False),
)


def _past(value: object) -> PastContact:
    return PastContact(**_PAST.read(value))


def _history(value: object) -> tuple[PastContact, ...]:
    return _items(_list(value), _past)


_ACTION = Shape(
    ("id", _id, True),
    ("channel", _channel, True),
    ("party", _party, True),
    ("at", _moment, True),
    ("purpose", _purpose, False),
    ("phone", normalise_phone, False),
    ("text", _str, False),
    ("discloses_debt", _bool, False),
    ("recorded", _bool, False),
    ("visit", _visit, False),
    ("borrower", _borrower, False),
    ("history", _history, False),
)


def _action(value: object) -> ProposedAction:
    return ProposedAction(**_ACTION.read(value))


def action_from_json(data: object) -> ProposedAction:
    """Read one decoded ``check-action`` line; ``ActionInputError`` names the bad field."""
    try:
        return _action(data)
    except ActionInputError as error:
        if error.field:
            raise
        raise ActionInputError(LINE, error.message) from None


def parse_action_line(
    raw: bytes | str | Oversized, number: int, max_bytes: int = MAX_LINE_BYTES
) -> ProposedAction | LineError:
    """One input line (bytes as read, or text) to its action, or the error that is its answer.

    Never raises: every way a line can be bad (see ``domain.json_line``, the fields above)
    is a ``LineError`` naming line ``number`` and the field, with the line's id when it has
    a readable one.
    """
    data: object = None
    try:
        data = decode_json_line(raw, max_bytes)
        return action_from_json(data)
    except LineProblem as problem:
        return LineError(number, problem.field, problem.message, json_id(data))
    except (ValueError, ArithmeticError, RecursionError) as error:  # a reader's blind spot
        message = f"cannot be read: {type(error).__name__}"
        return LineError(number, LINE, message, json_id(data))


def decision_to_json(decision: Decision) -> dict[str, Any]:
    """The output object: id, allowed, violations [{rule, reason}], next_allowed_at (ISO 8601)."""
    return {
        "id": decision.id,
        "allowed": decision.allowed,
        "violations": [{"rule": v.rule, "reason": v.reason} for v in decision.violations],
        "next_allowed_at": (
            decision.next_allowed_at.isoformat() if decision.next_allowed_at else None
        ),
    }


def error_to_json(line_number: int, action_id: object, error: LineProblem) -> dict[str, Any]:
    """The output for a line that cannot be read: never allowed, and says line and field."""
    return line_error_to_json(LineError(line_number, error.field, error.message, None), action_id)


def line_error_to_json(error: LineError, action_id: object = None) -> dict[str, Any]:
    """A ``LineError`` as ``check-action`` answers it: never allowed, with line and field."""
    shown = action_id if action_id is not None else error.id
    return {
        "id": shown if isinstance(shown, str) else None,
        "allowed": False,
        "violations": [],
        "next_allowed_at": None,
        "error": error.as_json(),
    }

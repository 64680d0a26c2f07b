"""The ``check-action`` wire format: a JSON object to a ``ProposedAction``, a ``Decision`` back.

Pure (no I/O): the CLI feeds it one decoded line at a time. Validation is by hand rather than
through a model library so each error names the exact field (``borrower.consented_slots[0]``)
and the happy path stays fast enough for the nightly run. Unknown keys are refused, because a
misspelt safety field (``recoded``) silently taking its default would be worse than an error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, time
from enum import StrEnum
from typing import Any, TypeVar
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


class ActionInputError(ValueError):
    """A proposed action that cannot be read; ``field`` is its dotted path."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


E = TypeVar("E", bound=StrEnum)
T = TypeVar("T")

_ACTION_KEYS = frozenset(
    {"id", "channel", "party", "purpose", "at", "phone", "text", "discloses_debt", "recorded"}
    | {"visit", "borrower", "history"}
)
_VISIT_KEYS = frozenset({"staff", "identified", "recorded", "notice_sent"})
_BORROWER_KEYS = frozenset(
    {"tz", "number_invalid", "consecutive_failed_attempts", "consented_slots"}
    | {"complaint_open", "illegal_debt", "do_not_contact"}
)
_HISTORY_KEYS = frozenset({"at", "channel", "party", "phone", "answered"})


def _object(value: object, where: str, keys: frozenset[str]) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise ActionInputError(where or "(line)", f"expected an object, got {_kind(value)}")
    for key in value:
        if key not in keys:
            raise ActionInputError(_join(where, key), "unknown field")
    return value


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _optional(
    data: Mapping[str, Any], key: str, where: str, read: Callable[[object, str], T]
) -> T | None:
    value = data.get(key)
    return None if value is None else read(value, _join(where, key))


def _required(data: Mapping[str, Any], key: str, where: str, read: Callable[[object, str], T]) -> T:
    if data.get(key) is None:
        raise ActionInputError(_join(where, key), "required")
    return read(data[key], _join(where, key))


def _str(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise ActionInputError(field, f"expected a string, got {_kind(value)}")
    return value


def _bool(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise ActionInputError(field, f"expected true or false, got {_kind(value)}")
    return value


def _count(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ActionInputError(field, f"expected a whole number >= 0, got {value!r}")
    return value


def _choice(kind: type[E]) -> Callable[[object, str], E]:
    def read(value: object, field: str) -> E:
        try:
            return kind(_str(value, field))
        except ValueError:
            allowed = "|".join(member.value for member in kind)
            raise ActionInputError(field, f"{value!r} is not one of {allowed}") from None

    return read


def _moment(value: object, field: str) -> datetime:
    text = _str(value, field)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ActionInputError(field, f"{text!r} is not an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        raise ActionInputError(field, f"{text!r} has no UTC offset (e.g. +08:00)")
    return moment


def _zone(value: object, field: str) -> ZoneInfo:
    name = _str(value, field)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ActionInputError(field, f"unknown time zone {name!r}") from None


def _clock(value: object, field: str) -> time:
    text = _str(value, field)
    try:
        if len(text) != 5:
            raise ValueError
        return time.fromisoformat(text)
    except ValueError:
        raise ActionInputError(field, f'{text!r} is not a time "HH:MM"') from None


def _list(value: object, field: str) -> list[Any]:
    if not isinstance(value, list):
        raise ActionInputError(field, f"expected a list, got {_kind(value)}")
    return value


def _slot(value: object, field: str) -> Slot:
    pair = _list(value, field)
    if len(pair) != 2:
        raise ActionInputError(field, 'expected ["HH:MM", "HH:MM"]')
    start, end = _clock(pair[0], f"{field}[0]"), _clock(pair[1], f"{field}[1]")
    if start == end:
        raise ActionInputError(field, "a slot must not start and end at the same time")
    return Slot(start, end)


def normalise_phone(value: object, field: str) -> str:
    """Digits only, without a +86 / 0086 country prefix, so one number is one contact point."""
    digits = "".join(ch for ch in _str(value, field) if ch.isdigit())
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
    if not digits:
        raise ActionInputError(field, f"{value!r} has no digits")
    return digits


def _visit(value: object, field: str) -> VisitDetails:
    data = _object(value, field, _VISIT_KEYS)
    return VisitDetails(
        staff=_optional(data, "staff", field, _count),
        identified=_optional(data, "identified", field, _bool),
        recorded=_optional(data, "recorded", field, _bool),
        notice_sent=_optional(data, "notice_sent", field, _bool),
    )


def _borrower(value: object, field: str) -> BorrowerContext:
    data = _object(value, field, _BORROWER_KEYS)
    slots = _optional(data, "consented_slots", field, _list) or []
    channels = _optional(data, "do_not_contact", field, _list) or []
    read_channel = _choice(Channel)
    return BorrowerContext(
        tz=_optional(data, "tz", field, _zone) or ZoneInfo(DEFAULT_TZ),
        number_invalid=_optional(data, "number_invalid", field, _bool) or False,
        consecutive_failed_attempts=_optional(data, "consecutive_failed_attempts", field, _count)
        or 0,
        consented_slots=tuple(
            _slot(slot, f"{field}.consented_slots[{i}]") for i, slot in enumerate(slots)
        ),
        complaint_open=_optional(data, "complaint_open", field, _bool) or False,
        illegal_debt=_optional(data, "illegal_debt", field, _bool) or False,
        do_not_contact=frozenset(
            read_channel(ch, f"{field}.do_not_contact[{i}]") for i, ch in enumerate(channels)
        ),
    )


def _past(value: object, field: str) -> PastContact:
    data = _object(value, field, _HISTORY_KEYS)
    return PastContact(
        at=_required(data, "at", field, _moment),
        channel=_required(data, "channel", field, _choice(Channel)),
        party=_optional(data, "party", field, _choice(Party)),
        phone=_optional(data, "phone", field, normalise_phone),
        answered=_optional(data, "answered", field, _bool) or False,
    )


def action_from_json(data: object) -> ProposedAction:
    """Read one decoded ``check-action`` line; ``ActionInputError`` names the bad field."""
    obj = _object(data, "", _ACTION_KEYS)
    history = _optional(obj, "history", "", _list) or []
    return ProposedAction(
        id=_required(obj, "id", "", _str),
        channel=_required(obj, "channel", "", _choice(Channel)),
        party=_required(obj, "party", "", _choice(Party)),
        at=_required(obj, "at", "", _moment),
        purpose=_optional(obj, "purpose", "", _choice(Purpose)) or Purpose.COLLECT,
        phone=_optional(obj, "phone", "", normalise_phone),
        text=_optional(obj, "text", "", _str),
        discloses_debt=_optional(obj, "discloses_debt", "", _bool),
        recorded=_optional(obj, "recorded", "", _bool),
        visit=_optional(obj, "visit", "", _visit),
        borrower=_optional(obj, "borrower", "", _borrower) or BorrowerContext(),
        history=tuple(_past(entry, f"history[{i}]") for i, entry in enumerate(history)),
    )


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


def error_to_json(line_number: int, action_id: object, error: ActionInputError) -> dict[str, Any]:
    """The output for a line that cannot be read: never allowed, and says line and field."""
    return {
        "id": action_id if isinstance(action_id, str) else None,
        "allowed": False,
        "violations": [],
        "next_allowed_at": None,
        "error": {"line": line_number, "field": error.field, "message": error.message},
    }

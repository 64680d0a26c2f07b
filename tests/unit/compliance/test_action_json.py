"""The check-action wire format: safe defaults, exact errors naming the field, output shape."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from faircollect.domain.compliance.action_json import (
    ActionInputError,
    action_from_json,
    decision_to_json,
)
from faircollect.domain.compliance.actions import (
    Channel,
    Decision,
    Party,
    ProposedAction,
    Purpose,
    Slot,
    Violation,
)

MINIMAL = {"id": "a1", "channel": "call", "party": "borrower", "at": "2026-11-28T10:00:00+08:00"}


def test_minimal_action_takes_safe_defaults() -> None:
    action = action_from_json(MINIMAL)
    assert (action.channel, action.party, action.purpose) == (
        Channel.CALL,
        Party.BORROWER,
        Purpose.COLLECT,
    )
    assert action.recorded is None and action.discloses_debt is None and action.visit is None
    assert action.borrower.tz == ZoneInfo("Asia/Shanghai")
    assert not action.borrower.complaint_open and action.history == ()


def test_full_example_from_the_issue_reads() -> None:
    data: dict[str, Any] = {
        **MINIMAL,
        "purpose": "relay",
        "phone": "+86 138-0000-0000",
        "text": "请回电",
        "discloses_debt": False,
        "recorded": True,
        "visit": {"staff": 2, "identified": True, "recorded": True, "notice_sent": True},
        "borrower": {
            "tz": "Asia/Shanghai",
            "number_invalid": False,
            "consecutive_failed_attempts": 0,
            "consented_slots": [["22:00", "23:00"]],
            "complaint_open": False,
            "illegal_debt": False,
            "do_not_contact": ["sms"],
        },
        "history": [
            {
                "at": "2026-11-28T09:00:00+08:00",
                "channel": "call",
                "party": "borrower",
                "phone": "13800000000",
                "answered": False,
            }
        ],
    }
    action = action_from_json(data)
    assert action.phone == "13800000000"
    assert action.history[0].phone == "13800000000"
    assert action.borrower.consented_slots == (Slot(time(22), time(23)),)
    assert action.borrower.do_not_contact == frozenset({Channel.SMS})
    assert action.visit is not None and action.visit.staff == 2


BAD = [
    ("not an object", [1], "(line)", "expected an object"),
    ("missing id", {**MINIMAL, "id": None}, "id", "required"),
    ("blank id", {**MINIMAL, "id": " "}, "id", "must not be empty"),
    ("missing at", {k: v for k, v in MINIMAL.items() if k != "at"}, "at", "required"),
    ("naive at", {**MINIMAL, "at": "2026-11-28T10:00:00"}, "at", "no UTC offset"),
    ("garbage at", {**MINIMAL, "at": "tomorrow"}, "at", "ISO 8601"),
    ("unknown channel", {**MINIMAL, "channel": "fax"}, "channel", "not one of call|sms"),
    ("unknown party", {**MINIMAL, "party": "neighbour"}, "party", "not one of"),
    ("misspelt field", {**MINIMAL, "recoded": True}, "recoded", "unknown field"),
    ("recorded as string", {**MINIMAL, "recorded": "yes"}, "recorded", "true or false"),
    ("bad tz", {**MINIMAL, "borrower": {"tz": "Mars/Base"}}, "borrower.tz", "unknown time zone"),
    (
        "negative failures",
        {**MINIMAL, "borrower": {"consecutive_failed_attempts": -1}},
        "borrower.consecutive_failed_attempts",
        ">= 0",
    ),
    (
        "bad slot",
        {**MINIMAL, "borrower": {"consented_slots": [["22:00"]]}},
        "borrower.consented_slots[0]",
        "HH:MM",
    ),
    (
        "bad slot time",
        {**MINIMAL, "borrower": {"consented_slots": [["22:00", "25:00"]]}},
        "borrower.consented_slots[0][1]",
        "HH:MM",
    ),
    (
        "empty slot",
        {**MINIMAL, "borrower": {"consented_slots": [["22:00", "22:00"]]}},
        "borrower.consented_slots[0]",
        "same time",
    ),
    (
        "bad do-not-contact",
        {**MINIMAL, "borrower": {"do_not_contact": ["pigeon"]}},
        "borrower.do_not_contact[0]",
        "not one of",
    ),
    (
        "history naive",
        {**MINIMAL, "history": [{"at": "2026-11-28T09:00:00", "channel": "call"}]},
        "history[0].at",
        "no UTC offset",
    ),
    (
        "history missing channel",
        {**MINIMAL, "history": [{"at": "2026-11-28T09:00:00+08:00"}]},
        "history[0].channel",
        "required",
    ),
    ("visit staff text", {**MINIMAL, "visit": {"staff": "two"}}, "visit.staff", "whole number"),
    ("phone without digits", {**MINIMAL, "phone": "n/a"}, "phone", "no digits"),
]


@pytest.mark.parametrize(("case", "data", "field", "message"), BAD, ids=[c for c, *_ in BAD])
def test_bad_input_names_the_field(case: str, data: object, field: str, message: str) -> None:
    with pytest.raises(ActionInputError) as caught:
        action_from_json(data)
    assert caught.value.field == field
    assert message in caught.value.message


def test_decision_output_shape() -> None:
    tz = ZoneInfo("Asia/Shanghai")
    decision = Decision(
        "a1",
        False,
        (Violation("CN-TIME-1", "22:30 is outside"),),
        datetime(2026, 11, 29, 8, tzinfo=tz),
    )
    assert decision_to_json(decision) == {
        "id": "a1",
        "allowed": False,
        "violations": [{"rule": "CN-TIME-1", "reason": "22:30 is outside"}],
        "next_allowed_at": "2026-11-29T08:00:00+08:00",
    }


def test_domain_objects_refuse_naive_times_and_empty_slots() -> None:
    with pytest.raises(ValueError, match=r"at: .* has no UTC offset"):
        ProposedAction("a", Channel.CALL, Party.BORROWER, datetime(2026, 11, 28, 10))
    with pytest.raises(ValueError, match="same time"):
        Slot(time(22), time(22))


@pytest.mark.parametrize(
    "typed", ["13800000000", "+86 138-0000-0000", "0086 13800000000", "１３８ ０００００ ０００"]
)
def test_phone_numbers_are_one_contact_point_however_typed(typed: str) -> None:
    assert action_from_json({**MINIMAL, "phone": typed}).phone == "13800000000"


TWO_ERRORS = [
    ("recorded", "yes"),
    ("channel", "fax"),
    ("borrower", {"tz": "Mars/Base", "complaint_open": "no"}),
]


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0), (1, 2, 0)])
def test_first_error_does_not_depend_on_key_order(order: tuple[int, ...]) -> None:
    """The fast reader takes keys as they come; errors are still reported in declared order."""
    data = {**MINIMAL, **dict(TWO_ERRORS[i] for i in order)}
    with pytest.raises(ActionInputError) as caught:
        action_from_json(data)
    assert caught.value.field == "channel"


@pytest.mark.parametrize("order", [(0, 1), (1, 0)])
def test_nested_first_error_does_not_depend_on_key_order(order: tuple[int, ...]) -> None:
    fields = [("complaint_open", "no"), ("tz", "Mars/Base")]
    borrower = dict(fields[i] for i in order)
    with pytest.raises(ActionInputError) as caught:
        action_from_json({**MINIMAL, "borrower": borrower})
    assert (caught.value.field, caught.value.message) == (
        "borrower.tz",
        "unknown time zone 'Mars/Base'",
    )


def test_missing_required_field_is_reported_before_later_bad_ones() -> None:
    data = {key: value for key, value in MINIMAL.items() if key != "party"}
    with pytest.raises(ActionInputError) as caught:
        action_from_json({**data, "history": "none"})
    assert (caught.value.field, caught.value.message) == ("party", "required")

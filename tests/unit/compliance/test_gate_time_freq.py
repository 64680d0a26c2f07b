"""CN-TIME-1 (hours, consented slots, time zones) and CN-FREQ-1 (daily unanswered calls)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from faircollect.domain.compliance.actions import Channel, PastContact, Slot, VisitDetails
from faircollect.domain.compliance.gate import Gate
from tests.unit.compliance.builders import PHONE, SHANGHAI, action, at, unanswered_calls

NEW_YORK = ZoneInfo("America/New_York")
URUMQI = ZoneInfo("Asia/Urumqi")


def slots(*pairs: tuple[str, str]) -> tuple[Slot, ...]:
    from datetime import time

    return tuple(Slot(time.fromisoformat(a), time.fromisoformat(b)) for a, b in pairs)


ALLOWED_TIMES = [
    ("window opens at 08:00", action(at=at("2026-11-28 08:00"))),
    ("last minute 21:59", action(at=at("2026-11-28 21:59"))),
    ("letter at night", action(channel=Channel.LETTER, at=at("2026-11-28 23:00"))),
    ("lawyer letter at 03:00", action(channel=Channel.LAWYER_LETTER, at=at("2026-11-28 03:00"))),
    (
        "consented slot 22:00-23:00",
        action(at=at("2026-11-28 22:30"), borrower={"consented_slots": slots(("22:00", "23:00"))}),
    ),
    (
        "slot crossing midnight, after midnight",
        action(at=at("2026-11-29 00:30"), borrower={"consented_slots": slots(("23:00", "01:00"))}),
    ),
    (
        "slot crossing midnight, before midnight",
        action(at=at("2026-11-28 23:30"), borrower={"consented_slots": slots(("23:00", "01:00"))}),
    ),
    ("10:00 Shanghai given in UTC", action(at=datetime(2026, 11, 28, 2, 0, tzinfo=UTC))),
    (
        "23:00 Shanghai is 10:00 for a New York borrower",
        action(at=at("2026-11-28 23:00"), borrower={"tz": NEW_YORK}),
    ),
]


@pytest.mark.parametrize(("case", "proposed"), ALLOWED_TIMES, ids=[c for c, _ in ALLOWED_TIMES])
def test_contact_hours_allow(gate: Gate, case: str, proposed: object) -> None:
    decision = gate.decide(proposed)  # type: ignore[arg-type]
    assert decision.allowed, decision.violations
    assert decision.next_allowed_at is None


DENIED_TIMES = [
    ("22:00 is already closed", action(at=at("2026-11-28 22:00")), at("2026-11-29 08:00")),
    ("07:59 waits for 08:00", action(at=at("2026-11-28 07:59")), at("2026-11-28 08:00")),
    (
        "sms at 23:30",
        action(channel=Channel.SMS, at=at("2026-11-28 23:30")),
        at("2026-11-29 08:00"),
    ),
    (
        "wechat at 05:00",
        action(channel=Channel.WECHAT, at=at("2026-11-28 05:00")),
        at("2026-11-28 08:00"),
    ),
    (
        "email at 22:10",
        action(channel=Channel.EMAIL, at=at("2026-11-28 22:10")),
        at("2026-11-29 08:00"),
    ),
    (
        "app push at 06:00",
        action(channel=Channel.APP_PUSH, at=at("2026-11-28 06:00")),
        at("2026-11-28 08:00"),
    ),
    (
        "after a midnight-crossing slot closes",
        action(at=at("2026-11-29 01:30"), borrower={"consented_slots": slots(("23:00", "01:00"))}),
        at("2026-11-29 08:00"),
    ),
    (
        "before a consented slot opens",
        action(at=at("2026-11-28 22:30"), borrower={"consented_slots": slots(("23:00", "23:30"))}),
        at("2026-11-28 23:00"),
    ),
    (
        "a slot early tomorrow comes before 08:00",
        action(at=at("2026-11-28 23:00"), borrower={"consented_slots": slots(("06:30", "07:00"))}),
        at("2026-11-29 06:30"),
    ),
    (
        "Urumqi borrower at 05:30 local",
        action(at=at("2026-11-29 07:30"), borrower={"tz": URUMQI}),
        datetime(2026, 11, 29, 8, 0, tzinfo=URUMQI),
    ),
    (
        "a visit at 07:00",
        action(
            channel=Channel.VISIT,
            at=at("2026-11-28 07:00"),
            visit=VisitDetails(staff=2, identified=True, recorded=True, notice_sent=True),
        ),
        at("2026-11-28 08:00"),
    ),
]


@pytest.mark.parametrize(
    ("case", "proposed", "next_at"), DENIED_TIMES, ids=[c for c, _, _ in DENIED_TIMES]
)
def test_contact_hours_deny_until_window_opens(
    gate: Gate, case: str, proposed: object, next_at: datetime
) -> None:
    decision = gate.decide(proposed)  # type: ignore[arg-type]
    assert [v.rule for v in decision.violations] == ["CN-TIME-1"]
    assert decision.next_allowed_at == next_at
    assert decision.next_allowed_at is not None
    assert decision.next_allowed_at.utcoffset() == next_at.utcoffset()


def test_hours_reason_names_time_window_and_zone(gate: Gate) -> None:
    (violation,) = gate.decide(action(at=at("2026-11-28 22:30"))).violations
    assert "22:30 is outside 08:00-22:00 Asia/Shanghai" in violation.reason


def test_public_notice_is_not_a_timed_channel(gate: Gate) -> None:
    rules = [
        v.rule
        for v in gate.decide(
            action(channel=Channel.PUBLIC_NOTICE, at=at("2026-11-28 23:00"))
        ).violations
    ]
    assert "CN-TIME-1" not in rules


ANSWERED = PastContact(at("2026-11-28 12:00"), Channel.CALL, None, PHONE, True)

ALLOWED_FREQUENCY = [
    ("five unanswered so far", unanswered_calls(5), PHONE),
    ("six unanswered to another number", unanswered_calls(6, phone="13900000000"), PHONE),
    ("six unanswered yesterday", unanswered_calls(6, day="2026-11-27"), PHONE),
    (
        "six answered calls",
        tuple(replace(c, answered=True) for c in unanswered_calls(6)),
        PHONE,
    ),
    (
        "six unanswered sms do not count",
        tuple(replace(c, channel=Channel.SMS) for c in unanswered_calls(6)),
        PHONE,
    ),
    (
        "yesterday 23:30 local logged in UTC",
        tuple(
            PastContact(datetime(2026, 11, 27, 15, 30 + i, tzinfo=UTC), Channel.CALL, None, PHONE)
            for i in range(6)
        ),
        PHONE,
    ),
]


@pytest.mark.parametrize(
    ("case", "history", "phone"), ALLOWED_FREQUENCY, ids=[c for c, _, _ in ALLOWED_FREQUENCY]
)
def test_frequency_allow(
    gate: Gate, case: str, history: tuple[PastContact, ...], phone: str
) -> None:
    decision = gate.decide(action(at=at("2026-11-28 15:00"), history=history, phone=phone))
    assert decision.allowed, decision.violations


DENIED_FREQUENCY = [
    ("seventh call after six unanswered", unanswered_calls(6), PHONE),
    ("an answered call does not reset the count", (*unanswered_calls(6), ANSWERED), PHONE),
    ("action without a phone counts every number", unanswered_calls(6, phone="13900000000"), None),
    ("history without a phone counts for any number", unanswered_calls(6, phone=None), PHONE),
]


@pytest.mark.parametrize(
    ("case", "history", "phone"), DENIED_FREQUENCY, ids=[c for c, _, _ in DENIED_FREQUENCY]
)
def test_frequency_deny_until_next_day(
    gate: Gate, case: str, history: tuple[PastContact, ...], phone: str | None
) -> None:
    decision = gate.decide(action(at=at("2026-11-28 15:00"), history=history, phone=phone))
    assert [v.rule for v in decision.violations] == ["CN-FREQ-1"]
    assert "6 unanswered call attempts" in decision.violations[0].reason
    assert "at most 6 a day" in decision.violations[0].reason
    assert decision.next_allowed_at == at("2026-11-29 08:00")


def test_sms_is_not_limited_by_call_attempts(gate: Gate) -> None:
    decision = gate.decide(action(channel=Channel.SMS, history=unanswered_calls(6)))
    assert decision.allowed


def test_hours_and_frequency_together_wait_for_tomorrow_morning(gate: Gate) -> None:
    decision = gate.decide(action(at=at("2026-11-28 22:30"), history=unanswered_calls(6)))
    assert [v.rule for v in decision.violations] == ["CN-TIME-1", "CN-FREQ-1"]
    assert decision.next_allowed_at == at("2026-11-29 08:00")


def test_frequency_cured_in_an_early_consented_slot_tomorrow(gate: Gate) -> None:
    proposed = action(
        at=at("2026-11-28 15:00"),
        history=unanswered_calls(6),
        borrower={"consented_slots": slots(("00:00", "01:00"))},
    )
    assert gate.decide(proposed).next_allowed_at == at("2026-11-29 00:00")


def test_no_next_time_when_waiting_cannot_cure(gate: Gate) -> None:
    decision = gate.decide(action(at=at("2026-11-28 22:30"), recorded=False))
    assert [v.rule for v in decision.violations] == ["CN-TIME-1", "CC-68"]
    assert decision.next_allowed_at is None


def test_next_allowed_at_is_in_the_borrowers_zone(gate: Gate) -> None:
    decision = gate.decide(action(at=datetime(2026, 11, 28, 15, 0, tzinfo=UTC)))  # 23:00 local
    assert decision.next_allowed_at is not None
    assert decision.next_allowed_at.tzinfo == SHANGHAI
    assert decision.next_allowed_at.isoformat() == "2026-11-29T08:00:00+08:00"

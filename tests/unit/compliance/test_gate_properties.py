"""Invariants of the gate over generated actions (hypothesis)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from faircollect.domain.compliance.actions import (
    BorrowerContext,
    Channel,
    Party,
    PastContact,
    ProposedAction,
    Purpose,
    Slot,
    VisitDetails,
)
from faircollect.domain.compliance.checks import local_day_bounds
from faircollect.domain.compliance.gate import Gate
from faircollect.domain.compliance.pack import default_pack, tighten

ZONES = [ZoneInfo("Asia/Shanghai"), ZoneInfo("Asia/Urumqi"), ZoneInfo("UTC")]
PHONES = ["13800000000", "13900000000"]
DEFAULT = Gate(default_pack())
STRICT = Gate(
    tighten(
        default_pack(),
        {
            "parameters": {
                "hours_start": "09:00",
                "hours_end": "20:00",
                "max_unanswered_calls_per_day": 3,
                "unreachable_after_failed_attempts": 5,
            }
        },
        "strict",
    )
)

moments = st.datetimes(
    min_value=datetime(2026, 1, 1),
    max_value=datetime(2026, 12, 31),
    timezones=st.sampled_from(ZONES),
)
clock = st.times().map(lambda t: time(t.hour, t.minute))
slots = st.tuples(clock, clock).filter(lambda p: p[0] != p[1]).map(lambda p: Slot(*p))
borrowers = st.builds(
    BorrowerContext,
    tz=st.sampled_from(ZONES),
    number_invalid=st.booleans(),
    consecutive_failed_attempts=st.integers(0, 6),
    consented_slots=st.lists(slots, max_size=2).map(tuple),
    complaint_open=st.booleans(),
    illegal_debt=st.booleans(),
    do_not_contact=st.frozensets(st.sampled_from(Channel), max_size=2),
)


@st.composite
def actions(draw: st.DrawFn) -> ProposedAction:
    at = draw(moments)
    history = tuple(
        PastContact(
            at - timedelta(minutes=draw(st.integers(0, 600))),
            draw(st.sampled_from([Channel.CALL, Channel.SMS])),
            Party.BORROWER,
            draw(st.sampled_from(PHONES)),
            draw(st.booleans()),
        )
        for _ in range(draw(st.integers(0, 8)))
    )
    visit = draw(
        st.none()
        | st.builds(
            VisitDetails,
            staff=st.none() | st.integers(0, 4),
            identified=st.none() | st.booleans(),
            recorded=st.none() | st.booleans(),
            notice_sent=st.none() | st.booleans(),
        )
    )
    return ProposedAction(
        id="p",
        channel=draw(st.sampled_from(Channel)),
        party=draw(st.sampled_from(Party)),
        purpose=draw(st.sampled_from(Purpose)),
        at=at,
        phone=draw(st.sampled_from(PHONES)),
        text=None,
        discloses_debt=draw(st.none() | st.booleans()),
        recorded=draw(st.none() | st.booleans()),
        visit=visit,
        borrower=draw(borrowers),
        history=history,
    )


@settings(max_examples=300, deadline=None)
@given(actions())
def test_allowed_exactly_when_no_violations(action: ProposedAction) -> None:
    decision = DEFAULT.decide(action)
    assert decision.allowed == (decision.violations == ())
    assert decision.id == action.id


@settings(max_examples=300, deadline=None)
@given(actions())
def test_next_allowed_at_is_later_and_then_allowed(action: ProposedAction) -> None:
    decision = DEFAULT.decide(action)
    if decision.next_allowed_at is None:
        return
    assert not decision.allowed
    assert decision.next_allowed_at > action.at
    assert decision.next_allowed_at.tzinfo == action.borrower.tz
    assert DEFAULT.decide(replace(action, at=decision.next_allowed_at)).allowed


@settings(max_examples=300, deadline=None)
@given(actions())
def test_a_tighter_pack_never_allows_what_the_default_denies(action: ProposedAction) -> None:
    if not DEFAULT.decide(action).allowed:
        assert not STRICT.decide(action).allowed


@settings(max_examples=300, deadline=None)
@given(moments, st.sampled_from(ZONES))
def test_a_plain_call_passes_the_clock_iff_inside_08_to_22_local(
    at: datetime, tz: ZoneInfo
) -> None:
    call = ProposedAction(
        "c", Channel.CALL, Party.BORROWER, at, recorded=True, borrower=BorrowerContext(tz=tz)
    )
    local = at.astimezone(tz).time()
    assert DEFAULT.decide(call).allowed == (time(8) <= local < time(22))


@given(
    zone=st.sampled_from(["Asia/Shanghai", "Asia/Kolkata", "America/New_York", "Europe/London"]),
    instant=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    ),
    shift=st.integers(min_value=-1, max_value=1),
)
def test_local_day_bounds_agree_with_converting_each_instant(
    zone: str, instant: datetime, shift: int
) -> None:
    """CN-FREQ-1 compares instants with the day's bounds instead of converting each entry;
    both must put every instant on the same local day (DST zones included)."""
    tz = ZoneInfo(zone)
    day = instant.astimezone(tz).date() + timedelta(days=shift)
    start, end = local_day_bounds(day, tz)
    assert (start <= instant < end) == (instant.astimezone(tz).date() == day)

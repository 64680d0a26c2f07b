"""A story: one unpaid installment, planned night after night for four months."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from faircollect.domain.strategy import Party, plan_day
from tests.unit.strategy.factories import account, default_strategy

DUE = date(2026, 12, 13)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def night(day: date, **view: object) -> set[str]:
    dpd = max((day - DUE).days, 0)
    due_in = (DUE - day).days if dpd == 0 else None
    acc = account(dpd=dpd, due_in=due_in, as_of=day, **view)  # type: ignore[arg-type]
    return {a.key for a in plan_day([acc], default_strategy(), day, SHANGHAI)}


def test_first_four_months_of_an_unpaid_installment() -> None:
    days = [DUE + timedelta(days=n) for n in range(-8, 125)]
    diary = {day: night(day) for day in days}
    first = {key: min(d for d in days if key in diary[d]) for key in set().union(*diary.values())}
    assert first["sms_reminder"] == date(2026, 12, 10)  # T-3
    assert first["sms_due_day"] == DUE
    assert first["first_call"] == date(2026, 12, 14)  # DPD 1
    assert first["overdue_letter"] == DUE + timedelta(days=45)
    assert first["lawyer_letter"] == DUE + timedelta(days=75)
    assert first["agency_placement"] == DUE + timedelta(days=91)
    assert first["visit_notice"] == DUE + timedelta(days=95)
    assert first["litigation_referral"] == DUE + timedelta(days=120)
    assert "home_visit" not in first  # the notice was never recorded as sent
    assert "relay_request" not in first  # the borrower was reachable all along
    assert diary[date(2026, 12, 5)] == set()  # T-8: nothing


@settings(max_examples=150, deadline=None)
@given(
    dpd=st.integers(0, 200),
    due_in=st.one_of(st.none(), st.integers(0, 40)),
    failed=st.integers(0, 5),
    unreachable=st.booleans(),
    broken_ago=st.one_of(st.none(), st.integers(-2, 5)),
)
def test_planning_invariants(
    dpd: int, due_in: int | None, failed: int, unreachable: bool, broken_ago: int | None
) -> None:
    day = date(2026, 12, 10)
    broken = day - timedelta(days=broken_ago) if broken_ago is not None else None
    acc = account(
        dpd=dpd,
        due_in=due_in,
        consecutive_failed_attempts=failed,
        borrower_unreachable=unreachable,
        broken_promise_on=broken,
    )
    planned = plan_day([acc], default_strategy(), day, SHANGHAI)
    assert len({a.action_id for a in planned}) == len(planned)
    for action in planned:
        assert action.scheduled_at.date() == day and action.scheduled_at.tzinfo is not None
        if action.party is Party.EMERGENCY_CONTACT:
            assert unreachable or failed >= 3
            assert set(action.context) <= {"name", "hotline"}
        if action.channel is not None:
            assert action.target is not None
    assert [a.action_id for a in plan_day([acc], default_strategy(), day, SHANGHAI)] == [
        a.action_id for a in planned
    ]

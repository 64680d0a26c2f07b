"""planning_filter: the loader's shortcut may only skip accounts plan_day would leave alone."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from faircollect.domain.strategy import Challenger, Strategy, plan_day, planning_filter
from tests.unit.strategy.factories import AS_OF, account, default_strategy

TZ = ZoneInfo("Asia/Shanghai")


@cache
def rival() -> Strategy:
    """The default strategy with a longer early stage (DPD 31-60 are early accounts)."""
    strategy = default_strategy()
    return replace(
        strategy, name="rival", thresholds=replace(strategy.thresholds, early_max_dpd=60)
    )


@cache
def with_challenger() -> Strategy:
    return replace(default_strategy(), challenger=Challenger(strategy=rival(), share_bp=5_000))


@settings(max_examples=300, deadline=None)
@given(
    which=st.sampled_from(["default", "challenger"]),
    loan=st.integers(0, 10_000),
    dpd=st.integers(0, 400),
    due_in=st.one_of(st.none(), st.integers(-60, 60)),
    failed=st.integers(0, 5),
    notice_days_ago=st.one_of(st.none(), st.integers(0, 40)),
)
def test_an_account_the_filter_skips_gets_no_action(
    which: str, loan: int, dpd: int, due_in: int | None, failed: int, notice_days_ago: int | None
) -> None:
    strategy = default_strategy() if which == "default" else with_challenger()
    due = None if due_in is None else AS_OF + timedelta(days=due_in)
    notice = None if notice_days_ago is None else AS_OF - timedelta(days=notice_days_ago)
    view = account(
        f"L{loan}",
        dpd=dpd,
        due_in=due_in,
        consecutive_failed_attempts=failed,
        visit_notice_sent_on=notice,
    )
    if not planning_filter(strategy, AS_OF)(dpd, due):
        assert plan_day([view], strategy, AS_OF, TZ) == []


def test_the_filter_keeps_reminder_days_and_skips_the_days_between() -> None:
    may_plan = planning_filter(default_strategy(), AS_OF)

    def day(days: int) -> date:
        return AS_OF + timedelta(days=days)

    # default strategy: SMS at T-3 and T-1, push at T-3, SMS on the due day
    assert [may_plan(0, day(-n)) for n in range(6)] == [
        True,
        False,
        False,
        False,
        False,
        False,
    ]
    assert [may_plan(0, day(n)) for n in range(6)] == [True, True, False, True, False, False]
    assert not may_plan(0, day(20)) and not may_plan(0, None)  # current: no segment
    assert may_plan(1, day(30))  # the first call on DPD 1
    assert not may_plan(2, day(30))  # nothing in the early stage fires on DPD 2
    assert may_plan(31, None) and not may_plan(32, None)  # intensive: a call every 2 days


def test_with_a_challenger_the_filter_keeps_what_either_arm_can_plan() -> None:
    # DPD 34: intensive for the champion (nothing fires), early for the rival (a follow-up
    # call every 3 days from DPD 4 fires)
    assert not planning_filter(default_strategy(), AS_OF)(34, None)
    assert planning_filter(rival(), AS_OF)(34, None)
    assert planning_filter(with_challenger(), AS_OF)(34, None)

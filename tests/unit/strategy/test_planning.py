"""Planning stories: what the default strategy plans for an account on a given day."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from faircollect.domain.ledger.state import Stage
from faircollect.domain.strategy import (
    ActionKind,
    Challenger,
    Channel,
    Party,
    Purpose,
    plan_day,
    template_context,
)
from tests.unit.strategy.factories import AS_OF, account, default_strategy

SHANGHAI = ZoneInfo("Asia/Shanghai")


def keys(acc: object, day: object = AS_OF) -> set[str]:
    return {a.key for a in plan_day([acc], default_strategy(), day, SHANGHAI)}  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("story", "view", "expected"),
    [
        ("T-7: in pre_due but no reminder yet", dict(due_in=7), set()),
        ("T-3: SMS and app push", dict(due_in=3), {"sms_reminder", "push_reminder"}),
        ("T-2: nothing", dict(due_in=2), set()),
        ("T-1: SMS", dict(due_in=1), {"sms_reminder"}),
        ("due day: due-day SMS", dict(due_in=0), {"sms_due_day"}),
        ("T-10: current, nothing", dict(due_in=10), set()),
        ("DPD 1: first call and day-1 notice", dict(dpd=1, due_in=20), {"first_call", "sms_day1"}),
        ("DPD 2: nothing", dict(dpd=2), set()),
        ("DPD 4: follow-up call", dict(dpd=4), {"follow_up_call"}),
        ("DPD 7: follow-up call and reminder", dict(dpd=7), {"follow_up_call", "sms_reminder"}),
        ("DPD 31: intensive call", dict(dpd=31), {"call"}),
        ("DPD 45: call and overdue letter", dict(dpd=45), {"call", "overdue_letter"}),
        ("DPD 75: call and lawyer letter", dict(dpd=75), {"call", "lawyer_letter"}),
        ("DPD 91: agency placement", dict(dpd=91), {"agency_placement"}),
        ("DPD 120: litigation referral", dict(dpd=120), {"litigation_referral"}),
    ],
)
def test_default_strategy_story(story: str, view: dict[str, int], expected: set[str]) -> None:
    assert keys(account(**view)) == expected, story


def test_t3_sms_is_scheduled_on_due_minus_3_in_the_borrowers_time_zone() -> None:
    acc = account(due_in=3)
    (sms,) = [
        a for a in plan_day([acc], default_strategy(), AS_OF, SHANGHAI) if a.key == "sms_reminder"
    ]
    assert sms.scheduled_at == datetime.combine(AS_OF, time(10, 0), tzinfo=SHANGHAI)
    assert sms.channel is Channel.SMS and sms.party is Party.BORROWER
    assert sms.target == "13800000001"
    assert sms.template == "sms_pre_due"
    assert sms.context["amount_due"] == "888.12"
    assert sms.context["due_date"] == (AS_OF + timedelta(days=3)).isoformat()
    expected = template_context(acc, Party.BORROWER, default_strategy(), AS_OF)
    assert dict(sms.context) == expected and len(sms.context) == len(expected)
    urumqi = ZoneInfo("Asia/Urumqi")
    (far,) = [
        a
        for a in plan_day([replace(acc, tz=urumqi)], default_strategy(), AS_OF, SHANGHAI)
        if a.key == "sms_reminder"
    ]
    assert far.scheduled_at.tzinfo is urumqi


def test_first_call_on_dpd_1_and_the_day1_sms_has_amounts_in_yuan() -> None:
    planned = plan_day([account(dpd=1, overdue=50_005)], default_strategy(), AS_OF, SHANGHAI)
    call = next(a for a in planned if a.key == "first_call")
    assert call.stage is Stage.EARLY and call.channel is Channel.CALL
    assert call.scheduled_at.date() == AS_OF
    assert call.context == {}  # no template, so no context is built
    notice = next(a for a in planned if a.key == "sms_day1")
    assert notice.context["overdue_total"] == "500.05"


@pytest.mark.parametrize(
    ("unreachable", "failed", "relay_planned"),
    [
        (False, 0, False),
        (False, 2, False),
        (False, 3, True),  # three consecutive failed attempts: unreachable (CN-3P-1)
        (True, 0, True),  # invalid number
    ],
)
def test_emergency_contact_only_when_borrower_unreachable(
    unreachable: bool, failed: int, relay_planned: bool
) -> None:
    acc = account(dpd=5, borrower_unreachable=unreachable, consecutive_failed_attempts=failed)
    planned = plan_day([acc], default_strategy(), AS_OF, SHANGHAI)
    relays = [a for a in planned if a.party is Party.EMERGENCY_CONTACT]
    assert bool(relays) is relay_planned
    for relay in relays:
        assert relay.purpose is Purpose.RELAY
        assert relay.target == "13900000009"
        assert set(relay.context) == {"name", "hotline"}  # nothing about the debt


def test_visit_without_notice_plans_the_notice_letter_instead() -> None:
    planned = plan_day([account(dpd=95)], default_strategy(), AS_OF, SHANGHAI)
    assert [a.key for a in planned if a.channel in (Channel.VISIT, Channel.LETTER)] == [
        "visit_notice"
    ]
    notice = next(a for a in planned if a.key == "visit_notice")
    assert notice.channel is Channel.LETTER and notice.template == "letter_visit_notice"
    assert notice.target == "上海市浦东新区示例路1号"


@pytest.mark.parametrize(
    ("notice_days_ago", "expected"),
    [(None, "visit_notice"), (1, None), (3, "home_visit"), (10, "home_visit")],
)
def test_visit_waits_for_a_notice_sent_at_least_3_days_before(
    notice_days_ago: int | None, expected: str | None
) -> None:
    sent = AS_OF - timedelta(days=notice_days_ago) if notice_days_ago is not None else None
    acc = account(dpd=99, visit_notice_sent_on=sent)
    found = {a.key for a in plan_day([acc], default_strategy(), AS_OF, SHANGHAI)} & {
        "visit_notice",
        "home_visit",
    }
    assert found == ({expected} if expected else set())


def test_dpd_91_goes_to_agency_placement_contacting_nobody() -> None:
    planned = plan_day([account(dpd=91)], default_strategy(), AS_OF, SHANGHAI)
    (placement,) = [a for a in planned if a.kind is ActionKind.AGENCY_PLACEMENT]
    assert placement.stage is Stage.LEGAL
    assert placement.channel is None and placement.target is None


@pytest.mark.parametrize(
    ("dpd", "days_since_broken", "expected"),
    [
        (10, 0, {"broken_promise_call"}),
        (10, 1, {"broken_promise_sms"}),
        (10, 2, set()),
        (40, 0, {"broken_promise_call"}),
        (40, 2, {"broken_promise_letter"}),
    ],
)
def test_broken_promise_escalates(dpd: int, days_since_broken: int, expected: set[str]) -> None:
    broken = AS_OF - timedelta(days=days_since_broken)
    with_promise = keys(account(dpd=dpd, broken_promise_on=broken))
    without = keys(account(dpd=dpd))
    assert with_promise - without == expected


def test_broken_promise_in_the_future_is_ignored() -> None:
    future = AS_OF + timedelta(days=1)
    assert keys(account(dpd=10, broken_promise_on=future)) == keys(account(dpd=10))


def test_repeat_high_risk_segment_is_chosen_before_the_default() -> None:
    planned = plan_day(
        [
            account("A", dpd=3, first_time_delinquent=False, risk_score=750),
            account("B", dpd=3, first_time_delinquent=True, risk_score=750),
            account("C", dpd=3, first_time_delinquent=False, risk_score=None),
        ],
        default_strategy(),
        AS_OF,
        SHANGHAI,
    )
    assert {(a.loan_id, a.segment) for a in planned} == {("A", "early_repeat_high_risk")}


def test_action_ids_are_deterministic_and_distinct() -> None:
    accounts = [account(f"L{i}", dpd=1) for i in range(50)]
    first = plan_day(accounts, default_strategy(), AS_OF, SHANGHAI)
    again = plan_day(accounts, default_strategy(), AS_OF, SHANGHAI)
    assert [a.action_id for a in first] == [a.action_id for a in again]
    assert len({a.action_id for a in first}) == len(first) == 100
    next_day = plan_day(accounts, default_strategy(), AS_OF + timedelta(days=1), SHANGHAI)
    assert not {a.action_id for a in next_day} & {a.action_id for a in first}


def test_t3_email_goes_only_to_a_borrower_who_gave_an_address() -> None:
    assert "email_reminder" not in keys(account(due_in=3))  # the factory has no address
    acc = account(due_in=3, borrower_email="zhang.san@example.com")
    assert keys(acc) == {"sms_reminder", "push_reminder", "email_reminder"}
    (email,) = [
        a for a in plan_day([acc], default_strategy(), AS_OF, SHANGHAI) if a.key == "email_reminder"
    ]
    assert email.channel is Channel.EMAIL and email.purpose is Purpose.NOTIFY
    assert email.target == "zhang.san@example.com"
    assert email.template == "email_pre_due"
    on_t1 = account(due_in=1, borrower_email="zhang.san@example.com")
    assert keys(on_t1) == {"sms_reminder"}  # T-3 only: one e-mail per installment


def test_missing_contact_details_plan_no_contact() -> None:
    acc = account(due_in=3, borrower_phone=None)
    assert keys(acc) == {"push_reminder"}


def test_challenger_arm_is_recorded_and_uses_the_challenger_strategy() -> None:
    champion = default_strategy()
    quiet = replace(champion, name="quiet", segments=())
    strategy = replace(champion, challenger=Challenger(quiet, share_bp=5_000))
    accounts = [account(f"L{i}", dpd=1) for i in range(400)]
    planned = plan_day(accounts, strategy, AS_OF, SHANGHAI)
    assert {a.arm for a in planned} == {"champion"}  # the challenger plans nothing here
    planned_loans = {a.loan_id for a in planned}
    assert 150 < len(planned_loans) < 250
    again = {a.loan_id for a in plan_day(accounts, strategy, AS_OF, SHANGHAI)}
    assert again == planned_loans

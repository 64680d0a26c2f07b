"""Quality inspection (质检): scores, violations with rule ids, a stable review sample."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from faircollect.domain.casework.contacts import Outcome
from faircollect.domain.casework.errors import CaseworkError
from faircollect.domain.casework.qa import (
    CollectorScore,
    SentMessage,
    SettledPromise,
    Violation,
    in_sample,
    run_qa,
)
from faircollect.domain.compliance.actions import Channel

from .factories import at, contact, fake_screen

DAY = date(2026, 3, 2)
RECORDS = [
    contact("R1", at(DAY, 9), Outcome.NO_ANSWER),
    contact("R2", at(DAY, 10), Outcome.PROMISE, note="客户承诺周五还款"),
    contact("R3", at(DAY, 11), Outcome.REFUSAL, note="客户是个废物，拒绝还款"),
    contact("R4", at(DAY, 12), Outcome.BORROWER_REACHED, actor="c-li"),
    contact("R5", at(DAY, 13), Outcome.PROMISE, actor="c-li", channel=Channel.SMS),
    contact("R6", at(date(2026, 3, 3), 9), Outcome.PROMISE, note="不还钱就抓你"),  # next day
]
MESSAGES = [
    SentMessage("M1", "C1", "c-li", at(DAY, 14), Channel.SMS, "再不还款就通知公安"),
    SentMessage("M2", "C1", "c-li", at(DAY, 15), Channel.SMS, "您的借款已逾期，请尽快还款。"),
]
SETTLED = [
    SettledPromise("PTP1", "c-wang", True),
    SettledPromise("PTP2", "c-wang", False),
    SettledPromise("PTP3", "c-wang", True),
]


def test_scores_per_collector_with_violations_and_their_rules() -> None:
    report = run_qa(DAY, RECORDS, MESSAGES, SETTLED, fake_screen, rate=Fraction(0))
    assert report.scores == (
        CollectorScore(
            "c-li",
            2,
            2,
            1,
            0,
            0,
            (Violation("message:M1", "c-li", "CN-PROH-1", "impersonation", "公安"),),
        ),
        CollectorScore(
            "c-wang",
            3,
            2,
            1,
            3,
            2,
            (Violation("contact:R3", "c-wang", "CN-PROH-1", "insult", "废物"),),
        ),
    )
    assert str(report.scores[1].kept_rate) == "0.6667"
    assert report.scores[0].kept_rate is None


def test_flagged_calls_are_always_sampled_and_only_calls_are_sampled() -> None:
    assert run_qa(DAY, RECORDS, MESSAGES, [], fake_screen, rate=Fraction(0)).sample == ("R3",)
    everything = run_qa(DAY, RECORDS, MESSAGES, [], fake_screen, rate=Fraction(1)).sample
    assert everything == ("R1", "R2", "R3", "R4")  # R5 is an SMS, R6 another day


def test_the_sample_is_stable_and_near_the_rate() -> None:
    many = [contact(f"R{n:04d}", at(DAY, 10), Outcome.NO_ANSWER) for n in range(2000)]
    first = run_qa(DAY, many, [], [], fake_screen, rate=Fraction(1, 10), salt="2026-03-02")
    again = run_qa(
        DAY, list(reversed(many)), [], [], fake_screen, rate=Fraction(1, 10), salt="2026-03-02"
    )
    assert first.sample == again.sample
    assert 140 <= len(first.sample) <= 260
    other = run_qa(DAY, many, [], [], fake_screen, rate=Fraction(1, 10), salt="other")
    assert other.sample != first.sample
    assert all(in_sample(r, Fraction(1, 10), "2026-03-02") for r in first.sample)


def test_a_rate_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(CaseworkError, match="between 0 and 1"):
        run_qa(DAY, [], [], [], fake_screen, rate=Fraction(3, 2))

"""A negated phrase is a promise or a warning, not a threat; negation stays in its clause."""

from __future__ import annotations

import pytest

from faircollect.domain.compliance.findings import Label
from faircollect.domain.compliance.screener import screen

NEGATED = [
    "我们不会上门骚扰您。",
    "我们绝不会爆通讯录。",
    "本公司从不收取催收服务费。",
    "逾期不会坐牢,但会影响征信。",
    "请勿相信街头传单。",
    "严禁催收员半夜打电话。",
    "我们不建议您去别的平台借一下来还款。",
]


@pytest.mark.parametrize("text", NEGATED)
def test_negated_phrase_does_not_fire(text: str) -> None:
    assert screen(text) == ()


def test_negation_does_not_reach_into_the_next_clause() -> None:
    text = "我们不会再提醒了,明天就爆通讯录。"
    assert Label.THIRD_PARTY in {f.label for f in screen(text)}


def test_a_question_form_is_not_a_negation() -> None:
    assert Label.VIOLENCE_THREAT in {f.label for f in screen("你的车会不会被烧,我可说不准。")}
    assert Label.INSULT in {f.label for f in screen("你是不是傻逼?")}


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("不还钱不要怪我们打断你的腿", Label.VIOLENCE_THREAT),
        ("不要以为我们不敢爆你通讯录", Label.THIRD_PARTY),
        ("你没有钱就去借", Label.BORROW_TO_REPAY),
    ],
)
def test_a_rhetorical_negation_does_not_negate(text: str, label: Label) -> None:
    assert label in {f.label for f in screen(text)}


def test_unrelated_bu_does_not_negate() -> None:
    """ "不还钱" holds 不 but negates nothing about the threat that follows."""
    assert Label.FALSE_LEGAL in {f.label for f in screen("你不还钱就坐牢。")}


def test_a_promise_after_the_phrase_negates_it_within_the_clause() -> None:
    assert screen("凌晨时段我们不会联系您。") == ()
    assert Label.HARASSMENT in {f.label for f in screen("凌晨接着打,我们不会停。")}

"""Each evasion technique is undone; evidence quotes the message as sent."""

from __future__ import annotations

import pytest

from faircollect.domain.compliance.findings import Label
from faircollect.domain.compliance.screener import screen

EVASIONS = [
    ("traditional", "今晚殺你全家。", Label.VIOLENCE_THREAT, "殺你全家"),
    ("traditional", "明天爆你通訊錄。", Label.THIRD_PARTY, "爆你通訊錄"),
    ("full-width", "ＳＢ,还钱。", Label.INSULT, "ＳＢ"),
    ("full-width letters", "你个ｓｈａｂｉ。", Label.INSULT, "ｓｈａｂｉ"),
    ("spaces", "坐 牢 吧 你", Label.FALSE_LEGAL, "坐 牢"),
    ("symbols", "傻*逼,还钱", Label.INSULT, "傻*逼"),
    ("symbols", "曝/光你的照片", Label.PUBLIC_SHAMING, "曝/光"),
    ("zero-width", "傻\u200b逼,还钱", Label.INSULT, "傻\u200b逼"),
    ("emoji filler", "打😀断😀你😀的😀腿", Label.VIOLENCE_THREAT, "打😀断😀你😀的😀腿"),
    ("emoji meaning", "不还钱就🔪你", Label.VIOLENCE_THREAT, "🔪"),
    ("emoji meaning", "你家准备⚰️", Label.VIOLENCE_THREAT, "⚰"),
    ("typed pinyin", "等着zuo lao吧", Label.FALSE_LEGAL, "zuo lao"),
    ("typed pinyin", "sha ni quan jia", Label.VIOLENCE_THREAT, "sha ni quan jia"),
    ("initials", "nmsl 还钱", Label.INSULT, "nmsl"),
    ("initials", "cnm,接电话", Label.INSULT, "cnm"),
    ("homophone", "你个煞笔", Label.INSULT, "煞笔"),
    ("homophone", "等着做牢吧", Label.FALSE_LEGAL, "做牢"),
    ("homophone", "明天报你通讯录", Label.THIRD_PARTY, "报你通讯录"),
]


@pytest.mark.parametrize(("technique", "text", "label", "evidence"), EVASIONS)
def test_evasion_is_caught(technique: str, text: str, label: Label, evidence: str) -> None:
    found = [f for f in screen(text) if f.label is label]
    assert found, f"{technique}: {label} not found in {text!r}"
    assert evidence in {f.evidence for f in found}


@pytest.mark.parametrize(
    "text",
    [
        "请插入USB Key登录。",  # "sb" inside a word is not an insult
        "你马上还款就不会产生罚息。",  # 你马 sounds like 尼玛 but is not
        "鉴于您的情况,我们同意延期。",  # jianyu: a homophone of 监狱, not listed on purpose
        "我们已经联系上您的家人转告回电。",  # li'an in lian is not 立案
        "请到红旗路营业厅办理。",  # hongqi: homophone of 红漆, two syllables are too common
        "想了解一下您不能还款的原因。",  # jie yi xia: 解一下 is not 借一下
    ],
)
def test_innocent_look_alikes_pass(text: str) -> None:
    assert screen(text) == ()

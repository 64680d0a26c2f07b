"""Each label: violations are caught with the right evidence; lawful look-alikes pass.

Messages here are written for the tests, not taken from the labelled set.
"""

from __future__ import annotations

import pytest

from faircollect.domain.compliance.findings import RULE_FOR_LABEL, Label
from faircollect.domain.compliance.screener import screen

VIOLATIONS = [
    (Label.VIOLENCE_THREAT, "周五前不还,打断你的腿。", "打断你的腿"),
    (Label.VIOLENCE_THREAT, "我们知道你住在哪个小区,自己小心。", "我们知道你住"),
    (Label.VIOLENCE_THREAT, "钱不到账,你就等着收尸。", "收尸"),
    (Label.INSULT, "你这个废物,两千块都拖。", "废物"),
    (Label.INSULT, "王八蛋,给我接电话。", "王八蛋"),
    (Label.IMPERSONATION, "我是朝阳公安局的,你的网贷必须今天结清。", "公安局"),
    (Label.IMPERSONATION, "我代表人民法院通知你,明天之前把欠款还清。", "法院"),
    (Label.FALSE_LEGAL, "再拖两天你就要坐牢了。", "坐牢"),
    (Label.FALSE_LEGAL, "我们马上刑事立案。", "刑事立案"),
    (Label.THIRD_PARTY, "今晚开始爆通讯录。", "爆通讯录"),
    (Label.THIRD_PARTY, "你是他的紧急联系人,你得替他还。", "替他还"),
    (Label.PUBLIC_SHAMING, "你的欠款明天贴到业主群里。", "业主群"),
    (Label.PUBLIC_SHAMING, "下周去你家门口泼红漆。", "泼红漆"),
    (Label.HARASSMENT, "我们用呼死你打你的号码。", "呼死你"),
    (Label.HARASSMENT, "每天半夜打给你。", "半夜"),
    (Label.FEE_DEMAND, "先交300元停催费。", "停催费"),
    (Label.FEE_DEMAND, "协商前需要先交保证金2000元。", "保证金"),
    (Label.FEE_DEMAND, "要办分期,需要缴纳1,500元的审核费。", "费"),  # 1,500: no clause break
    (Label.BORROW_TO_REPAY, "你花呗还有额度,借出来先还我们。", "花呗"),
    (Label.BORROW_TO_REPAY, "去别的平台借一下把我们的还了。", "别的平台借"),
    (Label.BORROW_TO_REPAY, "信用卡套现一下就能还。", "套现"),
]

LAWFUL = [
    "【安信消费金融】您的借款本期应还2,480.00元,还款日为12月20日,请按时还款。",
    "您已逾期7天,根据借款合同约定按日0.05%计收罚息,当前罚息合计12.60元。",
    "您的逾期信息将依法如实报送中国人民银行征信中心。",
    "若您持续不还款,我司保留依法起诉的权利。",
    "北京明正律师事务所受委托向您发出律师函,请于十日内联系委托人协商还款。",
    "我司将于12月5日上午安排两名工作人员上门拜访,会提前告知并全程录音。",
    "您好,有重要事情找李雷先生,请转告他回电,谢谢。",
    "【海淀区人民法院】您有一份诉讼文书待签收,请登录人民法院在线服务平台查看。",
    "欠款属于民事纠纷,不会坐牢,请您放心。",
    "我们不会上门骚扰,也不会联系您的家人或同事。",
    "我司不收取任何停催费、征信修复费,请勿轻信。",
    "请不要以贷养贷,有困难可以申请分期。",
    "警惕冒充公检法的诈骗,公安机关不会打电话让您还钱。",
    "请使用USB Key登录网银还款。",
    "您作为保证人,依据保证合同需在保证范围内承担保证责任。",
    "暴力催收可能构成犯罪,我司严格禁止。",
    "我们每天最多联系您一次,不会在晚上十点后打电话。",
    "按合同约定,您需缴纳信用卡年费100元。",
]


@pytest.mark.parametrize(("label", "text", "evidence"), VIOLATIONS)
def test_violation_is_found_with_its_evidence(label: Label, text: str, evidence: str) -> None:
    findings = [f for f in screen(text) if f.label is label]
    assert findings, f"{label} not found in {text!r}"
    assert any(evidence in f.evidence for f in findings)
    assert all(f.rule == RULE_FOR_LABEL[label] for f in findings)


@pytest.mark.parametrize("text", LAWFUL)
def test_lawful_message_passes(text: str) -> None:
    assert screen(text) == ()


def test_multi_label_message_reports_each_label() -> None:
    labels = {f.label for f in screen("你个老赖,明天就把你的照片发到业主群,再打断你的腿。")}
    assert labels == {Label.INSULT, Label.PUBLIC_SHAMING, Label.VIOLENCE_THREAT}


def test_court_notice_passes_but_court_asking_for_money_is_impersonation() -> None:
    genuine = "这里是东城区人民法院,您的案件定于1月8日上午开庭,请按时到庭。"
    fake = "这里是东城区人民法院,请今天把欠款转入以下账户。"
    assert screen(genuine) == ()
    assert {f.label for f in screen(fake)} == {Label.IMPERSONATION}


def test_relay_that_reveals_the_debt_is_third_party() -> None:
    relay = "您好,请转告张伟给我们回电,谢谢。"
    reveals = "您好,你的朋友张伟欠款3000元不还,请转告他。"
    assert screen(relay) == ()
    assert Label.THIRD_PARTY in {f.label for f in screen(reveals)}


def test_empty_and_symbol_only_messages_have_no_findings() -> None:
    assert screen("") == ()
    assert screen("。。。!!! 🙂🙂") == ()

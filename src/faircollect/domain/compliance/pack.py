# PLACEHOLDER: replaced by the gate branch at merge
"""Minimal stand-in for the rule pack: only the API and rules the screener's explanations use."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """A rule's id, citation and explanations."""

    id: str
    citation: str
    title_zh: str
    title_en: str
    explain_zh: str
    explain_en: str


@dataclass(frozen=True, slots=True)
class RulePack:
    """Rules by id."""

    rules: dict[str, RuleInfo]

    def rule(self, rule_id: str) -> RuleInfo:
        """The rule with this id (KeyError if the pack has none)."""
        return self.rules[rule_id]


_RULES = (
    RuleInfo(
        "CN-PROH-1",
        "中国银行业协会《金融机构个人消费类贷款催收工作指引（试行）》“八不准”；《消费金融公司管理办法》",
        "催收禁止行为",
        "Prohibited collection conduct",
        "催收不得使用暴力、威胁、恐吓、侮辱、欺诈，不得冒充国家机关或司法机关，"
        "不得以催收名义收取费用，不得诱导借新还旧。",
        "No violence, threats, intimidation, insults or fraud; no impersonating government or "
        "judicial bodies; no fees in the name of collection; no pushing to borrow elsewhere.",
    ),
    RuleInfo(
        "CN-3P-1",
        "《金融机构个人消费类贷款催收工作指引（试行）》；《商业银行信用卡业务监督管理办法》第六十八条；"
        "《消费金融公司管理办法》（2024）",
        "不得向无关第三人催收",
        "No collection from unrelated third parties",
        "只能向借款人本人或担保人催收；联系其他人只能在联系不上本人时请其转告回电，不得透露欠款。",
        "Collect only from the debtor or guarantor; others may only be asked to relay a call-back "
        "request when the debtor is unreachable, never told of the debt.",
    ),
    RuleInfo(
        "SOFT-1",
        "两高两部《关于办理实施“软暴力”的刑事案件若干问题的意见》（2019）第一、二条",
        "软暴力",
        "Soft violence",
        "跟踪、曝光隐私、张贴喷涂、拉横幅、泼洒、堵门、聚众滋扰，以及通过电话、网络实施的同类滋扰，"
        "属于软暴力。",
        "Following, exposing private information, posting or painting notices, banners, splashing, "
        "blocking doors, crowd harassment, and the same acts online or by phone.",
    ),
)


def default_pack() -> RulePack:
    """The default pack ``cn`` (placeholder subset)."""
    return RulePack({rule.id: rule for rule in _RULES})

"""Plain-Chinese explanations of screener findings, for the borrower.

The CLI ``check-message`` prints these and the borrower portal will show them: what in the
message is unlawful (quoted), which rule it breaks and where that rule comes from, and what the
borrower can do. Pure: findings and the rule pack come in, an ``Explanation`` goes out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from faircollect.domain.compliance.findings import Finding, Label, Source
from faircollect.domain.compliance.pack import RulePack

WHAT_IT_IS: dict[Label, str] = {
    Label.VIOLENCE_THREAT: "威胁你或你家人的人身、财产安全，或用“知道你住哪”之类的话恐吓你。",
    Label.INSULT: "辱骂、侮辱你的人格。",
    Label.IMPERSONATION: "冒充或假借公安、检察院、法院、政府的名义，或冒充自己并不是的律师。"
    "真正的公检法不会打电话、发短信让你还钱或转账；真正受委托的律师事务所发出的律师函本身是合法的。",
    Label.FALSE_LEGAL: "用不真实的法律后果吓唬你，比如“马上立案抓人”“全家失信”“让你成为老赖”"
    "“冻结你所有银行卡”。单纯逾期未还是民事纠纷；只有信用卡恶意透支等情形、经司法机关依法认定，"
    "才可能涉及刑事责任，所以对方既不能用坐牢吓你，也没有人能保证一定“不会坐牢”。"
    "家人不替你承担债务；冻结账户、查封房产、列入失信名单都必须经过法院。",
    Label.THIRD_PARTY: "向你的家人、朋友、同事等无关的人透露欠款或要他们还钱，或以此威胁你。",
    Label.PUBLIC_SHAMING: "公开你的欠款或个人信息（群发、传单、张贴、泼漆、曝光等）让你难堪。",
    Label.HARASSMENT: "用频繁、深夜或不间断的电话、短信、跟踪、堵门来骚扰你。",
    Label.FEE_DEMAND: "以催收的名义向你收取合同里没有的费用。",
    Label.BORROW_TO_REPAY: "诱导你去别处借钱、套现来还款（以贷养贷会让债务越滚越大）。",
}
"""What each kind of finding means, in words a borrower uses."""

ADVICE_ALWAYS = (
    "保留证据：把这条消息截图，通话请录音，记下时间、号码和对方自称的身份。",
    "先向放贷机构投诉，要求停止违规催收（机构应在15日内处理并答复）。",
    "向国家金融监督管理总局投诉：拨打 12378。",
    "涉及征信、个人信息或支付的问题，向中国人民银行投诉：拨打 12363。",
    "如果是网络借贷平台，也可以向中国互联网金融协会的互联网金融举报信息平台举报。",
)
ADVICE_POLICE = "如果对方威胁你或家人的人身安全，或冒充警察，请立即拨打 110 报警。"
ADVICE_COURT = (
    "是否真的被起诉，可拨打 12368 向法院核实；法院文书由法院依法送达，不会让你向个人账户转账。"
)


def lender_advice(complaint_line: str) -> str:
    """The lender's own complaint line, first of the routes (COMP-1)."""
    return (
        f"先向放贷机构投诉（客服/投诉电话 {complaint_line}），要求停止违规催收"
        "（机构应在15日内处理并答复）。"
    )


LAWFUL_NOTE = (
    "这条消息没有发现违法催收的内容，看起来是合规的提醒。",
    "提醒：欠款仍需按合同处理；如有困难可以主动联系放贷机构协商分期或延期。",
    "真正的法院传票由法院送达（可拨打 12368 核实），不会通过催收短信发出。",
    "如果之后收到威胁、辱骂或骚扰，请保留证据并拨打 12378 或 12363 投诉。",
)
MODEL_NOTE = (
    "   来源：模型判断（把握约 {percent}%）：这段话的整体措辞像违规催收，上面引用的是最关键的词句，"
    "不是固定词语的匹配；请结合上下文判断。"
)
"""Said of a problem only the learned model found (issue 12): the borrower should know it is
a judgement of the wording, not a listed phrase."""

POLICE_LABELS = frozenset({Label.VIOLENCE_THREAT, Label.IMPERSONATION})
COURT_LABELS = frozenset({Label.IMPERSONATION, Label.FALSE_LEGAL})


@dataclass(frozen=True, slots=True)
class Problem:
    """One kind of unlawful language in the message, with the passages that show it."""

    label: Label
    evidence: tuple[str, ...]
    what: str
    rule_id: str
    rule_title: str
    citation: str
    rule_explain: str
    model_probability: float | None = None
    """Set when only the learned model found this kind of problem: its confidence."""

    @property
    def by_model(self) -> bool:
        """True when the finding is the model's judgement rather than a lexicon phrase."""
        return self.model_probability is not None


@dataclass(frozen=True, slots=True)
class Explanation:
    """The checker's answer: problems (empty when the message looks lawful) and advice."""

    problems: tuple[Problem, ...]
    advice: tuple[str, ...]

    @property
    def lawful(self) -> bool:
        """True when nothing unlawful was found."""
        return not self.problems


def explain(
    findings: Sequence[Finding], pack: RulePack, complaint_line: str | None = None
) -> Explanation:
    """Group findings by label (in order of first appearance) and attach rule and advice;
    ``complaint_line`` is the lender's own, when known.

    A label found only by the learned model says so (``Problem.model_probability``); once the
    lexicon found it too, the listed phrase is the explanation."""
    by_label: dict[Label, list[str]] = {}
    rules: dict[Label, str] = {}
    model_only: dict[Label, float | None] = {}
    for finding in findings:
        quotes = by_label.setdefault(finding.label, [])
        if finding.evidence not in quotes:
            quotes.append(finding.evidence)
        rules[finding.label] = finding.rule
        if finding.source is Source.MODEL and model_only.get(finding.label, 0.0) is not None:
            model_only[finding.label] = max(
                model_only.get(finding.label) or 0.0, finding.probability or 0.0
            )
        else:
            model_only[finding.label] = None
    problems = tuple(
        _problem(label, tuple(quotes), pack, rules[label], model_only[label])
        for label, quotes in by_label.items()
    )
    if not problems:
        return Explanation(problems, LAWFUL_NOTE)
    advice = _advice(set(by_label))
    if complaint_line:
        advice = (advice[0], lender_advice(complaint_line), *advice[2:])
    return Explanation(problems, advice)


def _problem(
    label: Label,
    evidence: tuple[str, ...],
    pack: RulePack,
    rule_id: str,
    model_probability: float | None,
) -> Problem:
    rule = pack.rule(rule_id)
    return Problem(
        label,
        evidence,
        WHAT_IT_IS[label],
        rule.id,
        rule.title_zh,
        rule.citation,
        rule.explain_zh,
        model_probability,
    )


def _advice(labels: set[Label]) -> tuple[str, ...]:
    advice = list(ADVICE_ALWAYS)
    if labels & POLICE_LABELS:
        advice.append(ADVICE_POLICE)
    if labels & COURT_LABELS:
        advice.append(ADVICE_COURT)
    return tuple(advice)


def render_zh(explanation: Explanation) -> str:
    """The explanation as plain Chinese text, one point per line; each rule's source and
    explanation are given once, however many findings break it."""
    if explanation.lawful:
        return "\n".join(explanation.advice)
    lines = [f"这条消息有 {len(explanation.problems)} 类违法催收内容："]
    for number, problem in enumerate(explanation.problems, 1):
        quoted = "、".join(f"“{quote}”" for quote in problem.evidence)
        lines += [
            f"{number}. {quoted}",
            f"   问题：{problem.what}",
            f"   违反：{problem.rule_id}（{problem.rule_title}）",
        ]
        if problem.model_probability is not None:
            lines.append(MODEL_NOTE.format(percent=round(problem.model_probability * 100)))
    lines.append("相关规定：")
    for problem in {p.rule_id: p for p in explanation.problems}.values():
        lines.append(f"- {problem.rule_id}（{problem.rule_title}）：{problem.rule_explain}")
        lines.append(f"  依据：{problem.citation}")
    lines.append("你可以这样做：")
    lines += [f"- {item}" for item in explanation.advice]
    return "\n".join(lines)

"""The borrower's explanation: evidence, rule and citation, and what to do."""

from __future__ import annotations

from faircollect.domain.compliance.explain import explain, render_zh
from faircollect.domain.compliance.findings import Finding, Label, Source
from faircollect.domain.compliance.pack import default_pack


def finding(label: Label, rule: str, evidence: str) -> Finding:
    return Finding(label, rule, 0, len(evidence), evidence)


def test_threat_explained_with_rule_citation_and_police() -> None:
    result = explain([finding(Label.VIOLENCE_THREAT, "CN-PROH-1", "打断你的腿")], default_pack())
    assert not result.lawful
    [problem] = result.problems
    assert problem.evidence == ("打断你的腿",)
    assert problem.rule_id == "CN-PROH-1"
    assert "催收工作指引" in problem.citation
    text = render_zh(result)
    assert "“打断你的腿”" in text
    assert all(word in text for word in ("12378", "12363", "110", "截图", "录音"))


def test_findings_of_one_label_are_grouped_and_deduplicated() -> None:
    findings = [
        finding(Label.INSULT, "CN-PROH-1", "废物"),
        finding(Label.THIRD_PARTY, "CN-3P-1", "爆通讯录"),
        finding(Label.INSULT, "CN-PROH-1", "废物"),
        finding(Label.INSULT, "CN-PROH-1", "人渣"),
    ]
    result = explain(findings, default_pack())
    assert [(p.label, p.evidence) for p in result.problems] == [
        (Label.INSULT, ("废物", "人渣")),
        (Label.THIRD_PARTY, ("爆通讯录",)),
    ]
    assert result.problems[1].rule_title == default_pack().rule("CN-3P-1").title_zh
    assert "110" not in render_zh(result)


def test_lawful_message_says_so_and_points_to_12368() -> None:
    result = explain([], default_pack())
    assert result.lawful
    text = render_zh(result)
    assert "合规" in text and "12368" in text and "法院送达" in text


def test_each_rule_is_explained_once_however_many_findings_break_it() -> None:
    """A threat, an insult and a fee demand all break CN-PROH-1: three problems, one
    explanation of the rule."""
    findings = [
        finding(Label.VIOLENCE_THREAT, "CN-PROH-1", "打断你的腿"),
        finding(Label.INSULT, "CN-PROH-1", "废物"),
        finding(Label.FEE_DEMAND, "CN-PROH-1", "交催收费"),
    ]
    text = render_zh(explain(findings, default_pack()))
    rule = default_pack().rule("CN-PROH-1")
    assert text.count(rule.explain_zh) == 1 and text.count(rule.citation) == 1
    assert text.count("违反：CN-PROH-1") == 3


def test_the_texts_tell_the_truth_about_jail_lawyers_and_laolai() -> None:
    false_legal = explain([finding(Label.FALSE_LEGAL, "CN-PROH-1", "坐牢")], default_pack())
    what = false_legal.problems[0].what
    assert "恶意透支" in what and "不会因此坐牢" not in what  # TRUTH-1: never promise it
    assert "老赖" in what  # a false legal threat, not an insult
    posing = explain([finding(Label.IMPERSONATION, "CN-PROH-1", "律师")], default_pack())
    assert "律师函本身是合法的" in posing.problems[0].what


def test_every_complaint_route_is_given_with_the_lenders_own_line_first() -> None:
    result = explain(
        [finding(Label.IMPERSONATION, "CN-PROH-1", "公安局")], default_pack(), "400-123-4567"
    )
    text = render_zh(result)
    for route in ("400-123-4567", "12378", "12363", "12368", "110", "互联网金融举报信息平台"):
        assert route in text, route
    assert text.index("400-123-4567") < text.index("12378")


def test_a_problem_only_the_model_found_says_it_is_the_models_judgement() -> None:
    by_model = Finding(Label.VIOLENCE_THREAT, "CN-PROH-1", 0, 4, "几点放学", Source.MODEL, 0.91)
    result = explain([by_model], default_pack())
    [problem] = result.problems
    assert problem.by_model and problem.model_probability == 0.91
    assert "模型判断（把握约 91%）" in render_zh(result)


def test_once_the_lexicon_found_the_label_the_phrase_explains_it() -> None:
    by_model = Finding(Label.INSULT, "CN-PROH-1", 0, 2, "你个", Source.MODEL, 0.8)
    by_lexicon = finding(Label.INSULT, "CN-PROH-1", "废物")
    for findings in ([by_model, by_lexicon], [by_lexicon, by_model]):
        [problem] = explain(findings, default_pack()).problems
        assert not problem.by_model
        assert "模型判断" not in render_zh(explain(findings, default_pack()))

"""A negator negates a phrase only when it governs it (issue 12); negation stays in its clause.

Table-driven: each row is a message, the lexicon's expected labels and why. These test the
lexicon's rule (``lexicon_screener``): the combined screener may add model findings on top.
"""

from __future__ import annotations

import pytest

from faircollect.domain.compliance.findings import Label
from faircollect.domain.compliance.screener import lexicon_screener, screen

V, F, T, P, H, B, INSULT = (
    Label.VIOLENCE_THREAT,
    Label.FALSE_LEGAL,
    Label.THIRD_PARTY,
    Label.PUBLIC_SHAMING,
    Label.HARASSMENT,
    Label.BORROW_TO_REPAY,
    Label.INSULT,
)

NEGATED = [
    ("我们不会上门骚扰您。", "不会 governs 上门骚扰"),
    ("我们绝不会爆通讯录。", "绝不 governs 爆通讯录"),
    ("本公司从不收取催收服务费。", "从不 governs 收取"),
    ("逾期不会坐牢,但会影响征信。", "不会 governs 坐牢"),
    ("请勿相信街头传单。", "请勿 governs 相信 ... 传单"),
    ("严禁催收员半夜打电话。", "严禁 governs the whole act"),
    ("我们不建议您去别的平台借一下来还款。", "不建议 governs 借"),
    ("逾期不会影响子女考公务员。", "不会 governs 影响 ... 考公务员"),
    ("我们承诺：不爆通讯录、不骚扰家人、不上门堵门。", "不 right before each phrase"),
    ("本次方案无额外手续费。", "无额外 governs 手续费"),
    ("单纯的逾期，不会因为逾期就拘留您。", "a reason (因为) keeps the negation across 就"),
    ("我司绝不会说“不还款就坐牢”。", "a negated 说 governs the quotation"),
    ("请不要通过其他网贷平台借款或信用卡套现来偿还。", "不要 reaches 套现 within 20 characters"),
    ("我们不会让您的孩子不能考公务员。", "不会 governs the deprivation"),
]

NOT_NEGATED = [
    ("你再不还，孩子不能考公务员。", F, "不能考公务员 is the threat itself"),
    ("下次就不是红漆了。", V, "an escalation: worse than red paint"),
    ("没有还款的话就给你发传单。", P, "没有 governs 还款; 的话 / 就 start the consequence"),
    ("不还钱就坐牢。", F, "不还 is the condition"),
    ("我们不会再提醒了,明天就爆通讯录。", T, "negation does not reach into the next clause"),
    ("你的车会不会被烧,我可说不准。", V, "a question form is not a negation"),
    ("你是不是傻逼?", INSULT, "a question form is not a negation"),
    ("不还钱不要怪我们打断你的腿", V, "rhetorical: 不要怪"),
    ("不要以为我们不敢爆你通讯录", T, "rhetorical: 不要以为"),
    ("你没有钱就去借", B, "没有钱 is the condition"),
    ("你今天不帮他还，我每天给你打三十个电话。", T, "不 after 你今天 is a condition"),
    ("没有回复的话，我们只能去你家门口泼红漆。", P, "只能 breaks 没有's scope"),
    ("凌晨接着打,我们不会停。", H, "我们不会 after the phrase refers to stopping"),
]


def lexicon_labels(text: str) -> set[Label]:
    return {finding.label for finding in lexicon_screener().screen(text)}


@pytest.mark.parametrize(("text", "why"), NEGATED)
def test_a_governing_negator_negates(text: str, why: str) -> None:
    assert lexicon_labels(text) == set(), why


@pytest.mark.parametrize(("text", "label", "why"), NOT_NEGATED)
def test_a_negator_that_does_not_govern_the_phrase_does_not_negate(
    text: str, label: Label, why: str
) -> None:
    assert label in lexicon_labels(text), why


def test_an_escalation_past_paint_is_not_a_paint_threat() -> None:
    """The paint was last time; what is threatened now is worse (and not public shaming)."""
    assert lexicon_labels("下次就不是红漆了。") == {V}


def test_a_promise_after_the_phrase_negates_it_within_the_clause() -> None:
    assert lexicon_labels("凌晨时段我们不会联系您。") == set()


def test_a_verdict_after_the_phrase_negates_it() -> None:
    assert lexicon_labels("提醒：借新还旧会加重负担。") == set()


@pytest.mark.parametrize(
    "text",
    [
        "我要是真的还不上，会不会坐牢啊？我现在失业了。",
        "他们让我去别的平台借钱还，我不想再借了，还有别的办法吗？",
        "借款人：你们是不是会在业主群里发我的照片？\n客服：绝对不会。",
        "您刚才说担心还不上会坐牢，我先跟您解释一下：逾期通常是民事问题。",
        "客户询问“是否会坐牢”，已如实说明：逾期属民事纠纷。",
        "如您收到自称“经侦”“检察院”的催款电话，请挂断后拨打110核实。",
    ],
)
def test_what_the_borrower_asks_or_reports_is_not_collection_language(text: str) -> None:
    assert lexicon_labels(text) == set()


@pytest.mark.parametrize(
    "text",
    [
        "客服：通知您收到了吗？借款人：收到了，我会不会坐牢？客服：不会因为这个，这是民事纠纷。",
        "催收员骂我“没用的东西”，我这边都录了音。",
        "那个号码换着打，一天二十多个，他们还打给我同事，太过分了。",
    ],
)
def test_a_transcript_on_one_line_and_a_borrowers_retelling_are_not_collection_language(
    text: str,
) -> None:
    """Speaker labels count after a sentence's end too; a borrower who retells what a
    collector said or called them is reporting it."""
    assert lexicon_labels(text) == set()


def test_a_threat_after_an_inline_borrower_turn_still_counts() -> None:
    one_line = "借款人：我下周还。催收：下周？明天不还就爆你通讯录。"
    assert Label.THIRD_PARTY in lexicon_labels(one_line)
    assert Label.BORROW_TO_REPAY in lexicon_labels("借款人：…… 催收员：去借呗借一笔先还我们。")


def test_an_insult_is_one_whoever_writes_it() -> None:
    assert INSULT in lexicon_labels("你们催收的都是一群SB吗？")


def test_a_threat_in_a_transcript_still_counts_outside_the_borrowers_turn() -> None:
    text = "借款人：我下周还。\n催收：下周？明天不还就爆你通讯录。"
    assert Label.THIRD_PARTY in lexicon_labels(text)


def test_the_combined_screener_keeps_the_lexicons_negation() -> None:
    assert screen("我们不会上门骚扰您。") == ()


@pytest.mark.parametrize(
    "text",
    [
        "质检摘录：坐席对客户说“不还就让你坐牢”，已扣罚。",
        "培训：“知道你孩子在哪上学”这类话不论语气都属于威胁，一律禁止。",
        "兹证明借款人王某在我司借款已全部结清，无其他欠款，特此证明。",
    ],
)
def test_a_note_about_collection_language_is_not_collection_language(text: str) -> None:
    """QA and training notes quote a practice to forbid it; a certificate states a fact."""
    assert lexicon_labels(text) == set()
    assert screen(text) == ()


def test_a_collectors_note_of_what_was_done_still_counts_before_any_verdict() -> None:
    text = "外访员向借款人另收“上门费”300元，质检待复核。"
    assert Label.FEE_DEMAND in lexicon_labels(text)


@pytest.mark.parametrize(
    "text",
    [
        "催收员跟我说“你儿子在哪个学校我们都知道”，我好害怕，怎么办？",
        "催收发短信骂我“老赖”，我能去哪里投诉？",
    ],
)
def test_what_the_borrower_quotes_is_not_the_borrowers_collection_language(text: str) -> None:
    """Quoted words (even an insult) in a borrower's own question are what was said to them."""
    assert lexicon_labels(text) == set()
    assert screen(text) == ()

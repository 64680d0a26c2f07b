"""The night's gate screens from batches (``BatchedScreen``): every answer is the one the
combined screener gives the message on its own, prepared or not."""

from __future__ import annotations

from faircollect.domain.compliance.screener import default_screener, screen
from faircollect.domain.compliance.screener.batched import BatchedScreen

MESSAGES = [
    "【某某金融】张三您好，您的借款已逾期3天，应还金额 1,234.56 元，请及时还款。",
    "再不还钱就去你单位闹，让你同事都知道你是老赖。",
    "知道你孩子在哪个幼儿园上学，你自己掂量。",
    "您好，我们不会联系您的家人，请您方便时回电。",
    "逾期信息将按规定报送征信系统。",
]


def test_prepared_answers_are_the_screeners_own() -> None:
    batched = BatchedScreen(default_screener())
    batched.prepare([*MESSAGES, MESSAGES[1]])
    answers = [batched(text) for text in MESSAGES]
    assert answers == [screen(text) for text in MESSAGES]
    assert answers[1] and answers[2], "the threats must be found, or the test proves nothing"
    assert not answers[3] and not answers[4]


def test_a_text_nobody_prepared_is_screened_on_its_own() -> None:
    batched = BatchedScreen(default_screener())
    batched.prepare(MESSAGES[:2])
    assert batched(MESSAGES[2]) == screen(MESSAGES[2]) != ()


def test_preparing_again_forgets_the_previous_batch() -> None:
    """A night prepares chunk after chunk; the previous chunk's answers are not kept (the
    gate keeps its own cache), so memory follows the chunk, not the night."""
    batched = BatchedScreen(default_screener())
    batched.prepare(MESSAGES[:2])
    batched.prepare(MESSAGES[2:])
    assert set(batched._prepared) == set(MESSAGES[2:])

"""Borrowers' names next to ordinary words must not read as abuse (found in a demo night:
the lawful visit notice to 万涛 was denied because 涛先 sounds like 套现)."""

import pytest

from faircollect.domain.compliance.screener import screen


@pytest.mark.parametrize(
    "text",
    [
        "万涛 先生/女士：您好，我司工作人员将于12月3日上午前往拜访。",
        "张涛现在方便接听电话吗？",
        "尊敬的刘涛先生，您的本期账单已出。",
    ],
)
def test_names_beside_ordinary_words_are_not_flagged(text: str) -> None:
    assert screen(text) == ()


def test_cashing_out_a_card_is_still_caught_in_characters_and_pinyin() -> None:
    assert any(f.label == "borrow_to_repay" for f in screen("去信用卡套现还我们"))
    assert any(f.label == "borrow_to_repay" for f in screen("信用卡tao xian一下不就有钱了吗"))

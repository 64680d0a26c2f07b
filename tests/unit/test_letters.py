"""Issue 14: what a letter may say and when it may not be written (pure), and how its
lines are cut (never inside a number, never before closing punctuation)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from faircollect.adapters.letter_pdf import wrap
from faircollect.domain.ledger.state import AccountState
from faircollect.domain.lender import LenderProfile
from faircollect.domain.letters import LetterFacts, LetterKind, context, offered_kinds, refusals


def _state(dpd: int, principal: int) -> AccountState:
    fields = {
        f: 0
        for f in AccountState.__dataclass_fields__
        if f not in ("as_of", "bucket", "stage", "next_due_on")
    }
    return AccountState(
        **{
            **fields,
            "as_of": date(2026, 9, 15),
            "dpd": dpd,
            "bucket": "M3" if dpd else "M0",
            "stage": "intensive" if dpd else "current",
            "next_due_on": None,
            "overdue_principal": principal,
        }
    )


FACTS = LetterFacts(
    LetterKind.OVERDUE_NOTICE,
    "L1",
    "张三",
    date(2026, 9, 15),
    _state(76, 280_209),
    False,
    LenderProfile(law_firm=""),
)


def test_the_context_holds_the_lawful_amounts_in_yuan_and_the_visit_day() -> None:
    values = context(FACTS)
    assert values["overdue_principal"] == "2802.09" and values["dpd"] == "76"
    assert values["visit_from"] == "2026-09-18" and "law_firm" not in values
    assert values["lender"] == "示例消费金融有限公司" and values["excess_note"] == ""
    contract = replace(FACTS, contract=_state(76, 300_000))
    assert context(contract)["excess_note"] == (
        "（合同所列逾期金额为 3000.00 元，其中超出法律支持的 197.91 元不予催收）"
    )


@pytest.mark.parametrize(
    ("facts", "words"),
    [
        (replace(FACTS, lawful=_state(0, 0)), "not overdue"),
        (replace(FACTS, kind=LetterKind.LAWYER_LETTER), "no law firm"),
        (replace(FACTS, kind=LetterKind.VISIT_NOTICE, illegal=True), "CRIM-1"),
        (
            replace(
                FACTS,
                kind=LetterKind.LAWYER_LETTER,
                illegal=True,
                lender=LenderProfile(law_firm="示例律师事务所"),
            ),
            "CRIM-1",
        ),
    ],
)
def test_a_letter_that_may_not_be_written_is_refused(facts: LetterFacts, words: str) -> None:
    assert any(words in reason for reason in refusals(facts))


def test_an_overdue_notice_on_an_illegal_debt_may_still_state_the_lawful_amount() -> None:
    assert refusals(replace(FACTS, illegal=True)) == []


def test_lines_break_between_chinese_characters_never_inside_a_number() -> None:
    text = (
        "您在示例消费金融有限公司的借款（编号 L1）截至 2026-09-15 已逾期 76 天，合计 3374.74 元。"
    )
    for width in range(6, 40):
        lines = wrap(text, width, len)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        for line in lines:
            assert not line.startswith(("，", "。", "）", " "))
        for token in ("2026-09-15", "3374.74", "76", "L1"):
            assert any(token in line for line in lines), (width, lines)


def test_a_queued_letter_is_laid_out_with_its_kinds_title() -> None:
    from faircollect.domain.letters import from_message

    lender = LenderProfile()
    lawyer = from_message(
        "A1", "lawyer_letter", "律师函\n\n张三 先生/女士：…", lender, date(2026, 3, 30)
    )
    assert lawyer.title == "律师函" and lawyer.body.startswith("张三 先生/女士：")
    assert lawyer.reference == "A1" and "12378" in lawyer.body
    visit = from_message(
        "A2", "letter", "我方拟于 2026-04-02 起安排上门拜访。", lender, date(2026, 3, 30)
    )
    assert visit.kind is LetterKind.VISIT_NOTICE and visit.title == "上门拜访通知函"
    notice = from_message("A3", "letter", "已逾期 45 天。", lender, date(2026, 3, 30))
    assert notice.kind is LetterKind.OVERDUE_NOTICE


def test_a_lawyer_letter_is_offered_only_when_a_law_firm_acts_for_the_lender() -> None:
    everything = (LetterKind.OVERDUE_NOTICE, LetterKind.VISIT_NOTICE, LetterKind.LAWYER_LETTER)
    assert offered_kinds(LenderProfile(law_firm="示例律师事务所")) == everything
    assert offered_kinds(LenderProfile(law_firm="  ")) == everything[:2]

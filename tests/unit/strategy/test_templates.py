"""Message templates: render with real planning context, strictly, safely and lawfully."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from faircollect.adapters.templates import TemplateRenderer, TemplateRenderError
from faircollect.domain.strategy import Party, plan_day, template_context
from tests.unit.strategy.factories import AS_OF, account, default_strategy

RENDERER = TemplateRenderer()
DEBT_WORDS = ("借", "欠", "贷", "逾期", "还款", "元", "催", "债", "金融")
FORBIDDEN = ("坐牢", "拘留", "刑事", "公安", "法院已", "冻结", "曝光", "通讯录", "家人")


def borrower_context() -> dict[str, str]:
    acc = account(dpd=12, overdue=1_234_56, due_in=19)
    return template_context(acc, Party.BORROWER, default_strategy(), AS_OF)


@pytest.mark.parametrize("name", sorted(RENDERER.available() - {"sms_relay_emergency"}))
def test_every_borrower_template_renders_with_planning_context(name: str) -> None:
    text = RENDERER.render(name, {**borrower_context(), "law_firm": "某某律师事务所"})
    assert "{{" not in text and text
    for word in FORBIDDEN:
        assert word not in text, f"{name} contains {word}"


def test_amounts_and_dates_appear_exactly() -> None:
    text = RENDERER.render("sms_overdue_day1", borrower_context())
    assert "逾期应还合计 1234.56 元" in text
    assert "已逾期 12 天" in text
    pre = template_context(account(due_in=3), Party.BORROWER, default_strategy(), AS_OF)
    reminder = RENDERER.render("sms_pre_due", pre)
    assert "888.12 元" in reminder and "2026-12-13" in reminder


def test_relay_to_emergency_contact_reveals_nothing_about_the_debt() -> None:
    acc = account(dpd=5, borrower_unreachable=True)  # the SMS relay request
    planned = plan_day([acc], default_strategy(), AS_OF, ZoneInfo("Asia/Shanghai"))
    (relay,) = [a for a in planned if a.party is Party.EMERGENCY_CONTACT]
    text = RENDERER.render("sms_relay_emergency", relay.context)
    assert "张三" in text and "400-000-0000" in text
    for word in DEBT_WORDS:
        assert word not in text, word
    assert not re.search(r"\d+\.\d{2}", text)


def test_visit_notice_names_two_identified_staff_and_recording() -> None:
    text = RENDERER.render("letter_visit_notice", borrower_context())
    assert "两名工作人员" in text and "出示工作证件" in text and "录音录像" in text
    assert "2026-12-13 起安排上门拜访" in text  # three days' notice


def test_credit_reporting_is_stated_as_a_possibility_not_a_threat() -> None:
    text = RENDERER.render("letter_overdue_notice", borrower_context())
    assert "可能依法报送" in text


def test_lawyer_letter_needs_a_real_law_firm_configured() -> None:
    with pytest.raises(TemplateRenderError, match="'law_firm' is undefined"):
        RENDERER.render("lawyer_letter", borrower_context())
    firm = replace(
        default_strategy(),
        policies=replace(default_strategy().policies, law_firm="某某律师事务所"),
    )
    context = template_context(account(dpd=75), Party.BORROWER, firm, AS_OF)
    text = RENDERER.render("lawyer_letter", context)
    assert text.count("某某律师事务所") == 2 and "依法向人民法院提起民事诉讼" in text


def test_missing_variable_is_an_error() -> None:
    with pytest.raises(TemplateRenderError, match="'amount_due' is undefined"):
        RENDERER.render("sms_pre_due", {"lender": "x", "name": "张三"})


def test_unknown_template_is_an_error() -> None:
    with pytest.raises(TemplateRenderError, match="unknown template 'nope'"):
        RENDERER.render("nope", {})


def test_sandbox_refuses_access_to_python_internals(tmp_path: Path) -> None:
    (tmp_path / "evil.j2").write_text("{{ name.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(TemplateRenderError):
        TemplateRenderer(tmp_path).render("evil", {"name": "x"})

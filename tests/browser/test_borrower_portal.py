"""The borrower portal on a phone (issue 13), in Debian's Chromium: 张三 signs in with the
code the outbox holds, sees a loan whose lawful amount is below the contract's (砍头息 and
36 %), pastes an unlawful message and sees why, keeps it as evidence and complains. The
pictures go to docs/screenshots/ (11-portal-loan.png, 12-portal-check.png)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from faircollect.adapters.db.tables import complaints
from tests.web.borrower.support import KANTOU, ZHANG, add_kantou_loan, last_code

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser: Any, engine: Engine) -> Iterator[Any]:
    """A phone-sized page; any page or console error fails the story."""
    add_kantou_loan(engine)
    context = browser.new_context(
        locale="zh-CN", viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and "status of 4" not in message.text  # favicon
            else None
        ),
    )
    yield page
    context.close()
    assert problems == [], problems


def test_a_borrower_sees_what_is_lawfully_owed_checks_a_message_and_complains(
    phone: Any, engine: Engine, base_url: str
) -> None:
    page = phone
    page.goto(f"{base_url}/my/")
    assert page.url.endswith("/my/login")
    page.fill("input[name=phone]", ZHANG)
    page.click("text=获取验证码")
    page.wait_for_selector("input[name=code]")
    code = last_code(engine, ZHANG)
    assert code is not None
    page.fill("input[name=code]", code)
    page.click("button:has-text('登录')")
    page.wait_for_selector("text=张三，你好")

    page.click(f"a[href='/my/loans/{KANTOU}']")
    page.wait_for_selector("#excess")
    body = page.inner_text("main")
    assert "依法应还" in body and "KANTOU-1" in body and "83.42%" in body
    # the lawful amount is below the contract's
    assert "多要的部分" in body and "2,979.60" in body
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "11-portal-loan.png"), full_page=False)

    page.click("a[href='/my/check']")
    page.fill("textarea[name=text]", "再不还钱就去你单位闹，让你全家坐牢")
    page.click("button:has-text('检查')")
    page.wait_for_selector("#verdict")
    verdict = page.inner_text("#verdict")
    assert "SOFT-1" in verdict and "12378" in verdict
    page.screenshot(path=str(SCREENSHOTS / "12-portal-check.png"), full_page=False)

    page.click("button:has-text('保存为证据并投诉')")
    page.fill("textarea[name=text]", "催收员说要去我单位闹")
    page.click("button:has-text('提交投诉')")
    page.wait_for_selector("text=投诉已提交")
    assert "处理中" in page.inner_text("main")
    with engine.connect() as conn:
        evidence = conn.execute(select(complaints.c.evidence_text)).scalars().all()
    assert evidence == ["再不还钱就去你单位闹，让你全家坐牢"]

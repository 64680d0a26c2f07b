"""What only a browser shows: a collector's morning, a supervisor's approval, an agency
user who tries a case that is not theirs; htmx and the static scripts under the CSP."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, func, select

from faircollect.adapters.db.tables import contact_records, planned_actions, proposals
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.domain.casework.proposals import InstalmentPlan
from faircollect.services.casework.agencies import place_case
from faircollect.services.casework.proposals import submit_proposal
from faircollect.services.organisation import actor_for
from tests.scenarios.casework_world import CASE, DAY, at

OpenAs = Callable[[str], Any]


def records(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(contact_records)).scalar_one())


def night_call(engine: Engine) -> None:
    """The night gave C101 a call on L1 at 09:30."""
    with engine.begin() as conn:
        conn.execute(
            planned_actions.insert().values(
                action_id="A-0930",
                run_date=DAY,
                loan_id="L1",
                borrower_id="B1",
                stage="early",
                segment="early",
                arm="champion",
                action_key="call_early",
                kind="contact",
                channel="call",
                party="borrower",
                purpose="collect",
                target="13800000001",
                template="",
                priority=80,
                scheduled_at=at(DAY, 9, 30),
                tz="Asia/Shanghai",
                status="planned",
                allowed=True,
                decision='{"allowed": true, "violations": []}',
                rendered="",
                assignee="C101",
                assignee_kind="collector",
            )
        )


def test_a_collectors_morning(engine: Engine, base_url: str, signed_in_page: OpenAs) -> None:
    night_call(engine)
    page = signed_in_page("C101")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    queue = page.locator("table.queue tbody tr")
    assert queue.count() == 1 and "09:30" in queue.first.inner_text()

    page.fill("input[name=q]", "张三")  # the search box answers in place (htmx)
    page.wait_for_selector(f"#search-results a[href='/cases/{CASE}']")

    queue.first.locator(f"a[href='/cases/{CASE}']").click()
    page.wait_for_url(f"{base_url}/cases/{CASE}")
    page.wait_for_selector("#ledger-L1")  # the ledger panel arrives by htmx
    assert "真实年化" in page.locator("#ledger-L1").inner_text()

    form = page.locator("#contact-form")
    form.locator("input[name=at]").fill("2026-03-02T10:05")
    form.locator("select[name=outcome]").select_option("borrower_reached")
    form.locator("textarea[name=note]").fill("客户说下周一还款")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{base_url}/cases/{CASE}?done=contact")
    assert "催记已保存" in page.locator(".notice").inner_text()
    assert page.locator("ol.timeline li").count() == 1
    assert records(engine) == 1

    form = page.locator("#contact-form")
    form.locator("input[name=at]").fill("2026-03-02T23:00")
    form.locator("button[type=submit]").click()
    refusal = page.locator("#contact-result .refusal")
    refusal.wait_for()
    text = refusal.inner_text()
    assert "CN-TIME-1" in text and "催收时段限制" in text
    assert "从 3月3日 08:00 起可以联系" in text
    assert page.url == f"{base_url}/cases/{CASE}?done=contact"  # the page stayed
    assert records(engine) == 1  # nothing stored

    promise = page.locator("#promise-form")
    promise.locator("input[name=amount]").fill("1100.16")
    promise.locator("input[name=due]").fill("2026-03-09")
    promise.locator("button[type=submit]").click()
    page.wait_for_url(f"{base_url}/cases/{CASE}?done=promise")
    assert "还款承诺已记录" in page.locator(".notice").inner_text()
    row = page.locator("#promises tbody tr")
    assert row.count() == 1 and "1,100.16" in row.inner_text() and "2026-03-09" in row.inner_text()

    page.locator("form[action$='/calls'] button").click()  # the first call, step by step
    page.wait_for_url(f"{base_url}/calls/*")
    for done, label in enumerate(
        ("档案已看过，开始拨打", "本人接听", "继续", "今天还不了", "收入下降")
    ):
        page.click(f"form.answer button:has-text('{label}')")
        page.locator("ol.steps li.done").nth(done).wait_for()
    assert "依法报送征信" in page.locator(".call-card").inner_text()
    assert page.locator("ol.steps li.done").count() == 5


def test_a_supervisor_approves_a_plan(
    engine: Engine, base_url: str, signed_in_page: OpenAs
) -> None:
    with UnitOfWork(engine) as uow:
        c101 = actor_for(uow, "C101")
        submit_proposal(
            uow, c101, CASE, "L1", InstalmentPlan(6, Decimal("0.12"), date(2026, 3, 15)), DAY
        )
    page = signed_in_page("S001")
    page.click("nav.mainnav a:text('团队')")
    page.wait_for_url(f"{base_url}/team")
    pending = page.locator(".proposal")
    assert pending.count() == 1 and "6 期，年利率 12.00%" in pending.inner_text()
    pending.locator("input[name=why]").fill("收入证明已核实")
    pending.locator("button:text('批准')").click()
    page.wait_for_url(f"{base_url}/team?done=approved")
    assert "方案已批准" in page.locator(".notice").inner_text()
    assert page.locator(".proposal").count() == 0
    with engine.connect() as conn:
        assert conn.execute(select(proposals.c.status)).scalar_one() == "approved"
    page.goto(f"{base_url}/cases/{CASE}")
    assert "已批准" in page.locator("#proposals").inner_text()

    page.goto(f"{base_url}/overview")  # ECharts draws from the JSON block under the CSP
    page.wait_for_selector("#chart-bucket[data-drawn] canvas")
    page.wait_for_selector("#chart-status[data-drawn] canvas")


def test_an_agency_user_cannot_open_a_case_that_is_not_theirs(
    engine: Engine, base_url: str, signed_in_page: OpenAs
) -> None:
    with UnitOfWork(engine) as uow:
        place_case(uow, actor_for(uow, "S001"), CASE, "AG02", date(2026, 2, 20))
    theirs = signed_in_page("A201")
    theirs.click("nav.mainnav a:text('佣金结算')")
    theirs.wait_for_url(f"{base_url}/agency")
    theirs.click(f"a[href='/cases/{CASE}']")
    theirs.wait_for_url(f"{base_url}/cases/{CASE}")
    assert "张三" in theirs.locator("h1").inner_text()

    other = signed_in_page("A101")
    assert other.locator(f"a[href='/cases/{CASE}']").count() == 0
    answer = other.goto(f"{base_url}/cases/{CASE}")
    assert answer is not None and answer.status == 404
    assert "找不到" in other.locator(".refusal h3").inner_text()
    main = other.locator("main").inner_text()
    assert "张三" not in main and "13800000001" not in other.content()

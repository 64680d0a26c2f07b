"""The workbench pages, role by role, on SQLite and PostgreSQL: each page renders for the
roles that may see it and answers 403 / 404 to those that may not; forms refuse bad input
with a message naming the field and change nothing; the gate's refusal shows its rule.

The world: 张三's loan L1 is 15 days past due on 2 Mar 2026, case C-B1-20260302 is owned
by C101 (team T-EARLY, supervisor S001); the app's clock is 10:00 that morning.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, select

from faircollect.adapters.db.tables import (
    account_states,
    contact_records,
    planned_actions,
    promises,
    proposals,
)
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.services.casework.agencies import place_case
from tests.scenarios.casework_world import DAY, at
from tests.web.pages_support import HTMX, count, text_of

PageAs = Callable[[str], Any]
CASE = "C-B1-20260302"


def overdue_of(engine: Engine, loan_id: str) -> int:
    s = account_states
    total = s.c.overdue_principal + s.c.overdue_interest + s.c.overdue_fee + s.c.penalty
    with engine.connect() as conn:
        return int(conn.execute(select(total).where(s.c.loan_id == loan_id)).scalar_one())


def yuan_text(fen: int) -> str:
    """Fen as the pages write it: thousands separators, two decimals."""
    return f"{Decimal(fen) / 100:,.2f}"


def planned_call(engine: Engine, action_id: str, hour: int, assignee: str = "C101") -> None:
    """A call the night planned for L1 today and gave to ``assignee``."""
    with engine.begin() as conn:
        conn.execute(
            planned_actions.insert().values(
                action_id=action_id,
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
                scheduled_at=at(DAY, hour),
                tz="Asia/Shanghai",
                status="planned",
                allowed=True,
                decision='{"allowed": true, "violations": []}',
                rendered="",
                assignee=assignee,
                assignee_kind="collector",
            )
        )


def denied_sms(engine: Engine, action_id: str) -> None:
    """An SMS the night planned at 22:30 and the gate denied under CN-TIME-1."""
    decision = {
        "allowed": False,
        "violations": [{"rule": "CN-TIME-1", "reason": "22:30 is outside 08:00-22:00"}],
    }
    with engine.begin() as conn:
        conn.execute(
            planned_actions.insert().values(
                action_id=action_id,
                run_date=DAY,
                loan_id="L1",
                borrower_id="B1",
                stage="early",
                segment="early",
                arm="champion",
                action_key="sms_overdue",
                kind="contact",
                channel="sms",
                party="borrower",
                purpose="collect",
                target="13800000001",
                template="sms_overdue",
                priority=10,
                scheduled_at=at(DAY, 22, 30),
                tz="Asia/Shanghai",
                status="denied",
                allowed=False,
                decision=json.dumps(decision),
                rules="CN-TIME-1",
                rendered="",
            )
        )


# Who may open which page ---------------------------------------------------------------

ROLES = ("C101", "C102", "S001", "A101", "Q001", "K001", "ADMIN")


PAGES = {
    "/": set(ROLES),
    "/cases": set(ROLES),
    f"/cases/{CASE}": {"C101", "S001", "Q001", "K001", "ADMIN"},
    "/loans/L1": {"C101", "S001", "Q001", "K001", "ADMIN"},
    "/team": {"S001", "ADMIN"},
    "/compliance": {"S001", "Q001", "K001", "ADMIN"},
    "/qa": {"S001", "Q001", "K001", "ADMIN"},
    "/overview": {"S001", "Q001", "K001", "ADMIN"},
    "/agency": {"A101"},
}
"""Each page and the users who may open it."""


def refusal_for(user_id: str, path: str) -> int:
    """What a user who may not open ``path`` gets: a case or loan outside their scope
    does not exist for them (404); a page their role may not open is 403; a supervisor or
    admin on /agency without naming the agency is asked to name one (422)."""
    if path.startswith(("/cases/", "/loans/")):
        return 404
    if path == "/agency" and user_id in ("S001", "ADMIN"):
        return 422
    return 403


def test_each_page_opens_for_the_roles_that_may_see_it(page_as: PageAs) -> None:
    for user_id in ROLES:
        browser = page_as(user_id)
        for path, allowed in PAGES.items():
            answer = browser.get(path)
            if user_id in allowed:
                assert answer.status_code == 200, (user_id, path, answer.text[:500])
                assert '<html lang="zh-CN">' in answer.text
            else:
                assert answer.status_code == refusal_for(user_id, path), (user_id, path)
                assert 'class="refusal"' in answer.text  # a page of the workbench


def test_a_page_without_a_session_goes_to_the_login_page(app_client: Any) -> None:
    answer = app_client.get(f"/cases/{CASE}", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/login?next=/cases/{CASE}"
    htmx = app_client.get("/cases", headers=HTMX, follow_redirects=False)
    assert htmx.status_code == 401 and htmx.headers["HX-Redirect"].startswith("/login?next=")


def test_pages_run_no_inline_script_or_style(page_as: PageAs, db_engine: Engine) -> None:
    """The CSP forbids inline script and style: no page may rely on them."""
    denied_sms(db_engine, "A-DENIED")
    s001 = page_as("S001")
    for path in (
        "/",
        "/cases",
        f"/cases/{CASE}",
        "/loans/L1",
        "/team",
        "/compliance",
        "/qa",
        "/overview",
        "/agency?agency=AG01",
        "/api/docs",
    ):
        answer = s001.get(path)
        assert answer.status_code == 200, path
        assert "script-src 'self'" in answer.headers["content-security-policy"]
        assert ' style="' not in answer.text, path
        assert " on" + "click=" not in answer.text, path
        for tag in re.findall(r"<script[^>]*>", answer.text):
            assert 'src="/static/' in tag or 'type="application/json"' in tag, (path, tag)


# 今日工作 and search -------------------------------------------------------------------


def test_the_collectors_day_lists_the_queue_with_its_counters(
    page_as: PageAs, db_engine: Engine
) -> None:
    planned_call(db_engine, "A-LATE", 14)
    planned_call(db_engine, "A-EARLY", 9)
    page = page_as("C101").get("/")
    text = text_of(page.text)
    assert page.text.index("09:00") < page.text.index("14:00")  # by time within a priority
    assert page.text.count(f'href="/cases/{CASE}"') == 2
    overdue = yuan_text(overdue_of(db_engine, "L1"))
    assert f"{overdue} 在催逾期总额（元）" in text
    assert "2 今日待办" in text and "2 待拨电话" in text and "1 在催案件" in text
    assert "0 今日到期承诺" in text
    other = text_of(page_as("C102").get("/").text)
    assert "0 在催案件" in other and "今天没有待办事项" in other


def test_search_finds_a_case_by_name_phone_or_loan_in_the_users_scope(page_as: PageAs) -> None:
    c101 = page_as("C101")
    for q in ("张", "13800000001", "L1", CASE):
        found = c101.get("/cases", params={"q": q, "compact": "1"}, headers=HTMX)
        assert found.status_code == 200
        assert f'href="/cases/{CASE}"' in found.text, q
        assert "<html" not in found.text  # the fragment only
    assert "没有找到案件" in c101.get("/cases", params={"q": "李四"}, headers=HTMX).text
    assert c101.get("/cases", params={"q": "", "compact": "1"}, headers=HTMX).text.strip() == ""
    assert "没有找到案件" in page_as("C102").get("/cases", params={"q": "张"}).text


# The case page -------------------------------------------------------------------------


def test_the_case_page_masks_the_id_number_by_role_and_shows_the_ledger(
    page_as: PageAs,
) -> None:
    collector = page_as("C101").get(f"/cases/{CASE}").text
    assert "1101**********1234" in collector and "110101199001011234" not in collector
    assert "110101199001011234" in page_as("S001").get(f"/cases/{CASE}").text
    assert 'hx-get="/loans/L1"' in collector
    ledger = page_as("C101").get("/loans/L1", headers=HTMX)
    assert "<html" not in ledger.text
    text = text_of(ledger.text)
    assert "真实年化（IRR）" in text and "砍头息" in text
    assert text.count("1,100.16") >= 3  # the installments 等额本息 12,000.00 at 18%
    assert "2026-02-15" in text
    # The cap's note, written in English for the CLI, is said in Chinese on the page.
    assert "licensed lender" not in text and "private lending" not in text
    assert "适用综合融资成本上限 24%（RATE-2）" in text or "一年期 LPR" in text


def contact(at_time: str, **extra: str) -> dict[str, str]:
    """The contact form as the page sends it (its 是否录音 select defaults to 是)."""
    return {
        "channel": "call",
        "party": "borrower",
        "number": "13800000001",
        "outcome": "no_answer",
        "at": at_time,
        "recorded": "yes",
        **extra,
    }


def test_a_call_not_stated_as_recorded_is_refused_under_cc_68(
    page_as: PageAs, db_engine: Engine
) -> None:
    form = contact("2026-03-02T10:05")
    del form["recorded"]
    refused = page_as("C101").post(f"/cases/{CASE}/contacts", form, htmx=True)
    assert refused.status_code == 422 and "CC-68" in text_of(refused.text)
    assert count(db_engine, contact_records) == 0


def test_a_contact_the_gate_denies_is_refused_with_the_rule_and_nothing_is_stored(
    page_as: PageAs, db_engine: Engine
) -> None:
    c101 = page_as("C101")
    refused = c101.post(f"/cases/{CASE}/contacts", contact("2026-03-02T23:00"), htmx=True)
    assert refused.status_code == 422
    assert "<html" not in refused.text  # the fragment shown under the form
    text = text_of(refused.text)
    assert "CN-TIME-1" in text and "催收时段限制" in text
    assert "每日22:00至次日08:00" in text  # the rule pack's Chinese explanation
    assert "从 3月3日 08:00 起可以联系" in text
    assert count(db_engine, contact_records) == 0
    whole = c101.post(f"/cases/{CASE}/contacts", contact("2026-03-02T23:00"))
    assert whole.status_code == 422 and '<html lang="zh-CN">' in whole.text
    assert "从 3月3日 08:00 起可以联系" in text_of(whole.text)
    assert count(db_engine, contact_records) == 0


def test_a_third_party_contact_that_discloses_the_debt_is_refused_without_a_waiting_time(
    page_as: PageAs, db_engine: Engine
) -> None:
    form = contact(
        "2026-03-02T10:30",
        party="emergency_contact",
        number="13900000009",
        outcome="third_party_reached",
        purpose="collect",
        discloses_debt="yes",
    )
    refused = page_as("C101").post(f"/cases/{CASE}/contacts", form, htmx=True)
    assert refused.status_code == 422
    text = text_of(refused.text)
    assert "CN-3P-1" in text and "第三人联系限制" in text
    assert "等待不能使这次联系合规" in text
    assert count(db_engine, contact_records) == 0


def test_a_lawful_contact_is_stored_and_shown_in_the_timeline(
    page_as: PageAs, db_engine: Engine
) -> None:
    c101 = page_as("C101")
    form = contact(
        "2026-03-02T10:05",
        outcome="borrower_reached",
        reason="income_drop",
        note="客户说下周发工资后还款",
    )
    made = c101.post(f"/cases/{CASE}/contacts", form)
    assert made.status_code == 303
    assert made.headers["location"] == f"/cases/{CASE}?done=contact"
    assert count(db_engine, contact_records, case_id=CASE, actor="C101") == 1
    page = text_of(c101.get(made.headers["location"]).text)
    assert "催记已保存" in page
    assert "2026-03-02 10:05" in page and "联系到本人" in page and "收入下降" in page
    assert "客户说下周发工资后还款" in page
    htmx = c101.post(f"/cases/{CASE}/contacts", contact("2026-03-02T10:20"), htmx=True)
    assert htmx.status_code == 204 and htmx.headers["HX-Redirect"] == f"/cases/{CASE}?done=contact"


@pytest.mark.parametrize(
    ("form", "field"),
    [
        (contact("2026-03-02T10:05", channel="pigeon"), "渠道"),
        (contact("2026-03-02T10:05", outcome="happy"), "结果"),
        (contact("yesterday"), "联系时间"),
        (contact("2026-03-02T10:05", number="  "), "号码"),
    ],
)
def test_a_contact_form_with_bad_input_names_the_field_and_stores_nothing(
    page_as: PageAs, db_engine: Engine, form: dict[str, str], field: str
) -> None:
    refused = page_as("C101").post(f"/cases/{CASE}/contacts", form, htmx=True)
    assert refused.status_code == 422
    assert field in text_of(refused.text)
    assert count(db_engine, contact_records) == 0


def test_a_promise_is_recorded_from_the_case_page(page_as: PageAs, db_engine: Engine) -> None:
    c101 = page_as("C101")
    made = c101.post(
        f"/cases/{CASE}/promises", {"loan_id": "L1", "amount": "1,100.16", "due": "2026-03-06"}
    )
    assert made.status_code == 303, made.text
    with db_engine.connect() as conn:
        row = conn.execute(select(promises)).one()
    assert (row.loan_id, row.amount, row.due_on, row.made_by) == (
        "L1",
        110_016,
        date(2026, 3, 6),
        "C101",
    )
    page = text_of(c101.get(made.headers["location"]).text)
    assert "还款承诺已记录" in page and "1,100.16" in page and "2026-03-06" in page


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"loan_id": "L1", "amount": "abc", "due": "2026-03-06"}, "金额"),
        ({"loan_id": "L1", "amount": "10.001", "due": "2026-03-06"}, "金额"),
        ({"loan_id": "L1", "amount": "-5", "due": "2026-03-06"}, "金额"),
        ({"loan_id": "L1", "amount": "1e3", "due": "2026-03-06"}, "金额"),
        ({"loan_id": "L1", "amount": "١٠٠", "due": "2026-03-06"}, "金额"),
        ({"loan_id": "L1", "amount": "1_000", "due": "2026-03-06"}, "金额"),
        ({"loan_id": "L1", "amount": "100", "due": "2026-13-01"}, "还款日期"),
        ({"loan_id": "L1", "amount": "100", "due": ""}, "还款日期"),
    ],
)
def test_a_promise_form_with_bad_input_names_the_field_and_stores_nothing(
    page_as: PageAs, db_engine: Engine, form: dict[str, str], field: str
) -> None:
    refused = page_as("C101").post(f"/cases/{CASE}/promises", form, htmx=True)
    assert refused.status_code == 422
    assert field in text_of(refused.text)
    assert count(db_engine, promises) == 0


def test_amounts_typed_in_full_width_are_read_as_the_digits_they_show(
    page_as: PageAs, db_engine: Engine
) -> None:
    """A Chinese input method in full-width mode types １，１００．１６: the same amount."""
    made = page_as("C101").post(
        f"/cases/{CASE}/promises",
        {"loan_id": "L1", "amount": "１，１００．１６", "due": "2026-03-06"},
    )
    assert made.status_code == 303, made.text
    with db_engine.connect() as conn:
        assert conn.execute(select(promises.c.amount)).scalar_one() == 110_016


def test_a_promise_on_a_loan_the_user_may_not_see_is_not_found(
    page_as: PageAs, db_engine: Engine
) -> None:
    refused = page_as("C102").post(
        f"/cases/{CASE}/promises", {"loan_id": "L1", "amount": "100", "due": "2026-03-06"}
    )
    assert refused.status_code == 404
    assert count(db_engine, promises) == 0


def test_a_form_without_the_csrf_token_is_refused(page_as: PageAs, db_engine: Engine) -> None:
    c101 = page_as("C101")
    answer = c101.client.post(
        f"/cases/{CASE}/contacts", data=contact("2026-03-02T10:05"), follow_redirects=False
    )
    assert answer.status_code == 403
    assert count(db_engine, contact_records) == 0


# Proposals and the supervisor's board ----------------------------------------------------


def plan_form(**extra: str) -> dict[str, str]:
    return {
        "loan_id": "L1",
        "kind": "plan",
        "months": "6",
        "annual_rate": "0.12",
        "first_due": "2026-03-15",
        "note": "失业三个月",
        **extra,
    }


@pytest.mark.parametrize(
    ("form", "field"),
    [
        (plan_form(months="0"), "期数"),
        (plan_form(months="六"), "期数"),
        (plan_form(months="²"), "期数"),
        (plan_form(months="٦"), "期数"),
        (plan_form(annual_rate="1e-1"), "年利率"),
        (plan_form(annual_rate="12%"), "年利率"),
        (plan_form(first_due="soon"), "首期还款日"),
        (plan_form(kind="gift"), "方案类型"),
        (plan_form(kind="waiver", component="penalty", amount="0"), "金额"),
        (plan_form(kind="waiver", component="fees", amount="10"), "减免项目"),
    ],
)
def test_a_proposal_form_with_bad_input_names_the_field_and_stores_nothing(
    page_as: PageAs, db_engine: Engine, form: dict[str, str], field: str
) -> None:
    refused = page_as("C101").post(f"/cases/{CASE}/proposals", form, htmx=True)
    assert refused.status_code == 422
    assert field in text_of(refused.text)
    assert count(db_engine, proposals) == 0


def test_a_collector_proposes_and_the_supervisor_approves_on_the_board(
    page_as: PageAs, db_engine: Engine
) -> None:
    c101, s001 = page_as("C101"), page_as("S001")
    made = c101.post(f"/cases/{CASE}/proposals", plan_form())
    assert made.status_code == 303
    assert "方案已提交" in text_of(c101.get(made.headers["location"]).text)
    with db_engine.connect() as conn:
        proposal_id = conn.execute(select(proposals.c.proposal_id)).scalar_one()
    board = text_of(s001.get("/team").text)
    assert "1 待审批方案" in board and "6 期，年利率 12.00%" in board
    own = c101.post(f"/proposals/{proposal_id}/decision", {"decision": "approve", "why": "ok"})
    assert own.status_code == 403
    no_reason = s001.post(f"/proposals/{proposal_id}/decision", {"decision": "approve", "why": ""})
    assert no_reason.status_code == 422 and "原因" in text_of(no_reason.text)
    approved = s001.post(
        f"/proposals/{proposal_id}/decision", {"decision": "approve", "why": "收入证明已核实"}
    )
    assert approved.status_code == 303 and approved.headers["location"] == "/team?done=approved"
    with db_engine.connect() as conn:
        status = conn.execute(select(proposals.c.status)).scalar_one()
    assert status == "approved"
    assert "0 待审批方案" in text_of(s001.get("/team").text)
    case_page = text_of(c101.get(f"/cases/{CASE}").text)
    assert "已批准" in case_page and "收入证明已核实" in case_page


def test_the_supervisor_reassigns_a_case_within_the_team(page_as: PageAs) -> None:
    s001 = page_as("S001")
    board = s001.get("/team").text
    assert f'action="/cases/{CASE}/owner"' in board
    assert "王催收" in board and "李催收" in board and "孙催收" not in board  # T-EARLY only
    no_reason = s001.post(f"/cases/{CASE}/owner", {"to": "C102", "why": " "})
    assert no_reason.status_code == 422 and "原因" in text_of(no_reason.text)
    other_team = s001.post(f"/cases/{CASE}/owner", {"to": "C201", "why": "支援"})
    assert other_team.status_code == 422
    moved = s001.post(f"/cases/{CASE}/owner", {"to": "C102", "why": "C101 休假"})
    assert moved.status_code == 303
    assert page_as("C102").get(f"/cases/{CASE}").status_code == 200
    assert page_as("C101").get(f"/cases/{CASE}").status_code == 404
    assert page_as("C101").post(f"/cases/{CASE}/owner", {"to": "C101", "why": "x"}).status_code in (
        403,
        404,
    )


def test_the_board_lists_broken_promises_and_stale_follow_ups(
    page_as: PageAs, db_engine: Engine
) -> None:
    with db_engine.begin() as conn:
        conn.execute(
            promises.insert().values(
                promise_id="PTP-L1-OLD",
                loan_id="L1",
                amount=50_000,
                made_on=date(2026, 2, 20),
                due_on=date(2026, 2, 25),
                status="broken",
                paid=12_345,
                settled_on=date(2026, 2, 26),
                case_id=CASE,
                made_by="C101",
            )
        )
    with UnitOfWork(db_engine) as uow:
        uow.cases.add_follow_up(CASE, None, "call_again", date(2026, 2, 28))
    board = text_of(page_as("S001").get("/team").text)
    assert "1 30 天内未兑现承诺" in board and "500.00 123.45 2026-02-25 C101" in board
    assert "1 逾期未跟进" in board and "再次致电" in board


# The first call ----------------------------------------------------------------------------


def test_the_first_call_is_walked_step_by_step_and_stored_through_the_gate(
    page_as: PageAs, db_engine: Engine
) -> None:
    c101 = page_as("C101")
    started = c101.post(f"/cases/{CASE}/calls", {})
    assert started.status_code == 303
    call_url = started.headers["location"]
    first = text_of(c101.get(call_url).text)
    assert "打电话前的准备" in first and "档案已看过，开始拨打" in first
    answers = [
        {"step": "prepare", "value": "ok"},
        {"step": "confirm_identity", "value": "borrower"},
        {"step": "state_identity", "value": "ok"},
        {"step": "ask_payment_today", "value": "cannot_today"},
        {"step": "learn_reason", "value": "income_drop"},
    ]
    for form in answers:
        done = c101.post(f"{call_url}/answers", form, htmx=True)
        assert done.status_code == 204, (form, done.text)
    consequences = text_of(c101.get(call_url).text)
    assert "步骤五" in consequences and "依法报送征信" in consequences
    assert "判刑" not in consequences and "坐牢" not in consequences
    wrong = c101.post(f"{call_url}/answers", {"step": "obtain_promise", "value": "promise"})
    assert wrong.status_code == 422  # answering a later step
    c101.post(f"{call_url}/answers", {"step": "explain_consequences", "value": "all"})
    bad = c101.post(
        f"{call_url}/answers",
        {"step": "obtain_promise", "value": "promise", "amount": "lots", "due": "2026-03-06"},
        htmx=True,
    )
    assert bad.status_code == 422 and "承诺还款须填写金额（元）和还款日期" in text_of(bad.text)
    c101.post(
        f"{call_url}/answers",
        {"step": "obtain_promise", "value": "promise", "amount": "1100.16", "due": "2026-03-06"},
    )
    c101.post(f"{call_url}/answers", {"step": "update_file", "value": "承诺周五还一期"})
    assert count(db_engine, contact_records) == 0  # nothing stored before the finish
    end = text_of(c101.get(call_url).text)
    assert "通话已结束" in end and "1,100.16 元，2026-03-06 前" in end
    assert page_as("A101").get(call_url).status_code == 404  # only who started it
    finished = c101.post(f"{call_url}/finish", {})
    assert finished.status_code == 303
    assert finished.headers["location"] == f"/cases/{CASE}?done=call"
    assert count(db_engine, contact_records, outcome="promise") == 1
    assert count(db_engine, promises, amount=110_016) == 1
    case_page = text_of(c101.get(finished.headers["location"]).text)
    assert "首次催收电话已结束" in case_page and "承诺周五还一期" in case_page


# Agencies ------------------------------------------------------------------------------------


def test_an_agency_user_sees_only_their_placed_cases_and_statement(
    page_as: PageAs, db_engine: Engine
) -> None:
    with UnitOfWork(db_engine) as uow:
        supervisor = uow.org.person("S001")
        assert supervisor is not None
        place_case(uow, supervisor.actor, CASE, "AG02", date(2026, 2, 20))
    a201, a101 = page_as("A201"), page_as("A101")
    desk = text_of(a201.get("/agency").text)
    assert "示例委外机构乙" in desk and CASE in desk and "1 委外中的案件" in desk
    assert "2026-03 佣金结算单" in desk
    february = text_of(a201.get("/agency", params={"month": "2026-02"}).text)
    # L1's 4th installment was paid on 15 Feb (before the placement): no commission.
    assert "本月没有回款" in february
    assert a201.get(f"/cases/{CASE}").status_code == 200
    mine = text_of(a101.get("/agency").text)
    assert "示例委外机构甲" in mine and CASE not in mine and "0 委外中的案件" in mine
    assert a101.get(f"/cases/{CASE}").status_code == 404
    assert a101.get("/agency", params={"agency": "AG02"}).status_code == 403
    assert a101.get("/agency", params={"month": "2026-13"}).status_code == 422
    assert "示例委外机构乙" in page_as("S001").get("/agency", params={"agency": "AG02"}).text


# The day's reports ---------------------------------------------------------------------------


def test_the_compliance_page_shows_every_contact_and_denials_by_rule(
    page_as: PageAs, db_engine: Engine
) -> None:
    planned_call(db_engine, "A-CALL", 10)
    denied_sms(db_engine, "A-SMS")
    k001 = page_as("K001")
    text = text_of(k001.get("/compliance").text)
    assert "2 计划联系" in text and "1 被拦截（按规则计）" in text
    assert "CN-TIME-1 催收时段限制" in text and "A-CALL" in text and "A-SMS" in text
    assert "每一条都有合规检查放行的决定" in text
    only_denied = text_of(k001.get("/compliance", params={"status": "denied"}).text)
    assert "A-SMS" in only_denied and "A-CALL" not in only_denied
    assert k001.get("/compliance", params={"status": "maybe"}).status_code == 422
    assert k001.get("/compliance", params={"date": "2026-02-30"}).status_code == 422
    other_day = text_of(k001.get("/compliance", params={"date": "2026-03-01"}).text)
    assert "这一天没有计划的联系" in other_day


def test_the_qa_page_shows_flagged_notes_and_the_call_sample(
    page_as: PageAs, db_engine: Engine
) -> None:
    c101 = page_as("C101")
    note = "跟客户说你就是个老赖"
    made = c101.post(f"/cases/{CASE}/contacts", contact("2026-03-02T09:30", note=note))
    assert made.status_code == 303
    text = text_of(page_as("Q001").get("/qa").text)
    assert "1 当日催记" in text
    assert "老赖" in text and "CN-PROH-1" in text
    assert "1 抽检通话" in text  # a flagged call is always reviewed
    assert page_as("C101").get("/qa").status_code == 403


def test_the_overview_page_carries_its_chart_data_as_json(
    page_as: PageAs, db_engine: Engine
) -> None:
    planned_call(db_engine, "A-CALL", 10)
    denied_sms(db_engine, "A-SMS")
    page = page_as("S001").get("/overview").text
    block = re.search(
        r'<script type="application/json" id="overview-data">(.*?)</script>', page, re.S
    )
    assert block is not None
    data = json.loads(block.group(1))
    assert data["bucket"]["names"] == ["M0", "M1"]
    assert data["bucket"]["accounts"] == [1, 1]
    assert data["bucket"]["overdue"][1] == f"{overdue_of(db_engine, 'L1') / 100:.2f}"
    assert data["channel"] == {"names": ["电话", "短信"], "counts": [1, 1]}
    assert sorted(data["status"]["names"]) == sorted(["已计划", "已拦截"])
    assert 'src="/static/vendor/echarts-6.1.0.min.js"' in page
    assert "2 账户" in text_of(page) and "1 合规拦截" in text_of(page)


def test_the_api_docs_page_lists_every_endpoint_of_the_openapi_document(app_client: Any) -> None:
    doc = app_client.get("/api/v1/openapi.json").json()
    page = app_client.get("/api/docs")
    assert page.status_code == 200 and '<html lang="zh-CN">' in page.text
    text = text_of(page.text)
    for path, item in doc["paths"].items():
        for method in item:
            assert f"{method.upper()} {path}" in text, (method, path)
    assert "reason string 是" in text  # the Reassign body's required field
    assert "422 Unprocessable Entity" in text or "422 Validation Error" in text

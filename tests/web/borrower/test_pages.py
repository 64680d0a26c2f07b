"""The portal's pages under /my/ (Chinese, no script): sign in with the code from the
outbox, the loans with the lawful amount and the excess, the checker keeping the message
as evidence for a complaint; another borrower's loan is a 404 page; forms need CSRF."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from faircollect.adapters.db.tables import complaints, payments
from faircollect.web.security import CSP
from tests.web.borrower.support import KANTOU, ZHANG, add_kantou_loan, last_code

Portal = Callable[[], TestClient]


def signed_in_page(client: TestClient, engine: Engine) -> str:
    """Sign in through the pages; the CSRF token the forms carry."""
    sent = client.post("/my/code", data={"phone": ZHANG})
    assert sent.status_code == 200 and "验证码已发送" in sent.text  # after the redirect
    home = client.post("/my/login", data={"phone": ZHANG, "code": last_code(engine, ZHANG)})
    assert home.status_code == 200 and "张三，你好" in home.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', home.text)
    assert found
    return found.group(1)


def test_without_a_session_the_pages_send_to_the_portals_sign_in(portal: Portal) -> None:
    client = portal()
    for path in ("/my/", "/my/loans/L1", "/my/check", "/my/complaints"):
        answer = client.get(path, follow_redirects=False)
        assert (answer.status_code, answer.headers["location"]) == (303, "/my/login"), path
    login = client.get("/my/login")
    assert login.status_code == 200 and "获取验证码" in login.text
    assert login.headers["content-security-policy"] == CSP
    assert "<script" not in login.text and "style=" not in login.text


def test_the_loans_show_the_lawful_amount_and_the_excess(portal: Portal, db_engine: Engine) -> None:
    add_kantou_loan(db_engine)
    client = portal()
    signed_in_page(client, db_engine)
    home = client.get("/my/").text
    assert "依法应还" in home and "多要的部分" in home and "2,979.60" in home
    loan = client.get(f"/my/loans/{KANTOU}").text
    assert "KANTOU-1" in loan and "砍头息" in loan and "83.42%" in loan
    assert "罚息 → 费用 → 利息 → 本金" in loan
    assert f"<title>借款 {KANTOU} · 借款人服务</title>" in loan  # the forms are in the page
    assert loan.count('action="/my/loans/') == 2  # one payment form, one plan form
    other = client.get("/my/loans/L2")
    assert other.status_code == 404 and "找不到" in other.text


def test_check_a_message_keep_it_as_evidence_and_complain(
    portal: Portal, db_engine: Engine
) -> None:
    client = portal()
    csrf = signed_in_page(client, db_engine)
    message = "再不还钱就去你单位闹"
    verdict = client.post("/my/check", data={"csrf_token": csrf, "text": message})
    assert verdict.status_code == 200 and "SOFT-1" in verdict.text and "<mark>" in verdict.text
    form = client.post("/my/evidence", data={"csrf_token": csrf, "text": message})
    assert f"{message}</textarea>" in form.text
    filed = client.post(
        "/my/complaints",
        data={
            "csrf_token": csrf,
            "text": "单位闹事威胁",
            "evidence_text": message,
            "loan_id": "L1",
        },
    )
    assert filed.status_code == 200 and "投诉已提交" in filed.text and "12378" in filed.text
    with db_engine.connect() as conn:
        rows = conn.execute(select(complaints.c.evidence_text, complaints.c.loan_id)).all()
    assert [tuple(r) for r in rows] == [(message, "L1")]


def test_forms_need_the_csrf_token_and_text(portal: Portal, db_engine: Engine) -> None:
    client = portal()
    csrf = signed_in_page(client, db_engine)
    assert client.post("/my/complaints", data={"text": "骚扰"}).status_code == 403
    assert client.post("/my/complaints", data={"csrf_token": csrf, "text": ""}).status_code == 422
    assert client.post("/my/check", data={"csrf_token": csrf, "text": " "}).status_code == 422
    with db_engine.connect() as conn:
        assert conn.execute(select(complaints)).all() == []


def test_a_wrong_code_shows_why_in_chinese(portal: Portal, db_engine: Engine) -> None:
    client = portal()
    client.post("/my/code", data={"phone": ZHANG})
    code = last_code(db_engine, ZHANG)
    assert code is not None
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    answer = client.post("/my/login", data={"phone": ZHANG, "code": wrong})
    assert answer.status_code == 401 and "验证码不正确" in answer.text
    assert "验证码已发送" not in answer.text  # not beside the refusal it contradicts
    bad = client.post("/my/code", data={"phone": "abc"})
    assert bad.status_code == 422 and "手机号" in bad.text
    again = client.post("/my/code", data={"phone": ZHANG})
    assert again.status_code == 429 and "秒后再试" in again.text
    assert "验证码已发送" not in again.text and 'name="code"' in again.text


def test_sign_out(portal: Portal, db_engine: Engine) -> None:
    client = portal()
    csrf = signed_in_page(client, db_engine)
    out = client.post("/my/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/my/", follow_redirects=False).status_code == 303


def test_pay_ask_for_a_plan_and_set_preferences_from_the_pages(
    portal: Portal, db_engine: Engine
) -> None:
    client = portal()
    csrf = signed_in_page(client, db_engine)
    loan = client.get("/my/loans/L1")
    assert "去支付" in loan.text and "提交分期申请" in loan.text
    gateway = client.post("/my/loans/L1/pay", data={"csrf_token": csrf, "amount": "100.00"})
    assert gateway.status_code == 200 and "确认支付" in gateway.text
    intent_id = str(gateway.url).rsplit("/", 1)[1]
    paid = client.post(f"/my/pay/{intent_id}", data={"csrf_token": csrf})
    assert "还款已确认" in paid.text and "已到账" in paid.text
    with db_engine.connect() as conn:
        amounts = conn.execute(
            select(payments.c.amount).where(payments.c.payment_id.like("GW-%"))
        ).scalars()
        assert list(amounts) == [10_000]
    bad = client.post("/my/loans/L1/pay", data={"csrf_token": csrf, "amount": "abc"})
    assert bad.status_code == 422 and "不是有效的金额" in bad.text

    asked = client.post(
        "/my/loans/L1/plan", data={"csrf_token": csrf, "months": "6", "reason": "失业"}
    )
    assert asked.status_code == 200 and "审批中" in asked.text
    twice = client.post(
        "/my/loans/L1/plan", data={"csrf_token": csrf, "months": "6", "reason": "失业"}
    )
    assert twice.status_code == 422

    saved = client.post(
        "/my/preferences",
        data={"csrf_token": csrf, "start": "18:00", "end": "20:00", "off": ["sms", "wechat"]},
    )
    assert "已保存" in saved.text and 'value="18:00"' in saved.text
    late = client.post(
        "/my/preferences", data={"csrf_token": csrf, "start": "21:00", "end": "23:00"}
    )
    assert late.status_code == 422
    everything = ["call", "sms", "email", "app_push", "wechat"]
    assert (
        client.post("/my/preferences", data={"csrf_token": csrf, "off": everything}).status_code
        == 422
    )

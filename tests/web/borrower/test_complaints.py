"""A borrower's complaint (COMP-1): 201 with the 15-day deadline; collection contact to
the borrower is refused by the workbench's gate with COMP-1 until the compliance officer
closes it from the complaint queue; the borrower sees the status, the answer and the
routes outside the lender."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from faircollect.adapters.db.tables import complaints, contact_records
from tests.web.borrower.support import LI, ZHANG, sign_in

Portal = Callable[[], TestClient]
CASE = "C-B1-20260302"
CALL = {
    "channel": "call",
    "party": "borrower",
    "number": ZHANG,
    "outcome": "no_answer",
    "at": "2026-03-02T10:05:00+08:00",
}


def test_a_complaint_pauses_contact_until_compliance_closes_it(
    portal: Portal, db_engine: Engine, signed_in: Callable[[str], TestClient]
) -> None:
    zhang = sign_in(portal(), db_engine, ZHANG)
    opened = zhang.post(
        "/api/v1/borrower/complaints",
        json={"text": "催收员晚上打电话骂我", "loan_id": "L1", "evidence_text": "你这个老赖"},
    )
    assert opened.status_code == 201, opened.text
    body = opened.json()
    assert set(body) == {"complaint_id", "answer_by"}
    assert body["answer_by"] == "2026-03-17"  # 2 Mar + 15 days

    c101 = signed_in("C101")
    refused = c101.post(f"/api/v1/cases/{CASE}/contacts", json=CALL)
    assert refused.status_code == 422, refused.text
    error = refused.json()
    assert error["error"]["code"] == "denied"
    assert "COMP-1" in [v["rule"] for v in error["violations"]]
    with db_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(contact_records)).scalar_one() == 0

    case_file = c101.get(f"/api/v1/cases/{CASE}").json()
    assert [c["answer_by"] for c in case_file["complaints"]] == ["2026-03-17"]
    assert "借款人投诉处理中" in c101.get(f"/cases/{CASE}").text
    assert c101.get("/api/v1/complaints").status_code == 403
    k001 = signed_in("K001")
    queue = k001.get("/api/v1/complaints").json()["items"]
    assert [(c["complaint_id"], c["borrower_name"], c["answer_by"]) for c in queue] == [
        (body["complaint_id"], "张三", "2026-03-17")
    ]
    closed = k001.post(
        f"/api/v1/complaints/{body['complaint_id']}/close",
        json={"answer": "已核实并处分该催收员，今后只在白天联系您。"},
    )
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert k001.get("/api/v1/complaints").json()["items"] == []

    assert c101.get(f"/api/v1/cases/{CASE}").json()["complaints"] == []
    allowed = c101.post(f"/api/v1/cases/{CASE}/contacts", json=CALL)
    assert allowed.status_code == 201, allowed.text

    mine = zhang.get("/api/v1/borrower/complaints").json()
    assert [(c["status"], c["answer"]) for c in mine["items"]] == [
        ("closed", "已核实并处分该催收员，今后只在白天联系您。")
    ]
    assert {"12378", "12363", "12368"} <= {r["number"] for r in mine["outside_routes"]}


def test_a_complaint_is_about_the_borrowers_own_loan_and_contact(
    portal: Portal, db_engine: Engine
) -> None:
    zhang = sign_in(portal(), db_engine, ZHANG)
    for body in (
        {"text": "x", "loan_id": "L2"},
        {"text": "x", "loan_id": "NOPE"},
        {"text": "x", "contact_id": "NOPE"},
    ):
        answer = zhang.post("/api/v1/borrower/complaints", json=body)
        assert answer.status_code == 404, body
    with db_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(complaints)).scalar_one() == 0


def test_bad_complaints_name_the_field(portal: Portal, db_engine: Engine) -> None:
    zhang = sign_in(portal(), db_engine, ZHANG)
    for body, field in (
        ({}, "text"),
        ({"text": ""}, "text"),
        ({"text": "x" * 4001}, "text"),
        ({"text": "x", "loan_id": 5}, "loan_id"),
        ({"text": "x", "evidence_text": "y" * 4001}, "evidence_text"),
        ({"text": "x", "mood": "angry"}, "mood"),
    ):
        answer = zhang.post("/api/v1/borrower/complaints", json=body)
        assert answer.status_code == 422, body
        assert answer.json()["error"]["field"] == field, body
    blank = zhang.post("/api/v1/borrower/complaints", json={"text": "   "})
    assert blank.status_code == 422


def test_complaints_are_the_borrowers_own(portal: Portal, db_engine: Engine) -> None:
    zhang = sign_in(portal(), db_engine, ZHANG)
    assert zhang.post("/api/v1/borrower/complaints", json={"text": "骚扰"}).status_code == 201
    li = sign_in(portal(), db_engine, LI)
    assert li.get("/api/v1/borrower/complaints").json()["items"] == []


def test_closing_needs_compliance_and_an_answer(
    portal: Portal, db_engine: Engine, signed_in: Callable[[str], TestClient]
) -> None:
    zhang = sign_in(portal(), db_engine, ZHANG)
    made = zhang.post("/api/v1/borrower/complaints", json={"text": "骚扰"}).json()
    path = f"/api/v1/complaints/{made['complaint_id']}/close"
    assert signed_in("S001").post(path, json={"answer": "好"}).status_code == 403
    k001 = signed_in("K001")
    assert k001.post(path, json={"answer": ""}).json()["error"]["field"] == "answer"
    assert k001.post("/api/v1/complaints/NOPE/close", json={"answer": "好"}).status_code == 404
    assert k001.post(path, json={"answer": "已处理"}).status_code == 200
    again = k001.post(path, json={"answer": "已处理"})
    assert again.status_code == 422 and again.json()["error"]["code"] == "refused"
    assert k001.get("/api/v1/complaints?status=bogus").json()["error"]["field"] == "status"
    assert len(k001.get("/api/v1/complaints?status=all").json()["items"]) == 1


def test_the_workbench_queue_page_shows_and_closes_complaints(
    portal: Portal, db_engine: Engine, signed_in: Callable[[str], TestClient]
) -> None:
    zhang = sign_in(portal(), db_engine, ZHANG)
    made = zhang.post(
        "/api/v1/borrower/complaints", json={"text": "半夜打电话", "evidence_text": "你等着"}
    ).json()
    k001 = signed_in("K001")
    queue = k001.get("/complaints")
    assert queue.status_code == 200
    assert made["complaint_id"] in queue.text and "2026-03-17 前答复" in queue.text
    assert "你等着" in queue.text and "答复并关闭" in queue.text
    assert "/complaints" in signed_in("S001").get("/").text  # in the navigation
    assert "答复并关闭" not in signed_in("S001").get("/complaints").text  # reads only
    assert signed_in("C101").get("/complaints").status_code == 403
    empty = k001.post(f"/complaints/{made['complaint_id']}/close", data={"answer": " "})
    assert empty.status_code == 422
    closed = k001.post(
        f"/complaints/{made['complaint_id']}/close",
        data={"answer": "已核实，已停止夜间联系"},
        follow_redirects=False,
    )
    assert closed.status_code == 303
    assert made["complaint_id"] not in k001.get("/complaints").text.split("已答复并关闭")[-1]
    assert "已停止夜间联系" in k001.get("/complaints?status=closed").text
    assert k001.get("/complaints?status=bogus").status_code == 422

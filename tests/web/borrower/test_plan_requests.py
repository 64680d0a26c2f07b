"""A borrower asks for an instalment plan (分期): the same proposal a collector submits,
in the supervisor's queue; only a supervisor decides; the borrower sees the decision and,
once approved, the new schedule from the ledger."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.web.borrower.support import LI, ZHANG, sign_in

Portal = Callable[[], TestClient]
ASK = {"loan_id": "L1", "months": 6, "reason": "失业了，找到工作前每月只能还一部分"}


def test_a_plan_request_reaches_the_supervisor_who_approves_it(
    portal: Portal, db_engine: Engine, signed_in: Callable[[str], TestClient]
) -> None:
    zhang = sign_in(portal(), db_engine, ZHANG)
    made = zhang.post("/api/v1/borrower/plan-requests", json={**ASK, "monthly_income": "3000.00"})
    assert made.status_code == 201, made.text
    plan = made.json()
    assert plan["status"] == "pending" and plan["months"] == 6
    assert plan["annual_rate"] == "0.180000"  # the lawful rate (L1's contract is lawful)
    assert "3000.00" in plan["note"] and "失业" in plan["note"]
    again = zhang.post("/api/v1/borrower/plan-requests", json=ASK)
    assert again.status_code == 422 and again.json()["error"]["code"] == "refused"

    s001 = signed_in("S001")
    board = s001.get("/team")
    assert board.status_code == 200 and plan["proposal_id"] in board.text
    queue = s001.get("/api/v1/proposals?status=pending").json()["items"]
    assert [p["proposal_id"] for p in queue] == [plan["proposal_id"]]
    assert (
        signed_in("C101")
        .post(
            f"/api/v1/proposals/{plan['proposal_id']}/decision",
            json={"approve": True, "reason": "x"},
        )
        .status_code
        == 403
    )
    approved = s001.post(
        f"/api/v1/proposals/{plan['proposal_id']}/decision",
        json={"approve": True, "reason": "收入证明属实"},
    )
    assert approved.status_code == 200, approved.text

    mine = zhang.get("/api/v1/borrower/plan-requests").json()["items"]
    assert [(p["status"], p["decision_reason"]) for p in mine] == [("approved", "收入证明属实")]
    rows = mine[0]["schedule"]
    # the arrears (interest and penalty kept owed) and the 6 instalments of the plan
    assert [r["origin"] for r in rows] == ["arrears"] + ["plan"] * 6
    assert rows[1]["due_on"] == "2026-04-01"  # 30 days after 2 Mar
    loan = zhang.get("/api/v1/borrower/loans/L1").json()
    assert any(row["origin"] != "contract" for row in loan["schedule"])


def test_a_plan_is_asked_only_on_ones_own_loan_being_collected(
    portal: Portal, db_engine: Engine
) -> None:
    zhang = sign_in(portal(), db_engine, ZHANG)
    assert (
        zhang.post("/api/v1/borrower/plan-requests", json={**ASK, "loan_id": "L2"}).status_code
        == 404
    )
    li = sign_in(portal(), db_engine, LI)
    current = li.post("/api/v1/borrower/plan-requests", json={**ASK, "loan_id": "L2"})
    assert current.status_code == 422  # L2 is current: in no collection case
    assert li.get("/api/v1/borrower/plan-requests").json()["items"] == []


def test_bad_plan_requests_name_the_field(portal: Portal, db_engine: Engine) -> None:
    zhang = sign_in(portal(), db_engine, ZHANG)
    for change, field in (
        ({"months": 0}, "months"),
        ({"months": 61}, "months"),
        ({"months": "six"}, "months"),
        ({"reason": ""}, "reason"),
        ({"monthly_income": "abc"}, "monthly_income"),
        ({"monthly_income": "-5.00"}, "monthly_income"),
        ({"loan_id": None}, "loan_id"),
    ):
        answer = zhang.post("/api/v1/borrower/plan-requests", json={**ASK, **change})
        assert answer.status_code == 422, change
        assert answer.json()["error"]["field"] == field, (change, answer.json())

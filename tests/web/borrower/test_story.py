"""The portal's story (issue 13): 王五's loan carries 砍头息 and 36 % a year → the portal
shows what the law does not support → he asks for a plan → a supervisor approves → he pays
the first instalment through the development gateway → the night allocates it and the
plan is current."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from faircollect.adapters.db.repository import loan_row
from faircollect.adapters.db.tables import borrowers, loans
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.domain.money import parse_yuan
from faircollect.services.night import run_night
from tests.scenarios.casework_world import DAY, at
from tests.web.borrower.support import kantou_terms, sign_in
from tests.web.conftest import Clock

Portal = Callable[[], TestClient]
WANG = "13800000009"


def add_wang(engine: Engine) -> None:
    """王五 (B9): 10,000.00 on contract, 8,000.00 received, 36 %, 12 months from 15 Jan
    2026, nothing paid: 15 days past due on 2 Mar; the night opens his case."""
    with engine.begin() as conn:
        conn.execute(
            borrowers.insert().values(
                borrower_id="B9",
                name="王五",
                phone=WANG,
                id_number="110101199001019999",
                city="北京",
            )
        )
        conn.execute(loans.insert().values(**loan_row(kantou_terms("B9"))))
    run_night(engine, DAY)


def test_excess_plan_approval_payment_and_the_night(
    portal: Portal,
    db_engine: Engine,
    clock: Clock,
    signed_in: Callable[[str], TestClient],
) -> None:
    add_wang(db_engine)
    wang = sign_in(portal(), db_engine, WANG)

    (loan,) = wang.get("/api/v1/borrower/loans").json()["items"]
    assert loan["loan_id"] == "L9" and loan["dpd"] == 15
    assert parse_yuan(loan["excess"]) > 0
    assert parse_yuan(loan["owed_lawful"]) < parse_yuan(loan["owed_contract"])
    detail = wang.get("/api/v1/borrower/loans/L9").json()
    assert [r["rule"] for r in detail["above_the_law"]] == ["KANTOU-1", "RATE-2"]

    asked = wang.post(
        "/api/v1/borrower/plan-requests",
        json={"loan_id": "L9", "months": 6, "reason": "收入减少", "monthly_income": "4000.00"},
    )
    assert asked.status_code == 201, asked.text
    assert asked.json()["annual_rate"] == "0.240000"  # the lawful rate, not the contract's 36 %
    proposal_id = asked.json()["proposal_id"]

    approved = signed_in("S001").post(
        f"/api/v1/proposals/{proposal_id}/decision", json={"approve": True, "reason": "同意"}
    )
    assert approved.status_code == 200, approved.text

    (plan,) = wang.get("/api/v1/borrower/plan-requests").json()["items"]
    assert plan["status"] == "approved"
    first_plan_due = next(r["due_on"] for r in plan["schedule"] if r["origin"] == "plan")
    owed_by_then = sum(
        parse_yuan(r["unpaid"]) + parse_yuan(r["penalty_payable"])
        for r in plan["schedule"]
        if r["due_on"] <= first_plan_due
    )
    # the next morning (the ledger takes a payment on the approval day before the plan)
    clock.moment = at(DAY + timedelta(days=1), 10)
    wang = sign_in(portal(), db_engine, WANG)
    intent = wang.post(
        "/api/v1/borrower/payments",
        json={"loan_id": "L9", "amount": f"{Decimal(owed_by_then) / 100:.2f}"},
    ).json()
    paid = wang.post(intent["pay_url"])
    assert paid.status_code == 200 and paid.json()["status"] == "confirmed"

    night = date.fromisoformat(first_plan_due).replace(day=2)  # the day after it fell due
    run_night(db_engine, night)
    with UnitOfWork(db_engine) as uow:
        state = uow.loans.states(["L9"])["L9"]
    assert state["dpd"] == 0 and state["bucket"] == "M0"  # the plan is current

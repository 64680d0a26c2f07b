"""What a signed-in borrower sees: their own loans only (any other id is 404), what the
contract asks beside what is lawfully owed, the true cost with 砍头息, the schedule and
how payments were allocated; the message checker gives check-message's verdict."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from faircollect.cli.app import app as cli
from tests.web.borrower.support import KANTOU, LI, ZHANG, add_kantou_loan, sign_in

Portal = Callable[[], TestClient]


def test_the_list_shows_contract_and_lawful_amounts(portal: Portal, db_engine: Engine) -> None:
    add_kantou_loan(db_engine)
    zhang = sign_in(portal(), db_engine, ZHANG)
    items = {i["loan_id"]: i for i in zhang.get("/api/v1/borrower/loans").json()["items"]}
    assert sorted(items) == ["L1", KANTOU]
    plain = items["L1"]
    assert plain["owed_contract"] == plain["owed_lawful"] and plain["excess"] == "0.00"
    assert plain["dpd"] == 15 and plain["next_due_on"] == "2026-03-15"
    assert plain["next_due_amount"] == "1100.16"
    kantou = items[KANTOU]
    assert kantou["contract_principal"] == "10000.00"
    assert kantou["received_amount"] == "8000.00"
    contract, lawful = kantou["owed_contract"], kantou["owed_lawful"]
    assert Decimal(lawful) < Decimal(contract)
    excess = Decimal(contract) - Decimal(lawful)
    assert str(excess) == kantou["excess"] and excess > 2000
    # 砍头息 on 36 %: the IRR on what was received is far above the nominal rate
    assert kantou["apr_irr"] == "0.834195"
    assert set(kantou) == {
        "loan_id",
        "lender",
        "product",
        "contract_principal",
        "received_amount",
        "owed_contract",
        "owed_lawful",
        "excess",
        "apr_irr",
        "dpd",
        "next_due_on",
        "next_due_amount",
    }


def test_the_loan_explains_the_excess_rule_by_rule(portal: Portal, db_engine: Engine) -> None:
    add_kantou_loan(db_engine)
    zhang = sign_in(portal(), db_engine, ZHANG)
    loan = zhang.get(f"/api/v1/borrower/loans/{KANTOU}").json()
    assert [r["rule"] for r in loan["above_the_law"]] == ["KANTOU-1", "RATE-2"]
    assert "2000.00" in loan["above_the_law"][0]["explanation"]
    words = "".join(loan["true_cost_in_words"])
    assert "砍头息" in words and "83.42%" in words and "36.00%" in words
    assert loan["illegal_debt"] is True  # 83 % APR is above the lender's 36 % line
    assert any("12378" in line for line in loan["what_to_do"])
    assert loan["allocation_order"] == ["penalty", "fee", "interest", "principal"]
    assert len(loan["schedule"]) == 12 and loan["payments"] == []
    assert loan["penalty_per_day"] == "0.50"  # (704.62 + 300.00) x 0.05 %
    assert loan["overdue_contract"] == "1012.15"


def test_payments_show_their_allocation(portal: Portal, db_engine: Engine) -> None:
    zhang = sign_in(portal(), db_engine, ZHANG)
    loan = zhang.get("/api/v1/borrower/loans/L1").json()
    assert [p["payment_id"] for p in loan["payments"]] == ["L1-p1", "L1-p2", "L1-p3"]
    first = loan["payments"][0]
    assert first["amount"] == "1100.16"
    assert {a["component"] for a in first["allocation"]} == {"interest", "principal"}
    assert loan["above_the_law"] == [] and loan["excess"] == "0.00"
    assert loan["state"]["dpd"] == 15


def test_another_borrowers_loan_is_404_like_no_loan(portal: Portal, db_engine: Engine) -> None:
    zhang = sign_in(portal(), db_engine, ZHANG)
    theirs = zhang.get("/api/v1/borrower/loans/L2")
    none = zhang.get("/api/v1/borrower/loans/NOPE")
    assert theirs.status_code == none.status_code == 404
    assert theirs.json()["error"]["code"] == "not_found"
    li = sign_in(portal(), db_engine, LI)
    assert li.get("/api/v1/borrower/loans/L1").status_code == 404
    assert [i["loan_id"] for i in li.get("/api/v1/borrower/loans").json()["items"]] == ["L2"]
    assert li.get("/api/v1/borrower/loans/L2").json()["state"]["dpd"] == 0


def test_the_checker_gives_check_messages_verdict(portal: Portal, db_engine: Engine) -> None:
    zhang = sign_in(portal(), db_engine, ZHANG)
    text = "再不还钱就去你单位闹，让你全家坐牢，我们是法院的"
    answer = zhang.post("/api/v1/borrower/check-message", json={"text": text})
    assert answer.status_code == 200
    verdict = answer.json()
    cli_run = CliRunner().invoke(cli, ["check-message", text, "--json"])
    assert cli_run.exit_code == 1, cli_run.output
    assert verdict == json.loads(cli_run.output)
    assert verdict["lawful"] is False
    assert {"CN-PROH-1", "SOFT-1"} <= {p["rule_id"] for p in verdict["problems"]}
    assert any("12368" in line for line in verdict["advice"])


def test_a_lawful_reminder_is_lawful(portal: Portal, db_engine: Engine) -> None:
    zhang = sign_in(portal(), db_engine, ZHANG)
    text = "您好，您的借款本期应还1100.16元已逾期，请尽快还款，如有困难可联系我们协商。"
    verdict = zhang.post("/api/v1/borrower/check-message", json={"text": text}).json()
    assert verdict["lawful"] is True and verdict["problems"] == []


def test_the_checker_refuses_no_text_naming_the_field(portal: Portal, db_engine: Engine) -> None:
    zhang = sign_in(portal(), db_engine, ZHANG)
    for body in ({}, {"text": ""}, {"text": 5}):
        answer = zhang.post("/api/v1/borrower/check-message", json=body)
        assert answer.status_code == 422, body
        assert answer.json()["error"]["field"] == "text"

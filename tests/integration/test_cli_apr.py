"""``faircollect apr`` and ``faircollect loan show`` end to end, in-process.

Expected figures are worked out by hand in the comments (par interest-only loans, whose IRR is
their coupon, and a two-period annuity with a closed form).
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, insert
from typer.testing import CliRunner

from faircollect.adapters.db.tables import borrowers, loans, payments
from faircollect.cli.app import app

WIDE = {"COLUMNS": "200"}

# 144.00 received, 100.00 at one and two months: 144 = 100 v + 100 v^2 gives v = 0.8, so
# the monthly IRR is 25%, apr_irr = 300%, effective annual = 1.25^12 − 1 = 13.5519152...
TWO_PERIODS = {
    "received": "144.00",
    "disbursed_on": "2026-01-31",
    "payments": [{"on": "2026-02-28", "amount": "100.00"}, {"on": "2026-03-31", "amount": 100}],
}


def run(*args: str, stdin: str | None = None) -> Any:
    return CliRunner().invoke(app, list(args), input=stdin, env=WIDE)


def test_stdin_contract() -> None:
    result = run("apr", "--stdin", stdin=json.dumps(TWO_PERIODS))
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["received"] == "144.00"
    assert out["total_paid"] == "200.00"
    assert out["cost"] == "56.00"
    assert out["monthly_irr"] == "0.250000"
    assert out["apr_irr"] == "3.000000"
    assert out["effective_annual"] == "13.551915"
    assert out["cap"] == {"rule": "RATE-2", "rate": "0.240000", "within": False}
    for key in ("monthly_irr", "apr_irr", "effective_annual"):
        assert re.fullmatch(r"-?\d+\.\d{6}", out[key])


def test_stdin_reads_json_numbers_exactly_and_applies_the_private_cap() -> None:
    # A par 12% coupon: 100.00 interest a month on 10000.00, principal back at month 2.
    # "100.00" is a JSON number with a fraction: it is read as a Decimal, never a float.
    text = (
        '{"received": 10000, "disbursed_on": "2025-06-01", "payments": '
        '[{"on": "2025-07-01", "amount": 100.00}, {"on": "2025-08-01", "amount": 10100}]}'
    )
    result = run("apr", "--stdin", "--lender-type", "private", stdin=text)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert (out["apr_irr"], out["effective_annual"]) == ("0.120000", "0.126825")
    # 4 x one-year LPR 3.00% on 2025-06-01 = 12%: the loan sits exactly on the cap.
    assert out["cap"] == {"rule": "RATE-1", "rate": "0.120000", "within": True}


def _with(**changes: Any) -> str:
    body: dict[str, Any] = json.loads(json.dumps(TWO_PERIODS))
    for path, value in changes.items():
        target, key = body, path
        if "__" in path:
            index, key = path.split("__")
            target = body["payments"][int(index.removeprefix("p"))]
        if value is None:
            del target[key]
        else:
            target[key] = value
    return json.dumps(body)


@pytest.mark.parametrize(
    ("stdin", "field"),
    [
        (_with(received="144.001"), "received: more than 2 decimals"),
        ('{"received": 144.001, "disbursed_on": "2026-01-31", "payments": []}', "received"),
        (_with(received=True), "received: must be an amount"),
        (_with(received="-1"), "received: must be positive"),
        (_with(disbursed_on=None), "disbursed_on: required"),
        (_with(disbursed_on="31/01/2026"), "disbursed_on: not an ISO date"),
        (_with(payments=[]), "payments: must be a non-empty list"),
        (_with(p1__amount="1,00"), "payments[1].amount"),
        (_with(p1__amount="0"), "payments[1].amount: must be positive"),
        (_with(p0__on="2026-01-31"), "payments[0].on: 2026-01-31 is not after disbursed_on"),
        (_with(p0__when="2026-02-01"), "payments[0].when: unknown field"),
        (_with(recieved="1"), "recieved: unknown field"),
        ("[1, 2]", "must be a JSON object"),
        ("{not json", "not one JSON object"),
        ('{"received": NaN}', "not one JSON object"),
    ],
)
def test_stdin_bad_input_names_the_field_and_exits_2(stdin: str, field: str) -> None:
    result = run("apr", "--stdin", stdin=stdin)
    assert result.exit_code == 2
    assert field in result.stderr
    assert result.stdout == ""


def test_stdin_and_loan_id_are_exclusive() -> None:
    assert run("apr", "L1", "--stdin", stdin="{}").exit_code == 2
    assert run("apr").exit_code == 2


# --- loans from a database ------------------------------------------------------------------


def _insert(engine: Engine, *rows: dict[str, Any], paid: tuple[dict[str, Any], ...] = ()) -> str:
    base = {
        "borrower_id": "B1",
        "product": "消费贷",
        "term_months": 12,
        "disbursed_on": date(2025, 6, 1),
        "penalty_rate_daily": Decimal("0.0005"),
        "grace_days": 3,
    }
    with engine.begin() as conn:
        conn.execute(
            insert(borrowers).values(
                borrower_id="B1", name="张三", phone="13800000000", id_number="x", city="杭州"
            )
        )
        conn.execute(insert(loans), [{**base, **row} for row in rows])
        if paid:
            conn.execute(insert(payments), list(paid))
    return engine.url.render_as_string(hide_password=False)


PAR = {  # 10000.00 at 12% interest-only + 50.00 fee a month: a 1.5% monthly coupon on par
    "loan_id": "PAR",
    "contract_principal": 1_000_000,
    "received_amount": 1_000_000,
    "annual_rate": Decimal("0.12"),
    "method": "interest_only",
    "periodic_fee": 5_000,
}
KANTOU = {  # 10000.00 at 36% interest-only, 9000.00 received, no fee
    "loan_id": "KANTOU",
    "contract_principal": 1_000_000,
    "received_amount": 900_000,
    "annual_rate": Decimal("0.36"),
    "method": "interest_only",
    "periodic_fee": 0,
}


@pytest.mark.parametrize(
    ("loan_id", "lender", "expected"),
    [
        # Par loan: IRR = coupon 1.5%/month = 18% APR, within 24%: nothing excess.
        (
            "PAR",
            "licensed",
            {"apr_irr": "0.180000", "scheduled_total": "11800.00", "excess": "0.00"},
        ),
        # Private, 2025-06-01: cap 4 x 3.00% = 12%; interest alone fills it, so the fee goes:
        # lawful 10000 + 12·100 = 11200.00; excess 11800 − 11200 = 600.00.
        (
            "PAR",
            "private",
            {"apr_irr": "0.180000", "scheduled_total": "11800.00", "excess": "600.00"},
        ),
        # 砍头息 1000.00; contract 10000 + 12·300 = 13600.00; lawful 9000 at 24%:
        # 9000 + 12·180 = 11160.00; excess 2440.00.
        (
            "KANTOU",
            "licensed",
            {"upfront_deduction": "1000.00", "scheduled_total": "13600.00", "excess": "2440.00"},
        ),
    ],
)
def test_apr_json_for_a_stored_loan(
    db_engine: Engine, loan_id: str, lender: str, expected: dict[str, str]
) -> None:
    url = _insert(db_engine, PAR, KANTOU)
    result = run("apr", loan_id, "--json", "--lender-type", lender, "--database-url", url)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    flat = {**out, **out["lawful"]}
    assert {key: flat[key] for key in expected} == expected


def test_apr_for_a_stored_loan_agrees_with_stdin_on_its_schedule(db_engine: Engine) -> None:
    url = _insert(db_engine, KANTOU)
    stored = json.loads(run("apr", "KANTOU", "--json", "--database-url", url).stdout)
    # Its schedule: 300.00 on the 1st of each month Jul 2025 .. May 2026, 10300.00 on 2026-06-01.
    dues = [date(2025 + (6 + k) // 12, (6 + k) % 12 + 1, 1) for k in range(12)]
    flows = [{"on": d.isoformat(), "amount": "300.00"} for d in dues[:-1]]
    flows.append({"on": dues[-1].isoformat(), "amount": "10300.00"})
    body = {"received": "9000.00", "disbursed_on": "2025-06-01", "payments": flows}
    streamed = json.loads(run("apr", "--stdin", stdin=json.dumps(body)).stdout)
    assert streamed["apr_irr"] == stored["apr_irr"]
    assert streamed["effective_annual"] == stored["effective_annual"]


def test_apr_table_has_chinese_and_english_labels(db_engine: Engine) -> None:
    url = _insert(db_engine, KANTOU)
    result = run("apr", "KANTOU", "--database-url", url)
    assert result.exit_code == 0, result.output
    for label in ("名义年利率", "实际到手", "砍头息", "服务费合计", "真实年化(IRR)", "有效年利率"):
        assert label in result.stdout
    assert "合法上限" in result.stdout and "超出部分" in result.stdout
    assert "2440.00" in result.stdout and "KANTOU-1" in result.stdout


def test_unknown_loan_is_a_clear_error(db_engine: Engine) -> None:
    url = _insert(db_engine, PAR)
    for args in (("apr", "NOPE"), ("loan", "show", "NOPE")):
        result = run(*args, "--database-url", url)
        assert result.exit_code == 2
        assert "unknown loan id: 'NOPE'" in result.stderr


def test_loan_show_renders_schedule_allocation_state_and_cost(db_engine: Engine) -> None:
    # PAR: installments of 150.00 (100.00 interest + 50.00 fee), the 12th 10150.00.
    # P1 on 2025-07-01 pays installment 1 exactly (fee 50.00, then interest 100.00).
    # As of 2025-08-16: installment 2 (due 2025-08-01) is unpaid: DPD 15, M1, early;
    # penalty: 15 days x 100.00 x 0.05% = 0.75, payable after the 3 grace days.
    paid = ({"payment_id": "P1", "loan_id": "PAR", "paid_on": date(2025, 7, 1), "amount": 15_000},)
    url = _insert(db_engine, PAR, paid=paid)
    result = run("loan", "show", "PAR", "--as-of", "2025-08-16", "--database-url", url)
    assert result.exit_code == 0, result.output
    out = result.stdout
    for label in ("还款计划", "期数", "到期日", "本金", "利息", "服务费", "合计", "先息后本"):
        assert label in out
    for label in (
        "还款记录与分配",
        "科目",
        "逾期天数",
        "账龄",
        "阶段",
        "逾期前期",
        "真实年化(IRR)",
    ):
        assert label in out
    assert re.search(r"P1\s*│\s*2025-07-01\s*│\s*1\s*│\s*服务费\s*│\s*150\.00\s*│\s*50\.00", out)
    assert re.search(r"│\s*1\s*│\s*利息\s*│\s*│\s*100\.00", out)
    assert re.search(
        r"12\s*│\s*2026-06-01\s*│\s*10000\.00\s*│\s*100\.00\s*│\s*50\.00\s*│\s*10150\.00", out
    )
    assert re.search(r"逾期天数 DPD\s*│\s*15\s*│", out)
    assert re.search(r"罚息 Penalty payable\s*│\s*0\.75\s*│", out)
    assert re.search(r"逾期合计 Total overdue\s*│\s*150\.75\s*│", out)
    assert re.search(r"剩余本金 Outstanding principal\s*│\s*10000\.00\s*│", out)
    amounts = re.findall(r"(?<![\d.])\d+\.\d+(?![\d%])", out)
    assert amounts and all(re.fullmatch(r"\d+\.\d{2}", amount) for amount in amounts)


def test_loan_show_refuses_a_bad_as_of_date(db_engine: Engine) -> None:
    url = _insert(db_engine, PAR)
    result = run("loan", "show", "PAR", "--as-of", "16/08/2025", "--database-url", url)
    assert result.exit_code == 2
    assert "--as-of" in result.stderr

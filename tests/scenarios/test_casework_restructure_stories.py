"""Stories where a supervisor's approval changes the ledger, told through the services, the
nightly run, ``export accounts`` and ``loan show``, on SQLite and PostgreSQL.

张三's loan L1 (see ``casework_world``): 12,000.00 at 18% over 12 months, 1,100.16 a
month from 15 Nov 2025; three paid, 15 Feb missed. On 2 Mar 2026 (DPD 15):
- outstanding principal 12,000.00 - 2,802.09 paid = 9,197.91 (919,791 fen);
- February's installment: interest round(919,791 x 1.5%) = 13,797, principal 96,219;
- penalty: 15 days x 110,016 x 0.0005 = 825.12 -> 825 fen payable (no grace).
Every figure below is worked out by hand from these.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from sqlalchemy import Engine
from typer.testing import CliRunner

from faircollect.adapters.db.repository import load_adjustments
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.cli.app import app
from faircollect.domain.casework.proposals import (
    InstalmentPlan,
    LoanRestructured,
    Terms,
    WaivedComponent,
    Waiver,
    WaiverGranted,
)
from faircollect.domain.ledger.replay import Component
from faircollect.domain.ledger.terms import Payment
from faircollect.services.account_export import account_rows
from faircollect.services.casework import proposals as proposal_service
from faircollect.services.casework.ledger import ledger_as_of
from faircollect.services.nightly_ledger import run_day
from faircollect.services.organisation import actor_for
from tests.integration.ledger_db import import_payments
from tests.scenarios.casework_world import CASE, DAY, INSTALMENT, build

FIRST_DUE = date(2026, 4, 15)
PLAN = InstalmentPlan(6, Decimal(0), FIRST_DUE)
WIDE = {"COLUMNS": "220"}


def propose_and_approve(engine: Engine, terms: Terms) -> LoanRestructured | WaiverGranted:
    with UnitOfWork(engine) as uow:
        proposal = proposal_service.submit_proposal(
            uow, actor_for(uow, "C101"), CASE, "L1", terms, DAY, "收入下降，申请分期"
        )
    with UnitOfWork(engine) as uow:
        _, event = proposal_service.approve_proposal(
            uow, actor_for(uow, "S001"), proposal.proposal_id, DAY, "收入证明属实"
        )
    return event


def export_l1(engine: Engine, on: date) -> tuple[object, ...]:
    (row,) = [r for r in account_rows(engine, on) if r[0] == "L1"]
    return tuple(row)


def loan_show(url: str, on: date) -> str:
    args = ["loan", "show", "L1", "--as-of", on.isoformat(), "--database-url", url]
    result = CliRunner().invoke(app, args, env=WIDE)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_plan_approved_then_first_installment_paid_and_the_ledger_balances(
    db_engine: Engine, database_url: str
) -> None:
    build(db_engine)
    event = propose_and_approve(db_engine, PLAN)
    assert isinstance(event, LoanRestructured)
    run_day(db_engine, DAY)

    # After approval and the night: nothing past due any more. February's interest and
    # the penalty are not capitalised: they stay owed (8.25 payable now), due with the
    # plan's first installment. 0% over 6 months: 919,791 / 6 = 153,298.5 -> 153,299
    # five times, the last 919,791 - 5 x 153,299 = 153,296.
    assert export_l1(db_engine, DAY) == (
        "L1", "B1", 0, "M0", "current", 0, 0, 0, 825, 919_791,
    )  # fmt: skip
    shown = loan_show(database_url, DAY)
    assert "调整记录" in shown and "分期重组" in shown and event.proposal_id in shown
    assert "本金 9197.91 分 6 期" in shown
    assert re.search(r"4\s*│\s*2026-02-15\s*│.*已重组 2026-03-02", shown)
    assert re.search(r"13\s*│\s*2026-04-15\s*│\s*0\.00\s*│\s*137\.97\s*│.*结转欠款", shown)
    assert "结转罚息 8.25" in shown
    for number, month in zip(range(14, 19), range(4, 9), strict=True):
        assert re.search(rf"{number}\s*│\s*2026-0{month}-15\s*│\s*1532\.99\s*│\s*0\.00", shown)
    assert re.search(r"19\s*│\s*2026-09-15\s*│\s*1532\.96\s*│", shown)
    # What each installment finally claims: the principal column still adds up to 12,000.
    assert re.search(r"合计\s*│\s*│\s*12000\.00\s*│", shown)

    # On 15 Apr the borrower pays what falls due: arrears 825 + 13,797 and the first plan
    # installment 153,299 = 167,921 fen.
    import_payments(db_engine, [Payment("PLAN-1", "L1", FIRST_DUE, 167_921)])
    after = date(2026, 4, 16)
    run_day(db_engine, after)
    # 919,791 - 153,299 = 766,492 outstanding; next due 15 May (more than 7 days ahead).
    assert export_l1(db_engine, after) == (
        "L1", "B1", 0, "M0", "current", 0, 0, 0, 0, 766_492,
    )  # fmt: skip
    with UnitOfWork(db_engine) as uow:
        ledger = ledger_as_of(uow, "L1", after)
    shares = [(a.installment, a.component, a.amount) for a in ledger.allocations]
    assert shares[-3:] == [
        (13, Component.PENALTY, 825),
        (13, Component.INTEREST, 13_797),
        (14, Component.PRINCIPAL, 153_299),
    ]
    # To the fen: 3 x 110,016 + 167,921 = 497,969 received, all allocated, no credit;
    # principal paid 280,209 + 153,299 plus 766,492 outstanding is the contract's 1,200,000.
    assert ledger.state.paid_total == sum(a.amount for a in ledger.allocations) == 497_969
    assert ledger.state.credit == 0
    principal_paid = sum(p.principal_paid for p in ledger.positions)
    assert principal_paid == 433_508
    assert principal_paid + ledger.state.outstanding_principal == 1_200_000
    assert ledger.state.next_due_on == date(2026, 5, 15)


def test_penalty_waiver_lowers_the_payable_penalty_and_the_waterfall_respects_it(
    db_engine: Engine, database_url: str
) -> None:
    build(db_engine)
    event = propose_and_approve(db_engine, Waiver(WaivedComponent.PENALTY, 500))
    assert isinstance(event, WaiverGranted)
    with db_engine.connect() as conn:
        assert load_adjustments(conn, "L1") == [event]
    run_day(db_engine, DAY)
    # 825 payable, 500 waived: 325 left; the rest of February's installment is unchanged.
    assert export_l1(db_engine, DAY) == (
        "L1", "B1", 15, "M1", "early", 96_219, 13_797, 0, 325, 919_791,
    )  # fmt: skip
    assert "减免罚息" in loan_show(database_url, DAY)

    # 3 Mar: one more day of penalty, 110,016 x 0.0005 = 55.008, accrued 880.128 -> 880;
    # payable 880 - 500 = 380. The borrower pays February's installment plus that:
    # 110,016 + 380 = 110,396, which settles it exactly (without the waiver, 500 fen
    # more would have gone to penalty and February would still be short).
    day = date(2026, 3, 3)
    import_payments(db_engine, [Payment("FEB", "L1", day, INSTALMENT + 380)])
    run_day(db_engine, day)
    with UnitOfWork(db_engine) as uow:
        ledger = ledger_as_of(uow, "L1", day)
    assert [(a.installment, a.component, a.amount) for a in ledger.allocations[-3:]] == [
        (4, Component.PENALTY, 380),
        (4, Component.INTEREST, 13_797),
        (4, Component.PRINCIPAL, 96_219),
    ]
    # Current again: 919,791 - 96,219 = 823,572 outstanding; 15 Mar is 12 days away, more
    # than the 7 of the pre-due stage.
    assert export_l1(db_engine, day) == (
        "L1", "B1", 0, "M0", "current", 0, 0, 0, 0, 823_572,
    )  # fmt: skip

"""Loans with approved restructures and waivers in the nightly run and ``export accounts``:
incremental runs, full runs and the reference replay give the same states."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import Engine, insert, select

from faircollect.adapters.db import tables
from faircollect.adapters.db.ledger_runs import recompute_from
from faircollect.adapters.db.repository import store_adjustment
from faircollect.domain.ledger.adjustments import (
    Adjustment,
    InstalmentPlan,
    LoanRestructured,
    WaivedComponent,
    WaiverGranted,
    plan_schedule,
)
from faircollect.domain.ledger.replay import replay
from faircollect.domain.ledger.state import STATE_VALUES
from faircollect.domain.ledger.terms import LoanTerms, Method, Payment
from faircollect.services.account_export import account_rows
from faircollect.services.nightly_ledger import run_day
from tests.integration.ledger_db import (
    RATES,
    import_payments,
    insert_portfolio,
    random_portfolio,
    stored_states,
)

D = date(2026, 6, 15)
E = D + timedelta(days=1)
END = D + timedelta(days=20)


def approve_directly(engine: Engine, event: Adjustment, borrower_id: str) -> None:
    """What approval writes, without the casework users: a case, the proposal, the
    adjustment, and the recompute flag."""
    plan = event.plan if isinstance(event, LoanRestructured) else None
    with engine.begin() as conn:
        case_id = f"C-{event.proposal_id}"
        conn.execute(
            insert(tables.cases).values(
                case_id=case_id,
                borrower_id=borrower_id,
                status="open",
                owner_kind="collector",
                owner_id="C101",
                opened_on=event.effective_on,
            )
        )
        conn.execute(
            insert(tables.proposals).values(
                proposal_id=event.proposal_id,
                case_id=case_id,
                loan_id=event.loan_id,
                kind="plan" if plan else "waiver",
                months=plan.months if plan else None,
                annual_rate=plan.annual_rate if plan else None,
                first_due=plan.first_due if plan else None,
                method=plan.method.value if plan else None,
                submitted_by="C101",
                submitted_on=event.effective_on,
                status="approved",
            )
        )
        store_adjustment(conn, event)
        recompute_from(conn, event.loan_id, event.effective_on)


def decide(rng: random.Random, terms: LoanTerms, known: list[Payment], n: int) -> Adjustment:
    """A restructure or a waiver as approval on E computes it from the known payments."""
    state = replay(terms, known, E).state
    if n % 3 and state.outstanding_principal > 0:
        plan = InstalmentPlan(
            rng.randrange(1, 13),
            rng.choice(RATES),
            E + timedelta(days=rng.randrange(1, 40)),
            rng.choice(list(Method)),
        )
        return LoanRestructured(
            f"PR{n}",
            terms.loan_id,
            E,
            "S001",
            "分期",
            plan,
            state.outstanding_principal,
            state.overdue_interest,
            state.overdue_fee,
            plan_schedule(state.outstanding_principal, plan),
        )
    component = WaivedComponent.PENALTY if state.penalty else WaivedComponent.INTEREST
    cap = state.penalty or state.overdue_interest
    return WaiverGranted(
        f"PR{n}", terms.loan_id, E, "S001", "减免", component, max(1, rng.randrange(cap + 1))
    )


def expected(
    loans: list[LoanTerms], payments: list[Payment], adjustments: list[Adjustment], on: date
) -> dict[str, dict[str, object]]:
    return {
        t.loan_id: {
            f: getattr(
                replay(
                    t,
                    [p for p in payments if p.loan_id == t.loan_id],
                    on,
                    adjustments=[a for a in adjustments if a.loan_id == t.loan_id],
                ).state,
                f,
            )
            for f in STATE_VALUES
        }
        for t in loans
    }


def stored(engine: Engine) -> dict[str, dict[str, object]]:
    return {
        loan_id: {f: (row[f].value if hasattr(row[f], "value") else row[f]) for f in STATE_VALUES}
        for loan_id, row in stored_states(engine).items()
    }


def book(engine: Engine) -> tuple[list[LoanTerms], list[Payment], list[Adjustment]]:
    """A random portfolio run on D; a third of its loans adjusted on E; later payments."""
    rng = random.Random(21)
    loans, payments = random_portfolio(seed=21, size=45, until=END)
    known = [p for p in payments if p.paid_on <= D]
    insert_portfolio(engine, loans, known)
    run_day(engine, D)
    adjustments = []
    for n, terms in enumerate(loans[::3]):
        mine = [p for p in known if p.loan_id == terms.loan_id]
        event = decide(rng, terms, mine, n)
        approve_directly(engine, event, terms.borrower_id)
        adjustments.append(event)
    assert any(isinstance(a, LoanRestructured) for a in adjustments)
    assert any(isinstance(a, WaiverGranted) for a in adjustments)
    return loans, payments, adjustments


def test_incremental_equals_full_equals_replay_with_adjusted_loans(db_engine: Engine) -> None:
    loans, payments, adjustments = book(db_engine)
    later = [p for p in payments if p.paid_on > D]
    # A payment dated on the approval day that approval did not see: the plan is rebuilt.
    restructured = next(a for a in adjustments if isinstance(a, LoanRestructured))
    back = Payment("BACK", restructured.loan_id, E, 12_345)
    import_payments(db_engine, [*later, back])
    everything = [*payments, back]

    report = run_day(db_engine, END)  # incremental catch-up, E .. END
    assert not any(day.full for day in report.days)
    assert report.days[0].loans_computed < len(loans)
    incremental = stored(db_engine)
    assert incremental == expected(loans, everything, adjustments, END)

    run_day(db_engine, END, recompute_all=True)
    assert stored(db_engine) == incremental
    # Stage history of an adjusted loan carries its true dates as a daily replay sees them.
    with db_engine.connect() as conn:
        history = conn.execute(
            select(tables.stage_history.c.entered_on, tables.stage_history.c.stage)
            .where(tables.stage_history.c.loan_id == restructured.loan_id)
            .order_by(tables.stage_history.c.entered_on)
        ).all()
    terms = next(t for t in loans if t.loan_id == restructured.loan_id)
    mine = [p for p in everything if p.loan_id == terms.loan_id]
    daily = [
        replay(terms, mine, D + timedelta(days=k), adjustments=[restructured]).state.stage.value
        for k in range(21)
    ]
    moves = [(D, daily[0])] + [
        (D + timedelta(days=k), daily[k]) for k in range(1, 21) if daily[k] != daily[k - 1]
    ]
    assert [tuple(r) for r in history] == moves


def test_export_sees_an_approval_made_after_the_night_run(db_engine: Engine) -> None:
    loans, payments, adjustments = book(db_engine)
    known = [p for p in payments if p.paid_on <= D]
    run_day(db_engine, E)  # the night of E ran after approvals: the states include them
    assert stored(db_engine) == expected(loans, known, adjustments, E)
    # Another approval on E after that night's run: export on E must not use stale rows.
    target = next(t for t in loans[1::3])
    late = decide(random.Random(5), target, [p for p in known if p.loan_id == target.loan_id], 100)
    approve_directly(db_engine, late, target.borrower_id)
    rows = {r[0]: r for r in account_rows(db_engine, E)}
    want = expected(loans, known, [*adjustments, late], E)
    for loan_id, row in rows.items():
        w = want[loan_id]
        assert row[2:] == (
            w["dpd"],
            w["bucket"],
            w["stage"],
            w["overdue_principal"],
            w["overdue_interest"],
            w["overdue_fee"],
            w["penalty"],
            w["outstanding_principal"],
        )
    # Running E again takes it up (only that loan), and so would the next night.
    assert [d.loans_computed for d in run_day(db_engine, E).days] == [1]
    assert stored(db_engine) == expected(loans, known, [*adjustments, late], E)
    assert [d.loans_computed for d in run_day(db_engine, E).days] == [0]
    run_day(db_engine, E + timedelta(days=1))
    assert stored(db_engine) == expected(loans, known, [*adjustments, late], E + timedelta(days=1))


def test_a_full_run_over_worker_processes_applies_adjustments_in_every_partition(
    db_engine: Engine,
) -> None:
    """The workers replay the adjusted loans of their partitions (``restate``)."""
    loans, payments, adjustments = book(db_engine)
    known = [p for p in payments if p.paid_on <= D]
    run_day(db_engine, END, recompute_all=True, workers=2, partition_loans=3)
    assert stored(db_engine) == expected(loans, known, adjustments, END)

"""Issue 14: the night keeps each day's states (``account_state_history``), which the
managers' reports read for past dates; running a day again replaces its copy."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from sqlalchemy import Engine, func, select

from faircollect.adapters.db import tables as t
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.services.nightly_ledger import run_day
from tests.integration.ledger_db import insert_portfolio, random_portfolio

D = date(2026, 6, 30)


def _nights(engine: Engine) -> dict[date, int]:
    h = t.account_state_history
    with engine.connect() as conn:
        rows = conn.execute(select(h.c.night, func.count()).group_by(h.c.night)).all()
    return {night: int(n) for night, n in rows}


def test_every_night_keeps_every_loans_state(db_engine: Engine) -> None:
    loans, payments = random_portfolio(7, 40, D + timedelta(days=5))
    insert_portfolio(db_engine, loans, payments)
    run_day(db_engine, D)
    run_day(db_engine, D + timedelta(days=2))  # catches up D+1, then D+2
    run_day(db_engine, D + timedelta(days=2))  # the same day again
    days = [D + timedelta(days=n) for n in range(3)]
    assert _nights(db_engine) == dict.fromkeys(days, 40)
    s, h = t.account_states, t.account_state_history
    with db_engine.connect() as conn:
        latest = Counter(conn.execute(select(s.c.bucket)).scalars())
        kept = Counter(conn.execute(select(h.c.bucket).where(h.c.night == days[-1])).scalars())
        overdue = conn.execute(
            select(
                func.sum(
                    s.c.overdue_principal + s.c.overdue_interest + s.c.overdue_fee + s.c.penalty
                )
            )
        ).scalar_one()
        kept_overdue = conn.execute(
            select(func.sum(h.c.overdue_total)).where(h.c.night == days[-1])
        ).scalar_one()
    assert kept == latest
    assert kept_overdue == overdue


def test_reports_read_the_nights_the_ledger_kept(db_engine: Engine) -> None:
    """Roll rates between two real nights account for every live loan of the first, and
    the buckets of the last night agree with ``account_states`` loan for loan."""
    from faircollect.domain.casework.roles import Actor, Role
    from faircollect.services import manager_reports as reports

    loans, payments = random_portfolio(11, 60, D + timedelta(days=40))
    insert_portfolio(db_engine, loans, payments)
    first, last = D, D + timedelta(days=35)
    run_day(db_engine, first)
    run_day(db_engine, last)
    admin = Actor("test", Role.ADMIN)
    s, lo = t.account_states, t.loans
    with UnitOfWork(db_engine) as uow:
        matrix = reports.roll_matrix(uow, admin, reports.Dates(first, last))
        found = reports.buckets(uow, admin, reports.Dates(last, last))
        live_now = Counter(
            uow.conn.execute(
                select(s.c.bucket)
                .select_from(s.join(lo, lo.c.loan_id == s.c.loan_id))
                .where(
                    lo.c.disbursed_on <= last,
                    (s.c.outstanding_principal > 0)
                    | (
                        s.c.overdue_principal + s.c.overdue_interest + s.c.overdue_fee + s.c.penalty
                        > 0
                    ),
                )
            ).scalars()
        )
    h = t.account_state_history
    with db_engine.connect() as conn:
        live_then = conn.execute(
            select(func.count())
            .select_from(h.join(lo, lo.c.loan_id == h.c.loan_id))
            .where(
                h.c.night == first,
                lo.c.disbursed_on <= first,
                (h.c.outstanding_principal > 0) | (h.c.overdue_total > 0),
            )
        ).scalar_one()
    assert live_then > 0
    assert sum(matrix.total(b) for b in matrix.accounts) == live_then
    rows = {r["bucket"]: r["accounts"] for r in found.tables[0].rows}
    assert {b: n for b, n in rows.items() if n and b != "合计"} == dict(live_now)

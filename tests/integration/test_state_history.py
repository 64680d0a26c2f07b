"""Issue 14: the night keeps each day's states (``account_state_history``), which the
managers' reports read for past dates; running a day again replaces its copy."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from sqlalchemy import Engine, func, select

from faircollect.adapters.db import tables as t
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

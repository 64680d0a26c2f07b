"""The night's copy of every account's state into ``account_state_history`` (0013).

After a night stored the states of day D, every row of ``account_states`` holds its
loan's state as of D (a loan the night did not touch had no event, so its stored state
still holds). One ``INSERT … SELECT`` copies the figures the managers' reports read;
running the same night again replaces that night's copy.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, delete, insert, literal, select

from faircollect.adapters.db import tables as t


def copy_states(conn: Connection, night: date) -> None:
    """Copy every stored state as the states of ``night``."""
    h, s = t.account_state_history, t.account_states
    conn.execute(delete(h).where(h.c.night == night))
    figures = select(
        literal(night, type_=h.c.night.type),
        s.c.loan_id,
        s.c.dpd,
        s.c.bucket,
        s.c.stage,
        s.c.overdue_principal,
        s.c.overdue_principal + s.c.overdue_interest + s.c.overdue_fee + s.c.penalty,
        s.c.outstanding_principal,
        s.c.paid_total,
    )
    columns = [
        "night",
        "loan_id",
        "dpd",
        "bucket",
        "stage",
        "overdue_principal",
        "overdue_total",
        "outstanding_principal",
        "paid_total",
    ]
    conn.execute(insert(h).from_select(columns, figures))

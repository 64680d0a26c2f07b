"""The reads behind the reports: account export, the morning's portfolio summary, the
night's action export, plan summary and compliance report.

Queries only; what a report shows and how (column order, formats, what counts as passed)
is decided by its service (``services.account_export``, ``portfolio_summary``,
``nightly_report``).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, func, select

from faircollect.adapters.db import tables as t
from faircollect.adapters.db.portfolio_store import Store
from faircollect.domain.portal import SIGN_IN_MESSAGE_PREFIX

# --- account export ---------------------------------------------------------------------


def stored_account_rows(store: Store) -> list[tuple[Any, ...]]:
    """Every stored state with its borrower, by loan id: loan_id, borrower_id, dpd,
    bucket, stage, overdue principal / interest / fee, penalty, outstanding principal."""
    return [
        tuple(r)
        for r in store.fetch(
            "SELECT s.loan_id, l.borrower_id, s.dpd, s.bucket, s.stage, "
            "s.overdue_principal, s.overdue_interest, s.overdue_fee, s.penalty, "
            "s.outstanding_principal FROM account_states s "
            "JOIN loans l ON l.loan_id = s.loan_id ORDER BY s.loan_id"
        )
    ]


def loan_borrowers(store: Store) -> dict[str, str]:
    """The borrower of every loan, by loan id."""
    return dict(store.fetch("SELECT loan_id, borrower_id FROM loans"))


def loans_and_states(store: Store) -> tuple[int, int]:
    """How many loans are stored, and how many of them have a stored state."""
    loans, states = store.fetch(
        "SELECT (SELECT COUNT(*) FROM loans), (SELECT COUNT(*) FROM account_states)"
    )[0]
    return int(loans), int(states)


# --- portfolio summary ------------------------------------------------------------------

_OVERDUE = (
    t.account_states.c.overdue_principal
    + t.account_states.c.overdue_interest
    + t.account_states.c.overdue_fee
    + t.account_states.c.penalty
)


def latest_run_date(conn: Connection) -> date | None:
    """The date of the latest run row."""
    return conn.execute(select(func.max(t.runs.c.run_date))).scalar()


def overdue_by(conn: Connection, column: str) -> dict[str, tuple[int, int, int]]:
    """Per value of the ``account_states`` column (``bucket``, ``stage``): accounts,
    overdue principal and total overdue with penalty (fen)."""
    by = t.account_states.c[column]
    query = select(
        by,
        func.count(),
        func.coalesce(func.sum(t.account_states.c.overdue_principal), 0),
        func.coalesce(func.sum(_OVERDUE), 0),
    ).group_by(by)
    return {name: (int(n), int(p), int(total)) for name, n, p, total in conn.execute(query)}


# --- the night --------------------------------------------------------------------------


def night_actions(conn: Connection, day: date, kind: str | None = None) -> list[Any]:
    """The ``planned_actions`` rows of the night ``day`` (only of ``kind`` when given), by
    scheduled time then id."""
    pa = t.planned_actions
    query = select(pa).where(pa.c.run_date == day)
    if kind is not None:
        query = query.where(pa.c.kind == kind)
    return list(conn.execute(query.order_by(pa.c.scheduled_at, pa.c.action_id)).all())


def unauthorised_outbox(
    conn: Connection, day: date, allowing_statuses: Collection[str]
) -> tuple[int, list[str]]:
    """How many outbox rows the day has, and the ids of those without an allowing decision:
    no planned action with the same id and channel that the gate allowed and whose status
    is one of ``allowing_statuses``."""
    ob, pa = t.outbox, t.planned_actions
    allowing = and_(
        pa.c.action_id == ob.c.message_id,
        pa.c.channel == ob.c.channel,
        pa.c.allowed.is_(True),
        pa.c.status.in_(tuple(allowing_statuses)),
    )
    total = len(conn.execute(select(ob.c.message_id).where(ob.c.run_date == day)).all())
    bad = conn.execute(
        select(ob.c.message_id)
        .select_from(ob.outerjoin(pa, allowing))
        .where(
            ob.c.run_date == day,
            pa.c.action_id.is_(None),
            # A borrower's own sign-in code is no collection contact: no action plans it.
            ob.c.message_id.not_like(f"{SIGN_IN_MESSAGE_PREFIX}%"),
        )
        .order_by(ob.c.message_id)
    )
    return total, list(bad.scalars())

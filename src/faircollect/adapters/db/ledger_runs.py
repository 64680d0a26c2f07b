"""What the nightly ledger step records about its runs, and the flags it reads between them.

- ``runs``: one row per business date brought up to date (claimed first, recorded last,
  in the run's transaction);
- loans flagged for recomputation: an approval brings a loan's ``next_event_on``
  forward, and a run up to date must look again;
- loans with approved adjustments, which the reference replay computes instead of the
  engine (``services.ledger_adjusted``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection, func, insert, or_, select

from faircollect.adapters.db.tables import account_states, loan_adjustments, runs

COMPLETED = "completed"


def last_completed(conn: Connection) -> tuple[date, int] | None:
    """(run_date, last_batch_id) of the latest completed run, if any."""
    row = conn.execute(
        select(runs.c.run_date, runs.c.last_batch_id)
        .where(runs.c.status == COMPLETED)
        .order_by(runs.c.run_date.desc())
        .limit(1)
    ).first()
    return None if row is None else (row.run_date, row.last_batch_id or 0)


def claim_date(conn: Connection, day: date) -> None:
    """Delete the run row of ``day`` (if any): this opens the write transaction, so every
    read after it sees one snapshot and no import interleaves with the run."""
    conn.execute(runs.delete().where(runs.c.run_date == day))


def record_run(
    conn: Connection, day: date, started: datetime, finished: datetime, batch: int, count: int
) -> None:
    """The completed run of ``day``: when, the newest import batch it saw, loans computed."""
    conn.execute(
        insert(runs).values(
            run_date=day,
            status=COMPLETED,
            started_at=started,
            finished_at=finished,
            last_batch_id=batch,
            loans_computed=count,
        )
    )


def recompute_from(conn: Connection, loan_id: str, on: date) -> None:
    """Make the next incremental run recompute ``loan_id`` once ``on`` has come (no effect
    on a loan without a stored state: runs compute those anyway)."""
    column = account_states.c.next_event_on
    conn.execute(
        account_states.update()
        .where(account_states.c.loan_id == loan_id, or_(column.is_(None), column > on))
        .values(next_event_on=on)
    )


def approved_since_run(conn: Connection, day: date) -> bool:
    """Whether a loan stored as of ``day`` was flagged by an approval since (a run's own
    ``next_event_on`` is always after its date)."""
    flagged = select(account_states.c.loan_id).where(account_states.c.next_event_on <= day)
    return conn.execute(flagged.limit(1)).first() is not None


def adjusted_loan_ids(conn: Connection) -> set[str]:
    """Loans with at least one approved adjustment (restructure or waiver)."""
    return set(conn.execute(select(loan_adjustments.c.loan_id).distinct()).scalars())


def adjustments_count(conn: Connection) -> int:
    """Approved adjustments so far (they are only ever added): a full run staged in
    partitions compares it before and after, since an approval meanwhile changes a loan
    whose partition may already be computed."""
    return int(conn.execute(select(func.count()).select_from(loan_adjustments)).scalar_one())

"""``export accounts``: every loan's state as of a date, in the published column order.

The stored ``account_states`` are used when they are exactly the states as of D (the last
completed run is D, no newer import batch exists and no adjustment was approved since);
otherwise the states are computed from loans, payments and adjustments, since the state
as of any date is a pure function of them.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date
from typing import Any, TextIO

from sqlalchemy import Engine

from faircollect.adapters.db import reports
from faircollect.adapters.db.ledger_runs import approved_since_run, last_completed
from faircollect.adapters.db.portfolio_store import Store
from faircollect.domain.money import format_yuan
from faircollect.portfolio import BUCKETS, STAGES, compute_states
from faircollect.services.ledger_adjusted import restate

COLUMNS = (
    "loan_id",
    "borrower_id",
    "dpd",
    "bucket",
    "stage",
    "overdue_principal",
    "overdue_interest",
    "overdue_fee",
    "penalty",
    "total_overdue",
    "outstanding_principal",
)
Row = tuple[str, str, int, str, str, int, int, int, int, int]
"""loan_id, borrower_id, dpd, bucket, stage, overdue p/i/f, penalty, outstanding (fen)."""


def account_rows(engine: Engine, as_of: date) -> list[Row]:
    """Rows ordered by loan id, amounts in fen."""
    with engine.connect() as conn:
        store = Store(conn)
        last = last_completed(conn)
        if last is not None and last[0] == as_of and _stored_is_current(store, last[1], as_of):
            return reports.stored_account_rows(store)
        portfolio = store.load(only_todo=False)
        borrowers = reports.loan_borrowers(store)
        states = compute_states(portfolio.loans, portfolio.payments, as_of)
        states = restate(conn, portfolio.loan_ids, states, as_of)
    return sorted(
        zip(
            portfolio.loan_ids,
            [borrowers[i] for i in portfolio.loan_ids],
            states.dpd.tolist(),
            [BUCKETS[b] for b in states.bucket.tolist()],
            [STAGES[s].value for s in states.stage.tolist()],
            states.overdue_principal.tolist(),
            states.overdue_interest.tolist(),
            states.overdue_fee.tolist(),
            states.penalty.tolist(),
            states.outstanding_principal.tolist(),
            strict=True,
        )
    )


def _stored_is_current(store: Store, last_batch: int, as_of: date) -> bool:
    """No import since the run, a stored state for every loan, and none flagged for
    recomputation on or before ``as_of`` (an adjustment approved since the run)."""
    loans, states = reports.loans_and_states(store)
    fresh = store.max_batch() <= last_batch and loans == states
    return bool(fresh and not approved_since_run(store.conn, as_of))


def _records(rows: list[Row]) -> Iterator[list[Any]]:
    for loan_id, borrower, dpd, bucket, stage, op, oi, of, pen, outstanding in rows:
        amounts = [op, oi, of, pen, op + oi + of + pen, outstanding]
        yield [loan_id, borrower, dpd, bucket, stage, *map(format_yuan, amounts)]


def write_csv(rows: list[Row], out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(_records(rows))


def write_json(rows: list[Row], out: TextIO) -> None:
    """A JSON array of objects; amounts as "123.45" strings so they stay exact."""
    records = [dict(zip(COLUMNS, r, strict=True)) for r in _records(rows)]
    json.dump(records, out, ensure_ascii=False, indent=1)
    out.write("\n")

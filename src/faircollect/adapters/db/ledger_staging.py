"""A full ledger run's partitions, staged and committed one at a time (0020).

A full run (first night, ``--full``, a recompute) is the long one, and the one a crash
hurts most: at a hundred million loans it is hours of work. So it runs in two phases
(``services.nightly_ledger``). Phase one computes the partitions and writes each, in a
transaction of its own, into ``ledger_staged_states`` and ``ledger_staged_accruals`` with
a marker row in ``ledger_staged_parts``: a partition's rows and its marker commit together,
so after a crash every marked partition is whole and every other one left nothing behind.
Phase two, in the day's transaction, records the stage transitions, moves the staged rows
into the live tables in one ``INSERT … SELECT`` each and empties the staging tables: the
workbench sees the old night or the new one, never a mix.

Each marker carries the run's key (what the partitions were computed from). A rerun with
the same key keeps the marked partitions and computes only the others; any other key means
the staged rows are stale, and they are deleted before anything is staged.
"""

from __future__ import annotations

from datetime import date

from faircollect.adapters.db.portfolio_store import ACCRUAL_COLUMNS, STATE_COLUMNS, Store
from faircollect.portfolio import PortfolioStates

STATES, ACCRUALS, PARTS = "ledger_staged_states", "ledger_staged_accruals", "ledger_staged_parts"


def kept_partitions(store: Store, key: str) -> dict[int, int]:
    """The partitions already staged under ``key`` (part number: loans). Rows staged under
    any other key are deleted first (the caller commits)."""
    marked = store.fetch(f"SELECT run_key, part_no, loans FROM {PARTS}")  # nosec B608
    if any(run_key != key for run_key, _, _ in marked) or not marked:
        clear(store)
        return {}
    return {part_no: loans for _, part_no, loans in marked}


def stage_partition(
    store: Store, key: str, part_no: int, loan_ids: list[str], states: PortfolioStates, day: date
) -> None:
    """One computed partition's states, accruals and marker (committed together by the
    caller)."""
    store.insert_states(loan_ids, states, day, into=(STATES, ACCRUALS))
    store.execute(
        f"INSERT INTO {PARTS} (run_key, part_no, loans) VALUES (?, ?, ?)",  # nosec B608
        (key, part_no, len(loan_ids)),
    )


def record_transitions(store: Store, day: date) -> int:
    """Stage history for every staged loan whose stage differs from its live one (or that
    has no live state yet), entered on ``day``; the number of transitions. Runs before
    ``publish`` replaces the live states."""
    return store.execute(
        "INSERT INTO stage_history (loan_id, entered_on, stage, previous_stage) "  # nosec B608
        f"SELECT n.loan_id, ?, n.stage, a.stage FROM {STATES} n "
        "LEFT JOIN account_states a ON a.loan_id = n.loan_id "
        "WHERE a.loan_id IS NULL OR a.stage <> n.stage "
        "ON CONFLICT (loan_id, entered_on) DO UPDATE SET stage = excluded.stage",
        (day if store.dialect == "postgresql" else day.isoformat(),),
    )


def publish(store: Store) -> None:
    """Every staged row into the live state tables, which ``Store.replacing_states`` has
    emptied; in key order, so SQLite appends to its B-trees instead of splitting pages."""
    for live, staged, columns, order in (
        ("account_states", STATES, STATE_COLUMNS, "loan_id"),
        ("penalty_accruals", ACCRUALS, ACCRUAL_COLUMNS, "loan_id, installment"),
    ):
        names = ", ".join(columns)
        store.execute(
            f"INSERT INTO {live} ({names}) SELECT {names} FROM {staged} ORDER BY {order}"  # nosec B608
        )


def clear(store: Store) -> None:
    """Empty the staging tables."""
    for table in (STATES, ACCRUALS, PARTS):
        if store.dialect == "postgresql":
            store.execute(f"TRUNCATE {table}")
        else:
            store.execute(f"DELETE FROM {table}")  # nosec B608

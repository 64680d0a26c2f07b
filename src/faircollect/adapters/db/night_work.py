"""The night's 分案 inputs and outputs kept in the database, not in Python.

分案 balances capacity over the whole night (largest amounts first), so it runs once,
after every partition is planned. Its inputs used to be a Python record per call, visit
and placement of the whole portfolio, kept across the partitions, and a dict of every
borrower's previous assignee: memory that grew with the book. Here they are temporary
tables, filled as the night goes and read back in 分案's order a chunk at a time:

- ``night_work``: each partition's work items, as inserted (``seq``: the order the night
  planned them, which keeps the items of one loan in plan order);
- ``night_previous_owners``: each borrower's latest assignee before tonight (sticky 分案),
  computed by the database from the stored actions (``night_views.previous_owners`` is
  the same read into a dict);
- ``night_loan_owners``: for each loan whose work 分案 gave to a collector tonight, that
  collector, in 分案's order (``pos``): the owners of tonight's cases
  (``domain.casework.case_owners``), read by ``adapters.db.night_cases`` in SQL.

The tables live in the night's transaction and are dropped at its end (``work_tables``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    and_,
    exists,
    false,
    func,
    select,
    true,
    union_all,
)

from faircollect.adapters.db import tables as t
from faircollect.adapters.db.bulk import insert_rows
from faircollect.adapters.db.temp_tables import analyze, temporary_tables

_TEMP = MetaData()

WORK = Table(
    "night_work",
    _TEMP,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("action_id", String(64), nullable=False),
    Column("loan_id", String(64), nullable=False),
    Column("borrower_id", String(64), nullable=False),
    Column("stage", String(32), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("skill", String(32), nullable=False),
    Column("dpd", Integer, nullable=False),
    Column("placement", Boolean, nullable=False),
    Column("fresh", Boolean, nullable=False),
    prefixes=["TEMPORARY"],
)
"""Every allowed call, visit and agency placement of the night (``nightly_plan._work``):
what ``domain.assignment.WorkItem`` holds, whether it places the loan with an agency, and
whether this run inserted its row."""

PREVIOUS = Table(
    "night_previous_owners",
    _TEMP,
    Column("borrower_id", String(64), primary_key=True),
    Column("owner_id", String(64), nullable=False),
    prefixes=["TEMPORARY"],
)
"""Each borrower's latest assignee before tonight (collector or agency)."""

LOAN_OWNERS = Table(
    "night_loan_owners",
    _TEMP,
    Column("pos", Integer, primary_key=True, autoincrement=False),
    Column("borrower_id", String(64), nullable=False),
    Column("owner_id", String(64), nullable=False),
    prefixes=["TEMPORARY"],
)
"""Loans whose work went to a collector tonight, in 分案's order: the borrower and the
collector (``pos``: the loan's place in that order)."""

_TABLES = (WORK, PREVIOUS, LOAN_OWNERS)


def work_tables(conn: Connection) -> AbstractContextManager[None]:
    """Create the night's 分案 tables empty; drop them when the block ends without error."""
    return temporary_tables(conn, _TABLES)


def stage_work(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Add one partition's work items (``WORK``'s columns, ``seq`` continuing the night's)."""
    insert_rows(conn, WORK, rows)


def stage_previous_owners(conn: Connection, as_of: date) -> None:
    """Fill ``PREVIOUS`` with what ``night_views.previous_owners`` returns, in SQL: per
    borrower, the assignee of its first action (by id) of the latest night before
    ``as_of`` on which one of its actions had an assignee."""
    pa = t.planned_actions
    assigned = and_(pa.c.assignee.is_not(None), pa.c.run_date < as_of)
    latest = (
        select(pa.c.borrower_id, func.max(pa.c.run_date).label("day"))
        .where(assigned)
        .group_by(pa.c.borrower_id)
        .subquery()
    )
    first = (
        select(pa.c.borrower_id, func.min(pa.c.action_id).label("action_id"))
        .join(latest, and_(latest.c.borrower_id == pa.c.borrower_id, latest.c.day == pa.c.run_date))
        .where(pa.c.assignee.is_not(None))
        .group_by(pa.c.borrower_id)
        .subquery()
    )
    owners = select(pa.c.borrower_id, pa.c.assignee).join(
        first, first.c.action_id == pa.c.action_id
    )
    conn.execute(PREVIOUS.insert().from_select(["borrower_id", "owner_id"], owners))
    analyze(conn, WORK, PREVIOUS)


def work_in_order(conn: Connection, chunk: int) -> Iterator[list[Any]]:
    """The staged work items in 分案's order (``domain.assignment.assign_order``: largest
    amount first, then loan id in code-point order, then the order planned), ``chunk``
    rows at a time, each with the borrower's previous owner (``previous``, or None) and
    whether it is the borrower's last item in that order (``last``)."""
    w, p = WORK, PREVIOUS
    loan = w.c.loan_id.collate("C") if conn.dialect.name == "postgresql" else w.c.loan_id
    last = func.row_number().over(
        partition_by=w.c.borrower_id, order_by=(w.c.amount, loan.desc(), w.c.seq.desc())
    )
    query = (
        select(w, p.c.owner_id.label("previous"), (last == 1).label("last"))
        .outerjoin(p, p.c.borrower_id == w.c.borrower_id)
        .order_by(w.c.amount.desc(), loan, w.c.seq)
    )
    result = conn.execute(query.execution_options(yield_per=chunk))
    yield from result.partitions(chunk)


def stage_loan_owners(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Add (pos, borrower_id, owner_id) rows to ``LOAN_OWNERS``."""
    insert_rows(conn, LOAN_OWNERS, rows)


def case_owner_rows(on_duty: Collection[str]) -> Select[Any]:
    """(borrower_id, owner_id, moved) of ``domain.casework.case_owners`` from the staged
    tables: each borrower's collector from its first loan (in 分案's order) whose work
    went to a collector tonight (``moved``), else its previous owner when that is a
    collector in ``on_duty`` (not moved)."""
    lo, p = LOAN_OWNERS, PREVIOUS
    first = select(lo.c.borrower_id, func.min(lo.c.pos).label("pos")).group_by(lo.c.borrower_id)
    firsts = first.subquery()
    tonight = select(lo.c.borrower_id, lo.c.owner_id, true()).join(firsts, firsts.c.pos == lo.c.pos)
    before = select(p.c.borrower_id, p.c.owner_id, false()).where(
        p.c.owner_id.in_(sorted(on_duty)),
        ~exists().where(lo.c.borrower_id == p.c.borrower_id),
    )
    return union_all(tonight, before)  # type: ignore[return-value]

"""The night's case work in bulk: open the missing cases of delinquent borrowers and move
open cases to the collector 分案 gave the work to, in a few set-based statements.

The rules are ``services.casework.open_cases`` (which loans a new case takes) and
``domain.casework.case_owners`` (who owns it); here they are written as INSERT … SELECT
and UPDATE over the whole book, inside the night's transaction, so the first night on a
million loans opens its ~150,000 cases without a Python object per case and later nights
touch only what changed. The rows written are the ones the case repository writes for one
case (``adapters.db.repositories.cases``: the ``cases`` row, its ``case_loans``, an
``opened`` or ``owner`` event in ``case_events``).

Three temporary tables carry the night's inputs: the owner of each borrower's case
tonight (from 分案), the loans already in an open case, and the loans of the cases to
open. They are dropped at the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    MetaData,
    Select,
    String,
    Table,
    and_,
    exists,
    func,
    literal,
    null,
    select,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by

from faircollect.adapters.db.bulk import insert_rows
from faircollect.adapters.db.tables import (
    account_states,
    case_events,
    case_loans,
    cases,
    loans,
)
from faircollect.adapters.db.temp_tables import analyze, temporary_tables
from faircollect.domain.casework.case_owners import CaseOwners
from faircollect.domain.casework.cases import CLOSED, UNASSIGNED, CaseStatus, OwnerKind

_TEMP = MetaData()
_OWNERS = Table(
    "night_case_owners",
    _TEMP,
    Column("borrower_id", String(64), primary_key=True),
    Column("owner_id", String(64), nullable=False),
    Column("moved", Boolean, nullable=False),
    prefixes=["TEMPORARY"],
)
"""Tonight's owner per borrower; ``moved``: 分案 gave the borrower's work to them tonight
(an open case moves to them), else they had it before (only a new case goes to them)."""

_WORKED = Table(
    "night_worked_loans",
    _TEMP,
    Column("loan_id", String(64), primary_key=True),
    prefixes=["TEMPORARY"],
)
"""Loans in an open (not closed) case before tonight's cases are opened."""

_NEW = Table(
    "night_new_case_loans",
    _TEMP,
    Column("loan_id", String(64), primary_key=True),
    Column("borrower_id", String(64), nullable=False),
    Column("case_id", String(64), nullable=False),
    prefixes=["TEMPORARY"],
)
"""The loans of the cases opened tonight, with their case id."""

_NOT_CLOSED = cases.c.status.not_in(sorted(s.value for s in CLOSED))
_COLLECTOR = OwnerKind.COLLECTOR.value


@contextmanager
def night_case_tables(conn: Connection, owners: CaseOwners | Select[Any]) -> Iterator[None]:
    """The temporary tables for ``open_missing_cases`` and ``move_to_collectors``, filled
    with ``owners`` (or the (borrower_id, owner_id, moved) rows of a query, e.g.
    ``night_work.case_owner_rows``) and the loans in open cases; dropped on exit."""
    with temporary_tables(conn, (_OWNERS, _WORKED, _NEW)):
        _fill(conn, owners)
        yield


def _fill(conn: Connection, owners: CaseOwners | Select[Any]) -> None:
    """``_OWNERS`` from ``owners`` and ``_WORKED`` from the open cases, analysed."""
    if isinstance(owners, CaseOwners):
        rows = [
            {"borrower_id": b, "owner_id": owner, "moved": moved}
            for moved, chosen in ((True, owners.tonight), (False, owners.before))
            for b, owner in sorted(chosen.items())
        ]
        insert_rows(conn, _OWNERS, rows)  # to the driver in bulk (COPY on PostgreSQL)
    else:  # the night's, computed by the database (``adapters.db.night_work``)
        conn.execute(_OWNERS.insert().from_select(["borrower_id", "owner_id", "moved"], owners))
    worked = (
        select(case_loans.c.loan_id)
        .join(cases, cases.c.case_id == case_loans.c.case_id)
        .where(_NOT_CLOSED)
        .distinct()
    )
    conn.execute(_WORKED.insert().from_select(["loan_id"], worked))
    analyze(conn, _OWNERS, _WORKED)


def move_to_collectors(conn: Connection, on: date, actor: str, reason: str) -> int:
    """Give every open case owned by a collector (or ``UNASSIGNED``) to the collector 分案
    gave its borrower's work to tonight, when that is someone else: an ``owner`` event,
    then the new owner. Cases an agency holds are left alone. Returns how many moved."""
    o = _OWNERS
    moving = and_(
        o.c.borrower_id == cases.c.borrower_id,
        o.c.moved.is_(True),
        o.c.owner_id != cases.c.owner_id,
    )
    query = (
        select(
            cases.c.case_id,
            _day(on),
            literal("owner"),
            literal(f"{_COLLECTOR}:") + cases.c.owner_id,
            literal(f"{_COLLECTOR}:") + o.c.owner_id,
            literal(actor),
            literal(reason),
        )
        .join(o, moving)
        .where(cases.c.owner_kind == _COLLECTOR, _NOT_CLOSED)
        .order_by(cases.c.case_id)
    )
    conn.execute(case_events.insert().from_select(_EVENT_COLUMNS, query))
    owner = select(o.c.owner_id).where(moving).scalar_subquery()
    moved = conn.execute(
        cases.update()
        .where(cases.c.owner_kind == _COLLECTOR, _NOT_CLOSED, exists().where(moving))
        .values(owner_id=owner)
    )
    return int(moved.rowcount)


def open_missing_cases(conn: Connection, on: date, actor: str) -> int:
    """Open a case for each borrower with loans past due (``account_states.dpd > 0``, the
    state as of ``on`` or before) that are in no open case, holding those loans, as
    ``open_cases`` does one by one: id ``C-<borrower>-<yyyymmdd>``, status ``open``, owner
    tonight's (``night_case_tables``) or ``UNASSIGNED``, an ``opened`` event naming the
    loans. A borrower who already has a case with tonight's id (opened by hand today) is
    left for the next night. Returns how many cases were opened."""
    s = account_states
    case_id = literal("C-") + loans.c.borrower_id + literal(f"-{on:%Y%m%d}")
    in_open_case = exists().where(_WORKED.c.loan_id == s.c.loan_id)
    id_taken = exists().where(cases.c.case_id == case_id)
    candidates = (
        select(s.c.loan_id, loans.c.borrower_id, case_id)
        .join(loans, loans.c.loan_id == s.c.loan_id)
        .where(s.c.dpd > 0, s.c.as_of <= _day(on), ~in_open_case, ~id_taken)
    )
    conn.execute(_NEW.insert().from_select(["loan_id", "borrower_id", "case_id"], candidates))
    analyze(conn, _NEW)
    n, o = _NEW, _OWNERS
    owner = func.coalesce(o.c.owner_id, literal(UNASSIGNED))
    with_owner = n.outerjoin(o, o.c.borrower_id == n.c.borrower_id)
    opened = (
        select(
            n.c.case_id,
            n.c.borrower_id,
            literal(CaseStatus.OPEN.value),
            literal(_COLLECTOR),
            owner,
            _day(on),
        )
        .select_from(with_owner)
        .group_by(n.c.case_id, n.c.borrower_id, o.c.owner_id)
        .order_by(n.c.case_id)
    )
    columns = ["case_id", "borrower_id", "status", "owner_kind", "owner_id", "opened_on"]
    conn.execute(cases.insert().from_select(columns, opened))
    members = select(n.c.case_id, n.c.loan_id).order_by(n.c.case_id, n.c.loan_id)
    conn.execute(case_loans.insert().from_select(["case_id", "loan_id"], members))
    events = _opened_events(conn, on, actor, with_owner, owner)
    conn.execute(case_events.insert().from_select(_EVENT_COLUMNS, events))
    # Counted, not the INSERT's rowcount: drivers need not report one for INSERT … SELECT.
    return int(conn.execute(select(func.count(n.c.case_id.distinct()))).scalar_one())


_EVENT_COLUMNS = ["case_id", "happened_on", "kind", "from_value", "to_value", "actor", "reason"]


def _opened_events(conn: Connection, on: date, actor: str, with_owner: Any, owner: Any) -> Any:
    """One ``opened`` event per new case; its reason lists the case's loans by id, as
    ``CaseOpened`` is stored."""
    n = _NEW
    head = (
        n.c.case_id,
        _day(on),
        literal("opened"),
        null(),
        literal(f"{_COLLECTOR}:") + owner,
        literal(actor),
    )
    if conn.dialect.name == "postgresql":
        listed = func.string_agg(n.c.loan_id, aggregate_order_by(literal(" "), n.c.loan_id))
        return (
            select(*head, listed)
            .select_from(with_owner)
            .group_by(n.c.case_id, _OWNERS.c.owner_id)
            .order_by(n.c.case_id)
        )
    # SQLite (3.40) has no ORDER BY inside an aggregate; as a window function over the
    # whole partition in loan order, group_concat joins the loans in that order.
    listed = func.group_concat(n.c.loan_id, literal(" ")).over(
        partition_by=n.c.case_id, order_by=n.c.loan_id, rows=(None, None)
    )
    first = func.row_number().over(partition_by=n.c.case_id, order_by=n.c.loan_id)
    rows = select(*head, listed.label("loans"), first.label("k")).select_from(with_owner).subquery()
    columns = [c for c in rows.c if c.name != "k"]
    return select(*columns).where(rows.c.k == 1).order_by(rows.c.case_id)


def _day(on: date) -> Any:
    return literal(on, Date())

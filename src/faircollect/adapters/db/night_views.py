"""The night's reads for planning: which accounts, their state and terms, their borrowers'
contacts, stage history, contact attempts and promises, the history the gate sees, and
who worked each borrower last.

Every read runs a handful of queries for the whole portfolio (never one per loan), so
planning a million accounts costs a few scans, not a million round trips. The rows are
turned into the planner's values by ``services.nightly_load``, which also holds the rules
(what a failed attempt is, which relation is a guarantor, how far back the gate looks).

The night plans its borrowers in partitions (``BorrowerRange``: consecutive borrower ids,
``borrower_ranges``), so that its memory depends on a partition's size, not on the
portfolio's: the per-borrower reads take a range and read only its rows, through the
indexes that start with ``borrower_id``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    MetaData,
    Select,
    String,
    Table,
    and_,
    func,
    or_,
    select,
    true,
)

from faircollect.adapters.db import tables as t
from faircollect.adapters.db.temp_tables import analyze, temporary_tables

BROKEN = ("broken", "partly_kept")
"""Settled promise statuses that send an account back to collection."""


@dataclass(frozen=True, slots=True)
class BorrowerRange:
    """The borrowers with ``low <= borrower_id < high`` in the database's own order of
    the column (None: no bound), so every loan of a borrower falls in one range and the
    gate sees a borrower's whole history. ``BorrowerRange()`` is everyone."""

    low: str | None = None
    high: str | None = None

    def holds(self, column: ColumnElement[str]) -> ColumnElement[bool]:
        """A condition that ``column`` (a borrower id) is in the range."""
        bounds = []
        if self.low is not None:
            bounds.append(column >= self.low)
        if self.high is not None:
            bounds.append(column < self.high)
        return and_(true(), *bounds)


EVERYONE = BorrowerRange()


def borrower_ranges(conn: Connection, size: int) -> list[BorrowerRange]:
    """Ranges of ``size`` consecutive borrowers (by id) covering every borrower, in order.

    The bounds come from one ordered scan of the borrowers' primary key, numbered by the
    database (``row_number()``, the same on SQLite and PostgreSQL): only every
    ``size``-th id travels to Python. The first range has no lower bound and the last no
    upper one, so a borrower added between this scan and a read is still in a range."""
    b = t.borrowers
    numbered = select(
        b.c.borrower_id, func.row_number().over(order_by=b.c.borrower_id).label("n")
    ).subquery()
    cuts = conn.execute(
        select(numbered.c.borrower_id)
        .where(numbered.c.n > 1, (numbered.c.n - 1) % max(size, 1) == 0)
        .order_by(numbered.c.borrower_id)
    ).scalars()
    edges: list[str | None] = [None, *cuts, None]
    return [BorrowerRange(low, high) for low, high in pairwise(edges)]


_CHOSEN_LOANS = Table(
    "night_chosen_loans",
    MetaData(),
    Column("borrower_id", String(64), primary_key=True),
    *(Column(c.name, c.type, primary_key=c.primary_key) for c in t.account_states.columns),
    prefixes=["TEMPORARY"],
)
"""The night's chosen loans: each one's borrower and state (``account_states``' columns),
keyed by borrower first, so each partition reads its range of them through the key."""


@dataclass(frozen=True, slots=True)
class Choice:
    """Which loans the night reads in full, as plain values (a worker process receives it
    pickled): the DPDs whose every due date is wanted, and for each other DPD the wanted
    due dates (None: a loan without a next due date). Loans with a broken promise are
    always chosen (``condition``)."""

    whole: tuple[int, ...]
    dated: tuple[tuple[int, tuple[date | None, ...]], ...]

    @classmethod
    def read(
        cls, conn: Connection, as_of: date, wanted: Callable[[int, date | None], bool]
    ) -> Choice:
        """The loans ``wanted`` keeps among those with a state on or before ``as_of``.

        ``wanted`` is asked once per distinct (dpd, next_due_on) pair of the table (a few
        thousand on a million loans), once a night: the answer is then a condition the
        database filters by while it scans (``condition``)."""
        s = t.account_states
        pairs = conn.execute(
            select(s.c.dpd, s.c.next_due_on).where(s.c.as_of <= as_of).distinct()
        ).all()
        by_dpd: dict[int, list[tuple[date | None, bool]]] = defaultdict(list)
        for dpd, due in pairs:
            by_dpd[dpd].append((due, wanted(dpd, due)))
        whole: list[int] = []
        dated: list[tuple[int, tuple[date | None, ...]]] = []
        for dpd, answers in sorted(by_dpd.items()):
            kept = tuple(due for due, keep in answers if keep)
            if len(kept) == len(answers):
                whole.append(dpd)
            elif kept:
                dated.append((dpd, kept))
        return cls(tuple(whole), tuple(dated))

    def condition(self, as_of: date) -> ColumnElement[bool]:
        """A condition on ``account_states`` selecting the chosen loans: a DPD whose every
        pair is wanted needs no date test (for a DPD above 0 the stage and the DPD anchor
        decide), other DPDs list their wanted due dates."""
        s = t.account_states
        parts = []
        for dpd, kept in self.dated:
            days = [due for due in kept if due is not None]
            on_day = or_(
                s.c.next_due_on.in_(days),
                *([s.c.next_due_on.is_(None)] if None in kept else []),
            )
            parts.append(and_(s.c.dpd == dpd, on_day))
        broken = s.c.loan_id.in_(select(t.promises.c.loan_id).where(_broken_on_or_before(as_of)))
        return or_(s.c.dpd.in_(self.whole), *parts, broken)


@contextmanager
def chosen_loans(
    conn: Connection, as_of: date, choice: Choice | None, borrowers: BorrowerRange = EVERYONE
) -> Iterator[Table | None]:
    """A temporary table of the loans of ``borrowers`` with a state on or before ``as_of``
    that ``choice`` keeps, with their borrowers and states; dropped on exit. None when
    ``choice`` is None: every loan is chosen.

    Chosen once for the night (or for a worker's range) by one scan of ``account_states``;
    each partition then reads its own range of the table by key. With the choice as a
    condition on ``account_states`` in each partition's query instead, PostgreSQL scanned
    the whole table in every partition (hashing beat its estimate of the key look-ups), so
    the load step grew with the number of partitions times the book."""
    if choice is None:
        yield None
        return
    s, lo, kept = t.account_states, t.loans, _CHOSEN_LOANS
    with temporary_tables(conn, (kept,)):
        picked = (
            select(lo.c.borrower_id, *s.c)
            .join(lo, lo.c.loan_id == s.c.loan_id)
            .where(s.c.as_of <= as_of, choice.condition(as_of), borrowers.holds(lo.c.borrower_id))
        )
        conn.execute(kept.insert().from_select([c.name for c in kept.c], picked))
        analyze(conn, kept)
        yield kept


def chosen_borrowers(
    chosen: Table | None, borrowers: BorrowerRange = EVERYONE
) -> Select[tuple[str]] | None:
    """The borrowers of ``borrowers`` with a chosen loan, for the loaders that read per
    borrower (None: no choice, every borrower)."""
    if chosen is None:
        return None
    return select(chosen.c.borrower_id).where(borrowers.holds(chosen.c.borrower_id)).distinct()


def view_rows(
    conn: Connection,
    as_of: date,
    chosen: Table | None,
    borrowers: BorrowerRange = EVERYONE,
) -> list[Any]:
    """State, terms, risk score and borrower (with e-mail) of the loans of ``borrowers``
    with a state on or before ``as_of`` (of the ``chosen`` ones, ``chosen_loans``), by
    loan id."""
    lo, b = t.loans, t.borrowers
    # The state: from the chosen loans' table when there is one (read there by range).
    s = t.account_states if chosen is None else chosen
    query = select(
        *(s.c[c.name] for c in t.account_states.columns),
        *_TERMS_COLUMNS,
        lo.c.borrower_id,
        lo.c.product,
        lo.c.risk_score,
        b.c.name,
        b.c.phone,
        b.c.city,
        b.c.email,
    ).join(lo, lo.c.loan_id == s.c.loan_id)
    if chosen is None:
        query = query.where(s.c.as_of <= as_of, borrowers.holds(lo.c.borrower_id))
    else:  # the range twice: the loans too are then read by range, not hashed whole
        query = query.where(
            borrowers.holds(chosen.c.borrower_id), borrowers.holds(lo.c.borrower_id)
        )
    query = query.join(b, b.c.borrower_id == lo.c.borrower_id).order_by(s.c.loan_id)
    return list(conn.execute(query))


_TERMS_COLUMNS = (
    t.loans.c.contract_principal,
    t.loans.c.received_amount,
    t.loans.c.annual_rate,
    t.loans.c.term_months,
    t.loans.c.method,
    t.loans.c.disbursed_on,
    t.loans.c.penalty_rate_daily,
    t.loans.c.grace_days,
    t.loans.c.periodic_fee,
)


def registered_contacts(
    conn: Connection,
    borrowers: Select[tuple[str]] | None = None,
    within: BorrowerRange = EVERYONE,
) -> Iterable[Any]:
    """(borrower_id, phone, relation, is_emergency) of every registered contact (of every
    borrower, or of ``borrowers``, all in the range ``within``: see ``delinquency_moves``),
    by borrower in registration order."""
    c = t.contacts
    query = (
        select(c.c.borrower_id, c.c.phone, c.c.relation, c.c.is_emergency)
        .where(within.holds(c.c.borrower_id))
        .order_by(c.c.borrower_id, c.c.contact_id)
    )
    if borrowers is not None:
        query = query.where(c.c.borrower_id.in_(borrowers))
    return conn.execute(query)


def delinquency_moves(
    conn: Connection,
    as_of: date,
    delinquent: Collection[str],
    borrowers: Select[tuple[str]] | None,
    within: BorrowerRange = EVERYONE,
) -> Iterable[Any]:
    """(borrower_id, loan_id, entered_on, stage, previous_stage) of the stage history rows
    up to ``as_of`` entering or leaving one of the ``delinquent`` stages, of every borrower
    or of ``borrowers`` (current <-> pre_due churn, twice a month per loan, stays in the
    table).

    ``within``: the range ``borrowers`` lie in. It changes no row, but it lets the
    database read only the range through the borrower index: with the list of borrowers
    alone, PostgreSQL read every loan of the book (or, for the contacts, every contact up
    to the range's end) in each partition."""
    h, lo = t.stage_history, t.loans
    query = (
        select(lo.c.borrower_id, h.c.loan_id, h.c.entered_on, h.c.stage, h.c.previous_stage)
        .join(lo, lo.c.loan_id == h.c.loan_id)
        .where(
            h.c.entered_on <= as_of,
            or_(h.c.stage.in_(delinquent), h.c.previous_stage.in_(delinquent)),
            within.holds(lo.c.borrower_id),
        )
    )
    if borrowers is not None:
        query = query.where(lo.c.borrower_id.in_(borrowers))
    return conn.execute(query)


def borrower_attempts(
    conn: Connection, party: str, before: datetime, borrowers: BorrowerRange = EVERYONE
) -> Iterable[Any]:
    """(borrower_id, outcome) of every contact record with ``party`` before ``before`` (of
    ``borrowers``), per borrower latest first."""
    cr = t.contact_records
    query = (
        select(cr.c.borrower_id, cr.c.outcome)
        .where(cr.c.party == party, cr.c.at < before, borrowers.holds(cr.c.borrower_id))
        .order_by(cr.c.borrower_id, cr.c.at.desc(), cr.c.record_id.desc())
    )
    return conn.execute(query)


def broken_promises(
    conn: Connection, as_of: date, borrowers: BorrowerRange = EVERYONE
) -> dict[str, date]:
    """The latest day a promise on each loan (of ``borrowers``) was found broken or partly
    kept."""
    p, lo = t.promises, t.loans
    query = (
        select(p.c.loan_id, func.max(p.c.settled_on))
        .where(_broken_on_or_before(as_of))
        .group_by(p.c.loan_id)
    )
    if borrowers != EVERYONE:
        query = query.join(lo, lo.c.loan_id == p.c.loan_id).where(borrowers.holds(lo.c.borrower_id))
    return {loan_id: day for loan_id, day in conn.execute(query)}


def _broken_on_or_before(as_of: date) -> ColumnElement[bool]:
    p = t.promises
    return and_(p.c.status.in_(BROKEN), p.c.settled_on <= as_of)


def contacts_between(
    conn: Connection, start: datetime, end: datetime, borrowers: BorrowerRange = EVERYONE
) -> Iterable[Any]:
    """(borrower_id, at, channel, party, phone, outcome) of the contact records with
    ``start <= at < end`` (of ``borrowers``), by borrower and time."""
    cr = t.contact_records
    query = (
        select(cr.c.borrower_id, cr.c.at, cr.c.channel, cr.c.party, cr.c.phone, cr.c.outcome)
        .where(and_(cr.c.at >= start, cr.c.at < end), borrowers.holds(cr.c.borrower_id))
        .order_by(cr.c.borrower_id, cr.c.at)
    )
    return conn.execute(query)


def previous_owners(conn: Connection, as_of: date) -> dict[str, str]:
    """Each borrower's latest assignee before tonight (sticky 分案)."""
    pa = t.planned_actions
    latest = (
        select(pa.c.borrower_id, func.max(pa.c.run_date).label("day"))
        .where(pa.c.assignee.is_not(None), pa.c.run_date < as_of)
        .group_by(pa.c.borrower_id)
        .subquery()
    )
    query = (
        select(pa.c.borrower_id, pa.c.assignee)
        .join(latest, and_(latest.c.borrower_id == pa.c.borrower_id, latest.c.day == pa.c.run_date))
        .where(pa.c.assignee.is_not(None))
        .order_by(pa.c.borrower_id, pa.c.action_id)
    )
    owners: dict[str, str] = {}
    for borrower_id, assignee in conn.execute(query):
        owners.setdefault(borrower_id, assignee)
    return owners

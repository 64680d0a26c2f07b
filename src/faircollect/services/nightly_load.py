"""Set-based loading for the nightly plan: account views, contact history, owners.

Every loader runs a handful of queries for the whole portfolio (never one per loan) and
groups the rows in Python, so planning a million accounts costs a few scans, not a
million round trips.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, and_, func, select

from faircollect.adapters.db import tables as t
from faircollect.domain.compliance.actions import Channel as GateChannel
from faircollect.domain.compliance.actions import Party as GateParty
from faircollect.domain.compliance.actions import PastContact
from faircollect.domain.ledger.schedule import build_schedule
from faircollect.domain.ledger.state import AccountState, Stage
from faircollect.domain.ledger.terms import LoanTerms, Method
from faircollect.domain.strategy import AccountView
from faircollect.services.visit_notices import notices_sent

FAILED_OUTCOMES = frozenset({"no_answer", "wrong_number"})
"""Contact-record outcomes that count as a failed attempt on the borrower."""

HISTORY_DAYS = 2
"""Days of contact records before the night that the gate sees (frequency counts one day;
the margin covers time zones and actions rescheduled into the next morning)."""

GUARANTOR_RELATION = "guarantor"


def load_views(
    conn: Connection, as_of: date, tz: ZoneInfo, due_window_days: int = 7
) -> list[AccountView]:
    """One AccountView per loan with a stored state on or before ``as_of``, by loan id.

    run-day recomputes only loans whose state can change (``next_event_on``); a row with an
    older ``as_of`` is therefore still the loan's state tonight, and planning measures every
    offset from ``as_of`` itself. Rows dated after ``as_of`` (a later night) are skipped.

    The next installment's amount (for reminders) is computed only for loans whose next due
    date is within ``due_window_days``; others get None (no template needs it).
    """
    emergency, guarantor = _contact_phones(conn)
    failed, unreachable = _attempts(conn, as_of, tz)
    broken = _broken_promises(conn, as_of)
    notices = notices_sent(conn, as_of)
    s, lo, b = t.account_states, t.loans, t.borrowers
    query = (
        select(s, *_TERMS_COLUMNS, lo.c.borrower_id, lo.c.product, b.c.name, b.c.phone, b.c.city)
        .join(lo, lo.c.loan_id == s.c.loan_id)
        .join(b, b.c.borrower_id == lo.c.borrower_id)
        .where(s.c.as_of <= as_of)
        .order_by(s.c.loan_id)
    )
    views = []
    for row in conn.execute(query):
        state = _state(row)
        views.append(
            AccountView(
                loan_id=row.loan_id,
                borrower_id=row.borrower_id,
                state=state,
                product=row.product,
                balance=state.outstanding_principal,
                borrower_name=row.name,
                first_time_delinquent=True,
                borrower_unreachable=unreachable.get(row.borrower_id, False),
                consecutive_failed_attempts=failed.get(row.borrower_id, 0),
                visit_notice_sent_on=notices.get(row.loan_id),
                broken_promise_on=broken.get(row.loan_id),
                borrower_phone=row.phone,
                address=row.city,
                guarantor_phone=guarantor.get(row.borrower_id),
                emergency_phones=tuple(emergency.get(row.borrower_id, ())),
                next_due_amount=_due_amount(row, as_of, due_window_days),
                tz=tz,
            )
        )
    return views


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


def _due_amount(row: Any, as_of: date, window: int) -> int | None:
    """The installment due on ``next_due_on`` (fen) when it is within the window."""
    due = row.next_due_on
    if due is None or not 0 <= (due - as_of).days <= window:
        return None
    key = (
        row.contract_principal,
        row.received_amount,
        row.annual_rate,
        row.term_months,
        row.method,
        row.disbursed_on,
        row.penalty_rate_daily,
        row.grace_days,
        row.periodic_fee,
    )
    return _schedule(key).get(due)


@lru_cache(maxsize=4096)
def _schedule(key: tuple[Any, ...]) -> dict[date, int]:
    """Installment totals by due date; portfolios share terms, so schedules are cached."""
    principal, received, rate, months, method, disbursed, penalty, grace, fee = key
    terms = LoanTerms(
        "", principal, received, rate, months, Method(method), disbursed, penalty, grace, fee
    )
    return {i.due_on: i.total for i in build_schedule(terms)}


_STAGES = {stage.value: stage for stage in Stage}
"""Stage by stored value: a dict look-up is several times cheaper than ``Stage(value)``."""


def _state(row: Any) -> AccountState:
    """The AccountState stored in an ``account_states`` row."""
    return AccountState(
        loan_id=row.loan_id,
        as_of=row.as_of,
        dpd=row.dpd,
        bucket=row.bucket,
        stage=_STAGES[row.stage],
        overdue_principal=row.overdue_principal,
        overdue_interest=row.overdue_interest,
        overdue_fee=row.overdue_fee,
        penalty=row.penalty,
        outstanding_principal=row.outstanding_principal,
        credit=row.credit,
        paid_total=row.paid_total,
        next_due_on=row.next_due_on,
    )


def _contact_phones(conn: Connection) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Emergency phones (registration order) and the first guarantor phone per borrower."""
    c = t.contacts
    emergency: dict[str, list[str]] = defaultdict(list)
    guarantor: dict[str, str] = {}
    for row in conn.execute(select(c).order_by(c.c.borrower_id, c.c.contact_id)):
        if row.is_emergency:
            emergency[row.borrower_id].append(row.phone)
        if row.relation == GUARANTOR_RELATION:
            guarantor.setdefault(row.borrower_id, row.phone)
    return emergency, guarantor


def _attempts(
    conn: Connection, as_of: date, tz: ZoneInfo
) -> tuple[dict[str, int], dict[str, bool]]:
    """Consecutive failed attempts on each borrower (latest first, until one got through),
    and whether the latest attempt found the number wrong (unreachable)."""
    cr = t.contact_records
    before = datetime.combine(as_of, datetime.min.time(), tz)
    query = (
        select(cr.c.borrower_id, cr.c.outcome)
        .where(cr.c.party == GateParty.BORROWER.value, cr.c.at < before)
        .order_by(cr.c.borrower_id, cr.c.at.desc(), cr.c.record_id.desc())
    )
    failed: dict[str, int] = {}
    unreachable: dict[str, bool] = {}
    closed: set[str] = set()
    for borrower_id, outcome in conn.execute(query):
        if borrower_id not in unreachable:
            unreachable[borrower_id] = outcome == "wrong_number"
            failed[borrower_id] = 0
        if borrower_id in closed:
            continue
        if outcome in FAILED_OUTCOMES:
            failed[borrower_id] += 1
        else:
            closed.add(borrower_id)
    return failed, unreachable


def _broken_promises(conn: Connection, as_of: date) -> dict[str, date]:
    """The latest day a promise on each loan was found broken or partly kept."""
    p = t.promises
    query = (
        select(p.c.loan_id, func.max(p.c.settled_on))
        .where(p.c.status.in_(("broken", "partly_kept")), p.c.settled_on <= as_of)
        .group_by(p.c.loan_id)
    )
    return {loan_id: day for loan_id, day in conn.execute(query)}


def load_history(
    conn: Connection, borrower_ids: Iterable[str], as_of: date, tz: ZoneInfo
) -> dict[str, tuple[PastContact, ...]]:
    """Each borrower's logged contacts from ``HISTORY_DAYS`` before the night to its end."""
    wanted = set(borrower_ids)
    cr = t.contact_records
    start = datetime.combine(as_of - timedelta(days=HISTORY_DAYS), datetime.min.time(), tz)
    end = datetime.combine(as_of + timedelta(days=2), datetime.min.time(), tz)
    query = (
        select(cr.c.borrower_id, cr.c.at, cr.c.channel, cr.c.party, cr.c.phone, cr.c.outcome)
        .where(and_(cr.c.at >= start, cr.c.at < end))
        .order_by(cr.c.borrower_id, cr.c.at)
    )
    history: dict[str, list[PastContact]] = defaultdict(list)
    for row in conn.execute(query):
        if row.borrower_id not in wanted:
            continue
        history[row.borrower_id].append(
            PastContact(
                at=row.at,
                channel=GateChannel(row.channel),
                party=GateParty(row.party),
                phone=row.phone,
                answered=row.outcome not in FAILED_OUTCOMES,
            )
        )
    return {k: tuple(v) for k, v in history.items()}


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

"""The reads behind the reports: account export, the morning's portfolio summary, the
night's action export, plan summary and compliance report.

Queries only; what a report shows and how (column order, formats, what counts as passed)
is decided by its service (``services.account_export``, ``portfolio_summary``,
``nightly_report``).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    case,
    func,
    literal,
    or_,
    select,
)

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


def plan_counts(
    conn: Connection, day: date
) -> list[tuple[str, str, str, str | None, str | None, int]]:
    """(stage, channel or else kind, status, assignee, rules, actions) of the night ``day``,
    counted by the database: the night's summary reads a few hundred groups, never a row
    per action (a million-action night as Python rows took gigabytes)."""
    pa = t.planned_actions
    channel = func.coalesce(func.nullif(pa.c.channel, ""), pa.c.kind)
    keys = (pa.c.stage, channel, pa.c.status, pa.c.assignee, pa.c.rules)
    query = select(*keys, func.count()).where(pa.c.run_date == day).group_by(*keys)
    return [
        (_text(s), _text(c), _text(st), a, r, int(n)) for s, c, st, a, r, n in conn.execute(query)
    ]


def _text(value: object) -> str:
    return "" if value is None else str(value)


def unauthorised_outbox(
    conn: Connection, day: date, allowing_statuses: Collection[str]
) -> tuple[int, list[str]]:
    """How many outbox rows the day has, and the ids of those without an allowing decision:
    no planned action with the same id and channel that the gate allowed and whose status
    is one of ``allowing_statuses``, and no letter of that id that keeps the gate's
    decision (``letters.issue`` stores only a letter the gate allowed)."""
    ob, pa, lt = t.outbox, t.planned_actions, t.letters
    allowing = and_(
        pa.c.action_id == ob.c.message_id,
        pa.c.channel == ob.c.channel,
        pa.c.allowed.is_(True),
        pa.c.status.in_(tuple(allowing_statuses)),
    )
    gated_letter = and_(lt.c.letter_id == ob.c.message_id, lt.c.gate_decision.is_not(None))
    total = len(conn.execute(select(ob.c.message_id).where(ob.c.run_date == day)).all())
    bad = conn.execute(
        select(ob.c.message_id)
        .select_from(ob.outerjoin(pa, allowing).outerjoin(lt, gated_letter))
        .where(
            ob.c.run_date == day,
            pa.c.action_id.is_(None),
            lt.c.letter_id.is_(None),
            # A borrower's own sign-in code is no collection contact: no action plans it.
            ob.c.message_id.not_like(f"{SIGN_IN_MESSAGE_PREFIX}%"),
        )
        .order_by(ob.c.message_id)
    )
    return total, list(bad.scalars())


# --- the managers' reports (issue 14): stored nights and records, grouped in SQL --------

_H = t.account_state_history


def _live(h: Any) -> ColumnElement[bool]:
    """A state of a loan not paid off: principal outstanding or anything overdue."""
    return or_(h.c.outstanding_principal > 0, h.c.overdue_total > 0)


def stored_nights(conn: Connection) -> tuple[date | None, date | None, int]:
    """The first and last night with stored states, and how many nights are stored."""
    # Two queries: SQLite answers a lone MIN or MAX from the index, not both at once.
    first = conn.execute(select(func.min(_H.c.night))).scalar()
    last = conn.execute(select(func.max(_H.c.night))).scalar()
    count = len(nights_between(conn, None, last)) if last is not None else 0
    return first, last, count


def has_night(conn: Connection, night: date) -> bool:
    """Whether states are stored for ``night``."""
    query = select(_H.c.loan_id).where(_H.c.night == night).limit(1)
    return conn.execute(query).first() is not None


def buckets_on(conn: Connection, night: date) -> list[tuple[str, str, int, int, int, int]]:
    """(bucket, stage, accounts, overdue principal, total overdue, outstanding principal)
    of the loans disbursed by ``night`` and not paid off, as stored that night."""
    h, lo = _H, t.loans
    query = (
        select(
            h.c.bucket,
            h.c.stage,
            func.count(),
            func.sum(h.c.overdue_principal),
            func.sum(h.c.overdue_total),
            func.sum(h.c.outstanding_principal),
        )
        .select_from(h.join(lo, lo.c.loan_id == h.c.loan_id))
        .where(h.c.night == night, lo.c.disbursed_on <= night, _live(h))
        .group_by(h.c.bucket, h.c.stage)
    )
    return [
        (str(b), str(s), int(n), int(p or 0), int(o or 0), int(x or 0))
        for b, s, n, p, o, x in conn.execute(query)
    ]


def roll_cells(
    conn: Connection, start: date, end: date, paid: str
) -> dict[tuple[str, str], tuple[int, int, int]]:
    """(bucket at ``start``, bucket at ``end`` or ``paid``) -> (accounts, overdue
    principal at start, outstanding principal at start), for the loans disbursed by
    ``start`` and not paid off then."""
    a, b, lo = _H.alias("a"), _H.alias("b"), t.loans
    to = case((_live(b), b.c.bucket), else_=literal(paid)).label("to_bucket")
    query = (
        select(
            a.c.bucket,
            to,
            func.count(),
            func.sum(a.c.overdue_principal),
            func.sum(a.c.outstanding_principal),
        )
        .select_from(
            a.join(b, and_(b.c.loan_id == a.c.loan_id, b.c.night == end)).join(
                lo, lo.c.loan_id == a.c.loan_id
            )
        )
        .where(a.c.night == start, lo.c.disbursed_on <= start, _live(a))
        .group_by(a.c.bucket, to)
    )
    return {
        (str(f), str(to_)): (int(n), int(p or 0), int(x or 0))
        for f, to_, n, p, x in conn.execute(query)
    }


def promise_counts(
    conn: Connection, start: date, end: date
) -> list[tuple[str | None, str | None, str, int, int, int]]:
    """(made_by, team, status, promises, amount promised, paid towards) of the promises
    made from ``start`` to ``end`` (inclusive)."""
    p, u = t.promises, t.users
    query = (
        select(
            p.c.made_by,
            u.c.team_id,
            p.c.status,
            func.count(),
            func.sum(p.c.amount),
            func.sum(p.c.paid),
        )
        .select_from(p.outerjoin(u, u.c.user_id == p.c.made_by))
        .where(p.c.made_on >= start, p.c.made_on <= end)
        .group_by(p.c.made_by, u.c.team_id, p.c.status)
    )
    return [
        (by, team, str(s), int(n), int(a or 0), int(paid or 0))
        for by, team, s, n, a, paid in conn.execute(query)
    ]


def contact_counts(
    conn: Connection, since: datetime, before: datetime
) -> list[tuple[str, str, str | None, str, str, int]]:
    """(channel, actor, actor's team, party, outcome, attempts) of the contact records
    at or after ``since`` and before ``before``."""
    c, u = t.contact_records, t.users
    query = (
        select(c.c.channel, c.c.actor, u.c.team_id, c.c.party, c.c.outcome, func.count())
        .select_from(c.outerjoin(u, u.c.user_id == c.c.actor))
        .where(c.c.at >= since, c.c.at < before)
        .group_by(c.c.channel, c.c.actor, u.c.team_id, c.c.party, c.c.outcome)
    )
    return [
        (str(ch), str(a), team, str(p), str(o), int(n))
        for ch, a, team, p, o, n in conn.execute(query)
    ]


def people(conn: Connection, roles: Collection[str]) -> list[tuple[str, str, str, str | None]]:
    """(user_id, name, role, team) of the users with one of ``roles``, by id."""
    u = t.users
    query = (
        select(u.c.user_id, u.c.name, u.c.role, u.c.team_id)
        .where(u.c.role.in_(tuple(roles)))
        .order_by(u.c.user_id)
    )
    return [(str(i), str(n), str(r), team) for i, n, r, team in conn.execute(query)]


def cases_held(conn: Connection, owner_kind: str) -> dict[str, int]:
    """Cases each owner of ``owner_kind`` holds now (any status), by owner id."""
    c = t.cases
    query = (
        select(c.c.owner_id, func.count())
        .where(c.c.owner_kind == owner_kind)
        .group_by(c.c.owner_id)
    )
    return {str(o): int(n) for o, n in conn.execute(query)}


def repaid_by_owner(conn: Connection, start: date, end: date, owner_kind: str) -> dict[str, int]:
    """Fen paid from ``start`` to ``end`` (inclusive) on the loans of the cases each owner
    of ``owner_kind`` holds now, counting payments on or after the case was opened."""
    c, cl, pay = t.cases, t.case_loans, t.payments
    query = (
        select(c.c.owner_id, func.sum(pay.c.amount))
        .select_from(
            pay.join(cl, cl.c.loan_id == pay.c.loan_id).join(c, c.c.case_id == cl.c.case_id)
        )
        .where(
            c.c.owner_kind == owner_kind,
            pay.c.paid_on >= start,
            pay.c.paid_on <= end,
            pay.c.paid_on >= c.c.opened_on,
        )
        .group_by(c.c.owner_id)
    )
    return {str(o): int(n or 0) for o, n in conn.execute(query)}


def findings_by_actor(conn: Connection, since: datetime, before: datetime) -> dict[str, int]:
    """QA findings (screener flags in notes and messages) per actor in the period."""
    q = t.qa_findings
    query = (
        select(q.c.actor, func.count()).where(q.c.at >= since, q.c.at < before).group_by(q.c.actor)
    )
    return {str(a): int(n) for a, n in conn.execute(query)}


def nights_between(conn: Connection, first: date | None, last: date) -> list[date]:
    """The stored nights up to ``last`` (from ``first`` when given), in order.

    One index seek per night (a recursive "next night after this one"), not a scan of
    every stored state: a month at a million loans is 30 million rows."""
    h, later = _H.alias("h"), _H.alias("later")
    start = select(func.min(h.c.night).label("night"))
    if first is not None:
        start = start.where(h.c.night >= first)
    nights = start.cte("nights", recursive=True)
    following = (
        select(func.min(later.c.night)).where(later.c.night > nights.c.night).scalar_subquery()
    )
    nights = nights.union_all(
        select(following.label("night")).where(nights.c.night.is_not(None), nights.c.night < last)
    )
    query = select(nights.c.night).where(nights.c.night.is_not(None), nights.c.night <= last)
    return sorted(conn.execute(query).scalars())


def vintage_cells(
    conn: Connection, nights: Collection[date]
) -> list[tuple[date, date, int, int, int, int, int, int]]:
    """(disbursed_on, night, loans, contract principal, loans 30+ DPD, outstanding
    principal of those, loans 90+ DPD, outstanding principal of those) per disbursement
    day and stored night, for the loans disbursed by that night."""
    h, lo = _H, t.loans
    over30, over90 = h.c.dpd > 30, h.c.dpd > 90
    query = (
        select(
            lo.c.disbursed_on,
            h.c.night,
            func.count(),
            func.sum(lo.c.contract_principal),
            func.sum(case((over30, 1), else_=0)),
            func.sum(case((over30, h.c.outstanding_principal), else_=0)),
            func.sum(case((over90, 1), else_=0)),
            func.sum(case((over90, h.c.outstanding_principal), else_=0)),
        )
        .select_from(h.join(lo, lo.c.loan_id == h.c.loan_id))
        .where(h.c.night.in_(tuple(nights)), lo.c.disbursed_on <= h.c.night)
        .group_by(lo.c.disbursed_on, h.c.night)
    )
    return [
        (d, n, int(a), int(p or 0), int(a30 or 0), int(p30 or 0), int(a90 or 0), int(p90 or 0))
        for d, n, a, p, a30, p30, a90, p90 in conn.execute(query)
    ]


def recovery_cells(
    conn: Connection, start: date, end: date, paid: str
) -> list[tuple[str, str, str | None, str | None, str | None, int, int, int]]:
    """Loans delinquent (DPD > 0) at night ``start``, grouped by (bucket at start, bucket
    at ``end`` or ``paid``, owner kind, owner id and owner's team of the loan's latest case
    opened by ``end``): accounts, total overdue at start, fen repaid after ``start`` up to
    ``end``, and cured accounts (current or paid off at ``end``)."""
    a, b, lo = _H.alias("a"), _H.alias("b"), t.loans
    c, cl, pay, u = t.cases, t.case_loans, t.payments, t.users
    latest = (
        select(cl.c.case_id)
        .select_from(cl.join(c, c.c.case_id == cl.c.case_id))
        .where(cl.c.loan_id == a.c.loan_id, c.c.opened_on <= end)
        .order_by(c.c.opened_on.desc(), c.c.case_id.desc())
        .limit(1)
        .correlate(a)
        .scalar_subquery()
    )
    repaid = (
        select(pay.c.loan_id, func.sum(pay.c.amount).label("amount"))
        .where(pay.c.paid_on > start, pay.c.paid_on <= end)
        .group_by(pay.c.loan_id)
        .subquery("repaid")
    )
    to = case((_live(b), b.c.bucket), else_=literal(paid)).label("to_bucket")
    owner = c.alias("owner")
    query = (
        select(
            a.c.bucket,
            to,
            owner.c.owner_kind,
            owner.c.owner_id,
            u.c.team_id,
            func.count(),
            func.sum(a.c.overdue_total),
            func.sum(func.coalesce(repaid.c.amount, 0)),
        )
        .select_from(
            a.join(b, and_(b.c.loan_id == a.c.loan_id, b.c.night == end))
            .join(lo, lo.c.loan_id == a.c.loan_id)
            .outerjoin(repaid, repaid.c.loan_id == a.c.loan_id)
            .outerjoin(owner, owner.c.case_id == latest)
            .outerjoin(u, and_(u.c.user_id == owner.c.owner_id, owner.c.owner_kind == "collector"))
        )
        .where(a.c.night == start, a.c.dpd > 0)
        .group_by(a.c.bucket, to, owner.c.owner_kind, owner.c.owner_id, u.c.team_id)
    )
    return [
        (str(f), str(t_), k, o, team, int(n), int(due or 0), int(back or 0))
        for f, t_, k, o, team, n, due, back in conn.execute(query)
    ]


def decisions_by_day(conn: Connection, start: date, end: date) -> list[tuple[date, bool, str, int]]:
    """(night, allowed, rules, planned contacts) of the night's planned actions."""
    pa = t.planned_actions
    query = (
        select(pa.c.run_date, pa.c.allowed, pa.c.rules, func.count())
        .where(pa.c.run_date >= start, pa.c.run_date <= end)
        .group_by(pa.c.run_date, pa.c.allowed, pa.c.rules)
    )
    return [(d, bool(ok), str(r or ""), int(n)) for d, ok, r, n in conn.execute(query)]


def complaints(
    conn: Connection, start: date, end: date, status: str
) -> list[tuple[str, date, date | None]]:
    """(case, opened on, answered on or None) of each complaint opened from ``start`` to
    ``end``: a case event into ``status``, answered by the next event out of it."""
    e = t.case_events
    x = e.alias("x")
    answered = (
        select(func.min(x.c.happened_on))
        .where(
            x.c.case_id == e.c.case_id,
            x.c.kind == "status",
            x.c.from_value == status,
            x.c.event_id > e.c.event_id,
        )
        .correlate(e)
        .scalar_subquery()
    )
    query = (
        select(e.c.case_id, e.c.happened_on, answered)
        .where(
            e.c.kind == "status",
            e.c.to_value == status,
            e.c.happened_on >= start,
            e.c.happened_on <= end,
        )
        .order_by(e.c.happened_on, e.c.case_id)
    )
    return [(str(cid), on, done) for cid, on, done in conn.execute(query)]


def drop_nights(conn: Connection, nights: Collection[date]) -> None:
    """Delete the stored states of ``nights`` and the reports kept for them."""
    if nights:
        conn.execute(_H.delete().where(_H.c.night.in_(tuple(nights))))
        rc = t.report_cache
        conn.execute(rc.delete().where(rc.c.night.in_(tuple(nights))))


def last_night(conn: Connection) -> date | None:
    """The last night with stored states (one index seek)."""
    found: date | None = conn.execute(select(func.max(_H.c.night))).scalar()
    return found


def kept_report(conn: Connection, name: str, night: date) -> str | None:
    """The report ``name`` the night kept for ``night`` (its JSON), or None."""
    rc = t.report_cache
    query = select(rc.c.body).where(rc.c.name == name, rc.c.night == night)
    found: str | None = conn.execute(query).scalar()
    return found


def keep_report(conn: Connection, name: str, night: date, body: str) -> None:
    """Keep ``body`` as the report ``name`` for ``night``, replacing what was kept."""
    rc = t.report_cache
    conn.execute(rc.delete().where(rc.c.name == name, rc.c.night == night))
    conn.execute(rc.insert().values(name=name, night=night, body=body))

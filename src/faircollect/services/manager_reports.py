"""The managers' reports (issue 14): buckets, roll rates, promises, contact and collectors.

Each is one use case: it checks who asks (the whole book's readers, as for the day's
reports), reads grouped rows from ``adapters.db.reports`` (set-based SQL over the stored
nights, promises, contact records, cases and payments; never a replay of a loan) and
returns a ``domain.reports.Report``. ``REPORTS`` names them for the CLI and the web.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from faircollect.adapters.db import reports as sql
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.domain.casework.cases import CaseStatus, OwnerKind
from faircollect.domain.casework.contacts import DEBTOR_OUTCOMES, FAILED
from faircollect.domain.casework.roles import Actor, Role, require_role
from faircollect.domain.compliance.actions import DEBTORS
from faircollect.domain.ledger.state import BUCKETS, Stage
from faircollect.domain.messages import Message
from faircollect.domain.promises import PromiseStatus
from faircollect.domain.reports import (
    COMPLAINT_DAYS,
    PAID,
    TO_COLUMNS,
    Column,
    Kind,
    Report,
    ReportError,
    RollMatrix,
    Table,
    month_ends,
    months_on_book,
    rate,
    report_from_json,
    report_json,
)
from faircollect.services.day_reports import MAY_READ_REPORTS

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOBODY = "—"
"""Shown for a promise or contact with no user (the system, an import)."""


def may_read(actor: Actor) -> None:
    require_role(actor, MAY_READ_REPORTS, Message("permission.read_manager_reports"))


@dataclass(frozen=True, slots=True)
class Dates:
    """What the report was asked for: one date (``start == end``) or two (``start < end``);
    None when the option was not given (each report has its default)."""

    start: date | None = None
    end: date | None = None


# --- buckets ----------------------------------------------------------------------------

_AMOUNTS = (
    Column("accounts", "户数"),
    Column("share", "户数占比", Kind.RATE),
    Column("overdue_principal", "逾期本金（元）", Kind.MONEY),
    Column("overdue_total", "逾期总额（元）", Kind.MONEY),
    Column("outstanding", "在贷余额（元）", Kind.MONEY),
)


def _night(conn: Any, asked: date | None, option: str) -> date:
    """The stored night asked for, or the last one; refused when none is stored."""
    first, last, count = sql.stored_nights(conn)
    if last is None or first is None:
        raise ReportError(Message("report.no_nights", option=option))
    day = asked or last
    if asked is not None and not sql.has_night(conn, day):
        raise ReportError(
            Message("report.no_states", option=option, day=day, count=count, first=first, last=last)
        )
    return day


def buckets(uow: UnitOfWork, actor: Actor, dates: Dates) -> Report:
    """Accounts, overdue principal, total overdue and balance per bucket and per stage, as
    of a stored night (the last one by default). Loans disbursed after that night or paid
    off by it are not counted."""
    may_read(actor)
    if dates.start != dates.end:
        raise ReportError(Message("report.one_date", name="buckets"))
    night = _night(uow.conn, dates.start, "--date")
    rows = sql.buckets_on(uow.conn, night)
    by_bucket: dict[str, list[int]] = {b: [0, 0, 0, 0] for b in BUCKETS}
    by_stage: dict[str, list[int]] = {s.value: [0, 0, 0, 0] for s in Stage}
    for bucket, stage, *figures in rows:
        for target in (by_bucket.setdefault(bucket, [0] * 4), by_stage.setdefault(stage, [0] * 4)):
            for i, v in enumerate(figures):
                target[i] += v
    total = [sum(v[i] for v in by_bucket.values()) for i in range(4)]

    def table(
        name: str, title: str, key: str, key_title: str, groups: dict[str, list[int]]
    ) -> Table:
        lines = [_amount_row(key, k, v, total[0]) for k, v in groups.items()]
        lines.append(_amount_row(key, "合计", total, total[0]))
        return Table(name, title, (Column(key, key_title, Kind.TEXT), *_AMOUNTS), lines)

    return Report(
        "buckets",
        f"账龄分布 {night}",
        night,
        night,
        [
            table("by_bucket", "按账龄（M0 = 未逾期）", "bucket", "账龄", by_bucket),
            table("by_stage", "按催收阶段", "stage", "阶段", by_stage),
        ],
    )


def _amount_row(key: str, name: str, v: list[int], accounts: int) -> dict[str, Any]:
    return {
        key: name,
        "accounts": v[0],
        "share": rate(v[0], accounts),
        "overdue_principal": v[1],
        "overdue_total": v[2],
        "outstanding": v[3],
    }


# --- roll rates -------------------------------------------------------------------------


def _two_dates(dates: Dates, name: str) -> tuple[date, date]:
    if dates.start is None or dates.end is None or dates.start == dates.end:
        raise ReportError(Message("report.two_dates", name=name))
    if dates.start > dates.end:
        raise ReportError(Message("report.from_not_before_to", start=dates.start, end=dates.end))
    return dates.start, dates.end


def roll_matrix(uow: UnitOfWork, actor: Actor, dates: Dates) -> RollMatrix:
    """The roll-rate matrix between two stored nights (see ``RollMatrix``)."""
    may_read(actor)
    start, end = _two_dates(dates, "roll-rates")
    _night(uow.conn, start, "--from")
    _night(uow.conn, end, "--to")
    return RollMatrix.of(start, end, sql.roll_cells(uow.conn, start, end, PAID))


def roll_rates(uow: UnitOfWork, actor: Actor, dates: Dates) -> Report:
    """迁徙率: accounts (and their overdue principal at D1) by bucket at D1 and at D2 (or
    paid off), counting loans disbursed by D1 and not paid off at D1; the roll-forward
    rate (into the next bucket) and the cure rate (current or paid off) per bucket."""
    m = roll_matrix(uow, actor, dates)
    rolls, cures = m.roll_rates(), m.cure_rates()
    targets = tuple(Column(b, "已结清" if b == PAID else b) for b in TO_COLUMNS)

    def grid(name: str, title: str, values: dict[str, dict[str, int]], kind: Kind) -> Table:
        columns = (
            Column("from", f"{m.start} 账龄", Kind.TEXT),
            *(Column(c.key, c.title, kind) for c in targets),
            Column("total", "合计", kind),
            Column("roll_rate", "向后迁徙率", Kind.RATE),
            Column("cure_rate", "回到正常率", Kind.RATE),
        )
        rows = [
            {
                "from": a,
                **values[a],
                "total": sum(values[a].values()),
                "roll_rate": rolls.get(a),
                "cure_rate": cures.get(a),
            }
            for a in BUCKETS
        ]
        return Table(name, title, columns, rows)

    return Report(
        "roll-rates",
        f"迁徙率 {m.start} → {m.end}",
        m.start,
        m.end,
        [
            grid("accounts", f"户数：{m.start} 账龄 → {m.end} 账龄", m.accounts, Kind.COUNT),
            grid("principal", f"逾期本金（{m.start}，元）", m.principal, Kind.MONEY),
        ],
        m.as_json(),
    )


# --- periods: promises, contact, collectors ---------------------------------------------


def _period(dates: Dates, today: date) -> tuple[date, date]:
    """The period asked for (inclusive): one day, two dates, or the 7 days to ``today``."""
    if dates.start is None and dates.end is None:
        return today - timedelta(days=6), today
    if dates.start is not None and dates.end is not None and dates.start == dates.end:
        return dates.start, dates.end
    return _two_dates(dates, "a period")


def _moments(start: date, end: date) -> tuple[datetime, datetime]:
    """Shanghai midnight of ``start`` and of the day after ``end``."""
    return (
        datetime.combine(start, time(), SHANGHAI),
        datetime.combine(end + timedelta(days=1), time(), SHANGHAI),
    )


_PTP = (
    Column("made", "承诺笔数"),
    Column("amount", "承诺金额（元）", Kind.MONEY),
    Column("kept", "已兑现"),
    Column("partly_kept", "部分兑现"),
    Column("broken", "未兑现"),
    Column("open", "未到期"),
    Column("paid", "承诺期内还款（元）", Kind.MONEY),
    Column("kept_rate", "兑现率", Kind.RATE),
)


def _ptp_row(figures: dict[str, int]) -> dict[str, Any]:
    settled = figures["kept"] + figures["partly_kept"] + figures["broken"]
    return {**figures, "kept_rate": rate(figures["kept"], settled)}


def _ptp_figures() -> dict[str, int]:
    return dict.fromkeys(("made", "amount", "kept", "partly_kept", "broken", "open", "paid"), 0)


def _add_ptp(target: dict[str, int], status: str, n: int, amount: int, paid: int) -> None:
    target["made"] += n
    target["amount"] += amount
    target["paid"] += paid
    target[PromiseStatus(status).value] += n


def ptp(uow: UnitOfWork, actor: Actor, dates: Dates, today: date) -> Report:
    """Promises made in the period, by who made them and their team: how they ended so
    far (kept, partly kept, broken, still open) and the kept rate (kept ÷ settled)."""
    may_read(actor)
    start, end = _period(dates, today)
    by_user: dict[tuple[str, str], dict[str, int]] = defaultdict(_ptp_figures)
    by_team: dict[str, dict[str, int]] = defaultdict(_ptp_figures)
    total = _ptp_figures()
    for made_by, team, status, n, amount, paid in sql.promise_counts(uow.conn, start, end):
        for target in (
            by_user[(made_by or NOBODY, team or NOBODY)],
            by_team[team or NOBODY],
            total,
        ):
            _add_ptp(target, status, n, amount, paid)
    users = [{"collector": u, "team": tm, **_ptp_row(f)} for (u, tm), f in sorted(by_user.items())]
    users.append({"collector": "合计", "team": "", **_ptp_row(total)})
    teams = [{"team": tm, **_ptp_row(f)} for tm, f in sorted(by_team.items())]
    teams.append({"team": "合计", **_ptp_row(total)})
    return Report(
        "ptp",
        f"承诺还款 {start} 至 {end}",
        start,
        end,
        [
            Table(
                "by_collector",
                "按催收员",
                (Column("collector", "催收员", Kind.TEXT), Column("team", "组", Kind.TEXT), *_PTP),
                users,
            ),
            Table("by_team", "按组", (Column("team", "组", Kind.TEXT), *_PTP), teams),
        ],
    )


_CONTACT = (
    Column("attempts", "联系次数"),
    Column("reached", "接通次数"),
    Column("reach_rate", "触达率", Kind.RATE),
    Column("debtor_reached", "联系到债务人"),
    Column("third_party", "第三方联系"),
)


def _contact_figures() -> dict[str, int]:
    return dict.fromkeys(("attempts", "reached", "debtor_reached", "third_party"), 0)


def _add_contact(target: dict[str, int], party: str, outcome: str, n: int) -> None:
    target["attempts"] += n
    target["reached"] += 0 if outcome in FAILED else n
    target["debtor_reached"] += n if outcome in DEBTOR_OUTCOMES else 0
    target["third_party"] += 0 if party in DEBTORS else n


def _contact_row(figures: dict[str, int]) -> dict[str, Any]:
    return {**figures, "reach_rate": rate(figures["reached"], figures["attempts"])}


def contact(uow: UnitOfWork, actor: Actor, dates: Dates, today: date) -> Report:
    """Contact attempts (催记) in the period by channel and by collector: attempts,
    reached (anyone answered who was meant to be reached: not no answer, wrong number or
    someone else on a debtor's number), reach rate (触达率 = reached ÷ attempts), debtor
    reached (borrower or guarantor spoke), third-party contacts (party not a debtor)."""
    may_read(actor)
    start, end = _period(dates, today)
    since, before = _moments(start, end)
    by_channel: dict[str, dict[str, int]] = defaultdict(_contact_figures)
    by_user: dict[tuple[str, str], dict[str, int]] = defaultdict(_contact_figures)
    total = _contact_figures()
    for channel, who, team, party, outcome, n in sql.contact_counts(uow.conn, since, before):
        for target in (by_channel[channel], by_user[(who, team or NOBODY)], total):
            _add_contact(target, party, outcome, n)
    channels = [{"channel": ch, **_contact_row(f)} for ch, f in sorted(by_channel.items())]
    channels.append({"channel": "合计", **_contact_row(total)})
    users = [
        {"collector": u, "team": tm, **_contact_row(f)} for (u, tm), f in sorted(by_user.items())
    ]
    users.append({"collector": "合计", "team": "", **_contact_row(total)})
    return Report(
        "contact",
        f"联系与触达 {start} 至 {end}",
        start,
        end,
        [
            Table(
                "by_channel", "按渠道", (Column("channel", "渠道", Kind.TEXT), *_CONTACT), channels
            ),
            Table(
                "by_collector",
                "按催收员",
                (
                    Column("collector", "催收员", Kind.TEXT),
                    Column("team", "组", Kind.TEXT),
                    *_CONTACT,
                ),
                users,
            ),
        ],
    )


_COLLECTORS = (
    Column("collector", "催收员", Kind.TEXT),
    Column("name", "姓名", Kind.TEXT),
    Column("team", "组", Kind.TEXT),
    Column("cases", "持有案件"),
    Column("attempts", "联系次数"),
    Column("reached", "接通次数"),
    Column("promises", "承诺笔数"),
    Column("kept_rate", "兑现率", Kind.RATE),
    Column("recovered", "回收金额（元）", Kind.MONEY),
    Column("violations", "质检问题"),
)


def collectors(uow: UnitOfWork, actor: Actor, dates: Dates, today: date) -> Report:
    """One row per collector for the period: cases held now, contact attempts and those
    reached, promises made and their kept rate (kept ÷ settled), money repaid in the
    period on the loans of the cases they hold (payments on or after the case opened),
    and QA findings on their notes and messages."""
    may_read(actor)
    start, end = _period(dates, today)
    since, before = _moments(start, end)
    conn = uow.conn
    held = sql.cases_held(conn, OwnerKind.COLLECTOR.value)
    repaid = sql.repaid_by_owner(conn, start, end, OwnerKind.COLLECTOR.value)
    findings = sql.findings_by_actor(conn, since, before)
    contacts: dict[str, dict[str, int]] = defaultdict(_contact_figures)
    for _, who, _, party, outcome, n in sql.contact_counts(conn, since, before):
        _add_contact(contacts[who], party, outcome, n)
    promises: dict[str, dict[str, int]] = defaultdict(_ptp_figures)
    for made_by, _, status, n, amount, paid in sql.promise_counts(conn, start, end):
        _add_ptp(promises[made_by or NOBODY], status, n, amount, paid)
    rows = []
    for user_id, name, _, team in sql.people(conn, (Role.COLLECTOR.value,)):
        p = _ptp_row(promises[user_id])
        rows.append(
            {
                "collector": user_id,
                "name": name,
                "team": team or NOBODY,
                "cases": held.get(user_id, 0),
                "attempts": contacts[user_id]["attempts"],
                "reached": contacts[user_id]["reached"],
                "promises": p["made"],
                "kept_rate": p["kept_rate"],
                "recovered": repaid.get(user_id, 0),
                "violations": findings.get(user_id, 0),
            }
        )
    return Report(
        "collectors",
        f"催收员业绩 {start} 至 {end}",
        start,
        end,
        [Table("collectors", "催收员", _COLLECTORS, rows)],
    )


# --- vintage, recovery, compliance -------------------------------------------------------


def vintage(uow: UnitOfWork, actor: Actor, dates: Dates) -> Report:
    """账龄分析: per disbursement month (cohort), the share of its loans 30+ and 90+ days
    past due at each month on book (MOB: the last stored night of each month up to the
    date), by accounts and by principal (outstanding principal of those loans ÷ the
    cohort's contract principal). Cohort sizes count the loans disbursed by each night."""
    may_read(actor)
    if dates.start != dates.end:
        raise ReportError(Message("report.one_date", name="vintage"))
    night = _night(uow.conn, dates.start, "--date")
    observed = month_ends(sql.nights_between(uow.conn, None, night))
    cells: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0] * 6))
    for disbursed, seen, *figures in sql.vintage_cells(uow.conn, observed):
        target = cells[f"{disbursed:%Y-%m}"][months_on_book(disbursed, seen)]
        for i, v in enumerate(figures):
            target[i] += v
    top = max((mob for by_mob in cells.values() for mob in by_mob), default=0)
    mobs = list(range(top + 1))

    def table(name: str, title: str, part: int, whole: int) -> Table:
        rows = []
        for cohort, by_mob in sorted(cells.items()):
            last = by_mob[max(by_mob)]
            row: dict[str, Any] = {"cohort": cohort, "loans": last[0], "principal": last[1]}
            for mob in mobs:
                f = by_mob.get(mob)
                row[f"mob{mob}"] = None if f is None else rate(f[part], f[whole])
            rows.append(row)
        columns = (
            Column("cohort", "放款月", Kind.TEXT),
            Column("loans", "放款笔数"),
            Column("principal", "放款本金（元）", Kind.MONEY),
            *(Column(f"mob{m}", f"MOB{m}", Kind.RATE) for m in mobs),
        )
        return Table(name, title, columns, rows)

    tables = [
        table("dpd30_accounts", "30+ 户数占比", 2, 0),
        table("dpd30_principal", "30+ 本金占比（逾期30天以上贷款的剩余本金 ÷ 放款本金）", 3, 1),
        table("dpd90_accounts", "90+ 户数占比", 4, 0),
        table("dpd90_principal", "90+ 本金占比", 5, 1),
    ]
    return Report("vintage", f"账龄分析（Vintage）截至 {night}", night, night, tables)


_RECOVERY = (
    Column("accounts", "期初逾期户数"),
    Column("overdue", "期初逾期总额（元）", Kind.MONEY),
    Column("repaid", "期间回款（元）", Kind.MONEY),
    Column("recovery_rate", "回收率", Kind.RATE),
    Column("cured", "出催户数"),
    Column("cure_rate", "出催率", Kind.RATE),
)


def _recovery_figures() -> dict[str, int]:
    return dict.fromkeys(("accounts", "overdue", "repaid", "cured"), 0)


def _recovery_row(f: dict[str, int]) -> dict[str, Any]:
    return {
        **f,
        "recovery_rate": rate(f["repaid"], f["overdue"]),
        "cure_rate": rate(f["cured"], f["accounts"]),
    }


def recovery(uow: UnitOfWork, actor: Actor, dates: Dates) -> Report:
    """回收率 / 催回率: the loans delinquent (DPD > 0) at the stored night D1, money repaid
    on them after D1 up to D2 and its share of their total overdue at D1, and the loans
    cured (current or paid off at the stored night D2); by bucket at D1, and by who holds
    the loan's latest case: collector, team, agency."""
    may_read(actor)
    start, end = _two_dates(dates, "recovery")
    _night(uow.conn, start, "--from")
    _night(uow.conn, end, "--to")
    by_bucket: dict[str, dict[str, int]] = {b: _recovery_figures() for b in BUCKETS[1:]}
    by_user: dict[tuple[str, str], dict[str, int]] = defaultdict(_recovery_figures)
    by_team: dict[str, dict[str, int]] = defaultdict(_recovery_figures)
    by_agency: dict[str, dict[str, int]] = defaultdict(_recovery_figures)
    total = _recovery_figures()
    cured_to = {BUCKETS[0], PAID}
    for bucket, to, kind, owner, team, n, overdue, repaid in sql.recovery_cells(
        uow.conn, start, end, PAID
    ):
        targets = [by_bucket.setdefault(bucket, _recovery_figures()), total]
        if kind == OwnerKind.COLLECTOR.value and owner:
            targets += [by_user[(owner, team or NOBODY)], by_team[team or NOBODY]]
        elif kind == OwnerKind.AGENCY.value and owner:
            targets.append(by_agency[owner])
        for target in targets:
            target["accounts"] += n
            target["overdue"] += overdue
            target["repaid"] += repaid
            target["cured"] += n if to in cured_to else 0
    buckets_rows = [{"bucket": b, **_recovery_row(f)} for b, f in by_bucket.items()]
    buckets_rows.append({"bucket": "合计", **_recovery_row(total)})
    return Report(
        "recovery",
        f"回收率 {start} → {end}",
        start,
        end,
        [
            Table(
                "by_bucket",
                "按期初账龄",
                (Column("bucket", "期初账龄", Kind.TEXT), *_RECOVERY),
                buckets_rows,
            ),
            Table(
                "by_collector",
                "按催收员（案件持有人）",
                (
                    Column("collector", "催收员", Kind.TEXT),
                    Column("team", "组", Kind.TEXT),
                    *_RECOVERY,
                ),
                [
                    {"collector": u, "team": tm, **_recovery_row(f)}
                    for (u, tm), f in sorted(by_user.items())
                ],
            ),
            Table(
                "by_team",
                "按组",
                (Column("team", "组", Kind.TEXT), *_RECOVERY),
                [{"team": tm, **_recovery_row(f)} for tm, f in sorted(by_team.items())],
            ),
            Table(
                "by_agency",
                "按委外机构",
                (Column("agency", "委外机构", Kind.TEXT), *_RECOVERY),
                [{"agency": a, **_recovery_row(f)} for a, f in sorted(by_agency.items())],
            ),
        ],
    )


_COMPLIANCE = (
    Column("day", "日期", Kind.TEXT),
    Column("decided", "合规检查（计划联系）"),
    Column("allowed", "放行"),
    Column("denied", "拦截"),
    Column("denied_rate", "拦截率", Kind.RATE),
    Column("complaints", "新投诉"),
    Column("answered_on_time", "按时答复"),
    Column("answered_late", "超时答复"),
    Column("open_overdue", "超时未答复"),
)


def compliance(uow: UnitOfWork, actor: Actor, dates: Dates, today: date) -> Report:
    """Per day of the period: the contacts the night planned and the gate decided
    (allowed, denied), denials by rule; complaints opened that day and, as of the
    period's last day (so the report reads the same whenever it is run), answered within
    COMP-1's 15 days, answered later, or still open past them."""
    may_read(actor)
    start, end = _period(dates, today)
    days: dict[date, dict[str, int]] = {}
    rules: dict[str, int] = defaultdict(int)

    def day_of(on: date) -> dict[str, int]:
        return days.setdefault(on, dict.fromkeys((c.key for c in _COMPLIANCE[1:]), 0))

    for night, allowed, named, n in sql.decisions_by_day(uow.conn, start, end):
        f = day_of(night)
        f["decided"] += n
        f["allowed" if allowed else "denied"] += n
        if not allowed:
            for rule in filter(None, named.split(";")):
                rules[rule] += n
    for _, opened, answered in sql.complaints(uow.conn, start, end, CaseStatus.COMPLAINT.value):
        f = day_of(opened)
        f["complaints"] += 1
        if answered is not None and answered <= end:
            on_time = (answered - opened).days <= COMPLAINT_DAYS
            f["answered_on_time" if on_time else "answered_late"] += 1
        elif (end - opened).days > COMPLAINT_DAYS:
            f["open_overdue"] += 1
    rows: list[dict[str, Any]] = []
    total = dict.fromkeys((c.key for c in _COMPLIANCE[1:]), 0)
    for on in sorted(days):
        f = days[on]
        for k, v in f.items():
            total[k] += v
        rows.append({"day": on.isoformat(), **f, "denied_rate": rate(f["denied"], f["decided"])})
    rows.append({"day": "合计", **total, "denied_rate": rate(total["denied"], total["decided"])})
    by_rule = [
        {"rule": r, "denied": n} for r, n in sorted(rules.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return Report(
        "compliance",
        f"合规 {start} 至 {end}",
        start,
        end,
        [
            Table("by_day", "按日", _COMPLIANCE, rows),
            Table(
                "by_rule",
                "拦截按规则",
                (Column("rule", "规则", Kind.TEXT), Column("denied", "拦截次数")),
                by_rule,
            ),
        ],
    )


# --- keeping the stored nights ----------------------------------------------------------


def prune_history(uow: UnitOfWork, keep_days: int, today: date) -> list[date]:
    """Drop the stored night states older than ``keep_days`` days before ``today``, except
    the last stored night of each month (month-end roll rates and vintage read those);
    returns the nights dropped. A month at a million loans is ~30M rows (~1.6 GB on
    SQLite), so a lender keeps the daily nights for a while and the month ends for good."""
    if keep_days < 1:
        raise ReportError(f"--keep-days: must be at least 1, not {keep_days}")
    _, last, _ = sql.stored_nights(uow.conn)
    if last is None:
        return []
    nights = sql.nights_between(uow.conn, None, last)
    kept = set(month_ends(nights))
    cutoff = today - timedelta(days=keep_days)
    dropped = [n for n in nights if n < cutoff and n not in kept]
    sql.drop_nights(uow.conn, dropped)
    return dropped


# --- by name ----------------------------------------------------------------------------

Builder = Callable[[UnitOfWork, Actor, Dates, date], Report]

REPORTS: dict[str, Builder] = {
    "buckets": lambda uow, actor, dates, today: buckets(uow, actor, dates),
    "roll-rates": lambda uow, actor, dates, today: roll_rates(uow, actor, dates),
    "ptp": ptp,
    "contact": contact,
    "collectors": collectors,
    "vintage": lambda uow, actor, dates, today: vintage(uow, actor, dates),
    "recovery": lambda uow, actor, dates, today: recovery(uow, actor, dates),
    "compliance": compliance,
}
"""Every report by its name (``faircollect report NAME``, ``/reports/NAME``)."""

TITLES: dict[str, str] = {
    "buckets": "账龄分布",
    "roll-rates": "迁徙率",
    "ptp": "承诺还款",
    "contact": "联系与触达",
    "collectors": "催收员业绩",
    "vintage": "账龄分析（Vintage）",
    "recovery": "回收率",
    "compliance": "合规",
}


KEPT = ("buckets", "vintage")
"""Reports as of one night that the night computes and keeps (``keep_night``), so the
workbench's pages answer from the kept copy (``build_kept``): they read only that night's
stored states (and the month ends before it), a few seconds at a million loans."""

NIGHT_ACTOR = Actor("night", Role.ADMIN)
"""Who computes the kept reports (the reader's permission is checked when read)."""


def keep_night(uow: UnitOfWork, night: date) -> list[str]:
    """Compute the ``KEPT`` reports as of the stored night ``night`` and keep them,
    replacing any kept before (a night run again computes the same); their names (none
    when no states are stored for ``night``: an empty book)."""
    if not sql.has_night(uow.conn, night):
        return []
    for name in KEPT:
        report = REPORTS[name](uow, NIGHT_ACTOR, Dates(night, night), night)
        sql.keep_report(uow.conn, name, night, report_json(report))
    return list(KEPT)


def stored_nights(uow: UnitOfWork, actor: Actor) -> tuple[date | None, date | None, int]:
    """The first and last stored night and how many are stored (for choosing dates)."""
    may_read(actor)
    return sql.stored_nights(uow.conn)


def build_kept(uow: UnitOfWork, actor: Actor, name: str, dates: Dates, today: date) -> Report:
    """``build``, answered from the copy the night kept when it kept this report for
    this night (the last stored night when no date is given); computed otherwise."""
    may_read(actor)
    if name in KEPT and dates.start == dates.end:
        night = dates.start or sql.last_night(uow.conn)
        body = sql.kept_report(uow.conn, name, night) if night is not None else None
        if body is not None:
            return report_from_json(body)
    return build(uow, actor, name, dates, today)


def build(uow: UnitOfWork, actor: Actor, name: str, dates: Dates, today: date) -> Report:
    """The report ``name``; refused naming the argument when there is no such report."""
    builder = REPORTS.get(name)
    if builder is None:
        raise ReportError(f"NAME: no report {name[:40]!r}; reports: {', '.join(REPORTS)}")
    return builder(uow, actor, dates, today)

"""The day's reports: 合规 (every contact the night planned with the gate's decision,
denials by rule), 质检 (flagged notes and messages, the call sample, scores per
collector) and 资产概览 (the portfolio per bucket and stage, today's plan, as charts)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from faircollect.domain.messages import Message
from faircollect.services import day_reports
from faircollect.services.casework import qa
from faircollect.web.context import CurrentUser, today, unit
from faircollect.web.errors import InvalidField
from faircollect.web.pages import forms
from faircollect.web.pages.labels import zh
from faircollect.web.pages.render import page

router = APIRouter()

DayQuery = Annotated[str, Query(alias="date", max_length=10)]


def _day(value: str, default: date) -> date:
    return forms.day(value, "date") if value.strip() else default


@router.get("/compliance", response_class=HTMLResponse)
def compliance(
    user: CurrentUser,
    request: Request,
    day: DayQuery = "",
    status: Annotated[str, Query(max_length=16)] = "",
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    if status and status not in day_reports.STATUSES:
        raise InvalidField("status", "请选择：" + "、".join(zh(s) for s in day_reports.STATUSES))
    on = _day(day, today(request))
    with unit(request) as uow:
        found = day_reports.compliance_day(uow, user.actor, on, status or None, page_no)
    return page(
        request,
        "compliance.html",
        user=user,
        active="compliance",
        day=on,
        found=found,
        statuses=day_reports.STATUSES,
    )


@router.get("/qa", response_class=HTMLResponse)
def quality(user: CurrentUser, request: Request, day: DayQuery = "") -> Response:
    on = _day(day, today(request))
    with unit(request) as uow:
        found = qa.review(uow, user.actor, on)
    return page(request, "qa.html", user=user, active="qa", day=on, review=found)


@router.get("/overview", response_class=HTMLResponse)
def overview(user: CurrentUser, request: Request, day: DayQuery = "") -> Response:
    on = _day(day, today(request))
    with unit(request) as uow:
        found = day_reports.overview(uow, user.actor, on)
    return page(
        request,
        "overview.html",
        user=user,
        active="overview",
        day=on,
        view=found,
        charts=_charts(found),
    )


def _charts(view: day_reports.Overview) -> dict[str, Any]:
    """The figures the chart script draws (JSON in the page; the script runs from a
    static file, CSP allows no inline script). Amounts are yuan strings with 2 decimals."""
    from faircollect.domain.money import format_yuan

    def groups(items: Any) -> dict[str, list[Any]]:
        return {
            "names": [zh(g.name) for g in items],
            "accounts": [g.accounts for g in items],
            "overdue": [format_yuan(g.total_overdue) for g in items],
        }

    channels = sorted(view.plan.by_channel.items(), key=lambda kv: (-kv[1], kv[0]))
    statuses = sorted(view.plan.by_status.items(), key=lambda kv: (-kv[1], kv[0]))
    return {
        "bucket": groups(view.portfolio.by_bucket),
        "stage": groups(view.portfolio.by_stage),
        "channel": {"names": [zh(k) for k, _ in channels], "counts": [n for _, n in channels]},
        "status": {"names": [zh(k) for k, _ in statuses], "counts": [n for _, n in statuses]},
    }


# --- the managers' reports (issue 14): /reports/ ----------------------------------------

REPORT_DATE = Annotated[str, Query(alias="date", max_length=10)]
REPORT_FROM = Annotated[str, Query(alias="from", max_length=10)]
REPORT_TO = Annotated[str, Query(alias="to", max_length=10)]
TWO_DATES = frozenset({"roll-rates", "recovery"})
"""Reports read at two stored nights (the others: one date or a period)."""
ONE_DATE = frozenset({"buckets", "vintage"})
"""Reports as of one stored night."""


@router.get("/reports/", response_class=HTMLResponse)
def reports_index(user: CurrentUser, request: Request) -> Response:
    from faircollect.services import manager_reports

    manager_reports.may_read(user.actor)
    return page(
        request,
        "reports_index.html",
        user=user,
        active="reports",
        titles=manager_reports.TITLES,
    )


def _report(request: Request, user: Any, name: str, day: str, start: str, end: str) -> Any:
    """The report ``name`` for the query's dates; a bad date or name is a 422 page naming
    the field, an unknown report a 404, never a 500."""
    from faircollect.domain.reports import ReportError
    from faircollect.services import manager_reports
    from faircollect.web.errors import NotFound

    if name not in manager_reports.REPORTS:
        raise NotFound(Message("report.not_found", name=repr(name[:40])))
    now = today(request)
    one = _plausible(forms.optional_day(day, "date"), "date", now)
    first = _plausible(forms.optional_day(start, "from"), "from", now)
    last = _plausible(forms.optional_day(end, "to"), "to", now)
    if one is not None:
        dates = manager_reports.Dates(one, one)
    elif first is not None or last is not None:
        if first is None or last is None:
            raise InvalidField("from" if first is None else "to", "请同时填写开始和结束日期")
        dates = manager_reports.Dates(first, last)
    else:
        dates = manager_reports.Dates()
    try:
        with unit(request) as uow:
            return manager_reports.build_kept(uow, user.actor, name, dates, now)
    except ReportError as err:
        said = err.args[0] if err.args else str(err)
        option = str(said).split(":", 1)[0]
        field = {"--from/--to": "from", "--from": "from", "--to": "to"}.get(option, "date")
        raise InvalidField(field, said) from None


def _plausible(value: date | None, field: str, now: date) -> date | None:
    """A report date within the window every date option has (``cli.dates``): year 1 or
    9999 is a typo, refused naming the field (and never reaches date arithmetic)."""
    if value is None:
        return None
    from datetime import timedelta

    from faircollect.adapters.limits_file import load_limits

    limits = load_limits()
    latest = now + timedelta(days=limits.business_date_future_days)
    problem = limits.bounds(now).day(value, latest, "business_date_future_days")
    if problem:
        raise InvalidField(field, problem)
    return value


@router.get("/reports/{name}", response_class=HTMLResponse)
def manager_report(
    user: CurrentUser,
    request: Request,
    name: Annotated[str, Path(max_length=40)],
    day: REPORT_DATE = "",
    start: REPORT_FROM = "",
    end: REPORT_TO = "",
) -> Response:
    from faircollect.adapters.report_files import plain_rows
    from faircollect.services import manager_reports

    if name in TWO_DATES and not (day.strip() or start.strip() or end.strip()):
        # The index links here without dates: ask for the two nights to compare instead
        # of refusing a question nobody asked yet.
        with unit(request) as uow:
            first, last, nights = manager_reports.stored_nights(uow, user.actor)
        return page(
            request,
            "report_dates.html",
            user=user,
            active="reports",
            report_name=name,
            title=manager_reports.TITLES[name],
            first=first,
            last=last,
            nights=nights,
        )
    found = _report(request, user, name, day, start, end)
    query = {"date": day, "from": start, "to": end}
    return page(
        request,
        "report.html",
        user=user,
        active="reports",
        report=found,
        report_name=name,
        titles=manager_reports.TITLES,
        two_dates=name in TWO_DATES,
        one_date=name in ONE_DATE,
        tables=[(t, plain_rows(t)) for t in found.tables],
        chart=report_chart(found),
        query="&".join(f"{k}={v}" for k, v in query.items() if v),
    )


@router.get("/reports/{name}/download")
def download_report(
    user: CurrentUser,
    request: Request,
    name: Annotated[str, Path(max_length=40)],
    fmt: Annotated[str, Query(alias="format", max_length=8)] = "csv",
    day: REPORT_DATE = "",
    start: REPORT_FROM = "",
    end: REPORT_TO = "",
) -> Response:
    """The report as a CSV (UTF-8 with a BOM, for Excel) or xlsx attachment."""
    from faircollect.adapters.report_files import render

    if fmt not in ("csv", "xlsx"):
        raise InvalidField("format", "请选择 csv 或 xlsx")
    found = _report(request, user, name, day, start, end)
    body = render(found, fmt)
    dates = str(found.start) if found.start == found.end else f"{found.start}_{found.end}"
    media = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }[fmt]
    if fmt == "csv":
        body = "\ufeff".encode() + body
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}_{dates}.{fmt}"'},
    )


def report_chart(found: Any) -> dict[str, Any]:
    """What ``reports.js`` draws for a report: category names and series (bar or line, on
    the left or right axis, optionally stacked); money in yuan, rates in percent."""
    from faircollect.domain.money import format_yuan

    def percent(value: Any) -> float | None:
        return None if value is None else float(value * 100)

    def yuan_number(fen: int) -> float:
        return float(format_yuan(fen))

    first = found.tables[0]
    rows = [r for r in first.rows if r.get(first.columns[0].key) != "合计"]
    key = first.columns[0].key
    names = [zh(str(r[key])) for r in rows]
    if found.name == "buckets":
        return {
            "names": names,
            "axes": ["户数", "元"],
            "series": [
                {"name": "户数", "type": "bar", "data": [r["accounts"] for r in rows]},
                {
                    "name": "逾期总额（元）",
                    "type": "line",
                    "axis": 1,
                    "data": [yuan_number(r["overdue_total"]) for r in rows],
                },
            ],
        }
    if found.name == "roll-rates":
        return {
            "names": names,
            "axes": ["%"],
            "series": [
                {
                    "name": "向后迁徙率 %",
                    "type": "bar",
                    "data": [percent(r["roll_rate"]) for r in rows],
                },
                {
                    "name": "回到正常率 %",
                    "type": "bar",
                    "data": [percent(r["cure_rate"]) for r in rows],
                },
            ],
        }
    if found.name == "ptp":
        return {
            "names": names,
            "axes": ["笔数", "%"],
            "series": [
                *(
                    {"name": title, "type": "bar", "stack": "s", "data": [r[k] for r in rows]}
                    for k, title in (
                        ("kept", "已兑现"),
                        ("partly_kept", "部分兑现"),
                        ("broken", "未兑现"),
                        ("open", "未到期"),
                    )
                ),
                {
                    "name": "兑现率 %",
                    "type": "line",
                    "axis": 1,
                    "data": [percent(r["kept_rate"]) for r in rows],
                },
            ],
        }
    if found.name == "contact":
        return {
            "names": names,
            "axes": ["次数", "%"],
            "series": [
                {"name": "联系次数", "type": "bar", "data": [r["attempts"] for r in rows]},
                {"name": "接通次数", "type": "bar", "data": [r["reached"] for r in rows]},
                {
                    "name": "触达率 %",
                    "type": "line",
                    "axis": 1,
                    "data": [percent(r["reach_rate"]) for r in rows],
                },
            ],
        }
    if found.name == "vintage":
        mobs = [c for c in first.columns if c.key.startswith("mob")]
        return {
            "names": [c.title for c in mobs],
            "axes": ["30+ 户数占比 %"],
            "series": [
                {
                    "name": r["cohort"],
                    "type": "line",
                    "data": [percent(r[c.key]) for c in mobs],
                }
                for r in first.rows
            ],
        }
    if found.name == "recovery":
        return {
            "names": names,
            "axes": ["元", "%"],
            "series": [
                {
                    "name": "期初逾期总额（元）",
                    "type": "bar",
                    "data": [yuan_number(r["overdue"]) for r in rows],
                },
                {
                    "name": "期间回款（元）",
                    "type": "bar",
                    "data": [yuan_number(r["repaid"]) for r in rows],
                },
                {
                    "name": "回收率 %",
                    "type": "line",
                    "axis": 1,
                    "data": [percent(r["recovery_rate"]) for r in rows],
                },
            ],
        }
    if found.name == "compliance":
        return {
            "names": names,
            "axes": ["次数"],
            "series": [
                {"name": "放行", "type": "bar", "stack": "s", "data": [r["allowed"] for r in rows]},
                {"name": "拦截", "type": "bar", "stack": "s", "data": [r["denied"] for r in rows]},
                {"name": "新投诉", "type": "line", "data": [r["complaints"] for r in rows]},
            ],
        }
    return {
        "names": names,
        "axes": ["次数", "元"],
        "series": [
            {"name": "联系次数", "type": "bar", "data": [r["attempts"] for r in rows]},
            {"name": "接通次数", "type": "bar", "data": [r["reached"] for r in rows]},
            {
                "name": "回收金额（元）",
                "type": "line",
                "axis": 1,
                "data": [yuan_number(r["recovered"]) for r in rows],
            },
        ],
    }

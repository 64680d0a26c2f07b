"""The day's reports: 合规 (every contact the night planned with the gate's decision,
denials by rule), 质检 (flagged notes and messages, the call sample, scores per
collector) and 资产概览 (the portfolio per bucket and stage, today's plan, as charts)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

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

"""今日工作: the signed-in user's queue for the day, its counters, and the search box."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from faircollect.services.casework.today import my_day
from faircollect.web.context import CurrentUser, today, unit
from faircollect.web.pages.render import page

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def today_page(user: CurrentUser, request: Request) -> Response:
    with unit(request) as uow:
        work = my_day(uow, user.actor, today(request))
    return page(request, "today.html", user=user, active="today", work=work)

"""委外 (an agency's desk): the cases the agency holds today and its monthly commission
statement. An agency user sees only their own agency's; a supervisor names one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from faircollect.services.casework.agencies import agency_desk
from faircollect.web.context import CurrentUser, today, unit
from faircollect.web.pages import forms
from faircollect.web.pages.render import page

router = APIRouter()


@router.get("/agency", response_class=HTMLResponse)
def desk(
    user: CurrentUser,
    request: Request,
    month: Annotated[str, Query(max_length=7)] = "",
    agency: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    day = today(request)
    year, number = forms.month(month, day)
    with unit(request) as uow:
        found = agency_desk(uow, user.actor, day, year, number, agency or None)
    return page(
        request,
        "agency.html",
        user=user,
        active="agency",
        desk=found,
        month=f"{year:04d}-{number:02d}",
    )

"""The workbench pages (Chinese, server-rendered with Jinja2, htmx for partial updates).

Each page module holds the routes of one screen; they call the same use cases as the API.
"""

from __future__ import annotations

from fastapi import APIRouter

from faircollect.web.pages import (
    agency,
    apidocs,
    audit,
    calls,
    cases,
    complaints,
    letters,
    login,
    my,
    reports,
    team,
    today,
)


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)
    for part in (
        login,
        today,
        cases,
        calls,
        team,
        agency,
        reports,
        letters,
        complaints,
        audit,
        apidocs,
        my,
    ):
        pages.include_router(part.router)
    return pages

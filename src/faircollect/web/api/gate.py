"""The gate and the screener for other systems: a list in, a list out, the same JSON as
``faircollect check-action`` and ``faircollect screen``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request

from faircollect.services.compliance import decide_items, screen_items
from faircollect.web.api.work import REFUSALS
from faircollect.web.context import CurrentUser

router = APIRouter(tags=["compliance"])

MAX_ITEMS = 1_000
"""Items per request (a dialer batches its calls; more is a 413)."""


def _bounded(items: list[Any], request: Request) -> list[Any]:
    from fastapi import HTTPException

    if len(items) > MAX_ITEMS:
        raise HTTPException(413, f"at most {MAX_ITEMS} items per request, got {len(items)}")
    return items


@router.post("/check-action", responses=REFUSALS)
def check_action(
    user: CurrentUser,
    request: Request,
    items: list[Any] = Body(..., description="Proposed contacts, as check-action's lines."),
) -> list[dict[str, Any]]:
    """One decision per proposed contact: allowed, violations (rule, reason),
    next_allowed_at; an unreadable item gets an error object naming its field."""
    return decide_items(_bounded(items, request))


@router.post("/screen", responses=REFUSALS)
def screen(
    user: CurrentUser,
    request: Request,
    items: list[Any] = Body(..., description='Texts to screen: [{"id", "text"}].'),
) -> list[dict[str, Any]]:
    """Labels and findings (with offsets into the original text) per message."""
    return screen_items(_bounded(items, request))

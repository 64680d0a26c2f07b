"""The JSON API under ``/api/v1`` (OpenAPI at ``/api/v1/openapi.json``)."""

from __future__ import annotations

from fastapi import APIRouter

from faircollect.web.api import (
    audit,
    borrower,
    calls,
    complaints,
    gate,
    ledger,
    payments,
    session,
    work,
)

PREFIX = "/api/v1"


def router() -> APIRouter:
    api = APIRouter(prefix=PREFIX)
    for part in (session, work, ledger, gate, calls, complaints, borrower, payments, audit):
        api.include_router(part.router)
    return api

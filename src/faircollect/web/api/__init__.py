"""The JSON API under ``/api/v1`` (OpenAPI at ``/api/v1/openapi.json``)."""

from __future__ import annotations

from fastapi import APIRouter

from faircollect.web.api import audit, calls, gate, ledger, session, work

PREFIX = "/api/v1"


def router() -> APIRouter:
    api = APIRouter(prefix=PREFIX)
    for part in (session, work, ledger, gate, calls, audit):
        api.include_router(part.router)
    return api

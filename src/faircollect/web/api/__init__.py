"""The JSON API under ``/api/v1`` (OpenAPI at ``/api/v1/openapi.json``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI

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


ANY_OPERATION = {
    "503": "The database is unavailable; try again shortly (``Retry-After``).",
}
WITH_A_BODY = {
    "400": "The body cannot be read at all (not UTF-8, or cut short).",
}


def document_refusals(app: FastAPI) -> None:
    """Add to the OpenAPI document the refusals that come from the app rather than from
    one route (``web/errors.py``), so that every answer the API can give is documented:
    503 on any operation, 400 on any that takes a body. Each is an ``ErrorBody``."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        error = {"$ref": "#/components/schemas/ErrorBody"}
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                extra = {**ANY_OPERATION, **(WITH_A_BODY if "requestBody" in operation else {})}
                for status, description in extra.items():
                    responses.setdefault(
                        status,
                        {
                            "description": description,
                            "content": {"application/json": {"schema": error}},
                        },
                    )
        return schema

    app.openapi = openapi  # type: ignore[method-assign]

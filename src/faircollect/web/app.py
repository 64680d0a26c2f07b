"""The app: API, pages and static files in one FastAPI application.

``faircollect serve`` runs it under uvicorn; tests build it with ``create_app`` on their
own database and clock.
"""

from __future__ import annotations

from datetime import datetime
from importlib import resources
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from faircollect import __version__
from faircollect.adapters import log_masking
from faircollect.web import api, errors
from faircollect.web.context import Clock, WebConfig
from faircollect.web.security import SecurityHeaders

SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai_now() -> datetime:
    """The real clock, in the business time zone."""
    return datetime.now(SHANGHAI)


def create_app(
    engine: Engine,
    *,
    clock: Clock = shanghai_now,
    secure_cookies: bool = False,
    payment_secret: bytes | None = None,
) -> FastAPI:
    log_masking.install()
    app = FastAPI(
        title="faircollect",
        version=__version__,
        description="Lawful collections (合规贷后催收): the workbench's JSON API.",
        openapi_url=f"{api.PREFIX}/openapi.json",
        docs_url=None,  # /api/docs is our own page: Swagger UI would load from a CDN
        redoc_url=None,
    )
    app.state.config = (
        WebConfig(engine, clock, secure_cookies, payment_secret)
        if payment_secret is not None
        else WebConfig(engine, clock, secure_cookies)
    )
    errors.install(app)
    app.add_middleware(SecurityHeaders)
    app.include_router(api.router())
    api.document_refusals(app)
    from faircollect.web.pages import router as pages

    app.include_router(pages())
    static = resources.files("faircollect.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    return app

"""``faircollect serve``: the workbench and its API over HTTP (uvicorn)."""

from __future__ import annotations

import copy
from typing import Any

import typer


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
    database_url: str | None = typer.Option(None, "--database-url", help="Database URL."),
    secure_cookies: bool = typer.Option(
        False,
        envvar="FAIRCOLLECT_SECURE_COOKIES",
        help="Mark the session cookies Secure even on requests that arrive as plain HTTP "
        "(behind a proxy that terminates HTTPS); requests over HTTPS get it anyway.",
    ),
) -> None:
    """Serve the workbench (pages and /api/v1) until Ctrl-C."""
    import uvicorn

    from faircollect.cli.database import open_engine
    from faircollect.web.app import create_app

    app = create_app(open_engine(database_url), secure_cookies=secure_cookies)
    typer.echo(f"faircollect workbench: http://{host}:{port}/  (API docs: /api/docs)")
    uvicorn.run(app, host=host, port=port, log_level="warning", log_config=log_config())


def log_config() -> dict[str, Any]:
    """uvicorn's logging configuration with every handler masking ID and phone numbers
    (``adapters.log_masking``): a request line's query string can carry one."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["mask_personal_numbers"] = {
        "()": "faircollect.adapters.log_masking.MaskPersonalNumbers"
    }
    for handler in config.get("handlers", {}).values():
        handler.setdefault("filters", []).append("mask_personal_numbers")
    return config


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)

"""The workbench served for a real browser: uvicorn in a thread on 127.0.0.1 and a free
port, on a given database and a fixed clock; and Chromium as Debian ships it.

Used by the Playwright stories (``tests/browser``) and ``make screenshots``.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import uvicorn
from sqlalchemy import Engine

from faircollect.web.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
"""Debian's Chromium (``apt-get install chromium``): Playwright drives it through
``executable_path`` instead of downloading a browser build of its own."""

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serving(engine: Engine, clock: Callable[[], datetime]) -> Iterator[str]:
    """The app on ``engine`` at ``clock``'s time, served until the block ends; yields
    its base URL."""
    port = free_port()
    config = uvicorn.Config(
        create_app(engine, clock=clock),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"workbench:{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the workbench did not start on port {port}")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Debian Chromium under Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def sign_in(page: Any, base: str, user_id: str, password: str) -> None:
    """Sign in through the login form, as a person would."""
    page.goto(f"{base}/login")
    page.fill("input[name=user_id]", user_id)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")

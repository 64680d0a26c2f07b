"""Browser stories: Debian's Chromium driven by Playwright against the workbench served by
uvicorn on 127.0.0.1, on a fresh SQLite casework world per story (the world of
``tests/web``: 张三's L1 15 days past due on 2 Mar 2026, case C-B1-20260302 owned by C101),
with the clock at 10:00 that morning.

Skipped, with the reason, only when /usr/bin/chromium is missing (``make test`` and CI
install it with fonts-noto-cjk).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine

from faircollect.adapters.db.engine import create_schema, make_engine
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.services import auth
from tests.browser.live import CHROMIUM, chromium, serving, sign_in
from tests.scenarios.casework_world import DAY, at, build
from tests.web.conftest import PASSWORD, USERS

if not CHROMIUM.exists():
    pytest.skip(
        f"{CHROMIUM} is missing: the browser stories need Debian's Chromium "
        "(apt-get install -y chromium fonts-noto-cjk)",
        allow_module_level=True,
    )


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    with chromium() as found:
        yield found


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The casework world on SQLite, every example user with the test password."""
    monkeypatch.setattr(auth, "HASHER", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
    made = make_engine(f"sqlite:///{tmp_path / 'browser.db'}")
    create_schema(made)
    build(made)
    with UnitOfWork(made) as uow:
        for user_id in USERS:
            auth.set_password(uow, user_id, PASSWORD)
    yield made
    made.dispose()


@pytest.fixture
def base_url(engine: Engine) -> Iterator[str]:
    with serving(engine, lambda: at(DAY, 10)) as url:
        yield url


@pytest.fixture
def signed_in_page(browser: Any, base_url: str) -> Iterator[Callable[[str], Any]]:
    """``signed_in_page("C101")``: a new browser context signed in through the login form.
    Every page error and console error (a CSP violation, a script failing) fails the
    story."""
    contexts: list[Any] = []
    problems: list[str] = []

    def open_as(user_id: str) -> Any:
        context = browser.new_context(locale="zh-CN", viewport={"width": 1360, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"{user_id}: {error}"))
        page.on(
            "console",
            lambda message: (
                problems.append(f"{user_id}: {message.text}")
                if message.type == "error" and "status of 4" not in message.text
                else None
            ),
        )
        sign_in(page, base_url, user_id, PASSWORD)
        return page

    yield open_as
    for context in contexts:
        context.close()
    assert problems == [], problems

"""Helpers for the page tests: a client signed in through the login form, forms posted
with their hidden CSRF field (as a browser sends them), rows counted with plain SQL."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.sql.schema import Table

from tests.web.conftest import PASSWORD

HTMX = {"HX-Request": "true"}


@dataclass
class Browser:
    """A TestClient that behaves like a signed-in browser tab."""

    client: TestClient
    csrf: str

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict[str, Any], htmx: bool = False) -> Any:
        """A form post with the page's CSRF field; no redirect is followed."""
        return self.client.post(
            path,
            data={"csrf_token": self.csrf, **data},
            headers=HTMX if htmx else {},
            follow_redirects=False,
        )


def sign_in_form(client: TestClient, user_id: str) -> Browser:
    answer = client.post(
        "/login",
        data={"user_id": user_id, "password": PASSWORD, "next": "/"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    home = client.get("/")
    assert home.status_code == 200, home.text
    found = re.search(r'<meta name="csrf-token" content="([^"]+)">', home.text)
    assert found, "the page carries the session's CSRF token"
    return Browser(client, found.group(1))


def count(engine: Engine, table: Table, **where: Any) -> int:
    query = select(func.count()).select_from(table)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def text_of(html: str) -> str:
    """The page's text without tags or runs of whitespace (for phrases split by markup)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))

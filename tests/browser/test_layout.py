"""Pages that fit their screen: on a phone (390 px) the workbench never scrolls sideways
(a wide table scrolls inside its card), and the audit trail's stored JSON wraps in its
cell instead of widening the page on a laptop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.scenarios.casework_world import CASE

OpenAs = Callable[[str], Any]


def page_width(page: Any, base_url: str, path: str) -> int:
    answer = page.goto(f"{base_url}{path}")
    assert answer.status == 200, path
    page.wait_for_load_state("networkidle")
    width: int = page.evaluate("document.documentElement.scrollWidth")
    return width


@pytest.mark.parametrize(
    ("user_id", "path"),
    [
        ("C101", "/"),
        ("C101", f"/cases/{CASE}"),
        ("C101", "/loans/L1"),
        ("S001", "/team"),
        ("S001", "/compliance"),
        ("ADMIN", "/audit/"),
    ],
)
def test_a_phone_never_scrolls_the_page_sideways(
    signed_in_page: OpenAs, base_url: str, user_id: str, path: str
) -> None:
    page = signed_in_page(user_id)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page_width(page, base_url, path) <= 390


def test_the_audit_trail_fits_a_laptop_screen(signed_in_page: OpenAs, base_url: str) -> None:
    page = signed_in_page("ADMIN")
    page.set_viewport_size({"width": 1280, "height": 800})
    assert page_width(page, base_url, "/audit/") <= 1280
    assert page.locator("td.action", has_text="登录").count() >= 1  # not only session.signed_in

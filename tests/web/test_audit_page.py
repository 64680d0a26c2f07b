"""The 审计日志 page (/audit/): compliance officers and admins read the trail, filtered by
day, actor and subject; every other role gets 404; a bad filter is a 422 page naming it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.scenarios.casework_world import CASE
from tests.web.pages_support import text_of


@pytest.mark.parametrize("user", ["C101", "S001", "A101", "Q001"])
def test_other_roles_get_404(page_as: Callable[[str], Any], user: str) -> None:
    assert page_as(user).get("/audit/").status_code == 404


def test_compliance_sees_who_viewed_unmasked_data_and_filters_by_actor(
    page_as: Callable[[str], Any],
) -> None:
    assert page_as("S001").get(f"/cases/{CASE}").status_code == 200  # sees the whole ID
    k001 = page_as("K001")
    everything = k001.get("/audit/")
    assert everything.status_code == 200
    shown = text_of(everything.text)
    assert "personal_data.viewed" in shown and "S001" in shown and CASE in shown
    assert "审计日志" in shown
    assert "110101199001011234" not in everything.text

    by_c102 = text_of(k001.get("/audit/", params={"actor": "C102"}).text)
    assert "personal_data.viewed" not in by_c102 and "没有符合条件的记录" in by_c102

    on_day = k001.get("/audit/", params={"from": "2026-03-02", "to": "2026-03-02", "subject": CASE})
    assert "S001" in text_of(on_day.text)
    later = k001.get("/audit/", params={"from": "2026-03-03", "to": "2026-03-31"})
    assert "0 条" in text_of(later.text)


def test_the_nav_shows_the_page_only_to_who_may_read_it(page_as: Callable[[str], Any]) -> None:
    assert 'href="/audit/"' in page_as("ADMIN").get("/").text
    assert 'href="/audit/"' not in page_as("S001").get("/").text


@pytest.mark.parametrize(
    ("params", "named"),
    [({"from": "2026-02-30"}, "2026-02-30"), ({"from": "2026-03-02", "to": "2026-03-01"}, "早于")],
)
def test_a_bad_filter_is_a_422_page(
    page_as: Callable[[str], Any], params: dict[str, str], named: str
) -> None:
    answer = page_as("K001").get("/audit/", params=params)
    assert answer.status_code == 422
    assert named in text_of(answer.text)

"""Days and times in requests are ISO 8601 text and nothing else (found by the fuzzer on
PostgreSQL: ``GET /audit?to=-6.59e-82`` was read as 1 Jan 1970, since pydantic takes a
number for seconds since 1970)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.api.conftest import Api, error_of
from tests.web.api.test_access import CONTACT_OK, PROMISE
from tests.web.api.world import X

NUMBERS = ["1772409600", "-6.592908843952778e-82", "20260309", "0"]


@pytest.mark.parametrize("value", NUMBERS)
@pytest.mark.parametrize(
    ("user", "path", "name"),
    [("K001", "/audit", "to"), ("K001", "/audit", "from"), ("C101", "/queue", "date")],
)
def test_a_number_is_not_a_day_in_a_query(
    value: str, user: str, path: str, name: str, shared: Api
) -> None:
    answer = shared.as_(user).get(f"/api/v1{path}", params={name: value})
    assert answer.status_code == 422, answer.text
    assert error_of(answer)["field"] == name


@pytest.mark.parametrize("value", [20260309, 1772409600, "1772409600", "2026-03-09T00:00:00"])
@pytest.mark.parametrize("name", ["due", "made_on"])
def test_a_promise_day_is_a_day_not_a_number(value: Any, name: str, shared: Api) -> None:
    before = shared.fingerprint()
    body = {**PROMISE, "loan_id": "L1", name: value}
    answer = shared.as_("C101").post("/api/v1/promises", json=body)
    assert answer.status_code == 422, answer.text
    assert error_of(answer)["field"] == name
    assert shared.fingerprint() == before


@pytest.mark.parametrize("value", [1772416800, "1772416800"])
def test_a_contact_time_is_iso_text_not_a_number(value: Any, shared: Api) -> None:
    before = shared.fingerprint()
    answer = shared.as_("C101").post(
        f"/api/v1/cases/{X}/contacts", json={**CONTACT_OK, "at": value}
    )
    assert answer.status_code == 422, answer.text
    assert error_of(answer)["field"] == "at"
    assert shared.fingerprint() == before


def test_iso_days_still_work(shared: Api) -> None:
    assert shared.as_("K001").get("/api/v1/audit", params={"from": "2026-03-01"}).status_code == 200
    assert shared.as_("C101").get("/api/v1/queue", params={"date": "2026-03-09"}).status_code == 200

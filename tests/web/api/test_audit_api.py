"""GET /api/v1/audit: compliance officers and admins read the trail, everyone else gets 404
(the service decides); what the other endpoints did is in it, filtered by day, actor,
subject and action; bad filters are 422 naming the field."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.web.api.conftest import Api, error_of
from tests.web.api.test_access import CONTACT_OK
from tests.web.api.world import X


@pytest.fixture
def api(fresh: Callable[[], Api]) -> Api:
    return fresh()


@pytest.mark.parametrize("user", ["C101", "S001", "A101", "Q001"])
def test_only_compliance_and_admins_see_the_trail(api: Api, user: str) -> None:
    answer = api.as_(user).get("/api/v1/audit")
    assert answer.status_code == 404, answer.text
    assert error_of(answer)["code"] == "not_found"


def test_a_contact_and_an_unmasked_view_are_in_the_trail(api: Api) -> None:
    assert api.as_("C101").post(f"/api/v1/cases/{X}/contacts", json=CONTACT_OK).status_code == 201
    assert api.as_("S001").get(f"/api/v1/cases/{X}").status_code == 200
    assert api.as_("C101").get(f"/api/v1/cases/{X}").status_code == 200  # the ID masked

    answer = api.as_("K001").get("/api/v1/audit", params={"subject": X, "from": "2026-03-02"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    newest = [(e["actor"], e["action"]) for e in body["items"][:4]]
    assert newest == [
        ("C101", "personal_data.viewed"),
        ("S001", "personal_data.viewed"),
        ("C101", "contact.recorded"),
        ("C101", "gate.decided"),
    ]
    masked, viewed, contact = body["items"][0], body["items"][1], body["items"][2]
    assert masked["after"]["id_number_shown"] == "masked"
    assert viewed["subject"] == X and viewed["after"]["id_number_shown"] == "whole"
    assert contact["at"] == "2026-03-02T10:00:00+08:00"  # the app's clock
    assert contact["after"]["outcome"] == "no_answer"
    assert contact["before"] == {"status": "open"}
    assert len(contact["hash"]) == 64

    only = api.as_("ADMIN").get(
        "/api/v1/audit", params={"actor": "S001", "action": "personal_data.viewed"}
    )
    assert [(e["actor"], e["subject"]) for e in only.json()["items"]] == [("S001", X)]
    assert only.json()["total"] == 1


def test_days_outside_the_range_show_nothing(api: Api) -> None:
    """The world was built (and audited) on the real day; nothing happened in 3-31 Mar."""
    answer = api.as_("K001").get("/api/v1/audit", params={"from": "2026-03-03", "to": "2026-03-31"})
    assert answer.status_code == 200
    assert answer.json() == {"items": [], "total": 0, "page": 1, "size": 50}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-02-30"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "2026-03-02", "to": "2026-03-01"}, "to"),
        ({"size": "0"}, "size"),
        ({"page": "-1"}, "page"),
        ({"actor": "x" * 65}, "actor"),
    ],
)
def test_bad_filters_are_422_naming_the_field(api: Api, params: dict[str, str], field: str) -> None:
    answer = api.as_("K001").get("/api/v1/audit", params=params)
    assert answer.status_code == 422, answer.text
    assert error_of(answer)["field"] == field

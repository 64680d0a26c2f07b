"""What every endpoint asks of a request before it acts: a session (401), the CSRF token on
a state-changing request (403), valid query parameters (422 naming the field); and that no
id in a query string or a body reaches beyond the user's cases."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.api.conftest import Api, error_of
from tests.web.api.test_access import CONTACT_OK, DECISION, PROMISE, REASSIGN, ROWS, WAIVER
from tests.web.api.world import X, Y, Z

ENDPOINTS = sorted({(row.method, row.path): row for row in ROWS}.values(), key=lambda r: r.name)
"""One row per (method, path): every endpoint of the table."""

UNSAFE = [row for row in ENDPOINTS if row.method != "GET"]


def url(row: Any, shared: Api, world: Any) -> str:
    from tests.web.api.test_access import path_of

    return path_of(row, world)


@pytest.mark.parametrize("row", ENDPOINTS, ids=lambda r: f"{r.method} {r.path}")
def test_every_endpoint_wants_a_session(row: Any, shared: Api, template: Any) -> None:
    answer = shared.anonymous().request(
        row.method, url(row, shared, template.world), json=row.body, params=row.params
    )
    assert answer.status_code == 401, answer.text
    assert error_of(answer)["code"] == "unauthenticated"


@pytest.mark.parametrize("token", [None, "", "wrong-token"])
@pytest.mark.parametrize("row", UNSAFE, ids=lambda r: f"{r.method} {r.path}")
def test_a_state_changing_request_wants_the_csrf_token(
    row: Any, token: str | None, shared: Api, template: Any
) -> None:
    """Signed in as the admin, who may do all of these: only the token is missing."""
    admin, _ = shared.session_of("ADMIN")
    headers = {} if token is None else {"X-CSRF-Token": token}
    before = shared.fingerprint()
    answer = admin.request(
        row.method, url(row, shared, template.world), json=row.body, headers=headers
    )
    assert answer.status_code == 403, answer.text
    assert error_of(answer) == {"code": "forbidden", "message": "missing or wrong CSRF token"}
    assert shared.fingerprint() == before


def test_the_csrf_token_is_the_sessions_own(shared: Api) -> None:
    """C101's token does not pass for C102's session."""
    c102, own = shared.session_of("C102")
    theirs = shared.as_("C101").headers["X-CSRF-Token"]
    answer = c102.post("/api/v1/screen", json=[], headers={"X-CSRF-Token": theirs})
    assert answer.status_code == 403
    assert c102.post("/api/v1/screen", json=[], headers={"X-CSRF-Token": own}).status_code == 200


# The case list's parameters -----------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "lost"}, "status"),
        ({"page": "0"}, "page"),
        ({"page": "x"}, "page"),
        ({"size": "0"}, "size"),
        ({"size": "201"}, "size"),
        ({"q": "x" * 129}, "q"),
        ({"sort": "x" * 33}, "sort"),
    ],
)
def test_a_bad_case_list_parameter_is_a_422_naming_it(
    params: dict[str, str], field: str, shared: Api
) -> None:
    answer = shared.as_("ADMIN").get("/api/v1/cases", params=params)
    assert answer.status_code == 422, answer.text
    assert error_of(answer)["field"] == field


def test_an_unknown_sort_is_refused_naming_sort(shared: Api) -> None:
    answer = shared.as_("ADMIN").get("/api/v1/cases", params={"sort": "salary"})
    assert answer.status_code == 422
    assert error_of(answer)["key"] == "case.sort"
    assert error_of(answer)["message"] == "不能按“salary”排序"


def test_search_sort_and_pages_stay_within_the_scope(shared: Api) -> None:
    admin, s001 = shared.as_("ADMIN"), shared.as_("S001")

    def ids(client: Any, **params: str) -> list[str]:
        answer = client.get("/api/v1/cases", params=params)
        assert answer.status_code == 200, answer.text
        return [c["case_id"] for c in answer.json()["items"]]

    assert ids(s001, q="L1") == [X]
    assert ids(s001, q="张三") == [X]
    assert ids(s001, q="13800000001") == [X]
    assert ids(s001, q="110101199001011234") == [X]  # by the ID number's keyed hash
    assert ids(s001, q="1101") == []  # a number is found whole, never by a part
    assert ids(shared.as_("C102"), q="L1") == []
    assert ids(shared.as_("C102"), q="13800000001") == []
    assert ids(s001, status="with_agency") == [Y]
    assert ids(shared.as_("C101"), status="with_agency") == []
    everything = ids(admin, sort="case_id")
    assert len(everything) == 5 and everything == sorted(everything)
    assert ids(admin, sort="-case_id") == everything[::-1]
    page = admin.get("/api/v1/cases", params={"size": "2", "page": "2"}).json()
    assert [c["case_id"] for c in page["items"]] == everything[2:4]
    assert (page["total"], page["page"], page["size"]) == (5, 2, 2)
    assert ids(admin, size="2", page="4") == []


# Ids in a body or a query string ---------------------------------------------------------


def test_a_loan_of_another_case_in_a_body_reaches_nothing(shared: Api) -> None:
    """C102 works case Z; naming C101's loan L1 with it is refused like a loan not in Z,
    and nothing is stored."""
    c102 = shared.as_("C102")
    before = shared.fingerprint()
    attempts = [
        c102.post(f"/api/v1/cases/{Z}/contacts", json={**CONTACT_OK, "loan_id": "L1"}),
        c102.post("/api/v1/proposals", json={**WAIVER, "case_id": Z, "loan_id": "L1"}),
        c102.post("/api/v1/calls", json={"case_id": Z, "loan_id": "L1"}),
    ]
    for answer in attempts:
        assert answer.status_code == 422, answer.text
        assert "L1" in error_of(answer)["message"]
    others = [
        c102.post("/api/v1/proposals", json={**WAIVER, "case_id": X, "loan_id": "L4"}),
        c102.post("/api/v1/calls", json={"case_id": X, "loan_id": "L4"}),
        c102.post("/api/v1/promises", json={**PROMISE, "loan_id": "L1"}),
        c102.put(f"/api/v1/cases/{X}/owner", json=REASSIGN),
        c102.post(f"/api/v1/proposals/{'PR-NOPE'}/decision", json=DECISION),
    ]
    assert [a.status_code for a in others] == [404, 404, 404, 403, 403]
    assert shared.fingerprint() == before


def test_a_loan_id_in_the_query_string_filters_and_never_widens(shared: Api) -> None:
    c102 = shared.as_("C102")
    assert c102.get("/api/v1/promises", params={"loan_id": "L1"}).json()["items"] == []
    c101 = shared.as_("C101")
    mine = c101.get("/api/v1/promises", params={"loan_id": "L1"}).json()["items"]
    assert [p["loan_id"] for p in mine] == ["L1"]
    assert c101.get("/api/v1/promises", params={"loan_id": "L3"}).json()["items"] == []


def test_another_users_call_is_no_call(shared: Api, template: Any) -> None:
    call = template.world.call
    for user in ("C102", "S001", "ADMIN"):
        client = shared.as_(user)
        answers = [
            client.get(f"/api/v1/calls/{call}"),
            client.post(f"/api/v1/calls/{call}/answers", json={"step": "prepare"}),
            client.post(f"/api/v1/calls/{call}/finish"),
        ]
        assert [a.status_code for a in answers] == [404, 404, 404], user
        assert {error_of(a)["message"] for a in answers} == {"未找到该通话"}
        assert {error_of(a)["key"] for a in answers} == {"call.not_found"}


def test_a_case_one_may_not_see_answers_like_one_that_does_not_exist(shared: Api) -> None:
    c102 = shared.as_("C102")
    hidden = c102.get(f"/api/v1/cases/{X}")
    missing = c102.get("/api/v1/cases/C-B9-20260302")
    assert (hidden.status_code, missing.status_code) == (404, 404)
    said = "未找到该案件，或您无权查看该案件"
    nothing = {"code": "not_found", "key": "case.not_found", "message": said}
    assert error_of(hidden) == error_of(missing) == nothing


# Recording a contact --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"channel": "pigeon"}, "channel"),
        ({"party": "neighbour"}, "party"),
        ({"outcome": "maybe"}, "outcome"),
        ({"reason": "bored", "outcome": "borrower_reached"}, "reason"),
        ({"purpose": "scare"}, "purpose"),
        ({"at": "2026-03-02T10:05:00"}, "at"),
        ({"number": ""}, "number"),
        ({"note": "x" * 4001}, "note"),
    ],
)
def test_a_bad_contact_field_is_a_422_naming_it(
    change: dict[str, str], field: str, shared: Api
) -> None:
    before = shared.fingerprint()
    answer = shared.as_("C101").post(f"/api/v1/cases/{X}/contacts", json={**CONTACT_OK, **change})
    assert answer.status_code == 422, answer.text
    assert error_of(answer)["field"] == field
    assert shared.fingerprint() == before


@pytest.mark.parametrize(
    ("number", "rule"),
    [
        ("13900000012", "PI-1"),  # a colleague on file, not an emergency contact: never
        ("13900000011", "CN-3P-1"),  # the emergency contact, before 3 failed attempts
        ("13700000000", "PI-1"),  # a number the system does not know
    ],
)
def test_the_gate_denies_a_third_party_call_with_its_rule_ids(
    number: str, rule: str, shared: Api
) -> None:
    before = shared.fingerprint()
    third = {
        **CONTACT_OK,
        "party": "emergency_contact",
        "number": number,
        "purpose": "locate",
        "discloses_debt": False,
    }
    answer = shared.as_("C101").post(f"/api/v1/cases/{X}/contacts", json=third)
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["error"]["code"] == "denied"
    assert rule in [v["rule"] for v in body["violations"]]
    assert all(v["reason"] for v in body["violations"])
    assert shared.fingerprint() == before

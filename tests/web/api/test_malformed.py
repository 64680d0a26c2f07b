"""No request produces a 500: malformed JSON, wrong types, huge strings, unknown fields and
extreme dates sent to every state-changing endpoint come back as a 4xx with the JSON error
shape (``{"error": {"code", "message"}}``), and the app keeps answering.

Everything runs on one scratch copy of the world per backend: a variant that happens to
be valid may change it, which only makes the later variants meet a busier case.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from faircollect.adapters.db.engine import make_engine
from tests.web.api.conftest import Api, error_of, morning
from tests.web.api.test_access import CONTACT_OK, DECISION, GATE_ITEM, PROMISE, REASSIGN, WAIVER
from tests.web.api.world import Template, X

HUGE = "催" * 300_000 + "x" * 100_000
"""About a megabyte of UTF-8 in one string."""


@pytest.fixture(scope="module")
def scratch(template: Template) -> Iterator[Api]:
    engine = make_engine(template.clone())
    api = Api(engine, morning())
    yield api
    api.close()
    engine.dispose()
    template.drop(str(engine.url))


def endpoints(world: Any) -> list[tuple[str, str, str, Any]]:
    """(user, method, path, a valid body) for every endpoint that takes a body."""
    return [
        ("", "POST", "/session", {"user_id": "C101", "password": "not the one"}),
        ("C101", "POST", f"/cases/{X}/contacts", CONTACT_OK),
        ("S001", "PUT", f"/cases/{X}/owner", REASSIGN),
        ("C101", "POST", "/promises", {**PROMISE, "loan_id": "L1"}),
        ("C101", "POST", "/proposals", {**WAIVER, "case_id": X, "loan_id": "L1"}),
        (
            "C101",
            "POST",
            "/proposals",
            {"kind": "plan", "months": 6, "annual_rate": "0.1", "first_due": "2026-04-02"}
            | {"case_id": X, "loan_id": "L1"},
        ),
        ("S001", "POST", f"/proposals/{world.proposal}/decision", DECISION),
        ("C101", "POST", "/calls", {"case_id": X, "loan_id": "L1"}),
        ("C101", "POST", f"/calls/{world.call}/answers", {"step": "prepare", "value": None}),
    ]


LISTS = [("/check-action", [GATE_ITEM]), ("/screen", [{"id": 1, "text": "请按时还款"}])]
RAW = [
    b"",
    b"{not json",
    b'{"a": 1,}',
    b"\xff\xfe\x00",
    b"null",
    b"true",
    b"[]",
    b'"a string"',
    b"12345",
    b"9" * 5000,
    b"[" * 100_000 + b"]" * 100_000,
    b'{"a": ' * 50_000 + b"1" + b"}" * 50_000,
]
"""Bodies that are not a usable JSON object at all."""


def client_for(api: Api, user: str) -> TestClient:
    return api.anonymous() if not user else api.as_(user)


def refused(answer: httpx.Response) -> None:
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:300])
    error_of(answer)


def variants(body: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The body with one field broken at a time, and with a field it does not know."""
    yield "unknown field", {**body, "is_admin": True}
    for key, value in body.items():
        for name, wrong in (("object", {"$gt": ""}), ("list", [value, value])):
            yield f"{key} as {name}", {**body, key: wrong}
        if isinstance(value, str):
            yield f"{key} huge", {**body, key: HUGE}
            yield f"{key} number", {**body, key: 10**30}
        if key != "value":
            yield f"{key} missing", {k: v for k, v in body.items() if k != key}


ANY_VALUE = "value"
"""CallAnswer.value takes any JSON; the step decides whether it fits."""


def test_every_endpoint_refuses_bodies_that_are_not_json_objects(
    scratch: Api, template: Template
) -> None:
    for user, method, path, _ in endpoints(template.world):
        client = client_for(scratch, user)
        for raw in RAW:
            answer = client.request(
                method, f"/api/v1{path}", content=raw, headers={"content-type": "application/json"}
            )
            refused(answer)
        for kind in ("text/plain", "application/x-www-form-urlencoded"):
            answer = client.request(
                method, f"/api/v1{path}", content=b"user_id=x", headers={"content-type": kind}
            )
            refused(answer)


def test_every_endpoint_refuses_each_broken_field(scratch: Api, template: Template) -> None:
    for user, method, path, body in endpoints(template.world):
        client = client_for(scratch, user)
        for name, broken in variants(body):
            answer = client.request(method, f"/api/v1{path}", json=broken)
            if name.startswith(ANY_VALUE) or name.endswith("missing"):  # optional ones may pass
                assert answer.status_code < 500, (path, name, answer.text[:300])
                continue
            try:
                refused(answer)
            except AssertionError as failure:
                raise AssertionError(f"{method} {path}, {name}: {failure}") from None


def test_the_gate_and_the_screener_answer_junk_items_one_by_one(scratch: Api) -> None:
    admin = scratch.as_("ADMIN")
    junk = [1, "x", None, [], {}, {"id": {}}, {"id": 1, "text": {"a": 1}}, {"id": 2, "text": HUGE}]
    for path, good in LISTS:
        answer = admin.post(f"/api/v1{path}", json=[*good, *junk])
        assert answer.status_code == 200, answer.text[:300]
        items = answer.json()
        assert len(items) == 1 + len(junk)
        assert all("error" in item for item in items[1:]), items[1:]
        for raw in RAW:
            if raw in (b"[]",):
                continue
            refused(
                admin.post(
                    f"/api/v1{path}", content=raw, headers={"content-type": "application/json"}
                )
            )
        too_many = admin.post(f"/api/v1{path}", json=good * 1001)
        assert too_many.status_code == 413 and error_of(too_many)["code"] == "too_large"


@pytest.mark.parametrize(
    "path",
    [
        "/cases/" + "x" * 5000,
        "/cases/..%2F..%2Fetc%2Fpasswd",
        "/cases/催收' OR 1=1 --",
        "/loans/%E2%80%AE",
        "/calls/" + "9" * 400,
    ],
)
def test_odd_ids_in_the_path_are_no_such_thing(path: str, scratch: Api) -> None:
    answer = scratch.as_("ADMIN").get(f"/api/v1{path}")
    assert answer.status_code == 404, answer.text[:300]
    assert error_of(answer)["code"] == "not_found"


@pytest.mark.parametrize("path", ["/cases/%00", "/cases/C-B1%0020260302", "/loans/L1%00"])
def test_a_nul_character_in_an_id_is_refused_not_a_crash(path: str, scratch: Api) -> None:
    """SQLite looks the id up and finds nothing (404); PostgreSQL cannot hold a NUL in a
    text at all and refuses the value (422)."""
    answer = scratch.as_("ADMIN").get(f"/api/v1{path}")
    assert answer.status_code in (404, 422), answer.text[:300]
    error_of(answer)


def test_a_nul_character_in_a_note_is_stored_or_refused_not_a_crash(scratch: Api) -> None:
    before = scratch.fingerprint()
    answer = scratch.as_("C101").post(
        f"/api/v1/cases/{X}/contacts", json={**CONTACT_OK, "note": "未接\u0000通"}
    )
    assert answer.status_code in (201, 422), answer.text[:300]
    if answer.status_code == 422:
        assert error_of(answer)["code"] == "invalid"
        assert scratch.fingerprint() == before


EXTREME_TIMES = [
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00-23:59",
    "9999-12-31T23:59:59-23:59",
    "9999-12-31T23:59:59+00:00",
]


@pytest.mark.parametrize("moment", [*EXTREME_TIMES, "2026-03-01T10:00:00+08:00"])
def test_a_contact_outside_the_cases_life_is_refused_naming_at(moment: str, scratch: Api) -> None:
    """Before the case was opened (2 Mar), or after today, or at the ends of the calendar."""
    answer = scratch.as_("C101").post(
        f"/api/v1/cases/{X}/contacts", json={**CONTACT_OK, "at": moment}
    )
    refused(answer)
    assert answer.json()["reason_keys"] == ["contact.at_outside_case"]
    assert "联系时间须在立案日（2026-03-02）到今天（2026-03-02）之间" in error_of(answer)["message"]


@pytest.mark.parametrize("moment", EXTREME_TIMES)
def test_the_gate_reads_a_time_at_the_ends_of_the_calendar_as_a_bad_field(
    moment: str, scratch: Api
) -> None:
    answer = scratch.as_("ADMIN").post("/api/v1/check-action", json=[{**GATE_ITEM, "at": moment}])
    assert answer.status_code == 200
    assert answer.json()[0]["error"]["field"] == "at"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"due": "9999-12-31"}, "距今超过 366 天"),
        ({"due": "2027-03-04"}, "距今超过 366 天"),
        ({"made_on": "2026-03-03"}, "晚于今天"),
        ({"made_on": "0001-01-01"}, "距今超过 366 天"),
        ({"amount": "99999999999999999999.00"}, "amount too large"),
    ],
)
def test_a_promise_out_of_all_proportion_is_refused(
    change: dict[str, str], words: str, scratch: Api
) -> None:
    answer = scratch.as_("C101").post(
        "/api/v1/promises", json={**PROMISE, "loan_id": "L1", **change}
    )
    refused(answer)
    assert words in error_of(answer)["message"]


@pytest.mark.parametrize("amount", ["1e3", "1_000", "١٠٠٠", "1,000.00", " ", "0x10"])
def test_an_amount_that_is_not_plain_digits_is_refused_naming_the_field(
    amount: str, scratch: Api
) -> None:
    """The one definition of a number (``money.PLAIN_DECIMAL``), as in files and forms:
    Decimal alone would take an exponent, digit separators or other scripts' digits."""
    answer = scratch.as_("C101").post(
        "/api/v1/promises", json={**PROMISE, "loan_id": "L1", "amount": amount}
    )
    refused(answer)
    assert error_of(answer)["field"] == "amount"


def test_a_plan_starting_in_year_9999_or_a_waiver_of_a_fortune_is_refused(scratch: Api) -> None:
    c101 = scratch.as_("C101")
    far = {"kind": "plan", "months": 60, "annual_rate": "0.1", "first_due": "9999-06-01"}
    answer = c101.post("/api/v1/proposals", json={**far, "case_id": X, "loan_id": "L1"})
    refused(answer)
    assert error_of(answer)["key"] == "proposal.first_due_too_far"
    assert "首期还款日（9999-06-01）距 2026-03-02 不能超过 366 天" in error_of(answer)["message"]
    fortune = {**WAIVER, "amount": "99999999999999999999.00", "case_id": X, "loan_id": "L1"}
    answer = c101.post("/api/v1/proposals", json=fortune)
    refused(answer)
    assert error_of(answer)["field"] == "amount"


@pytest.mark.parametrize("said", [[[1]], [{"a": 1}], [None], ["all", 3]])
def test_consequences_that_are_not_names_are_refused(said: Any, fresh: Any) -> None:
    c101 = fresh().as_("C101")
    call = c101.post("/api/v1/calls", json={"case_id": X}).json()["call_id"]
    steps = [
        ("prepare", None),
        ("confirm_identity", "borrower"),
        ("state_identity", None),
        ("ask_payment_today", "cannot_today"),
        ("learn_reason", ""),
    ]
    for step, value in steps:
        assert (
            c101.post(
                f"/api/v1/calls/{call}/answers", json={"step": step, "value": value}
            ).status_code
            == 200
        )
    answer = c101.post(
        f"/api/v1/calls/{call}/answers", json={"step": "explain_consequences", "value": said}
    )
    refused(answer)
    assert error_of(answer)["key"] == "call.consequences_list"
    assert "请选择已讲明的后果" in error_of(answer)["message"]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_extreme_days_in_queries_and_promises(day: str, scratch: Api) -> None:
    c101 = scratch.as_("C101")
    assert c101.get("/api/v1/queue", params={"date": day}).status_code == 200
    promise = c101.post("/api/v1/promises", json={**PROMISE, "loan_id": "L1", "made_on": day})
    assert promise.status_code < 500, promise.text[:300]
    late = c101.post("/api/v1/promises", json={**PROMISE, "loan_id": "L1", "due": day})
    assert late.status_code < 500, late.text[:300]

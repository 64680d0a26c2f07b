"""Broken access control, the attacker's way: ids the caller may not see, put anywhere.

``test_access.py`` pins who gets 2xx / 403 / 404 on each endpoint. These tables add:

1. **Hidden looks like nothing.** For every user and every case (and its loan) that user
   may not see, every endpoint that takes a case or loan id, in the path or in the body,
   answers exactly as for an id that does not exist: the same status (404, or the role's
   403 that does not depend on the id) and the same body once the ids are swapped. A
   message naming the hidden thing's case, owner or state would tell it exists.
2. **Nothing in the request widens access.** An ``?as=`` / ``?user=`` style parameter, a
   header claiming a user, an id of someone else's loan in a body next to one's own
   case, fields naming who made something: each is ignored or refused, never obeyed.
3. **The borrower sees only their own.** Another borrower's loan, payment, complaint or
   contact is 404 like an unknown one, in the path, the body or the query.

Everything runs on one copy of the world per backend; after every refused request the
watched tables are exactly as before.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from faircollect.adapters.db.engine import make_engine
from tests.web.api.conftest import Api, error_of, morning
from tests.web.api.test_access import ALL, CONTACT_OK, DECISION, PROMISE, VISIBLE, WAIVER
from tests.web.api.world import ROLES, Template, U, W, X, Y, Z
from tests.web.borrower.support import LI, ZHANG, sign_in

LOAN_OF = {X: "L1", Y: "L3", Z: "L4", W: "L5", U: "L6"}
NUMBER_OF = {X: "13800000001", Y: "13800000003", Z: "13800000004", W: "13800000005"}
NO_CASE, NO_LOAN = "C-NONE-20260302", "L-NONE"


@pytest.fixture(scope="module")
def arena(template: Template) -> Iterator[Api]:
    engine = make_engine(template.clone())
    api = Api(engine, morning())
    yield api
    api.close()
    engine.dispose()
    template.drop(str(engine.url))


def swapped(answer: httpx.Response, ids: dict[str, str]) -> tuple[int, str]:
    """The answer's status and body with each hidden id replaced by its stand-in."""
    text = answer.text
    for hidden, stand_in in ids.items():
        text = text.replace(hidden, stand_in)
    return answer.status_code, text


# 1. Hidden looks like nothing ----------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    """A request with ``{case}`` and ``{loan}`` in its path or body."""

    name: str
    method: str
    path: str
    body: Any = None

    def send(self, client: TestClient, case: str, loan: str) -> httpx.Response:
        fill = {"{case}": case, "{loan}": loan}
        path = self.path
        body = json.dumps(self.body) if self.body is not None else None
        for mark, value in fill.items():
            path = path.replace(mark, value)
            body = body.replace(mark, value) if body is not None else None
        return client.request(
            self.method,
            f"/api/v1{path}",
            content=body,
            headers={"content-type": "application/json"} if body is not None else {},
        )


PROBES = [
    Probe("case file", "GET", "/cases/{case}"),
    Probe("contact", "POST", "/cases/{case}/contacts", CONTACT_OK),
    Probe("owner", "PUT", "/cases/{case}/owner", {"to": "C101", "reason": "workload"}),
    Probe("loan", "GET", "/loans/{loan}"),
    Probe("promise", "POST", "/promises", {**PROMISE, "loan_id": "{loan}"}),
    Probe(
        "promise dated",
        "POST",
        "/promises",
        {**PROMISE, "loan_id": "{loan}", "made_on": "2026-03-01"},
    ),
    Probe("proposal", "POST", "/proposals", {**WAIVER, "case_id": "{case}", "loan_id": "{loan}"}),
    Probe("call", "POST", "/calls", {"case_id": "{case}"}),
    Probe("call on loan", "POST", "/calls", {"case_id": "{case}", "loan_id": "{loan}"}),
    Probe("promises of loan", "GET", "/promises?loan_id={loan}"),
    Probe("search case", "GET", "/cases?q={case}"),
    Probe("search loan", "GET", "/cases?q={loan}"),
]

HIDDEN = [
    pytest.param(user, case, id=f"{user}-{case[:4]}")
    for user in ROLES
    for case in sorted(ALL - VISIBLE[user])
]


@pytest.mark.parametrize(("user", "case"), HIDDEN)
def test_a_hidden_case_and_its_loan_answer_as_if_they_did_not_exist(
    user: str, case: str, arena: Api
) -> None:
    client = arena.as_(user)
    loan = LOAN_OF[case]
    before = arena.fingerprint()
    for probe in PROBES:
        hidden = probe.send(client, case, loan)
        none = probe.send(client, NO_CASE, NO_LOAN)
        assert hidden.status_code in (200, 403, 404, 422), (probe.name, hidden.text)
        assert swapped(hidden, {case: NO_CASE, loan: NO_LOAN}) == swapped(none, {}), (
            f"{probe.name}: {hidden.text} vs {none.text}"
        )
    assert arena.fingerprint() == before


def test_the_promise_on_a_hidden_loan_says_no_loan_not_its_case(arena: Api) -> None:
    """Regression (found by the fuzz): the 404 named the loan's case, ``no case 'C-B4…'``."""
    answer = arena.as_("A101").post("/api/v1/promises", json={**PROMISE, "loan_id": "L4"})
    assert answer.status_code == 404
    assert error_of(answer)["message"] == "未找到借据 L4，或您无权查看"


# 2. Nothing in the request widens access -----------------------------------------------

CLAIMS = [
    {"as": "ADMIN"},
    {"user": "ADMIN"},
    {"user_id": "ADMIN"},
    {"actor": "ADMIN"},
    {"role": "admin"},
    {"owner": "C102"},
    {"scope": "all"},
    {"agency_id": "AG01"},
    {"team_id": "T-INTENSIVE"},
]
"""Query parameters an attacker might hope the server reads as "who I am"."""
HEADERS = [
    {"X-User-Id": "ADMIN"},
    {"X-Forwarded-User": "ADMIN"},
    {"X-Remote-User": "ADMIN"},
    {"X-Role": "admin"},
    {"Authorization": "Bearer ADMIN"},
]
READS = ["/cases", "/queue", "/promises", "/proposals", "/me"]


@pytest.mark.parametrize("user", ["C101", "A101", "A201", "S002"])
@pytest.mark.parametrize("path", READS)
def test_claims_in_the_query_or_headers_change_no_answer(user: str, path: str, arena: Api) -> None:
    client = arena.as_(user)
    plain = client.get(f"/api/v1{path}")
    assert plain.status_code == 200
    for claim in CLAIMS:
        answer = client.get(f"/api/v1{path}", params=claim)
        assert (answer.status_code, answer.json()) == (200, plain.json()), claim
    for header in HEADERS:
        answer = client.get(f"/api/v1{path}", headers=header)
        assert (answer.status_code, answer.json()) == (200, plain.json()), header


@pytest.mark.parametrize("user", ["C101", "A101", "S002", "Q001"])
def test_claims_do_not_open_the_audit_trail(user: str, arena: Api) -> None:
    client = arena.as_(user)
    for claim in CLAIMS:
        assert client.get("/api/v1/audit", params=claim).status_code == 404
    for header in HEADERS:
        assert client.get("/api/v1/audit", headers=header).status_code == 404


WHO_FIELDS = ["made_by", "actor", "user_id", "submitted_by", "owner", "role", "as"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (f"/cases/{X}/contacts", CONTACT_OK),
        ("/promises", {**PROMISE, "loan_id": "L1"}),
        ("/proposals", {**WAIVER, "case_id": X, "loan_id": "L1"}),
        ("/calls", {"case_id": X}),
    ],
)
def test_a_body_naming_who_made_it_is_refused(path: str, body: Any, arena: Api) -> None:
    client = arena.as_("C101")
    before = arena.fingerprint()
    for name in WHO_FIELDS:
        answer = client.post(f"/api/v1{path}", json={**body, name: "ADMIN"})
        assert answer.status_code == 422, (name, answer.text)
        assert error_of(answer)["field"] == name
    assert arena.fingerprint() == before


# One's own case, with someone else's loan (or an unknown one) next to it: the same refusal
# either way, and nothing stored.
MIXED = [
    ("C101", "POST", f"/cases/{X}/contacts", {**CONTACT_OK, "loan_id": "{loan}"}, "L3"),
    ("C101", "POST", "/proposals", {**WAIVER, "case_id": X, "loan_id": "{loan}"}, "L4"),
    ("C101", "POST", "/calls", {"case_id": X, "loan_id": "{loan}"}, "L5"),
    (
        "A101",
        "POST",
        f"/cases/{Y}/contacts",
        {**CONTACT_OK, "number": NUMBER_OF[Y]} | {"loan_id": "{loan}"},
        "L1",
    ),
    ("A101", "POST", "/proposals", {**WAIVER, "case_id": Y, "loan_id": "{loan}"}, "L1"),
    ("A101", "POST", "/calls", {"case_id": Y, "loan_id": "{loan}"}, "L2"),
    ("C102", "POST", "/proposals", {**WAIVER, "case_id": Z, "loan_id": "{loan}"}, "L1"),
]


@pytest.mark.parametrize(
    ("user", "method", "path", "body", "other"),
    [pytest.param(*row, id=f"{row[0]}-{row[2]}-{row[4]}") for row in MIXED],
)
def test_someone_elses_loan_beside_ones_own_case_is_refused_like_an_unknown_loan(
    user: str, method: str, path: str, body: Any, other: str, arena: Api
) -> None:
    client = arena.as_(user)
    before = arena.fingerprint()

    def send(loan: str) -> httpx.Response:
        filled = json.loads(json.dumps(body).replace("{loan}", loan))
        return client.request(method, f"/api/v1{path}", json=filled)

    theirs, unknown = send(other), send(NO_LOAN)
    assert theirs.status_code in (404, 422), theirs.text
    assert swapped(theirs, {other: NO_LOAN}) == swapped(unknown, {})
    assert arena.fingerprint() == before


def test_a_decision_cannot_be_made_as_someone_else(arena: Api, template: Template) -> None:
    """C101 may not decide; naming a decider in the body or the query does not help."""
    client = arena.as_("C101")
    before = arena.fingerprint()
    path = f"/api/v1/proposals/{template.world.own_proposal}/decision"
    assert client.post(path, json={**DECISION, "decided_by": "S001"}).status_code == 422
    assert client.post(path, json=DECISION, params={"as": "S001"}).status_code == 403
    assert arena.fingerprint() == before


# 3. The borrower sees only their own ---------------------------------------------------


@pytest.fixture(scope="module")
def borrowers(arena: Api) -> dict[str, Any]:
    """张三 (B1) and 李四 (B2) signed in; 李四 has a payment and a complaint, and B3 was
    called (a contact record with a borrower who is neither of them)."""
    zhang = sign_in(arena.client(), arena.engine, ZHANG)
    li = sign_in(arena.client(), arena.engine, LI)
    intent = li.post("/api/v1/borrower/payments", json={"loan_id": "L2", "amount": "1.00"})
    complaint = li.post("/api/v1/borrower/complaints", json={"text": "催收电话太多"})
    contact = arena.as_("A101").post(
        f"/api/v1/cases/{Y}/contacts", json={**CONTACT_OK, "number": NUMBER_OF[Y]}
    )
    assert intent.status_code == complaint.status_code == contact.status_code == 201
    return {
        "zhang": zhang,
        "li": li,
        "intent": intent.json()["intent_id"],
        "complaint": complaint.json()["complaint_id"],
        "contact": contact.json()["contact_id"],
    }


def test_another_borrowers_things_are_404_like_unknown_ones(borrowers: dict[str, Any]) -> None:
    zhang: TestClient = borrowers["zhang"]
    cases = [
        ("GET", "/borrower/loans/{}", None, "L2"),
        ("GET", "/borrower/loans/{}", None, "L3"),
        ("POST", "/borrower/payments", {"loan_id": "{}", "amount": "1.00"}, "L2"),
        ("POST", "/borrower/plan-requests", {"loan_id": "{}", "months": 3, "reason": "失业"}, "L3"),
        ("POST", "/borrower/complaints", {"text": "骚扰", "loan_id": "{}"}, "L2"),
        (
            "POST",
            "/borrower/complaints",
            {"text": "骚扰", "contact_id": "{}"},
            borrowers["contact"],
        ),
        ("POST", "/borrower/payments/{}/fake-pay", None, borrowers["intent"]),
    ]
    for method, path, body, theirs in cases:

        def send(value: str, path: str = path, body: Any = body, method: str = method) -> Any:
            filled = json.loads(json.dumps(body).replace("{}", value)) if body else None
            return zhang.request(method, f"/api/v1{path.replace('{}', value)}", json=filled)

        answer, unknown = send(theirs), send("NONE-1")
        assert answer.status_code == 404, (path, theirs, answer.text)
        assert swapped(answer, {theirs: "NONE-1"}) == swapped(unknown, {}), (path, answer.text)


def test_a_borrower_lists_only_their_own_whatever_the_query_says(
    borrowers: dict[str, Any],
) -> None:
    zhang: TestClient = borrowers["zhang"]
    for path in ("/loans", "/payments", "/complaints", "/plan-requests", "/me", "/preferences"):
        plain = zhang.get(f"/api/v1/borrower{path}")
        assert plain.status_code == 200
        for claim in ({"borrower_id": "B2"}, {"as": "B2"}, {"phone": LI}, {"loan_id": "L2"}):
            assert zhang.get(f"/api/v1/borrower{path}", params=claim).json() == plain.json()
    loans = zhang.get("/api/v1/borrower/loans").json()["items"]
    assert {loan["loan_id"] for loan in loans} == {"L1"}
    assert zhang.get("/api/v1/borrower/payments").json()["items"] == []
    assert zhang.get("/api/v1/borrower/complaints").json()["items"] == []


def test_a_borrower_session_opens_nothing_of_the_workbench(borrowers: dict[str, Any]) -> None:
    zhang: TestClient = borrowers["zhang"]
    for path in ("/me", "/cases", f"/cases/{X}", "/loans/L1", "/queue", "/audit", "/complaints"):
        assert zhang.get(f"/api/v1{path}").status_code == 401, path
    closing = zhang.post(f"/api/v1/complaints/{borrowers['complaint']}/close", json={"answer": "x"})
    assert closing.status_code == 401

"""The OpenAPI document lists every answer the API gives (found by the fuzzer,
``test_fuzz.py``): each regression below is an answer that was given but not documented,
or documented with a shape it did not have."""

from __future__ import annotations

from typing import Any

import httpx
import jsonschema_rs
import pytest

from tests.web.api.conftest import Api
from tests.web.api.test_access import CONTACT_OK
from tests.web.api.world import X

STATE_CHANGING = ("post", "put", "patch", "delete")
NO_SESSION = {
    "/api/v1/session",
    "/api/v1/borrower/otp",
    "/api/v1/borrower/session",
    "/api/v1/payments/webhook",
}
"""Operations that need no session, hence no CSRF token (signing in; the webhook)."""


@pytest.fixture(scope="module")
def document(shared: Api) -> dict[str, Any]:
    answer = shared.anonymous().get("/api/v1/openapi.json")
    assert answer.status_code == 200
    found: dict[str, Any] = answer.json()
    return found


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]


def conforms(document: dict[str, Any], path: str, method: str, answer: httpx.Response) -> None:
    """``answer`` is documented for the operation, and its body fits the schema given."""
    responses = document["paths"][path][method]["responses"]
    assert str(answer.status_code) in responses, (answer.status_code, sorted(responses))
    schema = responses[str(answer.status_code)]["content"]["application/json"]["schema"]
    validator = jsonschema_rs.validator_for({**schema, "components": document["components"]})
    errors = [e.message for e in validator.iter_errors(answer.json())]
    assert not errors, (errors, answer.json())


def test_every_operation_documents_the_database_being_unavailable(
    document: dict[str, Any],
) -> None:
    assert [(m, p) for m, p, op in operations(document) if "503" not in op["responses"]] == []


def test_every_operation_with_a_body_documents_an_unreadable_body(
    document: dict[str, Any],
) -> None:
    missing = [
        (m, p)
        for m, p, op in operations(document)
        if "requestBody" in op and "400" not in op["responses"]
    ]
    assert missing == []


def test_every_state_changing_operation_behind_a_session_documents_the_csrf_refusal(
    document: dict[str, Any],
) -> None:
    missing = [
        (m, p)
        for m, p, op in operations(document)
        if m in STATE_CHANGING and p not in NO_SESSION and "403" not in op["responses"]
    ]
    assert missing == []


def test_sign_out_without_the_csrf_token_is_a_documented_403(
    shared: Api, document: dict[str, Any]
) -> None:
    client, _ = shared.session_of("C101")
    answer = client.delete("/api/v1/session")
    assert answer.status_code == 403
    conforms(document, "/api/v1/session", "delete", answer)


def test_a_contact_with_a_bad_field_is_a_422_the_document_describes(
    shared: Api, document: dict[str, Any]
) -> None:
    """The 422 of a contact was documented as the gate's denial only (with violations);
    a field that is not understood is the plain error body."""
    answer = shared.as_("C101").post(
        f"/api/v1/cases/{X}/contacts", json={**CONTACT_OK, "channel": "pigeon"}
    )
    assert answer.status_code == 422 and answer.json()["error"]["field"] == "channel"
    conforms(document, "/api/v1/cases/{case_id}/contacts", "post", answer)


def test_a_contact_the_gate_denies_is_a_422_the_document_describes(
    shared: Api, document: dict[str, Any]
) -> None:
    late = {**CONTACT_OK, "at": "2026-03-02T23:00:00+08:00"}
    answer = shared.as_("C101").post(f"/api/v1/cases/{X}/contacts", json=late)
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "denied"
    conforms(document, "/api/v1/cases/{case_id}/contacts", "post", answer)


def test_a_body_that_is_not_utf8_is_a_documented_400(shared: Api, document: dict[str, Any]) -> None:
    answer = shared.as_("C101").post(
        "/api/v1/promises", content=b"\xff\xfe{", headers={"content-type": "application/json"}
    )
    assert answer.status_code == 400
    conforms(document, "/api/v1/promises", "post", answer)

"""``Idempotency-Key`` on the creating POSTs: a retry with the same key creates nothing new
and gets the first answer; the same key on a different request is a 422 naming the header;
the stored answer commits with what it answers or not at all. On SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from faircollect.adapters.db import tables
from faircollect.adapters.db.repositories.audit import AuditRepository
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.services.audit import verify_chain
from tests.web.api.conftest import Api, error_of
from tests.web.api.test_access import CONTACT_OK, PROMISE, WAIVER
from tests.web.api.world import X

KEY = "Idempotency-Key"

CREATING = [
    ("contact", f"/api/v1/cases/{X}/contacts", CONTACT_OK, tables.contact_records),
    ("promise", "/api/v1/promises", {**PROMISE, "loan_id": "L1"}, tables.promises),
    ("proposal", "/api/v1/proposals", {**WAIVER, "case_id": X, "loan_id": "L1"}, tables.proposals),
    ("call", "/api/v1/calls", {"case_id": X}, tables.call_sessions),
]
"""(name, path, body, the table a new row lands in): C101 may do each on case X."""


def count(api: Api, table: Any) -> int:
    with api.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def audit_entries(api: Api) -> int:
    return count(api, tables.audit_log)


def chain_intact(api: Api) -> bool:
    with UnitOfWork(api.engine) as uow:
        return verify_chain(uow).intact


@pytest.mark.parametrize(("name", "path", "body", "table"), CREATING, ids=[c[0] for c in CREATING])
def test_a_retry_with_the_same_key_creates_nothing_and_gets_the_first_answer(
    name: str, path: str, body: dict[str, Any], table: Any, fresh: Callable[[], Api]
) -> None:
    api = fresh()
    c101 = api.as_("C101")
    rows, entries = count(api, table), audit_entries(api)
    first = c101.post(path, json=body, headers={KEY: f"retry-{name}-1"})
    assert first.status_code == 201, first.text
    assert "Idempotent-Replayed" not in first.headers
    assert count(api, table) == rows + 1
    made = audit_entries(api)
    assert made > entries  # the change is audited
    before = api.fingerprint()

    again = c101.post(path, json=body, headers={KEY: f"retry-{name}-1"})

    assert again.status_code == 201
    assert again.json() == first.json()  # the same id: the thing the first request made
    assert again.headers["Idempotent-Replayed"] == "true"
    assert api.fingerprint() == before and count(api, table) == rows + 1
    assert audit_entries(api) == made  # a replay is not a change
    assert chain_intact(api)


def test_the_same_body_reserialised_is_the_same_request(fresh: Callable[[], Api]) -> None:
    """Key order and spacing do not make a different request."""
    api = fresh()
    c101 = api.as_("C101")
    body = {**PROMISE, "loan_id": "L1"}
    first = c101.post("/api/v1/promises", json=body, headers={KEY: "k-order"})
    assert first.status_code == 201, first.text
    reordered = "{ " + ", ".join(f'"{k}": "{v}"' for k, v in reversed(body.items())) + " }"
    again = c101.post(
        "/api/v1/promises",
        content=reordered.encode(),
        headers={KEY: "k-order", "content-type": "application/json"},
    )
    assert again.status_code == 201 and again.json() == first.json()
    assert count(api, tables.promises) == 2  # the world's promise and this one


def test_without_a_key_every_post_creates(fresh: Callable[[], Api]) -> None:
    """What the key protects against: two identical POSTs without it are two promises."""
    api = fresh()
    c101 = api.as_("C101")
    body = {**PROMISE, "loan_id": "L1"}
    first = c101.post("/api/v1/promises", json=body)
    second = c101.post("/api/v1/promises", json=body)
    assert first.status_code == second.status_code == 201, second.text
    assert first.json()["promise_id"] != second.json()["promise_id"]


def test_the_same_key_with_a_different_body_is_refused_naming_the_header(
    fresh: Callable[[], Api],
) -> None:
    api = fresh()
    c101 = api.as_("C101")
    body = {**PROMISE, "loan_id": "L1"}
    assert c101.post("/api/v1/promises", json=body, headers={KEY: "k1"}).status_code == 201
    before, entries = api.fingerprint(), audit_entries(api)

    other = c101.post("/api/v1/promises", json={**body, "amount": "301.00"}, headers={KEY: "k1"})

    assert other.status_code == 422, other.text
    error = error_of(other)
    assert error["code"] == "idempotency_key_reused"
    assert error["field"] == "Idempotency-Key"
    assert "Idempotency-Key" in error["message"]
    assert api.fingerprint() == before and audit_entries(api) == entries


def test_the_same_key_on_another_endpoint_is_a_different_request(
    fresh: Callable[[], Api],
) -> None:
    api = fresh()
    c101 = api.as_("C101")
    assert c101.post("/api/v1/calls", json={"case_id": X}, headers={KEY: "k2"}).status_code == 201
    other = c101.post(
        "/api/v1/proposals", json={**WAIVER, "case_id": X, "loan_id": "L1"}, headers={KEY: "k2"}
    )
    assert other.status_code == 422 and error_of(other)["field"] == "Idempotency-Key"


def test_keys_are_each_users_own(fresh: Callable[[], Api]) -> None:
    """S001 sending the key C101 used makes S001's own promise, not a replay of C101's."""
    api = fresh()
    body = {**PROMISE, "loan_id": "L1"}
    mine = api.as_("C101").post("/api/v1/promises", json=body, headers={KEY: "shared-key"})
    theirs = api.as_("S001").post("/api/v1/promises", json=body, headers={KEY: "shared-key"})
    assert mine.status_code == theirs.status_code == 201, theirs.text
    assert "Idempotent-Replayed" not in theirs.headers
    assert mine.json()["promise_id"] != theirs.json()["promise_id"]


def test_a_key_survives_signing_in_again(fresh: Callable[[], Api]) -> None:
    """The key is the user's, not the session's: a retry from a new session replays."""
    api = fresh()
    body = {**PROMISE, "loan_id": "L1"}
    first = api.as_("C101").post("/api/v1/promises", json=body, headers={KEY: "k3"})
    client, token = api.session_of("C101")
    again = client.post("/api/v1/promises", json=body, headers={KEY: "k3", "X-CSRF-Token": token})
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"


def test_a_refused_request_stores_no_key(fresh: Callable[[], Api]) -> None:
    """A refusal created nothing: its key is not spent, and the same request once
    acceptable (here: the case id corrected) goes through with it."""
    api = fresh()
    c101 = api.as_("C101")
    refused = c101.post("/api/v1/calls", json={"case_id": "C-NOPE"}, headers={KEY: "k4"})
    assert refused.status_code == 404
    assert count(api, tables.idempotency_keys) == 0
    retried = c101.post("/api/v1/calls", json={"case_id": "C-NOPE"}, headers={KEY: "k4"})
    assert retried.status_code == 404 and "Idempotent-Replayed" not in retried.headers
    made = c101.post("/api/v1/calls", json={"case_id": X}, headers={KEY: "k4"})
    assert made.status_code == 201, made.text


@pytest.mark.parametrize("key", ["", "x" * 256, "café", "two words"])
def test_a_malformed_key_is_a_422_naming_the_header(key: str, fresh: Callable[[], Api]) -> None:
    api = fresh()
    before = api.fingerprint()
    answer = api.as_("C101").post(
        "/api/v1/promises",
        json={**PROMISE, "loan_id": "L1"},
        headers={KEY: key.encode()},
    )
    assert answer.status_code == 422, answer.text
    assert error_of(answer)["field"] == "Idempotency-Key"
    assert api.fingerprint() == before


def test_the_key_needs_a_session_like_the_request(shared: Api) -> None:
    answer = shared.anonymous().post(
        "/api/v1/promises", json={**PROMISE, "loan_id": "L1"}, headers={KEY: "k5"}
    )
    assert answer.status_code == 401


def test_the_answer_and_the_record_commit_together(
    fresh: Callable[[], Api], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure after the contact and its key are written, just before commit (the audit
    flush raises): neither the contact nor the key is stored, the chain verifies, and the
    client's retry with the same key creates the contact once."""
    api = fresh()
    c101 = api.as_("C101")
    contacts, entries = count(api, tables.contact_records), audit_entries(api)
    real_flush = AuditRepository.flush

    def broken(self: AuditRepository) -> Any:
        if self.pending:
            raise RuntimeError("injected: the process dies before commit")
        return real_flush(self)

    monkeypatch.setattr(AuditRepository, "flush", broken)
    failed = c101.post(f"/api/v1/cases/{X}/contacts", json=CONTACT_OK, headers={KEY: "k6"})
    assert failed.status_code == 500 and error_of(failed)["code"] == "internal"
    assert count(api, tables.contact_records) == contacts
    assert count(api, tables.idempotency_keys) == 0
    assert audit_entries(api) == entries and chain_intact(api)

    monkeypatch.setattr(AuditRepository, "flush", real_flush)
    retried = c101.post(f"/api/v1/cases/{X}/contacts", json=CONTACT_OK, headers={KEY: "k6"})
    assert retried.status_code == 201, retried.text
    assert count(api, tables.contact_records) == contacts + 1
    assert count(api, tables.idempotency_keys) == 1 and chain_intact(api)


def test_two_requests_with_one_key_at_once_create_one_thing(fresh: Callable[[], Api]) -> None:
    """Two sessions of C101 send the same promise with one key at the same moment: one
    promise is stored, and both get its answer."""
    api = fresh()
    body = {**PROMISE, "loan_id": "L1"}
    promises = count(api, tables.promises)
    sessions = [api.session_of("C101") for _ in range(2)]
    start = threading.Barrier(2)
    answers: list[httpx.Response] = []

    def send(client: Any, token: str) -> None:
        start.wait()
        answers.append(
            client.post("/api/v1/promises", json=body, headers={KEY: "k7", "X-CSRF-Token": token})
        )

    threads = [threading.Thread(target=send, args=s) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [201, 201], [a.text for a in answers]
    assert answers[0].json() == answers[1].json()
    assert count(api, tables.promises) == promises + 1
    assert chain_intact(api)


def test_the_openapi_document_offers_the_header_on_creating_posts(shared: Api) -> None:
    paths = shared.anonymous().get("/api/v1/openapi.json").json()["paths"]

    def headers(method: str, path: str) -> list[str]:
        parameters = paths[path][method].get("parameters", [])
        return [p["name"] for p in parameters if p["in"] == "header"]

    for method, path in [
        ("post", "/api/v1/cases/{case_id}/contacts"),
        ("post", "/api/v1/promises"),
        ("post", "/api/v1/proposals"),
        ("post", "/api/v1/calls"),
        ("post", "/api/v1/calls/{call_id}/finish"),
        ("post", "/api/v1/borrower/payments"),
        ("post", "/api/v1/borrower/complaints"),
        ("post", "/api/v1/borrower/plan-requests"),
    ]:
        assert headers(method, path) == ["Idempotency-Key"], (method, path)
    assert "Idempotency-Key" not in headers("get", "/api/v1/promises")
    assert "Idempotency-Key" not in headers("post", "/api/v1/proposals/{proposal_id}/decision")

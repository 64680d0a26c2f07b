"""Signing in to the borrower portal with a code from the outbox (issue 13): 202 for any
number, the code hashed, 5 minutes, 1 a minute and 5 an hour per number, 5 wrong tries
void it, used once; the cookie is the portal's own, HttpOnly; CSRF on changes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from faircollect.adapters.db.tables import borrower_codes, outbox
from tests.web.borrower.support import LI, ZHANG, last_code, sign_in
from tests.web.conftest import Clock

Portal = Callable[[], TestClient]


def ask(client: TestClient, phone: str) -> int:
    return client.post("/api/v1/borrower/otp", json={"phone": phone}).status_code


def test_a_code_goes_to_a_borrower_through_the_outbox_and_is_stored_hashed(
    portal: Portal, db_engine: Engine
) -> None:
    client = portal()
    answer = client.post("/api/v1/borrower/otp", json={"phone": ZHANG})
    assert answer.status_code == 202
    code = last_code(db_engine, ZHANG)
    assert code is not None and len(code) == 6
    with db_engine.connect() as conn:
        stored = conn.execute(select(borrower_codes.c.code_hash)).scalars().all()
        sms = [m for m in conn.execute(select(outbox)) if m.recipient == ZHANG]  # sealed
    assert len(stored) == 1 and code not in stored[0] and stored[0].startswith("$argon2")
    assert [(m.channel, m.status) for m in sms] == [("sms", "queued")]


def test_an_unknown_number_gets_the_same_answer_and_no_message(
    portal: Portal, db_engine: Engine
) -> None:
    client = portal()
    known = client.post("/api/v1/borrower/otp", json={"phone": ZHANG})
    unknown = client.post("/api/v1/borrower/otp", json={"phone": "13999999999"})
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    assert last_code(db_engine, "13999999999") is None
    # and no code ever signs anyone in on it
    for guess in ("000000", "123456"):
        tried = client.post(
            "/api/v1/borrower/session", json={"phone": "13999999999", "code": guess}
        )
        assert tried.status_code == 401


def test_sign_in_gives_an_http_only_borrower_cookie_and_the_own_loans(
    portal: Portal, db_engine: Engine
) -> None:
    client = portal()
    client.post("/api/v1/borrower/otp", json={"phone": ZHANG})
    code = last_code(db_engine, ZHANG)
    answer = client.post("/api/v1/borrower/session", json={"phone": ZHANG, "code": code})
    assert answer.status_code == 200
    body = answer.json()
    assert body["borrower_id"] == "B1" and body["csrf_token"]
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("fc_borrower=") and "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    loans = client.get("/api/v1/borrower/loans")
    assert [item["loan_id"] for item in loans.json()["items"]] == ["L1"]


def test_a_code_is_used_once(portal: Portal, db_engine: Engine) -> None:
    client = portal()
    sign_in(client, db_engine, ZHANG)
    code = last_code(db_engine, ZHANG)
    replayed = portal().post("/api/v1/borrower/session", json={"phone": ZHANG, "code": code})
    assert replayed.status_code == 401
    assert replayed.json()["error"]["code"] == "unauthenticated"


def test_a_code_expires_after_5_minutes(portal: Portal, db_engine: Engine, clock: Clock) -> None:
    client = portal()
    assert ask(client, ZHANG) == 202
    code = last_code(db_engine, ZHANG)
    clock.moment += timedelta(minutes=5, seconds=1)
    late = client.post("/api/v1/borrower/session", json={"phone": ZHANG, "code": code})
    assert late.status_code == 401


def test_a_code_still_works_just_before_5_minutes(
    portal: Portal, db_engine: Engine, clock: Clock
) -> None:
    client = portal()
    assert ask(client, ZHANG) == 202
    code = last_code(db_engine, ZHANG)
    clock.moment += timedelta(minutes=4, seconds=59)
    ok = client.post("/api/v1/borrower/session", json={"phone": ZHANG, "code": code})
    assert ok.status_code == 200


def test_five_wrong_tries_void_the_code(portal: Portal, db_engine: Engine) -> None:
    client = portal()
    assert ask(client, ZHANG) == 202
    code = last_code(db_engine, ZHANG)
    assert code is not None
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        tried = client.post("/api/v1/borrower/session", json={"phone": ZHANG, "code": wrong})
        assert tried.status_code == 401
    right = client.post("/api/v1/borrower/session", json={"phone": ZHANG, "code": code})
    assert right.status_code == 401


def test_four_wrong_tries_leave_the_code_usable(portal: Portal, db_engine: Engine) -> None:
    client = portal()
    assert ask(client, ZHANG) == 202
    code = last_code(db_engine, ZHANG)
    assert code is not None
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(4):
        client.post("/api/v1/borrower/session", json={"phone": ZHANG, "code": wrong})
    right = client.post("/api/v1/borrower/session", json={"phone": ZHANG, "code": code})
    assert right.status_code == 200


def test_one_code_a_minute_and_five_an_hour_per_number(
    portal: Portal, db_engine: Engine, clock: Clock
) -> None:
    client = portal()
    assert ask(client, ZHANG) == 202
    again = client.post("/api/v1/borrower/otp", json={"phone": ZHANG})
    assert again.status_code == 429 and 1 <= int(again.headers["Retry-After"]) <= 60
    assert ask(client, LI) == 202  # another number is not held up
    for _ in range(4):
        clock.moment += timedelta(seconds=61)
        assert ask(client, ZHANG) == 202
    clock.moment += timedelta(seconds=61)
    sixth = client.post("/api/v1/borrower/otp", json={"phone": ZHANG})
    assert sixth.status_code == 429
    assert int(sixth.headers["Retry-After"]) > 60
    with db_engine.connect() as conn:
        sent = [m for m in conn.execute(select(outbox)) if m.recipient == ZHANG]
    assert len(sent) == 5
    clock.moment += timedelta(hours=1)
    assert ask(client, ZHANG) == 202


def test_an_unknown_number_is_limited_alike(portal: Portal) -> None:
    client = portal()
    assert ask(client, "13999999999") == 202
    assert ask(client, "13999999999") == 429


def test_a_new_code_voids_the_one_before(portal: Portal, db_engine: Engine, clock: Clock) -> None:
    client = portal()
    assert ask(client, ZHANG) == 202
    first = last_code(db_engine, ZHANG)
    clock.moment += timedelta(seconds=61)
    assert ask(client, ZHANG) == 202
    second = last_code(db_engine, ZHANG)
    if first != second:
        old = client.post("/api/v1/borrower/session", json={"phone": ZHANG, "code": first})
        assert old.status_code == 401
    new = client.post("/api/v1/borrower/session", json={"phone": ZHANG, "code": second})
    assert new.status_code == 200


def test_bad_input_names_the_field(portal: Portal) -> None:
    client = portal()
    for body, field in (
        ({"phone": "call me"}, "phone"),
        ({}, "phone"),
        ({"phone": ZHANG, "extra": 1}, "extra"),
    ):
        answer = client.post("/api/v1/borrower/otp", json=body)
        assert answer.status_code == 422, body
        assert answer.json()["error"]["field"] == field
    bad = client.post("/api/v1/borrower/session", json={"phone": ZHANG})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "code"
    junk = client.post(
        "/api/v1/borrower/otp", content=b"\xff", headers={"content-type": "application/json"}
    )
    assert junk.status_code in (400, 422)


def test_without_a_session_nothing_is_shown(portal: Portal) -> None:
    client = portal()
    for path in ("/api/v1/borrower/loans", "/api/v1/borrower/loans/L1", "/api/v1/borrower/me"):
        assert client.get(path).status_code == 401


def test_a_workbench_session_does_not_open_the_portal_nor_the_reverse(
    portal: Portal, db_engine: Engine, signed_in: Callable[[str], TestClient]
) -> None:
    c101 = signed_in("C101")
    assert c101.get("/api/v1/borrower/loans").status_code == 401
    borrower = sign_in(portal(), db_engine, ZHANG)
    assert borrower.get("/api/v1/me").status_code == 401
    assert borrower.get("/api/v1/cases").status_code == 401


def test_changes_need_the_csrf_token(portal: Portal, db_engine: Engine) -> None:
    client = sign_in(portal(), db_engine, ZHANG)
    token = client.headers.pop("X-CSRF-Token")
    no_token = client.post("/api/v1/borrower/complaints", json={"text": "他们骂我"})
    assert no_token.status_code == 403
    client.headers["X-CSRF-Token"] = token
    assert client.post("/api/v1/borrower/complaints", json={"text": "他们骂我"}).status_code == 201


def test_sign_out_ends_the_session(portal: Portal, db_engine: Engine) -> None:
    client = sign_in(portal(), db_engine, ZHANG)
    assert client.delete("/api/v1/borrower/session").status_code == 204
    assert client.get("/api/v1/borrower/loans").status_code == 401

"""Every endpoint, role by role: who gets 2xx, 403 or 404, on SQLite and PostgreSQL.

One row per request (endpoint and target); its expectation is a status for each of the
nine users in ``world.ROLES``. A new endpoint is one more row. The rules the rows spell out:

- a collector sees and acts on only their own cases; a supervisor their team's, cases
  nobody owns and cases placed with agencies; an agency user only the cases placed with
  their agency; QA and compliance read everything and change nothing (403 on any write);
- a case, loan, proposal or call the user may not see is a 404, never a 403 (a 403 only
  says the role may never do this, whatever the id);
- proposals are decided only by supervisors and admins, never by the one who proposed.

A request expected to succeed and change something runs on its own copy of the world; the
rest share one copy, and a refused write must leave it exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select

from faircollect.adapters.db import tables
from tests.web.api.conftest import Api, error_of
from tests.web.api.world import (
    COLLEAGUE_PHONE,
    EMERGENCY_PHONE,
    ROLES,
    U,
    W,
    World,
    X,
    Y,
    Z,
)

ALL = frozenset({X, Y, Z, W, U})
VISIBLE: dict[str, frozenset[str]] = {
    "C101": frozenset({X}),
    "C102": frozenset({Z}),
    "S001": frozenset({X, Y, Z, U}),
    "S002": frozenset({Y, W, U}),
    "A101": frozenset({Y}),
    "A201": frozenset(),
    "Q001": ALL,
    "K001": ALL,
    "ADMIN": ALL,
}
"""The cases each user may see on the world's day: the heart of every row below."""

READ_ONLY = frozenset({"Q001", "K001"})
SEE_FULL_ID = frozenset({"S001", "S002", "K001", "ADMIN"})
DECIDERS = frozenset({"S001", "S002", "ADMIN"})
"""Supervisors and admins: the only ones who decide proposals or hand cases over."""

Check = Callable[[str, Any, Api, World], None]


@dataclass(frozen=True)
class Row:
    name: str
    method: str
    path: str
    expect: dict[str, int]
    body: Any = None
    params: dict[str, str] = field(default_factory=dict)
    check: Check | None = None
    own_session: bool = False
    """Sent from a session of its own on the shared copy (signing out ends only that one,
    and changes no watched table), instead of on a copy of the world."""
    """Checks a 2xx answer: (user, its JSON, or the client when it has no body, the api,
    the world's ids)."""


def by_user(default: int, **given: int) -> dict[str, int]:
    assert set(given) <= set(ROLES), given
    return {user: given.get(user, default) for user in ROLES}


def reads(case_id: str) -> dict[str, int]:
    """200 for whoever may see the case, 404 for everyone else."""
    return {user: 200 if case_id in VISIBLE[user] else 404 for user in ROLES}


def writes(case_id: str, ok: int = 201) -> dict[str, int]:
    """Acting on a case: 404 unless the user sees it, then 403 for QA and compliance."""
    return {
        user: 404 if case_id not in VISIBLE[user] else 403 if user in READ_ONLY else ok
        for user in ROLES
    }


def decides(case_id: str, proposer: str) -> dict[str, int]:
    """Deciding a proposal on the case: 403 for roles that never decide and for its
    proposer, 404 for a supervisor who may not see the case."""
    return {
        user: 403
        if user not in DECIDERS or user == proposer
        else 200
        if case_id in VISIBLE[user]
        else 404
        for user in ROLES
    }


# Body checks ----------------------------------------------------------------------------


def is_me(user: str, body: Any, api: Api, world: World) -> None:
    roles = {"C": "collector", "S": "supervisor", "A": "agency", "Q": "qa", "K": "compliance"}
    assert body["user_id"] == user
    assert body["role"] == ("admin" if user == "ADMIN" else roles[user[0]])


def audit_listed(user: str, body: Any, api: Api, world: World) -> None:
    """The world's own changes (made through the use cases) are in the trail."""
    assert {"case.placed", "proposal.submitted", "promise.made"} <= {
        e["action"] for e in body["items"]
    }


def lists_visible(user: str, body: Any, api: Api, world: World) -> None:
    assert {c["case_id"] for c in body["items"]} == VISIBLE[user]
    assert body["total"] == len(VISIBLE[user])


def queue_within_scope(user: str, body: Any, api: Api, world: World) -> None:
    cases = {i["case_id"] for i in body["items"]}
    assert cases <= VISIBLE[user], cases - VISIBLE[user]
    if user in ("C101", "S001"):
        # the promise C101 took falls due on 9 Mar, not today: nothing of X is due yet
        assert X not in cases


def masked_as_role(user: str, body: Any, api: Api, world: World) -> None:
    """ID number whole for supervisors, compliance and admins, ``1101**********1234``
    for collectors, agency users and QA; only callable (emergency) contacts' phones in
    full for them."""
    number = body["borrower"]["id_number"]
    if user in SEE_FULL_ID:
        assert "*" not in number and len(number) == 18
    else:
        assert number[:4] == "1101" and number[4:14] == "*" * 10 and number[14:].isdigit()
    phones = {c["relation"]: c["phone"] for c in body["contacts"]}
    assert phones["父亲"] == EMERGENCY_PHONE
    colleague = COLLEAGUE_PHONE if user in SEE_FULL_ID else "139****0012"
    assert phones["同事"] == colleague


def contact_stored(user: str, body: Any, api: Api, world: World) -> None:
    with api.engine.connect() as conn:
        stored = conn.execute(
            select(tables.contact_records).where(
                tables.contact_records.c.record_id == body["contact_id"]
            )
        ).one()
    assert stored.actor == user


def promise_of(loan_id: str) -> Check:
    def check(user: str, body: Any, api: Api, world: World) -> None:
        assert (body["loan_id"], body["made_by"], body["status"]) == (loan_id, user, "open")

    return check


def promises_visible(user: str, body: Any, api: Api, world: World) -> None:
    expected = {world.promise} if X in VISIBLE[user] else set()
    assert {p["promise_id"] for p in body["items"]} == expected


def proposals_visible(user: str, body: Any, api: Api, world: World) -> None:
    expected = {world.proposal, world.own_proposal} if X in VISIBLE[user] else set()
    assert {p["proposal_id"] for p in body["items"]} == expected


def proposal_pending(user: str, body: Any, api: Api, world: World) -> None:
    assert (body["status"], body["submitted_by"]) == ("pending", user)


def approved_by(user: str, body: Any, api: Api, world: World) -> None:
    assert (body["status"], body["decided_by"]) == ("approved", user)


def owned_by(owner: str) -> Check:
    def check(user: str, body: Any, api: Api, world: World) -> None:
        assert body["owner"] == owner

    return check


def loan_of(case_id: str) -> Check:
    def check(user: str, body: Any, api: Api, world: World) -> None:
        assert body["case_id"] == case_id

    return check


def call_on(case_id: str) -> Check:
    def check(user: str, body: Any, api: Api, world: World) -> None:
        assert body["case_id"] == case_id and body["prompt"]["step"] == "prepare"

    return check


def signed_out(user: str, client: Any, api: Api, world: World) -> None:
    """The session that signed out is over; the user's other sessions are not."""
    assert client.get("/api/v1/me").status_code == 401
    assert api.as_(user).get("/api/v1/me").status_code == 200


# The table -------------------------------------------------------------------------------

CONTACT = {"channel": "call", "party": "borrower", "number": "13800000001"}
CONTACT_OK = {**CONTACT, "outcome": "no_answer", "at": "2026-03-02T10:05:00+08:00"}
WAIVER = {"kind": "waiver", "component": "penalty", "amount": "1.00"}
PROMISE = {"amount": "300.00", "due": "2026-03-09"}
DECISION = {"approve": True, "reason": "hardship documented"}
REASSIGN = {"to": "C102", "reason": "workload"}
GATE_ITEM = {
    "id": "a1",
    "channel": "call",
    "party": "borrower",
    "purpose": "collect",
    "at": "2026-03-02T10:00:00+08:00",
    "phone": "13800000001",
    "recorded": True,
}

ROWS = [
    Row("me", "GET", "/me", by_user(200), check=is_me),
    Row("queue", "GET", "/queue", by_user(200), check=queue_within_scope),
    Row("cases", "GET", "/cases", by_user(200), check=lists_visible),
    Row("case X", "GET", "/cases/{X}", reads(X), check=masked_as_role),
    Row("case Y (AG01)", "GET", "/cases/{Y}", reads(Y), check=masked_as_role),
    Row("case Z", "GET", "/cases/{Z}", reads(Z)),
    Row("case W", "GET", "/cases/{W}", reads(W)),
    Row("case U", "GET", "/cases/{U}", reads(U)),
    Row("case none", "GET", "/cases/C-NOPE-20260302", by_user(404)),
    Row("loan L1", "GET", "/loans/L1", reads(X), check=loan_of(X)),
    Row("loan L3", "GET", "/loans/L3", reads(Y), check=loan_of(Y)),
    Row("loan L2 (no case)", "GET", "/loans/L2", by_user(404, Q001=200, K001=200, ADMIN=200)),
    Row("loan none", "GET", "/loans/L-NOPE", by_user(404)),
    Row("contact X", "POST", "/cases/{X}/contacts", writes(X), CONTACT_OK, check=contact_stored),
    Row(
        "contact Y",
        "POST",
        "/cases/{Y}/contacts",
        writes(Y),
        {**CONTACT_OK, "number": "13800000003"},
        check=contact_stored,
    ),
    Row("contact none", "POST", "/cases/C-NOPE/contacts", by_user(404), CONTACT_OK),
    Row(
        "owner X",
        "PUT",
        "/cases/{X}/owner",
        by_user(403, S001=200, S002=404, ADMIN=200),
        REASSIGN,
        check=owned_by("C102"),
    ),
    Row(
        "owner U",
        "PUT",
        "/cases/{U}/owner",
        by_user(403, S001=200, S002=422, ADMIN=200),
        REASSIGN,
        check=owned_by("C102"),
    ),
    Row(
        "owner Y (placed)",
        "PUT",
        "/cases/{Y}/owner",
        by_user(403, **dict.fromkeys(DECIDERS, 422)),
        REASSIGN,
    ),
    Row(
        "owner none",
        "PUT",
        "/cases/C-NOPE/owner",
        by_user(403, **dict.fromkeys(DECIDERS, 404)),
        REASSIGN,
    ),
    Row("audit", "GET", "/audit", by_user(404, K001=200, ADMIN=200), check=audit_listed),
    Row("promises", "GET", "/promises", by_user(200), check=promises_visible),
    Row(
        "promises of L1",
        "GET",
        "/promises",
        by_user(200),
        params={"loan_id": "L1"},
        check=promises_visible,
    ),
    Row(
        "promise L1",
        "POST",
        "/promises",
        writes(X),
        {**PROMISE, "loan_id": "L1"},
        check=promise_of("L1"),
    ),
    Row(
        "promise L3",
        "POST",
        "/promises",
        writes(Y),
        {**PROMISE, "loan_id": "L3"},
        check=promise_of("L3"),
    ),
    Row(
        "promise L2 (no case)",
        "POST",
        "/promises",
        by_user(404, S001=201, S002=201, ADMIN=201, Q001=403, K001=403),
        {**PROMISE, "loan_id": "L2"},
        check=promise_of("L2"),
    ),
    Row(
        "promise none",
        "POST",
        "/promises",
        by_user(404, Q001=403, K001=403),
        {**PROMISE, "loan_id": "L-NOPE"},
    ),
    Row("proposals", "GET", "/proposals", by_user(200), check=proposals_visible),
    Row(
        "proposal X",
        "POST",
        "/proposals",
        writes(X),
        {**WAIVER, "case_id": X, "loan_id": "L1"},
        check=proposal_pending,
    ),
    Row(
        "proposal Y",
        "POST",
        "/proposals",
        writes(Y),
        {**WAIVER, "case_id": Y, "loan_id": "L3"},
        check=proposal_pending,
    ),
    Row(
        "decide C101's",
        "POST",
        "/proposals/{proposal}/decision",
        decides(X, "C101"),
        DECISION,
        check=approved_by,
    ),
    Row(
        "decide S001's",
        "POST",
        "/proposals/{own_proposal}/decision",
        decides(X, "S001"),
        DECISION,
        check=approved_by,
    ),
    Row("decide none", "POST", "/proposals/PR-NOPE/decision", decides("none", ""), DECISION),
    Row("check-action", "POST", "/check-action", by_user(200), [GATE_ITEM]),
    Row("screen", "POST", "/screen", by_user(200), [{"id": 1, "text": "请按时还款"}]),
    Row("call X", "POST", "/calls", writes(X), {"case_id": X}, check=call_on(X)),
    Row("call Y", "POST", "/calls", writes(Y), {"case_id": Y}, check=call_on(Y)),
    Row("call none", "POST", "/calls", by_user(404, Q001=403, K001=403), {"case_id": "C-NOPE"}),
    Row("C101's call", "GET", "/calls/{call}", by_user(404, C101=200)),
    Row(
        "answer C101's call",
        "POST",
        "/calls/{call}/answers",
        by_user(404, C101=200),
        {"step": "prepare", "value": None},
    ),
    Row("finish C101's call (not ended)", "POST", "/calls/{call}/finish", by_user(404, C101=422)),
    Row("sign out", "DELETE", "/session", by_user(204), check=signed_out, own_session=True),
]
"""Each row runs once per user in ``ROLES`` on each backend."""


def path_of(row: Row, world: World) -> str:
    ids = {"X": X, "Y": Y, "Z": Z, "W": W, "U": U}
    return "/api/v1" + row.path.format(**ids, **vars_of(world))


def vars_of(world: World) -> dict[str, str]:
    return {name: getattr(world, name) for name in World.__slots__}


CASES = [pytest.param(row, user, id=f"{row.name}-{user}") for row in ROWS for user in ROLES]


@pytest.mark.parametrize(("row", "user"), CASES)
def test_endpoint_by_role(
    row: Row, user: str, shared: Api, fresh: Callable[[], Api], template: Any
) -> None:
    expected = row.expect[user]
    changes = row.method != "GET" and expected < 300 and not row.own_session
    api = fresh() if changes else shared
    before = api.fingerprint() if row.method != "GET" else None
    client = api.as_(user)
    if row.own_session:
        client, token = api.session_of(user)
        client.headers["X-CSRF-Token"] = token
    answer = client.request(
        row.method, path_of(row, template.world), json=row.body, params=row.params
    )
    assert answer.status_code == expected, answer.text
    if expected >= 400:
        error = error_of(answer)
        assert error["code"] == {403: "forbidden", 404: "not_found"}.get(expected, error["code"])
        if before is not None:
            assert api.fingerprint() == before, "a refused request changed the database"
    elif row.check is not None:
        row.check(user, answer.json() if answer.content else client, api, template.world)

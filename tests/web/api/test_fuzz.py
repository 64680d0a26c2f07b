"""Schemathesis fuzzes the JSON API against its own OpenAPI document, as every role.

For each user of ``world.ROLES``, 张三 signed in to the portal (``borrower``) and nobody
(``anonymous``), every operation that user could call is sent requests generated from
the document: valid ones (half of them with the world's real case, loan, proposal, call,
complaint and payment ids put in the path and body, so the fuzzer gets past 404) and
invalid ones (wrong types, missing fields, malformed bodies). Every answer must be:

- no 5xx;
- a status the document lists for the operation;
- of the content type the document gives for that status;
- valid against the document's schema for that status;
- for an invalid request, a refusal (4xx).

The budget is bounded (``FUZZ_EXAMPLES`` valid and ``FUZZ_NEGATIVE`` invalid requests per
operation and user, overridable by the environment variables of the same names) and the
generation is derandomized, so a run is deterministic and stays within about a minute on
SQLite. Every failure of a user's run is collected and reported together.
"""

from __future__ import annotations

import os
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from faircollect.adapters.db.engine import make_engine
from faircollect.services import auth
from tests.web.api.conftest import Api, morning
from tests.web.api.world import CHEAP, ROLES, Template, U, W, X, Y, Z
from tests.web.borrower.support import ZHANG, sign_in

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import schemathesis
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        negative_data_rejection,
        response_schema_conformance,
        status_code_conformance,
    )

pytestmark = pytest.mark.slow

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
FUZZ_NEGATIVE = int(os.environ.get("FUZZ_NEGATIVE", "5"))
USERS = (*ROLES, "borrower", "anonymous")
NEGATIVE_USERS = frozenset({"ADMIN", "borrower", "anonymous"})
"""Invalid requests are sent as these three only: input is read before anything depends
on who sends it, and generating invalid requests is the slow part (most drafts are
thrown away)."""

POSTGRESQL_USERS = frozenset({"C101", "S001", "ADMIN", "borrower", "anonymous"})
"""On PostgreSQL only these fuzz: every workbench operation is still sent there (each
workbench user is sent all of them), the collector and the supervisor get past the
permission checks of the daily work and its approvals into the storage, the borrower
reaches the portal, nobody the sign-in doors. What differs between the backends is
storage, not who may do what, and each of the nine roles is fuzzed on SQLite."""

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
NEGATIVE_CHECKS = [*CHECKS, negative_data_rejection]

ANONYMOUS_ONLY = frozenset(
    {
        "POST /api/v1/session",  # signing in: the same for everyone, and argon2 is slow
        "POST /api/v1/borrower/otp",
        "POST /api/v1/borrower/session",
        "POST /api/v1/payments/webhook",  # no session: the signature is the proof
    }
)
SIGN_OUT = frozenset({"DELETE /api/v1/session", "DELETE /api/v1/borrower/session"})
"""Fuzzed anonymously only: signing out would end the session the rest of the run uses."""


@dataclass
class Arena:
    """The world on a scratch copy, one signed-in client per user, and the ids to aim at."""

    api: Api
    schema: Any
    known: dict[str, list[str]]
    credentials: dict[str, tuple[dict[str, str], dict[str, str]]] = field(default_factory=dict)

    def operations(self, user: str) -> Iterator[Any]:
        for result in self.schema.get_all_operations():
            operation = result.ok()
            label = operation.label
            portal = operation.path.startswith("/api/v1/borrower/")
            if user == "anonymous":
                yield operation
            elif label in ANONYMOUS_ONLY or label in SIGN_OUT:
                continue
            elif portal == (user == "borrower"):
                yield operation


@pytest.fixture(scope="module")
def arena(template: Template) -> Iterator[Arena]:
    engine = make_engine(template.clone())
    api = Api(engine, morning())
    world = template.world
    zhang = sign_in(api.client(), engine, ZHANG)
    complaint = zhang.post(
        "/api/v1/borrower/complaints", json={"text": "半夜打电话", "loan_id": "L1"}
    )
    intent = zhang.post("/api/v1/borrower/payments", json={"loan_id": "L1", "amount": "100.00"})
    assert complaint.status_code == intent.status_code == 201, (complaint.text, intent.text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", api.app)
    known = {
        "case_id": [X, Y, Z, W, U],
        "loan_id": ["L1", "L2", "L3", "L4", "L5", "L6"],
        "proposal_id": [world.proposal, world.own_proposal],
        "call_id": [world.call],
        "complaint_id": [complaint.json()["complaint_id"]],
        "intent_id": [intent.json()["intent_id"]],
        "to": ["C101", "C102", "C201"],
        "step": ["prepare", "confirm_identity"],
        "amount": ["0.01", "300.00", "5000.00"],
        "due": ["2026-03-09"],
        "channel": ["call", "sms"],
        "party": ["borrower"],
        "number": ["13800000001", "13800000003"],
        "outcome": ["no_answer", "borrower_reached"],
    }
    made = Arena(api, schema, known)
    for user in ROLES:
        client, csrf = api.session_of(user)
        made.credentials[user] = ({"X-CSRF-Token": csrf}, dict(client.cookies))
    made.credentials["borrower"] = (
        {"X-CSRF-Token": zhang.headers["X-CSRF-Token"]},
        dict(zhang.cookies),
    )
    made.credentials["anonymous"] = ({}, {})
    yield made
    api.close()
    engine.dispose()
    template.drop(str(engine.url))


@pytest.fixture(autouse=True)
def cheap_unknown_user(monkeypatch: pytest.MonkeyPatch) -> None:
    """An unknown user is checked against a dummy hash made with the real parameters;
    the fuzzer signs in as hundreds of them."""
    monkeypatch.setattr(auth, "_DUMMY_HASH", CHEAP.hash("faircollect: no such user"))


def aimed(operation: Any, known: dict[str, list[str]]) -> st.SearchStrategy[Any]:
    """A valid request, half the time with real ids in its path and body."""

    @st.composite
    def build(draw: Callable[..., Any]) -> Any:
        case = draw(operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
        if draw(st.booleans()):
            for name in list(case.path_parameters or {}):
                if name in known:
                    case.path_parameters[name] = draw(st.sampled_from(known[name]))
            if isinstance(case.body, dict):
                for name in list(case.body):
                    if name in known and isinstance(case.body[name], str):
                        case.body[name] = draw(st.sampled_from(known[name]))
        return case

    return build()


def takes_input(operation: Any) -> bool:
    """A body or query parameters: something there is to get wrong besides the path."""
    return bool(operation.body) or bool(operation.query)


def fuzz(
    strategy: st.SearchStrategy[Any],
    examples: int,
    send: Callable[[Any], None],
) -> None:
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        send(case)

    run()


@pytest.mark.parametrize("user", USERS)
def test_the_api_answers_every_generated_request_as_documented(
    user: str, arena: Arena, template: Template
) -> None:
    if template.backend == "postgresql" and user not in POSTGRESQL_USERS:
        pytest.skip("this role is fuzzed on SQLite (POSTGRESQL_USERS)")
    headers, cookies = arena.credentials[user]
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    started = time.perf_counter()

    def sender(checks: list[Any]) -> Callable[[Any], None]:
        def send(case: Any) -> None:
            response = case.call(headers=headers, cookies=cookies)
            statuses[response.status_code] += 1
            case.validate_response(response, checks=checks)

        return send

    for operation in arena.operations(user):
        runs = [(aimed(operation, arena.known), FUZZ_EXAMPLES, sender(CHECKS))]
        if user in NEGATIVE_USERS and takes_input(operation):
            negative = operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)
            runs.append((negative, FUZZ_NEGATIVE, sender(NEGATIVE_CHECKS)))
        for strategy, examples, send in runs:
            try:
                fuzz(strategy, examples, send)
            except Unsatisfiable:
                continue  # nothing invalid to send (a path taking any string)
            except BaseException as failure:  # schemathesis raises exception groups
                failures.append(f"{operation.label}:\n{failure}")
    took = time.perf_counter() - started
    print(f"\nfuzz {user}: {sum(statuses.values())} requests in {took:.1f}s, {dict(statuses)}")
    assert not failures, "\n\n".join(failures)

"""Nothing loosens the gate: every way a contact can be recorded refuses what the gate
denies, names the rule, and stores nothing. The doors: ``faircollect contact add`` and
``faircollect call`` (CLI), ``POST /api/v1/cases/{id}/contacts`` and the API's first call,
the case page's contact form and the first-call page.

Two denied contacts: a call to the borrower at 23:00 (CN-TIME-1, lawful again from 08:00
the next morning) and a call at 10:30 to an emergency contact to collect, disclosing the
debt (CN-3P-1; waiting cures nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from faircollect.adapters.db.tables import contact_records, promises
from faircollect.cli.app import app
from tests.scenarios.casework_world import CASE, DAY, at
from tests.web.pages_support import count, text_of

LATE = {
    "at": at(DAY, 23),
    "party": "borrower",
    "number": "13800000001",
    "outcome": "no_answer",
    "rule": "CN-TIME-1",
    "extra": {},
}
THIRD_PARTY = {
    "at": at(DAY, 10, 30),
    "party": "emergency_contact",
    "number": "13900000009",
    "outcome": "third_party_reached",
    "rule": "CN-3P-1",
    "extra": {"purpose": "collect", "discloses_debt": True},
}
DENIED = pytest.mark.parametrize("denied", [LATE, THIRD_PARTY], ids=["hours", "third-party"])


def nothing_stored(engine: Engine) -> None:
    assert count(engine, contact_records) == 0
    assert count(engine, promises) == 0


@DENIED
def test_the_cli_refuses_a_denied_contact(
    db_engine: Engine, database_url: str, world: str, denied: dict[str, Any]
) -> None:
    args = ["contact", "add", CASE, "--as", "C101", "--channel", "call"]
    args += ["--party", denied["party"], "--number", denied["number"]]
    args += ["--outcome", denied["outcome"], "--at", denied["at"].isoformat()]
    if denied["extra"]:
        args += ["--purpose", "collect", "--discloses-debt"]
    result = CliRunner().invoke(app, [*args, "--db", database_url])
    assert result.exit_code == 1, result.output
    assert denied["rule"] in result.stderr
    nothing_stored(db_engine)


def test_the_cli_call_at_night_is_refused(
    db_engine: Engine, database_url: str, world: str, tmp_path: Path
) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        "confirm_identity: borrower\nstate_identity: ok\nask_payment_today: cannot_today\n"
        "learn_reason: forgot\nexplain_consequences: all\n"
        'obtain_promise: {amount: "500.00", due: "2026-03-04"}\nupdate_file: 夜间通话\n',
        encoding="utf-8",
    )
    args = ["call", CASE, "--as", "C101", "--answers", str(answers)]
    args += ["--at", at(DAY, 23).isoformat(), "--db", database_url]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "CN-TIME-1" in result.stderr
    nothing_stored(db_engine)


@DENIED
def test_the_api_refuses_a_denied_contact(
    db_engine: Engine, signed_in: Callable[[str], TestClient], denied: dict[str, Any]
) -> None:
    body = {
        "channel": "call",
        "party": denied["party"],
        "number": denied["number"],
        "outcome": denied["outcome"],
        "at": denied["at"].isoformat(),
        **denied["extra"],
    }
    answer = signed_in("C101").post(f"/api/v1/cases/{CASE}/contacts", json=body)
    assert answer.status_code == 422, answer.text
    assert denied["rule"] in [v["rule"] for v in answer.json()["violations"]]
    nothing_stored(db_engine)


@DENIED
def test_the_case_page_refuses_a_denied_contact(
    db_engine: Engine, page_as: Callable[[str], Any], denied: dict[str, Any]
) -> None:
    form = {
        "channel": "call",
        "party": denied["party"],
        "number": denied["number"],
        "outcome": denied["outcome"],
        "at": denied["at"].strftime("%Y-%m-%dT%H:%M"),
        "recorded": "yes",
    }
    if denied["extra"]:
        form |= {"purpose": "collect", "discloses_debt": "yes"}
    answer = page_as("C101").post(f"/cases/{CASE}/contacts", form, htmx=True)
    assert answer.status_code == 422
    assert denied["rule"] in text_of(answer.text)
    nothing_stored(db_engine)


def test_the_first_call_at_night_is_refused_before_it_starts_on_the_page_and_the_api(
    db_engine: Engine,
    page_as: Callable[[str], Any],
    signed_in: Callable[[str], TestClient],
    clock: Any,
) -> None:
    clock.moment = at(DAY, 23)
    refused = page_as("C101").post(f"/cases/{CASE}/calls", {}, htmx=True)
    assert refused.status_code == 422
    assert "CN-TIME-1" in text_of(refused.text)
    assert "从 3月3日 08:00 起可以联系" in text_of(refused.text)
    api = signed_in("C101").post("/api/v1/calls", json={"case_id": CASE})
    assert api.status_code == 422
    assert [v["rule"] for v in api.json()["violations"]] == ["CN-TIME-1"]
    nothing_stored(db_engine)


def test_the_gates_clock_is_the_contacts_time_not_the_servers(
    db_engine: Engine, page_as: Callable[[str], Any], clock: Any
) -> None:
    """At 23:00 on the server a contact entered for 10:05 that morning is lawful: the
    gate judges when the contact happened (and the same 23:00 entered is refused)."""
    clock.moment = at(DAY, 23)
    browser = page_as("C101")
    base = {"channel": "call", "party": "borrower", "number": "13800000001", "recorded": "yes"}
    made = browser.post(
        f"/cases/{CASE}/contacts", {**base, "outcome": "no_answer", "at": "2026-03-02T10:05"}
    )
    assert made.status_code == 303
    refused = browser.post(f"/cases/{CASE}/contacts", {**base, "outcome": "no_answer", "at": ""})
    assert refused.status_code == 422 and "CN-TIME-1" in text_of(refused.text)
    assert count(db_engine, contact_records) == 1

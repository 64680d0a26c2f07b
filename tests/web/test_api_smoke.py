"""The API end to end: sign in, the queue, a case, a contact refused at 23:00."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient


def test_a_collector_works_a_case_through_the_api(
    signed_in: Callable[[str], TestClient], world: str
) -> None:
    c101 = signed_in("C101")
    assert c101.get("/api/v1/me").json()["role"] == "collector"
    cases = c101.get("/api/v1/cases").json()
    assert [c["case_id"] for c in cases["items"]] == [world] and cases["total"] == 1
    case = c101.get(f"/api/v1/cases/{world}").json()
    assert case["borrower"]["id_number"].count("*") == 10
    late = {
        "channel": "call",
        "party": "borrower",
        "number": "13800000001",
        "outcome": "no_answer",
        "at": "2026-03-02T23:00:00+08:00",
    }
    refused = c101.post(f"/api/v1/cases/{world}/contacts", json=late)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["code"] == "denied"
    assert [v["rule"] for v in refused.json()["violations"]] == ["CN-TIME-1"]
    assert refused.json()["next_allowed_at"].startswith("2026-03-03T08:00")
    lawful = {**late, "at": "2026-03-02T10:05:00+08:00"}
    made = c101.post(f"/api/v1/cases/{world}/contacts", json=lawful)
    assert made.status_code == 201, made.text
    c102 = signed_in("C102")
    assert c102.get(f"/api/v1/cases/{world}").status_code == 404
    assert c102.get("/api/v1/cases").json()["items"] == []

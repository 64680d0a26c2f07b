"""Promises are read through the case they were taken on: whoever may see the case today
sees them, and nobody else, not even the user who took them once the case has left their
scope (recalled from the agency, handed to a colleague). A promise on a loan in no case
stays visible to the supervisor who took it."""

from __future__ import annotations

from collections.abc import Callable

from tests.web.api.conftest import PLACED_PROMISE, Api


def test_after_the_recall_the_agency_reads_none_of_its_promises(after_recall: Api) -> None:
    a101 = after_recall.as_("A101")
    assert a101.get("/api/v1/promises").json()["items"] == []
    assert a101.get("/api/v1/promises", params={"loan_id": "L3"}).json()["items"] == []


def test_the_staff_who_hold_the_case_now_see_its_promises(after_recall: Api) -> None:
    c101 = after_recall.as_("C101")  # Y is C101's since the recall
    assert [p["promise_id"] for p in c101.get("/api/v1/promises").json()["items"]] == [
        PLACED_PROMISE
    ]
    queue = c101.get("/api/v1/queue", params={"date": "2026-03-04"}).json()["items"]
    assert [i["action_id"] for i in queue if i["kind"] == "promise_due"] == [PLACED_PROMISE]


def test_a_collector_loses_the_promises_of_a_case_handed_on(after_recall: Api) -> None:
    c101 = after_recall.as_("C101")
    c102 = after_recall.as_("C102")
    theirs = {p["loan_id"] for p in c102.get("/api/v1/promises").json()["items"]}
    assert theirs == {"L1"}
    mine = {p["loan_id"] for p in c101.get("/api/v1/promises").json()["items"]}
    assert mine == {"L3"}


def test_a_supervisor_still_sees_a_promise_taken_on_a_loan_in_no_case(
    fresh: Callable[[], Api],
) -> None:
    api = fresh()
    s001 = api.as_("S001")
    made = s001.post(
        "/api/v1/promises", json={"loan_id": "L2", "amount": "150.00", "due": "2026-03-09"}
    )
    assert made.status_code == 201, made.text
    listed = s001.get("/api/v1/promises", params={"loan_id": "L2"}).json()["items"]
    assert [p["promise_id"] for p in listed] == [made.json()["promise_id"]]
    assert api.as_("S002").get("/api/v1/promises", params={"loan_id": "L2"}).json()["items"] == []

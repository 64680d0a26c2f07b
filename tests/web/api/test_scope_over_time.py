"""Access is judged on the day of the request, never on a date the caller names.

AG01 held case Y from 2 Mar 2026 and it was recalled on 5 Mar; on 6 Mar A101 (AG01) may
no longer see it, whatever ``at``, ``made_on`` or ``date`` the request carries.
"""

from __future__ import annotations

from tests.web.api.conftest import Api, error_of
from tests.web.api.world import Y


def test_after_the_recall_the_agency_sees_nothing_of_the_case(after_recall: Api) -> None:
    a101 = after_recall.as_("A101")
    assert a101.get(f"/api/v1/cases/{Y}").status_code == 404
    assert a101.get("/api/v1/loans/L3").status_code == 404
    assert a101.get("/api/v1/cases").json()["items"] == []


def test_a_contact_dated_while_placed_is_refused_after_the_recall(after_recall: Api) -> None:
    before = after_recall.fingerprint()
    backdated = {
        "channel": "call",
        "party": "borrower",
        "number": "13800000003",
        "outcome": "no_answer",
        "at": "2026-03-04T10:00:00+08:00",
    }
    contact = after_recall.as_("A101").post(f"/api/v1/cases/{Y}/contacts", json=backdated)
    assert contact.status_code == 404, contact.text
    assert error_of(contact)["code"] == "not_found"
    assert after_recall.fingerprint() == before


def test_a_promise_made_on_a_day_while_placed_is_refused_after_the_recall(
    after_recall: Api,
) -> None:
    before = after_recall.fingerprint()
    promise = {"loan_id": "L3", "amount": "100.00", "due": "2026-03-10", "made_on": "2026-03-04"}
    made = after_recall.as_("A101").post("/api/v1/promises", json=promise)
    assert made.status_code == 404, made.text
    assert error_of(made)["code"] == "not_found"
    assert after_recall.fingerprint() == before


def test_the_queue_of_a_day_while_placed_shows_nothing_of_the_case(after_recall: Api) -> None:
    queue = after_recall.as_("A101").get("/api/v1/queue", params={"date": "2026-03-04"})
    assert queue.status_code == 200
    assert [i for i in queue.json()["items"] if i["case_id"] == Y] == []
    # the collector who holds it now is shown the promise falling due that day
    mine = after_recall.as_("C101").get("/api/v1/queue", params={"date": "2026-03-04"})
    assert [i["case_id"] for i in mine.json()["items"] if i["kind"] == "promise_due"] == [Y]

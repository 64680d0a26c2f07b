"""The morning queue: a collector's follow-ups and the promises falling due today on their
cases; a supervisor's, the follow-ups of the team (and of cases nobody owns) left undone
past their day. Nothing from a case outside the user's scope."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from faircollect.adapters.db.uow import UnitOfWork
from faircollect.services.casework import promises
from tests.scenarios.casework_world import DAY
from tests.web.api.conftest import Api
from tests.web.api.world import U, W, X, actor


def kinds(api: Api, user: str) -> list[tuple[str, str | None, bool]]:
    answer = api.as_(user).get("/api/v1/queue")
    assert answer.status_code == 200, answer.text
    return [(i["kind"], i["case_id"], i["overdue"]) for i in answer.json()["items"]]


def test_follow_ups_and_promises_due_reach_whose_cases_they_are(
    fresh: Callable[[], Api],
) -> None:
    api = fresh()
    with UnitOfWork(api.engine) as uow:
        uow.cases.add_follow_up(X, None, "call_again", DAY - timedelta(days=1))  # overdue
        uow.cases.add_follow_up(U, None, "find_contact", DAY)  # due today, nobody's case
        uow.cases.add_follow_up(W, None, "call_again", DAY - timedelta(days=2))  # C201's
        promises.make_promise(uow, actor(uow, "C101"), "L1", 30_000, DAY, date(2026, 3, 1))
    assert sorted(kinds(api, "C101")) == [
        ("callback", X, True),
        ("promise_due", X, False),
    ]
    # S001 leads C101's team and sees cases nobody owns: only what is overdue, plus
    # the promises due today on the team's cases.
    assert sorted(kinds(api, "S001")) == [("callback", X, True), ("promise_due", X, False)]
    assert sorted(kinds(api, "S002")) == [("callback", W, True)]
    assert kinds(api, "C102") == []
    assert kinds(api, "A101") == []
    assert kinds(api, "Q001") == []

"""The workbench's own forms are safe to submit twice: each rendering of a form carries an
``idempotency_key`` of its own, so a double click or a browser resending the form is
answered from the first submit (where it led, ``Idempotent-Replayed: true``) and stores
nothing new, counted in SQL; the page that follows a submit carries a new key, so the next
genuine entry is stored. Every form that changes something carries a key, and every htmx
form disables its buttons while its request is in flight. On SQLite and PostgreSQL.

The world: 张三's loan L1 is 15 days past due on 2 Mar 2026, case C-B1-20260302 is owned
by C101 (team T-EARLY, supervisor S001); the app's clock is 10:00 that morning.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.sql.schema import Table

from faircollect.adapters.db.tables import (
    call_sessions,
    case_events,
    complaints,
    contact_records,
    idempotency_keys,
    promises,
    proposals,
)
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.domain.casework.proposals import InstalmentPlan
from faircollect.services import borrower_portal
from faircollect.services.borrower_portal import NewComplaint
from faircollect.services.casework.proposals import submit_proposal
from faircollect.services.organisation import actor_for
from faircollect.web.idempotency import FIELD
from tests.scenarios.casework_world import DAY, at
from tests.web.pages_support import Browser, count, text_of

PageAs = Callable[[str], Browser]
CASE = "C-B1-20260302"
REPLAYED = "Idempotent-Replayed"


@dataclass
class Form:
    """A form as the page rendered it: where it posts and the fields it carries."""

    action: str
    fields: dict[str, str]
    attrs: dict[str, str]

    @property
    def key(self) -> str:
        return self.fields[FIELD]


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._open: Form | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._open = Form(values.get("action", ""), {}, values)
            self.forms.append(self._open)
        elif tag == "input" and self._open is not None and values.get("type") == "hidden":
            self._open.fields[values.get("name", "")] = values.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = None


def forms_of(html: str) -> list[Form]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def form_of(browser: Browser | TestClient, page: str, action: str) -> Form:
    """The form posting to ``action`` on a fresh rendering of ``page``."""
    answer = browser.get(page)
    assert answer.status_code == 200, answer.text
    found = [f for f in forms_of(answer.text) if f.action == action]
    assert len(found) == 1, f"{page} has {len(found)} forms posting to {action}"
    return found[0]


def rows(engine: Engine, table: Table, **where: Any) -> int:
    return count(engine, table, **where)


def keys(engine: Engine) -> int:
    return count(engine, idempotency_keys)


def post(browser: Browser, form: Form, data: dict[str, Any], htmx: bool = True) -> Any:
    """Submit ``form`` as the browser would: its hidden fields and ``data``."""
    return browser.post(form.action, {**form.fields, **data}, htmx=htmx)


def assert_led_to(answer: Any, target: str, replayed: bool) -> None:
    """An htmx submit's answer: 204 with ``HX-Redirect`` to ``target``."""
    assert answer.status_code == 204, answer.text
    assert answer.headers["HX-Redirect"] == target
    assert (answer.headers.get(REPLAYED) == "true") is replayed


# Each creating form of the case page ---------------------------------------------------------

CONTACT = {
    "at": "2026-03-02T10:05",
    "channel": "call",
    "party": "",
    "number": "13800000001",
    "outcome": "borrower_reached",
    "reason": "income_drop",
    "recorded": "yes",
    "loan_id": "",
    "note": "客户说下周一还款",
}
PROMISE = {"loan_id": "L1", "amount": "1,100.16", "due": "2026-03-09"}
PROPOSAL = {
    "loan_id": "L1",
    "kind": "plan",
    "months": "6",
    "annual_rate": "0.12",
    "first_due": "2026-03-15",
    "note": "失业三个月",
}
CASE_FORMS = [
    ("contact", f"/cases/{CASE}/contacts", CONTACT, contact_records, f"/cases/{CASE}?done=contact"),
    ("promise", f"/cases/{CASE}/promises", PROMISE, promises, f"/cases/{CASE}?done=promise"),
    ("proposal", f"/cases/{CASE}/proposals", PROPOSAL, proposals, f"/cases/{CASE}?done=proposal"),
    ("call", f"/cases/{CASE}/calls", {}, call_sessions, None),
]
"""(name, the form's action, what the collector fills in, the table a row lands in, where
the submit leads: None for the call, whose page has the new call's id)."""


@pytest.mark.parametrize(
    ("name", "action", "data", "table", "target"), CASE_FORMS, ids=[f[0] for f in CASE_FORMS]
)
def test_a_case_page_form_submitted_twice_stores_one_row(
    name: str,
    action: str,
    data: dict[str, str],
    table: Table,
    target: str | None,
    page_as: PageAs,
    db_engine: Engine,
) -> None:
    c101 = page_as("C101")
    form = form_of(c101, f"/cases/{CASE}", action)
    assert len(form.key) == 32 and form.key != form_of(c101, f"/cases/{CASE}", action).key
    before = rows(db_engine, table)

    first = post(c101, form, data)
    assert first.status_code == 204, first.text
    target = target or first.headers["HX-Redirect"]
    assert_led_to(first, target, replayed=False)
    second = post(c101, form, data)  # the double click, or the browser's resend
    assert_led_to(second, target, replayed=True)
    plain = post(c101, form, data, htmx=False)  # the same form without htmx
    assert plain.status_code == 303 and plain.headers["location"] == target
    assert plain.headers[REPLAYED] == "true"
    assert rows(db_engine, table) == before + 1
    assert keys(db_engine) == 1

    after = c101.get(target)  # the page the submit led to
    assert after.status_code == 200
    if name != "call":
        fresh = form_of(c101, target, action)
        assert fresh.key != form.key
        again = post(c101, fresh, {**data, "at": "2026-03-02T10:20"} if name == "contact" else data)
        assert_led_to(again, target, replayed=False)  # a new entry is a new row
        assert rows(db_engine, table) == before + 2


def test_one_rendering_with_other_content_is_refused_as_a_page_and_stores_nothing(
    page_as: PageAs, db_engine: Engine
) -> None:
    c101 = page_as("C101")
    form = form_of(c101, f"/cases/{CASE}", f"/cases/{CASE}/promises")
    assert_led_to(post(c101, form, PROMISE), f"/cases/{CASE}?done=promise", replayed=False)
    other = post(c101, form, {**PROMISE, "amount": "50.00"})
    assert other.status_code == 422
    assert other.headers["content-type"].startswith("text/html")  # a fragment, not JSON
    assert "已经提交过" in text_of(other.text) and "刷新页面" in text_of(other.text)
    assert rows(db_engine, promises) == 1
    with db_engine.connect() as conn:
        assert conn.execute(select(promises.c.amount)).scalar_one() == 110_016


def test_a_refused_submit_keeps_nothing_and_the_corrected_form_is_stored(
    page_as: PageAs, db_engine: Engine
) -> None:
    c101 = page_as("C101")
    form = form_of(c101, f"/cases/{CASE}", f"/cases/{CASE}/promises")
    refused = post(c101, form, {**PROMISE, "amount": "abc"})
    assert refused.status_code == 422 and "金额" in text_of(refused.text)
    assert (rows(db_engine, promises), keys(db_engine)) == (0, 0)
    corrected = post(c101, form, PROMISE)
    assert_led_to(corrected, f"/cases/{CASE}?done=promise", replayed=False)
    assert rows(db_engine, promises) == 1


def test_a_contact_the_gate_denies_is_refused_again_on_the_second_click(
    page_as: PageAs, db_engine: Engine
) -> None:
    c101 = page_as("C101")
    form = form_of(c101, f"/cases/{CASE}", f"/cases/{CASE}/contacts")
    late = {**CONTACT, "at": "2026-03-02T23:00"}
    for _ in range(2):
        refused = post(c101, form, late)
        assert refused.status_code == 422 and "CN-TIME-1" in refused.text
    assert (rows(db_engine, contact_records), keys(db_engine)) == (0, 0)


def test_keys_are_each_users_own(page_as: PageAs, db_engine: Engine) -> None:
    """S001 resending C101's rendering (its key) is S001's own first request."""
    c101, s001 = page_as("C101"), page_as("S001")
    form = form_of(c101, f"/cases/{CASE}", f"/cases/{CASE}/promises")
    assert_led_to(post(c101, form, PROMISE), f"/cases/{CASE}?done=promise", replayed=False)
    theirs = s001.post(form.action, {FIELD: form.key, **PROMISE}, htmx=True)
    assert_led_to(theirs, f"/cases/{CASE}?done=promise", replayed=False)
    assert rows(db_engine, promises) == 2
    with db_engine.connect() as conn:
        owners = conn.execute(select(idempotency_keys.c.owner).order_by("owner")).scalars()
        assert list(owners) == ["user:C101", "user:S001"]


# The first call: start, each step, finish -------------------------------------------------


def test_each_step_of_the_first_call_and_its_finish_submitted_twice_count_once(
    page_as: PageAs, db_engine: Engine
) -> None:
    c101 = page_as("C101")
    start = form_of(c101, f"/cases/{CASE}", f"/cases/{CASE}/calls")
    call_url = post(c101, start, {}).headers["HX-Redirect"]
    answers = [
        {"value": "ok"},
        {"value": "borrower"},
        {"value": "ok"},
        {"value": "cannot_today"},
        {"value": "income_drop"},
        {"value": "all"},
        {"value": "promise", "amount": "1100.16", "due": "2026-03-06"},
        {"value": "承诺周五还一期"},
    ]
    for data in answers:
        step = form_of(c101, call_url, f"{call_url}/answers")
        assert_led_to(post(c101, step, data), call_url, replayed=False)
        assert_led_to(post(c101, step, data), call_url, replayed=True)  # not "wrong step"
    finish = form_of(c101, call_url, f"{call_url}/finish")
    target = f"/cases/{CASE}?done=call"
    assert_led_to(post(c101, finish, {}), target, replayed=False)
    assert_led_to(post(c101, finish, {}), target, replayed=True)
    assert rows(db_engine, call_sessions) == 1
    assert rows(db_engine, contact_records, outcome="promise") == 1
    assert rows(db_engine, promises, amount=110_016) == 1
    assert "首次催收电话已结束" in text_of(c101.get(target).text)


# The supervisor's board and the complaint queue --------------------------------------------


def test_a_decision_submitted_twice_is_answered_as_decided_not_refused(
    page_as: PageAs, db_engine: Engine
) -> None:
    with UnitOfWork(db_engine) as uow:
        plan = InstalmentPlan(6, Decimal("0.12"), date(2026, 3, 15))
        made = submit_proposal(uow, actor_for(uow, "C101"), CASE, "L1", plan, DAY)
    s001 = page_as("S001")
    action = f"/proposals/{made.proposal_id}/decision"
    form = form_of(s001, "/team", action)
    data = {"decision": "approve", "why": "收入证明已核实"}
    assert_led_to(post(s001, form, data), "/team?done=approved", replayed=False)
    assert_led_to(post(s001, form, data), "/team?done=approved", replayed=True)
    with db_engine.connect() as conn:
        assert conn.execute(select(proposals.c.status)).scalar_one() == "approved"


def test_a_reassignment_submitted_twice_moves_the_case_once(
    page_as: PageAs, db_engine: Engine
) -> None:
    s001 = page_as("S001")
    form = form_of(s001, "/team", f"/cases/{CASE}/owner")
    moves = rows(db_engine, case_events)
    data = {"to": "C102", "why": "C101 休假"}
    assert_led_to(post(s001, form, data), "/team?done=reassign", replayed=False)
    assert_led_to(post(s001, form, data), "/team?done=reassign", replayed=True)
    assert rows(db_engine, case_events) == moves + 1


def test_closing_a_complaint_twice_closes_it_once(page_as: PageAs, db_engine: Engine) -> None:
    with UnitOfWork(db_engine) as uow:
        opened = borrower_portal.file_complaint(
            uow, "B1", NewComplaint("晚上十一点打电话", None, None, ""), at(DAY, 9)
        )
    k001 = page_as("K001")
    action = f"/complaints/{opened.complaint_id}/close"
    form = form_of(k001, "/complaints", action)
    data = {"answer": "已核实，已处理相关催收员。"}
    target = f"/complaints?closed={opened.complaint_id}"
    first = post(k001, form, data, htmx=False)
    assert (first.status_code, first.headers["location"]) == (303, target)
    second = post(k001, form, data, htmx=False)
    assert (second.status_code, second.headers["location"]) == (303, target)
    assert second.headers[REPLAYED] == "true"
    with db_engine.connect() as conn:
        assert conn.execute(select(complaints.c.status)).scalar_one() == "closed"


# Every form that changes something carries a key; every htmx form disables its buttons ----

NO_KEY = ("/logout", "/login", "/my/logout", "/my/login", "/my/code")
"""Forms that create nothing a second submit could double (signing in and out)."""


def test_every_changing_form_carries_a_key_and_htmx_forms_disable_their_buttons(
    page_as: PageAs, db_engine: Engine
) -> None:
    with UnitOfWork(db_engine) as uow:
        plan = InstalmentPlan(6, Decimal("0.12"), date(2026, 3, 15))
        submit_proposal(uow, actor_for(uow, "C101"), CASE, "L1", plan, DAY)
    c101, s001 = page_as("C101"), page_as("S001")
    call_url = c101.post(f"/cases/{CASE}/calls", {}, htmx=True).headers["HX-Redirect"]
    pages = [(c101, f"/cases/{CASE}"), (c101, call_url), (s001, "/team")]
    seen = set()
    for browser, path in pages:
        for form in forms_of(browser.get(path).text):
            if form.attrs.get("method") != "post" or form.action in NO_KEY:
                continue
            seen.add(form.action)
            assert len(form.fields.get(FIELD, "")) == 32, (path, form.action)
            if "hx-post" in form.attrs:
                assert form.attrs.get("hx-disabled-elt"), (path, form.action)
    assert len(seen) >= 7, seen

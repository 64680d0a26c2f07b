"""A collector's double click on 记录承诺 in Chromium stores one promise: htmx disables the
button while the request is in flight, and the form's idempotency key answers any second
submit of the same rendering from the first. Both guards are shown on their own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, func, select

from faircollect.adapters.db.tables import idempotency_keys, promises
from tests.scenarios.casework_world import CASE

OpenAs = Callable[[str], Any]

RESEND_TWICE = """
async () => {
  const form = document.querySelector('#promise-form');
  form.querySelector('input[name=amount]').value = '200.00';
  form.querySelector('input[name=due]').value = '2026-03-10';
  const send = () => fetch(form.action, {
    method: 'POST',
    headers: {'HX-Request': 'true'},
    body: new URLSearchParams(new FormData(form)),
  }).then(r => [r.status, r.headers.get('HX-Redirect'), r.headers.get('Idempotent-Replayed')]);
  return await Promise.all([send(), send()]);
}
"""
"""The same rendering of the promise form sent twice at once, as a browser resending it
would (no button involved): the key is the only guard."""


def count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_a_double_click_on_the_promise_form_records_one_promise(
    engine: Engine, base_url: str, signed_in_page: OpenAs
) -> None:
    page = signed_in_page("C101")
    page.goto(f"{base_url}/cases/{CASE}")
    posts: list[str] = []
    page.on(
        "request",
        lambda r: posts.append(r.url) if r.method == "POST" and "/promises" in r.url else None,
    )
    form = page.locator("#promise-form")
    form.locator("input[name=amount]").fill("1100.16")
    form.locator("input[name=due]").fill("2026-03-09")
    form.locator("button[type=submit]").dblclick()
    page.wait_for_url(f"{base_url}/cases/{CASE}?done=promise")
    assert "还款承诺已记录" in page.locator(".notice").inner_text()
    assert page.locator("#promises tbody tr").count() == 1
    assert count(engine, promises) == 1
    assert len(posts) == 1  # the second click met a disabled button

    answers = page.evaluate(RESEND_TWICE)  # the page that came back: a new key
    target = f"/cases/{CASE}?done=promise"
    assert sorted(answers, key=lambda a: a[2] or "") == [
        [204, target, None],
        [204, target, "true"],
    ]
    assert count(engine, promises) == 2  # one more, not two
    assert count(engine, idempotency_keys) == 2

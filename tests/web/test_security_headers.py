"""The browser-facing protections, pinned: the headers on a page, an API answer, an error
and a static file; the cookies' flags (Secure over HTTPS or when configured); CSRF on
forms and on the API; no inline script in any page the tests can reach; the password
policy of ``faircollect user passwd``."""

from __future__ import annotations

import re
from collections.abc import Callable
from http.cookies import SimpleCookie

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from faircollect.cli.app import app as cli
from faircollect.web.app import create_app
from tests.web.conftest import PASSWORD, Clock

CSP_REQUIRED = {
    "default-src": "'self'",
    "script-src": "'self'",
    "frame-ancestors": "'none'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
}


def csp_of(answer: httpx.Response) -> dict[str, str]:
    policy = answer.headers["content-security-policy"]
    return {
        name: rest.strip()
        for name, _, rest in (p.strip().partition(" ") for p in policy.split(";") if p.strip())
    }


def assert_protected(answer: httpx.Response, *, cached: bool = False) -> None:
    csp = csp_of(answer)
    for directive, value in CSP_REQUIRED.items():
        assert csp.get(directive) == value, (directive, csp)
    assert "unsafe-inline" not in answer.headers["content-security-policy"]
    assert "unsafe-eval" not in answer.headers["content-security-policy"]
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["referrer-policy"] == "same-origin"
    if not cached:
        assert answer.headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in answer.headers  # plain HTTP here


def cookie(answer: httpx.Response, name: str) -> dict[str, str | bool]:
    """The attributes of the Set-Cookie for ``name``, lower-cased."""
    for header in answer.headers.get_list("set-cookie"):
        jar: SimpleCookie = SimpleCookie()
        jar.load(header)
        if name in jar:
            morsel = jar[name]
            return {k: v for k, v in morsel.items() if v} | {"value": morsel.value}
    raise AssertionError(f"no Set-Cookie for {name}: {answer.headers}")


def test_a_page_an_api_answer_an_error_and_a_static_file_carry_the_headers(
    app_client: TestClient, signed_in: Callable[[str], TestClient]
) -> None:
    assert_protected(app_client.get("/login"))  # a page
    c101 = signed_in("C101")
    assert_protected(c101.get("/api/v1/me"))  # an API answer
    missing = c101.get("/api/v1/cases/C-NOPE")
    assert missing.status_code == 404
    assert_protected(missing)  # an API error
    assert_protected(app_client.get("/api/v1/me"))  # 401
    assert_protected(app_client.get("/no/such/page"))  # a page error
    style = app_client.get("/static/app.css")
    assert style.status_code == 200
    assert_protected(style, cached=True)


def test_over_https_the_cookie_is_secure_and_hsts_is_sent(db_engine: Engine, world: str) -> None:
    with TestClient(create_app(db_engine), base_url="https://testserver") as client:
        answer = client.post("/api/v1/session", json={"user_id": "C101", "password": PASSWORD})
        assert answer.status_code == 200
        assert answer.headers["strict-transport-security"] == "max-age=31536000"
        assert cookie(answer, "fc_session")["secure"] is True


@pytest.mark.parametrize(("configured", "secure"), [(False, False), (True, True)])
def test_the_session_cookie_flags(
    db_engine: Engine, world: str, clock: Clock, configured: bool, secure: bool
) -> None:
    with TestClient(create_app(db_engine, clock=clock, secure_cookies=configured)) as client:
        answer = client.post("/api/v1/session", json={"user_id": "C101", "password": PASSWORD})
        flags = cookie(answer, "fc_session")
        assert flags["httponly"] is True
        assert str(flags["samesite"]).lower() == "lax"
        assert flags["path"] == "/"
        assert int(flags["max-age"]) == 10 * 3600
        assert bool(flags.get("secure")) is secure
        # the token is the cookie's alone: the JSON answer carries only the CSRF token
        assert flags["value"] not in answer.text
        form = client.post(
            "/login", data={"user_id": "C101", "password": PASSWORD}, follow_redirects=False
        )
        assert form.status_code == 303
        assert bool(cookie(form, "fc_session").get("secure")) is secure


def test_state_changing_requests_need_the_csrf_token(
    signed_in: Callable[[str], TestClient], page_as: Callable[[str], object]
) -> None:
    c101 = signed_in("C101")
    token = c101.headers.pop("X-CSRF-Token")
    for method, path in [("DELETE", "/api/v1/session"), ("POST", "/api/v1/promises")]:
        refused = c101.request(method, path, json={})
        assert refused.status_code == 403, (path, refused.text)
        wrong = c101.request(method, path, json={}, headers={"X-CSRF-Token": token[:-1] + "x"})
        assert wrong.status_code == 403
    # a form without its hidden field, the way another site would post it
    logout = c101.post("/logout", data={}, follow_redirects=False)
    assert logout.status_code == 403
    assert c101.get("/api/v1/me").status_code == 200  # still signed in


INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.IGNORECASE | re.DOTALL)


@pytest.mark.parametrize("path", ["/", "/cases", "/login", "/api/docs", "/reports"])
def test_pages_have_no_inline_script(path: str, page_as: Callable[[str], object]) -> None:
    """Every script is a file of our own; JSON data blocks are data, not script (the CSP
    would block inline script anyway: this keeps pages from depending on it)."""
    admin = page_as("ADMIN")
    answer = admin.get(path)  # type: ignore[attr-defined]
    assert answer.status_code == 200, (path, answer.status_code)
    html = answer.text
    for attributes, body in SCRIPT.findall(html):
        if 'type="application/json"' in attributes:
            continue
        assert "src=" in attributes and not body.strip(), (path, attributes, body[:80])
        assert re.search(r'src="/static/', attributes), (path, attributes)
    assert not INLINE_HANDLER.search(html), (path, INLINE_HANDLER.search(html))
    assert "javascript:" not in html.lower()


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short", "at least 10 characters"),
        ("C101", "at least 10 characters"),
        ("aaaaaaaaaaaa", "may not repeat one character"),
        ("x" * 300, "at most 256 characters"),
    ],
)
def test_the_password_policy_refuses_weak_passwords(
    password: str, why: str, db_engine: Engine, world: str
) -> None:
    url = str(db_engine.url.render_as_string(hide_password=False))
    result = CliRunner().invoke(cli, ["user", "passwd", "C101", "--db", url], input=password + "\n")
    assert result.exit_code != 0
    assert why in result.output
    with TestClient(create_app(db_engine)) as client:  # the old password still works
        answer = client.post("/api/v1/session", json={"user_id": "C101", "password": PASSWORD})
        assert answer.status_code == 200


def test_the_password_may_not_be_the_user_id(db_engine: Engine, world: str) -> None:
    url = str(db_engine.url.render_as_string(hide_password=False))
    result = CliRunner().invoke(cli, ["user", "passwd", "ADMIN", "--db", url], input="admin\n")
    assert result.exit_code != 0
    result = CliRunner().invoke(
        cli, ["user", "passwd", "ADMIN12345", "--db", url], input="admin12345\n"
    )
    assert result.exit_code != 0  # no such user: nothing set for anyone


def test_a_good_password_is_stored_hashed_and_works(db_engine: Engine, world: str) -> None:
    url = str(db_engine.url.render_as_string(hide_password=False))
    new = "a long passphrase 收款"
    result = CliRunner().invoke(cli, ["user", "passwd", "C101", "--db", url], input=new + "\n")
    assert result.exit_code == 0, result.output
    with db_engine.connect() as conn:
        from sqlalchemy import text

        stored = conn.execute(text("SELECT password_hash FROM users WHERE user_id='C101'")).scalar()
    assert stored is not None and stored.startswith("$argon2id$") and new not in stored
    with TestClient(create_app(db_engine)) as client:
        answer = client.post("/api/v1/session", json={"user_id": "C101", "password": new})
        assert answer.status_code == 200


@pytest.mark.parametrize(
    "headers",
    [{"Origin": "https://evil.example"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"}],
)
def test_a_sign_in_form_posted_from_another_site_is_refused(
    headers: dict[str, str], app_client: TestClient
) -> None:
    """Login CSRF: another site's page must not sign the browser in to an account of the
    attacker's choosing (what the victim then records would land in it)."""
    form = {"user_id": "C101", "password": PASSWORD}
    refused = app_client.post("/login", data=form, headers=headers, follow_redirects=False)
    assert refused.status_code == 403
    assert "fc_session" not in refused.headers.get("set-cookie", "")
    portal = app_client.post(
        "/my/login", data={"phone": "13800000001", "code": "123456"}, headers=headers
    )
    assert portal.status_code == 403
    same_site = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    signed = app_client.post("/login", data=form, headers=same_site, follow_redirects=False)
    assert signed.status_code == 303 and "fc_session" in signed.headers["set-cookie"]

"""Signing in and out: one answer for a wrong password and an unknown user, throttling
after five failures in 15 minutes (even for the right password), sessions that end."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from tests.web.api.conftest import Api, error_of
from tests.web.conftest import PASSWORD

SESSION = "/api/v1/session"


def sign_in(api: Api, user_id: str, password: str) -> tuple[int, dict[str, object], str | None]:
    answer = api.anonymous().post(SESSION, json={"user_id": user_id, "password": password})
    return answer.status_code, answer.json(), answer.headers.get("retry-after")


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(
    fresh: Callable[[], Api],
) -> None:
    api = fresh()
    wrong = sign_in(api, "C101", "not the password")
    unknown = sign_in(api, "NOBODY", PASSWORD)
    assert wrong == unknown
    assert wrong[0] == 401 and wrong[2] is None
    assert wrong[1] == {
        "error": {"code": "unauthenticated", "message": "wrong user id or password"}
    }


def test_the_sixth_failure_in_15_minutes_is_throttled_even_with_the_right_password(
    fresh: Callable[[], Api],
) -> None:
    api = fresh()
    start = api.clock.moment
    for minute in range(5):
        api.clock.moment = start + timedelta(minutes=minute)
        assert sign_in(api, "C101", f"guess number {minute}")[0] == 401
    api.clock.moment = start + timedelta(minutes=5)
    status, body, retry = sign_in(api, "C101", PASSWORD)
    assert status == 429
    assert body["error"] == {  # type: ignore[comparison-overlap]
        "code": "throttled",
        "message": "too many failed sign-ins for this user; try again later",
    }
    assert retry == str(10 * 60 + 1)  # the first failure leaves the window at 10:15
    assert sign_in(api, "C102", PASSWORD)[0] == 200  # other users are not held up
    api.clock.moment = start + timedelta(minutes=15, seconds=1)
    assert sign_in(api, "C101", PASSWORD)[0] == 200


def test_an_unknown_user_id_is_throttled_like_a_known_one(fresh: Callable[[], Api]) -> None:
    api = fresh()
    statuses = [sign_in(api, "NOBODY", "whatever it is")[0] for _ in range(6)]
    assert statuses == [401] * 5 + [429]


def test_signing_out_ends_the_session(fresh: Callable[[], Api]) -> None:
    api = fresh()
    c101 = api.as_("C101")
    assert c101.delete(SESSION).status_code == 204
    answer = c101.get("/api/v1/me")
    assert answer.status_code == 401 and error_of(answer)["code"] == "unauthenticated"


def test_a_session_ends_after_ten_hours(fresh: Callable[[], Api]) -> None:
    api = fresh()
    c101 = api.as_("C101")
    api.clock.moment += timedelta(hours=9, minutes=59)
    assert c101.get("/api/v1/me").status_code == 200
    api.clock.moment += timedelta(minutes=1)
    assert c101.get("/api/v1/me").status_code == 401


def test_a_forged_or_stale_cookie_is_not_a_session(shared: Api) -> None:
    client = shared.anonymous()
    client.cookies.set("fc_session", "forged-token")
    assert client.get("/api/v1/me").status_code == 401


def test_a_sign_in_without_its_fields_names_the_missing_one(shared: Api) -> None:
    answer = shared.anonymous().post(SESSION, json={"user_id": "C101"})
    assert answer.status_code == 422
    assert error_of(answer)["field"] == "password"

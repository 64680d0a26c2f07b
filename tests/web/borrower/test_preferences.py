"""Contact preferences (DNC-1): the times a borrower asks for narrow the lawful window and
the channels they turn off stay off; the workbench's gate refuses a contact outside them;
at least one channel stays open; a slot cannot widen the lawful hours."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.scenarios.casework_world import DAY, at
from tests.web.borrower.support import ZHANG, sign_in
from tests.web.conftest import Clock

Portal = Callable[[], TestClient]
CASE = "C-B1-20260302"


def contact(channel: str, when: str) -> dict[str, str]:
    return {
        "channel": channel,
        "party": "borrower",
        "number": ZHANG,
        "outcome": "no_answer",
        "at": f"2026-03-02T{when}:00+08:00",
    }


def test_the_gate_keeps_to_the_borrowers_times_and_channels(
    portal: Portal, db_engine: Engine, clock: Clock, signed_in: Callable[[str], TestClient]
) -> None:
    zhang = sign_in(portal(), db_engine, ZHANG)
    wanted = {"contact_slots": [["18:00", "20:00"]], "channels_off": ["sms"]}
    put = zhang.put("/api/v1/borrower/preferences", json=wanted)
    assert put.status_code == 200, put.text
    assert put.json() == wanted
    assert zhang.get("/api/v1/borrower/preferences").json() == wanted

    c101 = signed_in("C101")
    morning = c101.post(f"/api/v1/cases/{CASE}/contacts", json=contact("call", "10:05"))
    assert morning.status_code == 422, morning.text
    denied = morning.json()
    assert [v["rule"] for v in denied["violations"]] == ["DNC-1"]
    assert denied["next_allowed_at"].startswith("2026-03-02T18:00")

    clock.moment = at(DAY, 18, 40)
    sms = c101.post(f"/api/v1/cases/{CASE}/contacts", json=contact("sms", "18:30"))
    assert sms.status_code == 422 and "DNC-1" in [v["rule"] for v in sms.json()["violations"]]
    evening = c101.post(f"/api/v1/cases/{CASE}/contacts", json=contact("call", "18:30"))
    assert evening.status_code == 201, evening.text

    assert zhang.get("/api/v1/borrower/preferences").status_code == 401  # 1 hour is over
    zhang = sign_in(portal(), db_engine, ZHANG)
    cleared = zhang.put("/api/v1/borrower/preferences", json={})
    assert cleared.json() == {"contact_slots": [], "channels_off": []}


def test_preferences_narrow_and_keep_a_channel_open(portal: Portal, db_engine: Engine) -> None:
    zhang = sign_in(portal(), db_engine, ZHANG)
    for body, field in (
        ({"contact_slots": [["21:00", "23:00"]]}, "contact_slots.0"),
        ({"contact_slots": [["07:00", "09:00"]]}, "contact_slots.0"),
        ({"contact_slots": [["20:00", "18:00"]]}, "contact_slots.0"),
        ({"contact_slots": [["18:00"]]}, "contact_slots.0"),
        ({"contact_slots": [["6pm", "8pm"]]}, "contact_slots.0"),
        ({"contact_slots": [["10:00", "11:00"]] * 5}, "contact_slots"),
        ({"channels_off": ["pigeon"]}, "channels_off.0"),
        ({"channels_off": ["visit"]}, "channels_off.0"),
        (
            {"channels_off": ["call", "sms", "email", "app_push", "wechat"]},
            "channels_off",
        ),
        ({"contact_slots": "18:00-20:00"}, "contact_slots"),
        ({"when": "never"}, "when"),
    ):
        answer = zhang.put("/api/v1/borrower/preferences", json=body)
        assert answer.status_code == 422, body
        assert answer.json()["error"]["field"] == field, (body, answer.json())
    assert zhang.get("/api/v1/borrower/preferences").json() == {
        "contact_slots": [],
        "channels_off": [],
    }
    token = zhang.headers.pop("X-CSRF-Token")
    assert zhang.put("/api/v1/borrower/preferences", json={}).status_code == 403
    zhang.headers["X-CSRF-Token"] = token

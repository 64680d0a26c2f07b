"""The web says every kind of refusal in Chinese and names its catalogue key; the same
refusals stay English in the CLI (``tests/integration/test_cli_refusals_en.py``).

Each kind once, through the API (``message``, ``key``, ``reasons``, ``reason_keys``) and
through a workbench page: a rule refusing a command (Refused), the gate denying a contact
(GateDenied), something not found or not the user's to see (NotFound), a role that may
not (PermissionDenied), a lifecycle rule (CaseworkError), a field the API checks itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.scenarios.casework_world import CASE
from tests.web.pages_support import text_of
from tests.web.test_pages import contact

SignedIn = Callable[[str], TestClient]
PageAs = Callable[[str], Any]

CJK = range(0x4E00, 0xA000)


def chinese(text: str) -> bool:
    return any(ord(ch) in CJK for ch in text)


def english_words(text: str) -> list[str]:
    """Runs of 4+ ASCII letters (ids such as ``PTP-1`` or ``L1`` are not words)."""
    import re

    return re.findall(r"[A-Za-z]{4,}", text)


def error(answer: Any) -> dict[str, Any]:
    body = answer.json()
    return {**body["error"], **{k: v for k, v in body.items() if k != "error"}}


# A rule refuses the command (Refused) ----------------------------------------------------

TOO_MUCH = {"loan_id": "L1", "amount": "99999.00", "due": "2026-03-06"}


def test_a_refused_promise_is_chinese_with_its_keys_in_the_api(signed_in: SignedIn) -> None:
    answer = signed_in("C101").post("/api/v1/promises", json=TOO_MUCH)
    assert answer.status_code == 422, answer.text
    found = error(answer)
    assert found["code"] == "refused" and found["key"] == "promise.refused"
    assert found["reason_keys"] == ["promise.above_owed"]
    (reason,) = found["reasons"]
    assert reason.startswith("PTP-1：承诺金额 99999.00 元超过依法应还的 ")
    assert reason.endswith(" 元")
    assert found["message"].startswith("借据 L1 的还款承诺未能记录：PTP-1：")
    assert not english_words(found["message"])


def test_a_refused_promise_is_chinese_on_the_case_page(page_as: PageAs) -> None:
    refused = page_as("C101").post(f"/cases/{CASE}/promises", TOO_MUCH, htmx=True)
    assert refused.status_code == 422
    text = text_of(refused.text)
    assert "承诺金额 99999.00 元超过依法应还的" in text
    assert "lawfully owed" not in text


# The gate denies a contact (GateDenied) --------------------------------------------------

LATE_CALL = {
    "channel": "call",
    "party": "borrower",
    "number": "13800000001",
    "outcome": "no_answer",
    "at": "2026-03-02T23:00:00+08:00",
    "recorded": True,
}


def test_a_denied_contact_is_chinese_with_the_rule_title_in_the_api(signed_in: SignedIn) -> None:
    answer = signed_in("C101").post(f"/api/v1/cases/{CASE}/contacts", json=LATE_CALL)
    assert answer.status_code == 422, answer.text
    found = error(answer)
    assert found["code"] == "denied" and found["key"] == "contact.refused"
    assert "CN-TIME-1：催收时段限制" in found["reasons"]
    assert "gate.violation" in found["reason_keys"]
    assert found["message"].startswith("催记未能保存：")
    rules = {v["rule"]: v for v in found["violations"]}
    assert rules["CN-TIME-1"]["title"] == "催收时段限制"
    assert rules["CN-TIME-1"]["reason"]  # the gate's own words stay beside the title


def test_a_denied_contact_on_the_page_shows_no_english(page_as: PageAs) -> None:
    late = contact("2026-03-02T23:00")
    refused = page_as("C101").post(f"/cases/{CASE}/contacts", late, htmx=True)
    assert refused.status_code == 422
    text = text_of(refused.text)
    assert "催收时段限制" in text and "从 3月3日 08:00 起可以联系" in text
    assert "outside" not in text and "window" not in text


# Not found, or not the user's to see (NotFound) ------------------------------------------


def test_a_case_not_yours_is_not_found_in_chinese_in_the_api(signed_in: SignedIn) -> None:
    answer = signed_in("C102").get(f"/api/v1/cases/{CASE}")
    assert answer.status_code == 404
    assert error(answer) == {
        "code": "not_found",
        "key": "case.not_found",
        "message": "未找到该案件，或您无权查看该案件",
    }


def test_a_case_not_yours_is_not_found_in_chinese_on_the_page(page_as: PageAs) -> None:
    answer = page_as("C102").get(f"/cases/{CASE}")
    assert answer.status_code == 404
    text = text_of(answer.text)
    assert "未找到该案件，或您无权查看该案件" in text and "no case" not in text


# The role may not (PermissionDenied) -----------------------------------------------------


def test_a_role_that_may_not_is_told_in_chinese_in_the_api(signed_in: SignedIn) -> None:
    answer = signed_in("Q001").post("/api/v1/promises", json=TOO_MUCH)
    assert answer.status_code == 403
    assert error(answer) == {
        "code": "forbidden",
        "key": "role.may_not",
        "message": "您的角色（质检）无权记录催记",
    }


def test_a_role_that_may_not_is_told_in_chinese_on_the_page(page_as: PageAs) -> None:
    answer = page_as("Q001").post(f"/cases/{CASE}/promises", TOO_MUCH, htmx=True)
    assert answer.status_code == 403
    text = text_of(answer.text)
    assert "您的角色（质检）无权记录催记" in text and "may not" not in text


# A rule of the lifecycle (CaseworkError) -------------------------------------------------

BIG_WAIVER = {"case_id": CASE, "loan_id": "L1", "kind": "waiver", "component": "penalty"}


def test_a_waiver_above_what_is_unpaid_is_chinese_in_yuan_in_the_api(
    signed_in: SignedIn,
) -> None:
    answer = signed_in("C101").post("/api/v1/proposals", json={**BIG_WAIVER, "amount": "5000.00"})
    assert answer.status_code == 422, answer.text
    found = error(answer)
    assert found["key"] == "proposal.waiver_exceeds"
    assert found["message"].startswith("该减免超过未还金额：罚息减免 5000.00 元，未还仅 ")
    assert found["reasons"] == [found["message"]] and found["reason_keys"] == [found["key"]]


def test_a_waiver_above_what_is_unpaid_is_chinese_on_the_page(page_as: PageAs) -> None:
    form = {"loan_id": "L1", "kind": "waiver", "component": "penalty", "amount": "5000.00"}
    answer = page_as("C101").post(f"/cases/{CASE}/proposals", form, htmx=True)
    assert answer.status_code == 422, answer.text
    text = text_of(answer.text)
    assert "该减免超过未还金额：罚息减免 5000.00 元" in text and "fen" not in text


# A field the API checks itself (InvalidField) --------------------------------------------


def test_a_time_without_its_offset_is_chinese_with_a_key(signed_in: SignedIn) -> None:
    naive = {**LATE_CALL, "at": "2026-03-02T10:00:00"}
    answer = signed_in("C101").post(f"/api/v1/cases/{CASE}/contacts", json=naive)
    assert answer.status_code == 422, answer.text
    assert error(answer) == {
        "code": "invalid",
        "key": "input.time_offset",
        "field": "at",
        "message": "时间须带时区，例如 2026-12-02T10:30:00+08:00",
    }


# Who did what, as people read it --------------------------------------------------------


def test_the_case_history_names_people_not_ids(page_as: PageAs) -> None:
    html = page_as("C101").get(f"/cases/{CASE}").text
    history = text_of(html[html.index('id="history"') :])
    assert "立案" in history and "系统自动" in history
    assert "system" not in history


def test_system_actors_and_users_are_named_once() -> None:
    from faircollect.services.casework.night_placements import NIGHT_ACTOR
    from faircollect.web.pages.labels import who

    assert who(NIGHT_ACTOR.user_id) == "夜间批处理"
    assert who("C101", {"C101": "王催收"}) == "王催收（C101）"
    assert who("borrower:B1") == "借款人本人"
    assert who("GONE") == "GONE"


def test_the_timeline_names_the_collector_who_recorded_a_contact(page_as: PageAs) -> None:
    c101 = page_as("C101")
    stored = c101.post(f"/cases/{CASE}/contacts", contact("2026-03-02T09:30"))
    assert stored.status_code in (200, 303), stored.text
    page = text_of(c101.get(f"/cases/{CASE}").text)
    assert "王催收（C101）" in page

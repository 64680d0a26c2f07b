"""The gate and the screener for other systems (dialers, SMS gateways): decide proposed
contacts, screen texts. The CLI streams (``check-action``, ``screen``) and the API
(``POST /api/v1/check-action``, ``/screen``) give the same JSON for the same input."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from functools import lru_cache
from typing import Any

from faircollect.adapters.lender_file import lender_profile
from faircollect.domain.compliance.action_json import (
    ActionInputError,
    action_from_json,
    decision_to_json,
    error_to_json,
)
from faircollect.domain.compliance.explain import Explanation, explain
from faircollect.domain.compliance.gate import Gate
from faircollect.domain.compliance.pack import RuleInfo, RulePack, default_pack
from faircollect.domain.compliance.screener import screen
from faircollect.domain.messages import Message

MAX_TEXT = 65_536
"""Characters of one message screened; longer is that item's error (bounded memory)."""


@lru_cache(maxsize=1)
def shipped_gate() -> Gate:
    """The gate under the shipped rule pack with the real screener (built once)."""
    return Gate(default_pack(), screen)


def decide_items(items: Iterable[object], gate: Gate | None = None) -> list[dict[str, Any]]:
    """One decision per proposed contact, in order; an unreadable item gets its error
    object (numbered from 1, like a line) and the rest are still decided."""
    chosen = gate or shipped_gate()
    out = []
    for number, item in enumerate(items, start=1):
        try:
            out.append(decision_to_json(chosen.decide(action_from_json(item))))
        except ActionInputError as error:
            action_id = item.get("id") if isinstance(item, dict) else None
            out.append(error_to_json(number, action_id, error))
    return out


def screen_result(message_id: object, text: str) -> dict[str, Any]:
    """The screener's answer for one text: its labels and every finding with offsets."""
    findings = screen(text)
    return {
        "id": message_id,
        "labels": list(dict.fromkeys(f.label.value for f in findings)),
        "findings": [
            {
                "label": f.label.value,
                "rule": f.rule,
                "start": f.start,
                "end": f.end,
                "evidence": f.evidence,
            }
            for f in findings
        ],
    }


def screen_items(items: Iterable[object]) -> list[dict[str, Any]]:
    """``screen_result`` for each ``{"id", "text"}``; a bad item gets an error object."""
    out = []
    for number, item in enumerate(items, start=1):
        problem = _screen_item_problem(item)
        if problem is not None:
            item_id = item.get("id") if isinstance(item, dict) else None
            out.append({"id": item_id, "error": {"item": number, **problem}})
        else:
            assert isinstance(item, dict)
            out.append(screen_result(item["id"], item["text"]))
    return out


def _screen_item_problem(item: object) -> dict[str, str] | None:
    if not isinstance(item, dict):
        return {"field": "(item)", "message": "expected an object with id and text"}
    if not isinstance(item.get("id"), str | int) or isinstance(item.get("id"), bool):
        return {"field": "id", "message": "expected a string or whole number"}
    text = item.get("text")
    if not isinstance(text, str):
        return {"field": "text", "message": "expected a string"}
    if len(text) > MAX_TEXT:
        return {"field": "text", "message": f"longer than {MAX_TEXT} characters"}
    return None


def explanation_of(text: str, pack: RulePack | None = None) -> Explanation:
    """For a borrower: is this collection message lawful, which parts are not, which rule,
    what to do, with the lender's own complaint line first."""
    return explain(screen(text), pack or default_pack(), lender_profile().complaint_line)


def check_message(text: str, pack: RulePack | None = None) -> dict[str, Any]:
    """``explanation_of`` as the JSON ``check-message --json`` prints and the portal shows."""
    found = explanation_of(text, pack)
    return {"lawful": found.lawful, **asdict(found)}


def rule_texts(rule_ids: Iterable[str], pack: RulePack | None = None) -> dict[str, RuleInfo]:
    """The rule pack's title, citation and explanation for each known id (a page shows
    them beside a refusal); ids the pack does not hold are left out."""
    chosen = pack or default_pack()
    known = {rule.id: rule for rule in chosen.rules()}
    return {rule_id: known[rule_id] for rule_id in rule_ids if rule_id in known}


def violation_message(rule: str, reason: str, pack: RulePack | None = None) -> Message:
    """A gate violation as a refusal's reason: ``RULE: reason`` in English (the gate's own
    words), the rule id and the pack's Chinese title in Chinese (the pack holds every
    rule's Chinese texts; they are not written again in the catalogue)."""
    info = rule_texts([rule], pack).get(rule)
    title = info.title_zh if info is not None else reason
    return Message("gate.violation", rule=rule, reason=reason, title=title)

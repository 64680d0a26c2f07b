"""The shipped `cn` pack: every DOMAIN.md rule with its citation, bilingual text and parameters."""

from __future__ import annotations

import re
from datetime import time
from decimal import Decimal

import pytest

from faircollect.domain.compliance.findings import RULE_FOR_LABEL
from faircollect.domain.compliance.pack import (
    RulePackError,
    UnknownRuleError,
    default_pack,
    pack_from_mapping,
)

DOMAIN_IDS = [
    "CN-TIME-1",
    "CN-FREQ-1",
    "CN-3P-1",
    "CN-VISIT-1",
    "CN-PROH-1",
    "CC-68",
    "RET-1",
    "CRIM-1",
    "SOFT-1",
    "RATE-1",
    "RATE-1s",
    "RATE-2",
    "KANTOU-1",
    "PI-1",
    "COMP-1",
    "TRUTH-1",
]
OWN_IDS = ["DNC-1", "PTP-1"]
"""Rules of faircollect's own beside DOMAIN.md's: do-not-contact channels, sane promises."""
HAN = re.compile(r"[\u4e00-\u9fff]")


def test_pack_holds_every_domain_rule_and_its_own() -> None:
    assert sorted(r.id for r in default_pack().rules()) == sorted([*DOMAIN_IDS, *OWN_IDS])


@pytest.mark.parametrize("rule_id", [*DOMAIN_IDS, *OWN_IDS])
def test_each_rule_is_cited_and_explained_in_both_languages(rule_id: str) -> None:
    rule = default_pack().rule(rule_id)
    assert rule.id == rule_id
    assert HAN.search(rule.citation)
    assert HAN.search(rule.title_zh) and HAN.search(rule.explain_zh)
    assert not HAN.search(rule.title_en) and not HAN.search(rule.explain_en)
    assert rule.confidence in {"H", "M", "L", "H/M"}


def test_every_rule_a_screener_label_points_to_is_in_the_pack() -> None:
    ids = {r.id for r in default_pack().rules()}
    assert set(RULE_FOR_LABEL.values()) <= ids


def test_default_parameters_are_the_legal_floor() -> None:
    p = default_pack().parameters
    assert (p.hours_start, p.hours_end) == (time(8), time(22))
    assert (p.max_unanswered_calls_per_day, p.unreachable_after_failed_attempts) == (6, 3)
    assert (p.visit_staff_min, p.visit_staff_max) == (2, 2)
    assert p.complaint_pause is True
    assert p.retention_years == 5
    assert (p.rate_cap_apr, p.lpr_multiple) == (Decimal("0.24"), Decimal("4"))


def test_pack_is_versioned_and_cached() -> None:
    assert default_pack().version == "cn-2026.1"
    assert default_pack() is default_pack()


def test_unknown_rule_id_is_a_key_error_naming_it() -> None:
    with pytest.raises(UnknownRuleError, match="NOPE-1") as caught:
        default_pack().rule("NOPE-1")
    assert isinstance(caught.value, KeyError)


def _minimal() -> dict[str, object]:
    params = {
        "hours_start": "08:00",
        "hours_end": "22:00",
        "max_unanswered_calls_per_day": 6,
        "unreachable_after_failed_attempts": 3,
        "visit_staff_min": 2,
        "visit_staff_max": 2,
        "complaint_pause": True,
        "retention_years": 5,
        "rate_cap_apr": "0.24",
        "lpr_multiple": 4,
    }
    rule = {
        "id": "X-1",
        "citation": "c",
        "confidence": "H",
        "title_zh": "甲",
        "title_en": "a",
        "explain_zh": "乙",
        "explain_en": "b",
    }
    return {"version": "t", "parameters": params, "rules": [rule]}


BROKEN_PACKS = [
    ("unknown top-level key", {"extra": 1}, "extra"),
    ("missing version", {"version": ""}, "version"),
    (
        "rule with unknown key",
        {"rules": [{**_minimal()["rules"][0], "colour": "red"}]},
        "rules[0].colour",
    ),  # type: ignore[index]
    ("rule missing title", {"rules": [{"id": "X-1"}]}, "rules[0].citation"),
    ("duplicate ids", {"rules": [_minimal()["rules"][0]] * 2}, "rules"),  # type: ignore[index]
    ("no rules", {"rules": []}, "rules"),
]


@pytest.mark.parametrize(("case", "change", "key"), BROKEN_PACKS, ids=[c for c, *_ in BROKEN_PACKS])
def test_broken_pack_data_names_the_key(case: str, change: dict[str, object], key: str) -> None:
    with pytest.raises(RulePackError) as caught:
        pack_from_mapping({**_minimal(), **change}, "pack.yaml")
    assert caught.value.key == key
    assert str(caught.value).startswith(f"pack.yaml: {key}: ")


def test_minimal_pack_builds() -> None:
    assert pack_from_mapping(_minimal(), "pack.yaml").rule("X-1").title_zh == "甲"

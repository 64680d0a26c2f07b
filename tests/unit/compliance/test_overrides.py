"""A lender's overrides file may tighten the `cn` parameters, never loosen them."""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from pathlib import Path

import pytest

from faircollect.domain.compliance.pack import RulePackError, default_pack, load_pack, tighten

TIGHTER = [
    ("hours_start", "09:00", time(9)),
    ("hours_end", "20:30", time(20, 30)),
    ("max_unanswered_calls_per_day", 3, 3),
    ("unreachable_after_failed_attempts", 5, 5),
    ("retention_years", 10, 10),
    ("rate_cap_apr", "0.18", Decimal("0.18")),
    ("rate_cap_apr", 0.2, Decimal("0.2")),
    ("lpr_multiple", 3, Decimal("3")),
    ("visit_staff_max", 2, 2),
    ("complaint_pause", True, True),
]


@pytest.mark.parametrize(
    ("name", "value", "expected"), TIGHTER, ids=[f"{n}={v}" for n, v, _ in TIGHTER]
)
def test_tightening_is_accepted(name: str, value: object, expected: object) -> None:
    pack = tighten(default_pack(), {"parameters": {name: value}}, "lender.yaml")
    assert getattr(pack.parameters, name) == expected
    assert pack.version == "cn-2026.1+lender"
    assert pack.rules() == default_pack().rules()


LOOSER = [
    ("hours_start", "07:00", "hours_start must be at least 08:00"),
    ("hours_end", "23:00", "hours_end must be at most 22:00"),
    ("max_unanswered_calls_per_day", 7, "max_unanswered_calls_per_day must be at most 6"),
    ("unreachable_after_failed_attempts", 2, "must be at least 3"),
    ("visit_staff_max", 3, "visit_staff_max must be at most 2"),
    ("visit_staff_max", 1, "visit_staff_min must be at least 2"),
    ("visit_staff_min", 1, "visit_staff_min must be at least 2"),
    ("retention_years", 4, "retention_years must be at least 5"),
    ("rate_cap_apr", "0.36", "rate_cap_apr must be at most 0.24"),
    ("lpr_multiple", 4.5, "lpr_multiple must be at most 4"),
    ("complaint_pause", False, "complaint_pause must stay true"),
]


@pytest.mark.parametrize(
    ("name", "value", "message"), LOOSER, ids=[f"{n}={v}" for n, v, _ in LOOSER]
)
def test_loosening_below_the_floor_is_refused(name: str, value: object, message: str) -> None:
    with pytest.raises(RulePackError) as caught:
        tighten(default_pack(), {"parameters": {name: value}}, "lender.yaml")
    assert caught.value.source == "lender.yaml"
    assert message in str(caught.value)
    assert "legal floor" in str(caught.value)


INVALID = [
    ("unknown parameter", {"parameters": {"max_calls": 3}}, "parameters.max_calls", "unknown key"),
    ("unknown top key", {"rules": []}, "rules", "unknown key"),
    (
        "int as string",
        {"parameters": {"retention_years": "7"}},
        "parameters.retention_years",
        "integer",
    ),
    (
        "bool as int",
        {"parameters": {"retention_years": True}},
        "parameters.retention_years",
        "integer",
    ),
    ("bad time", {"parameters": {"hours_end": "9pm"}}, "parameters.hours_end", "HH:MM"),
    (
        "impossible time",
        {"parameters": {"hours_end": "25:00"}},
        "parameters.hours_end",
        "time of day",
    ),
    (
        "rate not a number",
        {"parameters": {"rate_cap_apr": "low"}},
        "parameters.rate_cap_apr",
        "decimal",
    ),
    (
        "negative rate",
        {"parameters": {"rate_cap_apr": "-0.1"}},
        "parameters.rate_cap_apr",
        "positive",
    ),
    ("parameters not a mapping", {"parameters": [1]}, "parameters", "mapping"),
    ("file is a list", [1, 2], "(top level)", "mapping"),
    ("bad name", {"name": "my lender!"}, "name", "short name"),
    (
        "empty window",
        {"parameters": {"hours_start": "12:00", "hours_end": "12:00"}},
        "parameters.hours_start",
        "before",
    ),
    (
        "zero attempts",
        {"parameters": {"max_unanswered_calls_per_day": 0}},
        "parameters.max_unanswered_calls_per_day",
        "at least 1",
    ),
]


@pytest.mark.parametrize(("case", "data", "key", "message"), INVALID, ids=[c for c, *_ in INVALID])
def test_invalid_overrides_name_the_key(case: str, data: object, key: str, message: str) -> None:
    with pytest.raises(RulePackError) as caught:
        tighten(default_pack(), data, "lender.yaml")
    assert caught.value.key == key
    assert message in caught.value.message


def test_load_pack_reads_a_yaml_file(tmp_path: Path) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text(
        "name: acme\nparameters:\n  hours_start: '09:00'\n  rate_cap_apr: 0.2\n", "utf-8"
    )
    pack = load_pack(path)
    assert pack.version == "cn-2026.1+acme"
    assert pack.parameters.hours_start == time(9)
    assert pack.parameters.rate_cap_apr == Decimal("0.2")
    assert default_pack().parameters.hours_start == time(8)


def test_load_pack_without_a_file_is_the_default() -> None:
    assert load_pack(None) is default_pack()


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("parameters:\n  hours_start: '09:00'\n bad: [\n", "utf-8")
    with pytest.raises(RulePackError) as caught:
        load_pack(path)
    assert caught.value.source == str(path)
    assert caught.value.key.startswith("line ")


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(RulePackError, match="cannot read"):
        load_pack(tmp_path / "absent.yaml")

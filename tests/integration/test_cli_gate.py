"""The CLI contracts: ``check-action`` JSON Lines in and out, ``rules list`` / ``rules show``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from faircollect.cli.app import app

RUNNER = CliRunner()


@pytest.fixture(autouse=True)
def _no_rules_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A FAIRCOLLECT_RULES set in the developer's shell must not change these expectations."""
    monkeypatch.delenv("FAIRCOLLECT_RULES", raising=False)


LATE_CALL = {
    "id": "a1",
    "channel": "call",
    "party": "borrower",
    "purpose": "collect",
    "at": "2026-11-28T22:30:00+08:00",
    "phone": "13800000000",
    "recorded": True,
}
OK_CALL = {**LATE_CALL, "id": "a2", "at": "2026-11-28T10:00:00+08:00"}
SPOUSE_COLLECT = {**OK_CALL, "id": "a3", "party": "spouse", "discloses_debt": False}


def run_lines(
    lines: list[str], *args: str, env: dict[str, str] | None = None
) -> tuple[int, list[dict[str, Any]]]:
    result = RUNNER.invoke(
        app, ["check-action", *args], input="".join(f"{line}\n" for line in lines), env=env
    )
    outputs = [json.loads(line) for line in result.stdout.splitlines()]
    return result.exit_code, outputs


def as_line(action: dict[str, Any]) -> str:
    return json.dumps(action, ensure_ascii=False)


def test_one_decision_per_line_in_order_with_the_exact_shape() -> None:
    code, outputs = run_lines([as_line(LATE_CALL), as_line(OK_CALL), as_line(SPOUSE_COLLECT)])
    assert code == 0
    assert outputs == [
        {
            "id": "a1",
            "allowed": False,
            "violations": [
                {
                    "rule": "CN-TIME-1",
                    "reason": "22:30 is outside 08:00-22:00 Asia/Shanghai and no slot the "
                    "borrower consented to covers it",
                }
            ],
            "next_allowed_at": "2026-11-29T08:00:00+08:00",
        },
        {"id": "a2", "allowed": True, "violations": [], "next_allowed_at": None},
        {
            "id": "a3",
            "allowed": False,
            "violations": [
                {
                    "rule": "CN-3P-1",
                    "reason": "collecting from a third party (spouse) is not allowed",
                },
                {
                    "rule": "CC-68",
                    "reason": "collect only from the borrower or a guarantor, not spouse",
                },
                {
                    "rule": "CN-3P-1",
                    "reason": "the borrower is reachable: number valid and 0 consecutive failed "
                    "attempts (a third party needs 3 or an invalid number)",
                },
            ],
            "next_allowed_at": None,
        },
    ]


def test_bad_lines_get_an_error_object_and_the_rest_are_decided() -> None:
    lines = [
        as_line(OK_CALL),
        "{not json",
        "",
        as_line({**OK_CALL, "id": "naive", "at": "2026-11-28T10:00:00"}),
        as_line({**OK_CALL, "id": "b5", "borrower": {"consented_slots": [["22:00", "x"]]}}),
        as_line({**OK_CALL, "id": "last"}),
    ]
    code, outputs = run_lines(lines)
    assert code == 1
    assert [o["id"] for o in outputs] == ["a2", None, None, "naive", "b5", "last"]
    assert [o["allowed"] for o in outputs] == [True, False, False, False, False, True]
    errors = [(o["error"]["line"], o["error"]["field"]) for o in outputs if "error" in o]
    assert errors == [
        (2, "(line)"),
        (3, "(line)"),
        (4, "at"),
        (5, "borrower.consented_slots[0][1]"),
    ]
    assert "no UTC offset" in outputs[3]["error"]["message"]
    assert outputs[3]["violations"] == [] and outputs[3]["next_allowed_at"] is None


def test_next_allowed_at_is_in_the_borrowers_zone() -> None:
    late_in_utc = {**LATE_CALL, "at": "2026-11-28T14:30:00Z"}
    _, (output,) = run_lines([as_line(late_in_utc)])
    assert output["next_allowed_at"] == "2026-11-29T08:00:00+08:00"


def test_chinese_reasons_are_not_escaped() -> None:
    relay = {
        **OK_CALL,
        "party": "emergency_contact",
        "purpose": "relay",
        "channel": "sms",
        "text": "他逾期了",
        "discloses_debt": False,
        "borrower": {"number_invalid": True},
    }
    result = RUNNER.invoke(app, ["check-action"], input=as_line(relay) + "\n")
    assert "「逾期」" in result.stdout


@pytest.fixture
def tight_rules(tmp_path: Path) -> Path:
    path = tmp_path / "acme.yaml"
    path.write_text("name: acme\nparameters:\n  hours_end: '20:00'\n", "utf-8")
    return path


def test_rules_file_tightens_the_gate(tight_rules: Path) -> None:
    evening = {**OK_CALL, "at": "2026-11-28T20:30:00+08:00"}
    _, (default,) = run_lines([as_line(evening)])
    _, (tight,) = run_lines([as_line(evening)], "--rules", str(tight_rules))
    _, (from_env,) = run_lines([as_line(evening)], env={"FAIRCOLLECT_RULES": str(tight_rules)})
    assert default["allowed"] is True
    assert tight["allowed"] is False and "08:00-20:00" in tight["violations"][0]["reason"]
    assert from_env == tight


def test_loosening_rules_file_exits_2_naming_file_and_parameter(tmp_path: Path) -> None:
    path = tmp_path / "loose.yaml"
    path.write_text("parameters:\n  max_unanswered_calls_per_day: 10\n", "utf-8")
    result = RUNNER.invoke(
        app, ["check-action", "--rules", str(path)], input=as_line(OK_CALL) + "\n"
    )
    assert result.exit_code == 2
    assert result.stdout == ""
    assert str(path) in result.stderr
    assert "max_unanswered_calls_per_day must be at most 6" in result.stderr


def test_rules_list_shows_every_rule_with_citations() -> None:
    result = RUNNER.invoke(app, ["rules", "list"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for rule_id in ("CN-TIME-1", "CN-FREQ-1", "CN-3P-1", "CRIM-1", "RATE-1s", "KANTOU-1", "DNC-1"):
        assert rule_id in result.stdout
    assert "cn-2026.1" in result.stdout
    assert "刑法" in result.stdout
    assert "催收时段限制" in result.stdout


def test_rules_list_shows_effective_parameters_beside_the_floor(tight_rules: Path) -> None:
    result = RUNNER.invoke(
        app, ["rules", "list", "--rules", str(tight_rules)], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0
    (row,) = [line for line in result.stdout.splitlines() if "hours_end" in line]
    assert [cell.strip() for cell in row.strip("│ ").split("│")] == [
        "hours_end",
        "20:00",
        "22:00",
        "CN-TIME-1",
    ]
    assert "cn-2026.1+acme" in result.stdout


def test_rules_show_prints_citation_explanations_and_effective_parameters(
    tight_rules: Path,
) -> None:
    result = RUNNER.invoke(
        app, ["rules", "show", "CN-TIME-1", "--rules", str(tight_rules)], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0
    assert "金融机构个人消费类贷款催收工作指引" in result.stdout
    assert "Contact hours" in result.stdout and "催收时段限制" in result.stdout
    assert "hours_end = 20:00" in result.stdout
    assert "cn-2026.1+acme" in result.stdout


def test_rules_show_unknown_id_fails_listing_known_ids() -> None:
    result = RUNNER.invoke(app, ["rules", "show", "CN-NOPE"])
    assert result.exit_code == 2
    assert "unknown rule id 'CN-NOPE'" in result.stderr
    assert "CN-TIME-1" in result.stderr


@pytest.mark.parametrize(
    "line",
    [
        '{"id": "a1", "score": NaN}',  # orjson refuses NaN; the standard library accepts it
        '{"id": "a1", "big": 123456789012345678901234567890}',  # beyond 64 bits
        '{"id": "\\ud800"}',  # a lone surrogate escape
        '{"id": "a1", "text": "请于3日前还款"}',
        '{"id": "a", "id": "b", "n": -0, "x": 1e400, "y": 1.5E-3}',  # last key wins; floats
        '{"visit": {"staff": 18446744073709551616}}',
    ],
)
def test_parse_line_reads_what_json_loads_reads(line: str) -> None:
    from faircollect.cli.gate import parse_line

    assert repr(parse_line(line)) == repr(json.loads(line))


@pytest.mark.parametrize("line", ["{", '{"id": }', "[1, 2", '{"a": 1} x', "nul"])
def test_parse_line_reports_the_standard_librarys_message(line: str) -> None:
    from faircollect.cli.gate import parse_line

    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(line)
    with pytest.raises(json.JSONDecodeError) as got:
        parse_line(line)
    assert (got.value.msg, got.value.pos) == (expected.value.msg, expected.value.pos)


def test_output_lines_are_utf8_json_with_chinese_as_is() -> None:
    from faircollect.cli.gate import format_line

    line = format_line({"id": "a1", "violations": [{"reason": "「逾期」"}]})
    assert line.endswith("\n") and line.count("\n") == 1
    assert "「逾期」" in line and json.loads(line) == {
        "id": "a1",
        "violations": [{"reason": "「逾期」"}],
    }

"""The first-call script as data: loaded from YAML, checked, and screened before use.

The wording is the lender's to edit, the structure is not: the eight steps and the four
consequence kinds are fixed here, so an edited file can change how a true consequence is
worded but can never add a false one. Every text is put through the injected screener at
load time and a script with a flagged passage is refused, naming the step and the finding.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from string import Formatter

import yaml

from faircollect.domain.casework.errors import Refused
from faircollect.domain.compliance.findings import Finding
from faircollect.domain.messages import Message


class Step(StrEnum):
    """The eight steps of the seed's first call (steps 7 and 8 are one closing step)."""

    PREPARE = "prepare"
    CONFIRM_IDENTITY = "confirm_identity"
    STATE_IDENTITY = "state_identity"
    ASK_PAYMENT_TODAY = "ask_payment_today"
    LEARN_REASON = "learn_reason"
    EXPLAIN_CONSEQUENCES = "explain_consequences"
    OBTAIN_PROMISE = "obtain_promise"
    UPDATE_FILE = "update_file"


class ConsequenceKind(StrEnum):
    """The only consequences the call may state; each is true of a delinquent loan."""

    PENALTY = "penalty"  # 罚息
    CREDIT_REPORT = "credit_report"  # 征信
    FUTURE_CREDIT = "future_credit"  # 今后的信贷
    RIGHT_TO_SUE = "right_to_sue"  # 依法起诉的权利


PLACEHOLDERS = frozenset(
    {
        "borrower_name",
        "collector_name",
        "speaker",
        "contract_note",
        "lender_name",
        "total_overdue",
        "overdue_principal",
        "overdue_interest",
        "penalty",
        "dpd",
        "penalty_per_day",
    }
)
"""Names a script text may use in ``{braces}``; all are filled from the account."""

Screen = Callable[[str], Sequence[Finding]]


@dataclass(frozen=True, slots=True)
class StepText:
    title: str
    say: str
    """What the collector says (to the borrower)."""
    guide: str
    """Guidance for the collector only."""


@dataclass(frozen=True, slots=True)
class CallScript:
    name: str
    steps: Mapping[Step, StepText]
    consequences: Mapping[ConsequenceKind, str]


def load_script(text: str, screen: Screen, source: str = "first_call.yaml") -> CallScript:
    """Parse, check and screen a script; raise Refused naming file, line and field."""
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise Refused(Message("file.not_yaml", source=source), [str(err)]) from err
    lines = line_index(root)
    problems = _shape_problems(data, source, lines)
    if problems:
        raise Refused(Message("script.refused", source=source), problems)
    script = _build(data)
    flagged = _screen_problems(script, screen, source, lines)
    if flagged:
        raise Refused(Message("script.screened", source=source), flagged)
    return script


def texts(script: CallScript) -> list[tuple[str, str, str]]:
    """Every (section, field, text) in a script: what is screened and checked."""
    out = [
        (step.value, field, getattr(body, field))
        for step, body in script.steps.items()
        for field in ("title", "say", "guide")
    ]
    out.extend(("consequences", kind.value, text) for kind, text in script.consequences.items())
    return out


def line_index(node: yaml.Node | None, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], int]:
    """1-based line of every mapping key path, so errors can point into the file."""
    index: dict[tuple[str, ...], int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            key_path = (*path, str(key.value))
            index[key_path] = key.start_mark.line + 1
            index.update(line_index(value, key_path))
    return index


def locate(source: str, lines: Mapping[tuple[str, ...], int], *path: str) -> str:
    for depth in range(len(path), 0, -1):
        if path[:depth] in lines:
            return f"{source}:{lines[path[:depth]]}: {'.'.join(path)}"
    return f"{source}: {'.'.join(path)}"


def _shape_problems(data: object, source: str, lines: Mapping[tuple[str, ...], int]) -> list[str]:
    if not isinstance(data, dict):
        return [f"{source}: the script must be a mapping with 'steps' and 'consequences'"]
    problems: list[str] = []
    for section, names in (("steps", list(Step)), ("consequences", list(ConsequenceKind))):
        body = data.get(section)
        if not isinstance(body, dict):
            problems.append(f"{locate(source, lines, section)}: missing or not a mapping")
            continue
        allowed = {name.value for name in names}
        problems.extend(
            f"{locate(source, lines, section, str(key))}: unknown {section[:-1]}"
            f" (allowed: {', '.join(sorted(allowed))})"
            for key in body
            if key not in allowed
        )
        problems.extend(
            f"{locate(source, lines, section)}.{name}: missing"
            for name in sorted(allowed - set(body))
        )
        if section == "steps":
            problems.extend(_step_problems(body, source, lines))
        else:
            problems.extend(
                _text_problems(value, source, lines, section, str(key))
                for key, value in body.items()
                if key in allowed
            )
    return [p for p in problems if p]


def _step_problems(
    steps: dict[object, object], source: str, lines: Mapping[tuple[str, ...], int]
) -> list[str]:
    problems: list[str] = []
    for key, body in steps.items():
        if key not in set(Step):
            continue
        if not isinstance(body, dict):
            problems.append(f"{locate(source, lines, 'steps', str(key))}: not a mapping")
            continue
        for field in ("title", "say"):
            problems.append(
                _text_problems(body.get(field), source, lines, "steps", str(key), field)
            )
        if "guide" in body:
            problems.append(
                _text_problems(body["guide"], source, lines, "steps", str(key), "guide")
            )
    return problems


def _text_problems(
    value: object, source: str, lines: Mapping[tuple[str, ...], int], *path: str
) -> str:
    """'' when ``value`` is a usable text, else the problem."""
    where = locate(source, lines, *path)
    if not isinstance(value, str) or not value.strip():
        return f"{where}: missing or not a text"
    try:
        names = {name for _, name, _, _ in Formatter().parse(value) if name is not None}
    except ValueError as err:
        return f"{where}: bad placeholder ({err})"
    unknown = sorted(names - PLACEHOLDERS)
    return f"{where}: unknown placeholder {{{', '.join(unknown)}}}" if unknown else ""


def _build(data: dict[str, dict[str, object]]) -> CallScript:
    steps: dict[Step, StepText] = {}
    for step in Step:
        body = data["steps"][step.value]
        assert isinstance(body, dict)
        steps[step] = StepText(str(body["title"]), str(body["say"]), str(body.get("guide", "")))
    consequences = {kind: str(data["consequences"][kind.value]) for kind in ConsequenceKind}
    return CallScript(str(data.get("name", "")), steps, consequences)


def _screen_problems(
    script: CallScript, screen: Screen, source: str, lines: Mapping[tuple[str, ...], int]
) -> list[str]:
    problems: list[str] = []
    for section, field, text in texts(script):
        path = ("steps", section, field) if section != "consequences" else (section, field)
        problems.extend(
            f"{locate(source, lines, *path)}: {finding.rule} {finding.label} «{finding.evidence}»"
            for finding in screen(text)
        )
    return problems

"""Rule packs: versioned rule data (ids, citations, explanations) plus typed parameters.

The pack is pure data. Building one from a mapping (``pack_from_mapping``) and tightening it
with a lender's overrides (``tighten``) are pure functions that validate every key and name
the offending one; reading YAML files lives in ``pack_loader`` so this module does no I/O.
``default_pack`` and ``load_pack`` are the entry points the rest of the code calls.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, fields, replace
from datetime import time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from faircollect.domain.bad_input import BadInput


class RulePackError(BadInput):
    """A rule pack or overrides file that cannot be used; names the source and the key."""

    def __init__(self, source: str, key: str, message: str) -> None:
        self.source = source
        self.key = key
        self.message = message
        super().__init__(f"{source}: {key}: {message}")


class UnknownRuleError(KeyError):
    """A rule id that the pack does not hold."""

    def __str__(self) -> str:
        return f"unknown rule id {self.args[0]!r}"


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """One rule as shown to people: stable id, legal source, bilingual title and explanation."""

    id: str
    citation: str
    title_zh: str
    title_en: str
    explain_zh: str
    explain_en: str
    confidence: str
    """H = official text; M = consistent secondary reports; L = low (see DOMAIN.md)."""
    parameters: tuple[str, ...]
    """Names of the ``Parameters`` fields this rule uses (shown by ``rules show``)."""


@dataclass(frozen=True, slots=True)
class Parameters:
    """The policy numbers of a pack. In the ``cn`` pack they are the legal floor."""

    hours_start: time
    """CN-TIME-1: earliest local time of a real-time contact (inclusive)."""
    hours_end: time
    """CN-TIME-1: real-time contacts happen strictly before this local time."""
    max_unanswered_calls_per_day: int
    """CN-FREQ-1: unanswered call attempts allowed per phone number per local day."""
    unreachable_after_failed_attempts: int
    """CN-3P-1: consecutive failed attempts after which the borrower counts as unreachable."""
    visit_staff_min: int
    """CN-VISIT-1: fewest staff on a home visit."""
    visit_staff_max: int
    """CN-VISIT-1: most staff on a home visit."""
    complaint_pause: bool
    """COMP-1: an open complaint pauses collection contact (the floor is ``True``)."""
    retention_years: int
    """RET-1: years contact records and recordings are kept."""
    rate_cap_apr: Decimal
    """RATE-2: cap on total financing cost, as an annual rate (0.24 = 24%)."""
    lpr_multiple: Decimal
    """RATE-1: private-lending cap as a multiple of the one-year LPR."""
    max_third_parties_per_day: int = 2
    """CN-3P-1: distinct third-party numbers contacted per borrower per local day."""
    max_third_parties_per_month: int = 4
    """CN-3P-1: distinct third-party numbers contacted per borrower per calendar month."""
    visit_notice_days: int = 3
    """CN-VISIT-1: days the visit notice letter must have gone out before the visit."""
    promise_min_amount: Decimal = Decimal("100")
    """TRUTH-1 / sane promises: a promise is at least this many yuan (or the whole overdue
    amount when that is less)."""
    promise_horizon_days: int = 30
    """A promise falls due within this many days of the day it is made."""


def _parse_time(value: object) -> time:
    if not isinstance(value, str) or not re.fullmatch(r"\d{2}:\d{2}", value):
        raise ValueError(f'expected a time "HH:MM", got {value!r}')
    hour, minute = int(value[:2]), int(value[3:])
    if hour > 23 or minute > 59:
        raise ValueError(f"not a time of day: {value!r}")
    return time(hour, minute)


def _parse_int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected an integer, got {value!r}")
    return value


def _parse_bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


def _parse_decimal(value: object) -> Decimal:
    """A rate written as "0.24", 0.24 or 4; a YAML float goes through its repr, never binary."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"expected a decimal number, got {value!r}")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"expected a decimal number, got {value!r}") from None
    if not number.is_finite() or number <= 0:
        raise ValueError(f"expected a positive number, got {value!r}")
    return number


_PARSERS: dict[str, Callable[[object], Any]] = {
    "hours_start": _parse_time,
    "hours_end": _parse_time,
    "max_unanswered_calls_per_day": _parse_int,
    "unreachable_after_failed_attempts": _parse_int,
    "visit_staff_min": _parse_int,
    "visit_staff_max": _parse_int,
    "complaint_pause": _parse_bool,
    "retention_years": _parse_int,
    "rate_cap_apr": _parse_decimal,
    "lpr_multiple": _parse_decimal,
    "max_third_parties_per_day": _parse_int,
    "max_third_parties_per_month": _parse_int,
    "visit_notice_days": _parse_int,
    "promise_min_amount": _parse_decimal,
    "promise_horizon_days": _parse_int,
}
assert set(_PARSERS) == {f.name for f in fields(Parameters)}

_OPTIONAL = frozenset(f.name for f in fields(Parameters) if f.default is not MISSING)
"""Parameters a pack file may leave out (they have a default in ``Parameters``)."""

_TIGHTER_IS_HIGHER = frozenset(
    {
        "hours_start",
        "unreachable_after_failed_attempts",
        "visit_staff_min",
        "retention_years",
        "complaint_pause",
        "visit_notice_days",
        "promise_min_amount",
    }
)
"""Parameters a lender may only raise; every other one may only be lowered (or kept)."""


def format_parameter(value: object) -> str:
    """A parameter value as written in rule files and reasons ("08:00", "0.24", "true")."""
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _require_mapping(value: object, source: str, key: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise RulePackError(source, key, f"expected a mapping, got {type(value).__name__}")
    return value


def _check_keys(data: Mapping[str, object], allowed: set[str], source: str, where: str) -> None:
    for key in data:
        if key not in allowed:
            known = ", ".join(sorted(allowed))
            raise RulePackError(source, f"{where}{key}", f"unknown key (known keys: {known})")


def _parse_parameters(
    data: Mapping[str, object], source: str, *, require_all: bool
) -> dict[str, Any]:
    _check_keys(data, set(_PARSERS), source, "parameters.")
    missing = [name for name in _PARSERS if name not in data and name not in _OPTIONAL]
    if require_all and missing:
        raise RulePackError(source, f"parameters.{missing[0]}", "missing")
    parsed: dict[str, Any] = {}
    for name, raw in data.items():
        try:
            parsed[name] = _PARSERS[name](raw)
        except ValueError as error:
            raise RulePackError(source, f"parameters.{name}", str(error)) from None
    return parsed


def _check_consistent(params: Parameters, source: str) -> None:
    if params.hours_start >= params.hours_end:
        raise RulePackError(
            source,
            "parameters.hours_start",
            f"{format_parameter(params.hours_start)} must be before "
            f"hours_end {format_parameter(params.hours_end)}",
        )
    if params.visit_staff_min > params.visit_staff_max:
        raise RulePackError(
            source,
            "parameters.visit_staff_min",
            f"{params.visit_staff_min} is more than visit_staff_max {params.visit_staff_max}",
        )
    for name in (
        "max_unanswered_calls_per_day",
        "unreachable_after_failed_attempts",
        "visit_notice_days",
        "promise_horizon_days",
    ):
        if getattr(params, name) < 1:
            raise RulePackError(source, f"parameters.{name}", "must be at least 1")


_RULE_KEYS = {f.name for f in fields(RuleInfo)}
_TEXT_FIELDS = ("id", "citation", "title_zh", "title_en", "explain_zh", "explain_en", "confidence")


def _parse_rule(data: object, source: str, index: int) -> RuleInfo:
    where = f"rules[{index}]."
    entry = _require_mapping(data, source, f"rules[{index}]")
    _check_keys(entry, _RULE_KEYS, source, where)
    values: dict[str, Any] = {}
    for name in _TEXT_FIELDS:
        value = entry.get(name)
        if not isinstance(value, str) or not value.strip():
            raise RulePackError(source, where + name, "expected a non-empty string")
        values[name] = value.strip()
    names = entry.get("parameters", [])
    if not isinstance(names, list) or any(n not in _PARSERS for n in names):
        raise RulePackError(source, where + "parameters", "expected a list of parameter names")
    return RuleInfo(parameters=tuple(names), **values)


@dataclass(frozen=True, slots=True)
class RulePack:
    """A versioned set of rules and the parameters the gate applies."""

    version: str
    parameters: Parameters
    _rules: tuple[RuleInfo, ...]

    def rule(self, rule_id: str) -> RuleInfo:
        """The rule with this id; ``UnknownRuleError`` (a KeyError) if the pack lacks it."""
        for info in self._rules:
            if info.id == rule_id:
                return info
        raise UnknownRuleError(rule_id)

    def rules(self) -> tuple[RuleInfo, ...]:
        """Every rule, in the pack's order."""
        return self._rules


def pack_from_mapping(data: object, source: str) -> RulePack:
    """Build a pack from its parsed data file, validating every key (errors name ``source``)."""
    top = _require_mapping(data, source, "(top level)")
    _check_keys(top, {"version", "parameters", "rules"}, source, "")
    version = top.get("version")
    if not isinstance(version, str) or not version:
        raise RulePackError(source, "version", "expected a non-empty string")
    raw_params = _require_mapping(top.get("parameters"), source, "parameters")
    params = Parameters(**_parse_parameters(raw_params, source, require_all=True))
    _check_consistent(params, source)
    raw_rules = top.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise RulePackError(source, "rules", "expected a non-empty list")
    rules = tuple(_parse_rule(entry, source, i) for i, entry in enumerate(raw_rules))
    ids = [r.id for r in rules]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise RulePackError(source, "rules", f"duplicate ids: {', '.join(duplicates)}")
    return RulePack(version=version, parameters=params, _rules=rules)


def _refuse_loosening(name: str, value: object, floor: object, source: str) -> None:
    higher_is_tighter = name in _TIGHTER_IS_HIGHER
    looser = value < floor if higher_is_tighter else value > floor  # type: ignore[operator]
    if looser:
        if isinstance(floor, bool):
            bound = "stay"
        else:
            bound = "be at least" if higher_is_tighter else "be at most"
        raise RulePackError(
            source,
            f"parameters.{name}",
            f"{format_parameter(value)} would loosen the legal floor: "
            f"{name} must {bound} {format_parameter(floor)}",
        )


def tighten(base: RulePack, overrides: object, source: str) -> RulePack:
    """``base`` with a lender's stricter parameters; refuses unknown keys and any loosening.

    ``overrides`` is the parsed overrides file: ``{"name": str (optional), "parameters": {...}}``.
    Each parameter may only move towards stricter: hours inside the base window, fewer
    attempts, more failures before a third party, visit staff within the base min..max, longer
    retention, lower rate caps, and ``complaint_pause`` stays true.
    """
    top = _require_mapping(overrides, source, "(top level)")
    _check_keys(top, {"name", "parameters"}, source, "")
    name = top.get("name", "lender")
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
        raise RulePackError(source, "name", "expected a short name of letters, digits, _ . -")
    raw = _require_mapping(top.get("parameters", {}), source, "parameters")
    changes = _parse_parameters(raw, source, require_all=False)
    floor = base.parameters
    for key, value in changes.items():
        if key == "visit_staff_max":
            _refuse_loosening(key, value, floor.visit_staff_max, source)
            _refuse_loosening("visit_staff_min", value, floor.visit_staff_min, source)
        else:
            _refuse_loosening(key, value, getattr(floor, key), source)
    params = replace(floor, **changes)
    _check_consistent(params, source)
    return replace(base, version=f"{base.version}+{name}", parameters=params)


def default_pack() -> RulePack:
    """The ``cn`` pack shipped with faircollect (read once, then cached)."""
    from faircollect.domain.compliance.pack_loader import load_default

    return load_default()


def load_pack(overrides_path: str | Path | None) -> RulePack:
    """The default pack, tightened by the lender's overrides YAML file when one is given."""
    if overrides_path is None:
        return default_pack()
    from faircollect.domain.compliance.pack_loader import load_overrides

    return tighten(default_pack(), load_overrides(Path(overrides_path)), str(overrides_path))

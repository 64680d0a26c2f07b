"""The screener's lexicon: data in ``faircollect/data/screen/lexicon.yaml``, read once.

Keeping patterns as data lets a compliance officer review and extend them without touching
the matching code; this module only turns the YAML into typed, immutable entries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import yaml

from faircollect.domain.compliance.findings import Label

LEXICON_RESOURCE = ("faircollect", "data/screen/lexicon.yaml")


@dataclass(frozen=True, slots=True, eq=False)
class Entry:
    """Phrases of one label that fire under the same context conditions.

    Compared and hashed by identity: each entry of a lexicon is its own rule, and hits are
    deduplicated by entry on every message, so hashing must be cheap.
    """

    label: Label
    phrases: tuple[str, ...]
    initials: tuple[str, ...] = ()
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    not_before: tuple[str, ...] = ()
    not_after: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Everything the screener needs besides the code (see the YAML header for meanings)."""

    entries: tuple[Entry, ...]
    negators: tuple[str, ...]
    negation_exceptions: tuple[str, ...]
    negators_after: tuple[str, ...]
    emoji: Mapping[str, str]
    two_syllable_pinyin: frozenset[str]
    no_homophones: frozenset[str]
    negation_window: int
    cue_window: int
    after_window: int


def _strings(raw: Mapping[str, Any], key: str) -> tuple[str, ...]:
    values = raw.get(key) or ()
    if not isinstance(values, Sequence) or isinstance(values, str):
        raise ValueError(f"lexicon: field {key!r} must be a list, got {values!r}")
    return tuple(str(value) for value in values)


def _entry(raw: Mapping[str, Any]) -> Entry:
    return Entry(
        label=Label(raw["label"]),
        phrases=_strings(raw, "phrases"),
        initials=_strings(raw, "initials"),
        before=_strings(raw, "before"),
        after=_strings(raw, "after"),
        not_before=_strings(raw, "not_before"),
        not_after=_strings(raw, "not_after"),
    )


def parse_lexicon(raw: Mapping[str, Any]) -> Lexicon:
    """Build a lexicon from its parsed YAML; a malformed field raises ValueError naming it."""
    return Lexicon(
        entries=tuple(_entry(item) for item in raw["entries"]),
        negators=_strings(raw, "negators"),
        negation_exceptions=_strings(raw, "negation_exceptions"),
        negators_after=_strings(raw, "negators_after"),
        emoji={str(key): str(value) for key, value in (raw.get("emoji") or {}).items()},
        two_syllable_pinyin=frozenset(_strings(raw, "two_syllable_pinyin")),
        no_homophones=frozenset(_strings(raw, "no_homophones")),
        negation_window=int(raw["negation_window"]),
        cue_window=int(raw["cue_window"]),
        after_window=int(raw["after_window"]),
    )


def default_lexicon() -> Lexicon:
    """The lexicon packaged with faircollect."""
    package, path = LEXICON_RESOURCE
    text = files(package).joinpath(path).read_text(encoding="utf-8")
    return parse_lexicon(yaml.safe_load(text))

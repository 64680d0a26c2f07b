"""The screener's lexicon: data in ``faircollect/data/screen/lexicon.yaml``, read once.

Keeping patterns as data lets a compliance officer review and extend them without touching
the matching code; this module only turns the YAML into typed, immutable entries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from faircollect.domain.compliance.findings import Label
from faircollect.domain.compliance.screener.compiled import (
    LEXICON_RESOURCE,
    lexicon_text,
    parsed_lexicon,
)

__all__ = ["LEXICON_RESOURCE", "Entry", "Lexicon", "Voice", "default_lexicon", "parse_lexicon"]


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
    deprived: bool = False
    """The threat is being deprived of the phrase ("孩子不能考公务员"): the entry fires only
    right after an ability negator, which is part of the threat, not a negation of it."""


@dataclass(frozen=True, slots=True)
class Voice:
    """How to tell a message in the borrower's own voice: first person singular, nobody
    addressed as 你 / 您, and a question or a report ("他们让我去别的平台借钱还，怎么办？")."""

    first_person: tuple[str, ...] = ()
    collective: tuple[str, ...] = ()
    second_person: tuple[str, ...] = ()
    plural_second: tuple[str, ...] = ()
    markers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Everything the screener needs besides the code (see the YAML header for meanings)."""

    entries: tuple[Entry, ...]
    negators: tuple[str, ...]
    negation_exceptions: tuple[str, ...]
    negators_after: tuple[str, ...]
    adjacent_negators: tuple[str, ...]
    negation_breakers: tuple[str, ...]
    ability_negators: tuple[str, ...]
    borrower_turns: tuple[str, ...]
    other_turns: tuple[str, ...]
    asked: tuple[str, ...]
    questions: tuple[str, ...]
    reported: tuple[str, ...]
    continuations: tuple[str, ...]
    negation_keepers: tuple[str, ...]
    conditional_subjects: tuple[str, ...]
    voice: Voice
    commentary: tuple[str, ...]
    """Words of a note about collection language (QA, training, a certificate): nothing in
    such a message is found."""
    model_vetoes: Mapping[Label, tuple[str, ...]]
    """Per label, words that stop the learned model (not the lexicon) from finding it."""
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
        deprived=bool(raw.get("deprived", False)),
    )


def _voice(raw: Mapping[str, Any]) -> Voice:
    if not isinstance(raw, Mapping):
        raise ValueError(f"lexicon: field 'borrower_voice' must be a mapping, got {raw!r}")
    return Voice(
        first_person=_strings(raw, "first_person"),
        collective=_strings(raw, "collective"),
        second_person=_strings(raw, "second_person"),
        plural_second=_strings(raw, "plural_second"),
        markers=_strings(raw, "markers"),
    )


def _vetoes(raw: Mapping[str, Any]) -> dict[Label, tuple[str, ...]]:
    if not isinstance(raw, Mapping):
        raise ValueError(f"lexicon: field 'model_vetoes' must be a mapping, got {raw!r}")
    return {Label(label): _strings(raw, label) for label in raw}


def parse_lexicon(raw: Mapping[str, Any]) -> Lexicon:
    """Build a lexicon from its parsed YAML; a malformed field raises ValueError naming it."""
    return Lexicon(
        entries=tuple(_entry(item) for item in raw["entries"]),
        negators=_strings(raw, "negators"),
        negation_exceptions=_strings(raw, "negation_exceptions"),
        negators_after=_strings(raw, "negators_after"),
        adjacent_negators=_strings(raw, "adjacent_negators"),
        negation_breakers=_strings(raw, "negation_breakers"),
        ability_negators=_strings(raw, "ability_negators"),
        borrower_turns=_strings(raw, "borrower_turns"),
        other_turns=_strings(raw, "other_turns"),
        asked=_strings(raw, "asked"),
        questions=_strings(raw, "questions"),
        reported=_strings(raw, "reported"),
        continuations=_strings(raw, "continuations"),
        negation_keepers=_strings(raw, "negation_keepers"),
        conditional_subjects=_strings(raw, "conditional_subjects"),
        voice=_voice(raw.get("borrower_voice") or {}),
        commentary=_strings(raw, "commentary"),
        model_vetoes=_vetoes(raw.get("model_vetoes") or {}),
        emoji={str(key): str(value) for key, value in (raw.get("emoji") or {}).items()},
        two_syllable_pinyin=frozenset(_strings(raw, "two_syllable_pinyin")),
        no_homophones=frozenset(_strings(raw, "no_homophones")),
        negation_window=int(raw["negation_window"]),
        cue_window=int(raw["cue_window"]),
        after_window=int(raw["after_window"]),
    )


def default_lexicon() -> Lexicon:
    """The lexicon packaged with faircollect (parsed ahead of time: ``compiled.py``)."""
    return parse_lexicon(parsed_lexicon(lexicon_text()))

"""The normal form a message is matched in, with a map back to the original characters.

Collectors dodge keyword filters by writing 殺 for 杀, ｓｂ for sb, 傻 逼 or 傻*逼 or
傻🐮逼 for 傻逼.
Normalising each character to simplified, half-width, lower case and dropping what is not a
letter or digit undoes all of these at once. Each kept character remembers the index of the
original character it came from, so a finding can quote the message exactly as it was sent.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass

CLAUSE_BREAKS = frozenset(",.!?;:\n")
"""Punctuation (after NFKC) that ends a clause: negation and context cues stay inside one."""

KEPT_MARKS = {"【": "【", "】": "】", "[": "【", "]": "】"}
"""Brackets kept in the normal form: a 【header】 is how a text dresses up as an official notice."""

DROPPED_CATEGORIES = ("P", "S", "Z", "C", "M")
"""Unicode categories of punctuation, symbols, spaces, controls (zero-width) and marks."""


@dataclass(frozen=True, slots=True)
class Normalised:
    """A message in normal form.

    ``origin[i]`` is the index in the original message of normal character ``i``;
    ``clause_start[i]`` is the normal index where the clause holding character ``i`` begins.
    """

    text: str
    origin: tuple[int, ...]
    clause_start: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original ``[start, end)`` covered by normal characters ``[start, end)``."""
        return self.origin[start], self.origin[end - 1] + 1


class Normaliser:
    """Normalises messages one character at a time, caching each character's normal form."""

    def __init__(self, to_simplified: Callable[[str], str], emoji: Mapping[str, str]) -> None:
        self._to_simplified = to_simplified
        self._emoji = dict(emoji)
        self._cache: dict[str, str | None] = {}

    def char(self, ch: str) -> str | None:
        """Normal form of one character: what to keep (maybe ""), or None at a clause break."""
        if ch not in self._cache:
            self._cache[ch] = self._compute(ch)
        return self._cache[ch]

    def _compute(self, ch: str) -> str | None:
        if ch in self._emoji:
            return self._emoji[ch]
        if ch in KEPT_MARKS:
            return KEPT_MARKS[ch]
        folded = unicodedata.normalize("NFKC", self._to_simplified(ch)).lower()
        if folded in CLAUSE_BREAKS:
            return None
        return "".join(
            c for c in folded if not unicodedata.category(c).startswith(DROPPED_CATEGORIES)
        )

    def __call__(self, text: str) -> Normalised:
        """Normalise ``text``; see the module docstring."""
        chars: list[str] = []
        origin: list[int] = []
        clause_start: list[int] = []
        current_clause = 0
        for index, ch in enumerate(text):
            kept = self.char(ch)
            if kept is None:
                current_clause = len(chars)
                continue
            for out in kept:
                chars.append(out)
                origin.append(index)
                clause_start.append(current_clause)
        return Normalised("".join(chars), tuple(origin), tuple(clause_start))

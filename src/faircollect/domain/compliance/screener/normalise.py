"""The normal form a message is matched in, with a map back to the original characters.

Collectors dodge keyword filters by writing 殺 for 杀, ｓｂ for sb, 傻 逼 or 傻*逼 or
傻🐮逼 for 傻逼.
Normalising each character to simplified, half-width, lower case and dropping what is not a
letter or digit undoes all of these at once. Each kept character remembers the index of the
original character it came from, so a finding can quote the message exactly as it was sent.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import compress, repeat
from operator import is_

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
    ``breaks`` are the normal indices where a new clause begins (ascending).
    """

    text: str
    origin: tuple[int, ...]
    breaks: tuple[int, ...]

    def clause_start(self, index: int) -> int:
        """The normal index where the clause holding normal character ``index`` begins."""
        position = bisect_right(self.breaks, index)
        return self.breaks[position - 1] if position else 0

    def clause_end(self, index: int) -> int:
        """The normal index where the clause holding normal character ``index`` ends."""
        position = bisect_right(self.breaks, index)
        return self.breaks[position] if position < len(self.breaks) else len(self.text)

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original ``[start, end)`` covered by normal characters ``[start, end)``."""
        return self.origin[start], self.origin[end - 1] + 1


def _between_digits(text: str, index: int) -> bool:
    """True for the separator in 1,000 or 3.5: it ends no clause."""
    return 0 < index < len(text) - 1 and text[index - 1].isdigit() and text[index + 1].isdigit()


class _CharCache(dict[str, str | None]):
    """Each character's normal form, computed on first sight."""

    def __init__(self, compute: Callable[[str], str | None]) -> None:
        super().__init__()
        self._compute = compute

    def __missing__(self, ch: str) -> str | None:
        result = self._compute(ch)
        self[ch] = result
        return result


class Normaliser:
    """Normalises messages one character at a time, caching each character's normal form."""

    def __init__(self, to_simplified: Callable[[str], str], emoji: Mapping[str, str]) -> None:
        self._to_simplified = to_simplified
        self._emoji = dict(emoji)
        self._cache = _CharCache(self._compute)

    def char(self, ch: str) -> str | None:
        """Normal form of one character: what to keep (maybe ""), or None at a clause break."""
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
        pieces = list(map(self._cache.__getitem__, text))
        normal = "".join(filter(None, pieces))
        origin = list(compress(range(len(text)), pieces))  # characters that keep something
        if len(origin) != len(normal):  # some character became several (emoji -> words)
            origin = [index for index in origin for _ in pieces[index]]  # type: ignore[union-attr]
        break_at = compress(range(len(text)), map(is_, pieces, repeat(None)))  # at C speed
        if not any(map(str.isdigit, text)):  # no 1,000 or 3.5 to keep whole
            breaks = tuple(bisect_left(origin, index) for index in break_at)
        else:
            breaks = tuple(
                bisect_left(origin, index) for index in break_at if not _between_digits(text, index)
            )
        return Normalised(normal, tuple(origin), breaks)

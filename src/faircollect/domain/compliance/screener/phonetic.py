"""Pinyin: the rendering in which homophones and typed pinyin look alike.

沙比 and 煞笔 render as ``sha'bi'`` like 傻逼; "sha bi" typed in Latin letters is ``shabi``.
Chinese characters are rendered one toneless syllable each, closed by an apostrophe, so a
phrase matches whole syllables only: 立案 (``li'an'``) is not found in 已经连 (``lian'``).
Typed pinyin carries no syllable marks, so Latin runs are kept as they are and matched against
the unmarked spelling of each phrase.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, compress

from faircollect.domain.compliance.screener.compiled import readings

SYLLABLE_END = "'"
STAND_IN_BASE = 0xE000
"""Syllable stand-ins are private-use characters, which no normal text holds (the
normal form drops every character of category C)."""
STAND_INS = 0xF900 - STAND_IN_BASE


def is_han(ch: str) -> bool:
    """True for a CJK unified ideograph."""
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


@lru_cache(maxsize=65536)
def syllable(ch: str) -> str:
    """The usual toneless reading of one Chinese character ("" if it has none), as the
    compiled lexicon lists it (``compiled.py``; pypinyin for a character it does not)."""
    found = readings().syllable(ch)
    return live_syllable(ch) if found is None else found


def phrase_syllables(phrase: str) -> tuple[tuple[str, ...], ...]:
    """The syllables of an all-Chinese phrase, as read in the phrase (曝光: bao guang) and as
    its characters read alone (pu guang), which is how a message is rendered; else none.
    As the compiled lexicon lists them (pypinyin for a phrase it does not)."""
    found = readings().phrase(phrase)
    return live_phrase_syllables(phrase) if found is None else found


def live_syllable(ch: str) -> str:
    """``syllable`` as pypinyin reads it (what the compiled lexicon is made of)."""
    from pypinyin import lazy_pinyin

    found = lazy_pinyin(ch, errors="ignore")
    return found[0] if found else ""


def live_phrase_syllables(phrase: str) -> tuple[tuple[str, ...], ...]:
    """``phrase_syllables`` as pypinyin reads them (what the compiled lexicon is made of)."""
    from pypinyin import lazy_pinyin

    if len(phrase) < 2 or not all(is_han(ch) for ch in phrase):
        return ()
    in_phrase = tuple(lazy_pinyin(phrase))
    one_by_one = tuple(live_syllable(ch) for ch in phrase)
    return tuple(dict.fromkeys((in_phrase, one_by_one)))


def marked(syllables: tuple[str, ...]) -> str:
    """Spelling matched against rendered Chinese characters."""
    return "".join(s + SYLLABLE_END for s in syllables)


class _Pieces(dict[str, str]):
    """Rendered form of each character, computed once: ``sha'`` for 傻, ``a`` for a, else ""."""

    def __missing__(self, ch: str) -> str:
        if is_han(ch):
            reading = syllable(ch)
            piece = reading + SYLLABLE_END if reading else ""
        else:
            piece = ch if ch.isascii() and ch.isalpha() else ""
        self[ch] = piece
        return piece


_PIECES = _Pieces()


@dataclass(frozen=True, slots=True)
class Rendering:
    """Pinyin of a normal text; ``offsets[i]`` is where normal character ``i`` is rendered."""

    normal: str
    text: str
    offsets: tuple[int, ...]

    def source(self, position: int) -> int:
        """The normal index of the character rendered at ``position``."""
        return bisect_right(self.offsets, position) - 1

    def starts_syllable(self, position: int) -> bool:
        """True where a Chinese character's syllable begins."""
        index = self.source(position)
        return self.offsets[index] == position and is_han(self.normal[index])


def render(normal: str) -> Rendering:
    """Render a normal text in pinyin (see the module docstring)."""
    pieces = list(map(_PIECES.__getitem__, normal))
    offsets = tuple(accumulate(map(len, pieces), initial=0))
    return Rendering(normal, "".join(pieces), offsets)


class _StandIns(dict[str, str]):
    """Each character's syllable as its stand-in ("" for a character that renders as no
    syllable), computed once."""

    def __init__(self, syllables: Syllables) -> None:
        super().__init__()
        self._syllables = syllables

    def __missing__(self, ch: str) -> str:
        reading = syllable(ch) if is_han(ch) else ""
        stand_in = self._syllables.stand_in(reading) if reading else ""
        self[ch] = stand_in
        return stand_in


class Syllables:
    """Syllables written one character each (a private-use stand-in per distinct syllable),
    so that a phrase's homophones are found by matching its syllables in a string no longer
    than the message. For a text without Latin letters, a phrase's stand-ins occur in
    ``of(text)`` exactly where its pinyin (``marked``) occurs in ``render(text)`` at the
    start of a syllable."""

    def __init__(self) -> None:
        self._stand_ins: dict[str, str] = {}
        self._characters = _StandIns(self)

    def stand_in(self, syllable: str) -> str:
        """The character standing for ``syllable``."""
        found = self._stand_ins.get(syllable)
        if found is None:
            if len(self._stand_ins) >= STAND_INS:
                raise ValueError("phonetic: more distinct syllables than stand-in characters")
            found = chr(STAND_IN_BASE + len(self._stand_ins))
            self._stand_ins[syllable] = found
        return found

    def spell(self, syllables: tuple[str, ...]) -> str:
        """A phrase's syllables as stand-ins."""
        return "".join(map(self.stand_in, syllables))

    def of(self, normal: str) -> tuple[str, list[int]]:
        """The stand-ins of a normal text's Chinese characters that have a syllable, and the
        normal index of each."""
        pieces = list(map(self._characters.__getitem__, normal))
        return "".join(pieces), list(compress(range(len(pieces)), pieces))

"""Pinyin: the rendering in which homophones and typed pinyin look alike.

沙比, 煞笔 and "sha bi" are all ``shabi``; 做牢 and "zuo lao" are ``zuolao``. The normal text
is rendered one character at a time (toneless pinyin for Chinese characters, Latin letters and
digits as they are). A lexicon phrase matches only whole syllables, so ``zuolao`` cannot be
stitched together from the tail of one word and the head of the next.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import Style, pinyin

MAX_READINGS = 8
"""At most this many pinyin spellings per lexicon phrase (heteronyms multiply)."""


def is_han(ch: str) -> bool:
    """True for a CJK unified ideograph."""
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


@lru_cache(maxsize=65536)
def readings(ch: str) -> tuple[str, ...]:
    """All toneless readings of one Chinese character, the most common first."""
    found = pinyin(ch, style=Style.NORMAL, heteronym=True, errors="ignore")
    return tuple(found[0]) if found else ()


def phrase_spellings(phrase: str) -> tuple[str, ...]:
    """The pinyin spellings of a lexicon phrase (all-Chinese phrases only, else none)."""
    if len(phrase) < 2 or not all(is_han(ch) for ch in phrase):
        return ()
    per_char = [readings(ch) or ("",) for ch in phrase]
    combos = itertools.islice(itertools.product(*per_char), MAX_READINGS)
    return tuple(dict.fromkeys("".join(combo) for combo in combos))


@dataclass(frozen=True, slots=True)
class Rendering:
    """Pinyin of a normal text: ``source[k]`` is the normal index of pinyin character ``k``;
    ``starts`` / ``ends`` are the pinyin positions where a match may begin / end."""

    text: str
    source: tuple[int, ...]
    starts: frozenset[int]
    ends: frozenset[int]


def render(normal: str) -> Rendering:
    """Render a normal text in pinyin (see the module docstring)."""
    parts: list[str] = []
    source: list[int] = []
    starts: set[int] = set()
    ends: set[int] = set()
    for index, ch in enumerate(normal):
        if is_han(ch):
            options = readings(ch)
            syllable = options[0] if options else ""
            if not syllable:
                continue
            starts.add(len(source))
            parts.append(syllable)
            source.extend([index] * len(syllable))
            ends.add(len(source))
        elif ch.isascii() and ch.isalnum():
            # typed pinyin has no syllable marks: any position inside a Latin run may be one
            starts.add(len(source))
            parts.append(ch)
            source.append(index)
            ends.add(len(source))
    return Rendering("".join(parts), tuple(source), frozenset(starts), frozenset(ends))

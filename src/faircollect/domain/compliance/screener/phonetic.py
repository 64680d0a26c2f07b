"""Pinyin: the rendering in which homophones and typed pinyin look alike.

沙比 and 煞笔 render as ``sha'bi'`` like 傻逼; "sha bi" typed in Latin letters is ``shabi``.
Chinese characters are rendered one toneless syllable each, closed by an apostrophe, so a
phrase matches whole syllables only: 立案 (``li'an'``) is not found in 已经连 (``lian'``).
Typed pinyin carries no syllable marks, so Latin runs are kept as they are and matched against
the unmarked spelling of each phrase.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pypinyin import lazy_pinyin

SYLLABLE_END = "'"


def is_han(ch: str) -> bool:
    """True for a CJK unified ideograph."""
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


@lru_cache(maxsize=65536)
def syllable(ch: str) -> str:
    """The usual toneless reading of one Chinese character ("" if pypinyin has none)."""
    found = lazy_pinyin(ch, errors="ignore")
    return found[0] if found else ""


def phrase_syllables(phrase: str) -> tuple[tuple[str, ...], ...]:
    """The syllables of an all-Chinese phrase, as read in the phrase (曝光: bao guang) and as
    its characters read alone (pu guang), which is how a message is rendered; else none."""
    if len(phrase) < 2 or not all(is_han(ch) for ch in phrase):
        return ()
    in_phrase = tuple(lazy_pinyin(phrase))
    one_by_one = tuple(syllable(ch) for ch in phrase)
    return tuple(dict.fromkeys((in_phrase, one_by_one)))


def marked(syllables: tuple[str, ...]) -> str:
    """Spelling matched against rendered Chinese characters."""
    return "".join(s + SYLLABLE_END for s in syllables)


@dataclass(frozen=True, slots=True)
class Rendering:
    """Pinyin of a normal text: ``source[k]`` is the normal index of rendered character ``k``;
    ``han_starts`` are the rendered positions where a Chinese character's syllable begins."""

    text: str
    source: tuple[int, ...]
    han_starts: frozenset[int]


def render(normal: str) -> Rendering:
    """Render a normal text in pinyin (see the module docstring)."""
    parts: list[str] = []
    source: list[int] = []
    han_starts: set[int] = set()
    for index, ch in enumerate(normal):
        if is_han(ch):
            reading = syllable(ch)
            if not reading:
                continue
            han_starts.add(len(source))
            parts.append(reading + SYLLABLE_END)
            source.extend([index] * (len(reading) + 1))
        elif ch.isascii() and ch.isalpha():
            parts.append(ch)
            source.append(index)
    return Rendering("".join(parts), tuple(source), frozenset(han_starts))

"""The screener: finds unlawful collection language in a message.

One Aho-Corasick automaton holds every lexicon phrase in both spellings (normal characters and
pinyin); it runs once over the normal text and once over its pinyin. Each hit is then checked
against its entry's context (negation, cues) and mapped back to the original message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

import ahocorasick
from opencc import OpenCC

from faircollect.domain.compliance.findings import RULE_FOR_LABEL, Finding, Label
from faircollect.domain.compliance.screener.lexicon import Entry, Lexicon
from faircollect.domain.compliance.screener.normalise import Normalised, Normaliser
from faircollect.domain.compliance.screener.phonetic import marked, phrase_syllables, render

LATIN_RUN = re.compile(r"[a-z]+")

TEXT, HAN_PINYIN, TYPED_PINYIN = 0, 1, 2
"""Where an automaton key is matched: the normal text, pinyin of its Chinese characters, or
pinyin typed in Latin letters."""


class Hit(NamedTuple):
    """A lexicon phrase found at normal ``[start, end)`` (a tuple: cheap to make and hash)."""

    entry: Entry
    start: int
    end: int


class Screener:
    """Screens messages against a lexicon. Build once (it compiles an automaton), reuse freely."""

    def __init__(self, lexicon: Lexicon) -> None:
        self._lexicon = lexicon
        self._normalise = Normaliser(OpenCC("t2s").convert, lexicon.emoji)
        self._automaton = self._build_automaton(lexicon)
        self._initials = {initial: entry for entry in lexicon.entries for initial in entry.initials}

    @staticmethod
    def _build_automaton(lexicon: Lexicon) -> ahocorasick.Automaton:
        """Key -> (key, ((where, entry), ...)): one key may serve several entries and renderings.

        Typed pinyin is matched for every phrase; pinyin of Chinese characters (homophones)
        only for phrases of three or more syllables and the listed two-syllable ones.
        """
        values: dict[str, dict[tuple[int, int], tuple[int, Entry]]] = {}

        def add(key: str, where: int, entry: Entry) -> None:
            values.setdefault(key, {})[(where, id(entry))] = (where, entry)

        for entry in lexicon.entries:
            for phrase in entry.phrases:
                add(phrase, TEXT, entry)
                homophones = phrase not in lexicon.no_homophones and (
                    len(phrase) >= 3 or phrase in lexicon.two_syllable_pinyin
                )
                for syllables in phrase_syllables(phrase):
                    add("".join(syllables), TYPED_PINYIN, entry)
                    if homophones:
                        add(marked(syllables), HAN_PINYIN, entry)
        automaton = ahocorasick.Automaton()
        for key, found in values.items():
            automaton.add_word(key, (key, tuple(found.values())))
        automaton.make_automaton()
        return automaton

    def normalise(self, text: str) -> Normalised:
        """``text`` in the normal form the lexicon (and the learned model) is matched in."""
        return self._normalise(text)

    def screen(self, text: str) -> tuple[Finding, ...]:
        """Findings in ``text``, ordered by position; ``text[f.start:f.end] == f.evidence``."""
        return self.screen_normal(text, self._normalise(text))

    def screen_normal(self, text: str, normal: Normalised) -> tuple[Finding, ...]:
        """Findings in ``text`` whose normal form ``normal`` the caller already computed."""
        if not normal.text:
            return ()
        unique = dict.fromkeys(self._hits(normal))  # a phrase found in text and in pinyin once
        hits = [hit for hit in unique if self._context_holds(hit, normal.text, normal)]
        return tuple(self._findings(hits, normal, text))

    def _hits(self, normal: Normalised) -> Iterator[Hit]:
        for end_index, (key, values) in self._automaton.iter(normal.text):
            start = end_index - len(key) + 1
            for where, entry in values:
                if where == TEXT:
                    yield Hit(entry, start, end_index + 1)
        yield from self._pinyin_hits(normal.text)
        for match in LATIN_RUN.finditer(normal.text):
            entry = self._initials.get(match.group())
            if entry is not None:
                yield Hit(entry, match.start(), match.end())

    def _pinyin_hits(self, normal_text: str) -> Iterator[Hit]:
        rendering = render(normal_text)
        for end_index, (key, values) in self._automaton.iter(rendering.text):
            start = end_index - len(key) + 1
            first, last = rendering.source(start), rendering.source(end_index)
            typed = normal_text[first].isascii() and normal_text[last].isascii()
            on_syllable = rendering.starts_syllable(start)
            for where, entry in values:
                if (where == HAN_PINYIN and on_syllable) or (where == TYPED_PINYIN and typed):
                    yield Hit(entry, first, last + 1)

    def _context_holds(self, hit: Hit, text: str, normal: Normalised) -> bool:
        """Negation, required cues and forbidden neighbours (see the lexicon's header)."""
        lex = self._lexicon
        entry, start, end = hit
        clause = normal.clause_start(start)
        negation_scope = text[max(clause, start - lex.negation_window) : start]
        for question in lex.negation_exceptions:
            negation_scope = negation_scope.replace(question, "")
        if _contains_any(negation_scope, lex.negators):
            return False
        preceding = text[max(clause, start - lex.cue_window) : start]
        if entry.before and not _contains_any(preceding, entry.before):
            return False
        if entry.not_before and _contains_any(preceding, entry.not_before):
            return False
        following = text[end : end + lex.after_window]
        if lex.negators_after and _contains_any(
            following[: normal.clause_end(end) - end][: lex.negation_window],
            lex.negators_after,
        ):
            return False
        if entry.after and not _contains_any(following, entry.after):
            return False
        return not (entry.not_after and _contains_any(following[:6], entry.not_after))

    @staticmethod
    def _findings(hits: list[Hit], normal: Normalised, text: str) -> Iterator[Finding]:
        """One finding per label and stretch of text: overlapping hits of a label merge."""
        spans: dict[Label, list[list[int]]] = {}
        for hit in sorted(hits, key=lambda h: (h.start, -h.end)):
            merged = spans.setdefault(hit.entry.label, [])
            if merged and hit.start < merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], hit.end)
            else:
                merged.append([hit.start, hit.end])
        found = []
        for label, label_spans in spans.items():
            for start, end in label_spans:
                o_start, o_end = normal.original_span(start, end)
                evidence = text[o_start:o_end]
                found.append(Finding(label, RULE_FOR_LABEL[label], o_start, o_end, evidence))
        yield from sorted(found, key=lambda f: (f.start, f.end, f.label))


def _contains_any(window: str, needles: tuple[str, ...]) -> bool:
    return _alternation(needles).search(window) is not None


@lru_cache(maxsize=1024)
def _alternation(needles: tuple[str, ...]) -> re.Pattern[str]:
    """One regular expression for a list of words: one C-level scan instead of one per word."""
    return re.compile("|".join(map(re.escape, needles)))

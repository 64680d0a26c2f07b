"""The screener: finds unlawful collection language in a message.

One Aho-Corasick automaton holds every lexicon phrase in both spellings (normal characters and
pinyin); it runs once over the normal text and once over its pinyin. Each hit is then checked
against its entry's context (negation, cues) and mapped back to the original message.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any, NamedTuple

import ahocorasick
from opencc import OpenCC

from faircollect.domain.compliance.findings import RULE_FOR_LABEL, Finding, Label
from faircollect.domain.compliance.screener.lexicon import Entry, Lexicon
from faircollect.domain.compliance.screener.normalise import Normalised, Normaliser
from faircollect.domain.compliance.screener.phonetic import (
    Syllables,
    marked,
    phrase_syllables,
    render,
)

LATIN_RUN = re.compile(r"[a-z]+")
ASCII_LETTER = re.compile(r"[A-Za-z]")
"""What ``phonetic.render`` keeps of a text besides its Chinese characters' syllables."""

HAN_PINYIN, TYPED_PINYIN = 1, 2
"""Where a pinyin spelling is matched: pinyin of Chinese characters, or typed in Latin
letters."""


TELLING = ("跟客户说", "和客户说", "对客户说", "给客户说", "同客户说")
"""Words a collector's note uses for what the collector told the borrower: a reported-speech
marker inside them ("客户说") does not make the sentence someone else's words."""


class Hit(NamedTuple):
    """A lexicon phrase found at normal ``[start, end)`` (a tuple: cheap to make and hash)."""

    entry: Entry
    start: int
    end: int


class Screener:
    """Screens messages against a lexicon. Build once (it compiles its automata), reuse freely.

    Three automata: the phrases as written, matched in the normal text; their homophones
    as strings of syllables (one stand-in character per syllable, ``Syllables``), matched in
    the syllables of a message's Chinese characters; and, for a message holding Latin
    letters, both kinds of pinyin spelled out (``phonetic.render``), where typed pinyin and
    homophones next to Latin letters are found. A message without Latin letters, the usual
    one, is thus matched in a string as long as its Chinese characters, not in their pinyin
    spelled out, three to four times as long; both give the same hits there.
    """

    def __init__(self, lexicon: Lexicon) -> None:
        self._lexicon = lexicon
        self._normalise = Normaliser(OpenCC("t2s").convert, lexicon.emoji)
        self._syllables = Syllables()
        self._automaton, self._rendered, self._homophones = self._build_automata(lexicon)
        self._initials = {initial: entry for entry in lexicon.entries for initial in entry.initials}

    def _build_automata(
        self, lexicon: Lexicon
    ) -> tuple[ahocorasick.Automaton, ahocorasick.Automaton, ahocorasick.Automaton]:
        """The phrases as written (key -> (length, entries)); the pinyin spellings
        (key -> (length, ((where, entry), ...)), ``where`` saying typed or homophone); the
        homophones in syllable stand-ins (key -> (length, entries)).

        Typed pinyin is matched for every phrase; pinyin of Chinese characters (homophones)
        only for phrases of three or more syllables and the listed two-syllable ones.
        """
        written: dict[str, dict[int, Entry]] = {}
        spelled: dict[str, dict[tuple[int, int], tuple[int, Entry]]] = {}
        homophones: dict[str, dict[int, Entry]] = {}
        for entry in lexicon.entries:
            for phrase in entry.phrases:
                written.setdefault(phrase, {})[id(entry)] = entry
                sounds_alike = phrase not in lexicon.no_homophones and (
                    len(phrase) >= 3 or phrase in lexicon.two_syllable_pinyin
                )
                for syllables in phrase_syllables(phrase):
                    typed = "".join(syllables)
                    spelled.setdefault(typed, {})[(TYPED_PINYIN, id(entry))] = (TYPED_PINYIN, entry)
                    if sounds_alike:
                        marks = marked(syllables)
                        spelled.setdefault(marks, {})[(HAN_PINYIN, id(entry))] = (HAN_PINYIN, entry)
                        stand_ins = self._syllables.spell(syllables)
                        homophones.setdefault(stand_ins, {})[id(entry)] = entry
        return (
            _automaton({key: tuple(found.values()) for key, found in written.items()}),
            _automaton({key: tuple(found.values()) for key, found in spelled.items()}),
            _automaton({key: tuple(found.values()) for key, found in homophones.items()}),
        )

    @property
    def lexicon(self) -> Lexicon:
        """The lexicon this screener matches."""
        return self._lexicon

    def normalise(self, text: str) -> Normalised:
        """``text`` in the normal form the lexicon (and the learned model) is matched in."""
        return self._normalise(text)

    def screen(self, text: str) -> tuple[Finding, ...]:
        """Findings in ``text``, ordered by position; ``text[f.start:f.end] == f.evidence``."""
        return self.screen_normal(text, self._normalise(text))

    def screen_normal(self, text: str, normal: Normalised) -> tuple[Finding, ...]:
        """Findings in ``text`` whose normal form ``normal`` the caller already computed.

        A two-character phrase never spans a clause break ("发进去。\n借款人" is no 去借)."""
        if not normal.text:
            return ()
        unique = dict.fromkeys(self._hits(normal))  # a phrase found in text and in pinyin once
        if not unique or self._commentary(text):
            return ()
        quoted = self._own_voice_quoted(text)
        turns = self._borrower_turns(text)
        hits = [
            hit
            for hit in unique
            if not quoted(hit.entry.label, normal.origin[hit.start])
            and not (hit.end - hit.start <= 2 and normal.clause_start(hit.end - 1) > hit.start)
            and self._context_holds(hit, normal.text, normal)
            and not _inside(turns, normal.origin[hit.start])
            and not self._reported(text, normal.origin[hit.start])
        ]
        return tuple(self._findings(hits, normal, text))

    def quoted(self, text: str) -> Callable[[Label, int], bool]:
        """For the learned model: whether a finding of a label at original index ``at`` is
        what the lexicon's context rules set aside: a note about collection language
        (``_commentary``), the whole message in the borrower's own voice (an insult still
        counts, unless the borrower quotes it), a borrower's turn of a transcript, or a
        sentence that reports or asks what someone else said."""
        if self._commentary(text):
            return lambda label, at: True
        own_voice = self._own_voice_quoted(text)
        turns = self._borrower_turns(text)

        def quoted_at(label: Label, at: int) -> bool:
            return own_voice(label, at) or _inside(turns, at) or self._reported(text, at)

        return quoted_at

    def _commentary(self, text: str) -> bool:
        """The message is about collection language, not in it: a QA or training note that
        quotes a practice to sanction or forbid it, a certificate (the lexicon's
        ``commentary`` words)."""
        words = self._lexicon.commentary
        return bool(words) and _contains_any(text, words)

    def _own_voice_quoted(self, text: str) -> Callable[[Label, int], bool]:
        """Whether a finding of a label at original index ``at`` is set aside as the
        borrower's own words: in a message in the borrower's voice, any label but an
        insult, and an insult too when the borrower quotes it ("我被催收员骂了“老赖”")."""
        if not self._borrower_voice(text):
            return lambda label, at: False
        quotes = [match.span() for match in QUOTATION.finditer(text)]
        return lambda label, at: label is not Label.INSULT or _inside(quotes, at)

    def _borrower_voice(self, text: str) -> bool:
        """The whole message is the borrower's own (see ``Voice``): a borrower asking or
        reporting what a collector said is not collection language (insulting still is).
        What the borrower quotes ("催收跟我说“知道你孩子在哪个学校”，怎么办？") is not
        the borrower addressing anyone: quotations are left out of the test."""
        voice = self._lexicon.voice
        if not voice.first_person:
            return False
        own = QUOTATION.sub(BLANK, text)
        if not _contains_any(own, voice.markers):
            return False
        singular = _blank(own, voice.collective)
        if not _contains_any(singular, voice.first_person):
            return False
        return not _contains_any(_blank(own, voice.plural_second), voice.second_person)

    def _reported(self, text: str, at: int) -> bool:
        """The phrase at original index ``at`` is in a sentence that reports or asks what
        someone else said ("您刚才说担心会坐牢", "客户询问能否取现还款")."""
        lex = self._lexicon
        if not lex.reported:
            return False
        sentence = SENTENCE_END.split(text[:at])[-1]
        for telling in TELLING:  # "跟客户说…" is what the writer said, not the customer
            sentence = sentence.replace(telling, "")
        return _contains_any(sentence, lex.reported)

    def _hits(self, normal: Normalised) -> Iterator[Hit]:
        for end_index, (length, entries) in _matches(self._automaton, normal.text):
            for entry in entries:
                yield Hit(entry, end_index - length + 1, end_index + 1)
        if ASCII_LETTER.search(normal.text) is None:
            yield from self._homophone_hits(normal)
            return
        yield from self._pinyin_hits(normal)
        for match in LATIN_RUN.finditer(normal.text):
            entry = self._initials.get(match.group())
            if entry is not None:
                yield Hit(entry, match.start(), match.end())

    def _homophone_hits(self, normal: Normalised) -> Iterator[Hit]:
        """Homophones in a text without Latin letters: phrases found in the syllables of its
        Chinese characters, never across a clause break ("费；五" is no 废物)."""
        stand_ins, where = self._syllables.of(normal.text)
        if not stand_ins:
            return
        for end_index, (length, entries) in _matches(self._homophones, stand_ins):
            first, last = where[end_index - length + 1], where[end_index]
            if normal.clause_start(last) <= first:
                for entry in entries:
                    yield Hit(entry, first, last + 1)

    def _pinyin_hits(self, normal: Normalised) -> Iterator[Hit]:
        """Phrases found in pinyin (a text with Latin letters); a homophone never spans a
        clause break."""
        normal_text = normal.text
        rendering = render(normal_text)
        for end_index, (length, values) in _matches(self._rendered, rendering.text):
            start = end_index - length + 1
            first, last = rendering.source(start), rendering.source(end_index)
            typed = normal_text[first].isascii() and normal_text[last].isascii()
            on_syllable = rendering.starts_syllable(start) and normal.clause_start(last) <= first
            for where, entry in values:
                if (where == HAN_PINYIN and on_syllable) or (where == TYPED_PINYIN and typed):
                    yield Hit(entry, first, last + 1)

    def _borrower_turns(self, text: str) -> list[tuple[int, int]]:
        """Original ``[start, end)`` of the turns a transcript gives the borrower: from a
        borrower's label at the start of a line ("借款人：") to the next speaker's label.
        What the borrower says, asks or reports is not collection language."""
        lex = self._lexicon
        if not lex.borrower_turns or not _contains_any(text, lex.borrower_turns):
            return []
        pattern = _line_start_alternation(lex.borrower_turns + lex.other_turns)
        labels = [
            (match.start(1), match.group(1) in lex.borrower_turns)
            for match in pattern.finditer(text)
        ]
        bounds = [*labels, (len(text), False)]
        return [
            (start, bounds[index + 1][0])
            for index, (start, borrower) in enumerate(labels)
            if borrower
        ]

    def _context_holds(self, hit: Hit, text: str, normal: Normalised) -> bool:
        """Negation, required cues and forbidden neighbours (see the lexicon's header)."""
        lex = self._lexicon
        entry, start, end = hit
        clause = normal.clause_start(start)
        scope_start = clause
        if clause and lex.continuations and text.startswith(lex.continuations, clause):
            scope_start = normal.clause_start(clause - 1)  # "..., 包括业主群": the list goes on
        scope = self._negation_scope(text, scope_start, start)
        if entry.deprived:
            ability = _ends_with_any(scope, lex.ability_negators)
            if not ability:
                return False
            scope = scope[: -len(ability)]
        if self._negated(scope) or self._asked(text[clause:start]):
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

    def _negation_scope(self, text: str, clause: int, start: int) -> str:
        """What may negate a phrase at ``start``: the clause's text before it, at most
        ``negation_window`` characters, with question forms and rhetorical turns blanked."""
        lex = self._lexicon
        scope = text[max(clause, start - lex.negation_window) : start]
        if not _contains_any(scope, lex.negation_exceptions):
            return scope
        for exception in lex.negation_exceptions:
            if exception in scope:
                scope = scope.replace(exception, BLANK * len(exception))
        return scope

    def _negated(self, scope: str) -> bool:
        """A negator governs the phrase that ends ``scope``: it is the last negator before it
        and no breaker (a condition or consequence: 的话, 就, 否则 ...) stands between them.
        "我们不会上门" negates 上门; in "没有还款的话就发传单" 没有 governs 还款, not 发传单.
        A one-character negator (不, 无) counts only right before the phrase: "不爆通讯录"."""
        lex = self._lexicon
        adjacent = _ends_with_any(scope, lex.adjacent_negators)
        if adjacent:  # "不爆通讯录" negates, "你今天不帮他还，我就..." is a condition
            return not _ends_with_any(scope[: -len(adjacent)], lex.conditional_subjects)
        last = None
        for found in _alternation(lex.negators).finditer(scope):
            last = found
        if last is None:
            return False
        between = scope[last.end() :]
        if not lex.negation_breakers or not _contains_any(between, lex.negation_breakers):
            return True
        # "不会因为逾期就拘留您": a reason keeps the negation across 就
        return bool(lex.negation_keepers) and _contains_any(between, lex.negation_keepers)

    def _asked(self, before: str) -> bool:
        """The phrase is what someone asked about ("您刚才问会不会坐牢", "客户询问是否会坐牢"):
        a word of asking, then a question form, before it in its clause."""
        lex = self._lexicon
        if not lex.asked or not _contains_any(before, lex.asked):
            return False
        asked_at = min(before.find(word) for word in lex.asked if word in before)
        return _contains_any(before[asked_at:], lex.questions)

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


SENTENCE_END = re.compile(r"[。！？!?\n]")
QUOTATION = re.compile(r"“[^“”]*”|「[^「」]*」|『[^『』]*』|\"[^\"]*\"")
"""A quoted passage (its quotation marks included)."""

BLANK = "|"
"""Stands in for a blanked question form: never part of a negator, cue or phrase."""


def _automaton(values: dict[str, tuple[Any, ...]]) -> ahocorasick.Automaton:
    """An automaton whose key ``k`` gives ``(len(k), values[k])``."""
    automaton = ahocorasick.Automaton()
    for key, found in values.items():
        automaton.add_word(key, (len(key), found))
    automaton.make_automaton()
    return automaton


def _matches(automaton: ahocorasick.Automaton, text: str) -> Iterator[tuple[int, Any]]:
    """``automaton.iter(text)``; nothing for an automaton without keys (a small lexicon
    may have no homophones or no pinyin at all)."""
    if automaton.kind == ahocorasick.EMPTY:
        return iter(())
    return automaton.iter(text)  # type: ignore[no-any-return]


def _contains_any(window: str, needles: tuple[str, ...]) -> bool:
    kept = _KEPT.get(id(needles))  # ``_alternation`` inlined: this is called per hit and rule
    if kept is not None and kept[0] is needles:
        return kept[1].search(window) is not None
    return _alternation(needles).search(window) is not None


def _blank(text: str, words: tuple[str, ...]) -> str:
    """``text`` with every occurrence of ``words`` blanked out."""
    return _alternation(words).sub(BLANK, text) if words else text


def _ends_with_any(window: str, needles: tuple[str, ...]) -> str:
    """The needle ``window`` ends with ("" if none; the longest if several)."""
    if not window.endswith(needles):  # the usual answer, in one call
        return ""
    return max((needle for needle in needles if window.endswith(needle)), key=len, default="")


def _inside(ranges: list[tuple[int, int]], index: int) -> bool:
    return any(start <= index < end for start, end in ranges)


@lru_cache(maxsize=16)
def _line_start_alternation(labels: tuple[str, ...]) -> re.Pattern[str]:
    """Speaker labels at the start of the text, of a line or of a sentence (a transcript
    pasted as one line: "客服：…吗？借款人：…")."""
    return re.compile(
        "(?m)(?:^|(?<=[。！？!?；;…\\s]))[ \\t\\u3000]*(" + "|".join(map(re.escape, labels)) + ")"
    )


_KEPT: dict[int, tuple[tuple[str, ...], re.Pattern[str]]] = {}
"""``_alternation``'s patterns by the identity of their word list (the lexicon's tuples
are asked for again and again; hashing a long tuple for a cache costs more than a search)."""


def _alternation(needles: tuple[str, ...]) -> re.Pattern[str]:
    """One regular expression for a list of words: one C-level scan instead of one per word."""
    kept = _KEPT.get(id(needles))
    if kept is not None and kept[0] is needles:
        return kept[1]
    pattern = _compiled(needles)
    if len(_KEPT) < 4096:
        _KEPT[id(needles)] = (needles, pattern)  # holding the tuple keeps its id its own
    return pattern


@lru_cache(maxsize=1024)
def _compiled(needles: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, needles)))

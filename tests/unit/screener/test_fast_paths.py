"""The screener's fast paths give exactly what the plain computations give.

Each shortcut taken for speed (a hash table instead of a binary search, two cheap sorts
instead of one two-key sort, homophones matched as syllable stand-ins instead of pinyin spelled
out, feature spans kept per length) is checked against the plain computation it replaces, and
the findings and explanations on the whole corpus against those recorded before the shortcuts
(``golden.py``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faircollect import screening_training as training
from faircollect.domain.compliance.screener import default_model, lexicon_screener
from faircollect.domain.compliance.screener.engine import ASCII_LETTER, HAN_PINYIN, Hit, Screener
from faircollect.domain.compliance.screener.keyindex import KeyIndex
from faircollect.domain.compliance.screener.model import LinearModel
from faircollect.domain.compliance.screener.normalise import Normalised
from faircollect.domain.compliance.screener.phonetic import is_han, render, syllable
from tests.unit.screener import golden

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    corpus = training.load_corpus(training.corpus_paths(ROOT), ROOT)
    return [row.text for row in corpus.rows]


def binary_search_rows(vocabulary: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Row of each key as ``np.searchsorted`` over the vocabulary (``NO_KEY`` last) gives it."""
    at = np.searchsorted(vocabulary, keys)
    return np.where(vocabulary[at] == keys, at + 1, 0)


def plain_margins(model: LinearModel, normal_texts: list[str]) -> np.ndarray:
    """Margins by the definition: one sort of (text, key) pairs for the distinct features,
    each text's known ones summed in key order."""
    keys, owner = model.phonetics.batch_keys(normal_texts)
    rows = binary_search_rows(model.vocabulary, keys)
    order = np.lexsort((keys, owner))
    first = np.ones(len(keys), dtype=bool)
    first[1:] = (keys[order][1:] != keys[order][:-1]) | (owner[order][1:] != owner[order][:-1])
    distinct = order[first]
    counts = np.bincount(owner[distinct], minlength=len(normal_texts))
    known = distinct[rows[distinct] > 0]
    totals = np.zeros((len(normal_texts), len(model.labels)))
    if len(known):
        known_owner = owner[known]
        starts = np.flatnonzero(np.r_[True, known_owner[1:] != known_owner[:-1]])
        sums = np.add.reduceat(model.weights[rows[known]], starts, axis=0)
        totals[known_owner[starts]] = sums
    return model.bias + totals / np.sqrt(np.maximum(counts, 1))[:, None]


def test_the_hash_table_finds_the_rows_a_binary_search_finds(texts: list[str]) -> None:
    model = default_model()
    normalise = lexicon_screener().normalise
    keys, _ = model.phonetics.batch_keys([normalise(text).text for text in texts[:500]])
    vocabulary = model.vocabulary[:-1]
    rng = np.random.default_rng(12)
    strangers = rng.integers(0, 2**63, size=5000, dtype=np.uint64)
    for probe in (keys, vocabulary, strangers, vocabulary + np.uint64(1)):
        expected = binary_search_rows(model.vocabulary, probe)
        np.testing.assert_array_equal(model.rows(probe), expected)
    assert (model.rows(vocabulary) == np.arange(1, len(vocabulary) + 1)).all()
    small = KeyIndex(np.array([3, 5, 2**40], dtype=np.uint64))
    np.testing.assert_array_equal(
        small.rows(np.array([5, 4, 2**40, 3, 0], dtype=np.uint64)), [2, 0, 3, 1, 0]
    )
    assert len(KeyIndex(np.zeros(0, dtype=np.uint64)).rows(keys[:10])) == 10


def test_batch_margins_are_the_plain_sums_bit_for_bit(texts: list[str]) -> None:
    """Including empty texts, pinyin typed in Latin letters and repeated features."""
    model = default_model()
    normalise = lexicon_screener().normalise
    mixed = ["", "shabi nmsl 还钱", "还钱还钱还钱还钱", *texts[::3]]
    normal_texts = [normalise(text).text for text in mixed]
    for start in range(0, len(normal_texts), 256):
        batch = normal_texts[start : start + 256]
        np.testing.assert_array_equal(model.whole_margins(batch), plain_margins(model, batch))


def test_homophones_in_syllable_stand_ins_are_the_pinyin_hits(texts: list[str]) -> None:
    """For a text without Latin letters, matching stand-ins finds exactly the homophones
    matching the spelled-out pinyin finds; checked on the corpus and on every homophone
    phrase of the lexicon written in other characters of the same sound."""
    screener = lexicon_screener()
    readers: dict[str, str] = {}
    for code in range(0x4E00, 0x9FA6):
        readers.setdefault(syllable(chr(code)), chr(code))
    sound_alikes = [
        "请" + "".join(readers.get(syllable(ch), ch) for ch in phrase) + "，再说一次"
        for entry in screener.lexicon.entries
        for phrase in entry.phrases
        if all(is_han(ch) for ch in phrase)
    ]
    checked = 0
    for text in [*texts, *sound_alikes]:
        normal = screener.normalise(text)
        if ASCII_LETTER.search(normal.text):
            continue
        stand_ins = set(screener._homophone_hits(normal))
        assert stand_ins == set(spelled_out_homophones(screener, normal)), text
        checked += bool(stand_ins)
    assert checked > 100


def spelled_out_homophones(screener: Screener, normal: Normalised) -> list[Hit]:
    """Homophone hits as found in the pinyin spelled out (``phonetic.render``): a phrase's
    marked pinyin starting where a Chinese character's syllable starts, within a clause."""
    rendering = render(normal.text)
    hits = []
    for end_index, (length, values) in screener._rendered.iter(rendering.text):
        start = end_index - length + 1
        first, last = rendering.source(start), rendering.source(end_index)
        if rendering.starts_syllable(start) and normal.clause_start(last) <= first:
            hits += [Hit(entry, first, last + 1) for where, entry in values if where == HAN_PINYIN]
    return hits


def test_typed_pinyin_in_a_batch_is_read_as_each_text_alone(texts: list[str]) -> None:
    """The batch replaces each Latin run in place; ``units`` reads one text at a time."""
    phonetics = default_model().phonetics
    normalise = lexicon_screener().normalise
    latin = [n for n in (normalise(t).text for t in texts) if ASCII_LETTER.search(n)]
    latin += ["shabi nmsl 还钱", "xyzzy还qian", "a"]
    assert len(latin) > 100
    keys, owner = phonetics.batch_keys(latin)
    for index, normal in enumerate(latin):
        numbers = phonetics.units(normal)[0]
        pairs = (numbers[:-1] << np.uint64(21)) | numbers[1:] | np.uint64(1 << 63)
        mine = keys[owner == index]
        np.testing.assert_array_equal(mine[len(mine) - len(pairs) :], pairs)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="还钱你abc0，。傻逼", max_size=120))
def test_feature_spans_kept_per_length_are_the_computed_ones(text: str) -> None:
    phonetics = default_model().phonetics
    normal = lexicon_screener().normalise(text).text
    for kept, computed in zip(
        phonetics.positions(normal), phonetics._positions(normal), strict=True
    ):
        np.testing.assert_array_equal(kept, computed)


def test_findings_and_explanations_are_those_recorded_for_this_lexicon_and_model() -> None:
    """Recorded before the fast paths; out of date only when the lexicon or model changes
    (then read ``python -m tests.unit.screener.golden --diff`` and record again)."""
    was = golden.recorded()
    assert was[0] == golden.header(), "lexicon or model changed: record the findings again"
    now = golden.current()
    assert golden.differences(was, now) == []

"""The screener's learned model: one linear classifier per label over n-gram features.

The lexicon finds the phrasings it was taught; this model scores the wording around them, so a
threat it has never seen in those words ("知道你孩子在哪个幼儿园") still scores like the threats
it learned from. It is trained by ``faircollect.screening_training`` (``make train-screener``)
and shipped as ``faircollect/data/screen/model.npz``: the vocabulary, a weight per feature and
label, a bias and a decision threshold per label, and what it was trained on. Loading reads
plain arrays (``allow_pickle=False``: no code runs) and inference is a few numpy sums.

Score of label ``l`` for a message whose normal text has the distinct features ``F``
(``features.py``; all of them, in the vocabulary or not):

    margin_l = bias_l + sum(weight[f, l] for f in F if f in vocabulary) / sqrt(len(F))

The model finds label ``l`` when ``margin_l >= threshold_l``. Dividing by the square root of
the number of distinct features keeps the margin of a short and a long message comparable
without depending on which features the vocabulary kept, so pruning the vocabulary of weights
near zero changes no margin by more than those weights.

A long text (a call script, a letter) is scored whole and in windows of a few clauses (one
starting at each clause), about the size of the messages the model learned from, and each label
takes its best: one threat inside a page of lawful text is diluted by its window, not by the
page. The windows' margins come from the whole text's features (each looked up once).
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from faircollect.domain.compliance.findings import Label
from faircollect.domain.compliance.screener.features import Keys, Phonetics
from faircollect.domain.compliance.screener.keyindex import KeyIndex
from faircollect.domain.compliance.screener.normalise import Normalised

MODEL_RESOURCE = ("faircollect", "data/screen/model.npz")
FORMAT = 2
"""Version of the file layout (2: features are 64-bit keys); another version is refused."""

WINDOW = 80
"""Normal characters per window: a text longer than this is scored whole and clause group by
clause group, and each label takes the best. Most messages the model learned from are
shorter; cross-validated, whole and windows together score as well as whole messages alone
(better than windows alone), and a threat inside a long letter is not diluted by the letter."""
EVIDENCE_GRAMS = 6
"""Evidence is built from this many of the best-scoring features."""
NO_KEY = np.uint64(2**64 - 1)
"""Stands after the vocabulary's last key (no feature has this key), so a lookup needs no
bounds test."""

_ROW_BITS = 32
"""A known feature occurrence is sorted as one number: its text's index above these bits,
its weight row below."""
_ROW_MASK = (1 << _ROW_BITS) - 1

Floats = npt.NDArray[np.float64]
Rows = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Score:
    """A label the model found: its margin, probability and the normal span of its evidence."""

    label: Label
    margin: float
    probability: float
    spans: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class LinearModel:
    """Per-label linear weights over a feature vocabulary (see the module docstring)."""

    labels: tuple[Label, ...]
    vocabulary: Keys
    """The features' keys (``features.py``), ascending, then ``NO_KEY``: the feature with
    key ``vocabulary[i]`` has row ``i + 1`` of ``weights``."""
    weights: Floats
    """(1 + features, labels); row 0 is zeros and stands for every feature not in the
    vocabulary, so a message's rows are looked up in one pass without a test."""
    bias: Floats
    thresholds: Floats
    """Margins at or above which a label is found (chosen on cross-validated margins of the
    training corpus: ``screening_training``)."""
    phonetics: Phonetics
    meta: Mapping[str, Any]
    """Version, corpus hash, training settings, as recorded when trained."""

    @classmethod
    def build(
        cls,
        labels: Sequence[Label],
        vocabulary: Keys,
        weights: npt.NDArray[np.floating[Any]],
        bias: Floats,
        thresholds: Floats,
        phonetics: Phonetics,
        meta: Mapping[str, Any],
    ) -> LinearModel:
        """A model from weights whose row ``i`` belongs to the feature ``vocabulary[i]``
        (ascending keys)."""
        keys = np.asarray(vocabulary, dtype=np.uint64)
        if len(keys) > 1 and not bool(np.all(keys[1:] > keys[:-1])):
            raise ValueError("screener model: the vocabulary's keys are not ascending")
        table = np.zeros((len(keys) + 1, len(labels)), dtype=np.float64)
        table[1:] = weights
        lookup = np.append(keys, NO_KEY)
        return cls(tuple(labels), lookup, table, bias, thresholds, phonetics, meta)

    @cached_property
    def _index(self) -> KeyIndex:
        """The vocabulary's hash table (built on first use)."""
        return KeyIndex(self.vocabulary[:-1])

    @cached_property
    def _gathered(self) -> Floats | npt.NDArray[np.float32]:
        """The weights as gathered for a sum: the shipped file's float32 values when they
        hold every weight exactly (half the memory to read; widened after the gather, so
        the sums are the same float64 sums), else the float64 table itself."""
        narrow = self.weights.astype(np.float32)
        exact = np.array_equal(narrow.astype(np.float64), self.weights)
        return narrow if exact else self.weights

    @cached_property
    def _columns(self) -> Floats:
        """The weights label by label (each label's weights contiguous), for evidence."""
        return np.ascontiguousarray(self.weights.T)

    def rows(self, keys: Keys) -> Rows:
        """The weight row of each key (0 for a feature outside the vocabulary)."""
        return self._index.rows(keys)

    def margins(self, normal_text: str) -> Floats:
        """Margin per label of one stretch of normal text (a message or a window)."""
        return self._score(normal_text).margins

    def whole_margins(self, normal_texts: Sequence[str]) -> Floats:
        """(texts, labels) margins of many normal texts, each scored whole, in one pass."""
        return self._batch(normal_texts).margins

    def _batch(self, normal_texts: Sequence[str]) -> _Batch:
        """Margins of many normal texts scored whole, and what each text's scoring needs
        later: the texts' features are found together (``Phonetics.batch_keys``), looked up
        together, and each text's distinct known features summed with one ``reduceat``.

        Distinct features are found by two sorts instead of one of (text, key) pairs: the
        known ones as (text, row) numbers (rows ascend with keys, so each text's weights are
        summed in the same order as the vocabulary's), the unknown ones (which only count
        towards the normalisation) by a stable sort on the key alone, which keeps the text
        order among equal keys."""
        count = len(normal_texts)
        keys, owner = self.phonetics.batch_keys(normal_texts)
        grouped = np.argsort(owner, kind="stable")  # text by text, each in ``keys`` order
        keys, owner = keys[grouped], owner[grouped]
        rows = self.rows(keys)
        known = rows > 0
        pairs = np.sort((owner[known] << _ROW_BITS) | rows[known])
        pairs = pairs[_new_runs(pairs)]
        known_owner = pairs >> _ROW_BITS
        unknown_keys, unknown_owner = keys[~known], owner[~known]
        order = np.argsort(unknown_keys, kind="stable")
        unknown_keys, unknown_owner = unknown_keys[order], unknown_owner[order]
        distinct = _new_runs(unknown_keys) | _new_runs(unknown_owner)
        counts = np.bincount(known_owner, minlength=count) + np.bincount(
            unknown_owner[distinct], minlength=count
        )
        totals = np.zeros((count, len(self.labels)))
        if len(pairs):
            starts = np.flatnonzero(_new_runs(known_owner))
            gathered = np.take(self._gathered, pairs & _ROW_MASK, axis=0)
            sums = np.add.reduceat(gathered.astype(np.float64, copy=False), starts, axis=0)
            totals[known_owner[starts]] = sums
        margins = self.bias + totals / np.sqrt(np.maximum(counts, 1))[:, None]
        bounds = np.r_[0, np.cumsum(np.bincount(owner, minlength=count))].tolist()
        lengths = [len(text) for text in normal_texts]
        return _Batch(margins, lengths, keys, rows, bounds)

    def _score(self, normal_text: str) -> _Scored:
        """One stretch's scoring (margins, and each feature occurrence's key and row)."""
        return self._batch([normal_text]).scored(0)

    def best_margins(self, normal: Normalised) -> tuple[Floats, list[tuple[int, int]]]:
        """Margin per label over the text's windows, and per label the window it came from."""
        windowed = self._windowed([normal])
        return windowed.best[0], windowed.chosen(0)

    def best_margins_many(self, normals: Sequence[Normalised]) -> Floats:
        """(texts, labels) best margins of many texts (``best_margins`` of each)."""
        return self._windowed(normals).best

    def _windowed(self, normals: Sequence[Normalised]) -> _Windowed:
        """Every window of every text (``windows_of``) scored in one batch, and per text and
        label the best window's margin."""
        windows = [windows_of(normal) for normal in normals]
        firsts = np.cumsum([0] + [len(spans) for spans in windows]).tolist()
        texts = [
            normal.text[start:end]
            for normal, spans in zip(normals, windows, strict=True)
            for start, end in spans
        ]
        batch = self._batch(texts)
        if normals:
            best = np.maximum.reduceat(batch.margins, firsts[:-1], axis=0)
        else:
            best = np.zeros((0, len(self.labels)))
        return _Windowed(windows, firsts, batch, best)

    def found(self, normal: Normalised, skip: frozenset[Label] = frozenset()) -> list[Score]:
        """Labels at or above their threshold (except ``skip``), with their evidence spans."""
        return self.found_many([normal], [skip])[0]

    def found_many(
        self, normals: Sequence[Normalised], skips: Sequence[frozenset[Label]]
    ) -> list[list[Score]]:
        """``found`` for many texts, all scored in one batch; only a text with a label to
        report is looked at on its own (for its evidence)."""
        if not normals:
            return []
        windowed = self._windowed(normals)
        hits = windowed.best >= self.thresholds
        results: list[list[Score]] = [[] for _ in normals]
        for index in np.flatnonzero(hits.any(axis=1)).tolist():
            normal, skip = normals[index], skips[index]
            if not normal.text:
                continue
            scores = []
            for column in np.flatnonzero(hits[index]).tolist():
                label = self.labels[column]
                if label in skip:
                    continue
                at = windowed.firsts[index] + windowed.pick(index, column)
                start, _ = windowed.windows[index][windowed.pick(index, column)]
                margin = float(windowed.best[index, column])
                spans = self.evidence(
                    normal.text, column, start, windowed.batch.scored(at), normal=normal
                )
                scores.append(Score(label, margin, _sigmoid(margin), spans))
            results[index] = scores
        return results

    def evidence(
        self,
        text: str,
        column: int,
        offset: int = 0,
        scored: _Scored | None = None,
        normal: Normalised | None = None,
    ) -> tuple[tuple[int, int], ...]:
        """Normal spans of the best-scoring features for one label of the stretch of ``text``
        that ``scored`` scored, starting at ``offset`` (without ``scored``: all of ``text``).

        The feature with the largest weight anchors the evidence; each occurrence of the next
        best (``EVIDENCE_GRAMS`` features in all) widens it when it overlaps or touches what is
        gathered so far, or lies in the anchor's clause (given ``normal``, the message ``text``
        is the normal text of). Spans are in ``text``'s indices; without any feature of
        positive weight the evidence is the whole stretch."""
        if scored is None:
            scored, offset = self._score(text), 0
        stretch = text[offset : offset + scored.length]
        starts, ends = self.phonetics.positions(stretch)
        rows = scored.rows
        weight = self._columns[column][rows]
        positive = weight > 0
        candidates = np.flatnonzero(positive & (ends - starts > 1))  # words, not characters
        if not len(candidates):
            candidates = np.flatnonzero(positive)
        if not len(candidates):
            return ((offset, offset + len(stretch)),)
        ranked = candidates[np.argsort(-weight[candidates], kind="stable")]
        row_of = rows[ranked].tolist()
        begins, finishes = starts[ranked].tolist(), ends[ranked].tolist()
        best_rows = set(list(dict.fromkeys(row_of))[:EVIDENCE_GRAMS])
        start, end = begins[0], finishes[0]
        clause = (start, end)
        if normal is not None:
            first = normal.clause_start(start + offset) - offset
            clause = (first, normal.clause_end(start + offset) - offset)
        for row, begin, finish in zip(row_of[1:], begins[1:], finishes[1:], strict=True):
            if row not in best_rows:
                continue
            touches = begin <= end and finish >= start
            if touches or (clause[0] <= begin and finish <= clause[1]):
                start, end = min(start, begin), max(end, finish)
        return ((start + offset, end + offset),)


class _Scored(NamedTuple):
    """One stretch's margins, its length, and per feature occurrence (in ``Phonetics.keys``
    order) its key and weight row."""

    margins: Floats
    length: int
    keys: Keys
    rows: Rows


@dataclass(frozen=True)
class _Batch:
    """Many stretches scored together (``LinearModel._batch``): their margins, and their
    feature occurrences stretch after stretch (``bounds``), from which one stretch's
    ``_Scored`` is cut only when its evidence is wanted."""

    margins: Floats
    lengths: list[int]
    keys: Keys
    rows: Rows
    bounds: list[int]

    def scored(self, index: int) -> _Scored:
        """Stretch ``index``'s scoring."""
        start, end = self.bounds[index], self.bounds[index + 1]
        return _Scored(
            self.margins[index], self.lengths[index], self.keys[start:end], self.rows[start:end]
        )


@dataclass(frozen=True)
class _Windowed:
    """Texts scored window by window (``LinearModel._windowed``)."""

    windows: list[list[tuple[int, int]]]
    """Per text, its windows (``windows_of``)."""
    firsts: list[int]
    """Per text, the index of its first window in ``batch``."""
    batch: _Batch
    best: Floats
    """(texts, labels): each label's best margin over the text's windows."""

    def pick(self, text: int, column: int) -> int:
        """Which of the text's windows gives label ``column`` its best margin."""
        first = self.firsts[text]
        table = self.batch.margins[first : first + len(self.windows[text]), column]
        return int(table.argmax())

    def chosen(self, text: int) -> list[tuple[int, int]]:
        """Per label, the window of the text that gives its best margin."""
        labels = self.best.shape[1]
        return [self.windows[text][self.pick(text, column)] for column in range(labels)]


def windows_of(normal: Normalised) -> list[tuple[int, int]]:
    """Normal ``[start, end)`` stretches a text is scored in: the whole text, and when it is
    longer than ``WINDOW``, from each clause on, as many whole clauses as fit in ``WINDOW``
    (at least the one), leaving out a window that lies inside the one before: near the end of
    a text a window would shrink to a signature line, out of all proportion to what the model
    learned from."""
    length = len(normal.text)
    if length <= WINDOW:
        return [(0, length)]
    bounds = sorted({0, *normal.breaks, length})
    clauses = [(a, b) for a, b in pairwise(bounds) if b > a]
    windows = [(0, length)]
    last = -1
    for first, (start, _) in enumerate(clauses):
        reach = max(last, first)
        while reach + 1 < len(clauses) and clauses[reach + 1][1] - start <= WINDOW:
            reach += 1
        if reach > last:  # a window inside the one before adds nothing (the text's tail)
            windows.append((start, clauses[reach][1]))
            last = reach
    return list(dict.fromkeys(windows))


def _new_runs(values: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """True where a value differs from the one before it (and at the first)."""
    starts = np.ones(len(values), dtype=bool)
    starts[1:] = values[1:] != values[:-1]
    return starts


def _sigmoid(margin: float) -> float:
    return 1.0 / (1.0 + math.exp(-margin))


def _text(arrays: Any, name: str) -> str:
    return bytes(arrays[name]).decode("utf-8")


def load_model(data: bytes) -> LinearModel:
    """A model from the bytes of its ``.npz`` file; a malformed file raises ValueError."""
    with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
        try:
            meta = json.loads(_text(arrays, "meta"))
            names = tuple(_text(arrays, "syllables").split("\n"))
            table = arrays["syllable_table"].astype(np.uint16)
            keys = arrays["vocabulary"].astype(np.uint64)
            weights = arrays["weights"].astype(np.float64)
            bias = arrays["bias"].astype(np.float64)
            thresholds = arrays["thresholds"].astype(np.float64)
        except KeyError as missing:
            raise ValueError(f"screener model: array {missing} missing") from None
    if meta.get("format") != FORMAT:
        raise ValueError(f"screener model: format {meta.get('format')!r}, expected {FORMAT}")
    labels = tuple(Label(name) for name in meta["labels"])
    if weights.shape != (len(keys), len(labels)) or bias.shape != thresholds.shape:
        raise ValueError(f"screener model: weights {weights.shape} do not fit the vocabulary")
    orders = (tuple(meta["char_orders"]), tuple(meta["syllable_orders"]))
    phonetics = Phonetics(names, table, *orders)
    return LinearModel.build(labels, keys, weights, bias, thresholds, phonetics, meta)


def dump_model(
    labels: Sequence[Label],
    vocabulary: Keys,
    weights: npt.NDArray[np.floating[Any]],
    bias: npt.NDArray[np.floating[Any]],
    thresholds: npt.NDArray[np.floating[Any]],
    phonetics: Phonetics,
    meta: Mapping[str, Any],
) -> bytes:
    """The ``.npz`` bytes of a model (deterministic: the same arrays give the same bytes)."""
    record = {
        **meta,
        "format": FORMAT,
        "labels": [label.value for label in labels],
        "char_orders": list(phonetics.char_orders),
        "syllable_orders": list(phonetics.syllable_orders),
    }
    text = json.dumps(record, ensure_ascii=False, sort_keys=True, indent=1)
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        meta=np.frombuffer(text.encode("utf-8"), np.uint8),
        syllables=np.frombuffer("\n".join(phonetics.names).encode("utf-8"), np.uint8),
        syllable_table=np.asarray(phonetics.table, dtype=np.uint16),
        vocabulary=np.asarray(vocabulary, dtype=np.uint64),
        weights=np.asarray(weights, dtype=np.float32),
        bias=np.asarray(bias, dtype=np.float64),
        thresholds=np.asarray(thresholds, dtype=np.float64),
    )
    return buffer.getvalue()

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
from itertools import pairwise, repeat
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from faircollect.domain.compliance.findings import Label
from faircollect.domain.compliance.screener.features import Phonetics
from faircollect.domain.compliance.screener.normalise import Normalised

MODEL_RESOURCE = ("faircollect", "data/screen/model.npz")
FORMAT = 1
"""Version of the file layout; a file of another version is refused by name."""

WINDOW = 80
"""Normal characters per window: a text longer than this is scored whole and clause group by
clause group, and each label takes the best. Most messages the model learned from are
shorter; cross-validated, whole and windows together score as well as whole messages alone
(better than windows alone), and a threat inside a long letter is not diluted by the letter."""
EVIDENCE_GRAMS = 6
"""Evidence is built from this many of the best-scoring features."""

Floats = npt.NDArray[np.float64]


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
    vocabulary: Mapping[str, int]
    """Feature (``features.py`` spells them) -> its row of ``weights`` (from 1)."""
    weights: npt.NDArray[np.float32]
    """(1 + features, labels); row 0 is zeros and stands for every feature not in the
    vocabulary, so a message's rows are looked up in one pass without a test."""
    bias: Floats
    thresholds: Floats
    """Margins at or above which a label is found (chosen on a validation split)."""
    phonetics: Phonetics
    meta: Mapping[str, Any]
    """Version, corpus hash, training settings, as recorded when trained."""

    @classmethod
    def build(
        cls,
        labels: Sequence[Label],
        vocabulary: Sequence[str],
        weights: npt.NDArray[np.floating[Any]],
        bias: Floats,
        thresholds: Floats,
        phonetics: Phonetics,
        meta: Mapping[str, Any],
    ) -> LinearModel:
        """A model from weights whose row ``i`` belongs to ``vocabulary[i]``."""
        table = np.zeros((len(vocabulary) + 1, len(labels)), dtype=np.float32)
        table[1:] = weights
        rows = {word: row for row, word in enumerate(vocabulary, 1)}
        return cls(tuple(labels), rows, table, bias, thresholds, phonetics, meta)

    def margins(self, normal_text: str) -> Floats:
        """Margin per label of one stretch of normal text (a message or a window)."""
        return self._score(normal_text).margins

    def _score(self, normal_text: str) -> _Scored:
        """Margins of one stretch, with its features and their rows kept for the evidence."""
        grams = self.phonetics.grams(normal_text)
        features = list(set(grams))
        if not features:
            return _Scored(self.bias.copy(), grams, features, [])
        rows = list(map(self.vocabulary.get, features, repeat(0)))
        total: Floats = self.weights.take(rows, 0).sum(0, dtype=np.float64)
        return _Scored(self.bias + total / math.sqrt(len(features)), grams, features, rows)

    def best_margins(self, normal: Normalised) -> tuple[Floats, list[tuple[int, int]]]:
        """Margin per label over the text's windows, and per label the window it came from."""
        margins, windows, _ = self._best(normal)
        return margins, windows

    def _best(
        self, normal: Normalised
    ) -> tuple[Floats, list[tuple[int, int]], dict[tuple[int, int], _Scored]]:
        windows = windows_of(normal)
        whole = self._score(normal.text)
        scored = {windows[0]: whole}
        if len(windows) == 1:
            return whole.margins, [windows[0]] * len(self.labels), scored
        table = np.vstack([whole.margins, self._window_margins(normal.text, whole, windows[1:])])
        best = table.argmax(axis=0)
        return table.max(axis=0), [windows[int(i)] for i in best], scored

    def _window_margins(
        self, text: str, whole: _Scored, windows: list[tuple[int, int]]
    ) -> npt.NDArray[np.float64]:
        """Margins of the windows of ``text`` from the whole text's features: a window's
        features are those lying inside it (each distinct feature is looked up once)."""
        starts, ends = self.phonetics.positions(text)
        index = {feature: i for i, feature in enumerate(whole.features)}
        ids = np.fromiter(map(index.__getitem__, whole.grams), np.int64, len(whole.grams))
        rows = np.asarray(whole.rows, dtype=np.int64)
        table = np.empty((len(windows), len(self.labels)))
        for number, (start, end) in enumerate(windows):
            inside = np.unique(ids[(starts >= start) & (ends <= end)])
            total = self.weights[rows[inside]].sum(0, dtype=np.float64)
            table[number] = self.bias + total / math.sqrt(max(len(inside), 1))
        return table

    def found(self, normal: Normalised, skip: frozenset[Label] = frozenset()) -> list[Score]:
        """Labels at or above their threshold (except ``skip``), with their evidence spans."""
        if not normal.text:
            return []
        margins, windows, scored = self._best(normal)
        hits = np.flatnonzero(margins >= self.thresholds)
        scores = []
        for column in hits.tolist():
            label = self.labels[column]
            if label in skip:
                continue
            start, end = windows[column]
            margin = float(margins[column])
            text = normal.text[start:end]
            spans = self.evidence(
                text, column, offset=start, scored=scored.get((start, end)), normal=normal
            )
            scores.append(Score(label, margin, _sigmoid(margin), spans))
        return scores

    def evidence(
        self,
        text: str,
        column: int,
        offset: int = 0,
        scored: _Scored | None = None,
        normal: Normalised | None = None,
    ) -> tuple[tuple[int, int], ...]:
        """Normal spans of the best-scoring features of ``text`` for one label.

        The feature with the largest weight anchors the evidence; each occurrence of the next
        best (``EVIDENCE_GRAMS`` features in all) widens it when it overlaps or touches what is
        gathered so far, or lies in the anchor's clause (given ``normal``, the message ``text``
        is a stretch of). Spans are shifted by ``offset`` (where ``text`` begins in the
        message's normal text); without any feature of positive weight the evidence is all of
        ``text``. ``scored`` is ``text``'s own scoring when the caller has it."""
        scored = scored or self._score(text)
        row_of_feature = dict(zip(scored.features, scored.rows, strict=True))
        starts, ends = self.phonetics.positions(text)
        rows = np.fromiter(map(row_of_feature.__getitem__, scored.grams), np.int64, len(starts))
        weight = self.weights[rows, column]
        candidates = np.flatnonzero((weight > 0) & (ends - starts > 1))  # words, not characters
        if not len(candidates):
            candidates = np.flatnonzero(weight > 0)
        if not len(candidates):
            return ((offset, offset + len(text)),)
        ranked = candidates[np.argsort(-weight[candidates], kind="stable")]
        order, row_of = ranked.tolist(), rows.tolist()
        best_rows = set(list(dict.fromkeys(row_of[i] for i in order))[:EVIDENCE_GRAMS])
        begins, finishes = starts.tolist(), ends.tolist()
        start, end = begins[order[0]], finishes[order[0]]
        clause = (start, end)
        if normal is not None:
            first = normal.clause_start(start + offset) - offset
            clause = (first, normal.clause_end(start + offset) - offset)
        for index in order[1:]:
            if row_of[index] not in best_rows:
                continue
            touches = begins[index] <= end and finishes[index] >= start
            if touches or (clause[0] <= begins[index] and finishes[index] <= clause[1]):
                start, end = min(start, begins[index]), max(end, finishes[index])
        return ((start + offset, end + offset),)


class _Scored(NamedTuple):
    """One stretch's margins, its features (as often as they occur, and distinct) and rows."""

    margins: Floats
    grams: list[str]
    features: list[str]
    rows: list[int]


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
            words = _text(arrays, "vocabulary")
            weights = arrays["weights"].astype(np.float32)
            bias = arrays["bias"].astype(np.float64)
            thresholds = arrays["thresholds"].astype(np.float64)
        except KeyError as missing:
            raise ValueError(f"screener model: array {missing} missing") from None
    if meta.get("format") != FORMAT:
        raise ValueError(f"screener model: format {meta.get('format')!r}, expected {FORMAT}")
    labels = tuple(Label(name) for name in meta["labels"])
    vocabulary = words.split("\n") if words else []
    if weights.shape != (len(vocabulary), len(labels)) or bias.shape != thresholds.shape:
        raise ValueError(f"screener model: weights {weights.shape} do not fit the vocabulary")
    orders = (tuple(meta["char_orders"]), tuple(meta["syllable_orders"]))
    phonetics = Phonetics(names, table, *orders)
    return LinearModel.build(labels, vocabulary, weights, bias, thresholds, phonetics, meta)


def dump_model(
    labels: Sequence[Label],
    vocabulary: Sequence[str],
    weights: npt.NDArray[np.floating[Any]],
    bias: npt.NDArray[np.floating[Any]],
    thresholds: npt.NDArray[np.floating[Any]],
    phonetics: Phonetics,
    meta: Mapping[str, Any],
) -> bytes:
    """The ``.npz`` bytes of a model (deterministic: the same arrays give the same bytes)."""
    if any("\n" in word for word in vocabulary):
        raise ValueError("screener model: a feature holds a newline")
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
        vocabulary=np.frombuffer("\n".join(vocabulary).encode("utf-8"), np.uint8),
        weights=np.asarray(weights, dtype=np.float32),
        bias=np.asarray(bias, dtype=np.float64),
        thresholds=np.asarray(thresholds, dtype=np.float64),
    )
    return buffer.getvalue()

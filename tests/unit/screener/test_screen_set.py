"""The labelled sets are well formed and the screener meets the issue's targets on them.

The targets (overall precision and recall >= 0.95) are asserted on the development set and on
the held-out split separately. Since issue 12 these sets (and the fresh set) are part of the
learned model's training corpus, so these are in-sample figures; the honest estimate is the
blind set's, scored by ``bench/screen_eval.py --blind`` and recorded in tests/data/README.md.
Here the blind set is only checked to be there and kept apart from the training corpus.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from faircollect.domain.compliance.findings import Label
from faircollect.domain.compliance.screener import screen

DATA = Path(__file__).resolve().parents[2] / "data"
SETS = {"dev": DATA / "screen_set.jsonl", "heldout": DATA / "screen_heldout.jsonl"}
FRESH = DATA / "screen_fresh.jsonl"
BLIND = DATA / "screen_blind.jsonl"
BLIND_V2 = DATA / "screen_blind_v2.jsonl"
TARGET = 0.95


def load(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def all_rows() -> list[dict[str, object]]:
    return [row for path in (*SETS.values(), FRESH) for row in load(path)]


def overall(path: Path) -> tuple[float, float]:
    """Micro precision and recall of the screener over (message, label) pairs."""
    tp = fp = fn = 0
    for row in load(path):
        want = set(row["labels"])  # type: ignore[call-overload]
        got = {finding.label.value for finding in screen(str(row["text"]))}
        tp += len(want & got)
        fp += len(got - want)
        fn += len(want - got)
    return tp / (tp + fp), tp / (tp + fn)


def test_set_has_the_size_and_mix_the_issue_asks_for() -> None:
    rows = [row for path in SETS.values() for row in load(path)]
    kinds = [row["kind"] for row in rows]
    assert len(rows) >= 400
    assert kinds.count("lawful") * 3 >= len(rows)
    assert kinds.count("evasion") * 6 >= len(rows)
    everything = all_rows()
    assert len({row["id"] for row in everything}) == len(everything)
    assert len({row["text"] for row in everything}) == len(everything)


def test_every_row_is_consistent() -> None:
    for row in all_rows():
        labels = row["labels"]
        assert isinstance(labels, list)
        assert all(Label(label) for label in labels)
        assert (row["kind"] == "lawful") == (labels == []), row["id"]


@pytest.mark.parametrize("name", sorted(SETS))
def test_screener_meets_precision_and_recall_targets(name: str) -> None:
    precision, recall = overall(SETS[name])
    assert precision >= TARGET and recall >= TARGET, (name, precision, recall)


@pytest.mark.parametrize("path", [BLIND, BLIND_V2], ids=lambda p: p.stem)
def test_the_blind_set_is_there_and_apart_from_the_training_corpus(path: Path) -> None:
    from faircollect import screening_training as training

    root = DATA.parents[1]
    blind = load(path)
    corpus = training.load_corpus(training.corpus_paths(root), root)
    shared = {str(row["text"]) for row in blind} & {row.text for row in corpus.rows}
    assert len(blind) >= 400
    assert not shared, f"{len(shared)} blind messages are in the training corpus"


def test_evasions_and_lawful_messages_of_the_fresh_set_are_all_right() -> None:
    """What does generalise: disguises are undone and lawful messages pass."""
    for row in load(FRESH):
        if row["kind"] in ("evasion", "lawful"):
            got = sorted({f.label.value for f in screen(str(row["text"]))})
            assert got == sorted(row["labels"]), row["id"]  # type: ignore[call-overload]

"""A small grid of the screener model's training settings, cross-validated on the corpus.

    PYTHONPATH=src .venv/bin/python bench/screen_grid.py [--configs NAME,...] [--json OUT]

For each configuration (regularisation ``C``, class weights, lengths of the character and
syllable grams) every corpus message is scored by a fit on the other folds
(``screening_training.FOLDS``, the folds ``oof_margins`` uses: by a hash of the message id,
**not grouped by near-duplicates**), with the lexicon's context rules applied as the combined
screener applies them (``Fitted.screened_margins``). Reported per configuration:

- **at P >= 0.95 (CV)**: per label, the lowest margin (not below ``FLOOR_MARGIN``) at which the
  model's cross-validated findings are at least 95 % precise (``choose_thresholds`` on the
  out-of-fold margins); the model's recall there, per label, its macro mean and minimum, and
  the combined screener's (lexicon or model) micro precision / recall at those thresholds.
  The thresholds are chosen on the very margins they are scored on, so these figures rank the
  configurations; they are not an estimate for new text.
- **validation-split rule** (the "shipped" columns): thresholds chosen the way ``make
  train-screener`` chose them when this grid was run (on the validation split, by a fit on the
  rest: ``validation_thresholds``; without the lawful guard), applied to the same out-of-fold
  margins: the combined screener's micro precision / recall and lowest label recall. Training
  now chooses them on the out-of-fold margins themselves, which the first columns show.
- the vocabulary of a fit on the whole corpus (features seen in ``MIN_DF`` messages) and the
  seconds the configuration took.

The rule, stated before the grid was run: **the configuration with the highest macro model
recall at P >= 0.95 (CV) wins; configurations within 0.005 of the best count as tied and the
one with the fewest features wins among them** (fewer grams: smaller file, faster screening).
The winner must still screen at least 5,000 SMS-sized messages per CPU-second end to end
(``bench/screen_eval.py --no-quality``).

The gram lengths are set by changing ``features.CHAR_ORDERS`` and ``features.SYLLABLE_ORDERS``
for the run (what ``screening_training.phonetics`` reads); a trained model records its own.
Character grams longer than 3 do not fit a 64-bit key (21 bits a character) and are not tried.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from faircollect import screening_training as training
from faircollect.domain.compliance.screener import features, lexicon_screener

ROOT = Path(__file__).resolve().parent.parent
PRECISION = 0.95
TIE = 0.005


@dataclass(frozen=True)
class Config:
    name: str
    c: float = 32.0
    class_weight: str | None = "balanced"
    char_orders: tuple[int, ...] = (1, 2, 3)
    syllable_orders: tuple[int, ...] = (2,)


ORDERS = {
    "": ((1, 2, 3), (2,)),
    "syl23": ((1, 2, 3), (2, 3)),
    "syl12": ((1, 2, 3), (1, 2)),
    "nosyl": ((1, 2, 3), ()),
    "ch23": ((2, 3), (2,)),
    "ch12": ((1, 2), (2,)),
}
"""Gram lengths tried: (character, syllable); "" is the model's before this grid (1-3, 2)."""
GRID = (
    *(
        Config(f"C{c:g}{'-' + name if name else ''}", c, "balanced", *orders)
        for name, orders in ORDERS.items()
        for c in (16.0, 32.0, 64.0)
    ),
    Config("C8", 8.0),
    Config("C128", 128.0),
    *(Config(f"C{c:g}-unweighted", c, None) for c in (16.0, 32.0, 64.0, 128.0)),
)
"""Six gram-length choices at C 16, 32, 64 with balanced classes; C 8 and 128; unweighted
classes at C 16 to 128 (the shipped gram lengths). Chosen before the grid was run."""


def _set_orders(config: Config) -> None:
    features.CHAR_ORDERS = config.char_orders
    features.SYLLABLE_ORDERS = config.syllable_orders


def micro(found: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    tp = int((found & y).sum())
    return tp / max(int(found.sum()), 1), tp / max(int(y.sum()), 1)


def label_recalls(found: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.asarray((found & y).sum(0) / np.maximum(y.sum(0), 1), dtype=float)


@dataclass(frozen=True)
class Result:
    """What the grid reports of one configuration (see the module docstring)."""

    config: Config
    macro_recall: float
    min_recall: float
    recalls: dict[str, float]
    model_pr: tuple[float, float]
    combined_pr: tuple[float, float]
    shipped_combined_pr: tuple[float, float]
    shipped_min_recall: float
    features: int
    seconds: int


def run(config: Config, rows: Sequence[training.Row], lexicon: np.ndarray) -> Result:
    started = time.perf_counter()
    _set_orders(config)
    prepared = training.prepare(rows)
    y = prepared.y
    margins = training.oof_margins(prepared, config.c, config.class_weight)
    cv_thresholds = training.choose_thresholds(margins, y)
    model_found = margins >= cv_thresholds
    recalls = label_recalls(model_found, y)
    shipped = margins >= training.validation_thresholds(prepared, config.c, config.class_weight)
    every = np.concatenate([np.zeros(0, np.uint64), *prepared.feature_sets])
    _, counts = np.unique(every, return_counts=True)
    return Result(
        config,
        float(recalls.mean()),
        float(recalls.min()),
        {
            label.value: round(float(r), 3)
            for label, r in zip(training.LABELS, recalls, strict=True)
        },
        micro(model_found, y),
        micro(model_found | lexicon, y),
        micro(shipped | lexicon, y),
        float(label_recalls(shipped | lexicon, y).min()),
        int((counts >= training.MIN_DF).sum()),
        round(time.perf_counter() - started),
    )


def pick(results: Sequence[Result]) -> Result:
    """The rule of the module docstring."""
    best = max(result.macro_recall for result in results)
    tied = [result for result in results if result.macro_recall >= best - TIE]
    return min(tied, key=lambda result: result.features)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--configs", default="", help="comma-separated names (default: all)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument(
        "--corpus-every", type=int, default=1, help="every Nth corpus message (a smoke run)"
    )
    args = parser.parse_args(argv)
    wanted = set(filter(None, args.configs.split(",")))
    grid = [config for config in GRID if not wanted or config.name in wanted]
    corpus = training.load_corpus(training.corpus_paths(ROOT), ROOT)
    rows = corpus.rows[:: args.corpus_every]
    screener = lexicon_screener()
    lexicon = np.array(
        [
            [label in {f.label for f in screener.screen(row.text)} for label in training.LABELS]
            for row in rows
        ]
    )
    print(
        f"corpus {corpus.digest[:12]}: {len(rows)} messages, {sum(r.lawful for r in rows)} lawful"
    )
    print(
        f"{'config':<14}{'macro R':>8}{'min R':>7}{'model P/R':>14}{'combined P/R':>15}"
        f"{'val. rule P/R':>19}{'min R':>7}{'features':>10}{'s':>5}"
    )
    results = []
    for config in grid:
        result = run(config, rows, lexicon)
        results.append(result)
        mp, mr = result.model_pr
        cp, cr = result.combined_pr
        sp, sr = result.shipped_combined_pr
        print(
            f"{config.name:<14}{result.macro_recall:>8.3f}{result.min_recall:>7.3f}"
            f"{mp:>8.3f}/{mr:.3f}{cp:>9.3f}/{cr:.3f}{sp:>13.3f}/{sr:.3f}"
            f"{result.shipped_min_recall:>7.3f}{result.features:>10,}{result.seconds:>5}",
            flush=True,
        )
        print(f"{'':<14}{result.recalls}", flush=True)
    chosen = pick(results)
    print(f"\nchosen by the rule: {chosen.config.name}")
    if args.json:
        args.json.write_text(json.dumps([asdict(result) for result in results], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The screener's findings on every corpus message, recorded, so that a change meant to be
only faster (or only a refactoring) is shown to change nothing a user sees.

    PYTHONPATH=src .venv/bin/python -m tests.unit.screener.golden [--diff]

writes ``tests/data/screen_findings.jsonl.gz``: a header naming the lexicon (SHA-256 of
``lexicon.yaml``) and the model version, then per corpus message its id, its labels, each
finding (label, rule, offsets, evidence, source, probability) and the SHA-256 of the
borrower's explanation (``render_zh``). ``--diff`` prints what differs from the recorded file
instead of writing it. A change to the lexicon or the model changes findings on purpose:
read the diff, then record again (the test says when the file is out of date).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path
from typing import Any

from faircollect import screening_training as training
from faircollect.domain.compliance.explain import explain, render_zh
from faircollect.domain.compliance.pack import default_pack
from faircollect.domain.compliance.screener import default_model, default_screener
from faircollect.domain.compliance.screener.lexicon import LEXICON_RESOURCE

ROOT = Path(__file__).resolve().parents[3]
RECORDED = ROOT / "tests" / "data" / "screen_findings.jsonl.gz"


def header() -> dict[str, str]:
    """What the recorded findings depend on besides the code."""
    package, path = LEXICON_RESOURCE
    lexicon = files(package).joinpath(path).read_bytes()
    return {
        "lexicon_sha256": hashlib.sha256(lexicon).hexdigest(),
        "model": str(default_model().meta["version"]),
    }


def findings_of(ids: Sequence[str], texts: Sequence[str]) -> list[dict[str, Any]]:
    """Per message, what the screener reports and the explanation's hash (screened in
    batches of 256, as ``faircollect screen`` reads them)."""
    screener, pack = default_screener(), default_pack()
    screened = [
        found
        for start in range(0, len(texts), 256)
        for found in screener.screen_many(texts[start : start + 256])
    ]
    rows = []
    for ident, found in zip(ids, screened, strict=True):
        explanation = render_zh(explain(found, pack)).encode("utf-8")
        rows.append(
            {
                "id": ident,
                "labels": sorted({f.label.value for f in found}),
                "findings": [
                    [
                        f.label.value,
                        f.rule,
                        f.start,
                        f.end,
                        f.evidence,
                        f.source.value,
                        f.probability,
                    ]
                    for f in found
                ],
                "explanation_sha256": hashlib.sha256(explanation).hexdigest(),
            }
        )
    return rows


def current() -> list[dict[str, Any]]:
    """The header, then every corpus message's findings, as the code finds them now."""
    corpus = training.load_corpus(training.corpus_paths(ROOT), ROOT)
    ids = [row.id for row in corpus.rows]
    return [header(), *findings_of(ids, [row.text for row in corpus.rows])]


def recorded(path: Path = RECORDED) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def write(rows: list[dict[str, Any]], path: Path = RECORDED) -> None:
    text = "".join(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n" for row in rows)
    with gzip.GzipFile(path, "wb", mtime=0) as handle:  # the same findings, the same bytes
        handle.write(text.encode("utf-8"))


def differences(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[str]:
    """Lines saying what changed, message by message."""
    lines = [f"header: {old[0]} -> {new[0]}"] if old[0] != new[0] else []
    before = {row["id"]: row for row in old[1:]}
    for row in new[1:]:
        was = before.pop(row["id"], None)
        if was != row:
            lines.append(f"{row['id']}: {was} -> {row}")
    lines += [f"{ident}: no longer in the corpus" for ident in before]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--diff", action="store_true", help="show differences, write nothing")
    args = parser.parse_args(argv)
    rows = current()
    if args.diff:
        changed = differences(recorded(), rows)
        print("\n".join(changed) or "no difference")
        return 1 if changed else 0
    write(rows)
    print(f"wrote {RECORDED.relative_to(ROOT)}: {len(rows) - 1} messages, {rows[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A screen for the gate that answers from findings computed in batches.

The gate screens one message at a time (``Gate.decide`` calls its screen with the
proposal's text); the combined screener's model is several times cheaper per message when
it scores many in one pass (``CombinedScreener.screen_many``). A caller that knows the
texts it is about to gate — the night, a chunk of its actions at a time — hands them to
``prepare`` first; the gate's calls are then answered from those findings, and a text
nobody prepared is screened on its own, so the answers are the same either way.
"""

from __future__ import annotations

from collections.abc import Iterable

from faircollect.domain.compliance.findings import Finding
from faircollect.domain.compliance.screener.combined import CombinedScreener


class BatchedScreen:
    """``screen(text)`` for the gate, backed by batches a caller prepares."""

    def __init__(self, screener: CombinedScreener) -> None:
        self._screener = screener
        self._prepared: dict[str, tuple[Finding, ...]] = {}

    def prepare(self, texts: Iterable[str]) -> None:
        """Screen ``texts`` in one pass for the calls that follow; what was prepared
        before is dropped (a night prepares chunk after chunk, and the gate keeps its own
        cache of recent answers)."""
        fresh = list(dict.fromkeys(texts))
        self._prepared = dict(zip(fresh, self._screener.screen_many(fresh), strict=True))

    def __call__(self, text: str) -> tuple[Finding, ...]:
        found = self._prepared.get(text)
        return self._screener.screen(text) if found is None else found

"""The combined screener: the lexicon's findings, and the learned model's where it adds a label.

The lexicon is exact (a phrase, its offsets, its disguises undone) but knows only the phrasings
it was taught; the model reads new wording but is a judgement. So every lexicon finding stays as
it is, and the model adds a finding only for a label the lexicon did not find in the message and
only when its margin reaches the label's threshold (chosen on a validation split for precision
of at least 0.97). A model finding quotes the words that weighed most, mapped back to the
original text, and says it came from the model (``Finding.source``).
"""

from __future__ import annotations

from faircollect.domain.compliance.findings import RULE_FOR_LABEL, Finding, Label, Source
from faircollect.domain.compliance.screener.engine import Screener
from faircollect.domain.compliance.screener.model import LinearModel, Score
from faircollect.domain.compliance.screener.normalise import Normalised


class CombinedScreener:
    """Screens with a lexicon ``Screener`` and, beside it, a ``LinearModel``."""

    def __init__(self, lexicon: Screener, model: LinearModel) -> None:
        self.lexicon = lexicon
        self.model = model

    def screen(self, text: str) -> tuple[Finding, ...]:
        """Findings in ``text``, ordered by position; ``text[f.start:f.end] == f.evidence``."""
        normal = self.lexicon.normalise(text)
        if not normal.text:
            return ()
        found = self.lexicon.screen_normal(text, normal)
        known = frozenset(finding.label for finding in found)
        added = [
            self._finding(text, normal, score, start, end)
            for score in self.model.found(normal, skip=known)
            if not self._vetoed(score.label, normal.text)
            for start, end in score.spans
        ]
        if not added:
            return found
        return tuple(sorted((*found, *added), key=lambda f: (f.start, f.end, f.label)))

    def _vetoed(self, label: Label, normal_text: str) -> bool:
        """The lexicon's ``model_vetoes``: a fee the message attributes to the contract is the
        contract's (the lexicon still finds a fee it lists, such as 催收服务费)."""
        words = self.lexicon.lexicon.model_vetoes.get(label, ())
        return any(word in normal_text for word in words)

    @staticmethod
    def _finding(text: str, normal: Normalised, score: Score, start: int, end: int) -> Finding:
        """A model finding quoting the original characters behind normal ``[start, end)``."""
        o_start, o_end = normal.original_span(start, end)
        rule = RULE_FOR_LABEL[score.label]
        probability = round(score.probability, 3)
        return Finding(
            score.label, rule, o_start, o_end, text[o_start:o_end], Source.MODEL, probability
        )

"""The combined screener: the lexicon's findings, and the learned model's where it adds a label.

The lexicon is exact (a phrase, its offsets, its disguises undone) but knows only the phrasings
it was taught; the model reads new wording but is a judgement. So every lexicon finding stays as
it is, and the model adds a finding only for a label the lexicon did not find in the message and
only when its margin reaches the label's threshold (chosen on cross-validated margins of the
training corpus for the precision ``screening_training.PRECISION_TARGET``). The lexicon's
context rules bind the model too: nothing is added to a note about collection language, to a
message in the borrower's own voice (but an insult the borrower does not quote), nor where the
model's evidence starts in a borrower's turn or in a sentence reporting what someone else said
(``Screener.quoted``). A model finding quotes the words that weighed most, mapped back to the
original text, and says it came from the model (``Finding.source``).
"""

from __future__ import annotations

from collections.abc import Sequence

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
        return self.screen_many([text])[0]

    def screen_many(self, texts: Sequence[str]) -> list[tuple[Finding, ...]]:
        """``screen`` of each text, the model scoring them all in one pass: per text the same
        findings as ``screen(text)``, at a fraction of the cost per message (a stream screens
        its lines in small batches)."""
        normals = [self.lexicon.normalise(text) for text in texts]
        found = [
            self.lexicon.screen_normal(text, normal)
            for text, normal in zip(texts, normals, strict=True)
        ]
        skips = [frozenset(finding.label for finding in findings) for findings in found]
        scores = self.model.found_many(normals, skips)
        results = []
        for text, normal, findings, labels in zip(texts, normals, found, scores, strict=True):
            if not labels:
                results.append(findings)
                continue
            quoted = self.lexicon.quoted(text)
            added = [
                finding
                for score in labels
                if not self._vetoed(score.label, normal.text)
                for start, end in score.spans
                for finding in [self._finding(text, normal, score, start, end)]
                if not quoted(finding.label, finding.start)
            ]
            if added:
                findings = tuple(
                    sorted((*findings, *added), key=lambda f: (f.start, f.end, f.label))
                )
            results.append(findings)
        return results

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

"""What the screener reports and the gate quotes: labelled findings in a message.

Shared by the screener (which produces findings), the gate (which denies a contact whose
text has any) and the borrower's checker (which explains them).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Label(StrEnum):
    """Kinds of unlawful collection language."""

    VIOLENCE_THREAT = "violence_threat"
    INSULT = "insult"
    IMPERSONATION = "impersonation"
    FALSE_LEGAL = "false_legal"
    THIRD_PARTY = "third_party"
    PUBLIC_SHAMING = "public_shaming"
    HARASSMENT = "harassment"
    FEE_DEMAND = "fee_demand"
    BORROW_TO_REPAY = "borrow_to_repay"


RULE_FOR_LABEL: dict[Label, str] = {
    Label.VIOLENCE_THREAT: "CN-PROH-1",
    Label.INSULT: "CN-PROH-1",
    Label.IMPERSONATION: "CN-PROH-1",
    Label.FALSE_LEGAL: "CN-PROH-1",
    Label.THIRD_PARTY: "CN-3P-1",
    Label.PUBLIC_SHAMING: "SOFT-1",
    Label.HARASSMENT: "SOFT-1",
    Label.FEE_DEMAND: "CN-PROH-1",
    Label.BORROW_TO_REPAY: "CN-PROH-1",
}
"""The rule (DOMAIN.md section 2) each label breaks."""


class Source(StrEnum):
    """What found a passage: a lexicon phrase, or the learned model's reading of the wording."""

    LEXICON = "lexicon"
    MODEL = "model"


@dataclass(frozen=True, slots=True)
class Finding:
    """One unlawful passage: ``text[start:end] == evidence`` in the original message.

    A lexicon finding quotes the phrase that matched; a model finding quotes the words that
    weighed most in the model's decision and carries the model's ``probability``."""

    label: Label
    rule: str
    start: int
    end: int
    evidence: str
    source: Source = Source.LEXICON
    probability: float | None = None

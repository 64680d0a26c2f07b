"""Screener for unlawful collection language (issue 3, section 3; issue 12).

``screen(text)`` returns the findings in a message; the gate denies a contact with any, the
borrower's checker explains them, QA scores them. It is the combined screener: the lexicon's
findings (``Screener``) and, beside them, the labels the learned model (``LinearModel``) is
confident of. ``lexicon_screener()`` is the lexicon alone.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

from faircollect.domain.compliance.findings import Finding
from faircollect.domain.compliance.screener.combined import CombinedScreener
from faircollect.domain.compliance.screener.engine import Screener
from faircollect.domain.compliance.screener.lexicon import Lexicon, default_lexicon
from faircollect.domain.compliance.screener.model import MODEL_RESOURCE, LinearModel, load_model

__all__ = [
    "CombinedScreener",
    "Lexicon",
    "LinearModel",
    "Screener",
    "default_lexicon",
    "default_model",
    "default_screener",
    "lexicon_screener",
    "screen",
]


@lru_cache(maxsize=1)
def lexicon_screener() -> Screener:
    """The screener over the packaged lexicon alone, built on first use and then shared."""
    return Screener(default_lexicon())


@lru_cache(maxsize=1)
def default_model() -> LinearModel:
    """The learned model packaged with faircollect, read on first use and then shared."""
    package, path = MODEL_RESOURCE
    return load_model(files(package).joinpath(path).read_bytes())


@lru_cache(maxsize=1)
def default_screener() -> CombinedScreener:
    """The combined screener (packaged lexicon and model), built on first use and then shared."""
    return CombinedScreener(lexicon_screener(), default_model())


def screen(text: str) -> tuple[Finding, ...]:
    """Findings of unlawful collection language in ``text`` (offsets index ``text`` itself)."""
    return default_screener().screen(text)

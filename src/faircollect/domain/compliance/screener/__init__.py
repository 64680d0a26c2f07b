"""Screener for unlawful collection language (issue 3, section 3).

``screen(text)`` returns the findings in a message; the gate denies a contact with any, the
borrower's checker explains them. ``Screener`` is the reusable engine behind it.
"""

from __future__ import annotations

from functools import lru_cache

from faircollect.domain.compliance.findings import Finding
from faircollect.domain.compliance.screener.engine import Screener
from faircollect.domain.compliance.screener.lexicon import Lexicon, default_lexicon

__all__ = ["Lexicon", "Screener", "default_lexicon", "default_screener", "screen"]


@lru_cache(maxsize=1)
def default_screener() -> Screener:
    """The screener over the packaged lexicon, built on first use and then shared."""
    return Screener(default_lexicon())


def screen(text: str) -> tuple[Finding, ...]:
    """Findings of unlawful collection language in ``text`` (offsets index ``text`` itself)."""
    return default_screener().screen(text)

"""The lexicon is data: it loads from the package and refuses malformed fields by name."""

from __future__ import annotations

import pytest

from faircollect.domain.compliance.findings import Label
from faircollect.domain.compliance.screener import Screener, default_lexicon
from faircollect.domain.compliance.screener.lexicon import parse_lexicon

MINIMAL = {
    "negation_window": 4,
    "cue_window": 4,
    "after_window": 10,
    "negators": ["不会"],
    "entries": [{"label": "insult", "phrases": ["坏蛋"]}],
}


def test_packaged_lexicon_covers_every_label() -> None:
    assert {entry.label for entry in default_lexicon().entries} == set(Label)


def test_a_custom_lexicon_drives_the_screener() -> None:
    screener = Screener(parse_lexicon(MINIMAL))
    assert [f.evidence for f in screener.screen("你这个坏蛋")] == ["坏蛋"]
    assert screener.screen("我不会说你坏蛋") == ()


def test_a_field_that_is_not_a_list_is_named() -> None:
    with pytest.raises(ValueError, match="'phrases'"):
        parse_lexicon({**MINIMAL, "entries": [{"label": "insult", "phrases": "坏蛋"}]})


def test_an_unknown_label_is_refused() -> None:
    with pytest.raises(ValueError, match="rude"):
        parse_lexicon({**MINIMAL, "entries": [{"label": "rude", "phrases": ["坏蛋"]}]})

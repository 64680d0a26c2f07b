"""``bench/letters.py`` lays out every kind of letter both ways (the prepared letter face
and, as the baseline, the full face) and prints the times and their ratio (issue 14)."""

from __future__ import annotations

import re

import pytest

from faircollect.adapters.letter_font import NoCjkFont, cjk_font
from faircollect.domain.letters import LetterKind
from tests.bench.test_bench_smoke import run_bench

pytestmark = pytest.mark.slow


def test_letters_bench_times_every_kind_against_the_full_face() -> None:
    out = run_bench("letters.py", "--repeat", "1")
    try:
        cjk_font()
    except NoCjkFont:
        assert "letters: skipped" in out
        return
    assert "letter face:" in out and "load:" in out
    for kind in LetterKind:
        line = re.search(rf"^{kind.value}\s+(\d+)\s+(\d+)\s+(\d+\.\d)\s+[\d,]+$", out, re.M)
        assert line, (kind, out)
    assert re.search(r"outside GB 2312 \(王喆堃, full face\): \d+ ms", out), out

"""Findings index the original text, whatever was inserted or converted around them."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from faircollect.domain.compliance.screener import screen
from faircollect.domain.compliance.screener.normalise import Normaliser

NOISE = st.sampled_from([" ", "*", "\u200b", "。", "🙂", "-", "Ａ", "殺", "a", "你"])
PHRASES = st.sampled_from(["打断你的腿", "傻逼", "爆通讯录", "坐牢", "泼红漆", "停催费"])


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_evidence_is_the_original_slice_for_any_text(text: str) -> None:
    for finding in screen(text):
        assert text[finding.start : finding.end] == finding.evidence
        assert 0 <= finding.start < finding.end <= len(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(NOISE, max_size=5), PHRASES, st.lists(NOISE, max_size=5))
def test_phrase_is_found_at_its_original_place(
    prefix: list[str], phrase: str, suffix: list[str]
) -> None:
    head = "".join(prefix)
    text = head + phrase + "".join(suffix)
    findings = screen(text)
    assert any(f.start <= len(head) and f.end >= len(head) + len(phrase) for f in findings)


def test_origin_map_points_at_the_source_characters() -> None:
    normal = Normaliser(lambda s: {"殺": "杀"}.get(s, s), {"🔪": "砍死"})("殺 Ａ🔪,b")
    assert normal.text == "杀a砍死b"
    assert normal.origin == (0, 2, 3, 3, 5)
    assert [normal.clause_start(i) for i in range(5)] == [0, 0, 0, 0, 4]
    assert normal.original_span(1, 4) == (2, 4)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40) | st.lists(NOISE | PHRASES, max_size=12).map("".join))
def test_every_normal_character_comes_from_its_origin(text: str) -> None:
    normaliser = Normaliser(lambda s: {"殺": "杀"}.get(s, s), {"⚰": "收尸"})
    normal = normaliser(text)
    assert len(normal.origin) == len(normal.text)
    assert list(normal.origin) == sorted(normal.origin)
    for index, ch in enumerate(normal.text):
        assert ch in (normaliser.char(text[normal.origin[index]]) or "")

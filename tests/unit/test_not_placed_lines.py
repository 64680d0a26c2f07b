"""The night's report of placements that did not reach casework stays short on a big book."""

from __future__ import annotations

from faircollect.cli.nightly import not_placed_lines


def test_one_line_per_reason_with_count_and_the_first_five_ids() -> None:
    reasons = {f"L{n:03d}": "agency AG01 has no commission terms" for n in range(7)}
    reasons["L900"] = "case held by AG02"
    assert not_placed_lines(reasons) == [
        "  7 loan(s) not placed: agency AG01 has no commission terms"
        " (L000, L001, L002, L003, L004 and 2 more)",
        "  1 loan(s) not placed: case held by AG02 (L900)",
    ]


def test_nothing_to_report() -> None:
    assert not_placed_lines({}) == []

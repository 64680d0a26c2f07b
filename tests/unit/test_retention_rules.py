"""The retention rules alone (no database): periods, floors, when an identity expires, and
the periods file's mistakes reported with their line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from faircollect.adapters.retention_file import load_retention
from faircollect.adapters.yaml_reader import YamlFileError
from faircollect.domain.retention import (
    BorrowerFile,
    Category,
    Period,
    RetentionError,
    Unit,
    cutoffs,
    identity_expired,
)


def test_periods_count_back_in_calendar_time() -> None:
    assert Period.parse("5y").before(date(2026, 6, 1)) == date(2021, 6, 1)
    assert Period.parse("5y").before(date(2024, 2, 29)) == date(2019, 2, 28)
    assert Period.parse("6m").before(date(2026, 8, 31)) == date(2026, 2, 28)
    assert Period.parse("90d").before(date(2026, 2, 1)) == date(2025, 11, 3)
    assert Period.parse(" 30d ") == Period(30, Unit.DAYS)


@pytest.mark.parametrize("text", ["5", "five years", "5 yrs", "-1y", "1.5y", ""])
def test_a_period_must_be_a_number_and_a_unit(text: str) -> None:
    with pytest.raises(ValueError, match="expected a period like 5y, 6m or 90d"):
        Period.parse(text)


def test_the_shipped_policy_gives_every_category_a_cutoff() -> None:
    policy = load_retention(None)
    assert [r.category for r in policy.rules] == list(Category)
    assert cutoffs(policy, date(2026, 6, 1), 5) == {
        Category.CLOSED_CASES: date(2021, 6, 1),
        Category.CONTACT_RECORDS: date(2021, 6, 1),
        Category.RECORDINGS: date(2021, 6, 1),
        Category.OUTBOX_BODIES: date(2026, 3, 3),
        Category.SESSIONS: date(2026, 5, 2),
        Category.SIGN_IN_RECORDS: date(2025, 12, 1),
    }


def test_a_rule_pack_that_keeps_records_longer_raises_the_floor() -> None:
    """A lender whose rule pack keeps contact records 7 years (RET-1 tightened) cannot
    run the shipped 5-year periods for what RET-1 covers: every breach is named."""
    with pytest.raises(RetentionError) as refused:
        cutoffs(load_retention(None), date(2026, 6, 1), 7)
    assert refused.value.problems == tuple(
        f"{c}.keep: 5y is shorter than 7y (RET-1 in the rule pack)"
        for c in ("closed_cases", "contact_records", "recordings")
    )


def test_an_override_names_its_mistakes_with_their_lines(tmp_path: Path) -> None:
    bad = tmp_path / "mine.yaml"
    bad.write_text(
        "categories:\n  contact_records:\n    keep: forever\n  ledger:\n    keep: 1y\n"
        "  sessions:\n    minimum: 1d\n",
        encoding="utf-8",
    )
    with pytest.raises(YamlFileError) as refused:
        load_retention(bad)
    text = str(refused.value)
    assert "mine.yaml" in text
    assert "mine.yaml:3: categories.contact_records.keep: expected a period" in text
    assert "ledger" in text  # not a category a lender may change
    assert "minimum" in text  # floors are not the lender's to change


@pytest.mark.parametrize(
    ("file", "expired"),
    [
        (BorrowerFile("B", (date(2021, 3, 1),)), True),
        (BorrowerFile("B", (date(2021, 3, 1), date(2021, 6, 1))), False),  # closed on cutoff
        (BorrowerFile("B", (date(2021, 3, 1), None)), False),  # a case still open
        (BorrowerFile("B", ()), False),  # never had a case: not this rule's to decide
        (BorrowerFile("B", (date(2021, 3, 1),), owes=True), False),  # written off, owed
        (BorrowerFile("B", (date(2021, 3, 1),), complaint_open=True), False),  # COMP-1
    ],
)
def test_when_an_identity_expires(file: BorrowerFile, expired: bool) -> None:
    assert identity_expired(file, date(2021, 6, 1)) is expired

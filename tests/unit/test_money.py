"""Money parsing and formatting: exact, strict, two decimals."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from faircollect.domain.money import (
    Money,
    MoneyError,
    format_yuan,
    parse_yuan,
    round_half_up,
)


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("0", 0),
        ("12", 1200),
        ("12.3", 1230),
        ("12.30", 1230),
        ("0.01", 1),
        ("1234.56", 123456),
        (" 7.05 ", 705),
        ("1.000", 100),
    ],
)
def test_parse_yuan_accepts_plain_amounts(text: str, fen: int) -> None:
    assert parse_yuan(text) == fen


@pytest.mark.parametrize("text", ["1.005", "abc", "", "NaN", "Infinity", "1,000"])
def test_parse_yuan_refuses_what_is_not_exact_yuan(text: str) -> None:
    with pytest.raises(MoneyError):
        parse_yuan(text)


def test_parse_yuan_refuses_floats() -> None:
    with pytest.raises(MoneyError):
        parse_yuan(1.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fen", "text"), [(0, "0.00"), (5, "0.05"), (123456, "1234.56"), (-5, "-0.05")]
)
def test_format_yuan_always_two_decimals(fen: int, text: str) -> None:
    assert format_yuan(fen) == text


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_format_then_parse_is_identity(fen: int) -> None:
    assert parse_yuan(format_yuan(fen)) == fen


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        (Fraction(5, 2), 3),
        (Fraction(-5, 2), -3),
        (Fraction(7, 3), 2),
        (Fraction(8, 3), 3),
        (Decimal("2.5"), 3),
        (Decimal("2.4999"), 2),
        (4, 4),
    ],
)
def test_round_half_up(value: Fraction | Decimal | int, rounded: int) -> None:
    assert round_half_up(value) == rounded


def test_money_sums_and_shows_yuan() -> None:
    total = sum([Money.yuan("1.10"), Money.yuan("2.20")])
    assert total == Money(330)
    assert str(total) == "3.30"
    with pytest.raises(MoneyError):
        Money(1.5)  # type: ignore[arg-type]

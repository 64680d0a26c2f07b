"""Money, exact to the fen.

Inside the ledger an amount is a plain ``int`` of fen: it is exact, fast and what the
database stores. ``Money`` wraps it where an amount meets a person or a file: it parses
yuan strictly (at most two decimals, never a float) and always shows two decimals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

from faircollect.domain.bad_input import BadInput

FEN_PER_YUAN = 100
MAX_YUAN_DIGITS = 17
"""Whole-yuan digits an amount may have: 10^17 yuan is past the 64-bit fen column anyway,
and a bound keeps a 5,000-digit "amount" from costing more than it reads."""

PLAIN_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?|-?\.[0-9]+")
"""What a number is, wherever a person writes one (CSV, JSON, options): plain positional
notation in ASCII digits. No exponent (an Excel artefact that hides lost precision), no
digit separators ("10_000"), no other scripts' digits ("١٠٠٠"), all of which Decimal
would silently accept."""


class MoneyError(BadInput):
    """An amount that cannot be taken as exact yuan."""


def round_half_up(value: Fraction | Decimal | int) -> int:
    """Round an exact value to the nearest integer, halves away from zero.

    The ledger posts every computed amount this way ("round" in the conventions), so it
    lives in one place. Works on Fraction so no binary float ever enters.
    """
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        return int(value.to_integral_value(rounding=ROUND_HALF_UP))
    numerator, denominator = value.numerator, value.denominator
    sign = -1 if numerator < 0 else 1
    return sign * ((2 * abs(numerator) + denominator) // (2 * denominator))


MAX_FEN = 10**16
"""The largest amount taken (100 trillion yuan): far above any loan, and well inside the
64-bit integer columns that store fen, so an absurd input is refused, never a crash."""


def parse_yuan(text: str | int | Decimal) -> int:
    """Yuan as written by a person ("1234.5", "1234.56") to integer fen.

    Refuses floats, more than two decimals, amounts beyond ``MAX_FEN`` and anything that
    is not a plain number, so a typo in an import can never become a silently rounded
    amount.
    """
    if isinstance(text, float):
        raise MoneyError("floats are not accepted for money; pass a string or Decimal")
    if isinstance(text, int):
        return _bounded(text * FEN_PER_YUAN, text)
    try:
        amount = text if isinstance(text, Decimal) else Decimal(str(text).strip())
    except InvalidOperation as err:
        raise MoneyError(f"not an amount: {text!r}") from err
    if not amount.is_finite():
        raise MoneyError(f"not an amount: {text!r}")
    if amount and amount.adjusted() >= MAX_YUAN_DIGITS:
        raise MoneyError(f"amount too large: {_short(text)} (at most {MAX_FEN // 100} yuan)")
    # Exact integer arithmetic on the digits: Decimal would round past 28 digits.
    sign, digit_tuple, exponent = amount.as_tuple()
    assert isinstance(exponent, int)
    digits = list(digit_tuple)
    while exponent < -2 and digits and digits[-1] == 0:  # "1.000" is 1.00
        digits.pop()
        exponent += 1
    if not any(digits):
        return 0
    if exponent < -2:
        raise MoneyError(f"more than 2 decimals: {_short(text)}")
    fen: int = int("".join(map(str, digits))) * pow(10, exponent + 2)
    return _bounded(-fen if sign else fen, text)


def _bounded(fen: int, text: object) -> int:
    if abs(fen) > MAX_FEN:
        raise MoneyError(f"amount too large: {_short(text)} (at most {MAX_FEN // 100} yuan)")
    return fen


def parse_yuan_text(text: str) -> int:
    """Yuan as a person writes it in a file or a JSON document, to integer fen.

    The one definition of "a number" for amounts: ``PLAIN_DECIMAL`` (ASCII digits, an
    optional sign and point, nothing else), at most 2 decimals, at most ``MAX_YUAN_DIGITS``
    whole digits. The importer and ``apr --stdin`` both read amounts here.
    """
    stripped = text.strip()
    if not PLAIN_DECIMAL.fullmatch(stripped):
        raise MoneyError(f"not an amount (plain digits such as 1234.56): {_short(text)}")
    return parse_yuan(stripped)


def _short(text: object) -> str:
    """A value as shown in a message: its repr, cut to 40 characters."""
    shown = repr(text) if isinstance(text, str) else repr(str(text))
    return shown if len(shown) <= 40 else shown[:37] + "..."


def format_yuan(fen: int) -> str:
    """Integer fen as yuan with exactly two decimals: 123456 -> "1234.56"."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), FEN_PER_YUAN)
    return f"{sign}{whole}.{cents:02d}"


def fen_to_decimal(fen: int) -> Decimal:
    """Integer fen as a Decimal of yuan with two places (for JSON and reports)."""
    return Decimal(fen).scaleb(-2).quantize(Decimal("0.01"))


@dataclass(frozen=True, slots=True, order=True)
class Money:
    """An amount of CNY held as integer fen. Adds to 0 so ``sum()`` works; refuses floats."""

    fen: int

    def __post_init__(self) -> None:
        if not isinstance(self.fen, int) or isinstance(self.fen, bool):
            raise MoneyError(f"Money holds integer fen, got {type(self.fen).__name__}")

    @classmethod
    def yuan(cls, text: str | int | Decimal) -> Money:
        return cls(parse_yuan(text))

    def __add__(self, other: Money | int) -> Money:
        if isinstance(other, Money):
            return Money(self.fen + other.fen)
        if other == 0:
            return self
        return NotImplemented

    __radd__ = __add__

    def __sub__(self, other: Money) -> Money:
        return Money(self.fen - other.fen)

    def __neg__(self) -> Money:
        return Money(-self.fen)

    def __str__(self) -> str:
        return format_yuan(self.fen)

    def as_decimal(self) -> Decimal:
        return fen_to_decimal(self.fen)


ZERO = Money(0)

"""Reading the workbench's forms: every value is text, parsed here into what the use case
takes, or refused with ``InvalidField`` naming the field (422; nothing is stored).

Times entered on a page are Asia/Shanghai wall-clock times (``<input type=datetime-local>``
sends ``2026-03-02T23:00`` without an offset).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import TypeVar
from zoneinfo import ZoneInfo

from faircollect.domain.money import PLAIN_DECIMAL, MoneyError, parse_yuan_text
from faircollect.web.errors import InvalidField
from faircollect.web.pages.labels import zh

SHANGHAI = ZoneInfo("Asia/Shanghai")
E = TypeVar("E", bound=Enum)

FULL_WIDTH = str.maketrans("０１２３４５６７８９．，－", "0123456789.,-")
"""What a Chinese input method types in full-width mode, read as the ASCII it stands
for; any other script's digits, superscripts and exponents stay refused
(``money.PLAIN_DECIMAL``: the one definition of a number a person writes)."""


def _number_text(value: str | None) -> str:
    return (value or "").strip().translate(FULL_WIDTH)


def required(value: str | None, field: str, message: str) -> str:
    """A text the form must fill in (spaces are not a value)."""
    text = (value or "").strip()
    if not text:
        raise InvalidField(field, message)
    return text


def moment(value: str | None, field: str, default: datetime) -> datetime:
    """A local time from a form (``default`` when left empty)."""
    text = (value or "").strip()
    if not text:
        return default
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidField(field, f"不是有效的时间：'{text}'（例如 2026-03-02T10:30）") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=SHANGHAI)


def day(value: str | None, field: str) -> date:
    """A date from a form; required."""
    text = (value or "").strip()
    if not text:
        raise InvalidField(field, "请填写日期")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidField(field, f"不是有效的日期：'{text}'（例如 2026-03-10）") from None


def optional_day(value: str | None, field: str) -> date | None:
    return day(value, field) if (value or "").strip() else None


def fen(value: str | None, field: str) -> int:
    """An amount in yuan (at most two decimals) as fen; required and positive."""
    text = _number_text(value).replace(",", "")
    if not text:
        raise InvalidField(field, "请填写金额")
    try:
        amount = parse_yuan_text(text)
    except MoneyError:
        raise InvalidField(field, f"不是有效的金额：'{text}'（元，最多两位小数）") from None
    if amount <= 0:
        raise InvalidField(field, "金额必须大于 0")
    return amount


def choice(kind: type[E], value: str | None, field: str) -> E:
    """One of the enum's values; required."""
    text = (value or "").strip()
    try:
        return kind(text)
    except ValueError:
        allowed = "、".join(zh(v.value) for v in kind)
        raise InvalidField(field, f"请选择：{allowed}") from None


def optional_choice(kind: type[E], value: str | None, field: str) -> E | None:
    return choice(kind, value, field) if (value or "").strip() else None


def whole(value: str | None, field: str, low: int, high: int) -> int:
    """A whole number between ``low`` and ``high``."""
    text = _number_text(value)
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
        raise InvalidField(field, f"请填写 {low} 到 {high} 之间的整数")
    return int(text)


def rate(value: str | None, field: str) -> Decimal:
    """An annual rate as a decimal between 0 and 1 (``0.12``); empty is 0 (interest-free)."""
    text = _number_text(value) or "0"
    number = Decimal(text) if PLAIN_DECIMAL.fullmatch(text) else Decimal(-1)
    if not 0 <= number < 1:
        raise InvalidField(field, f"不是有效的年利率：'{text}'（0 到 1 之间的小数，例如 0.12）")
    return number


def yes_no(value: str | None) -> bool | None:
    """A select of 是 / 否 / 未说明 (``yes`` / ``no`` / empty)."""
    return {"yes": True, "no": False}.get((value or "").strip())


def month(value: str | None, default: date) -> tuple[int, int]:
    """A ``YYYY-MM`` month (``default``'s month when empty)."""
    text = (value or "").strip()
    if not text:
        return default.year, default.month
    try:
        parsed = datetime.strptime(text, "%Y-%m")
    except ValueError:
        raise InvalidField("month", f"不是有效的月份：'{text}'（例如 2026-03）") from None
    return parsed.year, parsed.month

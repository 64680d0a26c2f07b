"""Lawful rate caps as data: the LPR table (RATE-1) and the total-cost cap (RATE-2).

Which cap applies depends on who lent (RATE-1s): private lenders are held to 4 x the one-year
LPR at the contract date (最高法 民间借贷规定 Arts.25, 28); licensed lenders (small-loan, pawn,
consumer finance, online platforms ...) are exempt from that rule (法释〔2020〕27号) and are held
to the regulator's total financing cost cap, 24% by default (金规〔2025〕9号). Both caps are
read as caps on the borrower's total cost: interest plus every fee.

Pure: the LPR table is parsed from text the caller reads (``faircollect.data.lpr_csv_text``).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from faircollect.domain.messages import Message

DEFAULT_TOTAL_COST_CAP = Decimal("0.24")
"""RATE-2: total financing cost of consumer / online loans, as an APR (monthly IRR x 12)."""

LPR_MULTIPLE = 4
"""RATE-1: private-lending interest above 4 x one-year LPR is not upheld."""

LPR_HEADER = ("date", "one_year_lpr")


class LenderType(StrEnum):
    """Who lent, which decides the applicable cap (RATE-1s)."""

    PRIVATE = "private"  # 民间借贷: RATE-1 applies
    LICENSED = "licensed"  # 持牌机构: exempt from RATE-1, RATE-2 applies


class RateTableError(ValueError):
    """A malformed LPR table, or a date the table does not cover."""


@dataclass(frozen=True, slots=True)
class LprTable:
    """One-year LPR by effective date; a rate holds from its date until the next row."""

    dates: tuple[date, ...]
    rates: tuple[Decimal, ...]

    def on(self, day: date) -> Decimal:
        """The one-year LPR in force on ``day``; refuses dates before the first row."""
        index = bisect_right(self.dates, day)
        if index == 0:
            first = self.dates[0].isoformat() if self.dates else "(empty table)"
            raise RateTableError(
                f"no one-year LPR for {day.isoformat()}: the table starts on {first}"
            )
        return self.rates[index - 1]


def parse_lpr_table(text: str, source: str = "lpr.csv") -> LprTable:
    """Parse ``date,one_year_lpr`` CSV text; ``#`` lines are comments.

    Errors name the source, line and field, so an operator editing the file sees what to fix.
    Dates must strictly increase and rates lie in (0, 1).
    """
    dates: list[date] = []
    rates: list[Decimal] = []
    header_seen = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = tuple(part.strip() for part in line.split(","))
        if not header_seen:
            if fields != LPR_HEADER:
                raise RateTableError(f"{source} line {number}: header must be date,one_year_lpr")
            header_seen = True
            continue
        day, rate = _lpr_row(fields, source, number)
        if dates and day <= dates[-1]:
            raise RateTableError(f"{source} line {number}, field date: dates must increase")
        dates.append(day)
        rates.append(rate)
    if not dates:
        raise RateTableError(f"{source}: no LPR rows")
    return LprTable(tuple(dates), tuple(rates))


def _lpr_row(fields: tuple[str, ...], source: str, number: int) -> tuple[date, Decimal]:
    if len(fields) != len(LPR_HEADER):
        raise RateTableError(f"{source} line {number}: expected 2 fields, got {len(fields)}")
    try:
        day = date.fromisoformat(fields[0])
    except ValueError as err:
        raise RateTableError(f"{source} line {number}, field date: {fields[0]!r}") from err
    try:
        rate = Decimal(fields[1])
    except InvalidOperation as err:
        raise RateTableError(f"{source} line {number}, field one_year_lpr: {fields[1]!r}") from err
    if not (rate.is_finite() and 0 < rate < 1):
        raise RateTableError(
            f"{source} line {number}, field one_year_lpr: {fields[1]!r} is not a rate in (0, 1)"
        )
    return day, rate


@dataclass(frozen=True, slots=True)
class RateCap:
    """The cap a loan is measured against: which rule, what annual rate, and why."""

    rule_id: str
    rate: Decimal
    notes: tuple[Message, ...] = ()
    """Why this cap, as catalogue messages (said in English by the CLI, Chinese on a page)."""


def applicable_cap(
    lender: LenderType,
    contract_date: date,
    lpr: LprTable | None = None,
    total_cost_cap: Decimal = DEFAULT_TOTAL_COST_CAP,
) -> RateCap:
    """The cap for a lender type: RATE-1 (4 x LPR at the contract date) or RATE-2."""
    if lender is LenderType.LICENSED:
        return RateCap(
            "RATE-2",
            total_cost_cap,
            (Message("cost.licensed_cap", cap=total_cost_cap),),
        )
    if lpr is None:
        raise RateTableError("private lending needs the one-year LPR table (RATE-1)")
    one_year = lpr.on(contract_date)
    notes = [
        Message("cost.private_cap", lpr=one_year, on=contract_date, cap=LPR_MULTIPLE * one_year)
    ]
    if contract_date > lpr.dates[-1]:
        notes.append(Message("cost.lpr_stale", last=lpr.dates[-1]))
    return RateCap("RATE-1", LPR_MULTIPLE * one_year, tuple(notes))

"""The managers' reports (issue 14): what each figure is, as values with no I/O.

A report is a title, its dates and one or more tables; a table is its columns (key,
Chinese title, kind) and rows of plain values: counts as ``int``, money as integer fen,
rates as ``Decimal`` (or None when the denominator is 0). How they are read (SQL,
``adapters.db.reports``) and written (Markdown, JSON, CSV, xlsx,
``adapters.report_files``) is decided elsewhere; what a rate means is decided here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from faircollect.domain.bad_input import BadInput
from faircollect.domain.ledger.state import BUCKETS
from faircollect.domain.money import format_yuan

PAID = "paid"
"""The roll-rate column of loans paid off by the later date."""

TO_COLUMNS: tuple[str, ...] = (*BUCKETS, PAID)
"""Where an account of the roll-rate matrix can be at the later date."""

RATE_PLACES = Decimal("0.0001")
"""Rates are shown with four decimals (``"0.3125"``), rounded half up."""


class ReportError(BadInput):
    """A report asked for with options that cannot work (exit 2, naming the option)."""


class Kind(StrEnum):
    """How a column's values are written."""

    TEXT = "text"
    COUNT = "count"
    MONEY = "money"
    """Integer fen, shown as yuan with two decimals."""
    RATE = "rate"
    """A ``Decimal`` share (0.3125), or None when nothing was counted."""


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str
    """The Chinese header (Excel, the workbench, Markdown)."""
    kind: Kind = Kind.COUNT


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    title: str
    columns: tuple[Column, ...]
    rows: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Report:
    name: str
    title: str
    start: date
    end: date
    """The report's date (``start == end``) or its two dates / period (inclusive)."""
    tables: list[Table]
    data: dict[str, Any] = field(default_factory=dict)
    """The JSON answer when the report has a shape of its own (roll rates)."""


def rate(part: int, whole: int) -> Decimal | None:
    """``part / whole`` to four decimals, half up; None when ``whole`` is 0."""
    if whole == 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def show(value: Any, kind: Kind) -> Any:
    """A value as text or a JSON number: money as yuan (``"12.30"``), rates as decimal
    strings (``"0.3125"``), counts as integers, a missing rate as None."""
    if value is None:
        return None
    if kind is Kind.MONEY:
        return format_yuan(int(value))
    if kind is Kind.RATE:
        return str(value)
    return value


# --- buckets and roll rates -------------------------------------------------------------


def next_bucket(name: str) -> str | None:
    """The bucket an account rolls forward into (M0 -> M1 ... M6 -> M6+); None for M6+."""
    at = BUCKETS.index(name)
    return BUCKETS[at + 1] if at + 1 < len(BUCKETS) else None


@dataclass(frozen=True, slots=True)
class RollMatrix:
    """Accounts and amounts moving from each bucket at ``start`` to each column at
    ``end`` (``TO_COLUMNS``). Every from-bucket and to-column is present (0 when none)."""

    start: date
    end: date
    accounts: dict[str, dict[str, int]]
    principal: dict[str, dict[str, int]]
    """Overdue principal at ``start`` (fen) of the accounts of each cell."""
    balance: dict[str, dict[str, int]]
    """Outstanding principal at ``start`` (fen) of the accounts of each cell."""

    @classmethod
    def of(
        cls, start: date, end: date, cells: Mapping[tuple[str, str], tuple[int, int, int]]
    ) -> RollMatrix:
        """From (from, to) -> (accounts, overdue principal, outstanding principal)."""
        unknown = {k for k in cells if k[0] not in BUCKETS or k[1] not in TO_COLUMNS}
        if unknown:
            raise ValueError(f"unknown buckets in the roll matrix: {sorted(unknown)}")
        empty = (0, 0, 0)

        def grid(i: int) -> dict[str, dict[str, int]]:
            return {a: {b: cells.get((a, b), empty)[i] for b in TO_COLUMNS} for a in BUCKETS}

        return cls(start, end, grid(0), grid(1), grid(2))

    def total(self, bucket: str) -> int:
        """Accounts in ``bucket`` at the start."""
        return sum(self.accounts[bucket].values())

    def roll_rates(self) -> dict[str, Decimal | None]:
        """Per bucket up to M6: the share of its accounts in the next bucket at the end
        (M1 -> M2 ...). An account that jumps two buckets between dates far apart is not
        counted as rolled into the next one."""
        found: dict[str, Decimal | None] = {}
        for name in BUCKETS:
            ahead = next_bucket(name)
            if ahead is not None:
                found[name] = rate(self.accounts[name][ahead], self.total(name))
        return found

    def cure_rates(self) -> dict[str, Decimal | None]:
        """Per delinquent bucket: the share of its accounts current (M0) or paid off at the
        end."""
        return {
            name: rate(
                self.accounts[name][BUCKETS[0]] + self.accounts[name][PAID], self.total(name)
            )
            for name in BUCKETS[1:]
        }

    def as_json(self) -> dict[str, Any]:
        """The issue's shape: from, to, accounts, principal (yuan strings), roll_rate,
        cure_rate (decimal strings, null when the bucket was empty), and balance."""

        def money(grid: dict[str, dict[str, int]]) -> dict[str, dict[str, str]]:
            return {a: {b: format_yuan(v) for b, v in row.items()} for a, row in grid.items()}

        def rates(found: dict[str, Decimal | None]) -> dict[str, str | None]:
            return {k: None if v is None else str(v) for k, v in found.items()}

        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "accounts": self.accounts,
            "principal": money(self.principal),
            "balance": money(self.balance),
            "roll_rate": rates(self.roll_rates()),
            "cure_rate": rates(self.cure_rates()),
        }


# --- vintage ----------------------------------------------------------------------------

COMPLAINT_DAYS = 15
"""COMP-1: a lender decides a complaint within 15 days (on time: answered within this
many days of being opened)."""


def months_on_book(disbursed: date, night: date) -> int:
    """Calendar months from the disbursement month to the night's month (MOB 0: the same
    month)."""
    return (night.year - disbursed.year) * 12 + night.month - disbursed.month


def month_ends(nights: list[date]) -> list[date]:
    """The last stored night of each calendar month, in order."""
    last: dict[tuple[int, int], date] = {}
    for night in nights:
        key = (night.year, night.month)
        if key not in last or night > last[key]:
            last[key] = night
    return sorted(last.values())


# --- keeping a report (the night's cache) -----------------------------------------------


def report_json(report: Report) -> str:
    """``report`` as JSON text that ``report_from_json`` reads back equal: rates as
    decimal strings, money and counts as integers, dates ISO (the night's cache)."""

    def cell(value: Any, kind: Kind | None) -> Any:
        return str(value) if isinstance(value, Decimal) and kind is Kind.RATE else value

    tables = []
    for table in report.tables:
        kinds = {c.key: c.kind for c in table.columns}
        tables.append(
            {
                "name": table.name,
                "title": table.title,
                "columns": [[c.key, c.title, c.kind.value] for c in table.columns],
                "rows": [{k: cell(v, kinds.get(k)) for k, v in row.items()} for row in table.rows],
            }
        )
    return json.dumps(
        {
            "name": report.name,
            "title": report.title,
            "start": report.start.isoformat(),
            "end": report.end.isoformat(),
            "tables": tables,
            "data": report.data,
        },
        ensure_ascii=False,
    )


def report_from_json(text: str) -> Report:
    """The report ``report_json`` wrote."""
    raw = json.loads(text)
    tables = []
    for t in raw["tables"]:
        columns = tuple(Column(key, title, Kind(kind)) for key, title, kind in t["columns"])
        rates = {c.key for c in columns if c.kind is Kind.RATE}
        rows = [
            {k: Decimal(v) if k in rates and v is not None else v for k, v in row.items()}
            for row in t["rows"]
        ]
        tables.append(Table(t["name"], t["title"], columns, rows))
    return Report(
        raw["name"],
        raw["title"],
        date.fromisoformat(raw["start"]),
        date.fromisoformat(raw["end"]),
        tables,
        raw["data"],
    )

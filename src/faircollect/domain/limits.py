"""Plausibility bounds: values the importer accepts, as data (``data/limits/limits.yaml``).

Pure: the bounds are a value, "today" is a parameter. ``Limits`` holds what the shipped file
(or a lender's override) says; ``Limits.bounds(today)`` fixes the date window and gives a
``Bounds`` that checks a parsed row. Each breach names the field, the bound, the limit's key
and where it was set, so a lender can tell a typo from a bound that needs raising:

    loans.csv line 3, field annual_rate: 50 is above the maximum 1 (limit annual_rate_max
    in faircollect/data/limits/limits.yaml; raise it with --limits FILE)

The bounds also keep every value inside what the ledger computes with: dates far from the
ends of the calendar (a 600-month loan disbursed at the latest date still ends before year
9999), amounts inside the 64-bit fen column.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from faircollect.domain.money import format_yuan

COLUMN_MAX_FEN = 2**63 - 1
"""The largest amount a BIGINT fen column holds."""
MAX_PAST_YEARS = 200
MAX_FUTURE_DAYS = 3650
"""Ceilings on the date limits themselves, so a raised bound still keeps dates computable."""
SHIPPED = "faircollect/data/limits/limits.yaml"
RAISE_HINT = "to raise it, give a limits file with --limits or FAIRCOLLECT_LIMITS"


@dataclass(frozen=True, slots=True)
class Limits:
    """The bounds as configured (see ``data/limits/limits.yaml`` for what each means)."""

    amount_max: int
    """Fen."""
    annual_rate_max: Decimal
    penalty_rate_daily_max: Decimal
    past_years: int
    disbursed_on_future_days: int
    paid_on_future_days: int
    business_date_future_days: int
    source: str = SHIPPED
    """Where the values were set, named in every refusal."""

    def bounds(self, today: date) -> Bounds:
        """The bounds with the date window fixed around ``today``."""
        try:
            earliest = today.replace(year=today.year - self.past_years)
        except ValueError:  # 29 February
            earliest = today.replace(year=today.year - self.past_years, day=28)
        return Bounds(
            self,
            today,
            earliest,
            today + timedelta(days=self.disbursed_on_future_days),
            today + timedelta(days=self.paid_on_future_days),
        )


@dataclass(frozen=True, slots=True)
class Bounds:
    """``Limits`` fixed to a day: ``check(file, values)`` lists the breaches of a parsed row."""

    limits: Limits
    today: date
    earliest: date
    latest_disbursed: date
    latest_paid: date

    def _where(self, key: str) -> str:
        return f"limit {key} in {self.limits.source}; {RAISE_HINT}"

    def amount(self, fen: int) -> str | None:
        """Why an amount (fen) is implausible, or None."""
        if fen > self.limits.amount_max:
            return (
                f"{format_yuan(fen)} is above the maximum amount "
                f"{format_yuan(self.limits.amount_max)} ({self._where('amount_max')})"
            )
        return None

    def rate(self, value: Decimal, key: str, maximum: Decimal) -> str | None:
        if value > maximum:
            return f"{value} is above the maximum {maximum} ({self._where(key)})"
        return None

    def day(self, value: date, latest: date, key: str) -> str | None:
        """Why a date is outside [earliest, latest], or None."""
        if value < self.earliest:
            return (
                f"{value.isoformat()} is before {self.earliest.isoformat()} (today minus "
                f"{self.limits.past_years} years, {self._where('past_years')})"
            )
        if value > latest:
            days = (latest - self.today).days
            return (
                f"{value.isoformat()} is after {latest.isoformat()} (today plus {days} days, "
                f"{self._where(key)})"
            )
        return None

    def check(self, file: str, values: Mapping[str, Any]) -> list[tuple[str, str]]:
        """(field, message) for each value of a parsed row of ``file`` outside its bound.

        The importer's hot path: a row within every bound costs one chained comparison.
        """
        if file == "payments.csv":
            if (
                self.earliest <= values["paid_on"] <= self.latest_paid
                and values["amount"] <= self.limits.amount_max
            ):
                return []
        elif file == "loans.csv":
            limits = self.limits
            if (
                self.earliest <= values["disbursed_on"] <= self.latest_disbursed
                and values["contract_principal"] <= limits.amount_max
                and values["received_amount"] <= limits.amount_max
                and values["periodic_fee"] <= limits.amount_max
                and values["annual_rate"] <= limits.annual_rate_max
                and values["penalty_rate_daily"] <= limits.penalty_rate_daily_max
            ):
                return []
        checks = _CHECKS.get(file)
        if checks is None:
            return []
        breaches = []
        for name, check in checks:
            value = values.get(name)
            if value is None:
                continue
            problem = check(self, value)
            if problem is not None:
                breaches.append((name, problem))
        return breaches


def _annual(bounds: Bounds, value: Decimal) -> str | None:
    return bounds.rate(value, "annual_rate_max", bounds.limits.annual_rate_max)


def _penalty(bounds: Bounds, value: Decimal) -> str | None:
    return bounds.rate(value, "penalty_rate_daily_max", bounds.limits.penalty_rate_daily_max)


def _disbursed(bounds: Bounds, value: date) -> str | None:
    return bounds.day(value, bounds.latest_disbursed, "disbursed_on_future_days")


def _paid(bounds: Bounds, value: date) -> str | None:
    return bounds.day(value, bounds.latest_paid, "paid_on_future_days")


_CHECKS: dict[str, tuple[tuple[str, Any], ...]] = {
    "loans.csv": (
        ("contract_principal", Bounds.amount),
        ("received_amount", Bounds.amount),
        ("annual_rate", _annual),
        ("disbursed_on", _disbursed),
        ("penalty_rate_daily", _penalty),
        ("periodic_fee", Bounds.amount),
    ),
    "payments.csv": (("paid_on", _paid), ("amount", Bounds.amount)),
}
"""Per import file: (column, check) in column order."""

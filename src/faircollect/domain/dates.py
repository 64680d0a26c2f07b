"""Calendar arithmetic the ledger relies on (pure, no clock)."""

from __future__ import annotations

import calendar
from datetime import date


def add_months(start: date, months: int) -> date:
    """Same day of month ``months`` later, clamped to that month's last day.

    Installment k falls due on disbursement + k months (31 Jan + 1 month = 28/29 Feb).
    """
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last_day))

"""Dates and times given as options (``--date``, ``--as-of``, ``--on``, ``--due``, ``--at``).

One parser for all of them: ISO format, and within the plausibility window around today
(``data/limits/limits.yaml``: ``past_years`` back, ``business_date_future_days`` ahead).
A nightly run "as of 0001-01-01" would store states for year 1 and one "as of 9999-12-31"
overflows the calendar; both are typos, refused as bad input (exit 2) naming the option.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from faircollect.domain.bad_input import BadInput

SHANGHAI = ZoneInfo("Asia/Shanghai")


def today() -> date:
    """Today's business date in Asia/Shanghai (the clock is read here, at the edge)."""
    return datetime.now(SHANGHAI).date()


def option_date(text: str | None, option: str) -> date:
    """The date an option names (``YYYY-MM-DD``), or today when it is not given."""
    if text is None:
        return today()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise BadInput(f"{option}: not an ISO date (YYYY-MM-DD): {text[:40]!r}") from None
    _check_window(day, option, text)
    return day


def option_moment(text: str | None, option: str) -> datetime:
    """An aware time an option names (naive = Shanghai wall-clock), or now when not given."""
    if text is None:
        return datetime.now(SHANGHAI)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadInput(
            f"{option}: '{text[:40]}' is not an ISO date and time (YYYY-MM-DDTHH:MM)"
        ) from None
    _check_window(moment.date(), option, text)
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def _check_window(day: date, option: str, text: str) -> None:
    from faircollect.adapters.limits_file import load_limits

    limits = load_limits()
    now = today()
    bounds = limits.bounds(now)
    latest = now + timedelta(days=limits.business_date_future_days)
    problem = bounds.day(day, latest, "business_date_future_days")
    if problem:
        raise BadInput(f"{option}: {problem}")

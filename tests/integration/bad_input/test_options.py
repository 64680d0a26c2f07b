"""Issue 11: date and time options are bounded like imported dates.

A nightly run "as of 0001-01-01" stored states for year 1 and one "as of 9999-12-31"
overflowed the calendar. Every date or time option is now read by one parser
(``cli.dates``) and refused outside the plausibility window, naming the option.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.integration.bad_input.front_door import fingerprint, refused, run

BAD_DATES = [
    pytest.param("0001-01-01", "past_years", id="year-1"),
    pytest.param("9999-12-31", "business_date_future_days", id="year-9999"),
    pytest.param("2026-13-01", "not an ISO date", id="month-13"),
    pytest.param("tomorrow", "not an ISO date", id="word"),
]
OPTIONS = [
    pytest.param(
        lambda d, url, tmp: ["run-day", "--date", d, "--database-url", url], "--date", id="run-day"
    ),
    pytest.param(
        lambda d, url, tmp: ["export", "accounts", "--date", d, "--database-url", url],
        "--date",
        id="export-accounts",
    ),
    pytest.param(
        lambda d, url, tmp: ["export", "actions", "--date", d, "--database-url", url],
        "--date",
        id="export-actions",
    ),
    pytest.param(
        lambda d, url, tmp: ["plan", "--date", d, "--database-url", url], "--date", id="plan"
    ),
    pytest.param(
        lambda d, url, tmp: ["compliance", "report", "--date", d, "--database-url", url],
        "--date",
        id="compliance-report",
    ),
    pytest.param(
        lambda d, url, tmp: ["loan", "show", "L1", "--as-of", d, "--database-url", url],
        "--as-of",
        id="loan-show",
    ),
    pytest.param(
        lambda d, url, tmp: ["demo", "--accounts", "3", "--out", str(tmp / "demo"), "--as-of", d],
        "--as-of",
        id="demo",
    ),
    pytest.param(
        lambda d, url, tmp: [
            "ptp",
            "add",
            "--as",
            "C101",
            "--loan",
            "L1",
            "--amount",
            "100",
            "--due",
            d,
            "--database-url",
            url,
        ],
        "--due",
        id="ptp-due",
    ),
    pytest.param(
        lambda d, url, tmp: ["case", "open", "--owner", "C101", "--on", d, "--db", url],
        "--on",
        id="case-open",
    ),
    pytest.param(
        lambda d, url, tmp: ["outbox", "list", "--date", d, "--database-url", url],
        "--date",
        id="outbox-list",
    ),
    pytest.param(
        lambda d, url, tmp: [
            "outbox",
            "send",
            "--to-files",
            f"sms={tmp}",
            "--now",
            f"{d}T10:00",
            "--database-url",
            url,
        ],
        "--now",
        id="outbox-send",
    ),
    pytest.param(
        lambda d, url, tmp: ["report", "buckets", "--date", d, "--database-url", url],
        "--date",
        id="report-date",
    ),
    pytest.param(
        lambda d, url, tmp: [
            "report",
            "roll-rates",
            "--from",
            "2026-10-31",
            "--to",
            d,
            "--database-url",
            url,
        ],
        "--to",
        id="report-to",
    ),
    pytest.param(
        lambda d, url, tmp: [
            "letter",
            "render",
            "--loan",
            "L1",
            "--kind",
            "overdue_notice",
            "--out",
            str(tmp / "letter.pdf"),
            "--date",
            d,
            "--database-url",
            url,
        ],
        "--date",
        id="letter-date",
    ),
]


@pytest.mark.parametrize(("argv", "option"), OPTIONS)
@pytest.mark.parametrize(("day", "words"), BAD_DATES)
def test_a_date_option_outside_the_window_is_refused_naming_it(
    db_engine: Engine,
    database_url: str,
    tmp_path: Path,
    argv: object,
    option: str,
    day: str,
    words: str,
) -> None:
    assert callable(argv)
    before = fingerprint(database_url)
    out = run(*argv(day, database_url, tmp_path))
    refused(out, 2, f"{option}: ", words)
    assert fingerprint(database_url) == before
    assert not (tmp_path / "demo").exists()

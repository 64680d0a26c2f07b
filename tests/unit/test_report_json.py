"""Issue 14: a report the night keeps (``report_cache``) reads back equal: money and counts
as integers, rates as the same ``Decimal`` (or None), texts and dates as written."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from faircollect.domain.reports import (
    Column,
    Kind,
    Report,
    Table,
    report_from_json,
    report_json,
)

REPORT = Report(
    "buckets",
    "账龄分布 2026-10-31",
    date(2026, 10, 31),
    date(2026, 10, 31),
    [
        Table(
            "by_bucket",
            "按账龄（M0 = 未逾期）",
            (
                Column("bucket", "账龄", Kind.TEXT),
                Column("accounts", "户数"),
                Column("share", "户数占比", Kind.RATE),
                Column("overdue_total", "逾期总额（元）", Kind.MONEY),
            ),
            [
                {
                    "bucket": "M1",
                    "accounts": 3,
                    "share": Decimal("0.3750"),
                    "overdue_total": 35_000,
                },
                {"bucket": "合计", "accounts": 0, "share": None, "overdue_total": 0},
            ],
        )
    ],
)


def test_a_kept_report_reads_back_equal() -> None:
    text = report_json(REPORT)
    assert report_from_json(text) == REPORT
    raw = json.loads(text)
    first = raw["tables"][0]["rows"][0]
    assert first == {"bucket": "M1", "accounts": 3, "share": "0.3750", "overdue_total": 35000}
    assert raw["start"] == "2026-10-31" and "账龄分布" in text  # readable, not escaped


def test_a_rate_reads_back_as_the_same_decimal_not_a_float() -> None:
    back = report_from_json(report_json(REPORT)).tables[0].rows[0]["share"]
    assert isinstance(back, Decimal) and str(back) == "0.3750"

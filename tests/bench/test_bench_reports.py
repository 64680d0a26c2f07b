"""``bench/reports.py`` runs at a tiny size and prints a time for every report (issue 14)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from faircollect.services.manager_reports import REPORTS
from tests.bench.test_bench_smoke import run_bench

pytestmark = pytest.mark.slow


def test_reports_bench_times_every_report(tmp_path: Path) -> None:
    kept = tmp_path / "book.db"
    out = run_bench(
        "reports.py", "--accounts", "200", "--nights", "3", "--repeat", "1", "--reuse-db", kept
    )
    assert "built" in out and kept.exists()
    assert re.search(r"200 loans, 600 stored night states", out), out
    for name in REPORTS:
        assert re.search(rf"^{re.escape(name)}\s+\d+\.\d{{3}}\s+\d+$", out, re.M), (name, out)
    for name in ("buckets", "vintage"):  # the pages the night keeps: computed vs kept
        page = rf"^/reports/{name}\?date=\S+\s+\d+\.\d{{3}}\s+\d+\.\d{{3}}\s+\d+\.\d$"
        assert re.search(page, out, re.M), (name, out)
    assert "letter " in out
    again = run_bench(
        "reports.py", "--accounts", "200", "--nights", "3", "--repeat", "1", "--reuse-db", kept
    )
    assert f"reused {kept}" in again

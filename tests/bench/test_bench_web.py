"""``bench/web.py`` runs at a tiny size as ``make test`` runs it: builds its morning with
the project's commands, serves the app and the floor on loopback, measures, stops.

Like the other bench smoke tests (``test_bench_smoke.py``): a subprocess against this
checkout's ``src``, checked for the figures the script exists to print; the latencies are
not judged (the machine is shared), only that every request got its expected answer.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def test_web_bench_at_a_tiny_size(tmp_path: Path) -> None:
    kept = tmp_path / "morning.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    args = ["--accounts", "300", "--clients", "2", "--requests", "8", "--reuse-db", str(kept)]
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "web.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = done.stdout
    assert done.returncode == 0, f"bench/web.py failed:\n{out}\n{done.stderr}"
    assert re.search(r"built .*morning\.db: 300 accounts, night of 2026-11-30", out), out
    assert re.search(r"collectors with work: C\d{3} \(\d+ cases\)", out), out
    for endpoint in ("queue", "case list", "case page", "contact POST"):
        row = re.search(rf"^{endpoint} +8 +([\d.]+ +){{5}}[\d.]+x +0$", out, re.MULTILINE)
        assert row, f"{endpoint}: no row with 8 requests and 0 errors in\n{out}"
    assert re.search(r"^targets: (met|missed: .*ms)$", out, re.MULTILINE), out
    assert "errors" not in out.split("targets:")[1], out
    assert kept.exists()

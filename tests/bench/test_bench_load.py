"""``bench/load.py`` runs at a tiny size as ``make test`` runs it (PostgreSQL only): a
throwaway database built with the project's commands, 3 collectors for 5 s while a night
runs, the stored-exactly-once and replay checks, the database dropped afterwards.

The latencies are not judged (the machine is shared); the point is that the run has no
error and its checks pass: every 201 stored once, every key answered from on a retry."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BACKENDS

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif("postgresql" not in BACKENDS, reason="bench/load.py runs on PostgreSQL"),
]


def test_load_bench_at_a_tiny_size() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    args = ["--accounts", "300", "--clients", "3", "--seconds", "5"]
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "load.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = done.stdout
    assert done.returncode == 0, f"bench/load.py failed:\n{out}\n{done.stderr}"
    assert re.search(r"built postgresql\+psycopg://\S+/fc_load_\w+: 300 accounts", out), out
    assert re.search(r"^3 clients \(\d+ collectors with work, \d+ cases\) for 5 s", out, re.M)
    for endpoint in ("queue", "case page", "contact POST", "promise POST"):
        row = re.search(rf"^{endpoint} +(\d+)( +[\d.]+){{3}} +0$", out, re.MULTILINE)
        assert row, f"{endpoint}: no row with 0 errors in\n{out}"
    assert re.search(r"^night of 2026-12-01: [\d.]+ s, ok$", out, re.MULTILINE), out
    stored = re.search(
        r"^stored exactly once: contact POST (\d+) answered 201, \1 new rows, \1 ids once;"
        r" promise POST (\d+) answered 201, \2 new rows, \2 ids once; keys (\d+) of \3$",
        out,
        re.MULTILINE,
    )
    assert stored, out
    assert int(stored.group(1)) + int(stored.group(2)) == int(stored.group(3)) > 0
    assert re.search(
        r"^retried (\d+) POSTs with their keys: \1 answered from the key, 0 new rows$", out, re.M
    ), out
    assert out.rstrip().endswith("result: ok"), out

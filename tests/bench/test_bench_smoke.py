"""Every script in ``bench/`` runs, at a tiny size, as ``make bench`` would run it.

The benchmarks build their own portfolios with raw SQL and call services by name, so a
schema or API change can break one without any other test noticing (it happened: a new
``borrowers`` column and a new import file broke three of them on main). Each test runs a
script as a subprocess against this checkout's ``src`` and checks it finished with the
figures it exists to print; the sizes keep each run to a few seconds.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BACKENDS, PG_ADMIN_URL

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"
SCRIPTS = sorted(path.name for path in BENCH.glob("*.py"))
PG = "postgresql" in BACKENDS

pytestmark = pytest.mark.slow


def run_bench(script: str, *args: str | Path, cwd: Path | None = None) -> str:
    """Run ``bench/<script>`` with ``args``; its stdout (fails the test on a non-zero exit)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, str(BENCH / script), *map(str, args)],
        cwd=cwd or ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"bench/{script} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_every_bench_script_has_a_smoke_test() -> None:
    covered = {
        "gate.py",
        "importing.py",
        "lawful.py",
        "ledger.py",
        "ledger_phases.py",
        "letters.py",  # tests/bench/test_bench_letters.py
        "load.py",  # tests/bench/test_bench_load.py
        "nightly.py",
        "pg_copy.py",  # a helper of ledger.py, ledger_phases.py, nightly.py (PG tests below)
        "peak_rss.py",  # ledger.py runs every run-day through it (its smoke tests below)
        "plan_day.py",
        "reports.py",  # tests/bench/test_bench_reports.py
        "screen_eval.py",
        "screen_grid.py",
        "screen_thresholds.py",
        "web.py",  # tests/bench/test_bench_web.py
    }
    assert set(SCRIPTS) == covered, "a new bench script needs a smoke test here"


@pytest.fixture(scope="module")
def ledger_source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A portfolio kept by ``bench/ledger.py --reuse-db`` (direct builder), and its output."""
    folder = tmp_path_factory.mktemp("ledger")
    source = folder / "source.db"
    out = run_bench(
        "ledger.py",
        "--loans", "400",
        "--builder", "direct",
        "--reuse-db", source,
        "--db", folder / "run.db",
        "--baseline-sample", "60",
    )  # fmt: skip
    return source, out


def test_ledger_bench_direct_builder(ledger_source: tuple[Path, str]) -> None:
    _, out = ledger_source
    assert "portfolio: 400 loans" in out
    assert re.search(r"full run-day 2026-11-29: [\d.]+ s", out)
    assert re.search(r"incremental run-day 2026-11-30: [\d.]+ s \([\d,]+ loans recomputed", out)
    assert "baseline sample vs stored states: 0 mismatches" in out


def test_ledger_bench_reuses_its_portfolio(ledger_source: tuple[Path, str], tmp_path: Path) -> None:
    source, _ = ledger_source
    out = run_bench(
        "ledger.py",
        "--loans", "400",
        "--reuse-db", source,
        "--db", tmp_path / "run.db",
        "--baseline-sample", "20",
    )  # fmt: skip
    assert f"reused {source}, builder direct" in out
    assert "0 mismatches" in out


@pytest.mark.skipif(not PG, reason="PostgreSQL is not reachable on 127.0.0.1:5432")
def test_ledger_bench_on_postgresql(ledger_source: tuple[Path, str], tmp_path: Path) -> None:
    source, _ = ledger_source
    out = run_bench(
        "ledger.py",
        "--loans", "400",
        "--reuse-db", source,
        "--db", tmp_path / "run.db",
        "--baseline-sample", "20",
        "--database-url", PG_ADMIN_URL,
        "--whole-run-day",
    )  # fmt: skip
    assert "== postgresql ==" in out
    assert re.search(r"^full run-day: [\d.]+x$", out, re.MULTILINE)
    assert re.search(r"^whole run-day: [\d.]+x$", out, re.MULTILINE)
    assert "account states on both backends: identical" in out
    assert out.count("baseline sample vs stored states: 0 mismatches") == 2


@pytest.mark.skipif(not PG, reason="PostgreSQL is not reachable on 127.0.0.1:5432")
def test_ledger_phases_bench_on_postgresql(ledger_source: tuple[Path, str]) -> None:
    source, _ = ledger_source
    out = run_bench(
        "ledger_phases.py", "--source", source, "--nights", "1", "--database-url", PG_ADMIN_URL
    )
    assert "backend: postgresql" in out
    assert re.search(r"^full 2026-11-29: .*400 loans", out, re.MULTILINE)
    assert re.search(r"^incremental 2026-11-30: ", out, re.MULTILINE)


def test_ledger_bench_import_builder(tmp_path: Path) -> None:
    out = run_bench(
        "ledger.py",
        "--loans", "150",
        "--builder", "import",
        "--db", tmp_path / "run.db",
        "--baseline-sample", "30",
    )  # fmt: skip
    assert "portfolio: 150 loans" in out
    assert "builder import" in out
    assert "baseline sample vs stored states: 0 mismatches" in out


def test_ledger_phases_bench(ledger_source: tuple[Path, str], tmp_path: Path) -> None:
    source, _ = ledger_source
    out = run_bench(
        "ledger_phases.py", "--source", source, "--db", tmp_path / "phases.db", "--nights", "2"
    )
    assert re.search(r"^full 2026-11-29: .*400 loans", out, re.MULTILINE)
    assert re.search(r"^incremental 2026-11-30: ", out, re.MULTILINE)
    assert re.search(r"^incremental 2026-12-01: ", out, re.MULTILINE)
    assert "compute_states" in out


def test_ledger_phases_refuses_a_source_already_run(
    ledger_source: tuple[Path, str], tmp_path: Path
) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    ran = tmp_path / "ran.db"
    run_bench(
        "ledger.py",
        "--loans", "400",
        "--reuse-db", ledger_source[0],
        "--db", ran,
        "--baseline-sample", "5",
    )  # fmt: skip
    done = subprocess.run(
        [sys.executable, str(BENCH / "ledger_phases.py"), "--source", str(ran)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "account states already" in done.stderr


def test_nightly_bench(tmp_path: Path) -> None:
    kept = tmp_path / "night.db"
    out = run_bench("nightly.py", "--loans", "400", "--reuse-db", kept, "--baseline-sample", "20")
    assert "portfolio: 400 loans" in out
    assert re.search(r"night 2026-11-29: [\d,]+ actions", out)
    assert re.search(r"output digest \(planned_actions \+ outbox \+ placements\): \w{16}", out)
    assert re.search(r"ratio plan_night / baseline: [\d.]+x", out)
    assert re.search(r"night's peak RSS: [\d,]+ MiB \(partitions of [\d,]+ borrowers\)", out)
    assert kept.exists()
    again = run_bench("nightly.py", "--loans", "400", "--reuse-db", kept, "--baseline-sample", "0")
    assert f"reused {kept}" in again
    # The same pristine copy planned twice: the same night, row for row.
    assert _digest(again) == _digest(out)


def test_lawful_bench(tmp_path: Path) -> None:
    """Built by bench/nightly.py's builder when missing; the engine's lawful views are the
    reference's, view for view (the script exits non-zero otherwise)."""
    kept = tmp_path / "night.db"
    out = run_bench("lawful.py", "--loans", "400", "--reuse-db", kept)
    assert re.search(r"written to [\d,]+ loans, [\d,]+ of them may exceed the law", out)
    assert re.search(r"lawful views: [1-9][\d,]* loans ask for more than the law supports", out)
    assert re.search(r"ratio reference / engine: wall [\d.]+x, cpu [\d.]+x", out)
    assert "differences from the reference: 0" in out


@pytest.mark.skipif(not PG, reason="PostgreSQL is not reachable on 127.0.0.1:5432")
def test_nightly_bench_on_postgresql(tmp_path: Path) -> None:
    out = run_bench(
        "nightly.py",
        "--loans", "300",
        "--reuse-db", tmp_path / "night.db",
        "--baseline-sample", "10",
        "--database-url", PG_ADMIN_URL,
    )  # fmt: skip
    assert "== postgresql: the same database copied into" in out
    assert re.search(r"^plan_night: [\d.]+x$", out, re.MULTILINE)
    assert "night's output on both backends: identical" in out


def test_nightly_bench_compares_partitions_with_the_whole_portfolio(tmp_path: Path) -> None:
    out = run_bench(
        "nightly.py",
        "--loans", "300",
        "--reuse-db", tmp_path / "night.db",
        "--baseline-sample", "0",
        "--partition-borrowers", "40",
        "--compare-whole",
    )  # fmt: skip
    assert "== sqlite: partitions of the whole portfolio ==" in out
    assert "== sqlite: partitions of 40 borrowers ==" in out
    assert re.search(r"peak RSS of the night: [\d,]+ MiB -> [\d,]+ MiB \([\d.]+x\)", out)
    assert re.search(r"plan_night wall: [\d.]+ s -> [\d.]+ s \([\d.]+x\)", out)
    assert "night's output in one partition and in partitions: identical" in out


def test_nightly_bench_after_nights_of_history(tmp_path: Path) -> None:
    out = run_bench(
        "nightly.py",
        "--loans", "300",
        "--reuse-db", tmp_path / "night.db",
        "--history-nights", "2",
        "--history-db", tmp_path / "history.db",
        "--baseline-sample", "0",
    )  # fmt: skip
    assert "2 nights of history built at" in out
    assert "baseline skipped" in out
    assert _digest(out)


def _digest(out: str) -> str:
    found = re.search(r"output digest .*: ([0-9a-f]{16})", out)
    assert found, out
    return found.group(1)


def test_importing_bench(tmp_path: Path) -> None:
    out = run_bench("importing.py", "--accounts", "200", cwd=tmp_path)
    assert "baseline (SQLAlchemy executemany)" in out
    assert "faircollect import" in out
    assert "faircollect re-import (no change)" in out
    assert re.search(r"ratio baseline / faircollect import: [\d.]+x", out)


def test_importing_bench_on_a_given_database(database_url: str, tmp_path: Path) -> None:
    out = run_bench("importing.py", "--accounts", "100", "--database-url", database_url)
    assert "faircollect re-import (no change)" in out


def test_gate_bench() -> None:
    out = run_bench("gate.py", "--n", "400", "--repeat", "1")
    assert "gate benchmark: 400 actions" in out
    assert re.search(r"core \(Gate\.decide\) +[\d,]+ decisions/s", out)


def test_screen_eval_bench() -> None:
    out = run_bench(
        "screen_eval.py", "--repeat", "1", "--cli-messages", "100", "--corpus-every", "12"
    )
    overall = r"^overall +\d+(?: +[\d.]+ / [\d.]+){3}$"
    assert "training corpus, cross-validated" in out
    assert "validation split" in out
    assert len(re.findall(overall, out, re.MULTILINE)) == 2
    assert re.search(r"combined +[\d,]+ msg/s", out)
    assert "`faircollect screen` end to end, 100 SMS-sized messages" in out


def test_screen_grid_bench() -> None:
    """Two of the grid's settings on every 24th corpus message, and the rule's choice."""
    out = run_bench("screen_grid.py", "--configs", "C32,C64-ch12", "--corpus-every", "24")
    assert re.search(r"^corpus \w{12}: \d+ messages, \d+ lawful$", out, re.MULTILINE)
    assert re.search(r"^C32 +[\d.]+ +[\d.]+ ", out, re.MULTILINE)
    assert re.search(r"^C64-ch12 +[\d.]+ +[\d.]+ ", out, re.MULTILINE)
    assert re.search(r"^chosen by the rule: (C32|C64-ch12)$", out, re.MULTILINE)


def test_screen_thresholds_bench() -> None:
    """Both ways of choosing thresholds, nested in cross-validation, and the rule's verdict."""
    out = run_bench("screen_thresholds.py", "--corpus-every", "24")
    assert re.search(r"^A validation split: combined [\d.]+ / [\d.]+", out, re.MULTILINE)
    assert re.search(r"^B cross-validation: combined [\d.]+ / [\d.]+", out, re.MULTILINE)
    assert re.search(r"^rule: (A stays|B replaces A)$", out, re.MULTILINE)


def test_plan_day_bench() -> None:
    out = run_bench("plan_day.py", "--accounts", "500", "--baseline", "50")
    assert re.search(r"plan_day: 500 accounts -> [\d,]+ actions", out)
    assert re.search(r"ratio: [\d.]+x", out)

"""Import speed: `faircollect import` against a straightforward SQLAlchemy import, same run.

    PYTHONPATH=src python bench/importing.py --accounts 100000 [--database-url URL]

Builds a demo portfolio, then imports it twice into fresh databases:
- baseline: csv.DictReader -> the same row parser -> ``conn.execute(insert(table), rows)``
  in chunks, one transaction, *without* the reference and duplicate checks;
- faircollect: ``import_directory`` (all checks, bulk insert through the column types).
Then re-imports the same directory (every row already stored: nothing changes) and prints
rows/s for each and the ratio against the baseline.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Engine, insert

from faircollect.adapters.db.engine import create_schema, make_engine
from faircollect.adapters.db.repository import BORROWERS, CONTACTS, LOANS, PAYMENTS
from faircollect.cli.database import ensure_keys
from faircollect.domain import records
from faircollect.services.demo import generate
from faircollect.services.importing import import_directory

STORAGE = {
    "borrowers.csv": BORROWERS,
    "contacts.csv": CONTACTS,
    "loans.csv": LOANS,
    "payments.csv": PAYMENTS,
}


def baseline(engine: Engine, directory: Path) -> int:
    """The straightforward import: parse each row, executemany through SQLAlchemy."""
    total = 0
    with engine.begin() as conn:
        for spec in records.SPECS:
            path = directory / spec.file
            if not path.is_file():  # as import_directory: files the demo does not write
                continue
            stored = STORAGE[spec.file]
            with path.open(encoding="utf-8-sig", newline="") as handle:
                rows = []
                for line, row in enumerate(csv.DictReader(handle), start=2):
                    parsed = records.parse_row(spec, row, line)
                    assert not isinstance(parsed, list), parsed
                    rows.append(stored.to_row(parsed))
                    if len(rows) == 5000:
                        conn.execute(insert(stored.table), rows)
                        total += len(rows)
                        rows = []
                if rows:
                    conn.execute(insert(stored.table), rows)
                    total += len(rows)
    return total


def fresh(url: str | None, workdir: Path, name: str) -> Engine:
    engine = make_engine(url or f"sqlite:///{workdir / name}.db")
    create_schema(engine)
    return engine


def timed(label: str, rows: int, run: object) -> float:
    start = time.perf_counter()
    run()  # type: ignore[operator]
    seconds = time.perf_counter() - start
    print(f"{label:<34} {seconds:8.1f} s  {rows / seconds:>10,.0f} rows/s")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--database-url", help="an EMPTY database to use instead of SQLite files")
    args = parser.parse_args()
    ensure_keys()  # sealing needs a data key: the configured one, else ./faircollect.keys
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        start = time.perf_counter()
        counts = generate(args.accounts, workdir / "csv", seed=1, as_of=date(2026, 11, 28))
        rows = sum(counts.values())
        print(f"demo: {counts} in {time.perf_counter() - start:.1f} s")
        if args.database_url is None:
            base = fresh(None, workdir, "base")
            slow = timed("baseline (SQLAlchemy executemany)", rows,
                         lambda: baseline(base, workdir / "csv"))  # fmt: skip
        engine = fresh(args.database_url, workdir, "fc")
        now = datetime.now(UTC)
        fast = timed("faircollect import", rows,
                     lambda: import_directory(engine, workdir / "csv", now))  # fmt: skip
        timed("faircollect re-import (no change)", rows,
              lambda: import_directory(engine, workdir / "csv", now))  # fmt: skip
        if args.database_url is None:
            print(f"ratio baseline / faircollect import: {slow / fast:.2f}x")


if __name__ == "__main__":
    main()

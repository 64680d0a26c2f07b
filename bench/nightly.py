"""Benchmark: one night of ``plan_night`` on N synthetic accounts; share of time per step.

States are written straight into ``account_states`` (a consumer-book mix: most accounts
current, a tail in every stage), then the night runs with the real gate, rendering and
screening. Time per step is measured between the progress callbacks that close each step.
The baseline in the same run is ``plan_day`` alone on the same accounts (pure planning, no
I/O, no gate), printed as a ratio so the cost of the lawful-plan machinery is visible.

    PYTHONPATH=src /work/venv/bin/python bench/nightly.py --loans 50000
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, insert

from faircollect.adapters.db import tables as t
from faircollect.adapters.db.engine import create_schema, make_engine
from faircollect.adapters.strategy_file import default_strategy_path, load_strategy
from faircollect.domain.dates import add_months
from faircollect.domain.ledger.state import DEFAULT_THRESHOLDS, bucket
from faircollect.domain.strategy import plan_day
from faircollect.services.nightly_load import load_views
from faircollect.services.nightly_plan import plan_night

AS_OF = date(2026, 12, 10)
SHANGHAI = ZoneInfo("Asia/Shanghai")
BATCH = 20_000


def build(engine: Engine, n: int, seed: int = 7) -> None:
    """N borrowers, loans and states for AS_OF.

    TODO(merge): once the engine branch is on main, compute account_states with its
    portfolio engine (run-day's ledger step) instead of writing them directly.
    """
    rng = random.Random(seed)
    people, contacts, loans, states = [], [], [], []
    for i in range(n):
        loan_id, borrower_id = f"LN{i:08d}", f"BR{i:08d}"
        roll = rng.random()
        dpd = 0 if roll < 0.8 else rng.randint(1, 30) if roll < 0.92 else rng.randint(31, 200)
        due_in = rng.randint(0, 30)
        people.append(
            {
                "borrower_id": borrower_id,
                "name": f"客户{i}",
                "phone": f"138{i:08d}",
                "id_number": "110101199001011234",
                "city": "北京",
            }
        )
        contacts.append(
            {
                "borrower_id": borrower_id,
                "name": "紧急联系人",
                "phone": f"139{i:08d}",
                "relation": "friend",
                "is_emergency": True,
            }
        )
        loans.append(
            {
                "loan_id": loan_id,
                "borrower_id": borrower_id,
                "product": "cash",
                "contract_principal": 1_200_000,
                "received_amount": 1_200_000,
                "annual_rate": Decimal("0.18"),
                "term_months": 12,
                "method": "equal_installment",
                "disbursed_on": add_months(AS_OF + timedelta(days=due_in), -1),
                "penalty_rate_daily": Decimal("0.0005"),
                "grace_days": 0,
                "periodic_fee": 0,
            }
        )
        states.append(
            {
                "loan_id": loan_id,
                "as_of": AS_OF,
                "dpd": dpd,
                "bucket": bucket(dpd),
                "stage": DEFAULT_THRESHOLDS.stage(dpd, due_in <= 7).value,
                "overdue_principal": dpd * 1_000,
                "overdue_interest": dpd * 100,
                "overdue_fee": 0,
                "penalty": dpd * 10,
                "outstanding_principal": 1_000_000,
                "credit": 0,
                "paid_total": 0,
                "next_due_on": AS_OF + timedelta(days=due_in),
                "next_event_on": None,
            }
        )
    with engine.begin() as conn:
        for table, rows in (
            (t.borrowers, people),
            (t.contacts, contacts),
            (t.loans, loans),
            (t.account_states, states),
        ):
            for start in range(0, len(rows), BATCH):
                conn.execute(insert(table), rows[start : start + BATCH])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=50_000)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        engine = make_engine(url)
        create_schema(engine)
        started = time.perf_counter()
        build(engine, args.loans)
        print(f"built {args.loans:,} accounts in {time.perf_counter() - started:.1f} s")

        marks: dict[str, float] = {}

        def progress(step: str, done: int, total: int) -> None:
            if done >= total:
                marks[step] = time.perf_counter()

        start_wall, start_cpu = time.perf_counter(), time.process_time()
        summary = plan_night(engine, AS_OF, progress=progress)
        wall, cpu = time.perf_counter() - start_wall, time.process_time() - start_cpu
        marks.setdefault("send", time.perf_counter())

        with engine.connect() as conn:
            views = load_views(conn, AS_OF, SHANGHAI)
        strategy = load_strategy(default_strategy_path())
        base_start = time.perf_counter()
        plan_day(views, strategy, AS_OF, SHANGHAI)
        baseline = time.perf_counter() - base_start
        engine.dispose()

    print(f"night: {summary.planned:,} actions, {summary.sent:,} sent")
    print(f"statuses: {dict(summary.by_status)}")
    print(f"denied by rule: {dict(summary.denied_by_rule)}")
    print(f"wall {wall:.2f} s, cpu {cpu:.2f} s, {summary.planned / wall:,.0f} actions/s")
    previous = start_wall
    for step in ("settle", "load", "plan", "gate", "assign", "queue", "send"):
        if step in marks:
            spent = marks[step] - previous
            previous = marks[step]
            print(f"  {step:<7} {spent:7.2f} s  {100 * spent / wall:5.1f} %")
    print(f"baseline plan_day alone: {baseline:.2f} s")
    print(f"whole night / plan_day alone = {wall / baseline:.1f}x")


if __name__ == "__main__":
    main()

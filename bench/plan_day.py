"""Benchmark: plan_day over a synthetic portfolio, against planning each account on its own.

The baseline calls ``plan_day`` once per account, so the strategy is compiled (indexed by
stage, anchor and offset) for every account — what a naive loop "load the strategy, look at
the account" does. The measured run compiles once for the whole portfolio.

    PYTHONPATH=src /work/venv/bin/python bench/plan_day.py --accounts 1000000 --baseline 20000
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from faircollect.adapters.strategy_file import default_strategy_path, load_strategy
from faircollect.cli.database import ensure_keys
from faircollect.domain.ledger.state import DEFAULT_THRESHOLDS, AccountState, bucket
from faircollect.domain.strategy import AccountView, plan_day

AS_OF = date(2026, 12, 10)


def portfolio(n: int, seed: int = 7) -> list[AccountView]:
    """A mix like a consumer book: most accounts current or pre-due, a tail in each stage."""
    rng = random.Random(seed)
    accounts = []
    for i in range(n):
        roll = rng.random()
        dpd = 0 if roll < 0.8 else rng.randint(1, 30) if roll < 0.92 else rng.randint(31, 200)
        due_in = rng.randint(0, 30)
        state = AccountState(
            loan_id=f"LN{i:08d}",
            as_of=AS_OF,
            dpd=dpd,
            bucket=bucket(dpd),
            stage=DEFAULT_THRESHOLDS.stage(dpd, due_in <= 7),
            overdue_principal=dpd * 1_000,
            overdue_interest=0,
            overdue_fee=0,
            penalty=0,
            outstanding_principal=1_000_000,
            next_due_on=AS_OF + timedelta(days=due_in),
        )
        accounts.append(
            AccountView(
                loan_id=state.loan_id,
                borrower_id=f"B{i:08d}",
                state=state,
                product="cash",
                balance=1_000_000,
                borrower_name="张三",
                risk_score=rng.randint(300, 900),
                first_time_delinquent=rng.random() < 0.7,
                consecutive_failed_attempts=rng.choice((0, 0, 1, 3)),
                borrower_phone="13800000000",
                address="上海",
                emergency_phones=("13900000000",),
                next_due_amount=88_812,
            )
        )
    return accounts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=200_000)
    parser.add_argument("--baseline", type=int, default=5_000, help="accounts for the baseline")
    args = parser.parse_args()
    ensure_keys()  # sealing needs a data key: the configured one, else ./faircollect.keys
    strategy = load_strategy(default_strategy_path())
    tz = ZoneInfo("Asia/Shanghai")
    accounts = portfolio(args.accounts)

    start, cpu = time.perf_counter(), time.process_time()
    planned = plan_day(accounts, strategy, AS_OF, tz)
    fast, fast_cpu = time.perf_counter() - start, time.process_time() - cpu

    sample = accounts[: args.baseline]
    start = time.perf_counter()
    naive = [a for acc in sample for a in plan_day([acc], strategy, AS_OF, tz)]
    slow = time.perf_counter() - start
    assert naive == [a for a in planned if int(a.loan_id[2:]) < args.baseline]

    fast_rate, slow_rate = args.accounts / fast, args.baseline / slow
    print(
        f"plan_day: {args.accounts:,} accounts -> {len(planned):,} actions in {fast:.2f} s "
        f"= {fast_rate:,.0f} accounts/s (CPU {fast_cpu:.2f} s; the machine is shared)"
    )
    print(
        f"baseline (strategy compiled per account): {args.baseline:,} accounts in {slow:.2f} s "
        f"= {slow_rate:,.0f} accounts/s"
    )
    print(f"ratio: {fast_rate / slow_rate:.1f}x")
    print("actions by stage:", dict(Counter(a.stage.value for a in planned)))


if __name__ == "__main__":
    main()

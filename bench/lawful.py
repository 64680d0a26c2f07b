"""Benchmark: the night's lawful amounts (``night_lawful.lawful_views``), engine vs reference.

    .venv/bin/python bench/lawful.py --loans 100000 --reuse-db /tmp/nightlaw100k.db

The portfolio is ``bench/nightly.py``'s (the ledger bench's direct builder: 砍头息 on some
loans, service fees on some, rates up to 36 %, on-time, late, partial, stopped and prepaid
payers) after the real ledger step; ``--reuse-db`` shares the database with
``bench/nightly.py`` (built by it on the first run). The loans are the night's: the views
planning loads, ``plan_day`` with the shipped strategy, and the loans its templated
actions write to (``night_lawful._written_to``). None of that is timed.

Timed, in the same run, after one untimed read of the loans (so both paths find the same
warm cache): the previous path (the loans read in bulk, then
``domain.lawful.lawful_amounts`` loan by loan, shared with a forked helper as
``night_lawful`` did) and the current ``lawful_views``. Wall time, and CPU of this process
plus its helpers. The two results must be identical view for view (the reference is the
oracle); the number of differences is printed. Then the bulk read both paths begin with,
timed alone.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT.parent / "src"))

from sqlalchemy import Connection  # noqa: E402

from faircollect.adapters.db import repository  # noqa: E402
from faircollect.adapters.db.engine import make_engine  # noqa: E402
from faircollect.adapters.db.ledger_runs import adjusted_loan_ids  # noqa: E402
from faircollect.adapters.lender_file import lender_profile  # noqa: E402
from faircollect.adapters.parallel import split_run  # noqa: E402
from faircollect.adapters.strategy_file import default_strategy_path, load_strategy  # noqa: E402
from faircollect.cli.database import ensure_keys  # noqa: E402
from faircollect.domain.compliance.actions import DEFAULT_TZ  # noqa: E402
from faircollect.domain.lawful import LawfulAmounts, lawful_amounts, may_exceed  # noqa: E402
from faircollect.domain.ledger.terms import LoanTerms  # noqa: E402
from faircollect.domain.strategy import AccountView, plan_day, planning_filter  # noqa: E402
from faircollect.services import night_lawful  # noqa: E402
from faircollect.services.nightly_load import load_views  # noqa: E402
from faircollect.services.nightly_plan import with_lender  # noqa: E402
from ledger import AS_OF  # noqa: E402
from nightly import build  # noqa: E402

TZ = ZoneInfo(DEFAULT_TZ)
Views = dict[str, AccountView]


def reference_views(
    conn: Connection, loan_ids: Sequence[str], views: Mapping[str, AccountView], as_of: date
) -> Views:
    """The previous ``lawful_views``: the same bulk read, then the reference loan by loan,
    with a forked helper taking chunks from the front once there are 2,000 loans."""
    candidates = [loan_id for loan_id in loan_ids if loan_id in views]
    adjusted = adjusted_loan_ids(conn) if candidates else set()
    loans = repository.load_stored_loans(conn, candidates, adjusted, _may_exceed)

    def replayed(start: int, stop: int) -> list[tuple[str, LawfulAmounts | None]]:
        return [
            (
                loan.terms.loan_id,
                lawful_amounts(
                    loan.terms,
                    loan.payments,
                    as_of,
                    night_lawful._cap(loan.terms.disbursed_on),
                    loan.adjustments,
                ),
            )
            for loan in loans[start:stop]
        ]

    found: Views = {}
    for loan_id, amounts in split_run(replayed, len(loans), chunk=500, minimum=2_000):
        if amounts is not None:
            found[loan_id] = replace(views[loan_id], lawful=amounts)
    return found


def _may_exceed(terms: LoanTerms) -> bool:
    return may_exceed(terms, night_lawful._cap(terms.disbursed_on))


def _read_only(conn: Connection, loan_ids: Sequence[str], adjusted: set[str]) -> Views:
    """The bulk read both paths begin with, alone (what is left of the step to speed up)."""
    repository.load_stored_loans(conn, loan_ids, adjusted, _may_exceed)
    return {}


def night_loans(conn: Connection) -> tuple[list[str], Views]:
    """The loans the night writes to, and the views planning loaded (not timed)."""
    strategy = with_lender(load_strategy(default_strategy_path()), lender_profile())
    views = load_views(
        conn,
        AS_OF,
        TZ,
        strategy.thresholds.pre_due_days,
        wanted=planning_filter(strategy, AS_OF),
    )
    planned = plan_day(views, strategy, AS_OF, TZ)
    return night_lawful._written_to(planned), {view.loan_id: view for view in views}


def timed(step: Callable[[], Views]) -> tuple[Views, float, float]:
    """``step()``, its wall seconds, and the CPU seconds of this process and its helpers."""
    wall, cpu = time.perf_counter(), _cpu()
    result = step()
    return result, time.perf_counter() - wall, _cpu() - cpu


def _cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reuse-db", type=Path, required=True, help="bench/nightly.py's database")
    args = parser.parse_args()
    ensure_keys()  # the views' names and phones are sealed: a data key reads them
    if not args.reuse_db.exists():
        print(f"building {args.reuse_db} (bench/nightly.py's portfolio, not timed)")
        build(args.reuse_db, args.loans, args.seed)
    engine = make_engine(f"sqlite:///{args.reuse_db}")
    with engine.connect() as conn:
        loan_ids, views = night_loans(conn)
        adjusted = adjusted_loan_ids(conn)
        read = repository.load_stored_loans(conn, loan_ids, adjusted, _may_exceed)
        print(
            f"night {AS_OF}: {len(views):,} views loaded, written to {len(loan_ids):,} loans, "
            f"{len(read):,} of them may exceed the law (砍头息, fees or a rate above the cap)"
        )
        load = os.getloadavg()
        old, old_wall, old_cpu = timed(lambda: reference_views(conn, loan_ids, views, AS_OF))
        new, new_wall, new_cpu = timed(
            lambda: night_lawful.lawful_views(conn, loan_ids, views, AS_OF)
        )
        after = os.getloadavg()
        _, read_wall, read_cpu = timed(lambda: _read_only(conn, loan_ids, adjusted))
    engine.dispose()
    differ = sum(old.get(key) != new.get(key) for key in old.keys() | new.keys())
    print(f"lawful views: {len(new):,} loans ask for more than the law supports")
    print(f"  reference, loan by loan: wall {old_wall:7.2f} s, cpu {old_cpu:7.2f} s")
    print(f"  engine (lawful_views):   wall {new_wall:7.2f} s, cpu {new_cpu:7.2f} s")
    print(f"  of each, the bulk read:  wall {read_wall:7.2f} s, cpu {read_cpu:7.2f} s")
    print(
        f"ratio reference / engine: wall {old_wall / new_wall:.1f}x, cpu {old_cpu / new_cpu:.1f}x"
    )
    print(f"differences from the reference: {differ}")
    print(
        "load average (1/5/15 min) before {:.2f} {:.2f} {:.2f}, after {:.2f} {:.2f} {:.2f}".format(
            *load, *after
        )
    )
    if differ:
        raise SystemExit("the engine's lawful views differ from the reference's")


if __name__ == "__main__":
    main()

"""Helpers for ledger storage tests: random portfolios written with SQLAlchemy Core.

(The CSV importer lives on another branch; these tests insert rows directly.)
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Engine, func, insert, select

from faircollect.adapters.db import tables
from faircollect.adapters.db.repository import loan_row
from faircollect.domain.ledger.schedule import build_schedule
from faircollect.domain.ledger.terms import LoanTerms, Method, Payment

START = date(2026, 1, 10)
RATES = [Decimal(x) for x in ("0", "0.1799", "0.24", "0.36", "0.0435")]


def random_loan(rng: random.Random, n: int) -> LoanTerms:
    principal = rng.randrange(100_000, 5_000_000)
    return LoanTerms(
        loan_id=f"L{n:05d}",
        principal=principal,
        received=principal - rng.choice([0, 0, principal // 10]),
        annual_rate=rng.choice(RATES),
        term_months=rng.choice([1, 3, 6, 12, 24, 36]),
        method=rng.choice(list(Method)),
        disbursed_on=START + timedelta(days=rng.randrange(0, 120)),
        penalty_rate_daily=rng.choice([Decimal("0.0005"), Decimal("0.00051234"), Decimal(0)]),
        grace_days=rng.randrange(0, 4),
        periodic_fee=rng.choice([0, 1_000]),
        borrower_id=f"B{n % 7}",
        product="消费贷",
    )


def random_payments(rng: random.Random, terms: LoanTerms, until: date) -> list[Payment]:
    """On time, late, partial or stopped, up to ``until``."""
    kind = rng.choice(["on_time", "on_time", "late", "partial", "stopped", "none"])
    result = []
    for inst in build_schedule(terms):
        day = inst.due_on + timedelta(days=rng.randrange(1, 20) if kind == "late" else 0)
        if day > until or (kind == "stopped" and inst.number > 2) or kind == "none":
            break
        amount = inst.total if kind != "partial" else inst.total // 2
        result.append(Payment(f"{terms.loan_id}-{inst.number}", terms.loan_id, day, amount))
    return result


def insert_portfolio(engine: Engine, loans: list[LoanTerms], payments: list[Payment]) -> None:
    """Borrowers, loans and one import batch holding the payments."""
    borrowers = sorted({t.borrower_id for t in loans})
    with engine.begin() as conn:
        conn.execute(
            insert(tables.borrowers),
            [
                {
                    "borrower_id": b,
                    "name": "张三",
                    "phone": "13800000000",
                    "id_number": "x",
                    "city": "杭州",
                }
                for b in borrowers
            ],
        )
        conn.execute(
            insert(tables.loans),
            [loan_row(t) for t in loans],
        )
    import_payments(engine, payments)


def import_payments(engine: Engine, payments: list[Payment]) -> int:
    """A new import batch with these payments; returns its batch id."""
    with engine.begin() as conn:
        conn.execute(
            insert(tables.import_batches).values(source="test", imported_at=datetime.now(UTC))
        )
        batch = conn.execute(select(func.max(tables.import_batches.c.batch_id))).scalar_one()
        if payments:
            conn.execute(
                insert(tables.payments),
                [
                    {
                        "payment_id": p.payment_id,
                        "loan_id": p.loan_id,
                        "paid_on": p.paid_on,
                        "amount": p.amount,
                        "batch_id": batch,
                    }
                    for p in payments
                ],
            )
    return int(batch)


def random_portfolio(seed: int, size: int, until: date) -> tuple[list[LoanTerms], list[Payment]]:
    rng = random.Random(seed)
    loans = [random_loan(rng, n) for n in range(size)]
    return loans, [p for t in loans for p in random_payments(rng, t, until)]


def stored_states(engine: Engine) -> dict[str, dict[str, object]]:
    with engine.connect() as conn:
        rows = conn.execute(select(tables.account_states)).mappings().all()
    return {r["loan_id"]: dict(r) for r in rows}

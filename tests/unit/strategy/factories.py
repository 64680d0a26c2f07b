"""Builders for planning tests: an account on a given day, the shipped default strategy."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from functools import cache
from typing import Any

from faircollect.adapters.strategy_file import default_strategy_path, load_strategy
from faircollect.adapters.templates import TemplateRenderer
from faircollect.domain.ledger.state import DEFAULT_THRESHOLDS, AccountState, bucket
from faircollect.domain.strategy import AccountView, Strategy

AS_OF = date(2026, 12, 10)


@cache
def default_strategy() -> Strategy:
    return load_strategy(default_strategy_path(), TemplateRenderer().available())


def account(
    loan_id: str = "L1",
    *,
    dpd: int = 0,
    due_in: int | None = None,
    as_of: date = AS_OF,
    overdue: int = 123_456,
    **view: Any,
) -> AccountView:
    """An account ``dpd`` days past due, with its next installment ``due_in`` days ahead."""
    next_due = as_of + timedelta(days=due_in) if due_in is not None else None
    due_soon = due_in is not None and 0 <= due_in <= DEFAULT_THRESHOLDS.pre_due_days
    state = AccountState(
        loan_id=loan_id,
        as_of=as_of,
        dpd=dpd,
        bucket=bucket(dpd),
        stage=DEFAULT_THRESHOLDS.stage(dpd, due_soon),
        overdue_principal=overdue if dpd else 0,
        overdue_interest=0,
        overdue_fee=0,
        penalty=0,
        outstanding_principal=1_000_000,
        next_due_on=next_due,
    )
    base = AccountView(
        loan_id=loan_id,
        borrower_id="B" + loan_id,
        state=state,
        product="cash",
        balance=1_000_000,
        borrower_name="张三",
        borrower_phone="13800000001",
        address="上海市浦东新区示例路1号",
        emergency_phones=("13900000009",),
        next_due_amount=88_812,
    )
    return replace(base, **view)

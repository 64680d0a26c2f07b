"""The bulk portfolio read gives the engine exactly the stored loans and payments."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from sqlalchemy import Engine

from faircollect.adapters.db.portfolio_store import Store
from faircollect.portfolio import PaymentColumns, loan_columns, payment_columns
from tests.integration.ledger_db import insert_portfolio, random_portfolio

D = date(2026, 6, 15)


def _check_load(engine: Engine, rename: dict[str, str]) -> None:
    loans, payments = random_portfolio(seed=31, size=25, until=D + timedelta(days=5))
    loans = [replace(t, loan_id=rename.get(t.loan_id, t.loan_id)) for t in loans]
    payments = [replace(p, loan_id=rename.get(p.loan_id, p.loan_id)) for p in payments]
    insert_portfolio(engine, loans, payments)
    with engine.connect() as conn:
        portfolio = Store(conn).load(only_todo=False)
    ordered = sorted(loans, key=lambda t: t.loan_id)
    assert portfolio.loan_ids == [t.loan_id for t in ordered]
    expected = loan_columns(ordered)
    for name in ("principal", "term", "method", "disbursed", "penalty_num", "grace", "fee"):
        assert getattr(portfolio.loans, name).tolist() == getattr(expected, name).tolist(), name
    rates = portfolio.loans.rates
    assert [rates[i] for i in portfolio.loans.rate_index] == [t.annual_rate for t in ordered]
    index = {loan_id: i for i, loan_id in enumerate(portfolio.loan_ids)}
    assert _rows(portfolio.payments) == _rows(payment_columns(payments, index))


def _rows(payments: PaymentColumns) -> list[tuple[int, int, int]]:
    columns = (payments.loan.tolist(), payments.day.tolist(), payments.amount.tolist())
    return sorted(zip(*columns, strict=True))


def test_the_portfolio_read_returns_every_loan_and_payment(db_engine: Engine) -> None:
    _check_load(db_engine, {})


def test_loan_ids_holding_separators_are_read_whole(db_engine: Engine) -> None:
    """Ids are joined with char(31) on SQLite; an id holding it (or a comma) still loads."""
    _check_load(db_engine, {"L00003": "L00003\x1fX", "L00007": "L00007,Y"})

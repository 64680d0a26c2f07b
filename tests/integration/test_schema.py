"""The schema builds on every backend and money round-trips exactly."""

from datetime import date
from decimal import Decimal

from sqlalchemy import Engine, insert, select

from faircollect.adapters.db.tables import borrowers, loans


def test_money_and_rates_round_trip_exactly(db_engine: Engine) -> None:
    with db_engine.begin() as conn:
        conn.execute(
            insert(borrowers).values(
                borrower_id="B1", name="张三", phone="13800000000", id_number="x", city="杭州"
            )
        )
        conn.execute(
            insert(loans).values(
                loan_id="L1",
                borrower_id="B1",
                product="消费贷",
                contract_principal=1_000_001,
                received_amount=900_000,
                annual_rate=Decimal("0.1799"),
                term_months=12,
                method="equal_installment",
                disbursed_on=date(2026, 1, 31),
                penalty_rate_daily=Decimal("0.00051234"),
                grace_days=3,
                periodic_fee=0,
            )
        )
        row = conn.execute(select(loans)).one()
    assert row.contract_principal == 1_000_001
    assert row.annual_rate == Decimal("0.1799")
    assert row.penalty_rate_daily == Decimal("0.00051234")
    assert row.disbursed_on == date(2026, 1, 31)

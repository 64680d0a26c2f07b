"""Issue 10 §5 for the night: every message, letter and lawyer letter the night writes asks
for the lawfully owed amount, the contract's figure only beside it, marked as not collected.

张L1 borrowed 12,000.00 on paper at 36 % a year, but 2,400.00 was deducted up front (砍头息):
he received 9,600.00. Lawfully (KANTOU-1, RATE-2) his loan is 9,600.00 at 24 %, 12 equal
monthly installments. By hand: at 2 % a month the installment is
9,600 × 0.02 / (1 − 1.02⁻¹²) = 907.772 → 907.77; the contract's, at 3 % on 12,000, is
360 / (1 − 1.03⁻¹²) = 1,205.545 → 1,205.55.
张L2's loan (12,000.00 received in full, 18 %: 180 / (1 − 1.015⁻¹²) = 1,100.16 a month) asks
for nothing unlawful and reads as before.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Engine, select, update

from faircollect.adapters.db import tables as t
from tests.scenarios.portfolio import FIRST_DUE, night, pay, seed


def predatory(engine: Engine, loan_id: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(t.loans)
            .where(t.loans.c.loan_id == loan_id)
            .values(received_amount=960_000, annual_rate="0.36")
        )


def texts(engine: Engine, loan_id: str) -> list[str]:
    """The texts the night wrote to the loan's borrower (each passed the gate's screener)."""
    pa = t.planned_actions
    query = select(pa.c.rendered, pa.c.status).where(
        pa.c.loan_id == loan_id, pa.c.rendered.is_not(None)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    assert all(status != "denied" for _, status in rows), rows
    return [text for text, _ in rows]


def test_the_pre_due_reminder_asks_for_the_lawful_installment(db_engine: Engine) -> None:
    seed(db_engine, ["L1", "L2"])
    predatory(db_engine, "L1")
    night(db_engine, FIRST_DUE - timedelta(days=3))
    reminders = [text for text in texts(db_engine, "L1") if "本期应还" in text]
    assert reminders  # the T-3 SMS (and whichever other channels the strategy uses)
    for reminder in reminders:
        assert "本期应还 907.77 元" in reminder
        assert "1205.55" not in reminder and "不予催收" in reminder
    ordinary = [text for text in texts(db_engine, "L2") if "本期应还" in text]
    assert ordinary and all("本期应还 1100.16 元" in text for text in ordinary)
    assert not any("不予催收" in text for text in ordinary)


def test_an_overdue_message_states_the_lawful_total_and_the_contract_beside_it(
    db_engine: Engine,
) -> None:
    seed(db_engine, ["L1", "L2"])
    predatory(db_engine, "L1")
    day = FIRST_DUE + timedelta(days=1)
    night(db_engine, day)
    (overdue,) = [text for text in texts(db_engine, "L1") if "逾期应还合计" in text]
    # One day late: the installment plus one day's penalty at 0.05 % (0.45 on 907.77,
    # 0.60 on 1,205.55, each to the fen); the excess is 1,206.15 − 908.22 = 297.93.
    assert "逾期应还合计 908.22 元" in overdue
    assert "合同所列逾期金额为 1206.15 元，其中超出法律支持的 297.93 元不予催收" in overdue


def test_a_loan_paid_up_under_its_lawful_terms_is_sent_no_demand(db_engine: Engine) -> None:
    """He paid the lawful installment, not the contract's: by the contract he is late, by
    the law he owes nothing overdue, so the night asks him for nothing."""
    seed(db_engine, ["L1"])
    predatory(db_engine, "L1")
    pay(db_engine, "L1", FIRST_DUE, 90_777)
    night(db_engine, FIRST_DUE + timedelta(days=1))
    assert [text for text in texts(db_engine, "L1") if "逾期" in text] == []


def test_a_loan_paid_off_under_its_lawful_terms_is_sent_no_reminder(db_engine: Engine) -> None:
    """He paid the contract's 1,205.55 every month, February to November: 12,055.50, more
    than the whole lawful loan (12 × 907.77 = 10,893.24). The contract still wants its
    December installment; the law wants nothing, so no reminder goes out on 10 December."""
    seed(db_engine, ["L1"])
    predatory(db_engine, "L1")
    for month in range(2, 12):
        pay(db_engine, "L1", date(2026, month, 13), 120_555)
    night(db_engine, date(2026, 12, 10))
    pa = t.planned_actions
    with db_engine.connect() as conn:
        written = conn.execute(select(pa.c.template).where(pa.c.template.is_not(None))).all()
    assert written == []  # not planned at all: neither sent nor refused

"""A small lender's book for the casework stories, written with SQLAlchemy Core.

张三 (B1, phone 13800000001) borrowed 12,000.00 yuan over 12 months at 18% (等额本息,
1,100.16 a month from 15 Nov 2025), paid the first three installments on time and missed
15 Feb 2026: on 2 Mar 2026 the loan is 15 days past due. His registered contacts: his wife
王芳 (emergency contact, 13900000009), his brother 张四 (guarantor, 13900000008) and a
friend registered but not as an emergency contact (13900000007). 李四 (B2) is current.
Users come from the shipped example organisation (C101/C102 collectors, S001 supervisor,
A101 of AG01, A201 of AG02).
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import Engine

from faircollect.adapters.db.repository import loan_row
from faircollect.adapters.db.tables import (
    account_states,
    borrowers,
    contacts,
    loans,
    outbox,
    payments,
    planned_actions,
)
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.adapters.org_file import example_org_text
from faircollect.domain.casework.contacts import SHANGHAI
from faircollect.domain.ledger.replay import replay
from faircollect.domain.ledger.terms import LoanTerms, Method, Payment
from faircollect.services.casework.open_cases import open_cases
from faircollect.services.organisation import load_organisation

DAY = date(2026, 3, 2)
CONTACTS = (
    ("王芳", "13900000009", "配偶", True),
    ("张四", "13900000008", "担保人", False),
    ("赵六", "13900000007", "朋友", False),
)
CASE = "C-B1-20260302"
INSTALMENT = 110_016


def terms(loan_id: str, borrower_id: str) -> LoanTerms:
    return LoanTerms(
        loan_id,
        1_200_000,
        1_200_000,
        Decimal("0.18"),
        12,
        Method.EQUAL_INSTALLMENT,
        date(2025, 10, 15),
        Decimal("0.0005"),
        0,
        0,
        borrower_id=borrower_id,
        product="cash",
    )


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A Shanghai wall-clock moment."""
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def pay(engine: Engine, payment_id: str, loan_id: str, on: date, amount: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            payments.insert().values(
                payment_id=payment_id, loan_id=loan_id, paid_on=on, amount=amount
            )
        )


def state_row(t: LoanTerms, paid: list[Payment], as_of: date) -> dict[str, object]:
    s = replay(t, paid, as_of).state
    return {
        "loan_id": t.loan_id,
        "as_of": as_of,
        "dpd": s.dpd,
        "bucket": s.bucket,
        "stage": s.stage.value,
        "overdue_principal": s.overdue_principal,
        "overdue_interest": s.overdue_interest,
        "overdue_fee": s.overdue_fee,
        "penalty": s.penalty,
        "outstanding_principal": s.outstanding_principal,
        "credit": s.credit,
        "paid_total": s.paid_total,
        "next_due_on": s.next_due_on,
        "next_event_on": None,
    }


def build(engine: Engine) -> str:
    """Fill the book as of DAY, load the example users and open the cases; returns the
    id of 张三's case."""
    books = {"L1": ("B1", 3), "L2": ("B2", 4)}
    with engine.begin() as conn:
        conn.execute(
            borrowers.insert(),
            [
                {
                    "borrower_id": "B1",
                    "name": "张三",
                    "phone": "13800000001",
                    "id_number": "110101199001011234",
                    "city": "北京",
                },
                {
                    "borrower_id": "B2",
                    "name": "李四",
                    "phone": "13800000002",
                    "id_number": "110101199001015678",
                    "city": "上海",
                },
            ],
        )
        conn.execute(
            contacts.insert(),
            [
                {
                    "borrower_id": "B1",
                    "name": name,
                    "phone": phone,
                    "relation": rel,
                    "is_emergency": emergency,
                }
                for name, phone, rel, emergency in CONTACTS
            ],
        )
        for loan_id, (borrower_id, paid_months) in books.items():
            t = terms(loan_id, borrower_id)
            conn.execute(loans.insert().values(**loan_row(t)))
            paid = [
                Payment(
                    f"{loan_id}-p{k}",
                    loan_id,
                    date(2025, 10 + k, 15) if k < 3 else date(2026, k - 2, 15),
                    INSTALMENT,
                )
                for k in range(1, paid_months + 1)
            ]
            for p in paid:
                conn.execute(
                    payments.insert().values(
                        payment_id=p.payment_id, loan_id=loan_id, paid_on=p.paid_on, amount=p.amount
                    )
                )
            conn.execute(account_states.insert().values(**state_row(t, paid, DAY)))
    with UnitOfWork(engine) as uow:
        load_organisation(uow, example_org_text(), "example.yaml")
        opened = open_cases(uow, DAY, owner_id="C101")
    assert opened == [CASE], opened
    return CASE


def sent_action(
    engine: Engine,
    action_id: str,
    sent: datetime,
    body: str,
    action_key: str = "sms_overdue",
    channel: str = "sms",
) -> None:
    """One contact the night planned for L1 (assigned to C102) that its adapter sent."""
    with engine.begin() as conn:
        conn.execute(
            planned_actions.insert().values(
                action_id=action_id,
                run_date=sent.date(),
                loan_id="L1",
                borrower_id="B1",
                stage="early",
                segment="early",
                arm="champion",
                action_key=action_key,
                kind="contact",
                channel=channel,
                party="borrower",
                purpose="collect",
                target="13800000001",
                template=action_key,
                priority=1,
                scheduled_at=sent,
                tz="Asia/Shanghai",
                status="sent",
                allowed=True,
                decision="{}",
                rendered=body,
                assignee="C102",
                assignee_kind="collector",
            )
        )
        conn.execute(
            outbox.insert().values(
                message_id=action_id,
                run_date=sent.date(),
                channel=channel,
                recipient="13800000001",
                subject="",
                body=body,
                queued_at=sent,
                sent_at=sent,
                status="sent",
            )
        )

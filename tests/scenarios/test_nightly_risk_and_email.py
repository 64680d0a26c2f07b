"""Story: the night reads the imported risk score and e-mail address.

Four borrowers, same contract, none pays the first installment. The lender's scores, as
``faircollect import`` stores them: L1 exactly at the high-risk floor (700), L2 just
below it (699), L3 far below (120), L4 unscored. Only L2's and L4's borrowers gave an
e-mail address. On DPD 1 the high-risk segment (risk >= 700) takes L1 alone; every other
account falls to the default segment. The e-mail notice is planned only where there is an
address, and its outbox row is addressed to it.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, select, update

from faircollect.adapters.db import tables as t
from faircollect.adapters.strategy_file import load_strategy
from tests.scenarios.portfolio import FIRST_DUE, actions, night, seed

DAY1 = FIRST_DUE + timedelta(days=1)
SCORES = {"L1": 700, "L2": 699, "L3": 120, "L4": None}
EMAILS = {"B-L2": "li.si@example.com", "B-L4": "wang.wu@mail.example.cn"}

RISK_STRATEGY = """
name: risk_and_email
segments:
  - name: early_high_risk
    stage: early
    match:
      risk: {min: 700}
    actions:
      - {key: early_call, channel: call, dpd: 1, at: "09:00", priority: 95}
      - &email {key: email_notice, channel: email, purpose: notify, template: sms_overdue_day1,
                dpd: 1, at: "10:00", priority: 50}
  - name: early_default
    stage: early
    actions:
      - {key: first_call, channel: call, dpd: 1, at: "09:30", priority: 80}
      - *email
"""


def test_risk_range_and_email_come_from_the_imported_columns(
    db_engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "risk.yaml"
    path.write_text(RISK_STRATEGY, encoding="utf-8")
    seed(db_engine, list(SCORES))
    with db_engine.begin() as conn:
        for loan_id, score in SCORES.items():
            conn.execute(
                update(t.loans).where(t.loans.c.loan_id == loan_id).values(risk_score=score)
            )
        for borrower_id, email in EMAILS.items():
            conn.execute(
                update(t.borrowers)
                .where(t.borrowers.c.borrower_id == borrower_id)
                .values(email=email)
            )

    night(db_engine, DAY1, strategy=load_strategy(path))

    planned = {loan_id: actions(db_engine, DAY1, loan_id) for loan_id in SCORES}
    segments = {
        loan_id: {row["segment"] for row in rows.values()} for loan_id, rows in planned.items()
    }
    assert segments == {
        "L1": {"early_high_risk"},
        "L2": {"early_default"},
        "L3": {"early_default"},
        "L4": {"early_default"},
    }
    keys = {loan_id: set(rows) for loan_id, rows in planned.items()}
    assert keys == {
        "L1": {"early_call"},  # scored, high risk, but no address: no e-mail
        "L2": {"first_call", "email_notice"},
        "L3": {"first_call"},
        "L4": {"first_call", "email_notice"},  # unscored: default segment, still e-mailed
    }
    for loan_id in ("L2", "L4"):
        email = planned[loan_id]["email_notice"]
        assert email["channel"] == "email"
        assert email["target"] == EMAILS[f"B-{loan_id}"]
        assert email["status"] in ("planned", "queued")

    with db_engine.connect() as conn:
        outbox = conn.execute(
            select(
                t.outbox.c.message_id, t.outbox.c.channel, t.outbox.c.recipient, t.outbox.c.subject
            ).where(t.outbox.c.run_date == DAY1, t.outbox.c.channel == "email")
        ).all()
    assert {(row.message_id, row.recipient) for row in outbox} == {
        (planned["L2"]["email_notice"]["action_id"], "li.si@example.com"),
        (planned["L4"]["email_notice"]["action_id"], "wang.wu@mail.example.cn"),
    }
    # An e-mail needs a subject; it names the lender and nothing a passer-by should read.
    # The lender configuration's name (data/lender/example.yaml), not the strategy's.
    assert {row.subject for row in outbox} == {"示例消费金融：借款事项通知"}

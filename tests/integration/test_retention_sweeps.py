"""A sweep on a table with a composite primary key (as the API's idempotency keys have):
its keys are the parts joined by ``|``, and it changes exactly the rows it selected."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, select

from faircollect.adapters.db.repositories.retention import RetentionRepository, Sweep
from faircollect.adapters.db.tables import account_state_history as h


def test_a_composite_key_sweep_deletes_what_it_selected(db_engine: Engine) -> None:
    row = {"dpd": 0, "bucket": "M0", "stage": "pre_due", "overdue_principal": 0}
    row |= {"overdue_total": 0, "outstanding_principal": 0, "paid_total": 0}
    with db_engine.begin() as conn:
        for night, loan in (
            (date(2026, 1, 1), "L1"),
            (date(2026, 1, 1), "L2"),
            (date(2026, 3, 1), "L1"),
        ):
            conn.execute(h.insert().values(night=night, loan_id=loan, **row))
        repo = RetentionRepository(conn)
        sweep = Sweep(h, h.c.night < date(2026, 2, 1), None)
        keys = repo.keys(sweep)
        assert keys == ["2026-01-01|L1", "2026-01-01|L2"]
        assert repo.apply(sweep, keys) == 2
        left = conn.execute(select(h.c.night, h.c.loan_id)).all()
    assert [tuple(r) for r in left] == [(date(2026, 3, 1), "L1")]

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


def test_idempotency_answers_go_with_sessions_and_with_an_anonymised_borrower(
    db_engine: Engine,
) -> None:
    from datetime import UTC, datetime

    from faircollect.adapters.db.repositories.retention import dated_sweeps, identity_sweeps
    from faircollect.adapters.db.tables import idempotency_keys as k
    from faircollect.domain.retention import Category

    def answer(owner: str, key: str, day: int) -> dict[str, object]:
        at = datetime(2026, 1, day, 2, 0, tzinfo=UTC)
        return {
            "owner": owner,
            "key": key,
            "request_hash": "0" * 64,
            "status": 201,
            "body": "{}",
            "created_at": at,
        }

    with db_engine.begin() as conn:
        conn.execute(
            k.insert(),
            [
                answer("user:C101", "old", 1),
                answer("user:C101", "new", 20),
                answer("borrower:B1", "b", 20),
                answer("borrower:B2", "b", 20),
            ],
        )
        repo = RetentionRepository(conn)
        (by_date,) = [s for s in dated_sweeps(Category.SESSIONS, date(2026, 1, 10)) if s.table is k]
        assert repo.keys(by_date) == ["user:C101|old"]
        (by_person,) = [s for s in identity_sweeps(["B1"], date(2026, 2, 1)) if s.table is k]
        assert repo.keys(by_person) == ["borrower:B1|b"]

"""Migration 0016 on a database that already holds people: every number is sealed and
hashed, the lookups find them, and nothing is lost (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, create_engine, select, text

from faircollect.adapters.data_keys import lookup_hash
from faircollect.adapters.db.engine import sqlite_pragmas
from faircollect.adapters.db.migrate import upgrade
from faircollect.adapters.db.repositories.portal import PortalRepository
from faircollect.adapters.db.tables import borrowers, contacts, visits
from faircollect.domain.sealed import is_sealed


def test_0016_seals_and_hashes_what_is_stored(database_url: str) -> None:
    engine: Engine = create_engine(database_url)
    if engine.dialect.name == "sqlite":
        sqlite_pragmas(engine)
    upgrade(engine, "0014")
    at = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO borrowers (borrower_id, name, phone, id_number, city, email) VALUES "
                "('B1', '张伟', '13800138000', '11010519491231002X', '北京', 'zw@example.com'),"
                "('B2', '李娜', '13900139000', '110101199001011234', '上海', NULL)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO contacts (borrower_id, name, phone, relation, is_emergency) "
                "VALUES ('B1', '王芳', '13700137000', '配偶', true)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO borrower_codes (phone, code_hash, created_at, expires_at, "
                "wrong_tries, voided) VALUES ('13800138000', '', :at, :at, 0, false)"
            ),
            {"at": at},
        )
    upgrade(engine)
    with engine.connect() as conn:
        raw = conn.execute(
            text("SELECT phone, id_number, email, phone_hash FROM borrowers ORDER BY borrower_id")
        ).all()
        assert all(is_sealed(r.phone) and is_sealed(r.id_number) for r in raw)
        assert raw[0].email.startswith("fc1:") and raw[1].email is None
        assert raw[0].phone_hash == lookup_hash("13800138000")
        stored = conn.execute(
            select(borrowers.c.phone, borrowers.c.id_number).order_by(borrowers.c.borrower_id)
        ).all()
        assert [tuple(r) for r in stored] == [
            ("13800138000", "11010519491231002X"),
            ("13900139000", "110101199001011234"),
        ]
        assert conn.execute(select(contacts.c.phone)).scalar_one() == "13700137000"
        code = conn.execute(text("SELECT phone_hash FROM borrower_codes")).scalar_one()
        assert code == lookup_hash("13800138000")
        portal = PortalRepository(conn)
        assert portal.borrower_of_phone("13900139000") == "B2"
        assert portal.codes_since("13800138000", datetime(2026, 11, 27, tzinfo=UTC)) == [at]
        assert conn.execute(select(visits)).first() is None
    engine.dispose()

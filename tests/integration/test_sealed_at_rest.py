"""No ID number or phone number in clear in the database: the raw rows after an import, a
night and its messages sent hold none of them, and every reader still gets them back.

The dump is the database's own bytes: the SQLite file (WAL checkpointed into it), or every
row of every table as PostgreSQL prints it."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, select, text
from typer.testing import CliRunner

from faircollect.adapters.data_keys import lookup_hash
from faircollect.adapters.db.repositories.loans import LoanRepository
from faircollect.adapters.db.repositories.portal import PortalRepository
from faircollect.adapters.db.tables import borrowers, contacts
from faircollect.cli.app import app

AS_OF = "2026-11-28"


def _csv(directory: Path, name: str) -> list[dict[str, str]]:
    with (directory / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def raw_dump(engine: Engine) -> bytes:
    """Everything the database holds, as stored."""
    if engine.dialect.name == "sqlite":
        path = engine.url.database
        assert path is not None
        engine.dispose()
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        dump = Path(path).read_bytes()
        wal = Path(path + "-wal")
        return dump + (wal.read_bytes() if wal.exists() else b"")
    parts = []
    with engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            rows = conn.execute(text(f'SELECT t::text FROM "{table}" t')).scalars()
            parts.extend(rows)
    return "\n".join(parts).encode("utf-8")


@pytest.fixture
def portfolio(tmp_path: Path, db_engine: Engine) -> tuple[Path, str]:
    out = tmp_path / "demo"
    runner = CliRunner()
    url = db_engine.url.render_as_string(hide_password=False)
    made = runner.invoke(app, ["demo", "--accounts", "300", "--out", str(out), "--as-of", AS_OF])
    assert made.exit_code == 0, made.output
    imported = runner.invoke(app, ["import", str(out), "--quiet", "--database-url", url])
    assert imported.exit_code == 0, imported.output
    return out, url


def test_the_raw_rows_hold_no_id_or_phone_number_in_clear(
    db_engine: Engine, portfolio: tuple[Path, str], tmp_path: Path
) -> None:
    out, url = portfolio
    runner = CliRunner()
    night = runner.invoke(app, ["run-day", "--date", AS_OF, "--database-url", url])
    assert night.exit_code == 0, night.output
    sent = runner.invoke(
        app,
        ["outbox", "send", "--to-files", f"sms={tmp_path / 'sms'}", "--database-url", url],
    )
    assert sent.exit_code == 0, sent.output
    with db_engine.connect() as conn:  # the night did plan messages to these numbers
        targets = conn.execute(text("SELECT count(*) FROM outbox")).scalar_one()
    assert targets > 0

    people = _csv(out, "borrowers.csv")
    numbers = {p["phone"] for p in people} | {p["id_number"] for p in people}
    numbers |= {c["phone"] for c in _csv(out, "contacts.csv")}
    emails = {p["email"] for p in people if p["email"]}
    dump = raw_dump(db_engine)
    assert b"fc1:" in dump  # sealed values are there
    leaked = sorted(n for n in numbers | emails if n.encode() in dump)
    assert leaked == []


def test_readers_get_the_numbers_back_and_find_people_by_them(
    db_engine: Engine, portfolio: tuple[Path, str]
) -> None:
    out, _ = portfolio
    person = _csv(out, "borrowers.csv")[7]
    contact = next(
        c for c in _csv(out, "contacts.csv") if c["borrower_id"] == person["borrower_id"]
    )
    with db_engine.connect() as conn:
        stored = conn.execute(
            select(borrowers).where(borrowers.c.borrower_id == person["borrower_id"])
        ).one()
        assert (stored.phone, stored.id_number) == (person["phone"], person["id_number"])
        assert stored.phone_hash == lookup_hash(person["phone"])
        loans = LoanRepository(conn)
        assert (person["borrower_id"], "borrower") in loans.phone_owner(person["phone"])
        assert (person["borrower_id"], contact["relation"]) in loans.phone_owner(contact["phone"])
        assert PortalRepository(conn).borrower_of_phone(person["phone"]) == person["borrower_id"]
        phones = conn.execute(
            select(contacts.c.phone).where(contacts.c.borrower_id == person["borrower_id"])
        ).scalars()
        assert contact["phone"] in set(phones)


def test_a_contact_number_twice_for_one_borrower_is_still_refused(db_engine: Engine) -> None:
    """The uniqueness moved from the (sealed, never equal) number to its keyed hash."""
    from sqlalchemy.exc import IntegrityError

    with db_engine.begin() as conn:
        conn.execute(
            borrowers.insert().values(
                borrower_id="B1",
                name="张伟",
                phone="13800138000",
                id_number="11010519491231002X",
                city="北京",
            )
        )
        row = {"borrower_id": "B1", "name": "李娜", "relation": "配偶", "is_emergency": True}
        conn.execute(contacts.insert().values(phone="13912345678", **row))
    with pytest.raises(IntegrityError), db_engine.begin() as conn:
        conn.execute(contacts.insert().values(phone="13912345678", **row))

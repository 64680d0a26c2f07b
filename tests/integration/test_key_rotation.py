"""``faircollect keys rotate`` re-seals every value under the current key; ``keys check``
counts values per key id. After a rotation the old key can go: everything reads back."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from typer.testing import CliRunner

from faircollect.adapters.data_keys import Keyring, key_id, use_keyring
from faircollect.adapters.db.tables import audit_log, borrowers, contacts, visits
from faircollect.cli.app import app
from faircollect.services.keys import check, rotate

OLD = base64.b64decode("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")  # the tests' key
LOOKUP = base64.b64decode("ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=")
NEW = bytes(range(100, 132))
PEOPLE = [(f"B{i:03d}", f"138{i:08d}", f"1101051949123{i:04d}X"[-18:]) for i in range(12)]


def _seed(engine: Engine) -> None:
    with engine.begin() as conn:
        for borrower_id, phone, id_number in PEOPLE:
            conn.execute(
                borrowers.insert().values(
                    borrower_id=borrower_id,
                    name="张伟",
                    phone=phone,
                    id_number=id_number,
                    city="北京",
                    email=f"{borrower_id.lower()}@example.com",
                )
            )
            conn.execute(
                contacts.insert().values(
                    borrower_id=borrower_id,
                    name="李娜",
                    phone="139" + phone[3:],
                    relation="配偶",
                    is_emergency=True,
                )
            )


def _read_back(engine: Engine) -> list[tuple[str, str, str, str | None]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(borrowers.c.borrower_id, borrowers.c.phone, borrowers.c.id_number)
            .add_columns(borrowers.c.email)
            .order_by(borrowers.c.borrower_id)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def test_rotate_then_read_back_with_the_new_key_alone(db_engine: Engine) -> None:
    _seed(db_engine)
    before = _read_back(db_engine)
    assert [(b, p, i) for b, p, i, _ in before] == PEOPLE
    rotated = Keyring(NEW, LOOKUP, [OLD])
    with use_keyring(rotated):
        assert check(db_engine).totals == {key_id(OLD): 12 * 3 + 12}
        seen: list[tuple[str, int, int]] = []
        done = rotate(db_engine, batch=5, progress=lambda c, d, t: seen.append((c, d, t)))
        assert done["borrowers.phone"] == 12 and done["contacts.phone"] == 12
        assert ("borrowers.id_number", 10, 12) in seen  # batches of 5: 5, 10, 12
        report = check(db_engine)
        assert report.totals == {key_id(NEW): 48} and report.not_current == 0
        assert rotate(db_engine)["borrowers.phone"] == 0  # nothing left to do
    with use_keyring(Keyring(NEW, LOOKUP)):  # the old key is gone
        assert _read_back(db_engine) == before
        with db_engine.connect() as conn:  # the lookups still find them (same lookup key)
            from faircollect.adapters.db.repositories.loans import LoanRepository

            assert LoanRepository(conn).phone_owner(PEOPLE[3][1]) == [("B003", "borrower")]
            audited = conn.execute(
                select(audit_log.c.action, audit_log.c.subject, audit_log.c.after).order_by(
                    audit_log.c.id
                )
            ).all()
    actions = [(a, s) for a, s, _ in audited]
    assert ("keys.resealed", "borrowers.phone") in actions
    assert actions.count(("keys.rotated", "data_keys")) == 2
    assert key_id(NEW) in audited[-1].after


def test_a_rotation_stopped_half_way_finishes_when_run_again(db_engine: Engine) -> None:
    _seed(db_engine)
    rotated = Keyring(NEW, LOOKUP, [OLD])

    class Stop(Exception):
        pass

    def stop_after_first_batch(column: str, done: int, total: int) -> None:
        if done >= 4:
            raise Stop

    with use_keyring(rotated):
        with pytest.raises(Stop):
            rotate(db_engine, batch=4, progress=stop_after_first_batch)
        half = check(db_engine).counts["borrowers.phone"]
        assert half == {key_id(NEW): 4, key_id(OLD): 8}  # the first batch was committed
        done = rotate(db_engine, batch=4)
        assert done["borrowers.phone"] == 8
        assert check(db_engine).not_current == 0


def test_the_check_and_rotate_commands(db_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    _seed(db_engine)
    with db_engine.begin() as conn:  # a value written before sealing, in clear
        conn.execute(
            text("UPDATE borrowers SET email = 'clear@example.com' WHERE borrower_id = 'B000'")
        )
    url = db_engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    monkeypatch.setenv("FAIRCOLLECT_DATA_KEY", base64.b64encode(NEW).decode())
    monkeypatch.setenv("FAIRCOLLECT_DATA_KEYS", base64.b64encode(OLD).decode())
    from faircollect.adapters import data_keys

    monkeypatch.setattr(data_keys, "_ACTIVE", [])
    first = runner.invoke(app, ["keys", "check", "--database-url", url])
    assert first.exit_code == 1, first.output
    assert f"borrowers.email\t{key_id(OLD)}: 11, clear: 1" in first.output
    assert "48 values are not under the current key" in first.output
    rotated = runner.invoke(app, ["keys", "rotate", "--batch", "5", "--database-url", url])
    assert rotated.exit_code == 0, rotated.output
    assert "re-sealed 48 values" in rotated.output
    assert "borrowers.phone: 12/12" in rotated.output
    second = runner.invoke(app, ["keys", "check", "--database-url", url])
    assert second.exit_code == 0, second.output
    assert f"total\t{key_id(NEW)}: 48" in second.output
    with db_engine.connect() as conn:
        email = conn.execute(
            select(borrowers.c.email).where(borrowers.c.borrower_id == "B000")
        ).scalar_one()
        assert email == "clear@example.com"
        assert conn.execute(select(visits.c.address)).first() is None
    monkeypatch.setattr(data_keys, "_ACTIVE", [])


def test_no_key_is_one_error_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    runner = CliRunner()
    assert runner.invoke(app, ["init", "--database-url", url]).exit_code == 0
    monkeypatch.delenv("FAIRCOLLECT_DATA_KEY")
    monkeypatch.setenv("FAIRCOLLECT_KEY_FILE", str(tmp_path / "missing.keys"))
    from faircollect.adapters import data_keys

    monkeypatch.setattr(data_keys, "_ACTIVE", [])
    people = tmp_path / "in"
    people.mkdir()
    (people / "borrowers.csv").write_text(
        "borrower_id,name,phone,id_number,city\nB1,张伟,13800138000,11010519491231002X,北京\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["import", str(people), "--quiet", "--database-url", url])
    assert result.exit_code == 2, result.output
    assert "no data key" in result.output and "keys init" in result.output
    assert "Traceback" not in result.output
    monkeypatch.setattr(data_keys, "_ACTIVE", [])

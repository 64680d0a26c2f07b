"""`faircollect import` on SQLite and PostgreSQL: all or nothing, idempotent, precise errors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from faircollect.adapters.db.migrate import head_revision
from faircollect.adapters.db.repository import (
    contacts_of,
    load_borrower,
    load_loan,
    load_payments,
)
from faircollect.adapters.db.tables import (
    borrowers,
    contacts,
    import_batches,
    loans,
    metadata,
    payments,
)
from faircollect.cli.app import app
from faircollect.domain.ledger.terms import Method, Payment
from faircollect.domain.records import Borrower, Contact

BORROWERS = """borrower_id,name,phone,id_number,city
B1,张三,13800000000,11010519491231002X,杭州
B2,李梅,15900000001,510107198503150024,成都
"""
CONTACTS = """borrower_id,name,phone,relation,is_emergency
B1,王芳,13700000000,配偶,true
B1,赵强,13700000001,同事,false
"""
LOAN_HEADER = (
    "loan_id,borrower_id,product,contract_principal,received_amount,annual_rate,"
    "term_months,method,disbursed_on,penalty_rate_daily,grace_days,periodic_fee\n"
)
LOANS = (
    LOAN_HEADER
    + """L1,B1,现金贷,10000.00,9000.00,0.36,12,equal_installment,2026-01-31,0.0005,3,50.00
L2,B2,经营贷,200000,200000,0.0435,24,interest_only,2025-06-15,0.0003,0,0
"""
)
PAYMENTS = """payment_id,loan_id,paid_on,amount
P2,L1,2026-03-28,1000.00
P1,L1,2026-02-28,1000.00
P3,L2,2025-07-15,725.00
"""


def write(directory: Path, **files: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, body in files.items():
        (directory / f"{name}.csv").write_text(body, encoding="utf-8")
    return directory


def run_import(directory: Path, url: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["import", str(directory), "--database-url", url, "-q"])
    return result.exit_code, result.output


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in metadata.sorted_tables
        }


@pytest.fixture
def portfolio(tmp_path: Path) -> Path:
    return write(
        tmp_path / "in", borrowers=BORROWERS, contacts=CONTACTS, loans=LOANS, payments=PAYMENTS
    )


def test_import_stores_every_record_and_the_repository_reads_them_back(
    db_engine: Engine, database_url: str, portfolio: Path
) -> None:
    code, output = run_import(portfolio, database_url)
    assert code == 0, output
    assert "payments.csv: 3 new" in output
    with db_engine.connect() as conn:
        loan = load_loan(conn, "L1")
        assert loan is not None
        assert (loan.principal, loan.received, loan.periodic_fee) == (1_000_000, 900_000, 5000)
        assert (loan.annual_rate, loan.method, loan.disbursed_on) == (
            Decimal("0.36"),
            Method.EQUAL_INSTALLMENT,
            date(2026, 1, 31),
        )
        assert (loan.borrower_id, loan.product) == ("B1", "现金贷")
        assert load_loan(conn, "nope") is None
        assert load_payments(conn, "L1") == [
            Payment("P1", "L1", date(2026, 2, 28), 100_000),
            Payment("P2", "L1", date(2026, 3, 28), 100_000),
        ]
        assert load_borrower(conn, "B1") == Borrower(
            "B1", "张三", "13800000000", "11010519491231002X", "杭州"
        )
        assert contacts_of(conn, "B1") == [
            Contact("B1", "王芳", "13700000000", "配偶", True),
            Contact("B1", "赵强", "13700000001", "同事", False),
        ]
        assert contacts_of(conn, "B2") == []
        batches = conn.execute(select(import_batches.c.batch_id)).scalars().all()
        assert len(batches) == 1
        stamped = conn.execute(select(payments.c.batch_id).distinct()).scalars().all()
        assert stamped == batches


def test_importing_the_same_directory_again_changes_nothing(
    db_engine: Engine, database_url: str, portfolio: Path
) -> None:
    assert run_import(portfolio, database_url)[0] == 0
    before = counts(db_engine)
    code, output = run_import(portfolio, database_url)
    assert code == 0, output
    assert "payments.csv: 0 new, 3 already stored" in output
    assert "no new payments" in output
    assert counts(db_engine) == before


def test_a_bad_row_anywhere_fails_the_whole_import_and_changes_nothing(
    db_engine: Engine, database_url: str, portfolio: Path
) -> None:
    (portfolio / "payments.csv").write_text(PAYMENTS + "P4,L2,2025-08-15,725.001\n", "utf-8")
    before = counts(db_engine)
    code, output = run_import(portfolio, database_url)
    assert code == 2
    assert "payments.csv line 5, field amount: more than 2 decimals" in output
    assert "nothing was imported" in output
    assert counts(db_engine) == before


def test_a_failed_import_leaves_earlier_imports_untouched(
    db_engine: Engine, database_url: str, portfolio: Path, tmp_path: Path
) -> None:
    assert run_import(portfolio, database_url)[0] == 0
    before = counts(db_engine)
    later = write(
        tmp_path / "later",
        borrowers="borrower_id,name,phone,id_number,city\nB3,周杰,18600000000,11010519491231002X,西安\n",
        payments="payment_id,loan_id,paid_on,amount\nP9,L1,2026-04-28,1000.00\nP10,L7,2026-04-28,5\n",
    )  # fmt: skip
    code, output = run_import(later, database_url)
    assert code == 2
    assert "payments.csv line 3, field loan_id: unknown loan_id 'L7'" in output
    assert counts(db_engine) == before


def test_duplicate_id_with_different_content_fails_naming_the_field(
    db_engine: Engine, database_url: str, portfolio: Path, tmp_path: Path
) -> None:
    assert run_import(portfolio, database_url)[0] == 0
    changed = LOANS.replace("10000.00,9000.00", "10000.00,9500.00")
    code, output = run_import(write(tmp_path / "changed", loans=changed), database_url)
    assert code == 2
    assert "loans.csv line 2, field received_amount: duplicate loan_id 'L1'" in output
    assert "9500.00 here but 9000.00" in output
    with db_engine.connect() as conn:
        assert load_loan(conn, "L1").received == 900_000  # type: ignore[union-attr]


def test_duplicate_within_one_file_names_both_lines(
    db_engine: Engine, database_url: str, tmp_path: Path
) -> None:
    body = PAYMENTS + "P1,L1,2026-02-28,999.00\n" + "P3,L2,2025-07-15,725.00\n"
    directory = write(tmp_path / "d", borrowers=BORROWERS, loans=LOANS, payments=body)
    code, output = run_import(directory, database_url)
    assert code == 2
    assert "payments.csv line 5, field amount: duplicate payment_id 'P1'" in output
    assert "line 3" in output
    assert "line 6" not in output  # an exact repeat is skipped, not an error


def test_payments_for_a_loan_from_an_earlier_import_get_a_new_batch(
    db_engine: Engine, database_url: str, portfolio: Path, tmp_path: Path
) -> None:
    assert run_import(portfolio, database_url)[0] == 0
    later = write(tmp_path / "later", payments=PAYMENTS + "P4,L1,2026-04-28,1000.00\n")
    code, output = run_import(later, database_url)
    assert code == 0, output
    assert "payments.csv: 1 new, 3 already stored" in output
    with db_engine.connect() as conn:
        batches = conn.execute(select(import_batches.c.batch_id).order_by("batch_id")).all()
        assert len(batches) == 2
        newest = batches[-1][0]
        in_newest = conn.execute(select(payments.c.payment_id).where(payments.c.batch_id == newest))
        assert in_newest.scalars().all() == ["P4"]


def test_header_problems_and_bom_and_column_order(
    db_engine: Engine, database_url: str, tmp_path: Path
) -> None:
    shuffled = (
        "city,id_number,phone,name,borrower_id\n杭州,11010519491231002X,13800000000,张三,B1\n"
    )
    directory = tmp_path / "bom"
    directory.mkdir()
    (directory / "borrowers.csv").write_bytes(b"\xef\xbb\xbf" + shuffled.encode())
    code, output = run_import(directory, database_url)
    assert code == 0, output
    with db_engine.connect() as conn:
        assert load_borrower(conn, "B1") == Borrower(
            "B1", "张三", "13800000000", "11010519491231002X", "杭州"
        )
    (directory / "borrowers.csv").write_text("borrower_id,name,phone,city\n", "utf-8")
    code, output = run_import(directory, database_url)
    assert code == 2
    assert "borrowers.csv line 1, field id_number: column missing from the header" in output


def test_errors_are_all_collected_and_the_list_is_capped(
    db_engine: Engine, database_url: str, portfolio: Path
) -> None:
    bad = "".join(f"X{i},L1,2026-02-3{i % 2 + 2},1\n" for i in range(25))
    (portfolio / "payments.csv").write_text(PAYMENTS + bad, "utf-8")
    code, output = run_import(portfolio, database_url)
    assert code == 2
    assert "25 error(s)" in output
    assert "payments.csv line 5, field paid_on" in output
    assert "... and 5 more" in output
    assert counts(db_engine)["payments"] == 0


def test_a_payment_before_disbursement_and_unknown_borrower_are_refused(
    db_engine: Engine, database_url: str, tmp_path: Path
) -> None:
    directory = write(
        tmp_path / "d",
        borrowers=BORROWERS,
        loans=LOANS + "L3,B9,消费贷,100,100,0.1,3,bullet,2026-01-01,0.0005,0,0\n",
        payments=PAYMENTS + "P5,L1,2026-01-30,10\n",
    )
    code, output = run_import(directory, database_url)
    assert code == 2
    assert "loans.csv line 4, field borrower_id: unknown borrower_id 'B9'" in output
    assert (
        "payments.csv line 5, field paid_on: before the loan was disbursed on 2026-01-31" in output
    )


def test_references_to_rows_that_failed_are_not_reported_twice(
    db_engine: Engine, database_url: str, tmp_path: Path
) -> None:
    broken = LOANS.replace("equal_installment", "balloon")
    directory = write(tmp_path / "d", borrowers=BORROWERS, loans=broken, payments=PAYMENTS)
    code, output = run_import(directory, database_url)
    assert code == 2
    assert "1 error(s)" in output
    assert "loans.csv line 2, field method: unknown method 'balloon'" in output


def test_init_is_idempotent_and_says_where(database_url: str) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["init", "--database-url", database_url])
    second = runner.invoke(app, ["init", "--database-url", database_url])
    assert first.exit_code == second.exit_code == 0
    assert "database ready at" in second.output
    assert f"schema {head_revision()}" in second.output


def test_contacts_and_borrowers_tables_are_filled(
    db_engine: Engine, database_url: str, portfolio: Path
) -> None:
    assert run_import(portfolio, database_url)[0] == 0
    found = counts(db_engine)
    assert (found[borrowers.name], found[contacts.name], found[loans.name]) == (2, 2, 2)


def test_a_bad_borrower_is_reported_once_not_again_for_its_loans_and_payments(
    db_engine: Engine, database_url: str, tmp_path: Path
) -> None:
    broken = BORROWERS.replace("11010519491231002X", "110105194912310021")
    directory = write(tmp_path / "d", borrowers=broken, loans=LOANS, payments=PAYMENTS)
    code, output = run_import(directory, database_url)
    assert code == 2
    assert "1 error(s)" in output
    assert "borrowers.csv line 2, field id_number: ID number check digit is wrong" in output


def test_progress_reports_rows_and_bytes_per_file(
    db_engine: Engine, portfolio: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime

    from faircollect.services import importing

    monkeypatch.setattr(importing, "CHUNK_ROWS", 1)
    calls: list[tuple[str, int, int, int]] = []
    importing.import_directory(
        db_engine, portfolio, datetime.now(UTC), lambda *call: calls.append(call)
    )
    payments_calls = [c for c in calls if c[0] == "payments.csv"]
    assert [c[1] for c in payments_calls] == [1, 2, 3]
    size = (portfolio / "payments.csv").stat().st_size
    assert all(c[3] == size and 0 < c[2] <= size for c in payments_calls)
    assert {c[0] for c in calls} == {"borrowers.csv", "contacts.csv", "loans.csv", "payments.csv"}


def test_a_gbk_file_is_read_as_gb18030_and_the_report_says_so(
    db_engine: Engine, database_url: str, tmp_path: Path
) -> None:
    directory = tmp_path / "gbk"
    directory.mkdir()
    (directory / "borrowers.csv").write_bytes(BORROWERS.encode("gbk"))
    code, output = run_import(directory, database_url)
    assert code == 0, output
    assert "borrowers.csv (read as GB18030): 2 new" in output
    with db_engine.connect() as conn:
        assert load_borrower(conn, "B1") is not None
        assert conn.execute(
            select(borrowers.c.name).order_by(borrowers.c.borrower_id)
        ).scalars().all() == [
            "张三",
            "李梅",
        ]


def test_a_gbk_file_read_as_utf8_is_refused_naming_its_line(
    db_engine: Engine, database_url: str, tmp_path: Path
) -> None:
    directory = tmp_path / "gbk"
    directory.mkdir()
    (directory / "borrowers.csv").write_bytes(BORROWERS.encode("gbk"))
    result = CliRunner().invoke(
        app, ["import", str(directory), "--database-url", database_url, "--encoding", "utf-8"]
    )
    assert result.exit_code == 2
    assert "borrowers.csv line 2: not UTF-8 text" in result.output
    assert "save the file as UTF-8 or pass --encoding gb18030" in result.output
    assert counts(db_engine)["borrowers"] == 0


def test_a_directory_without_any_known_file_is_an_error(
    db_engine: Engine, database_url: str, tmp_path: Path
) -> None:
    code, output = run_import(write(tmp_path / "other", notes="hello"), database_url)
    assert code == 2
    assert (
        "none of borrowers.csv, contacts.csv, loans.csv, risk_scores.csv, payments.csv found"
    ) in output


def test_a_contact_is_identified_by_borrower_and_phone(
    db_engine: Engine, database_url: str, portfolio: Path, tmp_path: Path
) -> None:
    assert run_import(portfolio, database_url)[0] == 0
    changed = CONTACTS.replace("配偶,true", "父母,true")
    code, output = run_import(write(tmp_path / "c", contacts=changed), database_url)
    assert code == 2
    assert (
        "contacts.csv line 2, field relation: duplicate contact phone '137****0000' "
        "of borrower 'B1' with different content: relation is 父母 here but 配偶" in output
    )

"""The optional columns `email` (borrowers.csv) and `risk_score` (loans.csv) on SQLite and
PostgreSQL: stored when given, NULL when absent or empty, validated like any field, and
part of the duplicate-with-different-content rule."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select

from faircollect.adapters.db.repository import load_borrower, load_loan
from faircollect.adapters.db.tables import borrowers, loans
from tests.integration.test_import import BORROWERS, LOAN_HEADER, LOANS, counts, run_import, write

SCORED_BORROWERS = """borrower_id,name,phone,id_number,city,email
B1,张三,13800000000,11010519491231002X,杭州,zhangsan@example.cn
B2,李梅,15900000001,510107198503150024,成都,
"""
SCORED_LOANS = (
    LOAN_HEADER.replace("periodic_fee\n", "periodic_fee,risk_score\n")
    + """L1,B1,现金贷,10000.00,9000.00,0.36,12,equal_installment,2026-01-31,0.0005,3,50.00,712
L2,B2,经营贷,200000,200000,0.0435,24,interest_only,2025-06-15,0.0003,0,0,
"""
)


def scored(tmp_path: Path, name: str = "scored", **overrides: str) -> Path:
    files = {"borrowers": SCORED_BORROWERS, "loans": SCORED_LOANS, **overrides}
    return write(tmp_path / name, **files)


def test_optional_values_round_trip_and_empty_ones_are_null(
    db_engine: Engine, database_url: str, tmp_path: Path
) -> None:
    code, output = run_import(scored(tmp_path), database_url)
    assert code == 0, output
    with db_engine.connect() as conn:
        b1, b2 = load_borrower(conn, "B1"), load_borrower(conn, "B2")
        l1, l2 = load_loan(conn, "L1"), load_loan(conn, "L2")
        assert b1 is not None and b2 is not None and l1 is not None and l2 is not None
        assert (b1.email, b2.email) == ("zhangsan@example.cn", None)
        assert (l1.risk_score, l2.risk_score) == (712, None)
        # NULL in the database, not an empty string or 0.
        stored = dict(conn.execute(select(loans.c.loan_id, loans.c.risk_score)).all())
        assert stored == {"L1": 712, "L2": None}
        emails = dict(conn.execute(select(borrowers.c.borrower_id, borrowers.c.email)).all())
        assert emails == {"B1": "zhangsan@example.cn", "B2": None}


def test_files_without_the_optional_columns_import_as_before(
    db_engine: Engine, database_url: str, tmp_path: Path
) -> None:
    code, output = run_import(
        write(tmp_path / "plain", borrowers=BORROWERS, loans=LOANS), database_url
    )
    assert code == 0, output
    with db_engine.connect() as conn:
        assert load_borrower(conn, "B1").email is None  # type: ignore[union-attr]
        assert load_loan(conn, "L1").risk_score is None  # type: ignore[union-attr]


def test_optional_columns_in_any_position(
    db_engine: Engine, database_url: str, tmp_path: Path
) -> None:
    shuffled = (
        "email,city,id_number,phone,name,borrower_id\n"
        "a.b@example.com,杭州,11010519491231002X,13800000000,张三,B1\n"
    )
    code, output = run_import(write(tmp_path / "s", borrowers=shuffled), database_url)
    assert code == 0, output
    with db_engine.connect() as conn:
        assert load_borrower(conn, "B1").email == "a.b@example.com"  # type: ignore[union-attr]


def test_re_importing_the_same_rows_changes_nothing(
    db_engine: Engine, database_url: str, tmp_path: Path
) -> None:
    assert run_import(scored(tmp_path), database_url)[0] == 0
    before = counts(db_engine)
    code, output = run_import(scored(tmp_path, "again"), database_url)
    assert code == 0, output
    assert "loans.csv: 0 new, 2 already stored" in output
    assert counts(db_engine) == before


def test_a_row_differing_only_in_risk_score_is_a_conflicting_duplicate(
    db_engine: Engine, database_url: str, tmp_path: Path
) -> None:
    assert run_import(scored(tmp_path), database_url)[0] == 0
    rescored = SCORED_LOANS.replace("50.00,712", "50.00,650")
    code, output = run_import(scored(tmp_path, "rescored", loans=rescored), database_url)
    assert code == 2
    assert (
        "loans.csv line 2, field risk_score: duplicate loan_id 'L1' with different content: "
        "risk_score is 650 here but 712 in a row already stored"
    ) in output
    with db_engine.connect() as conn:
        assert load_loan(conn, "L1").risk_score == 712  # type: ignore[union-attr]


def test_an_empty_optional_value_differs_from_a_stored_one(
    db_engine: Engine, database_url: str, tmp_path: Path
) -> None:
    # Like any other field: an empty value is not "keep what is stored".
    assert run_import(scored(tmp_path), database_url)[0] == 0
    code, output = run_import(write(tmp_path / "plain", borrowers=BORROWERS), database_url)
    assert code == 2
    assert (
        "borrowers.csv line 2, field email: duplicate borrower_id 'B1' with different content: "
        "email is empty here but z***@example.cn in a row already stored"  # masked
    ) in output


def test_bad_optional_values_fail_the_whole_import_naming_file_line_and_field(
    db_engine: Engine, database_url: str, tmp_path: Path
) -> None:
    bad_borrowers = SCORED_BORROWERS.replace("成都,", "成都,limei-at-example.cn")
    bad_loans = SCORED_LOANS.replace("0.0003,0,0,", "0.0003,0,0,1200")
    before = counts(db_engine)
    directory = scored(tmp_path, "bad", borrowers=bad_borrowers, loans=bad_loans)
    code, output = run_import(directory, database_url)
    assert code == 2
    assert "borrowers.csv line 3, field email: not an e-mail address" in output
    # L2's borrower failed, so L2 is not reported again; a bad score on L1 would be.
    directory = scored(tmp_path, "bad2", loans=SCORED_LOANS.replace("50.00,712", "50.00,7.5"))
    code, output = run_import(directory, database_url)
    assert code == 2
    assert "loans.csv line 2, field risk_score: not a whole number: '7.5'" in output
    code, output = run_import(scored(tmp_path, "bad3", loans=bad_loans), database_url)
    assert code == 2
    assert "loans.csv line 3, field risk_score: must be between 0 and 1000, got 1200" in output
    assert counts(db_engine) == before

"""Re-scoring loans on SQLite and PostgreSQL: `risk_scores.csv` sets a loan's current score
(latest import wins, idempotent, all or nothing), the night's views see it, and a loans.csv
without the risk_score column keeps the stored score."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from faircollect.adapters.db.tables import loans
from faircollect.services import importing
from faircollect.services.nightly_load import load_views
from tests.integration.test_import import BORROWERS, LOAN_HEADER, LOANS, counts, run_import, write
from tests.integration.test_import_optional_columns import SCORED_LOANS, scored
from tests.scenarios.portfolio import SHANGHAI, write_states

HEADER = "loan_id,risk_score\n"


def scores(engine: Engine) -> dict[str, int | None]:
    with engine.connect() as conn:
        return dict(conn.execute(select(loans.c.loan_id, loans.c.risk_score)).all())


def rescore(tmp_path: Path, name: str, body: str) -> Path:
    return write(tmp_path / name, risk_scores=body)


@pytest.fixture
def stored(db_engine: Engine, database_url: str, tmp_path: Path) -> Engine:
    """L1 scored 712 and L2 unscored, as imported from a scored loans.csv."""
    code, output = run_import(scored(tmp_path), database_url)
    assert code == 0, output
    assert scores(db_engine) == {"L1": 712, "L2": None}
    return db_engine


def test_a_re_score_sets_the_current_score_and_the_night_sees_it(
    stored: Engine, database_url: str, tmp_path: Path
) -> None:
    night = date(2026, 3, 20)
    write_states(stored, night)
    with stored.connect() as conn:
        before = {v.loan_id: v.risk_score for v in load_views(conn, night, SHANGHAI)}
    assert before == {"L1": 712, "L2": None}

    code, output = run_import(rescore(tmp_path, "march", HEADER + "L1,300\nL2,850\n"), database_url)
    assert code == 0, output
    assert "risk_scores.csv: 0 new, 2 changed, 0 already stored" in output
    with stored.connect() as conn:
        after = {v.loan_id: v.risk_score for v in load_views(conn, night, SHANGHAI)}
    assert after == {"L1": 300, "L2": 850}

    # The next month's file wins; a loan it leaves out keeps its score.
    code, output = run_import(rescore(tmp_path, "april", HEADER + "L1,420\n"), database_url)
    assert code == 0, output
    assert scores(stored) == {"L1": 420, "L2": 850}


def test_importing_the_same_scores_again_changes_nothing(
    stored: Engine, database_url: str, tmp_path: Path
) -> None:
    directory = rescore(tmp_path, "march", HEADER + "L1,300\nL2,850\n")
    assert run_import(directory, database_url)[0] == 0
    before = counts(stored)
    code, output = run_import(directory, database_url)
    assert code == 0, output
    assert "risk_scores.csv: 0 new, 2 already stored" in output
    assert "no new payments" in output
    assert counts(stored) == before
    assert scores(stored) == {"L1": 300, "L2": 850}


def test_scores_for_loans_of_the_same_directory_are_set_in_the_same_import(
    db_engine: Engine, database_url: str, tmp_path: Path
) -> None:
    directory = write(
        tmp_path / "new", borrowers=BORROWERS, loans=LOANS, risk_scores=HEADER + "L2,55\n"
    )
    code, output = run_import(directory, database_url)
    assert code == 0, output
    assert scores(db_engine) == {"L1": None, "L2": 55}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            HEADER + "L1,300\nL9,500\n",
            "risk_scores.csv line 3, field loan_id: unknown loan_id 'L9' "
            "(not in loans.csv nor the database)",
        ),
        (
            HEADER + "L1,1200\n",
            "risk_scores.csv line 2, field risk_score: must be between 0 and 1000, got 1200",
        ),
        (HEADER + "L1,7.5\n", "risk_scores.csv line 2, field risk_score: not a whole number"),
        (HEADER + "L1,\n", "risk_scores.csv line 2, field risk_score: missing value"),
        ("loan_id\nL1\n", "risk_scores.csv line 1, field risk_score: column missing"),
        (
            HEADER + "L1,600\nL2,10\nL1,650\n",
            "risk_scores.csv line 4, field risk_score: duplicate loan_id 'L1' with different "
            "content: risk_score is 650 here but 600 in line 2",
        ),
    ],
)
def test_a_bad_row_fails_the_whole_import_and_changes_nothing(
    stored: Engine, database_url: str, tmp_path: Path, body: str, expected: str
) -> None:
    before = counts(stored)
    code, output = run_import(rescore(tmp_path, "bad", body), database_url)
    assert code == 2
    assert expected in output
    assert counts(stored) == before
    assert scores(stored) == {"L1": 712, "L2": None}


def test_a_repeat_in_a_later_chunk_is_caught_too(
    stored: Engine, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One row per chunk: the first L1 row is already set when the second one is read.
    monkeypatch.setattr(importing, "CHUNK_ROWS", 1)
    code, output = run_import(
        rescore(tmp_path, "split", HEADER + "L1,600\nL2,10\nL1,600\nL1,650\n"), database_url
    )
    assert code == 2
    assert (
        "risk_scores.csv line 5, field risk_score: duplicate loan_id 'L1' with different "
        "content: risk_score is 650 here but 600 in line 2"
    ) in output
    assert "line 4" not in output  # an exact repeat is fine
    assert scores(stored) == {"L1": 712, "L2": None}


def test_an_old_format_loans_file_keeps_the_stored_score(
    stored: Engine, database_url: str, tmp_path: Path
) -> None:
    assert run_import(rescore(tmp_path, "march", HEADER + "L1,300\n"), database_url)[0] == 0
    code, output = run_import(write(tmp_path / "old", loans=LOANS), database_url)
    assert code == 0, output
    assert "loans.csv: 0 new, 2 already stored" in output
    assert scores(stored) == {"L1": 300, "L2": None}


def test_a_loans_file_with_the_column_must_still_match_and_points_to_risk_scores(
    stored: Engine, database_url: str, tmp_path: Path
) -> None:
    rescored = SCORED_LOANS.replace("50.00,712", "50.00,650")
    code, output = run_import(write(tmp_path / "new", loans=rescored), database_url)
    assert code == 2
    assert (
        "loans.csv line 2, field risk_score: duplicate loan_id 'L1' with different content: "
        "risk_score is 650 here but 712 in a row already stored (to change risk_score import "
        "risk_scores.csv, or leave the column out of loans.csv)"
    ) in output
    # An empty value in a present column is a value, not "keep the stored one".
    emptied = LOAN_HEADER.replace("periodic_fee\n", "periodic_fee,risk_score\n") + (
        "L1,B1,现金贷,10000.00,9000.00,0.36,12,equal_installment,2026-01-31,0.0005,3,50.00,\n"
    )
    code, output = run_import(write(tmp_path / "empty", loans=emptied), database_url)
    assert code == 2
    assert "risk_score is empty here but 712 in a row already stored" in output
    assert scores(stored) == {"L1": 712, "L2": None}


def test_an_old_format_loans_file_still_conflicts_on_other_fields(
    stored: Engine, database_url: str, tmp_path: Path
) -> None:
    changed = LOANS.replace("0.0005,3,50.00", "0.0005,5,50.00")
    code, output = run_import(write(tmp_path / "old", loans=changed), database_url)
    assert code == 2
    assert "loans.csv line 2, field grace_days: duplicate loan_id 'L1'" in output
    assert "to change" not in output

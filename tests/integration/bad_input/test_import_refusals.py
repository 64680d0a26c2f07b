"""Issue 11, sections 4, 5 and 7 and the Chinese spreadsheets: ``import`` refuses what it
cannot read or compute with, naming file, line, field (and the bound), and changes nothing.

Every refusal is tried on an imported portfolio, so "nothing changed" is checked against
real rows: the rows' fingerprint on both backends, and on SQLite the file byte for byte.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from faircollect.adapters.db.tables import borrowers
from faircollect.domain.records import id_check_digit
from tests.integration.bad_input.front_door import (
    fingerprint,
    refused,
    run,
    sqlite_file_bytes,
)
from tests.integration.test_import import BORROWERS, CONTACTS, LOAN_HEADER, LOANS, PAYMENTS

BASE_LOAN = "L3,B1,现金贷,10000.00,9000.00,0.18,12,equal_installment,2026-01-31,0.0005,3,50.00"
BASE_PAYMENT = "P9,L1,2026-04-28,1000.00"


def write(folder: Path, **files: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in files.items():
        (folder / f"{name}.csv").write_text(body, encoding="utf-8")
    return folder


@pytest.fixture
def stored(db_engine: Engine, database_url: str, tmp_path: Path) -> str:
    """A database holding the test portfolio; returns its URL."""
    folder = write(
        tmp_path / "first",
        borrowers=BORROWERS,
        contacts=CONTACTS,
        loans=LOANS,
        payments=PAYMENTS,
    )
    out = run("import", str(folder), "-q", "--database-url", database_url)
    assert out.code == 0, out.output
    db_engine.dispose()
    return database_url


def refused_and_unchanged(url: str, argv: list[str], *words: str) -> None:
    """Run ``faircollect argv``: exit 2 with ``words`` on stderr, every row as it was, and
    on SQLite the file's bytes as they were."""
    rows, raw = fingerprint(url), sqlite_file_bytes(url)
    out = run(*argv, "--database-url", url)
    refused(out, 2, *words)
    assert fingerprint(url) == rows
    assert sqlite_file_bytes(url) == raw


# --- section 4: a listed file that is there must be a regular readable file --------------


def broken_link(path: Path) -> None:
    path.symlink_to(path.parent / "gone.csv")


def link_loop(path: Path) -> None:
    other = path.parent / "loop.csv"
    path.symlink_to(other)
    other.symlink_to(path)


def directory(path: Path) -> None:
    path.mkdir()


def named_pipe(path: Path) -> None:
    os.mkfifo(path)


def link_to_a_directory(path: Path) -> None:
    path.symlink_to(path.parent)


def link_to_dev_zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


NOT_A_FILE = [
    pytest.param(broken_link, "broken symbolic link", id="broken-symlink"),
    pytest.param(link_loop, "symbolic link loop", id="symlink-loop"),
    pytest.param(directory, "is a directory, not a regular file", id="directory"),
    pytest.param(named_pipe, "is a named pipe, not a regular file", id="named-pipe"),
    pytest.param(link_to_a_directory, "is a directory", id="link-to-directory"),
    pytest.param(link_to_dev_zero, "is a device", id="dev-zero"),
]


@pytest.mark.parametrize(("make", "words"), NOT_A_FILE)
def test_a_payments_file_that_is_not_a_regular_file_is_an_error(
    stored: str, tmp_path: Path, make: Callable[[Path], None], words: str
) -> None:
    new_borrower = "B3,王五,13800000003,11010519491231002X,北京\n"
    folder = write(tmp_path / "next", borrowers=BORROWERS + new_borrower)
    make(folder / "payments.csv")
    refused_and_unchanged(stored, ["import", str(folder), "-q"], f"payments.csv: {words}")


def test_an_unreadable_payments_file_is_an_error(
    stored: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As root every file is readable, so the refusal of ``access`` is simulated."""
    folder = write(tmp_path / "next", payments=PAYMENTS)
    real = os.access
    blocked = str(folder / "payments.csv")
    monkeypatch.setattr(os, "access", lambda p, mode: str(p) != blocked and real(p, mode))
    refused_and_unchanged(stored, ["import", str(folder), "-q"], "payments.csv: permission denied")


def test_a_runaway_line_is_refused_not_read_into_memory(stored: str, tmp_path: Path) -> None:
    folder = tmp_path / "next"
    folder.mkdir()
    (folder / "payments.csv").write_bytes(
        b"payment_id,loan_id,paid_on,amount\n" + b"P" * 3_000_000 + b",L1,2026-04-28,1\n"
    )
    refused_and_unchanged(
        stored, ["import", str(folder), "-q"], "payments.csv line 2: longer than 1,048,576 bytes"
    )


# --- section 5: values the ledger cannot compute with, and implausible ones ---------------

# (file, the row, the field named, words of the message)
OUT_OF_BOUNDS = [
    (
        "loans",
        BASE_LOAN.replace("2026-01-31", "9999-06-15"),
        "disbursed_on",
        "disbursed_on_future_days",
    ),
    ("loans", BASE_LOAN.replace("2026-01-31", "0001-01-15"), "disbursed_on", "past_years"),
    (
        "loans",
        BASE_LOAN.replace("2026-01-31", "1990-01-15"),
        "disbursed_on",
        "today minus 30 years",
    ),
    (
        "payments",
        BASE_PAYMENT.replace("2026-04-28", "2099-01-01"),
        "paid_on",
        "paid_on_future_days",
    ),
    ("payments", BASE_PAYMENT.replace("1000.00", "100000000000000000000"), "amount", "too large"),
    ("payments", BASE_PAYMENT.replace("1000.00", "1" + "0" * 5000), "amount", "too large"),
    ("payments", BASE_PAYMENT.replace("1000.00", "200000000.00"), "amount", "amount_max"),
    (
        "loans",
        BASE_LOAN.replace("10000.00,9000.00", "100000000.01,9000.00"),
        "contract_principal",
        "above the maximum amount 100000000.00",
    ),
    ("loans", BASE_LOAN.replace(",50.00", ",1000000000.00"), "periodic_fee", "amount_max"),
    ("loans", BASE_LOAN.replace(",0.18,", ",50,"), "annual_rate", "50 is above the maximum 1"),
    ("loans", BASE_LOAN.replace(",0.18,", ",18,"), "annual_rate", "annual_rate_max"),
    (
        "loans",
        BASE_LOAN.replace(",0.0005,", ",0.9,"),
        "penalty_rate_daily",
        "penalty_rate_daily_max",
    ),
    (
        "loans",
        BASE_LOAN.replace(",12,", ",99999999999999999999,"),
        "term_months",
        "between 1 and 600",
    ),
    (
        "loans",
        BASE_LOAN.replace(",12,", ",1" + "0" * 5000 + ","),
        "term_months",
        "between 1 and 600",
    ),
    ("loans", BASE_LOAN.replace(",3,", "," + "9" * 30 + ","), "grace_days", "between 0 and 365"),
    (
        "loans",
        BASE_LOAN.replace(",0.18,", ",0." + "1" * 5000 + ","),
        "annual_rate",
        "not a decimal rate",
    ),
    ("payments", BASE_PAYMENT.replace("1000.00", "1e3"), "amount", "plain digits"),
    ("payments", BASE_PAYMENT.replace("1000.00", "10_000"), "amount", "plain digits"),
    ("payments", BASE_PAYMENT.replace("1000.00", "١٠٠٠"), "amount", "plain digits"),
]
HEADERS = {"loans": LOAN_HEADER, "payments": "payment_id,loan_id,paid_on,amount\n"}


@pytest.mark.parametrize(
    ("file", "row", "field", "words"),
    [pytest.param(*case, id=f"{case[2]}-{n}") for n, case in enumerate(OUT_OF_BOUNDS)],
)
def test_a_value_out_of_bounds_is_refused_naming_file_line_field_and_bound(
    stored: str, tmp_path: Path, file: str, row: str, field: str, words: str
) -> None:
    folder = write(tmp_path / "next", **{file: HEADERS[file] + row + "\n"})
    refused_and_unchanged(
        stored, ["import", str(folder), "-q"], f"{file}.csv line 2, field {field}: ", words
    )


def test_a_bound_can_be_raised_explicitly(
    stored: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write(
        tmp_path / "next", loans=LOAN_HEADER + BASE_LOAN.replace(",0.18,", ",1.5,") + "\n"
    )
    refused_and_unchanged(stored, ["import", str(folder), "-q"], "annual_rate_max")
    limits = tmp_path / "limits.yaml"
    limits.write_text('annual_rate_max: "2"\n', "utf-8")
    out = run("import", str(folder), "-q", "--limits", str(limits), "--database-url", stored)
    assert out.code == 0, out.output
    assert "loans.csv: 1 new" in out.stdout


def test_the_limits_file_named_in_a_refusal_is_the_override(stored: str, tmp_path: Path) -> None:
    limits = tmp_path / "tight.yaml"
    limits.write_text('amount_max: "500.00"\n', "utf-8")
    folder = write(tmp_path / "next", payments=HEADERS["payments"] + BASE_PAYMENT + "\n")
    out = run("import", str(folder), "-q", "--limits", str(limits), "--database-url", stored)
    refused(out, 2, "payments.csv line 2, field amount", "500.00", f"in {limits}")


BAD_LIMITS = [
    pytest.param("annual_rate_max: 1\nsurprise: 2\n", "2: surprise: unknown key", id="unknown-key"),
    pytest.param('amount_max: "-1"\n', "amount_max: must be more than 0", id="negative"),
    pytest.param('amount_max: "1e9"\n', "amount_max: not an amount", id="exponent"),
    pytest.param('amount_max: "99999999999999999"\n', "amount too large", id="beyond-column"),
    pytest.param("past_years: 100000\n", "past_years: must be at most 200", id="too-far-back"),
    pytest.param("paid_on_future_days: -3\n", "must be at least 0", id="negative-days"),
    pytest.param("annual_rate_max: [\n", "YAML syntax", id="syntax"),
    pytest.param("annual_rate_max: " + "[" * 10_000 + "\n", "nested too deeply", id="deep"),
]


@pytest.mark.parametrize(("body", "words"), BAD_LIMITS)
def test_a_bad_limits_file_is_refused_before_anything_is_read(
    stored: str, tmp_path: Path, body: str, words: str
) -> None:
    limits = tmp_path / "limits.yaml"
    limits.write_text(body, "utf-8")
    folder = write(tmp_path / "next", payments=HEADERS["payments"] + BASE_PAYMENT + "\n")
    refused_and_unchanged(
        stored, ["import", str(folder), "-q", "--limits", str(limits)], "limits.yaml", words
    )


# --- section 7: control characters in ids and names ----------------------------------------

CONTROL = {
    "NUL": "\x00",
    "ESC": "\x1b",
    "BEL": "\x07",
    "DEL": "\x7f",
    "NEL": "\x85",
    "LS": "\u2028",
}
FIELDS = [
    ("borrowers", "borrower_id", BORROWERS.replace("B2,", "B{c}2,")),
    ("borrowers", "name", BORROWERS.replace("李梅", "李{c}梅")),
    ("borrowers", "city", BORROWERS.replace("成都", "成都{c}")),
    ("contacts", "relation", CONTACTS.replace("同事", "同{c}事")),
    ("loans", "loan_id", LOAN_HEADER + BASE_LOAN.replace("L3", "L{c}3")),
    ("loans", "product", LOAN_HEADER + BASE_LOAN.replace("现金贷", "现金{c}贷")),
    ("payments", "payment_id", HEADERS["payments"] + BASE_PAYMENT.replace("P9", "{c}P9")),
]


@pytest.mark.parametrize(
    ("file", "field", "body", "char"),
    [
        pytest.param(file, field, body, char, id=f"{field}-{name}")
        for file, field, body in FIELDS
        for name, char in CONTROL.items()
        if not (name == "LS" and field != "name")
    ],
)
def test_a_control_character_in_an_id_or_name_is_refused(
    stored: str, tmp_path: Path, file: str, field: str, body: str, char: str
) -> None:
    folder = tmp_path / "next"
    folder.mkdir()
    (folder / f"{file}.csv").write_text(body.replace("{c}", char) + "\n", "utf-8", newline="")
    refused_and_unchanged(
        stored,
        ["import", str(folder), "-q"],
        f"{file}.csv line ",
        f"field {field}: ",
        "control character",
    )


# --- Chinese spreadsheets: GBK / GB18030 from Excel, and back ------------------------------


def _borrower_rows(count: int) -> list[str]:
    rows = []
    for n in range(count):
        first17 = f"11010519800101{n:03d}"
        rows.append(f"X{n},Name {n},13800000000,{first17}{id_check_digit(first17)},Hangzhou")
    return rows


def _late_chinese_file(folder: Path) -> Path:
    """302 lines: the header, 300 ASCII rows, and Chinese only on line 302 (GBK)."""
    folder.mkdir()
    rows = _borrower_rows(301)
    rows[-1] = rows[-1].replace("Name 300", "王小明")
    body = "borrower_id,name,phone,id_number,city\n" + "\n".join(rows) + "\n"
    (folder / "borrowers.csv").write_bytes(body.encode("gbk"))
    return folder


def test_a_gbk_file_read_as_utf8_is_refused_at_its_exact_line(stored: str, tmp_path: Path) -> None:
    folder = _late_chinese_file(tmp_path / "gbk")
    refused_and_unchanged(
        stored,
        ["import", str(folder), "-q", "--encoding", "utf-8"],
        "borrowers.csv line 302: not UTF-8 text",
        "--encoding gb18030",
    )


@pytest.mark.parametrize("choice", ["auto", "gb18030"])
def test_a_gbk_file_imports_as_gb18030_and_says_so(
    stored: str, tmp_path: Path, choice: str
) -> None:
    folder = _late_chinese_file(tmp_path / "gbk")
    out = run("import", str(folder), "-q", "--encoding", choice, "--database-url", stored)
    assert out.code == 0, out.output
    assert "borrowers.csv (read as GB18030): 301 new" in out.stdout
    from faircollect.adapters.db.engine import make_engine

    engine = make_engine(stored)
    with engine.connect() as conn:
        name = conn.execute(select(borrowers.c.name).where(borrowers.c.borrower_id == "X300"))
        assert name.scalar_one() == "王小明"
    engine.dispose()


def test_a_file_that_is_neither_utf8_nor_gb18030_names_its_first_bad_line(
    stored: str, tmp_path: Path
) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    body = ("borrower_id,name,phone,id_number,city\n" + "\n".join(_borrower_rows(60))).encode()
    lines = body.split(b"\n")
    lines[40] = lines[40].replace(b"Name", "张".encode() + b"\xff")
    (folder / "borrowers.csv").write_bytes(b"\n".join(lines) + b"\n")
    refused_and_unchanged(
        stored,
        ["import", str(folder), "-q"],
        "borrowers.csv line 41: not UTF-8 text (byte 0xFF",
        "neither UTF-8 nor GB18030",
    )


def test_a_utf8_file_with_a_bom_and_chinese_imports_as_utf8(stored: str, tmp_path: Path) -> None:
    folder = tmp_path / "bom"
    folder.mkdir()
    body = BORROWERS.replace("B1,", "B7,").replace("B2,", "B8,")
    (folder / "borrowers.csv").write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    out = run("import", str(folder), "-q", "--database-url", stored)
    assert out.code == 0, out.output
    assert "borrowers.csv: 2 new" in out.stdout and "GB18030" not in out.stdout


def test_export_excel_writes_utf8_with_a_bom(stored: str) -> None:
    from tests.integration.bad_input.test_databases import TODAY

    plain = run("export", "accounts", "--date", TODAY, "--database-url", stored)
    excel = run("export", "accounts", "--date", TODAY, "--excel", "--database-url", stored)
    assert plain.code == excel.code == 0, excel.output
    assert excel.stdout.startswith("\ufeffloan_id,borrower_id,")
    assert excel.stdout.removeprefix("\ufeff") == plain.stdout
    assert not plain.stdout.startswith("\ufeff")
    json_excel = run(
        "export",
        "accounts",
        "--date",
        TODAY,
        "--format",
        "json",
        "--excel",
        "--database-url",
        stored,
    )
    refused(json_excel, 2, "--excel applies to --format csv")

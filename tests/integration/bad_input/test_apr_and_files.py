"""Issue 11, sections 6 and 8: ``apr --stdin`` reads numbers exactly as ``import`` does and
computes (or clearly refuses) the predatory loans it exists to expose; every YAML file a
command reads is bounded, decoded strictly and refused clearly.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from faircollect.cli.apr import InputError, parse_flow_request
from faircollect.domain.records import PAYMENTS, parse_values
from tests.integration.bad_input.front_door import fingerprint, refused, run

LOAN = {"received": "500", "disbursed_on": "2026-01-01"}


def flow(amount: Any, on: str = "2026-01-04", **top: Any) -> str:
    return json.dumps({**LOAN, **top, "payments": [{"on": on, "amount": amount}]})


def test_a_3_day_loan_of_500_repaid_with_1000_is_computed() -> None:
    """2026-01-01 to 01-04 is 3/31 of a month, so (1 + r)^(3/31) = 2: r = 2^(31/3) - 1,
    and the effective annual rate (1 + r)^12 - 1 = 2^124 - 1."""
    out = run("apr", "--stdin", stdin=flow("1000"))
    assert out.code == 0, out.output
    result = json.loads(out.stdout)
    with localcontext() as ctx:
        ctx.prec = 50
        monthly = Decimal(2) ** (Decimal(31) / 3) - 1
    assert abs(Decimal(result["monthly_irr"]) - monthly) <= Decimal("0.0000005")
    assert abs(Decimal(result["apr_irr"]) - 12 * monthly) <= Decimal("0.0000005")
    assert result["effective_annual"] == f"{Decimal(2**124 - 1):.6E}" == "2.126765E+37"
    assert result["cap"]["within"] is False
    assert (result["received"], result["total_paid"], result["cost"]) == (
        "500.00",
        "1000.00",
        "500.00",
    )


BAD_STDIN = [
    pytest.param(flow("1e4"), "payments[0].amount: not an amount", id="exponent-string"),
    pytest.param(flow("10_000"), "payments[0].amount: not an amount", id="underscores"),
    pytest.param(flow("١٠٠٠"), "payments[0].amount: not an amount", id="arabic-indic"),
    pytest.param(flow("１０００"), "payments[0].amount: not an amount", id="full-width"),
    pytest.param(flow("12345678901234567890123456789"), "too large", id="29-digits"),
    pytest.param(flow("1,000"), "not an amount", id="thousands-comma"),
    pytest.param(flow("+1000"), "not an amount", id="plus-sign"),
    pytest.param(flow("1000.001"), "more than 2 decimals", id="three-decimals"),
    pytest.param(flow("NaN"), "not an amount", id="nan-string"),
    pytest.param(flow("200000000"), "amount_max", id="above-amount-max"),
    pytest.param(flow("-5"), "must be positive", id="negative"),
    pytest.param(
        flow("1000").replace('"1000"', "1e4"), "payments[0].amount: not an amount", id="json-1e4"
    ),
    pytest.param(flow("1000").replace('"1000"', "1E+4"), "not an amount", id="json-1E+4"),
    pytest.param(flow("1000").replace('"1000"', "9" * 5000), "too large", id="json-5000-digits"),
    pytest.param(flow("1000").replace('"1000"', "NaN"), "not one JSON object", id="json-nan"),
    pytest.param(flow("1000").replace('"1000"', "true"), "must be an amount", id="json-true"),
    pytest.param(
        flow("1000", on="9999-12-31"), "more than 50 years after disbursed_on", id="payment-9999"
    ),
    pytest.param(flow("1000", on="2026-1-4"), "not an ISO date", id="loose-date"),
    pytest.param(
        flow("1000", disbursed_on="9999-01-01"), "disbursed_on_future_days", id="disbursed-9999"
    ),
    pytest.param(flow("1000", disbursed_on="0001-01-01"), "past_years", id="disbursed-year-1"),
    pytest.param(
        flow("1000").replace('"2026-01-01"', "20260101"),
        "must be an ISO date string",
        id="date-number",
    ),
    pytest.param("[" * 100_000, "nested too deeply", id="deep"),
    pytest.param(
        json.dumps({**LOAN, "payments": [{"on": "2026-01-04", "amount": "1"}] * 10_001}),
        "more than 10,000",
        id="10001-payments",
    ),
]


@pytest.mark.parametrize(("stdin", "words"), BAD_STDIN)
def test_apr_stdin_refuses_clearly(stdin: str, words: str) -> None:
    out = run("apr", "--stdin", stdin=stdin)
    refused(out, 2, words)
    assert out.stdout == ""


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        pytest.param("张三".encode("gbk"), "not UTF-8", id="gbk"),
        pytest.param(b" " * 1_100_000, "longer than 1,048,576 bytes", id="over-1-mb"),
    ],
)
def test_apr_stdin_refuses_bytes_it_cannot_take(raw: bytes, words: str) -> None:
    refused(run("apr", "--stdin", stdin=raw), 2, words)


AMOUNT_TEXTS = [
    "1000",
    "1000.5",
    "1000.50",
    "0.01",
    ".5",
    "007",
    "1e4",
    "1E4",
    "10_000",
    "١٠٠٠",
    "１０００",
    "1,000",
    "+1000",
    "-1",
    "0",
    "1000.001",
    "1000.000",
    "NaN",
    "Infinity",
    "0x10",
    "1 000",
    "12345678901234567890123456789",
    "99999999.99",
    "100000000.01",
    " 12 ",
    "",
]


@pytest.mark.parametrize("amount", AMOUNT_TEXTS)
def test_import_and_apr_agree_on_what_an_amount_is(amount: str) -> None:
    from faircollect.adapters.limits_file import load_limits
    from faircollect.cli.dates import today

    bounds = load_limits().bounds(today())
    row = ["P1", "L1", "2026-01-04", amount]
    imported = not isinstance(parse_values(PAYMENTS, row, 2, bounds), list)
    try:
        parse_flow_request(flow(amount), bounds)
        computed = True
    except InputError:
        computed = False
    assert imported == computed


# --- section 8: YAML and configuration files ------------------------------------------------


def deep(path: Path) -> None:
    path.write_text("name: x\nsegments: " + "[" * 10_000 + "\n", "utf-8")


def gbk(path: Path) -> None:
    path.write_bytes("name: 催收策略\nsegments: []\n".encode("gbk"))


def dev_zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def a_directory(path: Path) -> None:
    path.mkdir()


def broken_link(path: Path) -> None:
    path.symlink_to(path.parent / "gone.yaml")


def oversized(path: Path) -> None:
    path.write_text("# padding\n" * 500_000, "utf-8")


def missing(path: Path) -> None:
    return None


FILES: list[tuple[str, Callable[[Path], None], str]] = [
    ("deep", deep, "nested too deeply"),
    ("gbk", gbk, "not UTF-8 text (byte 0xB4 at column 7)"),
    ("dev-zero", dev_zero, "is a device, not a regular file"),
    ("directory", a_directory, "directory"),
    ("broken-link", broken_link, "broken symbolic link"),
    ("oversized", oversized, "larger than 4,194,304 bytes"),
    ("missing", missing, "no such file"),
]
COMMANDS: list[tuple[str, Callable[[Path, str], list[str]]]] = [
    ("strategy-validate", lambda f, url: ["strategy", "validate", str(f)]),
    ("strategy-show", lambda f, url: ["strategy", "show", str(f)]),
    ("rules-list", lambda f, url: ["rules", "list", "--rules", str(f)]),
    ("check-action", lambda f, url: ["check-action", "--rules", str(f)]),
    ("user-load", lambda f, url: ["user", "load", str(f), "--db", url]),
    (
        "import-limits",
        lambda f, url: ["import", str(f.parent), "--limits", str(f), "--database-url", url],
    ),
]


@pytest.mark.parametrize(
    ("make", "words", "argv"),
    [
        pytest.param(make, words, argv, id=f"{command}-{name}")
        for name, make, words in FILES
        for command, argv in COMMANDS
    ],
)
def test_a_bad_configuration_file_is_refused_clearly(
    db_engine: Engine,
    database_url: str,
    tmp_path: Path,
    make: Callable[[Path], None],
    words: str,
    argv: Callable[[Path, str], list[str]],
) -> None:
    path = tmp_path / "config" / "file.yaml"
    path.parent.mkdir()
    (path.parent / "payments.csv").write_text("payment_id,loan_id,paid_on,amount\n", "utf-8")
    make(path)
    before = fingerprint(database_url)
    out = run(*argv(path, database_url), stdin="")
    refused(out, 2, words)
    # Typer's error box wraps a long temporary path at the terminal's width.
    unwrapped = "".join(line.strip(" │╭╮╰╯─") for line in out.stderr.splitlines())
    assert "file.yaml" in unwrapped
    assert fingerprint(database_url) == before


@pytest.mark.parametrize(
    ("body", "words"),
    [
        pytest.param("users: []\n", "no users", id="empty-list"),
        pytest.param("teams: []\n", "missing required key 'users'", id="no-users-key"),
        pytest.param("", "the file is empty", id="empty-file"),
        pytest.param("users: 5\n", "expected a list", id="users-not-a-list"),
        pytest.param("users:\n  - {id: U1, role: boss}\n", "role", id="unknown-role"),
    ],
)
def test_user_load_refuses_a_file_without_usable_users(
    db_engine: Engine, database_url: str, tmp_path: Path, body: str, words: str
) -> None:
    path = tmp_path / "org.yaml"
    path.write_text(body, "utf-8")
    before = fingerprint(database_url)
    out = run("user", "load", str(path), "--db", database_url)
    refused(out, 2, "org.yaml", words)
    assert "loaded 0 users" not in out.stdout
    assert fingerprint(database_url) == before


def test_the_answers_file_of_a_call_is_bounded_too(
    db_engine: Engine, database_url: str, tmp_path: Path
) -> None:
    answers = tmp_path / "answers.yaml"
    os.mkfifo(answers)
    out = run("call", "CASE-1", "--as", "C101", "--answers", str(answers), "--db", database_url)
    refused(out, 2, "answers.yaml", "named pipe")

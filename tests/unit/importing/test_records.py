"""Row validation: every bad value is reported with its file, line and field; good rows parse."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from faircollect.domain.ledger.terms import LoanTerms, Method, Payment
from faircollect.domain.records import (
    BORROWERS,
    CONTACTS,
    LOANS,
    PAYMENTS,
    RISK_SCORES,
    Borrower,
    Contact,
    RiskScore,
    RowError,
    RowSpec,
    header_errors,
    id_check_digit,
    parse_row,
)

GOOD = {
    "borrowers.csv": {
        "borrower_id": "B1",
        "name": "张三",
        "phone": "13800000000",
        "id_number": "11010519491231002X",
        "city": "杭州",
    },
    "contacts.csv": {
        "borrower_id": "B1",
        "name": "李四",
        "phone": "13900000000",
        "relation": "配偶",
        "is_emergency": "true",
    },
    "loans.csv": {
        "loan_id": "L1",
        "borrower_id": "B1",
        "product": "现金贷",
        "contract_principal": "10000.00",
        "received_amount": "9000",
        "annual_rate": "0.24",
        "term_months": "12",
        "method": "equal_installment",
        "disbursed_on": "2026-01-31",
        "penalty_rate_daily": "0.0005",
        "grace_days": "3",
        "periodic_fee": "50.5",
    },
    "payments.csv": {
        "payment_id": "P1",
        "loan_id": "L1",
        "paid_on": "2026-02-28",
        "amount": "1.01",
    },
    "risk_scores.csv": {"loan_id": "L1", "risk_score": "640"},
}
SPEC = {spec.file: spec for spec in (BORROWERS, CONTACTS, LOANS, PAYMENTS, RISK_SCORES)}


def errors_for(file: str, line: int = 7, **changes: str) -> list[RowError]:
    row = {**GOOD[file], **changes}
    result = parse_row(SPEC[file], row, line)
    assert isinstance(result, list), f"expected errors, got {result!r}"
    return result


def test_good_rows_parse_to_typed_records() -> None:
    assert parse_row(BORROWERS, GOOD["borrowers.csv"], 2) == Borrower(
        "B1", "张三", "13800000000", "11010519491231002X", "杭州"
    )
    assert parse_row(CONTACTS, GOOD["contacts.csv"], 2) == Contact(
        "B1", "李四", "13900000000", "配偶", True
    )
    assert parse_row(LOANS, GOOD["loans.csv"], 2) == LoanTerms(
        loan_id="L1",
        principal=1_000_000,
        received=900_000,
        annual_rate=Decimal("0.24"),
        term_months=12,
        method=Method.EQUAL_INSTALLMENT,
        disbursed_on=date(2026, 1, 31),
        penalty_rate_daily=Decimal("0.0005"),
        grace_days=3,
        periodic_fee=5050,
        borrower_id="B1",
        product="现金贷",
    )
    assert parse_row(PAYMENTS, GOOD["payments.csv"], 2) == Payment(
        "P1", "L1", date(2026, 2, 28), 101
    )


@pytest.mark.parametrize(
    ("file", "field", "value", "fragment"),
    [
        ("payments.csv", "amount", "1.001", "more than 2 decimals"),
        ("payments.csv", "amount", "-5.00", "negative"),
        ("payments.csv", "amount", "0", "greater than 0"),
        ("payments.csv", "amount", "12,5", "not an amount"),
        ("payments.csv", "amount", "1e3x", "not an amount"),
        ("payments.csv", "amount", "1.5E+5", "not an amount"),
        ("payments.csv", "amount", "١٢", "not an amount"),
        ("loans.csv", "annual_rate", "1e-1", "not a decimal rate"),
        ("loans.csv", "annual_rate", "NaN", "not a decimal rate"),
        ("payments.csv", "paid_on", "2026-02-30", "not a valid date"),
        ("payments.csv", "paid_on", "28/02/2026", "not a date"),
        ("payments.csv", "paid_on", "", "missing value"),
        ("payments.csv", "loan_id", "L" * 65, "longer than 64"),
        ("loans.csv", "method", "balloon", "unknown method"),
        ("loans.csv", "term_months", "0", "between 1 and"),
        ("loans.csv", "term_months", "12.5", "not a whole number"),
        ("loans.csv", "grace_days", "-1", "not a whole number"),
        ("loans.csv", "annual_rate", "-0.01", "negative rate"),
        ("loans.csv", "annual_rate", "18%", "not a decimal rate"),
        ("loans.csv", "penalty_rate_daily", "0.000500001", "more than 8 decimal places"),
        ("loans.csv", "contract_principal", "10000.005", "more than 2 decimals"),
        ("loans.csv", "periodic_fee", "-1", "negative"),
        ("loans.csv", "disbursed_on", "2026-13-01", "not a valid date"),
        ("contacts.csv", "is_emergency", "maybe", "not true/false"),
        ("contacts.csv", "phone", "call me", "not a phone number"),
        ("borrowers.csv", "id_number", "110105194912310021", "check digit"),
        ("borrowers.csv", "id_number", "12345", "not an 18-character"),
        ("borrowers.csv", "name", " ", "missing value"),
        ("borrowers.csv", "id_number", "11010519491231002²", "not an 18-character"),
        ("loans.csv", "term_months", "١٢", "not a whole number"),
        ("borrowers.csv", "email", "zhang.san", "not an e-mail address"),
        ("borrowers.csv", "email", "zhang@localhost", "not an e-mail address"),
        ("borrowers.csv", "email", "zhang@@example.com", "not an e-mail address"),
        ("borrowers.csv", "email", "zhang san@example.com", "not an e-mail address"),
        ("borrowers.csv", "email", "zhang..san@example.com", "not an e-mail address"),
        ("borrowers.csv", "email", "张三@example.com", "not an e-mail address"),
        ("borrowers.csv", "email", "a@b." + "c" * 260, "longer than 254"),
        ("loans.csv", "risk_score", "1001", "between 0 and 1000"),
        ("loans.csv", "risk_score", "-1", "not a whole number"),
        ("loans.csv", "risk_score", "650.5", "not a whole number"),
        ("loans.csv", "risk_score", "high", "not a whole number"),
    ],
)
def test_each_bad_value_names_file_line_and_field(
    file: str, field: str, value: str, fragment: str
) -> None:
    errors = errors_for(file, 7, **{field: value})
    assert len(errors) == 1
    error = errors[0]
    assert (error.file, error.line, error.field) == (file, 7, field)
    assert fragment in error.message
    assert str(error).startswith(f"{file} line 7, field {field}: ")


def test_received_above_contract_principal_is_refused() -> None:
    [error] = errors_for("loans.csv", received_amount="10000.01")
    assert error.field == "received_amount"
    assert "more than contract_principal" in error.message


def test_all_errors_of_a_row_are_reported_not_just_the_first() -> None:
    errors = errors_for("loans.csv", method="x", term_months="0", disbursed_on="soon")
    assert [e.field for e in errors] == ["term_months", "method", "disbursed_on"]


def test_penalty_rate_with_trailing_zeros_beyond_8_places_is_accepted() -> None:
    result = parse_row(LOANS, {**GOOD["loans.csv"], "penalty_rate_daily": "0.0005000000"}, 2)
    assert isinstance(result, LoanTerms)
    assert result.penalty_rate_daily == Decimal("0.0005")


@pytest.mark.parametrize(("text", "expected"), [("TRUE", True), ("false", False), ("1", True)])
def test_booleans(text: str, expected: bool) -> None:
    result = parse_row(CONTACTS, {**GOOD["contacts.csv"], "is_emergency": text}, 2)
    assert isinstance(result, Contact)
    assert result.is_emergency is expected


def test_header_missing_unknown_and_repeated_columns() -> None:
    header = ["payment_id", "loan", "paid_on", "paid_on"]
    errors = header_errors(PAYMENTS, header)
    found = {(e.line, e.field, e.message.split(" (")[0]) for e in errors}
    assert found == {
        (1, "loan_id", "column missing from the header"),
        (1, "amount", "column missing from the header"),
        (1, "loan", "unknown column"),
        (1, "paid_on", "column appears more than once"),
    }
    assert header_errors(PAYMENTS, ["payment_id", "loan_id", "paid_on", "amount"]) == []
    assert header_errors(PAYMENTS, None)[0].message == "empty file: no header row"


def test_id_check_digit_matches_the_published_example() -> None:
    # GB 11643-1999's worked example: 11010519491231002X
    assert id_check_digit("11010519491231002") == "X"


# ---------------------------------------------------------------- round trips (property style)

ids = st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True)
fen = st.integers(min_value=1, max_value=10**12)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))


def yuan(amount: int) -> str:
    return f"{amount // 100}.{amount % 100:02d}"


@given(payment_id=ids, loan_id=ids, paid_on=days, amount=fen)
def test_payment_rows_round_trip(payment_id: str, loan_id: str, paid_on: date, amount: int) -> None:
    row = {"payment_id": payment_id, "loan_id": loan_id, "paid_on": paid_on.isoformat(),
           "amount": yuan(amount)}  # fmt: skip
    assert parse_row(PAYMENTS, row, 2) == Payment(payment_id, loan_id, paid_on, amount)


@given(
    principal=fen,
    cut=st.integers(min_value=0, max_value=10**6),
    rate=st.decimals(min_value=0, max_value=1, places=6),
    penalty=st.decimals(min_value=0, max_value=Decimal("0.01"), places=8),
    term=st.integers(min_value=1, max_value=600),
    method=st.sampled_from(list(Method)),
    disbursed=days,
    grace=st.integers(min_value=0, max_value=365),
    fee=st.integers(min_value=0, max_value=10**8),
)
def test_loan_rows_round_trip(
    principal: int, cut: int, rate: Decimal, penalty: Decimal, term: int, method: Method,
    disbursed: date, grace: int, fee: int,
) -> None:  # fmt: skip
    received = max(1, principal - cut)
    row = {
        "loan_id": "L9", "borrower_id": "B9", "product": "经营贷",
        "contract_principal": yuan(principal), "received_amount": yuan(received),
        "annual_rate": f"{rate:f}", "term_months": str(term), "method": method.value,
        "disbursed_on": disbursed.isoformat(), "penalty_rate_daily": f"{penalty:f}",
        "grace_days": str(grace), "periodic_fee": yuan(fee),
    }  # fmt: skip
    terms = parse_row(LOANS, row, 2)
    assert terms == LoanTerms("L9", principal, received, rate, term, method, disbursed, penalty,
                              grace, fee, "B9", "经营贷")  # fmt: skip


@pytest.mark.parametrize("spec", [BORROWERS, CONTACTS, LOANS, PAYMENTS, RISK_SCORES])
def test_every_column_but_the_optional_ones_is_required(spec: RowSpec) -> None:
    for name in spec.names:
        if name in spec.optional:
            continue
        errors = errors_for(spec.file, 3, **{name: ""})
        assert [(e.line, e.field, e.message) for e in errors] == [(3, name, "missing value")]


def test_only_email_and_risk_score_are_optional() -> None:
    assert {spec.file: spec.optional for spec in SPEC.values() if spec.optional} == {
        "borrowers.csv": {"email"},
        "loans.csv": {"risk_score"},
    }


def test_optional_values_parse_or_stay_empty() -> None:
    row = {**GOOD["borrowers.csv"], "email": " zhang.san+loans@mail.example.cn "}
    borrower = parse_row(BORROWERS, row, 2)
    assert isinstance(borrower, Borrower)
    assert borrower.email == "zhang.san+loans@mail.example.cn"
    for absent in ({}, {"email": ""}, {"email": "  "}):
        parsed = parse_row(BORROWERS, {**GOOD["borrowers.csv"], **absent}, 2)
        assert isinstance(parsed, Borrower)
        assert parsed.email is None
    for text, score in (("0", 0), ("1000", 1000), ("712", 712), ("", None)):
        loan = parse_row(LOANS, {**GOOD["loans.csv"], "risk_score": text}, 2)
        assert isinstance(loan, LoanTerms)
        assert loan.risk_score == score


def test_optional_columns_may_be_left_out_of_the_header_but_not_misspelt() -> None:
    assert header_errors(BORROWERS, list(GOOD["borrowers.csv"])) == []
    assert header_errors(BORROWERS, [*GOOD["borrowers.csv"], "email"]) == []
    assert header_errors(LOANS, [*GOOD["loans.csv"], "risk_score"]) == []
    [error] = header_errors(LOANS, [*GOOD["loans.csv"], "risk"])
    assert (error.line, error.field) == (1, "risk")
    assert error.message.startswith("unknown column")


names = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1)
phones = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)


@given(
    borrower_id=ids, name=names, phone=phones, first17=st.from_regex(r"[0-9]{17}", fullmatch=True)
)
def test_borrower_rows_round_trip(borrower_id: str, name: str, phone: str, first17: str) -> None:
    id_number = first17 + id_check_digit(first17)
    row = {"borrower_id": borrower_id, "name": name[:128], "phone": phone,
           "id_number": id_number.lower(), "city": "成都"}  # fmt: skip
    assert parse_row(BORROWERS, row, 2) == Borrower(
        borrower_id, name[:128], phone, id_number, "成都"
    )


@given(
    name=names, phone=phones, relation=st.sampled_from(["配偶", "父母", "同事"]), flag=st.booleans()
)
def test_contact_rows_round_trip(name: str, phone: str, relation: str, flag: bool) -> None:
    row = {"borrower_id": "B1", "name": name[:128], "phone": phone, "relation": relation,
           "is_emergency": str(flag).lower()}  # fmt: skip
    assert parse_row(CONTACTS, row, 2) == Contact("B1", name[:128], phone, relation, flag)


def test_risk_score_rows_parse_with_the_loans_score_rule() -> None:
    assert parse_row(RISK_SCORES, GOOD["risk_scores.csv"], 2) == RiskScore("L1", 640)
    errors = errors_for("risk_scores.csv", 4, risk_score="1001")
    assert [(e.field, e.message) for e in errors] == [
        ("risk_score", "must be between 0 and 1000, got 1001")
    ]


def test_only_loans_risk_score_is_set_by_another_file() -> None:
    assert {spec.file: dict(spec.set_by) for spec in SPEC.values() if spec.set_by} == {
        "loans.csv": {"risk_score": "risk_scores.csv"}
    }
    assert RISK_SCORES.file == LOANS.set_by["risk_score"]

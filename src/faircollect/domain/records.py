"""Import rows as typed records: one CSV row in, one record or a list of precise errors out.

Pure: no files, no database. The importer feeds rows here and adds what needs the
database (unknown references, duplicates against stored rows). Every error names the
file, the line as a spreadsheet user sees it (header = line 1) and the field, so a lender
can fix the source file without guessing. All field errors of a row are reported, not
just the first one, because fixing a file one error per attempt is miserable.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeVar

from faircollect.domain.bad_input import BadInput
from faircollect.domain.ledger.terms import LoanTerms, Method, Payment
from faircollect.domain.limits import Bounds
from faircollect.domain.money import PLAIN_DECIMAL, MoneyError, parse_yuan_text
from faircollect.domain.privacy import mask_email, mask_id_number, mask_phone, mask_text

MAX_PENALTY_DECIMALS = 8
"""The fast portfolio engine scales daily penalty rates to integers with 10^8: more places
than this would silently change the penalty, so they are refused at the door."""

_ID_NUMBER_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_NUMBER_CHECK = "10X98765432"
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DIGITS = re.compile(r"[0-9]+")
_PLAIN_DECIMAL = PLAIN_DECIMAL
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
"""Control characters (NUL, ESC, BEL, line breaks ...): never part of an id or a name, and
PostgreSQL refuses NUL mid-transaction."""
_EDGE_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
"""Control characters that ``str.strip`` would silently remove from a value's ends (NEL,
the separators \x1c-\x1f, line separators): refused rather than dropped. Tabs and line
ends around a value are ordinary whitespace."""
_ID_15 = re.compile(r"[0-9]{15}")
_ID_18 = re.compile(r"[0-9]{17}[0-9X]")
_PHONE = re.compile(r"\+?[0-9][0-9 \-]{4,30}")
_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.\-]+@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}"
)
"""A plausible ASCII address (local@domain.tld): what an SMTP server will take without
an internationalised-mail extension, not a full RFC 5322 parser."""
MAX_EMAIL_LENGTH = 254
"""The longest address SMTP can carry (RFC 5321 path limit), also the column's width."""
MAX_RISK_SCORE = 1000
_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Borrower:
    """A borrower (借款人) as imported."""

    borrower_id: str
    name: str
    phone: str
    id_number: str
    """居民身份证号码: 18 characters with a valid check digit (or a legacy 15-digit number)."""
    city: str
    email: str | None = None
    """Optional (borrowers.csv may omit the column or leave it empty): without it the
    strategy's e-mail actions are not planned for this borrower."""


@dataclass(frozen=True, slots=True)
class Contact:
    """A borrower's registered contact; only emergency contacts (紧急联系人) may relay."""

    borrower_id: str
    name: str
    phone: str
    relation: str
    is_emergency: bool


@dataclass(frozen=True, slots=True)
class RiskScore:
    """A loan's current risk score as a lender re-scores it (risk_scores.csv): it sets
    ``loans.risk_score`` rather than adding a row, so monthly re-scoring needs no new loan."""

    loan_id: str
    risk_score: int


Record = Borrower | Contact | LoanTerms | Payment | RiskScore


@dataclass(frozen=True, slots=True)
class RowError:
    """What is wrong, and exactly where: file, 1-based line (header = 1; 0 = the whole
    file or directory) and field (empty when the whole row or file is wrong)."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        """The error as printed and stored: an ID or mobile number quoted from any field
        (a value in the wrong column too) masked."""
        where = f"{self.file} line {self.line}" if self.line else self.file
        return mask_text(
            f"{where}, field {self.field}: {self.message}"
            if self.field
            else f"{where}: {self.message}"
        )


class FieldError(BadInput):
    """A single value that cannot be taken as its column's type."""


# ---------------------------------------------------------------- value parsers


def text(limit: int) -> Callable[[str], str]:
    """A required text value of at most ``limit`` characters (the column's width)."""

    def parse(value: str) -> str:
        if len(value) > limit:
            raise FieldError(f"longer than {limit} characters")
        found = None if value.isprintable() else _CONTROL.search(value)
        if found:
            raise FieldError(
                f"contains the control character {found.group()!r} at position "
                f"{found.start() + 1}; ids and names are plain text"
            )
        return value

    return parse


def phone(value: str) -> str:
    """A phone number as dialled: digits, optional leading +, spaces or hyphens."""
    if not _PHONE.fullmatch(value):
        raise FieldError(f"not a phone number: {mask_phone(value)!r}")
    return value


def email(value: str) -> str:
    """An e-mail address that looks deliverable: local@domain.tld, ASCII, at most 254 characters."""
    if len(value) > MAX_EMAIL_LENGTH:
        raise FieldError(f"longer than {MAX_EMAIL_LENGTH} characters")
    if not _EMAIL.fullmatch(value) or ".." in value:
        raise FieldError(f"not an e-mail address: {mask_email(value)!r}")
    return value


def id_number(value: str) -> str:
    """A resident ID number: 18 characters with the GB 11643 check digit, or legacy 15 digits."""
    upper = value.upper()
    if _ID_15.fullmatch(upper):
        return upper
    if not _ID_18.fullmatch(upper):
        raise FieldError(f"not an 18-character ID number: {mask_id_number(value)!r}")
    if upper[17] != id_check_digit(upper[:17]):
        raise FieldError(f"ID number check digit is wrong: {mask_id_number(value)!r}")
    return upper


def id_check_digit(first17: str) -> str:
    """The GB 11643-1999 check character for the first 17 digits of an ID number."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_NUMBER_WEIGHTS, strict=True))
    return _ID_NUMBER_CHECK[total % 11]


def _shown(value: str) -> str:
    """A value as a message quotes it: its repr, cut so a huge value stays one short line."""
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."


def boolean(value: str) -> bool:
    """true/false (also 1/0, yes/no), any case."""
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise FieldError(f"not true/false: {value!r}")


def iso_date(value: str) -> date:
    """A calendar date written YYYY-MM-DD."""
    if not _ISO_DATE.fullmatch(value):
        raise FieldError(f"not a date YYYY-MM-DD: {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError as err:
        raise FieldError(f"not a valid date: {value!r}") from err


def _repeated(parse: Callable[[str], _T]) -> Callable[[str], _T]:
    """Memoise a parser of values that repeat across millions of rows (dates, amounts,
    rates): the same text always parses the same way, and errors are never cached."""
    return lru_cache(maxsize=1 << 16)(parse)


def whole_number(minimum: int, maximum: int) -> Callable[[str], int]:
    """A whole number written in plain digits, within [minimum, maximum]."""

    def parse(value: str) -> int:
        if len(value) > 18 or not _DIGITS.fullmatch(value):
            if _DIGITS.fullmatch(value):
                raise FieldError(f"must be between {minimum} and {maximum}")
            raise FieldError(f"not a whole number: {_shown(value)}")
        number = int(value)
        if not minimum <= number <= maximum:
            raise FieldError(f"must be between {minimum} and {maximum}, got {number}")
        return number

    return parse


def amount(*, positive: bool) -> Callable[[str], int]:
    """Yuan with at most 2 decimals, to integer fen; never negative (zero only if allowed)."""

    def parse(value: str) -> int:
        try:
            fen = parse_yuan_text(value)
        except MoneyError as err:
            raise FieldError(str(err)) from err
        if fen < 0:
            raise FieldError(f"negative amount: {value!r}")
        if positive and fen == 0:
            raise FieldError("must be greater than 0")
        return fen

    return _repeated(parse)


def rate(max_places: int | None = None) -> Callable[[str], Decimal]:
    """A rate as a decimal fraction ("0.18" = 18%), never negative."""

    def parse(value: str) -> Decimal:
        if len(value) > 40 or not _PLAIN_DECIMAL.fullmatch(value):
            raise FieldError(f"not a decimal rate such as 0.18: {_shown(value)}")
        number = Decimal(value)
        if number < 0:
            raise FieldError(f"negative rate: {value!r}")
        exponent = number.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        if max_places is not None and places > max_places and number != round(number, max_places):
            raise FieldError(
                f"more than {max_places} decimal places: {value!r} "
                f"(the portfolio engine computes penalty exactly only to {max_places} places)"
            )
        return number

    return _repeated(parse)


def method(value: str) -> Method:
    """One of the four repayment methods by its name."""
    try:
        return Method(value)
    except ValueError as err:
        names = ", ".join(m.value for m in Method)
        raise FieldError(f"unknown method {value!r} (expected one of {names})") from err


# ---------------------------------------------------------------- row specs


@dataclass(frozen=True, slots=True)
class RowSpec:
    """One CSV file's columns, how each parses, and how the parsed values become a record."""

    file: str
    columns: tuple[tuple[str, Callable[[str], Any]], ...]
    build: Callable[[dict[str, Any]], Record]
    checks: tuple[Callable[[dict[str, Any]], tuple[str, str] | None], ...] = ()
    """Row-level rules over parsed values: (field, message) when broken."""
    optional: frozenset[str] = frozenset()
    """Columns added after the format was first published: a file may leave them out of its
    header (older exports keep importing) or leave a row's value empty; either way the
    record gets None. They come last in ``columns``."""
    set_by: Mapping[str, str] = field(default_factory=dict)
    """Optional columns whose current value another file sets (column -> that file, the
    column named like the record's field). Leaving such a column out of the header means
    "not supplied": a stored value is kept. A column that is present (even empty) is a value
    and must match the stored one like any other field."""

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)


def _received_not_above_contract(values: dict[str, Any]) -> tuple[str, str] | None:
    if values["received_amount"] > values["contract_principal"]:
        return ("received_amount", "received_amount is more than contract_principal")
    return None


def loan_from_columns(values: Mapping[Any, Any]) -> LoanTerms:
    """LoanTerms from values named as loans.csv (and the loans table) name them."""
    return LoanTerms(
        loan_id=values["loan_id"],
        principal=values["contract_principal"],
        received=values["received_amount"],
        annual_rate=values["annual_rate"],
        term_months=values["term_months"],
        method=Method(values["method"]),
        disbursed_on=values["disbursed_on"],
        penalty_rate_daily=values["penalty_rate_daily"],
        grace_days=values["grace_days"],
        periodic_fee=values["periodic_fee"],
        borrower_id=values["borrower_id"],
        product=values["product"],
        risk_score=values.get("risk_score"),
    )


_ID = text(64)
_RISK_SCORE = _repeated(whole_number(0, MAX_RISK_SCORE))

BORROWERS = RowSpec(
    "borrowers.csv",
    (
        ("borrower_id", _ID),
        ("name", text(128)),
        ("phone", phone),
        ("id_number", id_number),
        ("city", text(64)),
        ("email", email),
    ),
    lambda v: Borrower(**v),
    optional=frozenset({"email"}),
)
CONTACTS = RowSpec(
    "contacts.csv",
    (
        ("borrower_id", _ID),
        ("name", text(128)),
        ("phone", phone),
        ("relation", text(32)),
        ("is_emergency", boolean),
    ),
    lambda v: Contact(**v),
)
LOANS = RowSpec(
    "loans.csv",
    (
        ("loan_id", _ID),
        ("borrower_id", _ID),
        ("product", text(64)),
        ("contract_principal", amount(positive=True)),
        ("received_amount", amount(positive=True)),
        ("annual_rate", rate()),
        ("term_months", whole_number(1, 600)),
        ("method", method),
        ("disbursed_on", _repeated(iso_date)),
        ("penalty_rate_daily", rate(MAX_PENALTY_DECIMALS)),
        ("grace_days", whole_number(0, 365)),
        ("periodic_fee", amount(positive=False)),
        ("risk_score", _RISK_SCORE),
    ),
    loan_from_columns,
    (_received_not_above_contract,),
    optional=frozenset({"risk_score"}),
    set_by={"risk_score": "risk_scores.csv"},
)
RISK_SCORES = RowSpec(
    "risk_scores.csv",
    (("loan_id", _ID), ("risk_score", _RISK_SCORE)),
    lambda v: RiskScore(**v),
)
PAYMENTS = RowSpec(
    "payments.csv",
    (
        ("payment_id", _ID),
        ("loan_id", _ID),
        ("paid_on", _repeated(iso_date)),
        ("amount", amount(positive=True)),
    ),
    lambda v: Payment(**v),
)

SPECS: tuple[RowSpec, ...] = (BORROWERS, CONTACTS, LOANS, RISK_SCORES, PAYMENTS)
"""In import order: a file may refer only to files before it (and to stored rows)."""


def header_errors(spec: RowSpec, header: Sequence[str] | None) -> list[RowError]:
    """Missing, unknown or repeated columns in the header row (line 1); optional columns
    may be missing."""
    if not header:
        return [RowError(spec.file, 1, "", "empty file: no header row")]
    found = [name.strip() for name in header]
    errors = [
        RowError(spec.file, 1, name, "column missing from the header")
        for name in spec.names
        if name not in found and name not in spec.optional
    ]
    errors += [
        RowError(spec.file, 1, name, f"unknown column (expected {', '.join(spec.names)})")
        for name in dict.fromkeys(found)
        if name not in spec.names
    ]
    errors += [
        RowError(spec.file, 1, name, "column appears more than once")
        for name in dict.fromkeys(found)
        if found.count(name) > 1
    ]
    return errors


def parse_row(spec: RowSpec, row: Mapping[str, str | None], line: int) -> Record | list[RowError]:
    """A row of strings (column name -> text) to its record, or every error found in it."""
    return parse_values(spec, [row.get(name) or "" for name in spec.names], line)


def parse_values(
    spec: RowSpec, texts: Sequence[str], line: int, bounds: Bounds | None = None
) -> Record | list[RowError]:
    """The row's texts in the spec's column order to its record, or every error in it.

    ``bounds`` (the importer passes them) refuses values outside the plausibility limits
    (``domain.limits``). The importer's hot path: millions of rows pass here, so it stays
    a plain loop.
    """
    values: dict[str, Any] = {}
    errors: list[RowError] = []
    for (name, parse), text_ in zip(spec.columns, texts, strict=True):
        raw = text_.strip()
        if raw is not text_:  # rare (strip returns the same object when nothing is cut)
            found = _EDGE_CONTROL.search(text_)
            if found:
                message = f"contains the control character {found.group()!r}; values are plain text"
                errors.append(RowError(spec.file, line, name, message))
                continue
        if not raw:
            if name in spec.optional:
                values[name] = None
            else:
                errors.append(RowError(spec.file, line, name, "missing value"))
            continue
        try:
            values[name] = parse(raw)
        except FieldError as err:
            errors.append(RowError(spec.file, line, name, str(err)))
    if errors:
        return errors
    for check in spec.checks:
        broken = check(values)
        if broken:
            errors.append(RowError(spec.file, line, broken[0], broken[1]))
    if bounds is not None:
        for name, message in bounds.check(spec.file, values):
            errors.append(RowError(spec.file, line, name, message))
    return errors or spec.build(values)

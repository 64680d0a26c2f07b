"""Builders and fakes shared by the casework tests (no I/O)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from faircollect.domain.casework.call_file import AccountSnapshot
from faircollect.domain.casework.cases import Case, OpenCase, Owner, OwnerKind, open_case
from faircollect.domain.casework.contacts import (
    SHANGHAI,
    Channel,
    ContactRecord,
    Outcome,
    Party,
    Reason,
)
from faircollect.domain.casework.roles import Actor, Role
from faircollect.domain.compliance.findings import RULE_FOR_LABEL, Finding, Label
from faircollect.domain.ledger.terms import LoanTerms, Method

COLLECTOR = Actor("c-wang", Role.COLLECTOR)
COLLECTOR_2 = Actor("c-li", Role.COLLECTOR)
SUPERVISOR = Actor("s-zhao", Role.SUPERVISOR)
AGENCY_A = Actor("a-user", Role.AGENCY, agency_id="AG-A")
AGENCY_B = Actor("b-user", Role.AGENCY, agency_id="AG-B")

DAY1 = date(2026, 3, 2)

LOAN = LoanTerms(
    "L1",
    1_200_000,
    1_200_000,
    Decimal("0.18"),
    12,
    Method.EQUAL_INSTALLMENT,
    date(2025, 10, 15),
    Decimal("0.0005"),
    0,
    0,
)
"""12,000.00 yuan over 12 months at 18%, 等额本息: installments of 1,100.16 from 15 Nov 2025."""


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A Shanghai wall-clock moment."""
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def a_case(case_id: str = "C1") -> Case:
    return open_case(
        OpenCase(case_id, "B1", ("L1",), Owner(OwnerKind.COLLECTOR, "c-wang"), DAY1, "system")
    )


def contact(
    record_id: str,
    when: datetime,
    outcome: Outcome,
    *,
    party: Party = Party.BORROWER,
    number: str = "13800000001",
    reason: Reason | None = None,
    note: str = "",
    actor: str = "c-wang",
    channel: Channel = Channel.CALL,
    case_id: str = "C1",
) -> ContactRecord:
    return ContactRecord(
        record_id, case_id, when, channel, party, number, actor, outcome, reason, note
    )


def snapshot(**changes: object) -> AccountSnapshot:
    """张三's loan L1, 3 days overdue on a 1000.00 principal + 15.00 interest installment."""
    values: dict[str, object] = {
        "case_id": "C1",
        "loan_id": "L1",
        "borrower_name": "张三",
        "lender_name": "示例小贷",
        "as_of": DAY1,
        "dpd": 3,
        "overdue_principal": 100_000,
        "overdue_interest": 1_500,
        "overdue_fee": 0,
        "penalty": 152,
        "outstanding_principal": 500_000,
        "penalty_rate_daily": Decimal("0.0005"),
        "reports_to_credit_bureau": True,
    }
    values.update(changes)
    return AccountSnapshot(**values)  # type: ignore[arg-type]


PHRASES: dict[str, Label] = {
    "坐牢": Label.FALSE_LEGAL,
    "抓你": Label.VIOLENCE_THREAT,
    "公安": Label.IMPERSONATION,
    "废物": Label.INSULT,
}


def fake_screen(text: str) -> Sequence[Finding]:
    """A stand-in screener: flags a few fixed phrases wherever they occur."""
    found = []
    for phrase, label in PHRASES.items():
        start = text.find(phrase)
        if start >= 0:
            found.append(Finding(label, RULE_FOR_LABEL[label], start, start + len(phrase), phrase))
    return found


@dataclass
class FakeGate:
    """A gate that denies numbers it was told to deny, and remembers what it saw."""

    denied: dict[str, str] = field(default_factory=dict)
    seen: list[ContactRecord] = field(default_factory=list)

    def check(self, record: ContactRecord) -> list[str]:
        self.seen.append(record)
        reason = self.denied.get(record.number)
        return [reason] if reason else []

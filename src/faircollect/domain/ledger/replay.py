"""The reference ledger: replay one loan's payments up to a date, by the book.

This is the conventions written as code, one loan at a time, for reading and for checking
faster engines. A loan's state as of D is a pure function of its terms, its payments and D.

- Penalty (罚息) for installment k accrues for each day d after its due date on the unpaid
  principal + interest at the start of day d, times the daily rate; it is kept exact and
  rounded only when allocated or shown (payable = round(accrued) − paid).
- Within grace (d ≤ due + g) penalty is not payable; an installment whose principal,
  interest and fee are all paid by due + g owes no penalty, ever.
- A payment on day p: day p's penalty accrues first; then installments oldest first, each
  penalty → fee → interest → principal; anything beyond the whole loan becomes a credit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from fractions import Fraction

from faircollect.domain.ledger.schedule import build_schedule
from faircollect.domain.ledger.state import (
    DEFAULT_THRESHOLDS,
    AccountState,
    StageThresholds,
    bucket,
)
from faircollect.domain.ledger.terms import Installment, LoanTerms, Payment
from faircollect.domain.money import round_half_up


class Component(StrEnum):
    """What a share of a payment settled, in the order the waterfall pays them."""

    PENALTY = "penalty"
    FEE = "fee"
    INTEREST = "interest"
    PRINCIPAL = "principal"
    CREDIT = "credit"


@dataclass(frozen=True, slots=True)
class Allocation:
    """One share of a payment: which installment (0 for credit) and component it settled."""

    payment_id: str
    installment: int
    component: Component
    amount: int


@dataclass(slots=True)
class _Book:
    """The running account of one installment during a replay."""

    due: Installment
    grace_end: date
    principal_paid: int = 0
    interest_paid: int = 0
    fee_paid: int = 0
    penalty_paid: int = 0
    penalty_accrued: Fraction = field(default_factory=Fraction)
    accrued_through: date = date.min
    penalty_waived: bool = False

    def __post_init__(self) -> None:
        self.accrued_through = self.due.due_on

    @property
    def unpaid_principal(self) -> int:
        return self.due.principal - self.principal_paid

    @property
    def unpaid_interest(self) -> int:
        return self.due.interest - self.interest_paid

    @property
    def unpaid_fee(self) -> int:
        return self.due.fee - self.fee_paid

    @property
    def unpaid_scheduled(self) -> int:
        return self.unpaid_principal + self.unpaid_interest + self.unpaid_fee

    def accrue_through(self, day: date, daily_rate: Fraction) -> None:
        """Add the penalty of each day after the last accrued one, up to and including ``day``."""
        if day <= self.accrued_through:
            return
        days = (day - self.accrued_through).days
        base = self.unpaid_principal + self.unpaid_interest
        self.penalty_accrued += base * days * daily_rate
        self.accrued_through = day

    def penalty_payable(self, day: date) -> int:
        if self.penalty_waived or day <= self.grace_end:
            return 0
        return round_half_up(self.penalty_accrued) - self.penalty_paid

    def take(self, component: Component, amount: int) -> None:
        if component is Component.PENALTY:
            self.penalty_paid += amount
        elif component is Component.FEE:
            self.fee_paid += amount
        elif component is Component.INTEREST:
            self.interest_paid += amount
        else:
            self.principal_paid += amount


@dataclass(frozen=True, slots=True)
class InstallmentPosition:
    """An installment as of the replay date: what was due, what was paid, what remains."""

    installment: Installment
    principal_paid: int
    interest_paid: int
    fee_paid: int
    penalty_paid: int
    penalty_accrued: Fraction
    penalty_payable: int
    penalty_waived: bool

    @property
    def unpaid_scheduled(self) -> int:
        due = self.installment
        return due.total - self.principal_paid - self.interest_paid - self.fee_paid


@dataclass(frozen=True, slots=True)
class LoanLedger:
    """Everything a replay learns: positions per installment, every allocation, the state."""

    terms: LoanTerms
    positions: tuple[InstallmentPosition, ...]
    allocations: tuple[Allocation, ...]
    state: AccountState


def ordered(payments: Iterable[Payment]) -> list[Payment]:
    """Payments in the order the ledger applies them: by date, then by payment id."""
    return sorted(payments, key=lambda p: (p.paid_on, p.payment_id))


def _apply(payment: Payment, books: list[_Book], daily_rate: Fraction) -> list[Allocation]:
    day, left = payment.paid_on, payment.amount
    shares: list[Allocation] = []
    for book in books:
        book.accrue_through(day, daily_rate)
        owed = (
            (Component.PENALTY, book.penalty_payable(day)),
            (Component.FEE, book.unpaid_fee),
            (Component.INTEREST, book.unpaid_interest),
            (Component.PRINCIPAL, book.unpaid_principal),
        )
        for component, amount in owed:
            share = min(left, amount)
            if share > 0:
                book.take(component, share)
                shares.append(Allocation(payment.payment_id, book.due.number, component, share))
                left -= share
        if book.unpaid_scheduled == 0 and day <= book.grace_end:
            book.penalty_waived = True
        if left == 0:
            break
    if left > 0:
        shares.append(Allocation(payment.payment_id, 0, Component.CREDIT, left))
    return shares


def replay(
    terms: LoanTerms,
    payments: Iterable[Payment],
    as_of: date,
    thresholds: StageThresholds = DEFAULT_THRESHOLDS,
) -> LoanLedger:
    """The loan as of ``as_of``: payments dated after it are ignored; day ``as_of`` accrues."""
    daily_rate = Fraction(terms.penalty_rate_daily)
    grace = timedelta(days=terms.grace_days)
    books = [_Book(due, due.due_on + grace) for due in build_schedule(terms)]
    allocations: list[Allocation] = []
    for payment in ordered(p for p in payments if p.paid_on <= as_of):
        allocations.extend(_apply(payment, books, daily_rate))
    for book in books:
        book.accrue_through(as_of, daily_rate)
    positions = tuple(_position(book, as_of) for book in books)
    state = _state(terms, positions, allocations, as_of, thresholds)
    return LoanLedger(terms, positions, tuple(allocations), state)


def _position(book: _Book, as_of: date) -> InstallmentPosition:
    return InstallmentPosition(
        installment=book.due,
        principal_paid=book.principal_paid,
        interest_paid=book.interest_paid,
        fee_paid=book.fee_paid,
        penalty_paid=book.penalty_paid,
        penalty_accrued=book.penalty_accrued,
        penalty_payable=book.penalty_payable(as_of),
        penalty_waived=book.penalty_waived,
    )


def _state(
    terms: LoanTerms,
    positions: tuple[InstallmentPosition, ...],
    allocations: list[Allocation],
    as_of: date,
    thresholds: StageThresholds,
) -> AccountState:
    overdue = [p for p in positions if p.installment.due_on < as_of]
    unpaid_overdue = [p for p in overdue if p.unpaid_scheduled > 0]
    dpd = (as_of - unpaid_overdue[0].installment.due_on).days if unpaid_overdue else 0
    upcoming = [p for p in positions if p.installment.due_on >= as_of and p.unpaid_scheduled > 0]
    soon = as_of + timedelta(days=thresholds.pre_due_days)
    due_soon = any(p.installment.due_on <= soon for p in upcoming)
    return AccountState(
        loan_id=terms.loan_id,
        as_of=as_of,
        dpd=dpd,
        bucket=bucket(dpd),
        stage=thresholds.stage(dpd, due_soon),
        overdue_principal=sum(p.installment.principal - p.principal_paid for p in overdue),
        overdue_interest=sum(p.installment.interest - p.interest_paid for p in overdue),
        overdue_fee=sum(p.installment.fee - p.fee_paid for p in overdue),
        penalty=sum(p.penalty_payable for p in positions),
        outstanding_principal=terms.principal - sum(p.principal_paid for p in positions),
        credit=sum(a.amount for a in allocations if a.component is Component.CREDIT),
        paid_total=sum(a.amount for a in allocations),
        next_due_on=upcoming[0].installment.due_on if upcoming else None,
    )

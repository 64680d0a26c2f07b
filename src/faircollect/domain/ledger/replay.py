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
- Approved adjustments (restructures, waivers; ``adjustments.py`` says what they mean)
  apply at the end of their effective day, after that day's payments. A restructure
  supersedes the open installments and appends an arrears installment and the plan's
  installments, numbered on from the last one, so every allocation names one installment.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum
from fractions import Fraction

from faircollect.domain.ledger.adjustments import (
    Adjustment,
    LoanRestructured,
    WaivedComponent,
    WaiverGranted,
    in_ledger_order,
    plan_schedule,
)
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


class Origin(StrEnum):
    """Where an installment comes from: the contract, or a restructure (arrears or plan)."""

    CONTRACT = "contract"
    ARREARS = "arrears"
    PLAN = "plan"


@dataclass(frozen=True, slots=True)
class Allocation:
    """One share of a payment: which installment (0 for credit) and component it settled."""

    payment_id: str
    installment: int
    component: Component
    amount: int


class _Owing:
    """What an installment still owes of its schedule: the one definition shared by the
    running book of a replay and the position it reports (a superseded installment owes
    nothing; waived interest is not owed)."""

    __slots__ = ()
    installment: Installment
    principal_paid: int
    interest_paid: int
    fee_paid: int
    waived_interest: int
    superseded_on: date | None

    @property
    def unpaid_principal(self) -> int:
        return 0 if self.superseded_on else self.installment.principal - self.principal_paid

    @property
    def unpaid_interest(self) -> int:
        if self.superseded_on:
            return 0
        return self.installment.interest - self.interest_paid - self.waived_interest

    @property
    def unpaid_fee(self) -> int:
        return 0 if self.superseded_on else self.installment.fee - self.fee_paid

    @property
    def unpaid_scheduled(self) -> int:
        return self.unpaid_principal + self.unpaid_interest + self.unpaid_fee


@dataclass(slots=True)
class _Book(_Owing):
    """The running account of one installment during a replay."""

    installment: Installment
    grace_end: date
    principal_paid: int = 0
    interest_paid: int = 0
    fee_paid: int = 0
    penalty_paid: int = 0
    penalty_accrued: Fraction = field(default_factory=Fraction)
    accrued_through: date = date.min
    penalty_waived: bool = False
    """The grace rule: paid in full within grace, so its own penalty is never payable."""
    origin: Origin = Origin.CONTRACT
    proposal_id: str = ""
    """The restructure that created it (arrears and plan installments)."""
    superseded_on: date | None = None
    penalty_carried: int = 0
    """Payable penalty gathered from superseded installments (arrears installment only)."""
    waived_interest: int = 0
    waived_penalty: int = 0

    def __post_init__(self) -> None:
        self.accrued_through = self.installment.due_on

    def accrue_through(self, day: date, daily_rate: Fraction) -> None:
        """Add the penalty of each day after the last accrued one, up to and including ``day``."""
        if day <= self.accrued_through:
            return
        days = (day - self.accrued_through).days
        base = self.unpaid_principal + self.unpaid_interest
        self.penalty_accrued += base * days * daily_rate
        self.accrued_through = day

    def penalty_payable(self, day: date) -> int:
        if self.superseded_on:
            return 0
        own = 0 if self.penalty_waived or day <= self.grace_end else self.penalty_accrued
        return self.penalty_carried + round_half_up(own) - self.penalty_paid - self.waived_penalty

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
class InstallmentPosition(_Owing):
    """An installment as of the replay date: what was due, what was paid, what remains."""

    installment: Installment
    principal_paid: int
    interest_paid: int
    fee_paid: int
    penalty_paid: int
    penalty_accrued: Fraction
    penalty_payable: int
    penalty_waived: bool
    origin: Origin = Origin.CONTRACT
    proposal_id: str = ""
    superseded_on: date | None = None
    """Set when a restructure replaced what this installment still owed (it owes nothing)."""
    penalty_carried: int = 0
    waived_interest: int = 0
    waived_penalty: int = 0


@dataclass(frozen=True, slots=True)
class LoanLedger:
    """Everything a replay learns: positions per installment, every allocation, the state."""

    terms: LoanTerms
    positions: tuple[InstallmentPosition, ...]
    allocations: tuple[Allocation, ...]
    state: AccountState


@dataclass(frozen=True, slots=True)
class Arrears:
    """What a restructure keeps owed rather than reschedules or lets fall away."""

    interest: int
    fee: int
    penalty: int


def arrears(positions: Iterable[InstallmentPosition], day: date) -> Arrears:
    """Arrears a restructure on ``day`` gathers (positions as of ``day``): unpaid interest
    and fee of installments already due and of an earlier restructure's arrears
    installment, and all payable penalty. Approval reports the same figures."""
    listed = list(positions)
    owed = [p for p in listed if p.installment.due_on < day or p.origin is Origin.ARREARS]
    return Arrears(
        interest=sum(p.unpaid_interest for p in owed),
        fee=sum(p.unpaid_fee for p in owed),
        penalty=sum(p.penalty_payable for p in listed),
    )


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
                shares.append(
                    Allocation(payment.payment_id, book.installment.number, component, share)
                )
                left -= share
        if book.unpaid_scheduled == 0 and day <= book.grace_end and not book.superseded_on:
            book.penalty_waived = True
        if left == 0:
            break
    if left > 0:
        shares.append(Allocation(payment.payment_id, 0, Component.CREDIT, left))
    return shares


def _accrue_all(books: list[_Book], day: date, daily_rate: Fraction) -> None:
    for book in books:
        book.accrue_through(day, daily_rate)


def _restructure(
    event: LoanRestructured, books: list[_Book], daily_rate: Fraction, grace: timedelta
) -> list[_Book]:
    """Supersede the open installments; append the arrears and the plan's installments."""
    day = event.effective_on
    _accrue_all(books, day, daily_rate)
    still_owing = [
        b
        for b in books
        if not b.superseded_on and (b.unpaid_scheduled > 0 or b.penalty_payable(day) > 0)
    ]
    principal = sum(b.unpaid_principal for b in still_owing)
    if principal == 0:
        return books  # repaid before the plan could start: nothing left to reschedule
    kept = arrears([_position(b, day) for b in still_owing], day)
    for book in still_owing:
        book.superseded_on = day
    plan = plan_schedule(principal, event.plan)
    number = books[-1].installment.number
    added: list[_Book] = []
    if kept.interest + kept.fee + kept.penalty > 0:
        number += 1
        due = Installment(number, plan[0].due_on, 0, kept.interest, kept.fee)
        added.append(
            _Book(
                due,
                due.due_on + grace,
                origin=Origin.ARREARS,
                proposal_id=event.proposal_id,
                penalty_carried=kept.penalty,
            )
        )
    for installment in plan:
        due = replace(installment, number=number + installment.number)
        added.append(
            _Book(due, due.due_on + grace, origin=Origin.PLAN, proposal_id=event.proposal_id)
        )
    return books + added


def _waive(event: WaiverGranted, books: list[_Book], daily_rate: Fraction) -> None:
    """Reduce payable penalty, or unpaid interest already due, oldest first."""
    day, left = event.effective_on, event.amount
    _accrue_all(books, day, daily_rate)
    for book in books:
        if event.component is WaivedComponent.PENALTY:
            share = min(left, book.penalty_payable(day))
            book.waived_penalty += share
        else:
            share = min(left, book.unpaid_interest if book.installment.due_on < day else 0)
            book.waived_interest += share
        left -= share


def replay(
    terms: LoanTerms,
    payments: Iterable[Payment],
    as_of: date,
    thresholds: StageThresholds = DEFAULT_THRESHOLDS,
    adjustments: Iterable[Adjustment] = (),
) -> LoanLedger:
    """The loan as of ``as_of``: payments and adjustments dated after it are ignored; day
    ``as_of`` accrues. On one day, payments come before adjustments."""
    daily_rate = Fraction(terms.penalty_rate_daily)
    grace = timedelta(days=terms.grace_days)
    books = [_Book(due, due.due_on + grace) for due in build_schedule(terms)]
    allocations: list[Allocation] = []
    pending = [a for a in in_ledger_order(list(adjustments)) if a.effective_on <= as_of]
    if any(a.loan_id != terms.loan_id for a in pending):
        raise ValueError(f"an adjustment of another loan was given for {terms.loan_id}")
    for payment in ordered(p for p in payments if p.paid_on <= as_of):
        while pending and pending[0].effective_on < payment.paid_on:
            books = _adjust(pending.pop(0), books, daily_rate, grace)
        allocations.extend(_apply(payment, books, daily_rate))
    for adjustment in pending:
        books = _adjust(adjustment, books, daily_rate, grace)
    _accrue_all(books, as_of, daily_rate)
    positions = tuple(_position(book, as_of) for book in books)
    state = _state(terms, positions, allocations, as_of, thresholds)
    return LoanLedger(terms, positions, tuple(allocations), state)


def _adjust(
    adjustment: Adjustment, books: list[_Book], daily_rate: Fraction, grace: timedelta
) -> list[_Book]:
    if isinstance(adjustment, LoanRestructured):
        return _restructure(adjustment, books, daily_rate, grace)
    _waive(adjustment, books, daily_rate)
    return books


def _position(book: _Book, as_of: date) -> InstallmentPosition:
    return InstallmentPosition(
        installment=book.installment,
        principal_paid=book.principal_paid,
        interest_paid=book.interest_paid,
        fee_paid=book.fee_paid,
        penalty_paid=book.penalty_paid,
        penalty_accrued=book.penalty_accrued,
        penalty_payable=book.penalty_payable(as_of),
        penalty_waived=book.penalty_waived,
        origin=book.origin,
        proposal_id=book.proposal_id,
        superseded_on=book.superseded_on,
        penalty_carried=book.penalty_carried,
        waived_interest=book.waived_interest,
        waived_penalty=book.waived_penalty,
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
        overdue_principal=sum(p.unpaid_principal for p in overdue),
        overdue_interest=sum(p.unpaid_interest for p in overdue),
        overdue_fee=sum(p.unpaid_fee for p in overdue),
        penalty=sum(p.penalty_payable for p in positions),
        outstanding_principal=terms.principal - sum(p.principal_paid for p in positions),
        credit=sum(a.amount for a in allocations if a.component is Component.CREDIT),
        paid_total=sum(a.amount for a in allocations),
        next_due_on=upcoming[0].installment.due_on if upcoming else None,
    )

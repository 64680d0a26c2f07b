"""What a borrower lawfully owes, beside what the contract says (KANTOU-1, RATE-1, RATE-2).

The true-cost view (``true_cost``) says a loan's lawful terms: the principal is what the
borrower received (砍头息 is not principal), interest at most the cap, fees cut to the room
the total-cost cap leaves. The lawful ledger is the reference replay of those terms with
the same payments and adjustments: its overdue amount is what a message, a script line, a
letter or a promise may ask for. A loan whose lawful terms equal the contract's owes the
same either way.

A debt is illegal (CRIM-1) when its true APR exceeds the lender's configured threshold
(usury, 高利放贷) or an import marked it so: it is never collected by coercive means.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from faircollect.domain.ledger.adjustments import Adjustment
from faircollect.domain.ledger.replay import LoanLedger, replay
from faircollect.domain.ledger.schedule import build_schedule
from faircollect.domain.ledger.state import AccountState
from faircollect.domain.ledger.terms import LoanTerms, Payment
from faircollect.domain.money import format_yuan, round_half_up
from faircollect.domain.rates import RateCap
from faircollect.domain.true_cost import LawfulView, TrueCost, lawful_view


def lawful_terms(terms: LoanTerms, view: LawfulView) -> LoanTerms:
    """The contract with the lawful principal, rate and fee."""
    return replace(
        terms,
        principal=view.principal,
        received=view.principal,
        annual_rate=view.rate_used,
        periodic_fee=view.fee_per_installment,
    )


def has_excess(terms: LoanTerms, view: LawfulView) -> bool:
    """Whether the contract asks for more than the law supports."""
    return (
        view.principal != terms.principal
        or view.rate_used != terms.annual_rate
        or view.fee_per_installment != terms.periodic_fee
    )


@dataclass(frozen=True, slots=True)
class Owed:
    """A loan's state as of a day under its contract and under its lawful terms."""

    contract: AccountState
    lawful: AccountState
    illegal: bool
    """CRIM-1: the debt may not be pursued by coercive means."""

    @property
    def excess(self) -> bool:
        return self.contract != self.lawful

    @property
    def overdue(self) -> int:
        """What may be asked for today: the lawful amount overdue."""
        return self.lawful.total_overdue

    @property
    def unlawful_overdue(self) -> int:
        """The part of the contract's overdue amount the law does not support."""
        return max(0, self.contract.total_overdue - self.lawful.total_overdue)


def owed(
    terms: LoanTerms,
    payments: Iterable[Payment],
    as_of: date,
    cost: TrueCost,
    illegal_apr: Decimal,
    adjustments: Iterable[Adjustment] = (),
    marked_illegal: bool = False,
) -> Owed:
    """The contract's and the lawful state of the loan as of ``as_of``."""
    paid, changes = list(payments), list(adjustments)
    contract = replay(terms, paid, as_of, adjustments=changes).state
    lawful = contract
    if has_excess(terms, cost.lawful):
        lawful = lawful_ledger(terms, paid, as_of, cost, changes).state
    return Owed(contract, lawful, marked_illegal or cost.apr_irr > illegal_apr)


def excess_clause(contract_overdue: int, lawful_overdue: int) -> str:
    """The clause a message or letter adds after the lawful amount where the contract asks
    for more than the law supports: the contract's figure beside it, marked as not
    collected (or, when the overdue amounts agree, that the excess is not collected)."""
    if contract_overdue > lawful_overdue:
        return (
            f"（合同所列逾期金额为 {format_yuan(contract_overdue)} 元，其中超出法律支持的"
            f" {format_yuan(contract_overdue - lawful_overdue)} 元不予催收）"
        )
    return "（以上为依法应还金额，合同中超出法律支持的部分不予催收）"


@dataclass(frozen=True, slots=True)
class LawfulAmounts:
    """What a message may ask for on a loan whose contract asks for more than the law
    supports: its state under the lawful terms, and the lawful installment due next."""

    state: AccountState
    next_due_amount: int | None

    def asks_nothing(self, contract: AccountState) -> bool:
        """Whether nothing is lawfully due that the contract says is: the loan is paid off
        under its lawful terms, or late only under its contract."""
        lawful = self.state
        if lawful.total_overdue:
            return False
        return lawful.next_due_on is None or contract.total_overdue > 0


def may_exceed(terms: LoanTerms, cap: RateCap) -> bool:
    """Whether the contract can ask for more than the law supports: only 砍头息, fees or a
    rate above the cap can make it (one comparison, before any schedule is built)."""
    return (
        terms.received != terms.principal or terms.periodic_fee > 0 or terms.annual_rate > cap.rate
    )


def lawful_amounts(
    terms: LoanTerms,
    payments: Iterable[Payment],
    as_of: date,
    cap: RateCap,
    adjustments: Iterable[Adjustment] = (),
) -> LawfulAmounts | None:
    """The loan's lawful amounts as of ``as_of``, or None when its contract asks for no more
    than the law supports (then the contract's amounts are the lawful ones).

    Without 砍头息, fees or a rate above the cap nothing can exceed, so such a loan costs
    one comparison (the night asks this of every loan it writes to).
    """
    if not may_exceed(terms, cap):
        return None
    view = lawful_view(terms, sum(due.total for due in build_schedule(terms)), cap)
    if not has_excess(terms, view):
        return None
    fair = lawful_terms(terms, view)
    state = replay(fair, list(payments), as_of, adjustments=list(adjustments)).state
    due = next((i.total for i in build_schedule(fair) if i.due_on == state.next_due_on), None)
    return LawfulAmounts(state, due)


def lawful_ledger(
    terms: LoanTerms,
    payments: Iterable[Payment],
    as_of: date,
    cost: TrueCost,
    adjustments: Iterable[Adjustment] = (),
) -> LoanLedger:
    """The reference replay of the lawful terms with the loan's payments and adjustments
    (the contract's own replay when the contract asks for nothing more than the law)."""
    chosen = lawful_terms(terms, cost.lawful) if has_excess(terms, cost.lawful) else terms
    return replay(chosen, list(payments), as_of, adjustments=list(adjustments))


def remaining(ledger: LoanLedger) -> int:
    """Everything still to pay on the ledger's schedule as of its date: unpaid principal,
    interest and fees of every installment (due or not) and the penalty payable."""
    return sum(p.unpaid_scheduled + p.penalty_payable for p in ledger.positions)


def due_on(ledger: LoanLedger, day: date) -> int:
    """What is still unpaid of the installments falling due on ``day``."""
    return sum(
        p.unpaid_scheduled + p.penalty_payable
        for p in ledger.positions
        if p.installment.due_on == day
    )


def penalty_per_day(state: AccountState, daily_rate: Decimal) -> int:
    """The penalty interest one more day adds at today's overdue principal and interest
    (fen, half up): the base the ledger accrues on."""
    return round_half_up((state.overdue_principal + state.overdue_interest) * daily_rate)

"""A loan's true cost to the borrower (借款真实年化成本) and its lawful view.

The borrower receives ``received`` at disbursement and pays every scheduled installment
(principal + interest + fee). The true cost is the IRR of those cash flows:

- Timing: periods are months. Installment k is at period k (it falls due on disbursement + k
  months); a bullet loan's single installment is at period n. For arbitrary dated payments
  (``irr_of_flows``) a date's period is counted on the same calendar: the whole months m with
  ``add_months(start, m) <= day``, plus the elapsed fraction of the next month period in days.
  A payment on a scheduled due date is therefore exactly at its installment number, and the
  two forms agree to every digit when the payments are the schedule.
- ``apr_irr`` = monthly IRR x 12 (the APR the PBoC asks lenders to disclose);
  ``effective_annual`` = (1 + monthly IRR)^12 - 1.
- The IRR is solved in Decimal at 40 significant digits (safeguarded Newton: a Newton step,
  or bisection when the step leaves the bracket) to 1e-32.

The lawful view (KANTOU-1, RATE-1, RATE-2): the lawful principal is what was received; the
lawful schedule is the same method and term on that principal at min(contract rate, cap).
The cap is a cap on total cost, so fees survive only within the room the lawful interest
leaves under it: the lawful per-installment fee is the largest whole fen f <= the contract fee
with NPV(lawful installments + f, at monthly cap/12) <= received, i.e. the IRR of the lawful
schedule with fees stays <= the cap. Interest takes the room first, fees what is left.
That test is exact (Fractions), so a loan whose contract IRR is within the cap keeps its fee.
The nominal rate is capped on its own as well: a bullet at 24.1% simple interest compounds to
an IRR under 24%, yet its interest is recomputed at 24%. A loan has no excess exactly when all
of its principal was received, its nominal rate is within the cap and its IRR is too.
``excess`` = contract scheduled total - lawful total, never negative.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext
from fractions import Fraction

from faircollect.domain.dates import add_months
from faircollect.domain.ledger.schedule import build_schedule, schedule_rows
from faircollect.domain.ledger.terms import LoanTerms, Method
from faircollect.domain.messages import Message
from faircollect.domain.rates import RateCap

PRECISION = 40
"""Significant digits the IRR is solved with."""

_TOLERANCE = Decimal("1e-32")
CAP_TOLERANCE = Decimal("1e-20")
"""Rates closer than this to a cap count as on it: the solver's noise (~1e-32), not cost."""
_MAX_STEPS = 400
MONTHS_PER_YEAR = 12

Flow = tuple[Fraction, int]
"""(period in months, amount in fen paid by the borrower)."""


@dataclass(frozen=True, slots=True)
class Irr:
    """An internal rate of return, in the three forms people quote."""

    monthly: Decimal
    apr: Decimal
    """monthly x 12: the nominal APR the PBoC disclosure method reports."""
    effective_annual: Decimal
    """(1 + monthly)^12 - 1: what the money really costs per year, compounded."""

    def within(self, cap: Decimal) -> bool:
        """Whether the APR (monthly x 12) is at most ``cap``, up to ``CAP_TOLERANCE``."""
        return self.apr <= cap + CAP_TOLERANCE


@dataclass(frozen=True, slots=True)
class FlowCost:
    """The cost of an arbitrary repayment stream (the ``apr --stdin`` form). Amounts in fen."""

    received: int
    total_paid: int
    irr: Irr

    @property
    def cost(self) -> int:
        """What the borrower paid beyond what they received."""
        return self.total_paid - self.received


@dataclass(frozen=True, slots=True)
class LawfulView:
    """What the borrower owes under the caps: principal = received, rate and fees capped."""

    principal: int
    rate_used: Decimal
    cap_rule: str
    cap_rate: Decimal
    fee_per_installment: int
    lawful_total: int
    excess: int
    """Contract scheduled total minus lawful total, in fen; never negative."""
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TrueCost:
    """A loan's real cost and its lawful view. Amounts are integer fen, rates Decimal."""

    loan_id: str
    contract_principal: int
    received: int
    nominal_rate: Decimal
    irr: Irr
    upfront_deduction: int
    """砍头息: contract principal minus what the borrower actually received."""
    total_fees: int
    total_interest: int
    scheduled_total: int
    lawful: LawfulView

    @property
    def apr_irr(self) -> Decimal:
        return self.irr.apr

    @property
    def effective_annual(self) -> Decimal:
        return self.irr.effective_annual


def installment_periods(method: Method, term_months: int) -> list[int]:
    """The month each installment falls in: 1..n, or just n for a bullet loan."""
    if method is Method.BULLET:
        return [term_months]
    return list(range(1, term_months + 1))


def month_periods(start: date, day: date) -> Fraction:
    """Months from ``start`` to ``day`` on the schedule's calendar (see the module docstring)."""
    if day < start:
        raise ValueError(f"{day.isoformat()} is before {start.isoformat()}")
    whole = (day.year - start.year) * MONTHS_PER_YEAR + day.month - start.month
    while add_months(start, whole) > day:
        whole -= 1
    anchor, following = add_months(start, whole), add_months(start, whole + 1)
    return whole + Fraction((day - anchor).days, (following - anchor).days)


def solve_irr(received: int, flows: Sequence[Flow]) -> Irr:
    """The monthly rate r with sum(amount / (1+r)^period) == received, in its three forms.

    Zero amounts are allowed (a 0% interest-only loan pays nothing until its last month).
    """
    if received <= 0:
        raise ValueError("received must be positive")
    if any(amount < 0 or period <= 0 for period, amount in flows):
        raise ValueError("flows must be amounts >= 0 at positive periods")
    if not any(amount > 0 for _, amount in flows):
        raise ValueError("no payment: the IRR is undefined")
    with localcontext() as ctx:
        ctx.prec = PRECISION
        terms = [(_exponent(period), Decimal(amount)) for period, amount in flows if amount]
        monthly = _newton(Decimal(received), terms)
        return Irr(
            monthly=monthly,
            apr=monthly * MONTHS_PER_YEAR,
            effective_annual=(1 + monthly) ** MONTHS_PER_YEAR - 1,
        )


def _exponent(period: Fraction) -> Decimal | int:
    if period.denominator == 1:
        return int(period)
    return Decimal(period.numerator) / Decimal(period.denominator)


_Terms = list[tuple[Decimal | int, Decimal]]


def _npv(rate: Decimal, received: Decimal, terms: _Terms) -> tuple[Decimal, Decimal]:
    """Present value of the payments minus received, and its derivative in ``rate``."""
    base = 1 + rate
    value, slope = -received, Decimal(0)
    for period, amount in terms:
        discounted = amount / base**period
        value += discounted
        slope -= period * discounted / base
    return value, slope


def _bracket(received: Decimal, terms: _Terms) -> tuple[Decimal, Decimal]:
    """lo < root <= hi, with NPV(lo) > 0 >= NPV(hi); NPV falls as the rate rises."""
    if _npv(Decimal(0), received, terms)[0] > 0:
        lo, hi = Decimal(0), Decimal(1)
        while _npv(hi, received, terms)[0] > 0:
            lo, hi = hi, hi * 2
        return lo, hi
    lo, hi = Decimal("-0.5"), Decimal(0)
    while _npv(lo, received, terms)[0] <= 0:
        lo, hi = (lo - 1) / 2, lo
    return lo, hi


def _newton(received: Decimal, terms: _Terms) -> Decimal:
    lo, hi = _bracket(received, terms)
    rate = (lo + hi) / 2
    for _ in range(_MAX_STEPS):
        value, slope = _npv(rate, received, terms)
        if value == 0:
            return rate
        if value > 0:
            lo = rate
        else:
            hi = rate
        candidate = rate - value / slope if slope else (lo + hi) / 2
        if not lo <= candidate <= hi:
            candidate = (lo + hi) / 2
        if abs(candidate - rate) < _TOLERANCE or hi - lo < _TOLERANCE:
            return candidate
        rate = candidate
    return rate


def irr_of_flows(
    received: int, disbursed_on: date, payments: Sequence[tuple[date, int]]
) -> FlowCost:
    """The true cost of receiving ``received`` fen on ``disbursed_on`` and paying ``payments``.

    Payments must be positive and dated after the disbursement; periods are months counted as
    in ``month_periods``, so a loan's own schedule gives the same IRR as ``true_cost``.
    """
    for index, (day, amount) in enumerate(payments):
        if day <= disbursed_on:
            raise ValueError(f"payments[{index}]: {day.isoformat()} is not after disbursement")
        if amount <= 0:
            raise ValueError(f"payments[{index}]: amount must be positive")
    flows = [(month_periods(disbursed_on, day), amount) for day, amount in payments]
    irr = solve_irr(received, flows)
    return FlowCost(received, sum(amount for _, amount in payments), irr)


def true_cost(terms: LoanTerms, cap: RateCap) -> TrueCost:
    """The loan's true cost from its contract schedule, and what is lawful under ``cap``."""
    schedule = build_schedule(terms)
    periods = installment_periods(terms.method, terms.term_months)
    flows = [(Fraction(period), due.total) for period, due in zip(periods, schedule, strict=True)]
    scheduled_total = sum(due.total for due in schedule)
    return TrueCost(
        loan_id=terms.loan_id,
        contract_principal=terms.principal,
        received=terms.received,
        nominal_rate=terms.annual_rate,
        irr=solve_irr(terms.received, flows),
        upfront_deduction=terms.principal - terms.received,
        total_fees=sum(due.fee for due in schedule),
        total_interest=sum(due.interest for due in schedule),
        scheduled_total=scheduled_total,
        lawful=lawful_view(terms, scheduled_total, cap),
    )


def lawful_view(terms: LoanTerms, scheduled_total: int, cap: RateCap) -> LawfulView:
    """The lawful schedule's total and the excess over it (see the module docstring)."""
    rate_used = min(terms.annual_rate, cap.rate)
    rows = schedule_rows(terms.method, terms.received, rate_used, terms.term_months)
    periods = installment_periods(terms.method, terms.term_months)
    dues = [principal + interest for principal, interest in rows]
    fee = lawful_fee(terms.received, list(zip(periods, dues, strict=True)), terms, cap.rate)
    lawful_total = sum(dues) + fee * len(dues)
    return LawfulView(
        principal=terms.received,
        rate_used=rate_used,
        cap_rule=cap.rule_id,
        cap_rate=cap.rate,
        fee_per_installment=fee,
        lawful_total=lawful_total,
        excess=max(0, scheduled_total - lawful_total),
        notes=_notes(terms, cap, fee),
    )


def lawful_fee(received: int, dues: list[tuple[int, int]], terms: LoanTerms, cap: Decimal) -> int:
    """Largest fee per installment (<= the contract's) keeping the total cost IRR <= ``cap``.

    IRR <= cap exactly when the payments discounted at cap/12 a month are worth no more than
    what was received, so the room for fees is (received - PV(dues)) / PV(1 per installment).
    """
    discount = 1 / (1 + Fraction(cap) / MONTHS_PER_YEAR)
    present = sum(amount * discount**period for period, amount in dues)
    annuity = sum(discount**period for period, _ in dues)
    room = math.floor((received - present) / annuity)
    return max(0, min(terms.periodic_fee, room))


def _notes(terms: LoanTerms, cap: RateCap, fee: int) -> tuple[str, ...]:
    notes: list[str] = []
    deducted = terms.principal - terms.received
    if deducted > 0:
        notes.append(Message("cost.kantou", deducted=deducted, received=terms.received))
    notes.extend(cap.notes)
    if terms.annual_rate > cap.rate:
        notes.append(
            Message("cost.rate_above_cap", rate=terms.annual_rate, cap=cap.rate, rule=cap.rule_id)
        )
    if fee < terms.periodic_fee:
        notes.append(
            Message(
                "cost.fee_cut",
                fee=terms.periodic_fee,
                lawful=fee,
                cap=cap.rate,
                rule=cap.rule_id,
            )
        )
    return tuple(notes)

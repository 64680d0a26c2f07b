"""Approved changes to a loan's ledger (分期 / 减免): restructures and waivers.

Casework decides them (a collector proposes, a supervisor approves); the ledger owns what
they mean, so the replay, the nightly run, exports and ``loan show`` all apply the same
events. Each is self-contained: integer fen, the plan's terms, its effective date.

A restructure (``LoanRestructured``) takes effect at the end of ``effective_on``, after
that day's payments and penalty:

- every installment still owing anything is superseded: its paid amounts stay (history
  stays), what it still owed moves as below, and it accrues no more penalty;
- the outstanding principal is rescheduled by the plan (``plan_schedule``);
- arrears are not capitalised (no plan interest runs on them): the unpaid interest and
  fee of installments already due, anything left of an earlier restructure's arrears,
  and the payable penalty are gathered into one arrears installment due with the plan's
  first installment and paid before it; scheduled interest and fees of installments not
  yet due fall away, the plan's interest replaces them;
- from then on the usual rules apply to the new installments (grace, penalty, waterfall).

Why arrears fall due with the first plan installment rather than on ``effective_on``:
left on the old installments (or due at once) they would put the loan straight back past
due the next day, so the agreement would never show as current; due with the first
installment they stay owed in full, and penalty resumes if that installment is missed.

The plan is built from the outstanding principal the replay finds on ``effective_on``.
That equals ``outstanding_principal`` recorded at approval unless a payment dated on or
before ``effective_on`` was imported afterwards; then the plan applies to the smaller
balance, so the borrower never owes principal twice.

A waiver (``WaiverGranted``) on ``effective_on``, after that day's payments: a penalty
waiver reduces the payable penalty, an interest waiver the unpaid interest of installments
already due, oldest first, by ``amount`` (never below zero). Penalty keeps accruing after
a waiver by the usual rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from faircollect.domain.dates import add_months
from faircollect.domain.ledger.schedule import schedule_rows
from faircollect.domain.ledger.terms import Installment, Method


@dataclass(frozen=True, slots=True)
class InstalmentPlan:
    """A new schedule for the outstanding principal: ``months`` installments from
    ``first_due`` at ``annual_rate`` (may be lower than the contract's, or 0)."""

    months: int
    annual_rate: Decimal
    first_due: date
    method: Method = Method.EQUAL_INSTALLMENT


class WaivedComponent(StrEnum):
    PENALTY = "penalty"  # 罚息
    INTEREST = "interest"  # 利息 (part of the unpaid interest)


@dataclass(frozen=True, slots=True)
class LoanRestructured:
    """The loan's open installments are superseded by ``plan`` from ``effective_on``.

    ``new`` is the plan's schedule as approved, numbered within the plan (1..n); its
    principal sums to ``outstanding_principal``. ``carried_interest`` and ``carried_fee``
    are the arrears at approval, which stay owed (see the module docstring).
    """

    proposal_id: str
    loan_id: str
    effective_on: date
    approved_by: str
    reason: str
    plan: InstalmentPlan
    outstanding_principal: int
    carried_interest: int
    carried_fee: int
    new: tuple[Installment, ...]


@dataclass(frozen=True, slots=True)
class WaiverGranted:
    """``amount`` fen of ``component`` waived on ``effective_on``."""

    proposal_id: str
    loan_id: str
    effective_on: date
    approved_by: str
    reason: str
    component: WaivedComponent
    amount: int


Adjustment = LoanRestructured | WaiverGranted


def plan_schedule(principal: int, plan: InstalmentPlan) -> tuple[Installment, ...]:
    """The plan's installments, numbered 1..n, due monthly from ``first_due`` (a bullet: on
    ``first_due`` + months - 1), computed by the contract schedule's own functions; no fee."""
    rows = schedule_rows(plan.method, principal, plan.annual_rate, plan.months)
    offset = plan.months - 1 if plan.method is Method.BULLET else 0
    return tuple(
        Installment(k + 1, add_months(plan.first_due, offset + k), part, interest, 0)
        for k, (part, interest) in enumerate(rows)
    )


def in_ledger_order(adjustments: list[Adjustment]) -> list[Adjustment]:
    """Adjustments in the order the ledger applies them: by date, then proposal id."""
    return sorted(adjustments, key=lambda a: (a.effective_on, a.proposal_id))

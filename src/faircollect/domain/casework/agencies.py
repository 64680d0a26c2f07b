"""Agency placement (委外): who holds a case when, what an agency may see, and what it earns.

A placement covers the days ``placed_on <= day < recalled_on``: the recall date belongs
to the lender again. That one rule decides both visibility (an agency sees a case only
while it holds it) and commission (a payment counts for the agency whose placement covers
its date). Commission is paid only on money actually repaid, as the seed says; money
repaid under an approved instalment plan counts at the plan rate (default 0: 协商分期不算业绩).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from faircollect.domain.casework.errors import CaseworkError, PermissionDenied
from faircollect.domain.casework.roles import Actor, Permission, Role, require
from faircollect.domain.messages import Message
from faircollect.domain.money import round_half_up


@dataclass(frozen=True, slots=True)
class Placement:
    placement_id: str
    agency_id: str
    case_id: str
    placed_on: date
    recalled_on: date | None = None

    def covers(self, day: date) -> bool:
        """True when the agency holds the case on ``day`` (recall date excluded)."""
        return self.placed_on <= day and (self.recalled_on is None or day < self.recalled_on)


@dataclass(frozen=True, slots=True)
class PlaceCase:
    placement_id: str
    case_id: str
    agency_id: str
    on: date


@dataclass(frozen=True, slots=True)
class RecallCase:
    placement_id: str
    on: date
    reason: str


@dataclass(frozen=True, slots=True)
class CasePlaced:
    placement: Placement
    actor: str


@dataclass(frozen=True, slots=True)
class CaseRecalled:
    placement_id: str
    case_id: str
    agency_id: str
    on: date
    actor: str
    reason: str


def place(existing: Iterable[Placement], command: PlaceCase, actor: Actor) -> CasePlaced:
    """Place a case with an agency from ``command.on``; refused while another placement of
    the case is open on or after that date."""
    require(actor, Permission.PLACE_CASE)
    for other in existing:
        if other.case_id == command.case_id and (
            other.recalled_on is None or other.recalled_on > command.on
        ):
            raise CaseworkError(
                Message(
                    "agency.already_placed",
                    case_id=command.case_id,
                    agency_id=other.agency_id,
                    placement_id=other.placement_id,
                )
            )
    placement = Placement(command.placement_id, command.agency_id, command.case_id, command.on)
    return CasePlaced(placement, actor.user_id)


def recall(placement: Placement, command: RecallCase, actor: Actor) -> CaseRecalled:
    """Take a case back from its agency; the recall date is the lender's again."""
    require(actor, Permission.PLACE_CASE)
    if placement.recalled_on is not None:
        raise CaseworkError(
            Message(
                "agency.already_recalled",
                placement_id=placement.placement_id,
                on=placement.recalled_on,
            )
        )
    if command.on <= placement.placed_on:
        raise CaseworkError(
            Message(
                "agency.recall_too_early",
                placement_id=placement.placement_id,
                on=command.on,
                placed_on=placement.placed_on,
            )
        )
    return CaseRecalled(
        placement.placement_id,
        placement.case_id,
        placement.agency_id,
        command.on,
        actor.user_id,
        command.reason,
    )


def recalled(placement: Placement, event: CaseRecalled) -> Placement:
    return replace(placement, recalled_on=event.on)


def holder(placements: Iterable[Placement], case_id: str, day: date) -> str | None:
    """The agency holding ``case_id`` on ``day``, None when the lender works it."""
    return next((p.agency_id for p in placements if p.case_id == case_id and p.covers(day)), None)


def visible_case_ids(placements: Iterable[Placement], agency_id: str, day: date) -> set[str]:
    """The cases an agency may see on ``day``: those it holds, nothing else."""
    return {p.case_id for p in placements if p.agency_id == agency_id and p.covers(day)}


def require_case_access(
    actor: Actor, case_id: str, placements: Iterable[Placement], day: date
) -> None:
    """Agency users reach only the cases their agency holds that day; staff reach all."""
    if actor.role is Role.AGENCY and holder(placements, case_id, day) != actor.agency_id:
        raise PermissionDenied(
            Message(
                "agency.no_access",
                user_id=actor.user_id,
                agency_id=actor.agency_id,
                case_id=case_id,
                day=day,
            )
        )


# Commission statement ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Repayment:
    """Money actually received on a case's loan (from the ledger's payments)."""

    payment_id: str
    case_id: str
    loan_id: str
    paid_on: date
    amount: int


@dataclass(frozen=True, slots=True)
class CommissionTerms:
    agency_id: str
    rate: Decimal
    plan_rate: Decimal = Decimal(0)
    """Rate on money repaid under an approved instalment plan (the lender sets it)."""


class Basis(StrEnum):
    REGULAR = "regular"
    PLAN = "plan"  # repaid under an approved instalment plan


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One case and basis in a month: the only place a commission is rounded."""

    case_id: str
    basis: Basis
    repaid: int
    rate: Decimal
    commission: int
    payment_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Statement:
    agency_id: str
    month: str
    lines: tuple[StatementLine, ...]

    @property
    def total_repaid(self) -> int:
        return sum(line.repaid for line in self.lines)

    @property
    def total_commission(self) -> int:
        """The sum of the rounded lines, so the statement adds up as printed."""
        return sum(line.commission for line in self.lines)


def commission_statement(
    terms: CommissionTerms,
    year: int,
    month: int,
    placements: Iterable[Placement],
    repayments: Iterable[Repayment],
    plan_effective: Mapping[str, date],
) -> Statement:
    """The agency's commission for one calendar month.

    A repayment counts when it is dated in the month and the agency's placement of that
    case covers its date. ``plan_effective`` maps a loan to the date its approved
    instalment plan took effect; repayments on or after it count at ``terms.plan_rate``.
    Amounts are summed exactly per (case, basis); each line's commission is
    rate × repaid rounded half up to the fen once, and the total is the sum of the lines.
    """
    if not 1 <= month <= 12:
        raise CaseworkError(Message("agency.month", month=month))
    held = [p for p in placements if p.agency_id == terms.agency_id]
    groups: dict[tuple[str, Basis], list[Repayment]] = defaultdict(list)
    for payment in sorted(repayments, key=lambda r: (r.paid_on, r.payment_id)):
        in_month = (payment.paid_on.year, payment.paid_on.month) == (year, month)
        if in_month and any(
            p.case_id == payment.case_id and p.covers(payment.paid_on) for p in held
        ):
            effective = plan_effective.get(payment.loan_id)
            basis = Basis.PLAN if effective and payment.paid_on >= effective else Basis.REGULAR
            groups[(payment.case_id, basis)].append(payment)
    lines = []
    for (case_id, basis), paid in sorted(groups.items()):
        rate = terms.plan_rate if basis is Basis.PLAN else terms.rate
        repaid = sum(p.amount for p in paid)
        commission = round_half_up(repaid * Fraction(rate))
        lines.append(
            StatementLine(
                case_id, basis, repaid, rate, commission, tuple(p.payment_id for p in paid)
            )
        )
    return Statement(terms.agency_id, f"{year:04d}-{month:02d}", tuple(lines))

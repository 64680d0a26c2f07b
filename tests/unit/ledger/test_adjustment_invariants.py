"""Ledger invariants with restructures and waivers, on random loans and histories.

Adjustments are drawn the way approval makes them: from the replay on their effective
date (the plan is for the outstanding principal then), but payments are random before
and after, including some dated before an adjustment that approval did not see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from faircollect.domain.ledger.adjustments import (
    Adjustment,
    InstalmentPlan,
    LoanRestructured,
    WaivedComponent,
    WaiverGranted,
    plan_schedule,
)
from faircollect.domain.ledger.replay import LoanLedger, Origin, replay
from faircollect.domain.ledger.terms import LoanTerms, Method, Payment
from tests.unit.ledger.strategies import RATES, histories, loans


@dataclass(frozen=True)
class Case:
    terms: LoanTerms
    payments: list[Payment]
    adjustments: list[Adjustment]
    as_of: date

    def ledger(self, as_of: date | None = None) -> LoanLedger:
        return replay(self.terms, self.payments, as_of or self.as_of, adjustments=self.adjustments)


def _restructure(
    draw: st.DrawFn, terms: LoanTerms, ledger: LoanLedger, n: int, same_terms: bool = False
) -> LoanRestructured | None:
    day, outstanding = ledger.state.as_of, ledger.state.outstanding_principal
    if outstanding == 0:
        return None
    if same_terms:
        plan = InstalmentPlan(
            draw(st.integers(1, 24)), terms.annual_rate, day + timedelta(days=30), terms.method
        )
    else:
        plan = InstalmentPlan(
            draw(st.integers(1, 24)),
            draw(st.sampled_from(RATES)),
            day + timedelta(days=draw(st.integers(1, 60))),
            draw(st.sampled_from(list(Method))),
        )
    state = ledger.state
    return LoanRestructured(
        f"R{n}",
        terms.loan_id,
        day,
        "s",
        "test",
        plan,
        outstanding,
        state.overdue_interest,
        state.overdue_fee,
        plan_schedule(outstanding, plan),
    )


def _waiver(draw: st.DrawFn, terms: LoanTerms, ledger: LoanLedger, n: int) -> WaiverGranted:
    component = draw(st.sampled_from(list(WaivedComponent)))
    state = ledger.state
    cap = state.penalty if component is WaivedComponent.PENALTY else state.overdue_interest
    amount = draw(st.integers(1, max(cap, 1) + 50))  # sometimes more than is owed by then
    return WaiverGranted(f"W{n}", terms.loan_id, state.as_of, "s", "test", component, amount)


@st.composite
def adjusted(draw: st.DrawFn) -> Case:
    terms = draw(loans())
    payments = draw(histories(terms))
    span = 30 * terms.term_months + 150
    days = sorted(set(draw(st.lists(st.integers(1, span), min_size=1, max_size=3))))
    adjustments: list[Adjustment] = []
    for n, offset in enumerate(days):
        day = terms.disbursed_on + timedelta(days=offset)
        # Approval sees only the payments imported by then: a random subset of those dated
        # on or before the day (the rest arrive back-dated, after the decision).
        seen = [p for p in payments if p.paid_on <= day and draw(st.booleans())]
        ledger = replay(terms, seen, day, adjustments=adjustments)
        event: Adjustment | None
        if draw(st.booleans()):
            event = _restructure(draw, terms, ledger, n)
        else:
            event = _waiver(draw, terms, ledger, n)
        if event is not None:
            adjustments.append(event)
    as_of = terms.disbursed_on + timedelta(days=draw(st.integers(0, span + 800)))
    return Case(terms, payments, adjustments, as_of)


@settings(max_examples=300, deadline=None)
@given(adjusted())
def test_money_in_equals_money_allocated(case: Case) -> None:
    ledger = case.ledger()
    paid = sum(p.amount for p in case.payments if p.paid_on <= case.as_of)
    assert sum(a.amount for a in ledger.allocations) == paid == ledger.state.paid_total
    numbers = {p.installment.number for p in ledger.positions}
    assert len(numbers) == len(ledger.positions)  # every allocation names one installment
    assert {a.installment for a in ledger.allocations} <= numbers | {0}


@settings(max_examples=300, deadline=None)
@given(adjusted())
def test_no_component_is_ever_negative(case: Case) -> None:
    ledger = case.ledger()
    assert all(a.amount > 0 for a in ledger.allocations)
    for p in ledger.positions:
        assert min(p.unpaid_principal, p.unpaid_interest, p.unpaid_fee) >= 0
        assert min(p.principal_paid, p.interest_paid, p.fee_paid, p.penalty_paid) >= 0
        assert p.penalty_payable >= 0 and p.waived_interest >= 0 and p.waived_penalty >= 0
    s = ledger.state
    assert min(s.overdue_principal, s.overdue_interest, s.overdue_fee, s.penalty) >= 0
    assert min(s.outstanding_principal, s.credit, s.dpd) >= 0


@settings(max_examples=300, deadline=None)
@given(adjusted())
def test_principal_balances_and_is_never_overpaid(case: Case) -> None:
    ledger = case.ledger()
    paid = sum(p.principal_paid for p in ledger.positions)
    assert paid <= case.terms.principal
    still_due = sum(p.unpaid_principal for p in ledger.positions)
    assert paid + still_due == case.terms.principal
    assert ledger.state.outstanding_principal == still_due
    if ledger.state.credit > 0:
        assert all(p.unpaid_scheduled == 0 for p in ledger.positions)


@settings(max_examples=300, deadline=None)
@given(adjusted())
def test_each_plan_reschedules_exactly_the_principal_outstanding_on_its_date(case: Case) -> None:
    ledger = case.ledger()
    for event in case.adjustments:
        if not isinstance(event, LoanRestructured) or event.effective_on > case.as_of:
            continue
        plan = [
            p
            for p in ledger.positions
            if p.proposal_id == event.proposal_id and p.origin is Origin.PLAN
        ]
        earlier = [a for a in case.adjustments if a.effective_on < event.effective_on]
        before = replay(case.terms, case.payments, event.effective_on, adjustments=earlier)
        assert sum(p.installment.principal for p in plan) == before.state.outstanding_principal
        at = case.ledger(event.effective_on).state
        if plan:  # it took effect: nothing is past due right after it
            assert at.outstanding_principal == before.state.outstanding_principal
            assert (at.dpd, at.overdue_principal, at.overdue_interest) == (0, 0, 0)
        if plan and not any(isinstance(a, LoanRestructured) for a in earlier):
            # Nothing owed is dropped: what was past due and the payable penalty are kept.
            kept = [
                p
                for p in ledger.positions
                if p.proposal_id == event.proposal_id and p.origin is Origin.ARREARS
            ]
            owed = before.state
            assert (
                sum(p.installment.interest for p in kept),
                sum(p.installment.fee for p in kept),
                sum(p.penalty_carried for p in kept),
            ) == (owed.overdue_interest, owed.overdue_fee, owed.penalty)


@settings(max_examples=200, deadline=None)
@given(adjusted(), st.randoms())
def test_replay_is_deterministic_whatever_the_input_order(case: Case, rnd: object) -> None:
    payments, adjustments = list(case.payments), list(case.adjustments)
    rnd.shuffle(payments)  # type: ignore[attr-defined]
    rnd.shuffle(adjustments)  # type: ignore[attr-defined]
    again = replay(case.terms, payments, case.as_of, adjustments=adjustments)
    assert again == case.ledger()


@st.composite
def restructured_same_terms(draw: st.DrawFn) -> tuple[LoanTerms, list[Payment], date, Adjustment]:
    terms = draw(loans())
    day = terms.disbursed_on + timedelta(days=draw(st.integers(1, 30 * terms.term_months)))
    payments = [p for p in draw(histories(terms)) if p.paid_on <= day]
    event = _restructure(draw, terms, replay(terms, payments, day), 0, same_terms=True)
    assume(event is not None)
    assert event is not None
    return terms, payments, day, event


@settings(max_examples=200, deadline=None)
@given(restructured_same_terms(), st.integers(0, 400))
def test_same_rate_and_method_without_payments_keeps_the_outstanding_principal(
    case: tuple[LoanTerms, list[Payment], date, Adjustment], later: int
) -> None:
    terms, payments, day, event = case
    for on in (day, day + timedelta(days=later)):
        without = replay(terms, payments, on).state.outstanding_principal
        with_plan = replay(terms, payments, on, adjustments=[event]).state.outstanding_principal
        assert with_plan == without


@settings(max_examples=300, deadline=None)
@given(adjusted())
def test_a_waiver_lowers_what_is_owed_by_exactly_what_it_could_waive(case: Case) -> None:
    for event in case.adjustments:
        if not isinstance(event, WaiverGranted) or event.effective_on > case.as_of:
            continue
        earlier = [a for a in case.adjustments if a.effective_on < event.effective_on]
        day = event.effective_on
        before = replay(case.terms, case.payments, day, adjustments=earlier).state
        after = replay(case.terms, case.payments, day, adjustments=[*earlier, event]).state
        if event.component is WaivedComponent.PENALTY:
            assert before.penalty - after.penalty == min(event.amount, before.penalty)
            assert after.overdue_interest == before.overdue_interest
        else:
            cut = min(event.amount, before.overdue_interest)
            assert before.overdue_interest - after.overdue_interest == cut
            assert after.penalty == before.penalty


def test_a_plan_is_rebuilt_on_a_back_dated_payment_so_no_principal_is_owed_twice() -> None:
    """12 months of 1,000.00 at 0%; nothing paid by 20 Apr (three missed). Approved then:
    12,000.00 over 4 months. A payment of 3,000.00 dated 10 Apr arrives afterwards: it
    settles the three missed installments, and the plan covers the 9,000.00 left."""
    terms = LoanTerms(
        "L", 1_200_000, 1_200_000, Decimal(0), 12, Method.EQUAL_PRINCIPAL, date(2026, 1, 1),
        Decimal(0), 0, 0,
    )  # fmt: skip
    day = date(2026, 4, 20)
    plan = InstalmentPlan(4, Decimal(0), date(2026, 5, 20))
    event = LoanRestructured(
        "R", "L", day, "s", "x", plan, 1_200_000, 0, 0, plan_schedule(1_200_000, plan)
    )
    late = [Payment("P", "L", date(2026, 4, 10), 300_000)]
    ledger = replay(terms, late, day, adjustments=[event])
    plan_rows = [p.installment for p in ledger.positions if p.origin is Origin.PLAN]
    assert [i.principal for i in plan_rows] == [225_000] * 4
    assert [i.number for i in plan_rows] == [13, 14, 15, 16]
    assert ledger.state.outstanding_principal == 900_000

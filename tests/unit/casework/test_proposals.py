"""Proposals: a collector proposes, only a supervisor decides; the restructure is exact."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from faircollect.domain.casework.agencies import Placement
from faircollect.domain.casework.errors import CaseworkError, PermissionDenied
from faircollect.domain.casework.proposals import (
    InstalmentPlan,
    LoanPosition,
    LoanRestructured,
    Proposal,
    ProposalStatus,
    SubmitProposal,
    WaivedComponent,
    Waiver,
    WaiverGranted,
    approve,
    position_from_ledger,
    reject,
    submit,
)
from faircollect.domain.ledger.adjustments import plan_schedule
from faircollect.domain.ledger.replay import replay
from faircollect.domain.ledger.terms import Method, Payment

from .factories import AGENCY_A, AGENCY_B, COLLECTOR, COLLECTOR_2, LOAN, SUPERVISOR

DAY = date(2026, 3, 2)
TERMS = LOAN
PAID = [Payment(f"P{k}", "L1", date(2025, 10 + k, 15), 110_016) for k in (1, 2)]
PLAN = InstalmentPlan(7, Decimal(0), date(2026, 3, 20))


def ledger_position() -> LoanPosition:
    return position_from_ledger(replay(TERMS, PAID, DAY))


def proposed(terms: InstalmentPlan | Waiver = PLAN) -> Proposal:
    command = SubmitProposal("PR1", "C1", "L1", terms, DAY, "客户失业，申请分期")
    return submit(command, COLLECTOR, []).proposal


def test_story_collector_proposes_cannot_approve_supervisor_approves_schedule_sums() -> None:
    # Day 1: two installments paid, two overdue (DPD 46); the collector proposes 7 months at 0%.
    proposal = proposed()
    assert proposal.status is ProposalStatus.PENDING
    position = ledger_position()
    assert position.outstanding_principal == 1_014_588
    # The collector cannot grant it, nor can another collector.
    for actor in (COLLECTOR, COLLECTOR_2):
        with pytest.raises(PermissionDenied, match="may not decide proposal"):
            approve(proposal, actor, DAY, "同意", position)
    # The supervisor approves.
    decided, event = approve(proposal, SUPERVISOR, DAY, "失业证明已核实", position)
    assert decided.status is ProposalStatus.APPROVED and decided.decided_by == "s-zhao"
    assert isinstance(event, LoanRestructured)
    # 1,014,588 / 7 = 144,941.14 -> six of 144,941 and the last takes the remainder.
    assert [i.principal for i in event.new] == [144_941] * 6 + [144_942]
    assert sum(i.principal for i in event.new) == event.outstanding_principal == 1_014_588
    assert [i.due_on for i in event.new] == [
        date(2026, 3, 20),
        date(2026, 4, 20),
        date(2026, 5, 20),
        date(2026, 6, 20),
        date(2026, 7, 20),
        date(2026, 8, 20),
        date(2026, 9, 20),
    ]
    assert all(i.interest == 0 for i in event.new)
    # Applied by the ledger, the ten unpaid installments are superseded; paid history stays.
    after = replay(TERMS, PAID, DAY, adjustments=[event]).positions
    assert [p.installment.number for p in after if p.superseded_on] == list(range(3, 13))
    assert [p.principal_paid for p in after[:2]] == [
        p.principal_paid for p in replay(TERMS, PAID, DAY).positions[:2]
    ]
    # The ledger still balances: paid principal + new principal = contract principal.
    paid_principal = sum(p.principal_paid for p in replay(TERMS, PAID, DAY).positions)
    assert paid_principal + sum(i.principal for i in event.new) == TERMS.principal
    # Overdue interest is carried, not dropped: 15,219 + 13,797 fen from installments 3 and 4.
    assert event.carried_interest == 29_016


def test_a_decided_proposal_cannot_be_decided_again_and_a_reason_is_required() -> None:
    proposal = proposed()
    with pytest.raises(CaseworkError, match="needs a reason"):
        reject(proposal, SUPERVISOR, DAY, " ")
    rejected, event = reject(proposal, SUPERVISOR, DAY, "收入证明不足")
    assert rejected.status is ProposalStatus.REJECTED and event.reason == "收入证明不足"
    with pytest.raises(CaseworkError, match="already rejected"):
        approve(rejected, SUPERVISOR, DAY, "改为同意", ledger_position())


def test_a_supervisor_cannot_decide_their_own_proposal() -> None:
    own = submit(SubmitProposal("PR2", "C1", "L1", PLAN, DAY), SUPERVISOR, []).proposal
    with pytest.raises(PermissionDenied, match="own proposal"):
        approve(own, SUPERVISOR, DAY, "ok", ledger_position())


def test_agencies_propose_only_on_cases_they_hold_and_never_decide() -> None:
    placements = [Placement("PL1", "AG-A", "C1", date(2026, 2, 1))]
    command = SubmitProposal("PR3", "C1", "L1", PLAN, DAY)
    proposal = submit(command, AGENCY_A, placements).proposal
    with pytest.raises(PermissionDenied, match="AG-B"):
        submit(command, AGENCY_B, placements)
    with pytest.raises(PermissionDenied, match="may not decide"):
        reject(proposal, AGENCY_A, DAY, "no")


def test_a_waiver_is_an_exact_amount_capped_by_what_is_unpaid() -> None:
    position = ledger_position()
    assert position.payable_penalty == 3_355
    _, event = approve(
        proposed(Waiver(WaivedComponent.PENALTY, 3_355)),
        SUPERVISOR,
        DAY,
        "首次逾期，减免罚息",
        position,
    )
    assert event == WaiverGranted(
        "PR1", "L1", DAY, "s-zhao", "首次逾期，减免罚息", WaivedComponent.PENALTY, 3_355
    )
    with pytest.raises(CaseworkError, match="exceeds the 29016 fen unpaid"):
        approve(proposed(Waiver(WaivedComponent.INTEREST, 29_017)), SUPERVISOR, DAY, "x", position)


def test_a_waiver_above_what_is_unpaid_is_refused_when_proposed() -> None:
    """Not only at approval: a collector's proposal of more than the loan owes in that
    component never reaches the supervisor's queue."""
    position = ledger_position()
    too_much = SubmitProposal("PR4", "C1", "L1", Waiver(WaivedComponent.PENALTY, 3_356), DAY)
    with pytest.raises(CaseworkError, match="exceeds the 3355 fen unpaid"):
        submit(too_much, COLLECTOR, [], position)
    exact = SubmitProposal("PR5", "C1", "L1", Waiver(WaivedComponent.PENALTY, 3_355), DAY)
    assert submit(exact, COLLECTOR, [], position).proposal.terms == exact.terms


@pytest.mark.parametrize(
    ("plan", "problem"),
    [
        (InstalmentPlan(0, Decimal(0), date(2026, 4, 1)), "months must be 1-60"),
        (InstalmentPlan(61, Decimal(0), date(2026, 4, 1)), "months must be 1-60"),
        (InstalmentPlan(6, Decimal("-0.01"), date(2026, 4, 1)), "negative"),
        (InstalmentPlan(6, Decimal(0), DAY), "must be after"),
        (Waiver(WaivedComponent.PENALTY, 0), "positive"),
    ],
)
def test_bad_terms_are_refused_at_submission(plan: InstalmentPlan | Waiver, problem: str) -> None:
    with pytest.raises(CaseworkError, match=problem):
        submit(SubmitProposal("PR9", "C1", "L1", plan, DAY), COLLECTOR, [])


def test_a_position_from_another_day_is_refused() -> None:
    stale = position_from_ledger(replay(TERMS, PAID, DAY - timedelta(days=1)))
    with pytest.raises(CaseworkError, match="position is for L1 on 2026-03-01"):
        approve(proposed(), SUPERVISOR, DAY, "ok", stale)


@given(
    principal=st.integers(min_value=1, max_value=50_000_000),
    months=st.integers(min_value=1, max_value=60),
    rate=st.sampled_from([Decimal(r) for r in ("0", "0.036", "0.1", "0.18", "0.24")]),
    method=st.sampled_from(list(Method)),
)
def test_any_new_schedule_repays_exactly_the_outstanding_principal(
    principal: int, months: int, rate: Decimal, method: Method
) -> None:
    rows = plan_schedule(principal, InstalmentPlan(months, rate, date(2026, 1, 31), method))
    assert sum(i.principal for i in rows) == principal
    assert all(i.principal >= 0 and i.interest >= 0 for i in rows)
    assert [i.number for i in rows] == list(range(1, len(rows) + 1))
    assert all(a.due_on < b.due_on for a, b in pairwise(rows))


def test_a_second_plan_before_the_first_falls_due_keeps_the_first_plans_arrears() -> None:
    """Plan 1 on 2 Mar keeps 290.16 of past-due interest owed with its first installment
    (20 Mar). A second plan on 10 Mar, before that date, must keep it too: approval and the
    ledger agree it is carried, although on 10 Mar none of it is past due yet."""
    _, first = approve(proposed(), SUPERVISOR, DAY, "同意", ledger_position())
    later = date(2026, 3, 10)
    second_plan = InstalmentPlan(12, Decimal(0), date(2026, 4, 10))
    ledger = replay(TERMS, PAID, later, adjustments=[first])
    assert ledger.state.overdue_interest == 0
    command = SubmitProposal("PR2", "C1", "L1", second_plan, later, "再次分期")
    _, second = approve(
        submit(command, COLLECTOR, []).proposal,
        SUPERVISOR,
        later,
        "同意",
        position_from_ledger(ledger),
    )
    assert isinstance(second, LoanRestructured)
    assert second.carried_interest == 29_016
    after = replay(TERMS, PAID, later, adjustments=[first, second])
    (kept,) = [p for p in after.positions if p.proposal_id == "PR2" and p.unpaid_interest]
    assert (kept.installment.interest, kept.installment.due_on) == (29_016, date(2026, 4, 10))
    assert after.state.outstanding_principal == 1_014_588

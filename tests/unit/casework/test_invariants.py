"""Invariants over random histories: the lifecycle, contact facts, commission attribution."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from faircollect.domain.casework.agencies import (
    CommissionTerms,
    Placement,
    Repayment,
    commission_statement,
    holder,
)
from faircollect.domain.casework.cases import TRANSITIONS, CaseStatus, ChangeStatus, StatusChanged
from faircollect.domain.casework.contacts import Outcome, unanswered_calls_per_day

from .factories import DAY1, a_case, at, contact


@given(st.lists(st.integers(min_value=0, max_value=100), max_size=30))
def test_any_walk_of_allowed_moves_is_a_consistent_history(choices: list[int]) -> None:
    case = a_case()
    for step, choice in enumerate(choices):
        allowed = sorted(TRANSITIONS[case.status])
        if not allowed:
            break
        to = allowed[choice % len(allowed)]
        case = case.moved(ChangeStatus("C1", to, DAY1 + timedelta(days=step), "c", "walk"))
    changes = [e for e in case.history if isinstance(e, StatusChanged)]
    previous = CaseStatus.OPEN
    for change in changes:
        assert change.from_status == previous and change.to_status in TRANSITIONS[previous]
        previous = change.to_status
    assert previous == case.status


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=72),  # hour offset from day 1 00:00
            st.sampled_from(["13800000001", "13900000002"]),
            st.sampled_from([Outcome.NO_ANSWER, Outcome.BORROWER_REACHED]),
        ),
        max_size=40,
    )
)
def test_unanswered_counts_add_up_to_the_unanswered_calls(
    attempts: list[tuple[int, str, Outcome]],
) -> None:
    records = [
        contact(f"R{i}", at(DAY1, 0) + timedelta(hours=h), outcome, number=number)
        for i, (h, number, outcome) in enumerate(attempts)
    ]
    counts = unanswered_calls_per_day(records)
    assert sum(counts.values()) == sum(1 for _, _, o in attempts if o is Outcome.NO_ANSWER)


MARCH = [date(2026, 3, 1) + timedelta(days=d) for d in range(31)]


@st.composite
def placement_history(draw: st.DrawFn) -> list[Placement]:
    """Non-overlapping placements of case C1 among three agencies across March."""
    cuts = sorted(set(draw(st.lists(st.integers(0, 31), min_size=2, max_size=8))))
    placements = []
    for n, (start, end) in enumerate(pairwise(cuts)):
        if draw(st.booleans()):
            agency = draw(st.sampled_from(["AG-A", "AG-B", "AG-C"]))
            placements.append(
                Placement(
                    f"PL{n}",
                    agency,
                    "C1",
                    date(2026, 3, 1) + timedelta(days=start),
                    date(2026, 3, 1) + timedelta(days=end),
                )
            )
    return placements


@given(
    placement_history(),
    st.lists(st.tuples(st.sampled_from(MARCH), st.integers(1, 10_000_000)), max_size=25),
)
def test_every_repayment_counts_for_at_most_one_agency_exactly_its_holder(
    placements: list[Placement], paid: list[tuple[date, int]]
) -> None:
    repayments = [Repayment(f"P{i}", "C1", "L1", d, a) for i, (d, a) in enumerate(paid)]
    credited: dict[str, str] = {}
    for agency in ("AG-A", "AG-B", "AG-C"):
        statement = commission_statement(
            CommissionTerms(agency, Decimal("0.1")), 2026, 3, placements, repayments, {}
        )
        for line in statement.lines:
            for payment_id in line.payment_ids:
                assert payment_id not in credited
                credited[payment_id] = agency
    for repayment in repayments:
        assert credited.get(repayment.payment_id) == holder(placements, "C1", repayment.paid_on)

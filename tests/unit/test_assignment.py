"""分案: stickiness, capacity, load balance and agency placement, deterministically."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from faircollect.domain.assignment import (
    Agency,
    AssigneeKind,
    AssignmentPolicy,
    Collector,
    WorkItem,
    assign,
    work_items,
)

AS_OF = date(2026, 12, 10)


def item(
    loan: str,
    borrower: str | None = None,
    *,
    dpd: int = 10,
    amount: int = 100_000,
    skill: str = "call",
) -> WorkItem:
    return WorkItem(loan, borrower or "B" + loan, "early", skill, amount, skill, dpd)


def collector(
    cid: str, capacity: int = 10, skills: tuple[str, ...] = ("call",), active: bool = True
) -> Collector:
    return Collector(cid, "team", capacity, frozenset(skills), active)


def owners(result: object) -> dict[str, str]:
    return {a.loan_id: a.assignee for a in result.assignments}  # type: ignore[attr-defined]


def test_same_borrower_stays_with_previous_collector() -> None:
    result = assign([item("L1", "B1")], [collector("A"), collector("Z")], [], {"B1": "Z"}, AS_OF)
    (a,) = result.assignments
    assert (a.assignee, a.sticky) == ("Z", True)


def test_stickiness_yields_when_previous_owner_cannot_take_it() -> None:
    cases = {
        "inactive": [collector("A"), collector("Z", active=False)],
        "full": [collector("A"), collector("Z", capacity=0)],
        "lacks skill": [collector("A"), collector("Z", skills=("visit",))],
    }
    for why, staff in cases.items():
        (a,) = assign([item("L1", "B1")], staff, [], {"B1": "Z"}, AS_OF).assignments
        assert (a.assignee, a.sticky) == ("A", False), why


def test_one_borrowers_loans_go_to_one_collector_today() -> None:
    items = [item("L1", "B1"), item("L2", "B1"), item("L3", "B2")]
    result = assign(items, [collector("A"), collector("B")], [], {}, AS_OF)
    assert owners(result)["L1"] == owners(result)["L2"]


def test_load_is_balanced_by_remaining_capacity() -> None:
    # A and B (20 each) are drawn down to C's 5 first; then the three take turns (ties: id)
    items = [item(f"L{i}") for i in range(36)]
    result = assign(
        items, [collector("A", 20), collector("B", 20), collector("C", 5)], [], {}, AS_OF
    )
    assert result.load == {"A": 17, "B": 17, "C": 2}


def test_capacity_is_never_exceeded_and_overflow_is_reported() -> None:
    items = [item(f"L{i}", amount=1_000 * i) for i in range(10)]
    result = assign(items, [collector("A", 3), collector("B", 4)], [], {}, AS_OF)
    assert result.load == {"A": 3, "B": 4}
    assert sorted(u.item.loan_id for u in result.unassigned) == ["L0", "L1", "L2"]  # smallest wait
    assert all("capacity" in u.reason for u in result.unassigned)


def test_visit_work_goes_only_to_visit_skilled_collectors() -> None:
    items = [item("L1", skill="visit"), item("L2", skill="visit")]
    staff = [collector("A", 10), collector("V", 1, skills=("visit",))]
    result = assign(items, staff, [], {}, AS_OF)
    assert list(owners(result).values()) == ["V"]
    assert "skill 'visit'" in result.unassigned[0].reason


def test_past_the_threshold_goes_to_an_agency_with_placement_and_recall() -> None:
    items = [item("L1", dpd=90), item("L2", dpd=91), item("L3", "B3", dpd=120)]
    policy = AssignmentPolicy(agency_threshold_dpd=90, agency_recall_days=60)
    result = assign(
        items, [collector("A")], [Agency("AG1", 5), Agency("AG2", 5)], {"B3": "AG2"}, AS_OF, policy
    )
    by_loan = {a.loan_id: a for a in result.assignments}
    assert by_loan["L1"].kind is AssigneeKind.COLLECTOR and by_loan["L1"].placed_on is None
    for loan in ("L2", "L3"):
        assert by_loan[loan].kind is AssigneeKind.AGENCY
        assert by_loan[loan].placed_on == AS_OF
        assert by_loan[loan].recall_on == AS_OF + timedelta(days=60)
    assert by_loan["L3"].assignee == "AG2" and by_loan["L3"].sticky


def test_a_collector_id_as_previous_owner_does_not_pull_agency_work_back() -> None:
    result = assign(
        [item("L1", "B1", dpd=100)], [collector("A")], [Agency("AG1", 1)], {"B1": "A"}, AS_OF
    )
    assert owners(result) == {"L1": "AG1"}


def test_result_does_not_depend_on_input_order() -> None:
    items = [
        item(f"L{i}", f"B{i % 7}", amount=(i * 7919) % 50_000, dpd=(i * 13) % 120)
        for i in range(60)
    ]
    staff = [collector("A", 9), collector("B", 12), collector("C", 7)]
    firms = [Agency("AG1", 6), Agency("AG2", 4)]
    first = assign(items, staff, firms, {"B1": "B"}, AS_OF)
    shuffled = items[:]
    random.Random(4).shuffle(shuffled)
    second = assign(shuffled, staff, firms, {"B1": "B"}, AS_OF)
    assert first.assignments == second.assignments
    assert first.unassigned == second.unassigned


@given(
    st.lists(st.integers(0, 50), min_size=1, max_size=6),
    st.integers(0, 80),
)
def test_capacity_invariant(capacities: list[int], n_items: int) -> None:
    staff = [collector(f"C{i}", cap) for i, cap in enumerate(capacities)]
    items = [item(f"L{i}", f"B{i % 5}") for i in range(n_items)]
    result = assign(items, staff, [], {}, AS_OF)
    load = Counter(a.assignee for a in result.assignments)
    for c in staff:
        assert load[c.collector_id] <= c.capacity
    assert len(result.assignments) + len(result.unassigned) == n_items
    assert len(result.assignments) == min(n_items, sum(capacities))


def test_work_items_are_the_calls_visits_and_placements_of_the_plan() -> None:
    from zoneinfo import ZoneInfo

    from faircollect.domain.strategy import plan_day
    from tests.unit.strategy.factories import AS_OF as DAY
    from tests.unit.strategy.factories import account, default_strategy

    accounts = [
        account("L1", dpd=1, overdue=50_000),  # first call + SMS
        account("L2", dpd=91),  # agency placement
        account("L3", dpd=99, visit_notice_sent_on=DAY - timedelta(days=5)),  # visit
        account("L4", due_in=3),  # reminders only
    ]
    planned = plan_day(accounts, default_strategy(), DAY, ZoneInfo("Asia/Shanghai"))
    states = {a.loan_id: a.state for a in accounts}
    items = work_items(planned, states)
    assert sorted((i.loan_id, i.channel, i.skill, i.dpd) for i in items) == [
        ("L1", "call", "call", 1),
        ("L2", "agency_placement", "call", 91),
        ("L3", "visit", "visit", 99),
    ]
    assert next(i for i in items if i.loan_id == "L1").amount == 50_000
    staff = [collector("C1"), collector("V1", skills=("visit",))]
    result = assign(items, staff, [Agency("AG1", 10)], {}, DAY)
    # past DPD 90 everything, the visit included, is the agency's while placed
    assert owners(result) == {"L1": "C1", "L2": "AG1", "L3": "AG1"}

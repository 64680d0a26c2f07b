"""Agency placement: who sees what when, and a commission statement correct to the fen."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from faircollect.domain.casework.agencies import (
    Basis,
    CommissionTerms,
    PlaceCase,
    Placement,
    RecallCase,
    Repayment,
    StatementLine,
    commission_statement,
    holder,
    place,
    recall,
    recalled,
    require_case_access,
    visible_case_ids,
)
from faircollect.domain.casework.errors import CaseworkError, PermissionDenied

from .factories import AGENCY_A, AGENCY_B, COLLECTOR, SUPERVISOR

MAR = date(2026, 3, 1)


def placements() -> list[Placement]:
    """C1 with AG-A 5-20 March then AG-B; C2 with AG-A since February; C3 never placed."""
    first = place([], PlaceCase("PL1", "C1", "AG-A", date(2026, 3, 5)), SUPERVISOR).placement
    back = recall(first, RecallCase("PL1", date(2026, 3, 20), "效果不佳"), SUPERVISOR)
    first = recalled(first, back)
    second = place([first], PlaceCase("PL3", "C1", "AG-B", date(2026, 3, 20)), SUPERVISOR)
    return [first, Placement("PL2", "AG-A", "C2", date(2026, 2, 10)), second.placement]


def test_an_agency_sees_only_the_cases_it_holds_and_only_while_it_holds_them() -> None:
    held = placements()
    assert visible_case_ids(held, "AG-A", date(2026, 3, 4)) == {"C2"}
    assert visible_case_ids(held, "AG-A", date(2026, 3, 19)) == {"C1", "C2"}
    assert visible_case_ids(held, "AG-A", date(2026, 3, 20)) == {"C2"}  # recall day: not A's
    assert visible_case_ids(held, "AG-B", date(2026, 3, 20)) == {"C1"}
    assert holder(held, "C3", date(2026, 3, 20)) is None


def test_an_agency_user_cannot_reach_another_agencys_case() -> None:
    held = placements()
    require_case_access(AGENCY_A, "C2", held, date(2026, 3, 10))
    with pytest.raises(PermissionDenied, match=r"AG-B.*case C2"):
        require_case_access(AGENCY_B, "C2", held, date(2026, 3, 10))
    with pytest.raises(PermissionDenied, match="case C3"):
        require_case_access(AGENCY_A, "C3", held, date(2026, 3, 10))
    require_case_access(COLLECTOR, "C3", held, date(2026, 3, 10))  # staff see every case


def test_placement_rules() -> None:
    held = placements()
    with pytest.raises(CaseworkError, match="already placed with AG-B"):
        place(held, PlaceCase("PL4", "C1", "AG-A", date(2026, 4, 1)), SUPERVISOR)
    with pytest.raises(PermissionDenied):
        place([], PlaceCase("PL5", "C3", "AG-A", MAR), COLLECTOR)
    with pytest.raises(CaseworkError, match="was recalled"):
        recall(held[0], RecallCase("PL1", date(2026, 4, 1), "again"), SUPERVISOR)
    with pytest.raises(CaseworkError, match="not after"):
        recall(held[1], RecallCase("PL2", date(2026, 2, 10), "same day"), SUPERVISOR)


REPAYMENTS = [
    Repayment("P1", "C1", "L1", date(2026, 3, 4), 50_000),  # before A's placement
    Repayment("P2", "C1", "L1", date(2026, 3, 5), 33_330),  # placement day: A
    Repayment("P3", "C1", "L1", date(2026, 3, 19), 12_350),  # A
    Repayment("P4", "C1", "L1", date(2026, 3, 20), 70_000),  # recall day: B, not A
    Repayment("P5", "C2", "L2", date(2026, 3, 1), 10_010),  # A, before the plan
    Repayment("P6", "C2", "L2", date(2026, 3, 15), 20_000),  # A, under the plan
    Repayment("P7", "C2", "L2", date(2026, 3, 31), 15_555),  # A, under the plan
    Repayment("P8", "C2", "L2", date(2026, 4, 1), 99_999),  # April
    Repayment("P9", "C2", "L2", date(2026, 2, 28), 88_888),  # February
    Repayment("P10", "C3", "L3", date(2026, 3, 10), 40_000),  # never placed
]
PLANS = {"L2": date(2026, 3, 15)}


def test_agency_statement_is_correct_to_the_fen() -> None:
    terms = CommissionTerms("AG-A", Decimal("0.05"), plan_rate=Decimal("0.02"))
    statement = commission_statement(terms, 2026, 3, placements(), REPAYMENTS, PLANS)
    assert statement.month == "2026-03"
    assert statement.lines == (
        # 45,680 x 5% = 2,284 (rounding each payment would give 1,667 + 618 = 2,285)
        StatementLine("C1", Basis.REGULAR, 45_680, Decimal("0.05"), 2_284, ("P2", "P3")),
        # 35,555 x 2% = 711.1 -> 711
        StatementLine("C2", Basis.PLAN, 35_555, Decimal("0.02"), 711, ("P6", "P7")),
        # 10,010 x 5% = 500.5 -> 501 (half up)
        StatementLine("C2", Basis.REGULAR, 10_010, Decimal("0.05"), 501, ("P5",)),
    )
    assert (statement.total_repaid, statement.total_commission) == (91_245, 3_496)


def test_plan_repayments_earn_nothing_by_default_and_the_recall_day_is_the_next_holders() -> None:
    a = commission_statement(
        CommissionTerms("AG-A", Decimal("0.05")), 2026, 3, placements(), REPAYMENTS, PLANS
    )
    assert [(line.basis, line.commission) for line in a.lines if line.case_id == "C2"] == [
        (Basis.PLAN, 0),
        (Basis.REGULAR, 501),
    ]
    b = commission_statement(
        CommissionTerms("AG-B", Decimal("0.1")), 2026, 3, placements(), REPAYMENTS, PLANS
    )
    assert [(line.payment_ids, line.commission) for line in b.lines] == [(("P4",), 7_000)]


def test_a_month_out_of_range_is_refused() -> None:
    with pytest.raises(CaseworkError, match="1-12"):
        commission_statement(CommissionTerms("AG-A", Decimal("0.05")), 2026, 13, [], [], {})

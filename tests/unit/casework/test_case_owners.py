"""Who owns a borrower's case after the night's 分案 (``domain.casework.case_owners``)."""

from __future__ import annotations

from datetime import date

from faircollect.domain.assignment import AssigneeKind, Assignment
from faircollect.domain.casework.case_owners import case_owners

DAY = date(2026, 12, 10)


def to_collector(loan: str, borrower: str, collector: str) -> Assignment:
    return Assignment(loan, borrower, collector, AssigneeKind.COLLECTOR, sticky=False)


def to_agency(loan: str, borrower: str, agency: str) -> Assignment:
    return Assignment(loan, borrower, agency, AssigneeKind.AGENCY, False, DAY, DAY)


def test_the_collector_given_the_borrowers_largest_item_owns_the_case() -> None:
    # 分案 hands out the largest amounts first: B1's first item went to C1, the next to C2
    # when C1 was full.
    made = [to_collector("L1", "B1", "C1"), to_collector("L2", "B1", "C2")]
    owners = case_owners(made, {}, {"C1", "C2"})
    assert owners.tonight == {"B1": "C1"} and owners.before == {}


def test_agency_work_decides_no_owner_here() -> None:
    made = [to_agency("L1", "B1", "AG01"), to_collector("L2", "B1", "C2")]
    assert case_owners(made, {}, {"C2"}).tonight == {"B1": "C2"}
    assert case_owners([to_agency("L1", "B1", "AG01")], {}, set()).tonight == {}


def test_without_work_tonight_the_collector_before_owns_a_new_case_if_on_duty() -> None:
    previous = {"B1": "C7", "B2": "C9", "B3": "AG01", "B4": "C7"}
    owners = case_owners([to_collector("L4", "B4", "C1")], previous, {"C1", "C7"})
    # B2's collector is off duty, B3's last owner an agency; B4 has work tonight.
    assert owners.before == {"B1": "C7"}
    assert owners.tonight == {"B4": "C1"}
